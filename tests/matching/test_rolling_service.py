"""Rolling updates on the database: workers registered and vacancies opened after a round get
proposals; the result is what a full round over the free market gives; settled matches stay."""

import pytest
from django.db import transaction

from jobs.models import Vacancy
from laborbridge.models import Occupation
from matching import engine, rolling, rounds
from matching.inputs import round_inputs_load
from matching.models import (
    HOLDING_STATUSES,
    Match,
    MatchRollingUpdate,
    MatchRound,
    MatchStatus,
    RollingKind,
    RoundStatus,
)
from tests.factories import ANDING, VacancyFactory, WorkerFactory
from tests.matching import scenario
from workers.models import Worker, WorkerSkill

pytestmark = pytest.mark.django_db


def _committed(capture, **kwargs) -> scenario.Scenario:
    """Build the scenario as if committed before the test (its own triggers flushed: no round
    existed then), so that a test's capture sees only what it does itself."""
    with capture(execute=True):
        return scenario.build(poverty_every=100, **kwargs)


def _finished_round(coordinator, world, seed=3) -> MatchRound:
    round_ = MatchRound.objects.create(campaign=world.campaign, created_by=coordinator, seed=seed)
    assert rounds.round_execute(round_id=round_.pk, task_id="t")
    round_.refresh_from_db()
    return round_


def _new_worker(world, *, level: int, years: int) -> Worker:
    worker = WorkerFactory(home_county_id=ANDING, poverty_status="none")
    Worker.objects.filter(pk=worker.pk).update(consent_status="given", min_wage=4500)
    WorkerSkill.objects.create(worker=worker, occupation=world.occupation, level=level, years=years)
    return worker


def _run(update: MatchRollingUpdate) -> MatchRollingUpdate:
    assert rolling.rolling_update_execute(update_id=update.pk, task_id="t")
    update.refresh_from_db()
    assert update.status == RoundStatus.SUCCEEDED, update.failure_reason
    return update


def _proposals(world) -> dict[int, int]:
    return dict(
        Match.objects.filter(
            status=MatchStatus.PROPOSED, vacancy__campaign=world.campaign
        ).values_list("worker_id", "vacancy_id")
    )


def _full_round_over_free_market(round_: MatchRound) -> dict[int, int]:
    """What a full round (the engine, the round's mode and seed) gives over the free market."""
    inputs = round_inputs_load(
        round_=round_, workers=rolling.free_market_workers(round_), proposed_free=True
    )
    result = engine.solve(inputs.instance, engine.Params(mode=round_.mode, seed=round_.seed))
    return {
        inputs.worker_ids[w]: inputs.vacancy_ids[int(v)]
        for w, v in enumerate(result.assignment)
        if v >= 0
    }


def _accept(match: Match) -> None:
    Match.objects.filter(pk=match.pk).update(status=MatchStatus.ACCEPTED)
    Vacancy.objects.filter(pk=match.vacancy_id).update(filled_count=1)


def test_a_new_worker_extends_the_round_and_equals_a_full_round(coordinator):
    world = scenario.build(workers=6, headcounts=(2, 2), poverty_every=100)
    round_ = _finished_round(coordinator, world)
    accepted = Match.objects.filter(round=round_).order_by("pk").first()
    _accept(accepted)
    before = _proposals(world)
    # the strongest worker of all: takes a place and pushes the weakest held worker down
    newcomer = _new_worker(world, level=5, years=20)
    update = rolling.rolling_update_request(round_=round_, worker_ids=[newcomer.pk])
    update = _run(update)
    assert update.kind == RollingKind.EXTEND
    after = _proposals(world)
    assert newcomer.pk in after
    assert after == _full_round_over_free_market(round_)
    # the accepted match is untouched
    accepted_now = Match.objects.get(pk=accepted.pk)
    assert accepted_now.status == MatchStatus.ACCEPTED
    assert accepted_now.vacancy_id == accepted.vacancy_id
    assert accepted.worker_id not in after
    # the new proposal belongs to the round's history, with its reasons
    made = Match.objects.get(worker=newcomer, status=MatchStatus.PROPOSED)
    assert made.round_id == round_.pk and made.rolling_update_id == update.pk and made.reasons
    assert update.proposed == len({w for w in after if before.get(w) != after[w]})
    assert update.withdrawn == len({w for w in before if after.get(w) != before[w]})
    assert update.timings["engine"] > 0 and update.statistics["newcomers"] == 1
    # headcount counted with the accepted match: never more held than seats
    for vacancy in world.vacancies:
        vacancy.refresh_from_db()
        active = Match.objects.filter(
            vacancy=vacancy, status__in=[MatchStatus.PROPOSED, *HOLDING_STATUSES]
        ).count()
        assert active <= vacancy.headcount


