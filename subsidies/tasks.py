"""Celery tasks of subsidies: ids only, a service does the work."""

from laborbridge.background import run_task
from subsidies import services

eligibility_run_task = run_task(
    name=services.TASK_NAME, job=services.RUNS, execute=services.eligibility_run_execute
)
