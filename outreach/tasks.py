"""Celery tasks of outreach: thin, id-free, safe to run twice (the drain claims rows)."""

import logging

from celery import shared_task

from outreach.enqueue import sms_drain_enqueue

log = logging.getLogger(__name__)


@shared_task(name="outreach.drain")
def sms_drain_task() -> dict:
    """Send the due queued SMS (batches for up to ~50 s; beat runs it every minute)."""
    from outreach.drain import drain

    result = drain()
    if result.more:
        # A big backlog (a bulk send, a train's reminders): hand over to a fresh task rather
        # than hold a worker, so other queues' tasks get their turn between the two.
        sms_drain_enqueue()
    return {"claimed": result.claimed, "sent": result.sent, "failed": result.failed}


@shared_task(name="outreach.followups_due")
def sms_followups_due_task() -> int:
    """Queue the "follow-up due" texts of follow-ups due today."""
    from outreach.triggers import followups_due_queue

    return followups_due_queue()
