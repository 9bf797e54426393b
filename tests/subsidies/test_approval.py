"""The approval chain (issue 14): village list → township review → township notice → county
verification → county notice → approval; objections block; send-back needs a reason; the
county's approved total never exceeds its budget, even under concurrent approvals."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, close_old_connections, connection, transaction

from subsidies import approval
from subsidies.models import Application, ApplicationStatus, ApprovalStep, NoticeLevel
from tests.factories import NEIGUANYING
from tests.subsidies.chain_support import application, days_ago, policy_with_budget

S = ApplicationStatus
pytestmark = pytest.mark.django_db


@pytest.fixture
def policy(db):
    return policy_with_budget()


def _refresh(app):
    return Application.objects.get(pk=app.pk)


def test_the_whole_chain_with_an_objection(policy, township_officer, official_a):
    apps = [application(policy, name=f"张{n}明") for n in range(3)]
    ids = [a.pk for a in apps]

    assert approval.village_list_record(actor=township_officer, application_ids=ids) == 3
    approval.township_review(actor=township_officer, application_ids=ids, note="已核对务工记录")
    notice = approval.township_notice_publish(
        actor=township_officer, application_ids=ids, starts_on=days_ago(10)
    )
    assert notice.level == NoticeLevel.TOWNSHIP
    assert (notice.ends_on - notice.starts_on).days == policy.notice_days - 1
    objection = approval.objection_record(
        actor=township_officer,
        notice=notice,
        application=apps[0],
        text="该人员实际未外出务工",
        raised_on=days_ago(8),
    )
    with pytest.raises(ValidationError, match="未解决的公示异议"):
        approval.county_verify(actor=official_a, application_ids=ids, note="电话核实本人在岗")
    approval.objection_answer(
        actor=township_officer, objection=objection, answer="经核实在青岛务工，有劳动合同"
    )
    approval.county_verify(actor=official_a, application_ids=ids, note="电话核实本人在岗")
    county_notice = approval.county_notice_publish(
        actor=official_a, application_ids=ids, starts_on=days_ago(8)
    )
    assert county_notice.township_id is None
    assert approval.applications_approve(actor=official_a, application_ids=ids) == 3

    for app in apps:
        app = _refresh(app)
        assert app.status == S.APPROVED and app.amount_frozen == 600
    steps = list(
        ApprovalStep.objects.filter(application=apps[0]).values_list("to_status", flat=True)
    )
    assert steps == [
        S.VILLAGE_LISTED,
        S.TOWNSHIP_REVIEWED,
        S.TOWNSHIP_NOTICE,
        S.COUNTY_VERIFIED,
        S.COUNTY_NOTICE,
        S.APPROVED,
    ]
    assert approval.budget_used(policy_id=policy.pk, county_id="621102") == 1800


def test_a_running_notice_blocks_the_next_step(policy, official_a):
    app = application(policy, status=S.TOWNSHIP_NOTICE)
    notice_app = application(policy, status=S.COUNTY_VERIFIED)
    approval.county_notice_publish(actor=official_a, application_ids=[notice_app.pk])
    with pytest.raises(ValidationError, match="公示期未结束"):
        approval.applications_approve(actor=official_a, application_ids=[notice_app.pk])
    assert _refresh(app).status == S.TOWNSHIP_NOTICE


def test_an_objection_outside_the_notice_period_is_refused(policy, township_officer):
    app = application(policy, status=S.TOWNSHIP_REVIEWED)
    notice = approval.township_notice_publish(
        actor=township_officer, application_ids=[app.pk], starts_on=days_ago(20)
    )
    with pytest.raises(ValidationError, match="公示期内"):
        approval.objection_record(
            actor=township_officer, notice=notice, application=app, text="迟到的异议内容"
        )


def test_send_back_needs_a_reason_and_returns_to_the_village_list(
    policy, township_officer, official_a
):
    app = application(policy, status=S.COUNTY_VERIFIED)
    with pytest.raises(ValidationError, match="退回原因"):
        approval.application_send_back(actor=official_a, application=app, reason=" ")
    # A township officer may not send back a county step.
    with pytest.raises(ValidationError):
        approval.application_send_back(
            actor=township_officer, application=app, reason="材料不全，请补充"
        )
    approval.application_send_back(actor=official_a, application=app, reason="材料不全，请补充")
    assert _refresh(app).status == S.SENT_BACK
    step = ApprovalStep.objects.get(application=app)
    assert step.reason == "材料不全，请补充" and step.actor == official_a
    approval.village_list_record(actor=township_officer, application_ids=[app.pk])
    assert _refresh(app).status == S.VILLAGE_LISTED
    with pytest.raises(IntegrityError), transaction.atomic():
        ApprovalStep.objects.create(
            application=app, from_status="x", to_status="sent_back", actor=official_a
        )


def test_review_refuses_an_application_without_a_work_record(policy, township_officer):
    app = application(policy, status=S.VILLAGE_LISTED)
    Application.objects.filter(pk=app.pk).update(employment=None)
    with pytest.raises(ValidationError, match="没有务工记录"):
        approval.township_review(actor=township_officer, application_ids=[app.pk])


def test_approval_above_the_budget_is_refused(official_a):
    policy = policy_with_budget(budget=1000)
    first = application(policy, status=S.COUNTY_NOTICE)
    second = application(policy, status=S.COUNTY_NOTICE)
    with pytest.raises(approval.OverBudget, match="超出预算"):
        approval.applications_approve(
            actor=official_a, application_ids=[first.pk, second.pk], today=days_ago(-30)
        )
    assert approval.applications_approve(
        actor=official_a, application_ids=[first.pk], today=days_ago(-30)
    )
    assert _refresh(second).status == S.COUNTY_NOTICE


def test_scopes_other_township_other_county_hr_and_coordinator_are_refused(
    policy, township_officer, township_officer_b, official_b, hr_x, coordinator, official_a
):
    mine = application(policy)
    other_township = application(policy, township=NEIGUANYING)
    with pytest.raises(PermissionDenied):
        approval.village_list_record(actor=township_officer_b, application_ids=[mine.pk])
    with pytest.raises(PermissionDenied):
        approval.village_list_record(
            actor=township_officer, application_ids=[mine.pk, other_township.pk]
        )
    for user in (official_b, hr_x, coordinator, official_a):
        # A county official has no township step; others have no part at all.
        with pytest.raises(PermissionDenied):
            approval.village_list_record(actor=user, application_ids=[mine.pk])
    verified = application(policy, status=S.TOWNSHIP_NOTICE)
    for user in (official_b, hr_x, coordinator, township_officer):
        with pytest.raises(PermissionDenied):
            approval.county_verify(actor=user, application_ids=[verified.pk], note="电话核实在岗")
    notice = approval.county_notice_publish(
        actor=official_a,
        application_ids=[application(policy, status=S.COUNTY_VERIFIED).pk],
    )
    for user in (official_b, hr_x, township_officer_b):
        with pytest.raises(PermissionDenied):
            approval.objection_record(
                actor=user, notice=notice, application=mine, text="不相干的人登记异议"
            )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_never_exceed_the_budget(reference_data, official_a):
    """Ten approvals of 600 yuan at the same instant under a 3,000 yuan budget."""
    policy = policy_with_budget(budget=3000, code="concurrency")
    apps = [application(policy, status=S.COUNTY_NOTICE) for _ in range(10)]
    future = days_ago(-30)
    barrier = threading.Barrier(len(apps))
    outcomes: list[str] = []

    def approve(app):
        close_old_connections()
        barrier.wait()
        try:
            approval.applications_approve(actor=official_a, application_ids=[app.pk], today=future)
            outcomes.append("ok")
        except approval.OverBudget:
            outcomes.append("over")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(a,)) for a in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("ok") == 5 and outcomes.count("over") == 5
    assert approval.budget_used(policy_id=policy.pk, county_id="621102") == 3000
