"""The drain: send the due queued messages, each at most once.

A batch is *claimed* in one short transaction — ``SELECT … FOR UPDATE SKIP LOCKED`` of due
queued rows in ``(scheduled_for, id)`` order, set to ``sending`` — so two drains (two Celery
workers) never take the same row. Sending happens outside any transaction, one message at a
time, and each outcome is written at once. A row left ``sending`` by a worker killed
mid-batch is never sent again by a drain: ``sms_interrupted_fail`` marks it failed with the
reason "interrupted — check and resend", because nobody can know whether the provider got
it. Duplicates are worse than a resend a person decides on.

Transient refusals (throttled, unreachable) go back to ``queued`` with exponential backoff
and jitter, up to ``MAX_ATTEMPTS``.
"""

from __future__ import annotations

import datetime as dt
import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from outreach import catalogue, rules
from outreach.backends import Outgoing, SendResult, backend
from outreach.models import SmsMessage, SmsReason, SmsStatus
from outreach.services import (
    consent_covers_contact,
    opted_out_indexes,
    sent_today_by_phone,
)

# 200 rows a claim: one claim + rule reads cost ~15 ms, small next to 200 sends, and a
# killed worker strands at most 200 rows for a person to check.
BATCH = 200
# Provider calls in flight per drain: a call is ~10–50 ms of waiting on the network, so a few
# threads multiply one worker's throughput (the stub bench: see bench/RESULTS.md).
SEND_THREADS = 8
MAX_ATTEMPTS = 5
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 30 * 60
# A row claimed longer ago than this was abandoned by a dead worker (a batch takes ~1 s).
INTERRUPTED_AFTER = dt.timedelta(minutes=10)


@dataclass
class DrainResult:
    more: bool = False  # the time budget ran out with due messages left
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    retried: int = 0
    suppressed: int = 0
    delayed: int = 0
    by_reason: dict[str, int] = field(default_factory=dict)

    def add(self, other: DrainResult) -> None:
        for name in ("claimed", "sent", "failed", "retried", "suppressed", "delayed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for reason, n in other.by_reason.items():
            self.by_reason[reason] = self.by_reason.get(reason, 0) + n


def backoff(attempts: int) -> dt.timedelta:
    """Return the wait before attempt ``attempts + 1``: exponential, capped, full jitter."""
    ceiling = min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0))
    return dt.timedelta(seconds=random.uniform(ceiling / 2, ceiling))  # noqa: S311


