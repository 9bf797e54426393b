"""Writes of outreach: queue an SMS (one or thousands), resend, record an opt-out, apply the
provider's delivery receipts, send a bulk message. The drain that sends lives in ``drain``.

Queuing never sends: it writes rows (status queued, ``scheduled_for``) in the caller's
transaction, and asks for a drain after commit. The rules (consent, quiet hours, daily cap,
TD opt-out) are judged when a message is about to go (``drain``), because consent and
opt-outs change between queuing and sending; the bulk preview judges them now to count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from laborbridge import access, crypto
from laborbridge.models import User
from laborbridge.services import audit_record
from outreach import catalogue, rules
from outreach.enqueue import sms_drain_enqueue
from outreach.models import SmsCampaign, SmsMessage, SmsOptOut, SmsReason, SmsStatus
from outreach.phones import phone_mask, phone_normalise
from outreach.segments import segments_count
from workers.models import ConsentStatus, Worker

# 10,000 reminders rendered and queued in ~1.5 s on the CI machine: the rows are built in
# memory (decrypt, normalise, render: ~60 µs each) and inserted 1,000 a statement.
INSERT_BATCH = 1000


@dataclass(frozen=True)
class Draft:
    """One message to queue: for whom, what, and the key that makes it one row."""

    worker: Worker
    key: str
    params: Mapping[str, Any]
    idempotency_key: str
    scheduled_for: dt.datetime | None = None
    departure_on: dt.date | None = None


def _phone_of(worker: Worker) -> str | None:
    # Decrypted to be sent, never shown: the row keeps it encrypted again, staff see the mask.
    try:
        return phone_normalise(worker.reveal_phone())
    except ValidationError:
        return None


def _phone_columns(worker: Worker) -> tuple[str | None, bytes, str, str]:
    """Return (normalised phone or None, encrypted, blind index, mask) of ``worker``."""
    phone = _phone_of(worker)
    if phone is None:
        return None, crypto.phone_encrypt(""), "", worker.phone_masked
    return phone, crypto.phone_encrypt(phone), crypto.phone_blind_index(phone), phone_mask(phone)


def _build(
    draft: Draft,
    *,
    actor: User | None,
    campaign: SmsCampaign | None,
    phones: dict[int, tuple] | None = None,
) -> SmsMessage:
    template = catalogue.template_for(draft.key)
    params = {"name": draft.worker.name, **draft.params}
    text = template.render(params)
    # A worker's two reminders share one decrypt + normalise + encrypt (~0.7 ms of the ~1 ms
    # a row costs to build).
    if phones is None:
        columns = _phone_columns(draft.worker)
    else:
        columns = phones.get(draft.worker.pk) or phones.setdefault(
            draft.worker.pk, _phone_columns(draft.worker)
        )
    phone, encrypted, index, masked = columns
    row = SmsMessage(
        worker=draft.worker,
        phone_encrypted=encrypted,
        phone_index=index,
        phone_masked=masked,
        key=draft.key,
        params=params,
        text=text,
        segments=segments_count(catalogue.full_text(text)),
        essential=template.essential,
        departure_on=draft.departure_on,
        idempotency_key=draft.idempotency_key[:100],
        scheduled_for=draft.scheduled_for or timezone.now(),
        campaign=campaign,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    if phone is None:
        row.status, row.reason = SmsStatus.SUPPRESSED, SmsReason.NO_PHONE
    return row


def _drain_soon() -> None:
    transaction.on_commit(sms_drain_enqueue)


def sms_queue_many(
    *, drafts: Iterable[Draft], actor: User | None = None, campaign: SmsCampaign | None = None
) -> int:
    """Queue ``drafts`` (a draft whose idempotency key exists already is skipped); return
    how many rows were written. In the caller's transaction; a drain follows the commit."""
    written = 0
    batch: list[SmsMessage] = []
    phones: dict[int, tuple] = {}
    for draft in drafts:
        batch.append(_build(draft, actor=actor, campaign=campaign, phones=phones))
        if len(batch) >= INSERT_BATCH:
            written += _insert(batch)
            batch = []
    if batch:
        written += _insert(batch)
    if written:
        _drain_soon()
    return written


