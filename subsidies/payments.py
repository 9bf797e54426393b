"""Payment batches (writes and the bank file): build a county's batch of a month from its
approved applications and its intermediaries' approved bonuses (输转奖补), record each person's card or account number, export the bank's
social-security-card batch file, mark the batch paid, put failed payments back on the list,
claw back a prepaid amount the later check found wrong.

The ordinary export shows masked numbers; full ID and card numbers only through
:func:`payment_batch_export` with ``full=True`` and a reason, which is audited like the
registry's ID reveal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import Font

from laborbridge import access, crypto
from laborbridge.models import Region, User
from laborbridge.services import audit_record
from laborbridge.spreadsheets import workbook, xlsx_bytes
from subsidies.approval import REASON_MIN_LENGTH
from subsidies.changes import applications_paid_send
from subsidies.intermediaries import intermediary_id_code
from subsidies.models import (
    Application,
    ApplicationStatus,
    IntermediaryBonus,
    IntermediaryBonusStatus,
    PaymentBatch,
    PaymentBatchStatus,
    PaymentClawback,
    PaymentLine,
    PaymentLineStatus,
)
from subsidies.models.payments import PAYMENT_LINE_LIVE, PURPOSE_PAYMENT_ACCOUNT
from subsidies.sealed import sealed_read, sealed_save

S = ApplicationStatus
# Approved applications not yet paid, and those whose payment failed: "the list".
PAYABLE = (S.APPROVED, S.PAYMENT_FAILED)
B = IntermediaryBonusStatus
BONUS_PAYABLE = (B.APPROVED, B.PAYMENT_FAILED)
ACCOUNT_DIGITS = (8, 30)
# Bank batch files: 2,000 rows write in ~0.4 s; the 10,000-row bench is in bench/RESULTS.md.
EXPORT_HEADERS = ("姓名", "身份证号", "社保卡号/账号", "金额", "备注")


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN_LENGTH:
        raise ValidationError(_("请填写原因（至少 %(n)s 个字）。") % {"n": REASON_MIN_LENGTH})
    return reason


def _managed(actor: User, batch: PaymentBatch) -> PaymentBatch:
    try:
        return access.subsidy_payment_batches_managed_by(actor).select_for_update().get(pk=batch.pk)
    except PaymentBatch.DoesNotExist:
        raise PermissionDenied(_("您无权处理该发放批次。")) from None


def mask_account(number: str) -> str:
    """Return a card or account number with all but the first four and last four hidden."""
    return number[:4] + "*" * max(len(number) - 8, 0) + number[-4:]


def _carried_accounts(field: str, ids: list[int]) -> tuple[dict, dict]:
    """Return the card numbers (ciphertext, mask) of earlier lines by application or bonus id:
    a new line of the same claim carries them over."""
    earlier = PaymentLine.objects.filter(**{f"{field}__in": ids})
    accounts = dict(
        earlier.filter(account_encrypted__isnull=False)
        .order_by("id")
        .values_list(field, "account_encrypted")
    )
    masks = dict(
        earlier.exclude(account_masked="").order_by("id").values_list(field, "account_masked")
    )
    return accounts, masks


@transaction.atomic
def payment_batch_create(*, actor: User, county: Region, month: dt.date) -> PaymentBatch:
    """Create the county's batch of ``month`` from every payable application and every
    payable intermediary bonus without a live payment (approved, or whose payment failed)."""
    if not access.subsidy_counties_for(actor).filter(pk=county.pk).exists() or not (
        access.is_official(actor)
    ):
        raise PermissionDenied(_("您无权为该县区创建发放批次。"))
    month = month.replace(day=1)
    applications = _unpaid(
        Application.objects.filter(county=county, status__in=PAYABLE), "application_id"
    )
    bonuses = _unpaid(
        IntermediaryBonus.objects.filter(county=county, status__in=BONUS_PAYABLE), "bonus_id"
    )
    if not applications and not bonuses:
        raise ValidationError(_("该县区没有待发放的已审批申请。"))
    batch = PaymentBatch.objects.create(county=county, month=month, created_by=actor)
    accounts, masks = _carried_accounts("application_id", [a.pk for a in applications])
    lines = [
        PaymentLine(
            batch=batch,
            application=app,
            worker_id=app.worker_id,
            policy_kind=app.policy_kind,
            policy_year=app.policy_year,
            amount=app.amount_frozen or app.amount,
            account_encrypted=accounts.get(app.pk),
            account_masked=masks.get(app.pk, ""),
            remark=f"{app.policy_year}年{app.get_policy_kind_display()}",
        )
        for app in applications
    ]
    accounts, masks = _carried_accounts("bonus_id", [b.pk for b in bonuses])
    lines += [
        PaymentLine(
            batch=batch,
            bonus=bonus,
            policy_kind=bonus.policy_kind,
            policy_year=bonus.policy_year,
            amount=bonus.amount_frozen,
            account_encrypted=accounts.get(bonus.pk),
            account_masked=masks.get(bonus.pk, ""),
            remark=_("%(year)s年%(kind)s（%(n)s人）")
            % {
                "year": bonus.policy_year,
                "kind": bonus.get_policy_kind_display(),
                "n": bonus.workers_counted,
            },
        )
        for bonus in bonuses
    ]
    try:
        with transaction.atomic():
            PaymentLine.objects.bulk_create(lines, batch_size=1000)
    except IntegrityError:
        raise ValidationError(_("名单中有人本年度已领取同类补贴，同一人不能重复发放。")) from None
    audit_record(
        actor=actor,
        action="subsidy.payment_batch_create",
        target=batch,
        changes={
            "lines": len(lines),
            "bonuses": len(bonuses),
            "total": sum(line.amount for line in lines),
        },
    )
    return batch


@transaction.atomic
def payment_line_account_set(*, actor: User, line: PaymentLine, account: str) -> PaymentLine:
    """Record the person's social-security card or bank account number on a pending line."""
    batch = _managed(actor, line.batch)
    line = PaymentLine.objects.select_for_update().get(pk=line.pk, batch=batch)
    account = "".join(account.split())
    low, high = ACCOUNT_DIGITS
    if not account.isdigit() or not low <= len(account) <= high:
        raise ValidationError(
            _("社保卡号/账号应为 %(low)s–%(high)s 位数字。") % {"low": low, "high": high}
        )
    if line.status != PaymentLineStatus.PENDING:
        raise ValidationError(_("只有待发放的明细可以修改账号。"))
    sealed_save(
        line,
        "account",
        sealed=crypto.encrypt(account.encode(), purpose=PURPOSE_PAYMENT_ACCOUNT),
        masked=mask_account(account),
        actor=actor,
        action="subsidy.payment_account_set",
    )
    return line


