"""A planning run through a real Celery worker process on Redis and PostgreSQL: the request
only queues it, the worker claims, plans and writes, and the page's progress reaches 100 %."""

import time

import pytest

from tests.factories import CHENGYANG, JIAOZHOU, EmployerFactory
from tests.transport import scenario
from transport.models import RunStatus, Seat, TransportPlan
from transport.services.plans import plan_create

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
]


def _wait(plan_id: int, timeout: float = 90.0) -> TransportPlan:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        plan = TransportPlan.objects.get(pk=plan_id)
        if plan.run_status in (RunStatus.SUCCEEDED, RunStatus.FAILED):
            return plan
        time.sleep(0.2)
    raise AssertionError(
        f"plan {plan_id} stuck: {TransportPlan.objects.filter(pk=plan_id).values().first()}"
    )


def test_plan_runs_on_a_real_worker(celery_worker_process, coordinator):
    world = scenario.build(
        [EmployerFactory(district_id=CHENGYANG), EmployerFactory(district_id=JIAOZHOU)],
        per_employer=4,
    )
    celery_worker_process(queues="celery")  # transport tasks use the default queue
    plan = plan_create(
        actor=coordinator, campaign=world.campaign, params={"min_fill_special_train": 0}
    )
    plan = _wait(plan.pk)
    assert plan.run_status == RunStatus.SUCCEEDED, plan.failure_reason
    assert plan.attempt == 1 and plan.progress_percent == 100 and plan.task_id != "eager"
    assert Seat.objects.filter(plan=plan, released_at=None).count() == 8
