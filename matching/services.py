"""Writes of the match lifecycle.

proposed → approved (coordinator) → offered → the worker accepts / declines (through their
county official) and the employer confirms / declines (HR) → confirmed → hired (gate
check-in). A coordinator may also reject a proposal. Every change is audited.

Two invariants hold under any concurrency:

* a vacancy never holds more accepted / confirmed / hired matches than its headcount: the
  place is taken by a conditional ``UPDATE … SET filled_count = filled_count + 1 WHERE
  filled_count < headcount`` (and a check constraint backs it);
* a worker has at most one active match (a partial unique index).

Rows are locked match first, then vacancy, everywhere, so two services never deadlock.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from jobs.board import board_invalidate
from jobs.models import Vacancy, VacancyStatus
from laborbridge import access
from laborbridge.background import RunBusy, run_create
from laborbridge.models import User
from laborbridge.services import audit_record
from matching.models import (
    HOLDING_STATUSES,
    Decision,
    Match,
    MatchRound,
    MatchStatus,
    RoundMode,
    RoundStatus,
)
from matching.rounds import ROUNDS
from workers.models import Worker, WorkerStatus
from workers.services import employment_open

_WORKER_STATUS = {
    MatchStatus.PROPOSED: WorkerStatus.MATCHED,
    MatchStatus.APPROVED: WorkerStatus.MATCHED,
    MatchStatus.OFFERED: WorkerStatus.OFFERED,
    MatchStatus.ACCEPTED: WorkerStatus.ACCEPTED,
    MatchStatus.CONFIRMED: WorkerStatus.ACCEPTED,
    MatchStatus.HIRED: WorkerStatus.EMPLOYED,
    MatchStatus.REJECTED: WorkerStatus.REGISTERED,
    MatchStatus.DECLINED: WorkerStatus.REGISTERED,
    MatchStatus.CANCELLED: WorkerStatus.REGISTERED,
}


class VacancyFull(ValidationError):
    """Raised when the last place of a vacancy was taken by someone else."""


def _locked(match: Match) -> Match:
    return Match.objects.select_for_update().select_related("vacancy", "worker").get(pk=match.pk)


def _take_place(vacancy_id: int) -> None:
    taken = Vacancy.objects.filter(pk=vacancy_id, filled_count__lt=F("headcount")).update(
        filled_count=F("filled_count") + 1
    )
    if not taken:
        raise VacancyFull(_("该岗位招聘人数已满，无法再接受。"), code="vacancy_full")
    Vacancy.objects.filter(
        pk=vacancy_id, status=VacancyStatus.OPEN, filled_count__gte=F("headcount")
    ).update(status=VacancyStatus.FILLED)


def _release_place(vacancy_id: int) -> None:
    Vacancy.objects.filter(pk=vacancy_id, filled_count__gt=0).update(
        filled_count=F("filled_count") - 1
    )
    Vacancy.objects.filter(
        pk=vacancy_id, status=VacancyStatus.FILLED, filled_count__lt=F("headcount")
    ).update(status=VacancyStatus.OPEN)


def _move(
    match: Match, status: str, *, actor: User | None, action: str, reason: str = "", **fields
) -> Match:
    """Change the match's status (and ``fields``), keep headcount and worker status in step."""
    old = match.status
    was_holding, holds = old in HOLDING_STATUSES, status in HOLDING_STATUSES
    if holds and not was_holding:
        _take_place(match.vacancy_id)
    elif was_holding and not holds:
        _release_place(match.vacancy_id)
    if holds != was_holding:
        # Places left changed: the campaign's public board shows them, refresh it after commit.
        campaign_id = match.vacancy.campaign_id
        transaction.on_commit(lambda: board_invalidate([campaign_id]))
    match.status = status
    for name, value in fields.items():
        setattr(match, name, value)
    match.save(update_fields=["status", *fields, "updated_at"])
    Worker.objects.filter(pk=match.worker_id).update(status=_WORKER_STATUS[MatchStatus(status)])
    audit_record(
        actor=actor,
        action=action,
        target=match,
        changes={"status": [old, status], **{k: str(v) for k, v in fields.items()}},
        reason=reason,
    )
    return match


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValidationError(message, code="illegal_transition")