def _unpaid(rows: QuerySet, link: str) -> list:
    """Return ``rows`` that no live payment line pays through its ``link``, locked (this
    table only), in ``pk`` order."""
    live = PaymentLine.objects.filter(**{link: OuterRef("pk")}, status__in=PAYMENT_LINE_LIVE)
    return list(rows.select_for_update(of=("self",)).exclude(Exists(live)).order_by("pk"))


def _account(line: PaymentLine) -> str:
    return sealed_read(line, "account", purpose=PURPOSE_PAYMENT_ACCOUNT)


def payment_batch_export(
    *, actor: User, batch: PaymentBatch, full: bool = False, reason: str = ""
) -> bytes:
    """Return the bank's batch file (.xlsx: 姓名, 身份证号, 社保卡号/账号, 金额, 备注, then
    the totals). Numbers are masked unless ``full``, which needs a reason and is audited."""
    if not access.subsidy_payment_batches_visible_to(actor).filter(pk=batch.pk).exists():
        raise PermissionDenied(_("您无权导出该发放批次。"))
    if full:
        if not access.subsidy_payment_batches_managed_by(actor).filter(pk=batch.pk).exists():
            raise PermissionDenied(_("只有本县区工作人员可以导出完整号码。"))
        reason = _require_reason(reason)
    lines = (
        PaymentLine.objects.filter(batch=batch, status__in=PAYMENT_LINE_LIVE)
        .select_related("worker", "bonus__intermediary")
        .only(
            "amount",
            "remark",
            "account_masked",
            "account_encrypted",
            "worker__name",
            "worker__id_number_masked",
            "worker__id_number_encrypted",
            "bonus__intermediary__name",
            "bonus__intermediary__id_code_masked",
            "bonus__intermediary__id_code_encrypted",
        )
        .order_by("id")
    )
    book = workbook()
    sheet = book.active
    sheet.title = f"{batch.month:%Y%m}代发"
    sheet.append(list(EXPORT_HEADERS))
    total = count = 0
    for line in lines.iterator(chunk_size=2000):
        # A bonus line pays the intermediary: its name and ID number or credit code.
        if full:
            id_number = (
                line.worker.reveal_id_number()
                if line.worker_id
                else intermediary_id_code(line.bonus.intermediary)
            )
            account = _account(line)
        else:
            id_number, account = line.payee_id_masked, line.account_masked
        # Numbers as text: Excel would print an 18-digit ID in scientific notation.
        sheet.append([line.payee_name, id_number, account, line.amount, line.remark])
        total += line.amount
        count += 1
    sheet.append([_("合计"), _("%(n)s 人") % {"n": count}, "", total, ""])
    sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
    for column, width in zip("ABCDE", (10, 22, 24, 10, 24), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    content = xlsx_bytes(book)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="subsidy.payment_export_full" if full else "subsidy.payment_export",
            target=batch,
            changes={"rows": count, "total": total},
            reason=reason,
        )
    return content