def _insert(rows: list[SmsMessage]) -> int:
    """Insert ``rows``, skipping those whose idempotency key exists; return how many went in.

    On PostgreSQL one ``INSERT … ON CONFLICT DO NOTHING RETURNING`` a batch: Django's
    bulk_create spent ~3 ms a row here assembling its SQL and needs a read of the existing
    keys first (a concurrent queue of the same cause must win quietly, not fail).
    """
    if connection.vendor != "postgresql":
        keys = [row.idempotency_key for row in rows]
        existing = set(
            SmsMessage.objects.filter(idempotency_key__in=keys).values_list(
                "idempotency_key", flat=True
            )
        )
        fresh = [row for row in rows if row.idempotency_key not in existing]
        SmsMessage.objects.bulk_create(fresh, ignore_conflicts=True)
        return len(fresh)
    from psycopg2.extras import execute_values

    db = connections[SmsMessage.objects.db]  # the connection itself, not the proxy
    fields = [f for f in SmsMessage._meta.concrete_fields if not f.primary_key]
    values = [tuple(f.get_db_prep_save(f.pre_save(row, True), db) for f in fields) for row in rows]
    sql = (
        f"INSERT INTO {SmsMessage._meta.db_table} ({', '.join(f.column for f in fields)}) "
        "VALUES %s ON CONFLICT (idempotency_key) DO NOTHING RETURNING 1"
    )
    with db.cursor() as cursor:
        inserted = execute_values(cursor.cursor, sql, values, page_size=len(values), fetch=True)
    return len(inserted)


def sms_queue(
    *, draft: Draft, actor: User | None = None, campaign: SmsCampaign | None = None
) -> SmsMessage:
    """Queue one message (or return the one already queued under its key)."""
    sms_queue_many(drafts=[draft], actor=actor, campaign=campaign)
    return SmsMessage.objects.get(idempotency_key=draft.idempotency_key[:100])


def sms_cancel(*, messages, reason: str) -> int:
    """Suppress queued messages that no longer apply (a trip changed); return how many."""
    return messages.filter(status=SmsStatus.QUEUED).update(
        status=SmsStatus.SUPPRESSED, reason=reason, updated_at=timezone.now()
    )


def _managed_message(actor: User, message: SmsMessage) -> SmsMessage:
    found = access.sms_messages_visible_to(actor).filter(pk=message.pk).first()
    if found is None:
        raise PermissionDenied(_("您无权操作该短信。"))
    return found


@transaction.atomic
def sms_resend(*, actor: User, message: SmsMessage) -> SmsMessage:
    """Queue the message again, as a new row (the old one keeps its history); audited."""
    message = _managed_message(actor, message)
    if message.status in (SmsStatus.QUEUED, SmsStatus.SENDING):
        raise ValidationError(_("该短信还在发送中，不能重发。"))
    count = SmsMessage.objects.filter(resend_of=message).count()
    worker = message.worker
    params = {k: v for k, v in message.params.items() if k != "name"}
    draft = Draft(
        worker=worker,
        key=message.key,
        params=params,
        idempotency_key=f"{message.idempotency_key[:80]}:re{count + 1}",
        departure_on=message.departure_on,
    )
    row = _build(draft, actor=actor, campaign=message.campaign)
    row.resend_of = message
    row.save()
    audit_record(
        actor=actor,
        action="sms.resend",
        target=worker,
        changes={"sms": message.pk, "new": row.pk, "key": message.key},
    )
    _drain_soon()
    return row


@transaction.atomic
def sms_opt_out(*, phone: str) -> SmsOptOut:
    """Record that ``phone`` replied TD: no more non-essential messages to it."""
    phone = phone_normalise(phone)
    row, _created = SmsOptOut.objects.get_or_create(
        phone_index=crypto.phone_blind_index(phone), defaults={"phone_masked": phone_mask(phone)}
    )
    return row