def _status_label(match: Match) -> str:
    return MatchStatus(match.status).label


@transaction.atomic
def match_review(*, actor: User, match: Match, approve: bool, reason: str = "") -> Match:
    """Approve or reject a proposed match (coordinator)."""
    if not access.matches_reviewable_by(actor).filter(pk=match.pk).exists():
        raise PermissionDenied(_("您无权审核该匹配。"))
    match = _locked(match)
    if approve and match.status == MatchStatus.APPROVED:
        return match
    _require(
        match.status == MatchStatus.PROPOSED,
        _("只有“待审核”的匹配可以审核，当前状态为“%(status)s”。")
        % {"status": _status_label(match)},
    )
    if approve:
        return _move(match, MatchStatus.APPROVED, actor=actor, action="match.approve")
    if not reason.strip():
        raise ValidationError({"reason": _("驳回匹配时请填写原因。")})
    return _move(
        match,
        MatchStatus.REJECTED,
        actor=actor,
        action="match.reject",
        reason=reason,
        decline_reason=reason,
    )


@transaction.atomic
def match_offer(*, actor: User, match: Match) -> Match:
    """Send an approved match to both sides: the worker's official and the employer's HR."""
    if not access.matches_reviewable_by(actor).filter(pk=match.pk).exists():
        raise PermissionDenied(_("您无权推荐该匹配。"))
    match = _locked(match)
    if match.status == MatchStatus.OFFERED:
        return match
    _require(
        match.status == MatchStatus.APPROVED,
        _("只有“已批准”的匹配可以推荐，当前状态为“%(status)s”。")
        % {"status": _status_label(match)},
    )
    return _move(match, MatchStatus.OFFERED, actor=actor, action="match.offer")


@transaction.atomic
def match_worker_respond(
    *, actor: User | None, match: Match, accept: bool, reason: str = ""
) -> Match:
    """Record the worker's answer (given through their county official). Accepting twice is
    harmless; a decline needs its reason, which the county and the employer will read."""
    if (
        actor is not None
        and not access.matches_answerable_for_worker_by(actor).filter(pk=match.pk).exists()
    ):
        raise PermissionDenied(_("您无权代该求职者答复。"))
    match = _locked(match)
    if accept and match.worker_decision == Decision.YES and match.status in HOLDING_STATUSES:
        return match
    _require(
        match.status == MatchStatus.OFFERED,
        _("只有“已推荐”的匹配可以答复，当前状态为“%(status)s”。")
        % {"status": _status_label(match)},
    )
    if not accept:
        if not reason.strip():
            raise ValidationError(
                {"reason": _("求职者谢绝时请填写原因（如：家中有事、工资不合适、岗位太远）。")}
            )
        return _move(
            match,
            MatchStatus.DECLINED,
            actor=actor,
            action="match.worker_decline",
            reason=reason,
            worker_decision=Decision.NO,
            decline_reason=reason,
        )
    status = (
        MatchStatus.CONFIRMED if match.employer_decision == Decision.YES else MatchStatus.ACCEPTED
    )
    return _move(
        match, status, actor=actor, action="match.worker_accept", worker_decision=Decision.YES
    )


