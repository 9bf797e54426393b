"""Fixtures of the transport tests: a planned world and Celery run in-process."""

import pytest

from tests.transport import scenario
from transport import runs
from transport.services.plans import plan_confirm, plan_create


@pytest.fixture
def eager_celery():
    """Run Celery tasks in-process even when a broker is configured (REDIS_URL)."""
    from laborbridge.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def plan_now(actor, campaign, **kwargs):
    """Create a plan and run it here (the on-commit task of a test transaction never fires)."""
    plan = plan_create(actor=actor, campaign=campaign, **kwargs)
    assert runs.plan_execute(plan_id=plan.pk, task_id="test"), plan
    plan.refresh_from_db()
    return plan


@pytest.fixture
def world(employer_x, employer_y):
    return scenario.build([employer_x, employer_y], per_employer=3, family=2)


@pytest.fixture
def planned(world, coordinator):
    """The world with its plan run and confirmed (six people may take a whole train here)."""
    plan = plan_now(coordinator, world.campaign, params={"min_fill_special_train": 0})
    plan_confirm(actor=coordinator, plan=plan)
    plan.refresh_from_db()
    return plan


def empty_car(trip, skip: int = 0) -> int:
    """Return the number of a car of ``trip`` nobody sits in (the planner picks the cars)."""
    from transport.models import TripCar

    return list(TripCar.objects.filter(trip=trip, occupied=0).values_list("car_no", flat=True))[
        skip
    ]
