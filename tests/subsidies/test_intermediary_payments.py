"""Paying the intermediary bonus (输转奖补, issue 14): a county official approves an agency's
or team leader's bonus (amount frozen from the employment history at approval, the county's
budget of the policy held under the same lock as workers' applications, one bonus per
intermediary per policy year), and the county's payment batch pays it as a line to the
intermediary (name, ID number or credit code, account, amount, remark) through export,
paid / failed and claw-back. Pages refuse other counties, HR, another pairing's coordinator
and anonymous visitors."""

import datetime as dt
import io
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from laborbridge.identifiers import credit_code_check_char, id_number_check_char
from laborbridge.models import AuditEvent, Pairing, Region, Role
from subsidies import approval, chain_selectors, intermediaries, payments
from subsidies.models import (
    Intermediary,
    IntermediaryBonus,
    IntermediaryBonusStatus,
    IntermediaryKind,
    PaymentBatch,
    PaymentLine,
    PaymentLineStatus,
    Policy,
    PolicyAmount,
    PolicyBudget,
    PolicyKind,
)
from tests.factories import ANDING, HUANGDAO, EmployerFactory, make_user, place_worker
from workers.models import PovertyStatus

B = IntermediaryBonusStatus
MONTH = dt.date(2026, 11, 1)
LEADER_ID = "62110219800101001" + id_number_check_char("62110219800101001")
AGENCY_CODE = "91621102MA7" + "ABCDE1"
AGENCY_CODE += credit_code_check_char(AGENCY_CODE)


def _bonus_policy(*, budget: int = 10_000, code: str = "bonus-test") -> Policy:
    policy = Policy.objects.create(
        code=code,
        name="输转奖补（测试）",
        kind=PolicyKind.INTERMEDIARY_BONUS,
        issuing_region_id="620000",
        year=2026,
        target_groups=["poverty_alleviated", "monitored"],
        min_consecutive_months=3,
        min_workers_moved=2,
    )
    PolicyAmount.objects.create(policy=policy, zone="any", amount=100)
    PolicyBudget.objects.create(policy=policy, county_id=ANDING, amount=budget)
    return policy


def _placed(days: int = 120):
    employment = place_worker(EmployerFactory(district_id=HUANGDAO), county=ANDING)
    since = timezone.localdate() - dt.timedelta(days=days)
    employment.started_on = since
    employment.working_since = since
    employment.current_workplace_id = HUANGDAO
    employment.save()
    employment.worker.poverty_status = PovertyStatus.POVERTY_ALLEVIATED
    employment.worker.save(update_fields=["poverty_status"])
    return employment.worker


def _intermediary(official, name: str, *, workers: int = 2, **fields) -> Intermediary:
    intermediary = intermediaries.intermediary_create(
        actor=official,
        county=Region.objects.get(pk=ANDING),
        name=name,
        kind=fields.pop("kind", IntermediaryKind.TEAM_LEADER),
        **fields,
    )
    for _n in range(workers):
        intermediaries.intermediary_worker_link(
            actor=official, intermediary=intermediary, worker=_placed()
        )
    return intermediary


def _batch(official, month=MONTH):
    return payments.payment_batch_create(
        actor=official, county=Region.objects.get(pk=ANDING), month=month
    )


def _rows(content: bytes):
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


@pytest.mark.django_db
def test_approve_freezes_the_amount_and_the_batch_pays_the_intermediary(official_a):
    policy = _bonus_policy()
    leader = _intermediary(official_a, "王带头", workers=3, id_code=LEADER_ID)
    assert leader.id_code_masked == LEADER_ID[:6] + "********" + LEADER_ID[-4:]
    bonus = intermediaries.intermediary_bonus_approve(
        actor=official_a, intermediary=leader, policy=policy
    )
    assert (bonus.amount_frozen, bonus.workers_counted, bonus.status) == (300, 3, B.APPROVED)
    assert len(bonus.worker_ids) == 3
    assert approval.budget_used(policy_id=policy.pk, county_id=ANDING) == 300
    # The history changes after approval: the frozen amount does not.
    employment = leader.referrals.first().worker.employments.get()
    employment.working_since = None
    employment.save(update_fields=["working_since"])
    [row] = intermediaries.bonus_rows(Intermediary.objects.filter(pk=leader.pk), policy)
    assert row.verdict.amount == 200
    batch = _batch(official_a)
    [line] = batch.lines.all()
    assert (line.bonus_id, line.application_id, line.worker_id) == (bonus.pk, None, None)
    assert (line.amount, line.policy_year) == (300, 2026)
    assert line.remark == "2026年输转奖补（3人）"
    payments.payment_line_account_set(actor=official_a, line=line, account="6217000012345678")
    masked = _rows(payments.payment_batch_export(actor=official_a, batch=batch))
    assert masked[0] == ("姓名", "身份证号", "社保卡号/账号", "金额", "备注")
    assert masked[1] == (
        "王带头",
        leader.id_code_masked,
        "6217********5678",
        300,
        "2026年输转奖补（3人）",
    )
    assert masked[-1][0] == "合计" and masked[-1][3] == 300 and masked[-1][1] == "1 人"
    full = _rows(
        payments.payment_batch_export(
            actor=official_a, batch=batch, full=True, reason="报送银行代发"
        )
    )
    assert full[1][:3] == ("王带头", LEADER_ID, "6217000012345678")
    assert AuditEvent.objects.filter(action="subsidy.payment_export_full").count() == 1
    assert not AuditEvent.objects.filter(changes__icontains=LEADER_ID).exists()