@transaction.atomic
def match_employer_respond(*, actor: User, match: Match, confirm: bool, reason: str = "") -> Match:
    """Record HR's decision on a candidate. Confirming twice is harmless."""
    if not access.matches_answerable_for_employer_by(actor).filter(pk=match.pk).exists():
        raise PermissionDenied(_("您无权答复该候选人。"))
    match = _locked(match)
    if (
        confirm
        and match.employer_decision == Decision.YES
        and match.status
        in (
            MatchStatus.OFFERED,
            MatchStatus.CONFIRMED,
            MatchStatus.HIRED,
        )
    ):
        return match
    _require(
        match.status in (MatchStatus.OFFERED, MatchStatus.ACCEPTED),
        _("当前状态“%(status)s”下企业不能答复。") % {"status": _status_label(match)},
    )
    if not confirm:
        if not reason.strip():
            raise ValidationError({"reason": _("谢绝候选人时请填写原因。")})
        return _move(
            match,
            MatchStatus.DECLINED,
            actor=actor,
            action="match.employer_decline",
            reason=reason,
            employer_decision=Decision.NO,
            decline_reason=reason,
        )
    if match.status == MatchStatus.ACCEPTED:
        return _move(
            match,
            MatchStatus.CONFIRMED,
            actor=actor,
            action="match.employer_confirm",
            employer_decision=Decision.YES,
        )
    match.employer_decision = Decision.YES
    match.save(update_fields=["employer_decision", "updated_at"])
    audit_record(
        actor=actor,
        action="match.employer_confirm",
        target=match,
        changes={"employer_decision": ["pending", "yes"]},
    )
    return match


@transaction.atomic
def match_mark_hired(*, actor: User | None, match: Match) -> Match:
    """Mark the worker as arrived at the factory gate; close any other match they hold."""
    if (
        actor is not None
        and not access.matches_answerable_for_employer_by(actor).filter(pk=match.pk).exists()
    ):
        raise PermissionDenied(_("您无权为该求职者办理到岗。"))
    match = _locked(match)
    if match.status == MatchStatus.HIRED:
        return match
    _require(
        match.status == MatchStatus.CONFIRMED,
        _("只有双方确认的匹配可以办理到岗，当前状态为“%(status)s”。")
        % {"status": _status_label(match)},
    )
    for other in (
        Match.objects.select_for_update()
        .filter(worker_id=match.worker_id)
        .exclude(pk=match.pk)
        .order_by("pk")
    ):
        if other.is_active:
            _move(
                other,
                MatchStatus.CANCELLED,
                actor=actor,
                action="match.cancel",
                reason="hired elsewhere",
            )
    match = _move(match, MatchStatus.HIRED, actor=actor, action="match.hire")
    # The placement's record starts at the gate; its follow-ups hang off it.
    employment_open(actor=actor, match=match)
    return match


# --- Rounds -----------------------------------------------------------------------------


class RoundBusy(RunBusy):
    """The campaign already has a queued or running round."""

    def __init__(self, busy: MatchRound | None) -> None:
        self.round = busy
        super().__init__(
            _("该招聘行动已有一轮匹配（#%(id)s）正在进行，请等待其完成。")
            % {"id": busy.pk if busy else "?"}
        )


def _live_round(campaign) -> MatchRound | None:
    return MatchRound.objects.filter(
        campaign=campaign, status__in=[RoundStatus.QUEUED, RoundStatus.RUNNING]
    ).first()


@transaction.atomic
def match_round_create(
    *,
    actor: User,
    campaign,
    mode: str = "stable",
    seed: int = 0,
    parameters: dict | None = None,
) -> MatchRound:
    """Queue a matching round for ``campaign``; the Celery task starts after commit."""
    if not access.campaigns_visible_to(actor).filter(
        pk=campaign.pk
    ).exists() or not access.is_coordinator(actor):
        raise PermissionDenied(_("您无权为该招聘行动发起匹配。"))
    if mode not in RoundMode.values:
        raise ValidationError({"mode": _("未知的匹配方式。")})
    # One live round per campaign (RoundBusy → 409; the partial unique index is the guard
    # when two requests look at once). A publish that fails (broker down) fails the round
    # with the reason and raises EnqueueFailed after the commit (503).
    round_ = run_create(
        job=ROUNDS,
        live=lambda: _live_round(campaign),
        busy=RoundBusy,
        create=lambda: MatchRound.objects.create(
            campaign=campaign,
            mode=mode,
            seed=seed,
            parameters=parameters or {},
            created_by=actor,
        ),
    )
    audit_record(
        actor=actor, action="round.create", target=round_, changes={"mode": mode, "seed": seed}
    )
    return round_
