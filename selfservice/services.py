"""Writes of the personal link: issue, revoke, open, and what the worker reports through it.

Staff services take the acting user and check it against ``laborbridge.access``; the
worker's own actions take the live link instead — the link *is* the worker's
authorisation, and only for that worker. Every write is audited; the worker's own actions
have no acting user and are recorded against the link ("via personal link").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from laborbridge import access
from laborbridge.models import Region, User
from laborbridge.services import audit_record
from placement import services as placement_services
from placement.models import EmploymentEvent, EventKind
from selfservice.models import PersonalLink, RevokeReason
from selfservice.selectors import worker_employment, worker_link_eligible
from workers.models import Worker

TOKEN_BYTES = 32  # secrets.token_urlsafe(32): 256 random bits, 43 characters


class LinkGone(Exception):
    """The link exists but was revoked or has expired (the page answers 410)."""

    def __init__(self, link: PersonalLink):
        super().__init__(link.pk)
        self.link = link


def token_hash(token: str) -> str:
    """Return the stored form of ``token`` (sha256, hex)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def link_lifetime() -> dt.timedelta:
    return dt.timedelta(days=settings.PERSONAL_LINK_DAYS)


def _managed(actor: User, worker: Worker) -> Worker:
    if not access.personal_link_workers_managed_by(actor).filter(pk=worker.pk).exists():
        raise PermissionDenied(_("您无权管理该劳动力的个人链接。"))
    return Worker.objects.select_for_update().get(pk=worker.pk)


def _revoke_live(*, actor: User | None, worker: Worker, reason: str) -> PersonalLink | None:
    link = PersonalLink.objects.select_for_update().filter(worker=worker, revoked_at=None).first()
    if link is None:
        return None
    link.revoked_at = timezone.now()
    link.revoked_by = actor
    link.revoke_reason = reason
    link.save(update_fields=["revoked_at", "revoked_by", "revoke_reason", "updated_at"])
    return link


@transaction.atomic
def link_issue(*, actor: User, worker: Worker) -> tuple[PersonalLink, str]:
    """Issue a new personal link for ``worker`` (revoking the live one); return it and the
    raw token — the only time the token exists: print it or send it, it is not stored."""
    worker = _managed(actor, worker)  # the worker row lock orders two issues of one worker
    if not worker_link_eligible(worker):
        raise ValidationError(_("只有已匹配到岗位或已到岗的劳动力可以发放个人链接。"))
    return _link_new(actor=actor, worker=worker, action="personal_link.issue")


def _link_new(*, actor: User | None, worker: Worker, action: str) -> tuple[PersonalLink, str]:
    """Revoke the worker's live link (replaced), create a new one and audit ``action``
    against the worker; return the link and its raw token."""
    replaced = _revoke_live(actor=actor, worker=worker, reason=RevokeReason.REPLACED)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = PersonalLink.objects.create(
        worker=worker,
        token_hash=token_hash(token),
        expires_at=timezone.now() + link_lifetime(),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=action,
        target=worker,
        changes={
            "link": link.pk,
            "expires_at": link.expires_at.isoformat(),
            **({"replaced": replaced.pk} if replaced else {}),
        },
    )
    return link, token


@transaction.atomic
def links_issue_for_trip(*, actor: User, workers: list[Worker]) -> dict[int, str]:
    """Issue a new link to each of ``workers`` (a trip's batch of notices); return the raw
    tokens by worker id. Workers are locked in ``pk`` order."""
    tokens = {}
    for worker in sorted(workers, key=lambda w: w.pk):
        _link, tokens[worker.pk] = link_issue(actor=actor, worker=worker)
    return tokens


@transaction.atomic
def link_issue_for_sms(*, worker: Worker) -> str | None:
    """Issue a personal link to be sent by SMS, only if the worker holds no live one; return
    the raw token, or None.

    A live link is on the worker's printed travel notice and must keep working, and its token
    cannot be recovered: then the message points to the notice instead. No acting user (the
    cause is the message, e.g. a follow-up due); audited against the worker.
    """
    worker = Worker.objects.select_for_update().get(pk=worker.pk)
    current = PersonalLink.objects.filter(worker=worker, revoked_at=None).first()
    if (current is not None and current.is_live) or not worker_link_eligible(worker):
        return None
    _link, token = _link_new(actor=None, worker=worker, action="personal_link.issue_sms")
    return token


@transaction.atomic
def link_revoke(*, actor: User, worker: Worker) -> PersonalLink | None:
    """Revoke the worker's live link (the page refuses it from now on); return it."""
    worker = _managed(actor, worker)
    link = _revoke_live(actor=actor, worker=worker, reason=RevokeReason.REVOKED)
    if link is not None:
        audit_record(
            actor=actor, action="personal_link.revoke", target=worker, changes={"link": link.pk}
        )
    return link


