"""Celery tasks of transport: thin, id-only, safe to run twice (see ``transport.runs``)."""

from laborbridge.background import run_task
from transport.runs import PLANS, plan_execute

transport_plan_run = run_task(
    name="transport.tasks.transport_plan_run",
    job=PLANS,
    execute=lambda pk, task_id: plan_execute(plan_id=pk, task_id=task_id),
)
