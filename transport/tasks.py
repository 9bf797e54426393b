"""Celery tasks of transport: thin, id-only, safe to run twice (see ``transport.runs``)."""

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError

from transport.runs import plan_execute, plan_fail


class _PlanTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # Called once retries are exhausted or on a non-retried error: say why on the page.
        plan_fail(
            plan_id=args[0] if args else kwargs["plan_id"], reason=f"{type(exc).__name__}: {exc}"
        )


@shared_task(
    base=_PlanTask,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
)
def transport_plan_run(self, plan_id: int) -> bool:
    """Run transport plan ``plan_id``; a killed worker's run is redelivered and redone."""
    return plan_execute(plan_id=plan_id, task_id=self.request.id or "eager")