def link_resolve(token: str) -> PersonalLink | None:
    """Return the live link of ``token``; None for a token never issued; raise ``LinkGone``
    for a revoked or expired one."""
    if not token or len(token) > 100:
        return None
    link = (
        PersonalLink.objects.select_related("worker__home_county")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if link is None:
        return None
    if not link.is_live:
        raise LinkGone(link)
    return link


def link_opened(link: PersonalLink) -> None:
    """Count one opening of the page (a conditional UPDATE: two openings never lose one)."""
    PersonalLink.objects.filter(pk=link.pk).update(
        open_count=F("open_count") + 1, last_opened_at=timezone.now()
    )


def _live_locked(link: PersonalLink) -> PersonalLink:
    link = PersonalLink.objects.select_for_update().get(pk=link.pk)
    if not link.is_live:
        raise LinkGone(link)
    return link


def _employment_of(link: PersonalLink):
    employment = worker_employment(link.worker)
    if employment is None:
        raise ValidationError(_("您还没有到岗记录，到岗后才能使用这个功能。"))
    return employment


def _audit_worker_action(link: PersonalLink, action: str, changes: dict) -> None:
    audit_record(
        actor=None,
        action=f"personal_link.{action}",
        target=link.worker,
        changes={"link": link.pk, "via": "personal_link", **changes},
    )


@transaction.atomic
def worker_confirm_at_work(*, link: PersonalLink) -> tuple[EmploymentEvent | None, bool]:
    """Record the worker's own "我在岗" as a 在岗确认 — at most once a day; return the event
    and whether it was new (a second press the same day records nothing)."""
    link = _live_locked(link)  # the link lock makes two presses of one day one record
    employment = _employment_of(link)
    today = timezone.localdate()
    existing = EmploymentEvent.objects.filter(
        employment=employment, kind=EventKind.CONFIRMED, occurred_on=today
    ).first()
    if existing is not None:
        return existing, False
    event = placement_services.record_reported_by_worker(
        employment=employment,
        kind=EventKind.CONFIRMED,
        occurred_on=today,
        note=_("本人通过个人链接确认在岗"),
    )
    _audit_worker_action(link, "confirm", {"event": event.pk})
    return event, True


@transaction.atomic
def worker_job_change(
    *, link: PersonalLink, employer_name: str, workplace: Region | None, monthly_wage: int | None
) -> EmploymentEvent:
    """Record the worker's own "我换了工作" as a 换岗 to an employer typed in by name."""
    link = _live_locked(link)
    employment = _employment_of(link)
    errors = {}
    employer_name = (employer_name or "").strip()
    if not employer_name:
        errors["employer_name"] = _("请填写新单位的名称。")
    if workplace is None or workplace.level != Region.Level.COUNTY:
        errors["workplace"] = _("请选择新单位所在的县（区）。")
    if monthly_wage is not None and monthly_wage <= 0:
        errors["monthly_wage"] = _("月工资须大于 0。")
    if errors:
        raise ValidationError(errors)
    event = placement_services.record_reported_by_worker(
        employment=employment,
        kind=EventKind.JOB_CHANGE,
        occurred_on=timezone.localdate(),
        employer_name=employer_name[:120],
        workplace=workplace,
        monthly_wage=monthly_wage,
        note=_("本人通过个人链接报告换岗"),
    )
    _audit_worker_action(link, "job_change", {"event": event.pk})
    return event


def cases_available() -> bool:
    """Return whether the cases app (complaints and wanting to go home) is installed."""
    from django.apps import apps

    return apps.is_installed("cases")


CASE_GO_HOME = "go_home"
CASE_PROBLEM = "problem"


@transaction.atomic
def worker_case_open(*, link: PersonalLink, go_home: bool, values: dict):
    """Open a case for the link's worker through ``cases.services.open_case``: "我想回家"
    (``go_home``) or "我有问题" (the intake's kind and fields in ``values``)."""
    from cases.models import CaseKind, OpenedVia
    from cases.services import open_case

    link = _live_locked(link)
    values = dict(values)
    if go_home:
        values = {"description": values.get("description", ""), "phone": values.get("phone", "")}
        values["kind"] = CaseKind.GO_HOME
    case = open_case(
        worker=link.worker,
        employment=worker_employment(link.worker),
        opened_via=OpenedVia.WORKER_LINK,
        **values,
    )
    _audit_worker_action(link, "case", {"case": case.pk, "kind": case.kind})
    return case
