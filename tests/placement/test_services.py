"""The history services: sequences, constraints, audit, and who may write."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from laborbridge.models import AuditEvent, Region
from placement import services
from placement.models import EmploymentEvent, EventKind
from placement.selectors import employment_history
from tests.factories import JIAOZHOU

pytestmark = pytest.mark.django_db

D = dt.date


def test_a_full_history_is_recorded_audited_and_derived(official_a, employment, employer_y):
    services.record_confirmation(actor=official_a, employment=employment, occurred_on=D(2026, 7, 1))
    services.record_job_change(
        actor=official_a,
        employment=employment,
        occurred_on=D(2026, 8, 1),
        employer_name="胶州某服装厂",
        workplace=Region.objects.get(pk=JIAOZHOU),
        monthly_wage=5800,
    )
    services.record_return_home(
        actor=official_a, employment=employment, occurred_on=D(2026, 9, 15), reason="family"
    )
    services.record_going_out_again(
        actor=official_a, employment=employment, occurred_on=D(2026, 10, 1), employer=employer_y
    )
    derived = employment_history(employment, as_of=D(2026, 12, 5))
    assert derived.state.state == "working"
    assert derived.state.job.employer == employer_y.pk
    assert derived.state.job.workplace == employer_y.district_id
    assert (derived.state.months_continuous, derived.state.months_total) == (2, 3 + 2)
    actions = AuditEvent.objects.filter(target_type="workers.employment").values_list(
        "action", flat=True
    )
    assert set(actions) == {
        "employment.confirmed",
        "employment.job_change",
        "employment.returned_home",
        "employment.went_out",
    }


def test_leaving_twice_is_refused_in_chinese(official_a, employment):
    services.record_leaving(
        actor=official_a, employment=employment, occurred_on=D(2026, 8, 1), reason="wage"
    )
    with pytest.raises(ValidationError) as error:
        services.record_leaving(
            actor=official_a, employment=employment, occurred_on=D(2026, 9, 1), reason="wage"
        )
    assert "不能重复记录离职" in str(error.value)
    assert EmploymentEvent.objects.count() == 1


def test_a_job_change_after_returning_home_needs_going_out_first(official_a, employment):
    services.record_return_home(
        actor=official_a, employment=employment, occurred_on=D(2026, 8, 1), reason="family"
    )
    with pytest.raises(ValidationError) as error:
        services.record_job_change(
            actor=official_a,
            employment=employment,
            occurred_on=D(2026, 9, 1),
            same_employer=True,
        )
    assert "请先记录再次外出" in str(error.value)


def test_a_backdated_event_that_breaks_later_ones_is_refused(official_a, employment):
    services.record_leaving(
        actor=official_a, employment=employment, occurred_on=D(2026, 9, 1), reason="wage"
    )
    with pytest.raises(ValidationError):  # leaving earlier would make 1 Sep a second leaving
        services.record_leaving(
            actor=official_a, employment=employment, occurred_on=D(2026, 8, 1), reason="wage"
        )


@pytest.mark.parametrize(
    ("day", "word"), [(D(2026, 5, 31), "到岗日期"), (D(2099, 1, 1), "晚于今天")]
)
def test_dates_before_the_arrival_or_in_the_future_are_refused(official_a, employment, day, word):
    with pytest.raises(ValidationError) as error:
        services.record_confirmation(actor=official_a, employment=employment, occurred_on=day)
    assert word in str(error.value.message_dict["occurred_on"])


def test_job_change_needs_an_employer_a_county_and_a_positive_wage(official_a, employment):
    with pytest.raises(ValidationError) as error:
        services.record_job_change(
            actor=official_a, employment=employment, occurred_on=D(2026, 7, 1)
        )
    assert "employer" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.record_job_change(
            actor=official_a,
            employment=employment,
            occurred_on=D(2026, 7, 1),
            employer_name="某厂",
            workplace=Region.objects.get(pk="370200"),  # a city, not a county
            monthly_wage=0,
        )
    assert set(error.value.message_dict) == {"workplace", "monthly_wage"}


def test_the_database_refuses_a_non_positive_wage(employment, official_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        EmploymentEvent.objects.create(
            employment=employment,
            kind=EventKind.JOB_CHANGE,
            occurred_on=D(2026, 7, 1),
            employer_name="某厂",
            monthly_wage=0,
        )


def test_leaving_with_other_reason_needs_text(official_a, employment):
    with pytest.raises(ValidationError) as error:
        services.record_leaving(
            actor=official_a, employment=employment, occurred_on=D(2026, 7, 1), reason="other"
        )
    assert "note" in error.value.message_dict


class TestWhoMayWrite:
    def test_county_official_of_another_county_is_refused(self, official_b, employment):
        with pytest.raises(PermissionDenied):
            services.record_confirmation(
                actor=official_b, employment=employment, occurred_on=D(2026, 7, 1)
            )

    def test_the_pairings_coordinator_may_write(self, coordinator, employment):
        services.record_confirmation(
            actor=coordinator, employment=employment, occurred_on=D(2026, 7, 1)
        )

    def test_another_pairings_coordinator_is_refused(self, coordinator_other, employment):
        with pytest.raises(PermissionDenied):
            services.record_confirmation(
                actor=coordinator_other, employment=employment, occurred_on=D(2026, 7, 1)
            )

    def test_hr_records_leaving_of_own_employees_only(self, hr_x, hr_y, employment):
        with pytest.raises(PermissionDenied):
            services.record_confirmation(
                actor=hr_x, employment=employment, occurred_on=D(2026, 7, 1)
            )
        with pytest.raises(PermissionDenied):
            services.record_leaving(
                actor=hr_y, employment=employment, occurred_on=D(2026, 7, 1), reason="wage"
            )
        services.record_leaving(
            actor=hr_x, employment=employment, occurred_on=D(2026, 7, 1), reason="wage"
        )

    def test_hr_may_not_record_leaving_once_the_worker_moved_elsewhere(
        self, official_a, hr_x, employment, employer_y
    ):
        services.record_job_change(
            actor=official_a, employment=employment, occurred_on=D(2026, 7, 1), employer=employer_y
        )
        with pytest.raises(PermissionDenied):
            services.record_leaving(
                actor=hr_x, employment=employment, occurred_on=D(2026, 8, 1), reason="wage"
            )


def test_hr_recording_a_second_leaving_gets_the_sequence_message(hr_x, employment):
    services.record_leaving(
        actor=hr_x, employment=employment, occurred_on=D(2026, 7, 1), reason="wage"
    )
    with pytest.raises(ValidationError) as error:
        services.record_leaving(
            actor=hr_x, employment=employment, occurred_on=D(2026, 8, 1), reason="wage"
        )
    assert "不能重复记录离职" in str(error.value)
