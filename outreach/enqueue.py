"""Ask for a drain after a commit: the task is sent by name, so the services that queue
messages do not import the task module (which imports them)."""

import logging

from celery import current_app

from laborbridge.tasking import PUBLISH_ERRORS, PUBLISH_RETRY_POLICY, task_named

log = logging.getLogger(__name__)

DRAIN_TASK = "outreach.drain"


def sms_drain_enqueue() -> None:
    """Ask for a drain now. A broker that is down costs nothing: the minute beat drains."""
    try:
        if current_app.conf.task_always_eager:
            task_named(DRAIN_TASK).apply()
        else:
            current_app.send_task(DRAIN_TASK, retry=True, retry_policy=PUBLISH_RETRY_POLICY)
    except PUBLISH_ERRORS as error:
        log.warning("SMS drain not enqueued (%s); the periodic drain will send", error)