def sms_opt_out_undo(*, actor: User, worker: Worker) -> int:
    """Lift a worker's TD opt-out (they asked in person); audited; return rows removed."""
    if not access.sms_workers_managed_by(actor).filter(pk=worker.pk).exists():
        raise PermissionDenied(_("您无权操作该劳动力的短信设置。"))
    phone = _phone_of(worker)
    if phone is None:
        return 0
    with transaction.atomic():
        deleted, _rows = SmsOptOut.objects.filter(
            phone_index=crypto.phone_blind_index(phone)
        ).delete()
        if deleted:
            audit_record(actor=actor, action="sms.opt_out_undo", target=worker, changes={})
    return deleted


def worker_opted_out(worker: Worker) -> bool:
    phone = _phone_of(worker)
    return (
        bool(phone)
        and SmsOptOut.objects.filter(phone_index=crypto.phone_blind_index(phone)).exists()
    )


@dataclass(frozen=True)
class Receipt:
    out_id: str
    biz_id: str
    success: bool
    err_code: str = ""
    report_time: dt.datetime | None = None


def sms_receipts_apply(*, receipts: list[Receipt]) -> int:
    """Apply the provider's delivery receipts; return how many messages changed.

    A receipt names our ``OutId`` (the idempotency key) and the provider's id; a delivered
    message stays delivered if a late failure report arrives for it.
    """
    changed = 0
    now = timezone.now()
    for receipt in receipts:
        rows = SmsMessage.objects.filter(
            idempotency_key=receipt.out_id,
            status__in=[SmsStatus.SENT, SmsStatus.SENDING, SmsStatus.FAILED],
        )
        if receipt.biz_id:
            rows = rows.filter(provider_id__in=[receipt.biz_id, ""])
        if receipt.success:
            changed += rows.update(
                status=SmsStatus.DELIVERED,
                reason="",
                delivered_at=receipt.report_time or now,
                updated_at=now,
            )
        else:
            changed += rows.exclude(status=SmsStatus.DELIVERED).update(
                status=SmsStatus.FAILED,
                reason=SmsReason.UNDELIVERED,
                error=receipt.err_code[:200],
                updated_at=now,
            )
    return changed


# --- rules, for one message or a whole list ------------------------------------------------


def consent_covers_contact(worker: Worker) -> bool:
    """True if the worker's current consent lets us contact them (given, not withdrawn)."""
    return worker.consent_status == ConsentStatus.GIVEN


def sent_today_by_phone(phone_indexes: Iterable[str], *, now: dt.datetime) -> dict[str, int]:
    """Return how many messages went to each number today (local day)."""
    from django.db.models import Count

    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return dict(
        SmsMessage.objects.filter(
            phone_index__in=list(phone_indexes),
            sent_at__gte=start,
            status__in=[SmsStatus.SENT, SmsStatus.DELIVERED, SmsStatus.SENDING],
        )
        .values("phone_index")
        .annotate(n=Count("id"))
        .values_list("phone_index", "n")
    )


def opted_out_indexes(phone_indexes: Iterable[str]) -> set[str]:
    return set(
        SmsOptOut.objects.filter(phone_index__in=list(phone_indexes)).values_list(
            "phone_index", flat=True
        )
    )


# --- bulk messages ---------------------------------------------------------------------------

BULK_CONFIRM_ABOVE = 100
CONTENT_MAX = 60


@dataclass(frozen=True)
class BulkPreview:
    text: str  # rendered for the first recipient
    segments: int  # per message
    recipients: int  # after the rules
    suppressed: dict[str, int]  # reason label → count
    total_segments: int
    cost_yuan: float
    needs_confirmation: bool


def _bulk_params(content: str, county_name: str) -> dict:
    content = (content or "").strip()
    if not content:
        raise ValidationError(_("请填写短信内容。"))
    if len(content) > CONTENT_MAX:
        raise ValidationError(
            _("短信内容最多%(max)s个字，现在%(n)s个字。") % {"max": CONTENT_MAX, "n": len(content)}
        )
    return {"content": content, "county": county_name}