def test_a_weak_new_worker_with_no_room_gets_nothing_and_moves_nobody(coordinator):
    world = scenario.build(workers=6, headcounts=(2, 2), poverty_every=100)
    round_ = _finished_round(coordinator, world)
    before = _proposals(world)
    newcomer = _new_worker(world, level=1, years=0)
    update = _run(rolling.rolling_update_request(round_=round_, worker_ids=[newcomer.pk]))
    assert update.kind == RollingKind.EXTEND
    assert _proposals(world) == before == _full_round_over_free_market(round_)
    assert update.proposed == update.withdrawn == 0


def test_a_vacancy_opened_after_the_round_re_solves_the_free_market(
    coordinator, django_capture_on_commit_callbacks
):
    world = _committed(django_capture_on_commit_callbacks, workers=6, headcounts=(2, 2))
    round_ = _finished_round(coordinator, world)
    unmatched = Worker.objects.filter(status="registered").count()
    assert unmatched == 2
    with django_capture_on_commit_callbacks(execute=True):
        vacancy = VacancyFactory(
            employer=world.vacancies[0].employer,
            occupation=world.occupation,
            campaign=world.campaign,
            headcount=3,
            wage_min=9000,
            wage_max=9500,
            start_date=world.vacancies[0].start_date,
        )
    update = MatchRollingUpdate.objects.get(round=round_)
    assert update.vacancy_ids == [vacancy.pk]
    update = _run(update)
    assert update.kind == RollingKind.RESOLVE
    after = _proposals(world)
    assert after == _full_round_over_free_market(round_)
    assert len(after) == 6  # seven seats now, six workers
    assert Match.objects.filter(vacancy=vacancy, status=MatchStatus.PROPOSED).count() == 3


def test_ties_fall_the_same_way_in_an_extension_and_in_a_full_round(coordinator):
    """Newcomers exactly as strong as each other and as a held worker (same county, age, skill
    and years): the vacancies' priority ties, and the extension breaks the ties as the round's
    keyed tie-break does (a seeded hash of the worker's id), so it still equals a full round;
    a later re-solve with them in the market moves no one either."""
    world = scenario.build(workers=6, headcounts=(2, 2), poverty_every=100)
    round_ = _finished_round(coordinator, world)
    held = world.workers[2]  # Anding, level 3, 2 years, like the newcomers
    twins = [_new_worker(world, level=3, years=2) for _ in range(4)]
    update = _run(rolling.rolling_update_request(round_=round_, worker_ids=[t.pk for t in twins]))
    assert update.kind == RollingKind.EXTEND
    after = _proposals(world)
    assert after == _full_round_over_free_market(round_)
    tied = {held.pk, *(t.pk for t in twins)}
    assert 0 < len(tied & after.keys()) < len(tied)  # some of the tied won a seat, not all
    # a vacancy of an occupation nobody has opens: the re-solve keeps every proposal
    far = Occupation.objects.exclude(pk=world.occupation.pk).order_by("-code").first()
    other = VacancyFactory(campaign=world.campaign, occupation=far, headcount=1)
    update = _run(rolling.rolling_update_request(round_=round_, vacancy_ids=[other.pk]))
    assert update.kind == RollingKind.RESOLVE
    assert _proposals(world) == after and update.withdrawn == 0


def test_a_proposal_rejected_since_the_last_solve_forces_a_re_solve(coordinator):
    world = scenario.build(workers=6, headcounts=(2, 2), poverty_every=100)
    round_ = _finished_round(coordinator, world)
    rejected = Match.objects.filter(round=round_).order_by("pk").first()
    rejected.status = MatchStatus.REJECTED
    rejected.save(update_fields=["status", "updated_at"])
    Worker.objects.filter(pk=rejected.worker_id).update(status="inactive")
    newcomer = _new_worker(world, level=1, years=0)
    update = _run(rolling.rolling_update_request(round_=round_, worker_ids=[newcomer.pk]))
    assert update.kind == RollingKind.RESOLVE
    assert _proposals(world) == _full_round_over_free_market(round_)


