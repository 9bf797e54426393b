"""Intermediaries and their bonus (输转奖补): record an agency or team leader, record which
workers it moved, and compute its bonus under a policy from those workers' employment
history (the pure decision is ``subsidies.intermediary_bonus``).

Writes are audited; reads start from ``laborbridge.access`` so another county's
intermediaries are never seen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from laborbridge import access, crypto
from laborbridge.identifiers import validate_credit_code, validate_id_number
from laborbridge.imports.services import audit_record_bulk
from laborbridge.models import Region, User
from laborbridge.services import audit_record
from laborbridge.spreadsheets import xlsx_table
from subsidies import eligibility, intermediary_bonus, reasons
from subsidies.approval import budget_check, budgets_locked
from subsidies.models import (
    Intermediary,
    IntermediaryBonus,
    IntermediaryKind,
    IntermediaryReferral,
    Policy,
    PolicyKind,
)
from subsidies.models.intermediaries import PURPOSE_INTERMEDIARY_ID
from subsidies.sealed import sealed_read, sealed_save
from subsidies.services import _county_employments, policy_rule
from workers.models import Worker


def _managed(actor: User, intermediary: Intermediary) -> Intermediary:
    if not access.subsidy_intermediaries_managed_by(actor).filter(pk=intermediary.pk).exists():
        raise PermissionDenied(_("只有本县的县级工作人员可以登记输转中介。"))
    return intermediary


@transaction.atomic
def intermediary_create(
    *, actor: User, county: Region, name: str, kind: str, phone: str = "", id_code: str = ""
) -> Intermediary:
    """Record an agency or team leader of ``county`` (``id_code``: its credit code or the
    team leader's ID number, which a payment to it needs; may be recorded later)."""
    if not access.subsidy_application_counties_for(actor).filter(pk=county.pk).exists():
        raise PermissionDenied(_("只有本县的县级工作人员可以登记输转中介。"))
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("请填写名称或姓名。")})
    sealed, masked = _id_code_sealed(kind, id_code) if id_code.strip() else (None, "")
    try:
        with transaction.atomic():
            intermediary = Intermediary.objects.create(
                county=county,
                name=name,
                kind=kind,
                phone=phone.strip(),
                id_code_encrypted=sealed,
                id_code_masked=masked,
                created_by=actor,
            )
    except IntegrityError as error:
        raise ValidationError({"name": _("本县已登记同名的输转中介。")}) from error
    audit_record(actor=actor, action="subsidy.intermediary_create", target=intermediary)
    return intermediary


@transaction.atomic
def intermediary_worker_link(
    *, actor: User, intermediary: Intermediary, worker: Worker
) -> IntermediaryReferral:
    """Record that ``intermediary`` moved ``worker`` (a worker of the same county; a worker
    recorded under another intermediary is moved over, and the audit keeps the old one)."""
    _managed(actor, intermediary)
    if worker.home_county_id != intermediary.county_id:
        raise ValidationError(_("只能登记本县的劳动力。"))
    referral = IntermediaryReferral.objects.select_for_update().filter(worker=worker).first()
    before = referral.intermediary_id if referral else None
    if referral is None:
        referral = IntermediaryReferral.objects.create(
            intermediary=intermediary, worker=worker, recorded_by=actor
        )
    elif before != intermediary.pk:
        referral.intermediary = intermediary
        referral.recorded_by = actor
        referral.save(update_fields=["intermediary", "recorded_by", "updated_at"])
    audit_record(
        actor=actor,
        action="subsidy.intermediary_worker_link",
        target=referral,
        changes={"intermediary": [before, intermediary.pk], "worker": worker.pk},
    )
    return referral


@transaction.atomic
def intermediary_worker_unlink(
    *, actor: User, intermediary: Intermediary, worker_id: int, reason: str
) -> None:
    """Remove a worker recorded by mistake from ``intermediary`` (with a reason)."""
    _managed(actor, intermediary)
    if not reason.strip():
        raise ValidationError({"reason": _("请填写原因。")})
    referral = intermediary.referrals.filter(worker_id=worker_id).first()
    if referral is None:
        return
    audit_record(
        actor=actor,
        action="subsidy.intermediary_worker_unlink",
        target=intermediary,
        changes={"worker": worker_id},
        reason=reason.strip(),
    )
    referral.delete()


def _id_code_sealed(kind: str, code: str) -> tuple[bytes, str]:
    """Return an ID number's or credit code's ciphertext and mask, checked by ``kind``."""
    check = validate_credit_code if kind == IntermediaryKind.AGENCY else validate_id_number
    code = check(code)
    sealed = crypto.encrypt(code.encode(), purpose=PURPOSE_INTERMEDIARY_ID)
    return sealed, code[:6] + "*" * (len(code) - 10) + code[-4:]


