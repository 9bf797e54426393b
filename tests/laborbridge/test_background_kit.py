"""The background-run kit (laborbridge.background): rounds, plans and imports are built on it
the same way — one abstract model, one task factory, one create service, no import circles."""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from laborbridge.background import (
    TRANSIENT_ERRORS,
    BackgroundRun,
    RunBusy,
    run_create,
    run_task,
)
from laborbridge.imports.models import ImportJob
from laborbridge.imports.services import IMPORT_RUNS
from laborbridge.imports.tasks import import_commit_task, import_preview_task
from laborbridge.models import Campaign
from matching.models import MatchRound, RoundStatus
from matching.rounds import ROUNDS
from matching.tasks import match_round_run
from transport.models import TransportPlan
from transport.runs import PLANS
from transport.tasks import transport_plan_run

ROOT = Path(__file__).resolve().parents[2]
RUN_FIELDS = [
    "task_id",
    "attempt",
    "progress_stage",
    "progress_percent",
    "failure_reason",
    "heartbeat_at",
    "recoveries",
    "created_at",
    "started_at",
    "finished_at",
    "updated_at",
]


@pytest.mark.parametrize("model", [MatchRound, TransportPlan, ImportJob])
def test_every_run_model_has_the_run_fields_of_the_abstract_model(model):
    assert issubclass(model, BackgroundRun)
    names = {f.name for f in model._meta.get_fields()}
    assert set(RUN_FIELDS) <= names
    assert model._meta.get_field("progress_percent").get_internal_type() == (
        "PositiveSmallIntegerField"
    )


def test_an_import_keeps_its_uploader_as_owner_and_has_no_created_by():
    names = {f.name for f in ImportJob._meta.get_fields()}
    assert "owner" in names and "created_by" not in names
    assert "created_by" in {f.name for f in MatchRound._meta.get_fields()}


@pytest.mark.parametrize(
    ("task", "name", "job"),
    [
        (match_round_run, "matching.tasks.match_round_run", ROUNDS),
        (transport_plan_run, "transport.tasks.transport_plan_run", PLANS),
        (import_preview_task, "imports.preview", IMPORT_RUNS),
        (import_commit_task, "imports.commit", IMPORT_RUNS),
    ],
)
def test_every_run_task_comes_from_the_factory_with_its_old_name(task, name, job):
    # The names are what the routing, the beat schedule and the drills refer to.
    assert task.name == name
    assert task.acks_late and task.reject_on_worker_lost
    assert tuple(task.autoretry_for) == TRANSIENT_ERRORS
    assert task.max_retries == 3
    assert any(step.task_name == name for step in job.steps)
    step = next(s for s in job.steps if s.task_name == name)
    assert job.task(step).name == name  # the create services find it by its name


def test_the_matching_route_still_names_the_round_task():
    assert "matching.tasks.*" in settings.CELERY_TASK_ROUTES
    assert match_round_run.name.startswith("matching.tasks.")


@pytest.fixture
def campaign(db):
    return Campaign.objects.get(code="2026-chunfeng-dingxi-qingdao")


def _boom(pk: int, task_id: str):
    raise ValueError("the engine found a contradiction")


# A task of the factory on the round model whose work always fails (not transient).
_failing_round_task = run_task(name="tests.background_kit.failing", job=ROUNDS, execute=_boom)


@pytest.mark.django_db
def test_a_factory_task_that_fails_marks_its_row_failed_with_the_reason(campaign, coordinator):
    round_ = MatchRound.objects.create(campaign=campaign, created_by=coordinator)
    result = _failing_round_task.apply(args=[round_.pk], throw=False)
    assert result.failed()
    round_.refresh_from_db()
    assert round_.status == RoundStatus.FAILED
    assert round_.failure_reason == "ValueError: the engine found a contradiction"
    assert round_.finished_at is not None


class _Busy(RunBusy):
    def __init__(self, live):
        self.live = live
        super().__init__(f"busy with {live.pk if live else '?'}")


@pytest.mark.django_db
def test_run_create_refuses_a_second_live_run_by_looking_and_by_the_index(campaign, coordinator):
    def create():
        return MatchRound.objects.create(campaign=campaign, created_by=coordinator)

    first = create()
    with pytest.raises(_Busy) as refused:
        run_create(job=ROUNDS, create=create, live=lambda: first, busy=_Busy)
    assert refused.value.live == first
    # Two requests that both looked before either wrote: the partial unique index refuses.
    with pytest.raises(_Busy) as refused:
        run_create(job=ROUNDS, create=create, live=lambda: None, busy=_Busy)
    assert isinstance(refused.value, ValidationError)
    assert MatchRound.objects.filter(campaign=campaign).count() == 1


# --- no import circles in the run modules ---------------------------------------------------

RUN_MODULES = {
    "matching.services": "matching/services.py",
    "matching.tasks": "matching/tasks.py",
    "matching.rounds": "matching/rounds.py",
    "transport.services.plans": "transport/services/plans.py",
    "transport.services.boarding": "transport/services/boarding.py",
    "transport.tasks": "transport/tasks.py",
    "transport.runs": "transport/runs.py",
    "transport.selectors": "transport/selectors.py",
    "laborbridge.imports.base": "laborbridge/imports/base.py",
    "laborbridge.imports.tasks": "laborbridge/imports/tasks.py",
    "laborbridge.imports.services": "laborbridge/imports/services.py",
    "laborbridge.background": "laborbridge/background.py",
    "laborbridge.tasking": "laborbridge/tasking.py",
}


def _imports(path: Path) -> set[str]:
    """Return the run modules ``path`` imports, at module level or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        found |= {n for n in names if n in RUN_MODULES}
    return found


def test_the_run_modules_import_each_other_one_way_only():
    graph = {module: _imports(ROOT / path) for module, path in RUN_MODULES.items()}

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph[start] - seen:
            if nxt == goal or reaches(nxt, goal, seen | {nxt}):
                return True
        return False

    circles = sorted(m for m in graph if reaches(m, m, set()))
    assert circles == []
    # The create services publish by task name: they never import their task module.
    for service in (
        "matching.services",
        "transport.services.plans",
        "laborbridge.imports.services",
    ):
        assert not {m for m in graph[service] if m.endswith(".tasks")}, service