def test_workers_registered_in_one_transaction_make_one_update(
    coordinator, django_capture_on_commit_callbacks
):
    world = _committed(django_capture_on_commit_callbacks, workers=4, headcounts=(2,))
    round_ = _finished_round(coordinator, world)
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            first = [_new_worker(world, level=2, years=1) for _ in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        second = _new_worker(world, level=2, years=1)
    updates = list(MatchRollingUpdate.objects.filter(round=round_))
    assert len(updates) == 1  # the second merged into the queued one
    assert updates[0].worker_ids == sorted([w.pk for w in first] + [second.pk])


def test_no_update_before_a_campaign_has_a_finished_round(
    coordinator, django_capture_on_commit_callbacks
):
    world = _committed(django_capture_on_commit_callbacks, workers=2, headcounts=(1,))
    with django_capture_on_commit_callbacks(execute=True):
        _new_worker(world, level=2, years=1)
    assert not MatchRollingUpdate.objects.exists()


def test_an_update_of_a_superseded_round_is_skipped(coordinator):
    world = scenario.build(workers=4, headcounts=(2,), poverty_every=100)
    round_ = _finished_round(coordinator, world)
    newcomer = _new_worker(world, level=5, years=9)
    update = rolling.rolling_update_request(round_=round_, worker_ids=[newcomer.pk])
    MatchRound.objects.create(campaign=world.campaign, created_by=coordinator)  # queued
    update = _run(update)
    assert update.kind == RollingKind.SKIPPED
    assert not Match.objects.filter(worker=newcomer).exists()


def test_an_update_runs_once(coordinator):
    world = scenario.build(workers=4, headcounts=(2,), poverty_every=100)
    round_ = _finished_round(coordinator, world)
    newcomer = _new_worker(world, level=5, years=9)
    update = _run(rolling.rolling_update_request(round_=round_, worker_ids=[newcomer.pk]))
    assert not rolling.rolling_update_execute(update_id=update.pk, task_id="again")
    assert Match.objects.filter(worker=newcomer).count() == 1


def test_a_worker_registered_while_the_round_runs_is_taken_when_it_succeeds(
    coordinator, django_capture_on_commit_callbacks
):
    world = _committed(django_capture_on_commit_callbacks, workers=4, headcounts=(2,))
    round_ = MatchRound.objects.create(campaign=world.campaign, created_by=coordinator, seed=3)
    # the round may load its inputs before this registration commits: an update waits for it
    with django_capture_on_commit_callbacks(execute=True):
        newcomer = _new_worker(world, level=5, years=9)
    update = MatchRollingUpdate.objects.get(round=round_)
    assert (update.status, update.task_id, update.worker_ids) == ("queued", "", [newcomer.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert rounds.round_execute(round_id=round_.pk, task_id="t")
    update.refresh_from_db()
    assert update.task_id  # published once the round's results were committed
    update = _run(update)
    assert update.kind == RollingKind.EXTEND
    # in this test the round saw the newcomer: the update changes nothing
    assert update.proposed == update.withdrawn == 0
    assert Match.objects.filter(worker=newcomer).count() == 1


def test_a_registration_is_never_refused_for_the_rolling_mode(
    coordinator, django_capture_on_commit_callbacks, monkeypatch
):
    world = _committed(django_capture_on_commit_callbacks, workers=4, headcounts=(2,))
    _finished_round(coordinator, world)

    def broken(**kwargs):
        raise RuntimeError("broker down")

    monkeypatch.setattr(rolling, "rolling_update_request", broken)
    with django_capture_on_commit_callbacks(execute=True):
        newcomer = _new_worker(world, level=5, years=9)
    assert Worker.objects.filter(pk=newcomer.pk).exists()
    assert not MatchRollingUpdate.objects.exists()


def test_an_edit_of_a_vacancy_s_wording_queues_nothing_a_raised_headcount_re_solves(
    coordinator, django_capture_on_commit_callbacks
):
    world = _committed(django_capture_on_commit_callbacks, workers=6, headcounts=(2, 2))
    round_ = _finished_round(coordinator, world)
    vacancy = world.vacancies[0]
    with django_capture_on_commit_callbacks(execute=True):
        vacancy.description = "包吃住，长白班"
        vacancy.save(update_fields=["description", "updated_at"])
        vacancy.title = "普工（新）"
        vacancy.save()
    assert not MatchRollingUpdate.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        vacancy.headcount = 4
        vacancy.save(update_fields=["headcount", "updated_at"])
    update = _run(MatchRollingUpdate.objects.get(round=round_))
    assert update.kind == RollingKind.RESOLVE and update.vacancy_ids == [vacancy.pk]
    assert _proposals(world) == _full_round_over_free_market(round_)
    assert len(_proposals(world)) == 6  # six seats now, six workers


def test_consent_recorded_after_the_round_makes_the_worker_a_newcomer(
    coordinator, django_capture_on_commit_callbacks
):
    world = _committed(django_capture_on_commit_callbacks, workers=4, headcounts=(2,))
    round_ = _finished_round(coordinator, world)
    with django_capture_on_commit_callbacks(execute=True):
        late = _new_worker(world, level=5, years=9)
        Worker.objects.filter(pk=late.pk).update(consent_status="none")
    MatchRollingUpdate.objects.all().delete()
    late.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        late.consent_status = "given"
        late.save(update_fields=["consent_status", "updated_at"])
    update = _run(MatchRollingUpdate.objects.get(round=round_))
    assert update.worker_ids == [late.pk] and update.proposed >= 1
    assert Match.objects.filter(worker=late, status=MatchStatus.PROPOSED).exists()


def test_a_whole_roster_of_newcomers_re_solves_instead(coordinator, monkeypatch):
    world = scenario.build(workers=6, headcounts=(2, 2), poverty_every=100)
    round_ = _finished_round(coordinator, world)
    monkeypatch.setattr(rolling, "EXTEND_MAX_NEWCOMERS", 2)
    newcomers = [_new_worker(world, level=4, years=5 + i) for i in range(3)]
    update = _run(
        rolling.rolling_update_request(round_=round_, worker_ids=[w.pk for w in newcomers])
    )
    assert update.kind == RollingKind.RESOLVE
    assert _proposals(world) == _full_round_over_free_market(round_)


def test_a_roster_import_queues_one_update_for_its_new_workers(
    coordinator, official_a, django_capture_on_commit_callbacks
):
    import datetime as dt

    from laborbridge.imports import services
    from laborbridge.imports.tasks import import_commit_task, import_preview_task
    from tests.imports.helpers import id_number, xlsx_bytes
    from tests.workers.test_roster_import import HEADERS

    world = _committed(django_capture_on_commit_callbacks, workers=4, headcounts=(2,))
    round_ = _finished_round(coordinator, world)

    def row(n: int, name: str, born: dt.date) -> list:
        number = id_number(ANDING, born, 60 + n)
        return [n, name, number, f"1390000006{n}", "凤翔镇", "", "一般农户", "男", "青岛", "焊工"]

    rows = [
        ["安定区2026年春风行动外出务工人员花名册"],
        HEADERS,
        row(1, "赵一", dt.date(1990, 1, 2)) + ["5000元", "2026/3/1", "是", "李干事"],
        row(2, "钱二", dt.date(1991, 2, 3)) + ["5000元", "2026/3/1", "是", "李干事"],
    ]
    # the import's own tasks run here, in the test's transaction (apply: no broker)
    with django_capture_on_commit_callbacks(execute=False):
        job = services.import_job_create(
            actor=official_a, kind="workers.roster", file_name="r.xlsx", data=xlsx_bytes(rows)
        )
    import_preview_task.apply(args=[job.pk], throw=True)
    job.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=False):
        services.import_job_confirm(actor=official_a, job=job)
    with django_capture_on_commit_callbacks(execute=True):  # the commit's own commit
        import_commit_task.apply(args=[job.pk], throw=True)
    job.refresh_from_db()
    assert job.result["created"] == 2, (job.status, job.failure_reason, job.result, job.errors)
    imported = sorted(Worker.objects.filter(name__in=["赵一", "钱二"]).values_list("pk", flat=True))
    (update,) = MatchRollingUpdate.objects.filter(round=round_)
    assert update.worker_ids == imported


def test_bulk_consent_after_the_round_makes_the_workers_newcomers(
    coordinator, official_a, django_capture_on_commit_callbacks
):
    """Consent recorded for several workers at once (one UPDATE, no post_save) still queues
    one update listing exactly those who had none."""
    from django.utils import timezone

    from workers.services import ConsentInput, workers_consent_record_bulk

    world = _committed(django_capture_on_commit_callbacks, workers=4, headcounts=(2,))
    round_ = _finished_round(coordinator, world)
    with django_capture_on_commit_callbacks(execute=True):
        late = [_new_worker(world, level=5, years=9 - i) for i in range(2)]
        Worker.objects.filter(pk__in=[w.pk for w in late]).update(consent_status="none")
    MatchRollingUpdate.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        made = workers_consent_record_bulk(
            actor=official_a,
            workers=late,
            consent=ConsentInput(given_on=timezone.localdate(), method="signed_paper"),
        )
    assert made == 2
    update = _run(MatchRollingUpdate.objects.get(round=round_))
    assert update.worker_ids == sorted(w.pk for w in late) and update.proposed >= 1
