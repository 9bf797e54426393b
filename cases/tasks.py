from celery import shared_task

from cases import services


@shared_task(name="cases.overdue_notify")
def cases_overdue_notify_task() -> int:
    return services.cases_overdue_notify()
