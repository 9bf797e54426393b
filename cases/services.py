"""Writes of cases: open one, move it along (handling → resolved / referred), close a 想返乡
case by recording the return home, and remind once when a case is overdue.

Each write locks its row (the worker's when opening, so one worker cannot open the same
kind twice at once; the case's afterwards), writes a dated step and an audit row, and
leaves its messages in the outbox in the same transaction.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import messages as case_messages
from cases.models import (
    OPEN_STATUSES,
    Case,
    CaseKind,
    CaseStatus,
    CaseStep,
    OpenedVia,
    Sector,
    StepAction,
)
from jobs.models import Employer
from laborbridge import access, crypto
from laborbridge.identifiers import mask_phone, validate_mobile
from laborbridge.models import Pairing, Role, User
from laborbridge.notifications.services import Audience, notify
from laborbridge.services import audit_record
from placement import selectors as placement_selectors
from placement import services as placement_services
from workers.models import Employment, Worker

# Days to handle a case, per kind; ``settings.CASE_DEADLINE_DAYS`` overrides any of them.
# 15 days for wage arrears is the usual promise of the local wage-arrears hotlines.
DEFAULT_DEADLINE_DAYS = {
    CaseKind.WAGE_ARREARS: 15,
    CaseKind.INJURY: 15,
    CaseKind.CONTRACT: 15,
    CaseKind.HOUSING: 7,
    CaseKind.GO_HOME: 7,
    CaseKind.OTHER: 15,
}

# One worker's arrears above ten million yuan is a typing error, not a claim.
MAX_AMOUNT_OWED = 10_000_000

# The steps a handler may take, with the status each leads to (None: unchanged).
TRANSITIONS = {
    StepAction.HANDLING: CaseStatus.HANDLING,
    StepAction.NOTE: None,
    StepAction.RESOLVED: CaseStatus.RESOLVED,
    StepAction.REFERRED: CaseStatus.REFERRED,
}


def deadline_days(kind: str) -> int:
    """Return the days a case of ``kind`` has before it is overdue."""
    configured = getattr(settings, "CASE_DEADLINE_DAYS", {}) or {}
    return int(configured.get(kind, DEFAULT_DEADLINE_DAYS.get(kind, 15)))


def _month(value: dt.date | None) -> dt.date | None:
    return value.replace(day=1) if value else None


def pairings_of_case(case: Case) -> list[Pairing]:
    """Return the pairings the case belongs to: the worker's county on the western side and,
    when known, the workplace on the eastern side."""
    county = case.worker.home_county_id
    return [
        pairing
        for pairing in Pairing.objects.select_related("east_region", "west_region")
        if pairing.west_region.contains(county)
        and (case.workplace_id is None or pairing.east_region.contains(case.workplace_id))
    ]


def liaisons_of_case(case: Case, pairings: list[Pairing]) -> list[User]:
    """Return the active liaisons of the workplace: of the case's pairings, covering the
    workplace district (or the whole eastern side). None without a workplace."""
    if case.workplace_id is None or not pairings:
        return []
    return list(
        User.objects.filter(
            Q(districts=None) | Q(districts=case.workplace_id),
            role=Role.LIAISON,
            is_active=True,
            pairing__in=pairings,
        ).distinct()
    )


def case_audiences(case: Case) -> list[Audience]:
    """Return who hears of the case: the worker's county officials, the coordinators of its
    pairings and the liaisons of the workplace."""
    pairings = pairings_of_case(case)
    return [
        Audience.county(case.worker.home_county_id),
        *(Audience.pairing(p.pk) for p in pairings),
        *(Audience.user(u.pk) for u in liaisons_of_case(case, pairings)),
    ]


def _message_params(case: Case) -> dict:
    return {
        "case_id": case.pk,
        "worker_id": case.worker_id,
        "name": case.worker.name,
        "kind": case.kind,
        "deadline": case.deadline.isoformat(),
        "employer": case.employer_name,
    }


def _current_job(employment: Employment) -> dict:
    """Return the employer name, address and workplace of the worker's current job (after
    any 换岗), derived from the employment history."""
    history = placement_selectors.employment_history(employment)
    job = history.state.job
    if job is None:  # left or gone home: the last job known is the arrival's
        employer = employment.employer
        return {
            "employer": employer,
            "employer_name": employer.name,
            "employer_address": employer.address,
            "workplace_id": employment.vacancy.district_id,
        }
    employer = Employer.objects.filter(pk=job.employer).first() if job.employer else None
    return {
        "employer": employer,
        "employer_name": job.employer_name,
        "employer_address": employer.address if employer else "",
        "workplace_id": job.workplace,
    }


def intake_defaults(*, worker: Worker, employment: Employment | None = None) -> dict:
    """Return the intake's prefilled employer fields from the worker's (latest) employment."""
    if employment is None:
        employment = worker.employments.select_related("employer", "vacancy").first()
    if employment is None:
        return {}
    return {"employment": employment, **_current_job(employment)}


def _intake_checked(
    *,
    kind: str,
    description: str,
    sector: str,
    employer_name: str,
    owed_from: dt.date | None,
    owed_to: dt.date | None,
    amount_owed: int | None,
    today: dt.date,
) -> None:
    errors: dict[str, str] = {}
    if kind not in CaseKind.values:
        errors["kind"] = _("请选择问题类型。")
    if sector and sector not in Sector.values:
        errors["sector"] = _("请选择行业类别。")
    if not description and kind != CaseKind.GO_HOME:
        errors["description"] = _("请简要描述遇到的问题。")
    if amount_owed is not None and amount_owed <= 0:
        errors["amount_owed"] = _("欠薪金额须大于 0。")
    elif amount_owed is not None and amount_owed > MAX_AMOUNT_OWED:
        errors["amount_owed"] = _("欠薪金额不能超过 %(limit)s 元。") % {
            "limit": f"{MAX_AMOUNT_OWED:,}"
        }
    if kind == CaseKind.WAGE_ARREARS:
        # What the national wage-arrears platform asks for.
        if not sector:
            errors["sector"] = _("欠薪问题请选择行业类别（工程建设或非工程建设）。")
        if not employer_name:
            errors["employer_name"] = _("欠薪问题请填写用人单位名称。")
        if owed_from is None:
            errors["owed_from"] = _("请填写欠薪起始月份。")
        if owed_to is None:
            errors["owed_to"] = _("请填写欠薪截止月份。")
        if amount_owed is None:
            errors.setdefault("amount_owed", _("请填写欠薪金额。"))
    if owed_from and owed_to and owed_to < owed_from:
        errors["owed_to"] = _("欠薪截止月份不能早于起始月份。")
    if owed_to and owed_to > today.replace(day=1):
        errors["owed_to"] = _("欠薪截止月份不能晚于本月。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def open_case(
    *,
    worker: Worker,
    employment: Employment | None = None,
    kind: str,
    opened_via: str,
    by: User | None = None,
    description: str = "",
    phone: str = "",
    sector: str = "",
    employer_name: str = "",
    employer_address: str = "",
    owed_from: dt.date | None = None,
    owed_to: dt.date | None = None,
    amount_owed: int | None = None,
) -> Case:
    """Open a case for ``worker`` and route it (county officials, the pairing's coordinators,
    the workplace's liaisons); return it.

    ``opened_via`` is ``official`` (``by`` — a county official of the worker's county, a
    coordinator or liaison who sees the worker, an admin — files it on the worker's behalf)
    or ``worker_link`` (the worker on their personal page; the caller has checked the link,
    ``by`` stays None). Employer name, address and workplace default to the worker's current
    job from ``employment`` (their latest when not given). ``phone`` is a contact phone other
    than the registered one (stored encrypted). The resident ID is never copied: the case
    points at the worker record. A second open case of the same kind is refused."""
    if opened_via not in OpenedVia.values:
        raise ValueError(f"unknown opened_via {opened_via!r}")
    if opened_via == OpenedVia.OFFICIAL:
        if by is None or not access.workers_case_openable_by(by).filter(pk=worker.pk).exists():
            raise PermissionDenied(_("您无权为该劳动力反映问题。"))
    worker = Worker.objects.select_for_update().get(pk=worker.pk)
    if employment is not None and employment.worker_id != worker.pk:
        raise ValidationError({"employment": _("该就业记录不属于这位劳动力。")})
    today = timezone.localdate()
    defaults = intake_defaults(worker=worker, employment=employment)
    employer_name = (employer_name or "").strip() or defaults.get("employer_name", "")
    employer_address = (employer_address or "").strip() or defaults.get("employer_address", "")
    owed_from, owed_to = _month(owed_from), _month(owed_to)
    description = (description or "").strip()
    _intake_checked(
        kind=kind,
        description=description,
        sector=sector,
        employer_name=employer_name,
        owed_from=owed_from,
        owed_to=owed_to,
        amount_owed=amount_owed,
        today=today,
    )
    if Case.objects.filter(worker=worker, kind=kind, status__in=OPEN_STATUSES).exists():
        raise ValidationError(
            _("这位劳动力已有一件同类问题正在办理，请在原记录中补充。"), code="duplicate"
        )
    case = Case(
        worker=worker,
        employment=defaults.get("employment"),
        kind=kind,
        opened_via=opened_via,
        sector=sector,
        employer=defaults.get("employer")
        if employer_name == defaults.get("employer_name")
        else None,
        employer_name=employer_name,
        employer_address=employer_address,
        workplace_id=defaults.get("workplace_id"),
        owed_from=owed_from,
        owed_to=owed_to,
        amount_owed=amount_owed,
        description=description,
        deadline=today + dt.timedelta(days=deadline_days(kind)),
        opened_by=by if opened_via == OpenedVia.OFFICIAL else None,
    )
    phone = (phone or "").strip()
    if phone:
        try:
            phone = validate_mobile(phone)
        except ValidationError as error:
            raise ValidationError({"phone": error.messages}) from None
        if crypto.phone_blind_index(phone) != worker.phone_index:
            case.phone_encrypted = crypto.phone_encrypt(phone)
            case.phone_masked = mask_phone(phone)
    case.save()
    CaseStep.objects.create(
        case=case,
        action=StepAction.OPENED,
        status_after=CaseStatus.RECEIVED,
        by=case.opened_by,
        by_worker=opened_via == OpenedVia.WORKER_LINK,
    )
    audit_record(
        actor=case.opened_by,
        action="case.opened",
        target=case,
        changes={
            "worker": worker.pk,
            "kind": kind,
            "opened_via": opened_via,
            "deadline": case.deadline.isoformat(),
            **({"amount_owed": amount_owed} if amount_owed else {}),
        },
    )
    notify(
        key=case_messages.OPENED,
        params=_message_params(case),
        audiences=case_audiences(case),
        cause=case,
        actor=case.opened_by,
    )
    return case


def _locked_case(*, actor: User, case: Case) -> Case:
    if not access.cases_handled_by(actor).filter(pk=case.pk).exists():
        raise PermissionDenied(_("您无权办理该问题。"))
    return Case.objects.select_for_update().select_related("worker").get(pk=case.pk)


def _step(
    *, case: Case, actor: User | None, action: str, note: str, staff_note: str, changes: dict
) -> CaseStep:
    step = CaseStep.objects.create(
        case=case,
        action=action,
        status_after=case.status,
        note=note,
        staff_note=staff_note,
        by=actor if actor is not None and actor.is_authenticated else None,
    )
    audit_record(actor=actor, action=f"case.{action}", target=case, changes=changes)
    return step


@transaction.atomic
def case_transition(
    *,
    actor: User,
    case: Case,
    action: str,
    note: str = "",
    staff_note: str = "",
    referred_to: str = "",
) -> CaseStep:
    """Take one step on an open case: start handling it, add a progress note, resolve it, or
    refer it to the local 人社 bureau (``referred_to`` names the bureau). ``note`` is shown
    to the worker, ``staff_note`` only to staff."""
    if action not in TRANSITIONS:
        raise ValidationError({"action": _("请选择办理事项。")})
    case = _locked_case(actor=actor, case=case)
    note, staff_note, referred_to = note.strip(), staff_note.strip(), referred_to.strip()
    if not case.is_open:
        raise ValidationError(_("该问题已办结，不能再办理。"), code="closed")
    target = TRANSITIONS[action]
    if action == StepAction.HANDLING and case.status != CaseStatus.RECEIVED:
        raise ValidationError(_("该问题已在处理中。"), code="already_handling")
    if action == StepAction.NOTE and not (note or staff_note):
        raise ValidationError({"note": _("请填写处理进展。")})
    if action == StepAction.RESOLVED and not note:
        raise ValidationError({"note": _("请写明处理结果，本人可以看到。")})
    if action == StepAction.REFERRED and not referred_to:
        raise ValidationError({"referred_to": _("请填写移交的人社部门名称。")})
    fields = ["updated_at"]
    if target is not None:
        case.status = target
        fields.append("status")
    if action == StepAction.REFERRED:
        case.referred_to = referred_to
        fields.append("referred_to")
    if target in (CaseStatus.RESOLVED, CaseStatus.REFERRED):
        case.closed_at = timezone.now()
        fields.append("closed_at")
    case.save(update_fields=fields)
    return _step(
        case=case,
        actor=actor,
        action=action,
        note=note,
        staff_note=staff_note,
        changes={"status": case.status, **({"referred_to": referred_to} if referred_to else {})},
    )


@transaction.atomic
def case_close_with_return(
    *,
    actor: User,
    case: Case,
    occurred_on: dt.date,
    reason: str,
    note: str = "",
    staff_note: str = "",
) -> CaseStep:
    """Close a 想返乡 case by recording the worker's return home (返乡) on their employment
    history through ``placement.services`` (same transaction), with its date and reason."""
    case = _locked_case(actor=actor, case=case)
    if case.kind != CaseKind.GO_HOME:
        raise ValidationError(_("只有“想返乡”的问题可以通过记录返乡办结。"), code="not_go_home")
    if not case.is_open:
        raise ValidationError(_("该问题已办结，不能再办理。"), code="closed")
    if case.employment_id is None:
        raise ValidationError(_("该劳动力没有就业记录，无法记录返乡。"), code="no_employment")
    event = placement_services.record_return_home(
        actor=actor,
        employment=case.employment,
        occurred_on=occurred_on,
        reason=reason,
        note=note,
    )
    case.status = CaseStatus.RESOLVED
    case.closed_at = timezone.now()
    case.save(update_fields=["status", "closed_at", "updated_at"])
    return _step(
        case=case,
        actor=actor,
        action=StepAction.RETURNED_HOME,
        note=note.strip() or _("已于 %(date)s 返乡。") % {"date": occurred_on.isoformat()},
        staff_note=staff_note.strip(),
        changes={"status": case.status, "event": event.pk, "occurred_on": occurred_on.isoformat()},
    )


def cases_overdue_notify(*, today: dt.date | None = None) -> int:
    """Remind once of each open case past its deadline: a step, an audit row and a message
    to the case's audiences. Safe to run twice at once (each case is claimed with one
    conditional UPDATE). Return how many were reminded."""
    today = today or timezone.localdate()
    due = list(
        Case.objects.filter(
            status__in=OPEN_STATUSES, deadline__lt=today, overdue_notified_at=None
        ).values_list("pk", flat=True)
    )
    reminded = 0
    for pk in due:
        with transaction.atomic():
            claimed = Case.objects.filter(
                pk=pk, status__in=OPEN_STATUSES, overdue_notified_at=None
            ).update(overdue_notified_at=timezone.now())
            if not claimed:
                continue
            case = Case.objects.select_related("worker").get(pk=pk)
            _step(
                case=case,
                actor=None,
                action=StepAction.OVERDUE,
                note="",
                staff_note="",
                changes={"deadline": case.deadline.isoformat()},
            )
            notify(
                key=case_messages.OVERDUE,
                params=_message_params(case),
                audiences=case_audiences(case),
                cause=case,
                actor=None,
            )
            reminded += 1
    return reminded
