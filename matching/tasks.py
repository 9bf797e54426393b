"""Celery tasks of matching: thin, id-only, safe to run twice (see ``matching.rounds``)."""

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError

from matching.rounds import round_execute, round_fail


class _RoundTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # Called once retries are exhausted or on a non-retried error: say why on the page.
        round_fail(
            round_id=args[0] if args else kwargs["round_id"], reason=f"{type(exc).__name__}: {exc}"
        )


@shared_task(
    base=_RoundTask,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
)
def match_round_run(self, round_id: int) -> bool:
    """Run matching round ``round_id``; a killed worker's round is redelivered and redone."""
    return round_execute(round_id=round_id, task_id=self.request.id or "eager")
