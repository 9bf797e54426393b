"""Celery tasks of matching: thin, id-only, safe to run twice (see ``matching.rounds``)."""

from laborbridge.background import run_task
from matching.rolling import ROLLING, rolling_update_execute
from matching.rounds import ROUNDS, round_execute

# The name is the one the settings route to the "matching" queue and the drills refer to.
match_round_run = run_task(
    name="matching.tasks.match_round_run",
    job=ROUNDS,
    execute=lambda pk, task_id: round_execute(round_id=pk, task_id=task_id),
)
# A rolling update of a finished round (matching.rolling), on the same "matching" queue.
rolling_update_run = run_task(
    name="matching.tasks.rolling_update_run",
    job=ROLLING,
    execute=lambda pk, task_id: rolling_update_execute(update_id=pk, task_id=task_id),
)
