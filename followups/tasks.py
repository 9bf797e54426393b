"""Celery tasks of follow-ups: ids only, a service does the work."""

from celery import shared_task

from followups import services
from laborbridge.background import RunBusy, run_task

followup_generate_task = run_task(
    name=services.TASK_NAME, job=services.RUNS, execute=services.followup_run_execute
)


@shared_task(name="followups.daily", ignore_result=True)
def followups_daily() -> None:
    """Celery beat: queue today's generation of follow-ups (nothing while one is live)."""
    try:
        services.followup_run_create(actor=None)
    except RunBusy:
        pass
