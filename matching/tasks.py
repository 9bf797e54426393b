"""Celery tasks of matching: thin, id-only, safe to run twice (see ``matching.rounds``)."""

import logging

from celery.signals import celeryd_after_setup

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


logger = logging.getLogger(__name__)


@celeryd_after_setup.connect
def engine_warm_on_matching_workers(sender, instance, **kwargs) -> None:
    """A worker that consumes the "matching" queue loads the engine's compiled code before it
    takes a task (and before its pool forks, so every child has it): the first rolling update
    of a fresh worker took 7.4 s instead of ~3 s, most of it loading NumPy, Numba's cached
    kernels and OR-Tools. Other queues' workers never need the engine."""
    if "matching" not in instance.app.amqp.queues.consume_from:
        return
    from matching.engine.warm import warm

    seconds = warm()
    logger.info("matching engine loaded: %s", seconds)
