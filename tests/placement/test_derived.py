"""The employment's derived fields: written by the event services, backfilled for old rows."""

import datetime as dt
import importlib

import pytest
from django.apps import apps

from laborbridge.models import Region
from placement import services
from placement.selectors import employment_history
from tests.factories import JIAOZHOU
from workers.models import Employment, EmploymentStatus

pytestmark = pytest.mark.django_db

D = dt.date


def _fields(employment) -> dict:
    employment = Employment.objects.get(pk=employment.pk)
    return {
        "status": employment.status,
        "ended_on": employment.ended_on,
        "current_employer_id": employment.current_employer_id,
        "current_employer_name": employment.current_employer_name,
        "current_workplace_id": employment.current_workplace_id,
        "current_monthly_wage": employment.current_monthly_wage,
        "working_since": employment.working_since,
        "months_in_closed_spells": employment.months_in_closed_spells,
    }


def _derived(employment) -> dict:
    return services.derived_values(employment_history(employment).state)


def test_every_event_keeps_the_stored_state_equal_to_the_history(
    official_a, employment, employer_y
):
    vacancy = employment.vacancy
    services.record_leaving(
        actor=official_a, employment=employment, occurred_on=D(2026, 9, 10), reason="wage"
    )
    assert _fields(employment) == {
        "status": EmploymentStatus.LEFT,
        "ended_on": D(2026, 9, 10),
        "current_employer_id": None,
        "current_employer_name": "",
        "current_workplace_id": None,
        "current_monthly_wage": None,
        "working_since": None,
        "months_in_closed_spells": 3,  # 1 Jun → 10 Sep
    }
    services.record_job_change(
        actor=official_a,
        employment=employment,
        occurred_on=D(2026, 9, 20),
        employer_name="胶州某服装厂",
        workplace=Region.objects.get(pk=JIAOZHOU),
        monthly_wage=5800,
    )
    stored = _fields(employment)
    assert stored["status"] == EmploymentStatus.EMPLOYED
    assert stored["ended_on"] is None
    assert (stored["current_employer_id"], stored["current_employer_name"]) == (
        None,
        "胶州某服装厂",
    )
    assert (stored["current_workplace_id"], stored["current_monthly_wage"]) == (JIAOZHOU, 5800)
    assert stored["working_since"] == D(2026, 9, 20)
    assert stored == _derived(employment)
    services.record_return_home(
        actor=official_a, employment=employment, occurred_on=D(2026, 11, 1), reason="family"
    )
    assert _fields(employment)["status"] == EmploymentStatus.HOME
    assert _fields(employment)["ended_on"] == D(2026, 11, 1)
    assert _fields(employment)["months_in_closed_spells"] == 3 + 1
    services.record_going_out_again(
        actor=official_a, employment=employment, occurred_on=D(2026, 11, 20), employer=employer_y
    )
    stored = _fields(employment)
    assert stored == _derived(employment)
    assert stored["current_employer_id"] == employer_y.pk
    assert stored["current_workplace_id"] == employer_y.district_id
    assert stored["status"] == EmploymentStatus.EMPLOYED
    # The arrival job stays where it was: the vacancy and employer are not rewritten.
    employment.refresh_from_db()
    assert employment.vacancy_id == vacancy.pk


def test_same_employer_change_stays_at_the_current_employer(official_a, employment, employer_y):
    services.record_job_change(
        actor=official_a, employment=employment, occurred_on=D(2026, 8, 1), employer=employer_y
    )
    employment.refresh_from_db()
    services.record_job_change(
        actor=official_a,
        employment=employment,
        occurred_on=D(2026, 9, 1),
        same_employer=True,
        monthly_wage=7000,
    )
    stored = _fields(employment)
    assert (stored["current_employer_id"], stored["current_monthly_wage"]) == (employer_y.pk, 7000)


def test_record_event_takes_each_service_arguments_from_its_signature():
    assert services._accepted(services.record_job_change) == {
        "same_employer",
        "employer",
        "employer_name",
        "workplace",
        "monthly_wage",
        "note",
    }
    assert services._accepted(services.record_leaving) == {"reason", "note"}


def test_backfill_migration_repairs_stale_rows(official_a, employment):
    services.record_leaving(
        actor=official_a, employment=employment, occurred_on=D(2026, 8, 5), reason="wage"
    )
    # A row as it was before the derived fields: typed status, nothing else.
    Employment.objects.filter(pk=employment.pk).update(
        status=EmploymentStatus.EMPLOYED,
        ended_on=None,
        current_employer=None,
        current_employer_name="",
        working_since=None,
        months_in_closed_spells=0,
    )
    migration = importlib.import_module("placement.migrations.0003_employment_derived_backfill")
    migration.backfill(apps, None)
    stored = _fields(employment)
    assert stored["status"] == EmploymentStatus.LEFT
    assert stored["ended_on"] == D(2026, 8, 5)
    assert stored["months_in_closed_spells"] == 2
    assert stored == _derived(employment)