def _claim(limit: int, now: dt.datetime) -> list[SmsMessage]:
    with transaction.atomic():
        ids = list(
            SmsMessage.objects.select_for_update(skip_locked=True)
            .filter(status=SmsStatus.QUEUED, scheduled_for__lte=now)
            .order_by("scheduled_for", "id")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return []
        SmsMessage.objects.filter(pk__in=ids).update(
            status=SmsStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1, updated_at=now
        )
    return list(
        SmsMessage.objects.filter(pk__in=ids)
        .select_related("worker")
        .only(
            "pk",
            "worker__consent_status",
            "phone_encrypted",
            "phone_index",
            "key",
            "params",
            "text",
            "essential",
            "departure_on",
            "idempotency_key",
            "attempts",
        )
        .order_by("scheduled_for", "id")
    )


def _finish(pk: int, **values) -> None:
    values["updated_at"] = timezone.now()
    # Only a row still ours (sending) is finished: a receipt may have been faster.
    SmsMessage.objects.filter(pk=pk, status=SmsStatus.SENDING).update(**values)


def drain_batch(*, limit: int = BATCH, now: dt.datetime | None = None) -> DrainResult:
    """Claim up to ``limit`` due messages, judge the rules, send the rest; return counts."""
    now = now or timezone.now()
    result = DrainResult()
    rows = _claim(limit, now)
    result.claimed = len(rows)
    if not rows:
        return result
    local_now = timezone.localtime(now)
    indexes = {row.phone_index for row in rows}
    opted = opted_out_indexes(indexes)
    sent_today = sent_today_by_phone(indexes, now=now)
    sender = backend()
    outgoing: list[tuple[SmsMessage, Outgoing]] = []
    for row in rows:
        verdict = rules.judge(
            rules.Facts(
                consent=consent_covers_contact(row.worker),
                opted_out=row.phone_index in opted,
                essential=row.essential,
                departure_day=row.departure_on == local_now.date(),
                sent_today=sent_today.get(row.phone_index, 0),
                limit=settings.SMS_DAILY_LIMIT,
            ),
            local_now,
        )
        if not verdict.send:
            result.by_reason[verdict.reason] = result.by_reason.get(verdict.reason, 0) + 1
            if verdict.delay_until is not None:
                result.delayed += 1
                _finish(
                    row.pk,
                    status=SmsStatus.QUEUED,
                    reason=verdict.reason,
                    scheduled_for=verdict.delay_until,
                    attempts=F("attempts") - 1,  # waiting is not an attempt
                )
            else:
                result.suppressed += 1
                _finish(row.pk, status=SmsStatus.SUPPRESSED, reason=verdict.reason)
            continue
        # Counted now, before the answer: two messages of one batch to one number must not
        # both pass the daily cap because neither had gone yet.
        sent_today[row.phone_index] = sent_today.get(row.phone_index, 0) + 1
        template = catalogue.template_for(row.key)
        outgoing.append(
            (
                row,
                Outgoing(
                    phone=row.reveal_phone(),
                    template_code=template.code,
                    params={name: row.params.get(name, "") for name in template.params},
                    out_id=row.idempotency_key,
                    text=catalogue.full_text(row.text),
                ),
            )
        )
    # Sending is waiting on the provider: a few threads send a batch's messages at once (each
    # message by exactly one thread); this thread alone writes the outcomes to the database.
    with ThreadPoolExecutor(max_workers=SEND_THREADS) as pool:
        answers = pool.map(sender.send, [message for _row, message in outgoing])
        for (row, _message), answer in zip(outgoing, answers, strict=True):
            _record(row, answer, result, now)
    return result


def _record(row: SmsMessage, answer: SendResult, result: DrainResult, now: dt.datetime) -> None:
    """Write one provider answer to its row."""
    if answer.ok:
        result.sent += 1
        _finish(
            row.pk,
            status=SmsStatus.SENT,
            reason="",
            error="",
            provider_id=answer.provider_id[:64],
            sent_at=timezone.now(),
        )
    elif answer.transient and row.attempts < MAX_ATTEMPTS:
        result.retried += 1
        result.by_reason[answer.reason] = result.by_reason.get(answer.reason, 0) + 1
        _finish(
            row.pk,
            status=SmsStatus.QUEUED,
            reason=answer.reason,
            error=f"{answer.code} {answer.message}"[:200],
            scheduled_for=now + backoff(row.attempts),
        )
    else:
        reason = SmsReason.TOO_MANY_TRIES if answer.transient else answer.reason
        result.failed += 1
        result.by_reason[reason] = result.by_reason.get(reason, 0) + 1
        _finish(
            row.pk,
            status=SmsStatus.FAILED,
            reason=reason,
            error=f"{answer.code} {answer.message}"[:200],
        )


def drain(*, budget_seconds: float = 50.0, limit: int = BATCH) -> DrainResult:
    """Drain batches until none is due or ``budget_seconds`` have passed."""
    import time

    total = DrainResult()
    sms_interrupted_fail()
    started = time.monotonic()
    while True:
        result = drain_batch(limit=limit)
        total.add(result)
        if result.claimed < limit:
            return total
        if time.monotonic() - started >= budget_seconds:
            total.more = True
            return total


def sms_interrupted_fail(*, now: dt.datetime | None = None) -> int:
    """Fail the rows a dead worker left ``sending`` (never resend them: they may have gone)."""
    now = now or timezone.now()
    return SmsMessage.objects.filter(
        status=SmsStatus.SENDING, claimed_at__lt=now - INTERRUPTED_AFTER
    ).update(status=SmsStatus.FAILED, reason=SmsReason.INTERRUPTED, updated_at=now)
