"""The cases services: intake, routing, steps, deadlines and overdue reminders, returns."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases import services
from cases.models import Case, CaseStatus, CaseStep
from cases.selectors import cases_for_worker_page, steps_for_worker
from laborbridge import access
from laborbridge.models import AuditEvent
from laborbridge.notifications.models import AudienceKind, Message
from placement.models import EmploymentEvent, EventKind
from tests.cases.conftest import WAGE_CASE
from tests.factories import JIAOZHOU, TONGWEI, place_worker

pytestmark = pytest.mark.django_db


def _audiences(case, key="cases.opened"):
    message = Message.objects.get(key=key, cause_id=str(case.pk))
    return {(a.kind, a.target) for a in message.audiences.all()}


def test_official_opens_a_wage_case_prefilled_routed_and_audited(
    employment, official_a, pairing_qd_dx, liaison, liaison_jiaozhou, liaison_longnan
):
    case = services.open_case(
        worker=employment.worker,
        kind="wage_arrears",
        opened_via="official",
        by=official_a,
        # any day names its month
        **{**{k: v for k, v in WAGE_CASE.items() if k != "kind"}, "owed_to": dt.date(2026, 10, 17)},
    )
    employer = employment.employer
    assert (case.employment, case.employer, case.employer_name) == (
        employment,
        employer,
        employer.name,
    )
    assert case.workplace_id == employment.vacancy.district_id
    assert case.owed_to == dt.date(2026, 10, 1)
    assert case.deadline == timezone.localdate() + dt.timedelta(days=15)
    assert case.status == CaseStatus.RECEIVED and case.phone_masked == ""
    step = case.steps.get()
    assert (step.action, step.by, step.by_worker) == ("opened", official_a, False)
    assert AuditEvent.objects.filter(action="case.opened", target_id=str(case.pk)).exists()
    audiences = _audiences(case)
    assert (AudienceKind.COUNTY, employment.worker.home_county_id) in audiences
    assert (AudienceKind.PAIRING, str(pairing_qd_dx.pk)) in audiences
    # the liaison over the whole eastern side; not Jiaozhou's, not another pairing's
    assert (AudienceKind.USER, str(liaison.pk)) in audiences
    assert (AudienceKind.USER, str(liaison_jiaozhou.pk)) not in audiences
    assert (AudienceKind.USER, str(liaison_longnan.pk)) not in audiences
    assert access.messages_visible_to(liaison).filter(key="cases.opened").exists()
    assert not access.messages_visible_to(liaison_longnan).filter(key="cases.opened").exists()


def test_the_wage_platform_fields_are_required_for_wage_arrears(employment, official_a):
    with pytest.raises(ValidationError) as error:
        services.open_case(
            worker=employment.worker, kind="wage_arrears", opened_via="official", by=official_a
        )
    assert {"sector", "owed_from", "owed_to", "amount_owed", "description"} <= set(
        error.value.message_dict
    )
    with pytest.raises(ValidationError) as error:
        services.open_case(
            worker=employment.worker,
            opened_via="official",
            by=official_a,
            **{**WAGE_CASE, "owed_from": dt.date(2026, 11, 1)},
        )
    assert "owed_to" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.open_case(
            worker=employment.worker,
            opened_via="official",
            by=official_a,
            **{**WAGE_CASE, "amount_owed": services.MAX_AMOUNT_OWED + 1},
        )
    assert "10,000,000" in error.value.message_dict["amount_owed"][0]
    assert not Case.objects.exists()


def test_worker_opens_from_their_link_with_another_phone_stored_encrypted(employment):
    case = services.open_case(
        worker=employment.worker, kind="go_home", opened_via="worker_link", phone="13912345678"
    )
    assert case.opened_by is None and case.steps.get().by_worker
    assert case.phone_masked == "139****5678"
    assert b"13912345678" not in bytes(case.phone_encrypted)
    assert not hasattr(case, "id_number_encrypted")  # the ID stays the worker record's
    with pytest.raises(ValidationError):  # the same kind twice while open
        services.open_case(worker=employment.worker, kind="go_home", opened_via="worker_link")


@pytest.mark.parametrize("who", ["official_b", "hr_x", "coordinator_other", "liaison_longnan"])
def test_others_may_not_open_for_the_worker(request, employment, who):
    with pytest.raises(PermissionDenied):
        services.open_case(
            worker=employment.worker,
            kind="other",
            opened_via="official",
            by=request.getfixturevalue(who),
            description="x",
        )


def test_steps_lead_to_resolved_and_the_worker_sees_them_without_staff_notes(
    wage_case, coordinator
):
    services.case_transition(
        actor=coordinator, case=wage_case, action="handling", note="已联系企业"
    )
    services.case_transition(
        actor=coordinator, case=wage_case, action="note", staff_note="企业老板电话不接"
    )
    services.case_transition(actor=coordinator, case=wage_case, action="resolved", note="已补发")
    wage_case.refresh_from_db()
    assert wage_case.status == CaseStatus.RESOLVED and wage_case.closed_at
    seen = steps_for_worker(wage_case)
    assert [s.action for s in seen] == ["opened", "handling", "note", "resolved"]
    assert "企业老板电话不接" not in str(seen)
    assert seen[1].by_label == "劳务协作专员" and "coordinator" not in str(seen)
    with pytest.raises(ValidationError):
        services.case_transition(actor=coordinator, case=wage_case, action="note", note="x")
    assert AuditEvent.objects.filter(target_id=str(wage_case.pk)).count() == 4


def test_referral_names_the_bureau(wage_case, liaison):
    with pytest.raises(ValidationError) as error:
        services.case_transition(actor=liaison, case=wage_case, action="referred")
    assert "referred_to" in error.value.message_dict
    services.case_transition(
        actor=liaison,
        case=wage_case,
        action="referred",
        referred_to="青岛市城阳区人社局劳动保障监察大队",
    )
    wage_case.refresh_from_db()
    assert wage_case.status == CaseStatus.REFERRED and "城阳" in wage_case.referred_to


@pytest.mark.parametrize(
    "who", ["official_b", "hr_x", "coordinator_other", "liaison_longnan", "liaison_jiaozhou"]
)
def test_others_may_not_handle(request, wage_case, who):
    with pytest.raises(PermissionDenied):
        services.case_transition(
            actor=request.getfixturevalue(who), case=wage_case, action="handling"
        )


def test_overdue_is_notified_once(wage_case):
    later = wage_case.deadline + dt.timedelta(days=1)
    assert services.cases_overdue_notify(today=wage_case.deadline) == 0
    assert services.cases_overdue_notify(today=later) == 1
    assert services.cases_overdue_notify(today=later) == 0
    assert Message.objects.filter(key="cases.overdue").count() == 1
    assert CaseStep.objects.filter(case=wage_case, action="overdue").count() == 1
    assert "overdue" not in [s.action for s in steps_for_worker(wage_case)]


def test_deadline_is_configurable_per_kind(settings, employment, official_a):
    settings.CASE_DEADLINE_DAYS = {"wage_arrears": 10, "housing": 3}
    assert services.deadline_days("wage_arrears") == 10
    assert services.deadline_days("housing") == 3
    assert services.deadline_days("injury") == 15


def test_a_go_home_case_closes_by_recording_the_return(employment, official_a):
    case = services.open_case(worker=employment.worker, kind="go_home", opened_via="worker_link")
    today = timezone.localdate()
    services.case_close_with_return(
        actor=official_a, case=case, occurred_on=today, reason="family", note="家中有事"
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED
    event = EmploymentEvent.objects.get(employment=employment)
    assert (event.kind, event.occurred_on, event.reason) == (
        EventKind.RETURNED_HOME,
        today,
        "family",
    )
    assert steps_for_worker(case)[-1].action == "returned_home"


def test_only_go_home_cases_close_by_a_return(wage_case, official_a):
    with pytest.raises(ValidationError):
        services.case_close_with_return(
            actor=official_a, case=wage_case, occurred_on=timezone.localdate(), reason="family"
        )
    assert not EmploymentEvent.objects.exists()


def test_scoping(
    wage_case,
    employer_y,
    official_a,
    official_b,
    coordinator,
    coordinator_other,
    liaison,
    liaison_jiaozhou,
    liaison_longnan,
    hr_x,
    admin_user,
):
    jiaozhou = services.open_case(
        worker=place_worker(employer_y, county=TONGWEI).worker,
        kind="housing",
        opened_via="worker_link",
        description="宿舍漏雨",
    )
    assert jiaozhou.workplace_id == JIAOZHOU

    def seen(user):
        return set(access.cases_visible_to(user))

    assert seen(official_a) == {wage_case}
    assert seen(official_b) == {jiaozhou}
    assert seen(coordinator) == seen(liaison) == seen(admin_user) == {wage_case, jiaozhou}
    assert seen(liaison_jiaozhou) == {jiaozhou}
    assert seen(coordinator_other) == seen(liaison_longnan) == seen(hr_x) == set()


def test_the_worker_page_lists_their_cases_with_the_steps_they_see(wage_case, coordinator):
    services.case_transition(
        actor=coordinator, case=wage_case, action="handling", staff_note="内部"
    )
    (shown,) = cases_for_worker_page(wage_case.worker)
    assert (shown.kind_label, shown.status_label, shown.is_open) == ("欠薪", "处理中", True)
    assert [s.action for s in shown.steps] == ["opened", "handling"]
    assert "内部" not in str(shown.steps)