@transaction.atomic
def intermediary_id_code_set(*, actor: User, intermediary: Intermediary, code: str) -> Intermediary:
    """Record whom the bank pays: a team leader's resident ID number or an agency's unified
    social credit code (checked by its check character), stored encrypted."""
    intermediary = _managed(actor, intermediary)
    intermediary = Intermediary.objects.select_for_update().get(pk=intermediary.pk)
    sealed, masked = _id_code_sealed(intermediary.kind, code)
    sealed_save(
        intermediary,
        "id_code",
        sealed=sealed,
        masked=masked,
        actor=actor,
        action="subsidy.intermediary_id_code_set",
    )
    return intermediary


def intermediary_id_code(intermediary: Intermediary) -> str:
    """Return the full ID number or credit code (callers audit the reveal)."""
    return sealed_read(intermediary, "id_code", purpose=PURPOSE_INTERMEDIARY_ID)


@transaction.atomic
def intermediary_bonus_approve(
    *, actor: User, intermediary: Intermediary, policy: Policy, today: dt.date | None = None
) -> IntermediaryBonus:
    """Approve an intermediary's bonus under ``policy``: computed now from the workers it
    moved, frozen, and counted against the county's budget of the policy under the same
    budget lock as workers' applications (one bonus per intermediary per policy year)."""
    intermediary = _managed(actor, intermediary)
    if not bonus_policies_for(actor).filter(pk=policy.pk).exists():
        raise PermissionDenied(_("该政策不是可用的输转奖补政策。"))
    budgets = budgets_locked([(policy.pk, intermediary.county_id)])
    # The lock above serialises approvals of this county and policy; the bonus is computed
    # after it, so two approvals of one intermediary cannot both pass the check below.
    if (
        IntermediaryBonus.objects.filter(
            intermediary=intermediary, policy_kind=policy.kind, policy_year=policy.year
        )
        .exclude(status="revoked")
        .exists()
    ):
        raise ValidationError(_("该输转中介本年度的输转奖补已审批，不能重复审批。"))
    row = bonus_rows(
        Intermediary.objects.filter(pk=intermediary.pk), policy, today=today, with_workers=True
    )[0]
    if row.verdict.outcome != eligibility.ELIGIBLE or not row.verdict.amount:
        raise ValidationError(
            _("不符合输转奖补条件：%(reasons)s") % {"reasons": "；".join(row.reasons)}
        )
    budget_check(budgets, {(policy.pk, intermediary.county_id): row.verdict.amount})
    counted = [
        worker_id
        for worker_id, verdict in row.verdict.workers
        if verdict.outcome == eligibility.ELIGIBLE and verdict.amount
    ]
    try:
        with transaction.atomic():
            bonus = IntermediaryBonus.objects.create(
                policy=policy,
                policy_kind=policy.kind,
                policy_year=policy.year,
                intermediary=intermediary,
                county_id=intermediary.county_id,
                workers_counted=row.verdict.qualifying,
                worker_ids=counted,
                amount_frozen=row.verdict.amount,
                approved_by=actor,
                approved_at=timezone.now(),
            )
    except IntegrityError as error:
        raise ValidationError(_("该输转中介本年度的输转奖补已审批，不能重复审批。")) from error
    audit_record(
        actor=actor,
        action="subsidy.intermediary_bonus_approve",
        target=bonus,
        changes={"amount": bonus.amount_frozen, "workers": counted, "policy": policy.pk},
    )
    return bonus


# --- the roster import's hook (workers.roster_links) -------------------------------------


def roster_intermediary_names(county_code: str) -> dict[str, int]:
    """Return the county's intermediaries by name, for the roster's 输转中介 column."""
    return dict(Intermediary.objects.filter(county_id=county_code).values_list("name", "pk"))


def roster_intermediary_current(worker_ids) -> dict[int, int]:
    """Return who is recorded as having brought each of ``worker_ids``."""
    return dict(
        IntermediaryReferral.objects.filter(worker_id__in=list(worker_ids)).values_list(
            "worker_id", "intermediary_id"
        )
    )


def roster_intermediary_link(actor: User | None, pairs, import_job: int | None) -> None:
    """Record the roster's (worker id, intermediary id) pairs in bulk: the importer has
    checked both belong to its county; a worker recorded under another intermediary is
    moved over (the audit keeps the old one, like :func:`intermediary_worker_link`)."""
    pairs = dict(pairs)
    before = roster_intermediary_current(pairs)
    IntermediaryReferral.objects.bulk_create(
        [
            IntermediaryReferral(intermediary_id=i, worker_id=w, recorded_by=actor)
            for w, i in sorted(pairs.items())
        ],
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["worker"],
        update_fields=["intermediary", "recorded_by", "updated_at"],
    )
    audit_record_bulk(
        actor=actor,
        action="subsidy.intermediary_worker_link",
        entries=[
            (
                Worker(pk=w),
                {"intermediary": [before.get(w), i], "worker": w, "import_job": import_job},
            )
            for w, i in sorted(pairs.items())
        ],
        reason=_("花名册导入"),
    )