@pytest.mark.django_db
def test_failed_goes_back_on_the_list_then_paid_then_clawed_back(official_a):
    policy = _bonus_policy()
    agency = _intermediary(
        official_a, "安定劳务公司", kind=IntermediaryKind.AGENCY, id_code=AGENCY_CODE
    )
    bonus = intermediaries.intermediary_bonus_approve(
        actor=official_a, intermediary=agency, policy=policy
    )
    first = _batch(official_a)
    line = first.lines.get()
    payments.payment_line_account_set(actor=official_a, line=line, account="6228480012345678")
    payments.payment_batch_mark_paid(
        actor=official_a, batch=first, bank_reference="GS1", failed={line.pk: "户名不符"}
    )
    bonus.refresh_from_db()
    assert bonus.status == B.PAYMENT_FAILED
    # Still approved money: the budget keeps it.
    assert approval.budget_used(policy_id=policy.pk, county_id=ANDING) == 200
    retry = _batch(official_a, month=dt.date(2026, 12, 1))
    again = retry.lines.get()
    assert again.bonus_id == bonus.pk and again.account_masked == "6228********5678"
    payments.payment_batch_mark_paid(actor=official_a, batch=retry, bank_reference="GS2")
    bonus.refresh_from_db()
    assert bonus.status == B.PAID
    with pytest.raises(ValidationError, match="没有待发放"):
        _batch(official_a, month=dt.date(2027, 1, 1))
    payments.payment_line_claw_back(
        actor=official_a, line=again, reason="核查发现一人未满3个月", amount=100
    )
    again.refresh_from_db()
    assert (again.status, again.net_amount) == (PaymentLineStatus.PAID, 100)
    payments.payment_line_claw_back(actor=official_a, line=again, reason="其余部分一并追回")
    again.refresh_from_db()
    bonus.refresh_from_db()
    assert (again.status, bonus.status) == (PaymentLineStatus.CLAWED_BACK, B.CLAWED_BACK)
    # The county report counts the intermediary as a payee of the policy.
    [row] = chain_selectors.report_rows(Region.objects.filter(pk=ANDING))
    assert (row.policy, row.approved, row.paid, row.paid_amount) == (policy, 0, 1, 200)
    assert (row.net_paid_amount, row.budget_left) == (0, 10_000)


