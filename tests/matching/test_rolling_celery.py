"""Rolling matching through a real Celery worker on Redis and PostgreSQL: a worker the county
official registers after a round gets a proposal from the worker process within seconds,
with no one starting anything; accepted matches stay as they were."""

import datetime as dt
import time

import pytest

from laborbridge.models import Region
from matching import services
from matching.models import Match, MatchRollingUpdate, MatchStatus, RollingKind, RoundStatus
from tests.celery_support import round_wait
from tests.factories import ANDING, make_id_number
from tests.matching import scenario
from workers.models import ConsentMethod, WorkerStatus
from workers.services import ConsentInput, SkillInput, worker_register

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
]

# Generous for a loaded CI machine; bench/bench_rolling.py measures the 5 s target at scale.
DEADLINE = 15.0


def _update_of(worker_id: int, deadline: float) -> MatchRollingUpdate:
    while time.monotonic() < deadline:
        update = MatchRollingUpdate.objects.filter(worker_ids__contains=[worker_id]).first()
        if update is not None and update.status in (RoundStatus.SUCCEEDED, RoundStatus.FAILED):
            return update
        time.sleep(0.1)
    raise AssertionError(f"no rolling update finished: {list(MatchRollingUpdate.objects.values())}")


def test_a_worker_registered_after_the_round_gets_a_proposal_from_the_worker(
    celery_worker_process, coordinator, official_a
):
    world = scenario.build(workers=6, headcounts=(2, 2), poverty_every=100)
    celery_worker_process()
    round_ = services.match_round_create(actor=coordinator, campaign=world.campaign, seed=1)
    round_ = round_wait(
        round_.pk, lambda r: r.status in (RoundStatus.SUCCEEDED, RoundStatus.FAILED)
    )
    assert round_.status == RoundStatus.SUCCEEDED, round_.failure_reason
    accepted = Match.objects.filter(round=round_).order_by("pk").first()
    Match.objects.filter(pk=accepted.pk).update(status=MatchStatus.ACCEPTED)

    started = time.monotonic()
    newcomer = worker_register(
        actor=official_a,
        name="新来的",
        id_number=make_id_number(ANDING),
        phone="15800001234",
        home_county=Region.objects.get(code=ANDING),
        min_wage=4500,
        skills=[SkillInput(occupation=world.occupation, level=5, years=20)],
        consent=ConsentInput(given_on=dt.date(2026, 2, 1), method=ConsentMethod.SIGNED_PAPER),
    )
    update = _update_of(newcomer.pk, started + DEADLINE)
    took = time.monotonic() - started
    assert update.status == RoundStatus.SUCCEEDED, update.failure_reason
    assert update.kind == RollingKind.EXTEND and update.round_id == round_.pk
    assert update.attempt == 1 and update.task_id
    proposal = Match.objects.get(worker=newcomer, status=MatchStatus.PROPOSED)
    assert proposal.rolling_update_id == update.pk and proposal.reasons
    newcomer.refresh_from_db()
    assert newcomer.status == WorkerStatus.MATCHED
    accepted_now = Match.objects.get(pk=accepted.pk)
    assert (accepted_now.status, accepted_now.vacancy_id) == (
        MatchStatus.ACCEPTED,
        accepted.vacancy_id,
    )
    print(f"registration commit → proposal written through Celery: {took:.2f} s")
