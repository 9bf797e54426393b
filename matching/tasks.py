"""Celery tasks of matching: thin, id-only, safe to run twice (see ``matching.rounds``)."""

import logging

from celery.signals import celeryd_after_setup, worker_process_init

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


# Set in the worker's main process when it consumes the "matching" queue; pool children
# inherit it when they fork.
_ENGINE_WANTED = False


@celeryd_after_setup.connect
def engine_wanted_on_matching_workers(sender, instance, **kwargs) -> None:
    """Note whether this worker takes matching tasks (its -Q is known here, not in children)."""
    global _ENGINE_WANTED
    _ENGINE_WANTED = "matching" in instance.app.amqp.queues.consume_from


@worker_process_init.connect
def engine_warm_on_matching_workers(**kwargs) -> None:
    """A process that takes matching tasks loads the engine's compiled code as it starts: the
    first rolling update of a fresh worker took 7.4 s instead of ~3 s, most of it loading
    NumPy, Numba's cached kernels and OR-Tools. In each pool child, never in the main process
    before it forks: the engine's parallel kernels start Numba's thread pool, which a forked
    child would inherit broken (its rounds hung). ``CELERY_WORKER_PROC_ALIVE_TIMEOUT`` gives
    a child time for it. Other queues' workers never need the engine."""
    if not _ENGINE_WANTED:
        return
    from matching.engine.warm import warm

    logger.info("matching engine loaded: %s", warm())
