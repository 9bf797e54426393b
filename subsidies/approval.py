"""The approval chain's writes: village list → township review → township notice → county
verification → county notice → approval; objections; send-back with a reason.

Every service is keyword-only and atomic, checks the actor's scope through
``laborbridge.access``, locks the applications it moves (``pk`` order), writes one
:class:`~subsidies.models.ApprovalStep` per application and one audit row per action.
Approval freezes the amount and keeps the county's approved total within its budget: the
``PolicyBudget`` row is locked first (:func:`budgets_locked`, also taken by the intermediary
bonus's approval), so concurrent approvals queue behind each other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from laborbridge import access
from laborbridge.models import User
from laborbridge.services import audit_record
from subsidies.models import (
    Application,
    ApplicationStatus,
    ApprovalStep,
    IntermediaryBonus,
    IntermediaryBonusStatus,
    Notice,
    NoticeLevel,
    Objection,
    Policy,
    PolicyBudget,
)

S = ApplicationStatus
# The statuses whose amount counts against the county's budget.
BUDGET_HOLDING = (S.APPROVED, S.PAID, S.PAYMENT_FAILED)
BONUS_BUDGET_HOLDING = (
    IntermediaryBonusStatus.APPROVED,
    IntermediaryBonusStatus.PAID,
    IntermediaryBonusStatus.PAYMENT_FAILED,
)
# The chain's open steps, from which an application may be sent back.
SENDABLE_BACK = (
    S.VILLAGE_LISTED,
    S.TOWNSHIP_REVIEWED,
    S.TOWNSHIP_NOTICE,
    S.COUNTY_VERIFIED,
    S.COUNTY_NOTICE,
)
TOWNSHIP_STEPS = (S.VILLAGE_LISTED, S.TOWNSHIP_REVIEWED, S.TOWNSHIP_NOTICE)
REASON_MIN_LENGTH = 4
MAX_APPLICATIONS_PER_ACTION = 5000


class OverBudget(ValidationError):
    """The approval would take the county's approved total above its budget."""


def _locked(scope, ids: Iterable[int]) -> list[Application]:
    """Lock and return the applications of ``ids`` inside ``scope`` in ``pk`` order; refuse
    the whole action when one is outside the scope (404-like: not named)."""
    wanted = sorted(set(ids))
    if not wanted:
        raise ValidationError(_("请至少选择一条补贴申请。"))
    if len(wanted) > MAX_APPLICATIONS_PER_ACTION:
        raise ValidationError(_("一次最多处理 %(n)s 条申请。") % {"n": MAX_APPLICATIONS_PER_ACTION})
    rows = list(
        scope.select_for_update(of=("self",))
        .filter(pk__in=wanted)
        .select_related("worker", "policy")
        .order_by("pk")
    )
    if len(rows) != len(wanted):
        raise PermissionDenied(_("所选申请中有不在您管辖范围内的记录。"))
    return rows


def _require_status(rows: list[Application], allowed: tuple, action: str) -> None:
    wrong = [row for row in rows if row.status not in allowed]
    if wrong:
        names = "、".join(f"{row.worker.name}（{row.get_status_display()}）" for row in wrong[:10])
        raise ValidationError(
            _("%(names)s 的当前状态不能%(action)s。") % {"names": names, "action": action}
        )