@transaction.atomic
def payment_batch_mark_paid(
    *,
    actor: User,
    batch: PaymentBatch,
    bank_reference: str,
    paid_on: dt.date | None = None,
    failed: dict[int, str] | None = None,
) -> PaymentBatch:
    """Mark the batch paid with the bank's reference; the lines in ``failed`` (line id →
    the bank's reason) failed and their applications go back on the list."""
    batch = _managed(actor, batch)
    bank_reference = bank_reference.strip()
    if not bank_reference:
        raise ValidationError(_("请填写银行批次号（回单号）。"))
    if batch.status != PaymentBatchStatus.DRAFT:
        raise ValidationError(_("该批次已标记为已发放。"))
    failed = failed or {}
    lines = list(
        PaymentLine.objects.select_for_update()
        .filter(batch=batch, status=PaymentLineStatus.PENDING)
        .order_by("pk")
    )
    unknown = set(failed) - {line.pk for line in lines}
    if unknown:
        raise ValidationError(_("发放失败的明细不属于该批次。"))
    now = timezone.now()
    paid_ids, failed_ids = [], []
    paid_bonuses, failed_bonuses = [], []
    for line in lines:
        if line.pk in failed:
            line.status = PaymentLineStatus.FAILED
            line.failure_reason = (failed[line.pk] or _("银行退回")).strip()[:200]
            (failed_ids if line.application_id else failed_bonuses).append(
                line.application_id or line.bonus_id
            )
        else:
            line.status = PaymentLineStatus.PAID
            (paid_ids if line.application_id else paid_bonuses).append(
                line.application_id or line.bonus_id
            )
        line.updated_at = now
    PaymentLine.objects.bulk_update(lines, ["status", "failure_reason", "updated_at"])
    Application.objects.filter(pk__in=paid_ids).update(
        status=S.PAID, status_changed_at=now, updated_at=now
    )
    Application.objects.filter(pk__in=failed_ids).update(
        status=S.PAYMENT_FAILED, status_changed_at=now, updated_at=now
    )
    IntermediaryBonus.objects.filter(pk__in=paid_bonuses).update(status=B.PAID, updated_at=now)
    IntermediaryBonus.objects.filter(pk__in=failed_bonuses).update(
        status=B.PAYMENT_FAILED, updated_at=now
    )
    batch.status = PaymentBatchStatus.PAID
    batch.bank_reference = bank_reference[:60]
    batch.paid_on = paid_on or timezone.localdate()
    batch.paid_by = actor
    batch.save(update_fields=["status", "bank_reference", "paid_on", "paid_by", "updated_at"])
    audit_record(
        actor=actor,
        action="subsidy.payment_batch_paid",
        target=batch,
        changes={
            "paid": len(paid_ids) + len(paid_bonuses),
            "failed": len(failed_ids) + len(failed_bonuses),
            "reference": bank_reference,
        },
    )
    applications_paid_send(actor=actor, application_ids=paid_ids)
    return batch


@transaction.atomic
def payment_line_claw_back(
    *, actor: User, line: PaymentLine, reason: str, amount: int | None = None
) -> PaymentLine:
    """Claw back part or all of a paid amount (e.g. a 定额预付 the later check found partly
    or wholly not due), with a reason; ``amount`` None takes back what is left.

    Checked under the line's row lock and again by the database (the claw-backs' total never
    above what was paid). When all of it is back the line and its application are closed as
    clawed back; a partial claw-back leaves them paid, with the amount kept shown as net.
    """
    batch = _managed(actor, line.batch)
    line = PaymentLine.objects.select_for_update().get(pk=line.pk, batch=batch)
    reason = _require_reason(reason)
    if line.status != PaymentLineStatus.PAID:
        raise ValidationError(_("只有已发放的明细可以追回。"))
    left = line.amount - line.clawed_back_amount
    amount = left if amount is None else amount
    if not 1 <= amount <= left:
        raise ValidationError(
            {
                "amount": _(
                    "追回金额应为 1–%(left)s 元（已发放 %(paid)s 元，已追回 %(back)s 元）。"
                )
                % {"left": left, "paid": line.amount, "back": line.clawed_back_amount}
            }
        )
    clawback = PaymentClawback.objects.create(
        line=line, amount=amount, reason=reason, recorded_by=actor
    )
    line.clawed_back_amount += amount
    fields = ["clawed_back_amount", "updated_at"]
    if line.clawed_back_amount == line.amount:
        line.status = PaymentLineStatus.CLAWED_BACK
        line.clawback_reason = reason
        line.clawed_back_by = actor
        fields += ["status", "clawback_reason", "clawed_back_by"]
        if line.application_id:
            Application.objects.filter(pk=line.application_id).update(
                status=S.CLAWED_BACK, status_changed_at=timezone.now()
            )
        else:
            IntermediaryBonus.objects.filter(pk=line.bonus_id).update(
                status=B.CLAWED_BACK, updated_at=timezone.now()
            )
    line.save(update_fields=fields)
    audit_record(
        actor=actor,
        action="subsidy.payment_claw_back",
        target=line,
        changes={"amount": amount, "clawed_back": line.clawed_back_amount, "id": clawback.pk},
        reason=reason,
    )
    return line


def batch_totals(lines: Iterable[PaymentLine]) -> dict:
    """Return the count and yuan of ``lines`` by status (for pages)."""
    totals: dict[str, dict[str, int]] = {}
    for line in lines:
        row = totals.setdefault(line.status, {"count": 0, "amount": 0})
        row["count"] += 1
        row["amount"] += line.amount
    return totals
