"""The menu's overdue-cases badge is kept in Redis (laborbridge.badges) for county officials
and admins and never shows an old number: a case opened, moved past or back before its
deadline, closed or deleted, or a worker moved to another county, shows on the next page; a
coordinator's count follows pairings and workplaces too and is counted live."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import selectors
from cases.models import Case
from tests.factories import TONGWEI

pytestmark = [pytest.mark.django_db, pytest.mark.redis]
_COUNT = 'COUNT(*) AS "__count" FROM "cases_case"'


def _counted(user) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        value = selectors.overdue_count_for(user)
    return value, sum(_COUNT in q["sql"] for q in queries.captured_queries)


def _past_due(case: Case) -> None:
    case.deadline = timezone.localdate() - dt.timedelta(days=1)
    case.save(update_fields=["deadline"])


def test_kept_until_a_case_changes(wage_case, official_a, admin_user):
    assert _counted(official_a) == (0, 1)
    assert _counted(official_a) == (0, 0)  # kept in Redis
    _past_due(wage_case)
    assert _counted(official_a) == (1, 1)
    assert _counted(admin_user)[0] == 1
    wage_case.deadline = timezone.localdate() + dt.timedelta(days=3)
    wage_case.save(update_fields=["deadline"])
    assert _counted(official_a)[0] == 0
    _past_due(wage_case)
    assert _counted(official_a)[0] == 1
    wage_case.status = "resolved"
    wage_case.save(update_fields=["status"])
    assert _counted(official_a)[0] == 0


def test_a_deleted_case_leaves_the_count(wage_case, official_a):
    _past_due(wage_case)
    assert _counted(official_a)[0] == 1
    wage_case.delete()
    assert _counted(official_a)[0] == 0


def test_a_worker_moved_to_another_county_takes_the_case_along(wage_case, official_a, official_b):
    _past_due(wage_case)
    assert (_counted(official_a)[0], _counted(official_b)[0]) == (1, 0)
    worker = wage_case.worker
    worker.home_county_id = TONGWEI
    worker.save()
    assert (_counted(official_a)[0], _counted(official_b)[0]) == (0, 1)


def test_the_day_changing_counts_afresh(wage_case, official_a, monkeypatch):
    wage_case.deadline = timezone.localdate()
    wage_case.save(update_fields=["deadline"])
    assert _counted(official_a)[0] == 0  # due today: not overdue yet
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: tomorrow)
    assert _counted(official_a)[0] == 1


def test_coordinator_counted_live(wage_case, coordinator):
    _past_due(wage_case)
    assert _counted(coordinator) == (1, 1)
    assert _counted(coordinator) == (1, 1)