# --- reads ------------------------------------------------------------------------------


def bonus_policies_for(user: User):
    """Return the active intermediary-bonus policies the user reads."""
    return access.subsidy_policies_visible_to(user).filter(
        kind=PolicyKind.INTERMEDIARY_BONUS, is_active=True
    )


@dataclass(frozen=True)
class WorkerLine:
    worker: Worker
    verdict: eligibility.Verdict
    reasons: list[str]


@dataclass(frozen=True)
class BonusRow:
    intermediary: Intermediary
    moved: int
    verdict: intermediary_bonus.BonusVerdict
    reasons: list[str]
    workers: list[WorkerLine]


def _text(reason_list) -> list[str]:
    return reasons.reasons_text([reason.as_pair() for reason in reason_list])


def bonus_rows(
    intermediaries, policy: Policy, *, today: dt.date | None = None, with_workers: bool = False
) -> list[BonusRow]:
    """Return each intermediary's bonus under ``policy``, explained (three queries plus one
    per county)."""
    today = today or timezone.localdate()
    rule = policy_rule(policy)
    intermediaries = list(intermediaries.select_related("county"))
    referrals: dict[int, list[int]] = {}
    for intermediary_id, worker_id in IntermediaryReferral.objects.filter(
        intermediary__in=intermediaries
    ).values_list("intermediary_id", "worker_id"):
        referrals.setdefault(intermediary_id, []).append(worker_id)
    spells: dict[int, tuple] = {}
    by_county: dict[str, list[int]] = {}
    for intermediary in intermediaries:
        by_county.setdefault(intermediary.county_id, []).extend(referrals.get(intermediary.pk, []))
    for county_id, ids in by_county.items():
        if ids:
            spells.update({row[1]: row for row in _county_employments(county_id, ids)})
    worker_ids = [pk for ids in referrals.values() for pk in ids]
    facts = {
        w.pk: w
        for w in Worker.objects.filter(pk__in=worker_ids).only(
            "id", "name", "poverty_status", "birth_date", "home_county_id", "id_number_masked"
        )
    }
    rows = []
    for intermediary in intermediaries:
        people = []
        for worker_id in referrals.get(intermediary.pk, []):
            worker = facts[worker_id]
            row = spells.get(worker_id)
            spell = (
                eligibility.SpellFacts(row[3], row[4])
                if row
                else eligibility.SpellFacts(None, None)
            )
            people.append(
                (
                    worker_id,
                    eligibility.WorkerFacts(
                        worker.poverty_status, worker.birth_date, worker.home_county_id
                    ),
                    spell,
                )
            )
        verdict = intermediary_bonus.bonus_evaluate(
            people, rule, min_workers=policy.min_workers_moved or 0, today=today
        )
        lines = (
            [WorkerLine(facts[worker_id], v, _text(v.reasons)) for worker_id, v in verdict.workers]
            if with_workers
            else []
        )
        rows.append(BonusRow(intermediary, len(people), verdict, _text(verdict.reasons), lines))
    return rows


def bonus_xlsx(rows: list[BonusRow], policy: Policy) -> bytes:
    """Return the bonus list of ``policy`` as a one-sheet .xlsx."""
    headers = [
        _("县区"),
        _("名称或姓名"),
        _("类型"),
        _("联系电话"),
        _("登记输转人数"),
        _("符合条件人数"),
        _("奖补金额（元）"),
        _("结果"),
        _("说明"),
    ]
    outcome = {
        eligibility.ELIGIBLE: _("符合条件"),
        eligibility.NOT_YET: _("暂不符合"),
        eligibility.NOT_ELIGIBLE: _("不符合条件"),
    }
    return xlsx_table(
        title=str(policy.name),
        headers=headers,
        rows=(
            [
                r.intermediary.county.name,
                r.intermediary.name,
                r.intermediary.get_kind_display(),
                r.intermediary.phone,
                r.moved,
                r.verdict.qualifying,
                r.verdict.amount,
                outcome[r.verdict.outcome],
                "；".join(r.reasons),
            ]
            for r in rows
        ),
    )


def worker_intermediary_section(request, worker: Worker) -> dict | None:
    """Return the worker page's intermediary section: who moved the worker (when the user
    sees that county's intermediaries) and, for the county's official, the choice to set it
    (registered in ``SubsidiesConfig``)."""
    visible = access.subsidy_intermediaries_visible_to(request.user).filter(
        county_id=worker.home_county_id
    )
    referral = (
        IntermediaryReferral.objects.filter(worker=worker, intermediary__in=visible)
        .select_related("intermediary")
        .first()
    )
    choices = list(
        access.subsidy_intermediaries_managed_by(request.user).filter(
            county_id=worker.home_county_id
        )
    )
    if referral is None and not choices:
        return None
    return {"referral": referral, "choices": choices, "worker_pk": worker.pk}