def _require_reason(reason: str, label: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN_LENGTH:
        raise ValidationError(
            _("请填写%(label)s（至少 %(n)s 个字）。") % {"label": label, "n": REASON_MIN_LENGTH}
        )
    return reason


def _move(
    *,
    actor: User,
    rows: list[Application],
    to: str,
    action: str,
    reason: str = "",
    note: str = "",
    notice: Notice | None = None,
    extra: dict | None = None,
) -> None:
    """Move ``rows`` to ``to``; one step row each and one audit row for the action."""
    now = timezone.now()
    steps = []
    fields = ["status", "status_changed_at", "updated_at"]
    for row in rows:
        steps.append(
            ApprovalStep(
                application=row,
                from_status=row.status,
                to_status=to,
                actor=actor,
                reason=reason,
                note=note,
                notice=notice,
            )
        )
        row.status = to
        row.status_changed_at = now
        row.updated_at = now
        for name, value in (extra or {}).items():
            setattr(row, name, value(row) if callable(value) else value)
    fields += list(extra or {})
    Application.objects.bulk_update(rows, fields)
    ApprovalStep.objects.bulk_create(steps)
    audit_record(
        actor=actor,
        action=f"subsidy.{action}",
        target=rows[0],
        changes={"applications": [row.pk for row in rows], "to": to, "note": note},
        reason=reason,
    )


def _open_objection_names(rows: list[Application]) -> list[str]:
    open_ids = set(
        Objection.objects.filter(
            application_id__in=[row.pk for row in rows], resolved=False
        ).values_list("application_id", flat=True)
    )
    return [row.worker.name for row in rows if row.pk in open_ids]


def _require_notice_over(rows: list[Application], level: str, today: dt.date) -> None:
    """Refuse while an application's latest notice of ``level`` runs or an objection is open."""
    latest: dict[int, dt.date] = {}
    for app_id, ends_on in Notice.applications.through.objects.filter(
        application_id__in=[row.pk for row in rows], notice__level=level
    ).values_list("application_id", "notice__ends_on"):
        latest[app_id] = max(ends_on, latest.get(app_id, ends_on))
    unlisted = [row.worker.name for row in rows if row.pk not in latest]
    if unlisted:
        raise ValidationError(
            _("以下人员没有公示记录：%(names)s。") % {"names": "、".join(unlisted[:10])}
        )
    running = [row.worker.name for row in rows if latest[row.pk] >= today]
    if running:
        raise ValidationError(
            _("公示期未结束：%(names)s。公示期满后才能进行下一步。")
            % {"names": "、".join(running[:10])}
        )
    blocked = _open_objection_names(rows)
    if blocked:
        raise ValidationError(
            _("以下人员有未解决的公示异议，须先答复并解决：%(names)s。")
            % {"names": "、".join(blocked[:10])}
        )


# --- township steps -------------------------------------------------------------------


@transaction.atomic
def village_list_record(
    *, actor: User, application_ids: Iterable[int], village_name: str = ""
) -> int:
    """Record the village's list (村级登记): draft or sent-back applications → listed."""
    rows = _locked(access.subsidy_applications_township_actionable_by(actor), application_ids)
    _require_status(rows, (S.DRAFT, S.SENT_BACK), _("登记村级名单"))
    extra = {"village_name": village_name.strip()[:50]} if village_name.strip() else None
    _move(actor=actor, rows=rows, to=S.VILLAGE_LISTED, action="village_list", extra=extra)
    return len(rows)


@transaction.atomic
def township_review(*, actor: User, application_ids: Iterable[int], note: str = "") -> int:
    """Record the township's first review (初审) after checking the work records."""
    rows = _locked(access.subsidy_applications_township_actionable_by(actor), application_ids)
    _require_status(rows, (S.VILLAGE_LISTED,), _("乡镇初审"))
    missing = [row.worker.name for row in rows if row.employment_id is None]
    if missing:
        raise ValidationError(
            _("以下人员没有务工记录，不能通过初审：%(names)s。")
            % {"names": "、".join(missing[:10])}
        )
    _move(actor=actor, rows=rows, to=S.TOWNSHIP_REVIEWED, action="township_review", note=note)
    return len(rows)


# A notice's level → who may publish it, the status its applications are in, and move to.
_NOTICE_STEPS = {
    NoticeLevel.TOWNSHIP: (
        access.subsidy_applications_township_actionable_by,
        S.TOWNSHIP_REVIEWED,
        S.TOWNSHIP_NOTICE,
    ),
    NoticeLevel.COUNTY: (
        access.subsidy_applications_county_actionable_by,
        S.COUNTY_VERIFIED,
        S.COUNTY_NOTICE,
    ),
}


def _notice_publish(
    *, actor: User, application_ids: Iterable[int], level: str, starts_on: dt.date | None
) -> Notice:
    actionable_by, from_status, to_status = _NOTICE_STEPS[level]
    rows = _locked(actionable_by(actor), application_ids)
    _require_status(rows, (from_status,), _("发布公示"))
    policies = {row.policy_id for row in rows}
    counties = {row.county_id for row in rows}
    townships = {row.township_id for row in rows}
    if len(policies) != 1 or len(counties) != 1:
        raise ValidationError(_("一次公示只能包含同一县区、同一政策的申请。"))
    if level == NoticeLevel.TOWNSHIP and (len(townships) != 1 or None in townships):
        raise ValidationError(_("乡镇公示只能包含同一乡镇的申请。"))
    policy: Policy = rows[0].policy
    starts_on = starts_on or timezone.localdate()
    notice = Notice.objects.create(
        policy=policy,
        level=level,
        county_id=rows[0].county_id,
        township_id=rows[0].township_id if level == NoticeLevel.TOWNSHIP else None,
        starts_on=starts_on,
        # The notice runs ``notice_days`` calendar days, the first and last included.
        ends_on=starts_on + dt.timedelta(days=max(policy.notice_days, 1) - 1),
        published_by=actor,
    )
    notice.applications.set(rows)
    _move(actor=actor, rows=rows, to=to_status, action=f"{level}_notice", notice=notice)
    return notice


@transaction.atomic
def township_notice_publish(
    *, actor: User, application_ids: Iterable[int], starts_on: dt.date | None = None
) -> Notice:
    """Publish the township's notice (乡镇公示) of reviewed applications of one policy."""
    return _notice_publish(
        actor=actor,
        application_ids=application_ids,
        level=NoticeLevel.TOWNSHIP,
        starts_on=starts_on,
    )


# --- objections -----------------------------------------------------------------------


def _notice_actionable(actor: User, notice: Notice) -> bool:
    if notice.level == NoticeLevel.TOWNSHIP and access.has_role(actor, *access.TOWNSHIP_OFFICERS):
        return access.is_admin(actor) or actor.township_id == notice.township_id
    return access.has_role(actor, *access.OFFICIALS) and (
        access.is_admin(actor) or actor.county_id == notice.county_id
    )


@transaction.atomic
def objection_record(
    *,
    actor: User,
    notice: Notice,
    application: Application,
    text: str,
    raised_on: dt.date | None = None,
) -> Objection:
    """Record an objection raised during ``notice`` against one listed application."""
    if not _notice_actionable(actor, notice):
        raise PermissionDenied(_("您无权登记该公示的异议。"))
    if not notice.applications.filter(pk=application.pk).exists():
        raise ValidationError(_("该人员不在此公示名单中。"))
    text = _require_reason(text, _("异议内容"))
    raised_on = raised_on or timezone.localdate()
    if not notice.starts_on <= raised_on <= notice.ends_on:
        raise ValidationError(
            _("异议须在公示期内（%(start)s 至 %(end)s）提出。")
            % {"start": notice.starts_on.isoformat(), "end": notice.ends_on.isoformat()}
        )
    objection = Objection.objects.create(
        notice=notice,
        application=application,
        text=text,
        raised_on=raised_on,
        recorded_by=actor,
    )
    audit_record(actor=actor, action="subsidy.objection_record", target=objection)
    return objection


@transaction.atomic
def objection_answer(
    *, actor: User, objection: Objection, answer: str, resolved: bool = True
) -> Objection:
    """Answer an objection; ``resolved`` lets the application move on again."""
    objection = Objection.objects.select_for_update().select_related("notice").get(pk=objection.pk)
    if not _notice_actionable(actor, objection.notice):
        raise PermissionDenied(_("您无权答复该公示的异议。"))
    objection.answer = _require_reason(answer, _("答复内容"))
    objection.answered_by = actor
    objection.answered_at = timezone.now()
    objection.resolved = resolved
    objection.save(update_fields=["answer", "answered_by", "answered_at", "resolved"])
    audit_record(
        actor=actor,
        action="subsidy.objection_answer",
        target=objection,
        changes={"resolved": resolved},
    )
    return objection


# --- county steps ---------------------------------------------------------------------


@transaction.atomic
def county_verify(
    *,
    actor: User,
    application_ids: Iterable[int],
    note: str,
    today: dt.date | None = None,
) -> int:
    """Record the county's verification (县级核实; the phone check in ``note``) once the
    township notice is over without open objections."""
    rows = _locked(access.subsidy_applications_county_actionable_by(actor), application_ids)
    _require_status(rows, (S.TOWNSHIP_NOTICE,), _("县级核实"))
    note = _require_reason(note, _("核实说明（如电话核查情况）"))
    _require_notice_over(rows, NoticeLevel.TOWNSHIP, today or timezone.localdate())
    _move(actor=actor, rows=rows, to=S.COUNTY_VERIFIED, action="county_verify", note=note)
    return len(rows)


@transaction.atomic
def county_notice_publish(
    *, actor: User, application_ids: Iterable[int], starts_on: dt.date | None = None
) -> Notice:
    """Publish the county's final notice (县级公示) of verified applications of one policy."""
    return _notice_publish(
        actor=actor, application_ids=application_ids, level=NoticeLevel.COUNTY, starts_on=starts_on
    )


# The chain's notice actions (pages and API) → the service publishing that notice.
NOTICE_PUBLISHERS = {
    "township_notice": township_notice_publish,
    "county_notice": county_notice_publish,
}


def budget_used(*, policy_id: int, county_id: str) -> int:
    """Return the yuan approved (frozen) under a policy in a county: its workers'
    applications and its intermediaries' bonuses (输转奖补) together."""
    return budgets_used(policy_id=policy_id, county_ids=[county_id]).get(county_id, 0)


def budgets_used(*, policy_id: int, county_ids) -> dict[str, int]:
    """Return ``budget_used`` of each of ``county_ids`` (absent: nothing approved), in two
    grouped queries whatever the number of counties."""
    used: dict[str, int] = {}
    for model, holding in (
        (Application, BUDGET_HOLDING),
        (IntermediaryBonus, BONUS_BUDGET_HOLDING),
    ):
        rows = (
            model.objects.filter(
                policy_id=policy_id, county_id__in=list(county_ids), status__in=holding
            )
            .order_by()
            .values("county_id")
            .annotate(total=Sum("amount_frozen"))
            .values_list("county_id", "total")
        )
        for county_id, total in rows:
            used[county_id] = used.get(county_id, 0) + (total or 0)
    return used


def budgets_locked(pairs: Iterable[tuple[int, str]]) -> dict[tuple[int, str], PolicyBudget]:
    """Lock and return the budget rows of the (policy, county) ``pairs`` in ``pk`` order.

    Every approval (applications and intermediary bonuses) takes these locks first, in the
    same order, so concurrent approvals against one budget queue instead of overspending or
    deadlocking.
    """
    pairs = set(pairs)
    return {
        (b.policy_id, b.county_id): b
        for b in PolicyBudget.objects.select_for_update()
        .filter(policy_id__in={p for p, _c in pairs}, county_id__in={c for _p, c in pairs})
        .order_by("pk")
    }


def budget_check(
    budgets: dict[tuple[int, str], PolicyBudget], adding: dict[tuple[int, str], int]
) -> None:
    """Refuse when ``adding`` yuan would take a locked budget's approved total above it."""
    for (policy_id, county_id), amount in adding.items():
        budget = budgets.get((policy_id, county_id))
        if budget is None:
            raise ValidationError(_("该县区尚未设置此政策的补贴预算，不能审批。"))
        used = budget_used(policy_id=policy_id, county_id=county_id)
        if used + amount > budget.amount:
            raise OverBudget(
                _("超出预算：预算 %(budget)s 元，已审批 %(used)s 元，本次 %(amount)s 元。")
                % {"budget": budget.amount, "used": used, "amount": amount}
            )


@transaction.atomic
def applications_approve(
    *, actor: User, application_ids: Iterable[int], today: dt.date | None = None
) -> int:
    """Approve applications after the county notice: freeze each amount from the rule and
    keep every county's approved total within its budget (all or none)."""
    scope = access.subsidy_applications_county_actionable_by(actor)
    wanted = sorted(set(application_ids))
    # Budget rows first (pk order), then the applications.
    budgets = budgets_locked(
        scope.filter(pk__in=wanted).values_list("policy_id", "county_id").distinct()
    )
    rows = _locked(scope, wanted)
    _require_status(rows, (S.COUNTY_NOTICE,), _("审批"))
    _require_notice_over(rows, NoticeLevel.COUNTY, today or timezone.localdate())
    adding: dict[tuple[int, str], int] = {}
    for row in rows:
        key = (row.policy_id, row.county_id)
        adding[key] = adding.get(key, 0) + row.amount
    budget_check(budgets, adding)
    _move(
        actor=actor,
        rows=rows,
        to=S.APPROVED,
        action="approve",
        extra={"amount_frozen": lambda row: row.amount},
    )
    return len(rows)


@transaction.atomic
def application_send_back(*, actor: User, application: Application, reason: str) -> Application:
    """Send an application back to the village list with a reason (any open step; a
    township officer only from the township's own steps)."""
    reason = _require_reason(reason, _("退回原因"))
    county_scope = access.subsidy_applications_county_actionable_by(actor)
    township_scope = access.subsidy_applications_township_actionable_by(actor)
    if county_scope.filter(pk=application.pk).exists():
        rows, allowed = _locked(county_scope, [application.pk]), SENDABLE_BACK
    elif township_scope.filter(pk=application.pk).exists():
        rows, allowed = _locked(township_scope, [application.pk]), TOWNSHIP_STEPS
    else:
        raise PermissionDenied(_("所选申请中有不在您管辖范围内的记录。"))
    _require_status(rows, allowed, _("退回"))
    _move(actor=actor, rows=rows, to=S.SENT_BACK, action="send_back", reason=reason)
    return rows[0]