def bulk_judge(workers: list[Worker], *, now: dt.datetime | None = None):
    """Split ``workers`` into those a county notice may reach now and those the rules hold
    back (worker, reason); the notice is not essential."""
    now = now or timezone.now()
    phones = {w.pk: _phone_of(w) for w in workers}
    indexes = {pk: crypto.phone_blind_index(p) for pk, p in phones.items() if p}
    opted = opted_out_indexes(indexes.values())
    sent = sent_today_by_phone(indexes.values(), now=now)
    ok, held = [], []
    for worker in workers:
        if phones[worker.pk] is None:
            held.append((worker, SmsReason.NO_PHONE))
            continue
        index = indexes[worker.pk]
        verdict = rules.judge(
            rules.Facts(
                consent=consent_covers_contact(worker),
                opted_out=index in opted,
                essential=False,
                departure_day=False,
                sent_today=sent.get(index, 0),
                limit=settings.SMS_DAILY_LIMIT,
            ),
            # Quiet hours delay a notice, they do not drop it: judged at a daytime hour here.
            timezone.localtime(now).replace(hour=12),
        )
        if verdict.send:
            ok.append(worker)
        else:
            held.append((worker, verdict.reason))
    return ok, held


def bulk_preview(*, workers: list[Worker], content: str, county_name: str) -> BulkPreview:
    """Return what a bulk send would do: text, segments, recipients after the rules, cost."""
    params = _bulk_params(content, county_name)
    ok, held = bulk_judge(workers)
    template = catalogue.template_for(catalogue.COUNTY_NOTICE)
    sample = ok[0].name if ok else (workers[0].name if workers else "张三")
    text = catalogue.full_text(template.render({"name": sample, **params}))
    segments = segments_count(text)
    labels = dict(SmsReason.choices)
    suppressed: dict[str, int] = {}
    for _worker, reason in held:
        label = str(labels.get(reason, reason))
        suppressed[label] = suppressed.get(label, 0) + 1
    total = segments * len(ok)
    return BulkPreview(
        text=text,
        segments=segments,
        recipients=len(ok),
        suppressed=suppressed,
        total_segments=total,
        cost_yuan=round(total * settings.SMS_SEGMENT_PRICE_FEN / 100, 2),
        needs_confirmation=len(ok) > BULK_CONFIRM_ABOVE,
    )


@transaction.atomic
def bulk_send(
    *,
    actor: User,
    workers: list[Worker],
    content: str,
    county_name: str,
    audience: str,
    confirmed: bool,
    county_id: str | None = None,
    pairing_id: int | None = None,
) -> SmsCampaign:
    """Queue a county notice to every worker the rules let through; audited. More than
    ``BULK_CONFIRM_ABOVE`` recipients need ``confirmed`` (the page's second confirmation)."""
    allowed = set(access.sms_workers_managed_by(actor).values_list("pk", flat=True))
    if any(worker.pk not in allowed for worker in workers):
        raise PermissionDenied(_("您无权向这些劳动力发送短信。"))
    preview = bulk_preview(workers=workers, content=content, county_name=county_name)
    if preview.needs_confirmation and not confirmed:
        raise ValidationError(
            _("将发送给%(n)s人（超过%(max)s人），请再次确认后发送。")
            % {"n": preview.recipients, "max": BULK_CONFIRM_ABOVE}
        )
    ok, held = bulk_judge(workers)
    campaign = SmsCampaign.objects.create(
        name=content[:30],
        key=catalogue.COUNTY_NOTICE,
        params=_bulk_params(content, county_name),
        audience=audience[:200],
        recipients=len(ok),
        suppressed=len(held),
        segments=preview.total_segments,
        county_id=county_id,
        pairing_id=pairing_id,
        created_by=actor,
    )
    params = _bulk_params(content, county_name)
    sms_queue_many(
        drafts=[
            Draft(
                worker=worker,
                key=catalogue.COUNTY_NOTICE,
                params=params,
                idempotency_key=f"bulk:{campaign.pk}:{worker.pk}",
            )
            for worker in ok
        ],
        actor=actor,
        campaign=campaign,
    )
    audit_record(
        actor=actor,
        action="sms.bulk_send",
        target=campaign,
        changes={
            "audience": audience,
            "recipients": len(ok),
            "suppressed": len(held),
            "segments": preview.total_segments,
            "text": preview.text,
        },
    )
    return campaign