@pytest.mark.django_db
def test_one_bonus_per_intermediary_per_year_and_one_live_line(official_a):
    policy = _bonus_policy()
    leader = _intermediary(official_a, "王带头")
    bonus = intermediaries.intermediary_bonus_approve(
        actor=official_a, intermediary=leader, policy=policy
    )
    with pytest.raises(ValidationError, match="不能重复审批"):
        intermediaries.intermediary_bonus_approve(
            actor=official_a, intermediary=leader, policy=policy
        )
    # The database refuses a second bonus of the kind and year, even under another policy.
    other = _bonus_policy(code="bonus-test-2")
    with pytest.raises(IntegrityError), transaction.atomic():
        IntermediaryBonus.objects.create(
            policy=other,
            policy_kind=other.kind,
            policy_year=other.year,
            intermediary=leader,
            county_id=ANDING,
            workers_counted=2,
            amount_frozen=200,
            approved_at=timezone.now(),
        )
    batch = _batch(official_a)
    line = batch.lines.get()
    second = PaymentBatch.objects.create(county_id=ANDING, month=MONTH, created_by=official_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentLine.objects.create(
            batch=second, bonus=bonus, policy_kind=line.policy_kind, policy_year=2026, amount=1
        )
    # A line pays an application or a bonus, never both and never neither.
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentLine.objects.create(
            batch=second, policy_kind=line.policy_kind, policy_year=2026, amount=1
        )


@pytest.mark.django_db
def test_not_eligible_over_budget_and_other_scopes_are_refused(
    official_a, official_b, hr_x, coordinator, township_officer
):
    policy = _bonus_policy(budget=150)
    few = _intermediary(official_a, "李一个", workers=1)
    with pytest.raises(ValidationError, match="不符合输转奖补条件"):
        intermediaries.intermediary_bonus_approve(actor=official_a, intermediary=few, policy=policy)
    leader = _intermediary(official_a, "王带头")
    with pytest.raises(approval.OverBudget):
        intermediaries.intermediary_bonus_approve(
            actor=official_a, intermediary=leader, policy=policy
        )
    PolicyBudget.objects.filter(policy=policy).update(amount=1000)
    for user in (official_b, hr_x, coordinator, township_officer):
        with pytest.raises(PermissionDenied):
            intermediaries.intermediary_bonus_approve(
                actor=user, intermediary=leader, policy=policy
            )
        with pytest.raises(PermissionDenied):
            intermediaries.intermediary_id_code_set(actor=user, intermediary=leader, code=LEADER_ID)
    with pytest.raises(ValidationError):
        intermediaries.intermediary_id_code_set(
            actor=official_a, intermediary=leader, code=AGENCY_CODE
        )  # a team leader pays to an ID number, not a credit code
    assert not IntermediaryBonus.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_bonus_approvals_never_exceed_the_budget(reference_data, official_a):
    """Four intermediaries' 200-yuan bonuses approved at the same instant under a 500-yuan
    budget, and one of them approved twice at that instant."""
    policy = _bonus_policy(budget=500, code="bonus-concurrency")
    people = [_intermediary(official_a, f"带头人{n}") for n in range(4)]
    attempts = [*people, people[0]]
    barrier = threading.Barrier(len(attempts))
    outcomes: list[str] = []

    def approve(intermediary):
        close_old_connections()
        barrier.wait()
        try:
            intermediaries.intermediary_bonus_approve(
                actor=official_a, intermediary=intermediary, policy=policy
            )
            outcomes.append("ok")
        except approval.OverBudget:
            outcomes.append("over")
        except ValidationError:
            outcomes.append("twice")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(i,)) for i in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("ok") == 2
    assert len(outcomes) == 5 and set(outcomes) <= {"ok", "over", "twice"}
    assert approval.budget_used(policy_id=policy.pk, county_id=ANDING) == 400
    assert IntermediaryBonus.objects.count() == 2


@pytest.mark.django_db
def test_pages_approve_and_pay_and_refuse_other_scopes(
    client, official_a, official_b, hr_x, coordinator
):
    policy = _bonus_policy()
    leader = _intermediary(official_a, "王带头")
    detail = f"/subsidies/intermediaries/{leader.pk}/?policy={policy.pk}"
    approve = f"/subsidies/intermediaries/{leader.pk}/approve/"
    id_code = f"/subsidies/intermediaries/{leader.pk}/id-code/"
    other_pairing = make_user(
        "coordinator_ln",
        Role.COORDINATOR,
        pairing=Pairing.objects.get(east_region_id="370200", west_region_id="621200"),
    )
    for user in (official_b, other_pairing):
        client.force_login(user)
        assert client.post(approve, {"policy": policy.pk}).status_code == 404
        assert client.post(id_code, {"id_code": LEADER_ID}).status_code == 404
    client.force_login(hr_x)
    assert client.post(approve, {"policy": policy.pk}).status_code == 404
    assert client.get(detail).status_code == 403
    client.logout()
    assert client.post(approve, {"policy": policy.pk}).status_code == 302
    assert not IntermediaryBonus.objects.exists()
    assert Intermediary.objects.get(pk=leader.pk).id_code_masked == ""

    client.force_login(official_a)
    page = client.get(detail).content.decode()
    assert 'id="approve-form"' in page and "200" in page
    assert client.post(id_code, {"id_code": LEADER_ID}).status_code == 302
    assert client.post(approve, {"policy": policy.pk}).status_code == 302
    bonus = IntermediaryBonus.objects.get()
    assert bonus.amount_frozen == 200
    page = client.get(detail).content.decode()
    assert 'id="approve-form"' not in page and 'id="approved-bonuses"' in page
    batch = _batch(official_a)
    base = reverse("subsidy_chain:batch", args=[batch.pk])
    page = client.get(base).content.decode()
    assert "王带头" in page and "输转奖补" in page and LEADER_ID[-4:] in page
    assert LEADER_ID not in page
    line = batch.lines.get()
    account_page = client.get(reverse("subsidy_chain:line_account", args=[batch.pk, line.pk]))
    assert account_page.status_code == 200 and "王带头" in account_page.content.decode()
    export = client.post(reverse("subsidy_chain:batch_export", args=[batch.pk]))
    assert _rows(export.content)[1][0] == "王带头"
    client.force_login(official_b)
    assert client.get(base).status_code == 404
