"""Celery tasks of targets: the pre-aggregated tables' refresh (targets.aggregates)."""

from celery import shared_task

from targets import aggregates


@shared_task(name=aggregates.REFRESH_TASK, ignore_result=True)
def aggregates_refresh_task() -> None:
    """Rebuild the dashboards' aggregates (queued after a change, debounced)."""
    aggregates.aggregates_refresh()


@shared_task(name="targets.aggregates_scheduled", ignore_result=True)
def aggregates_scheduled() -> None:
    """Celery beat: rebuild when dirty, never built, or the day changed."""
    if aggregates.aggregates_due():
        aggregates.aggregates_refresh()
