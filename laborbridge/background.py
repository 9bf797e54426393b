"""Long work run by a Celery task on a database row: claim it, report progress, fail it,
keep a heartbeat while it runs, and recover it when its worker is gone.

A matching round, a transport plan and an import job are such rows. The task is
``acks_late`` with reject-on-worker-lost, so it may run twice: :meth:`BackgroundJob.claim`
moves the row to *running* with one conditional UPDATE and hands out an attempt number; a
redelivered task claims again and gets a higher one. Whoever writes results must lock the row
and check that its attempt is still the latest (a stale attempt never writes). Progress goes
to the row at most twice a second, outside any transaction, so the page's progress bar sees
it at once.

Lost workers. When a pool child dies, Celery requeues its message at once (reject on worker
lost) and the round is redone. When the whole worker dies (main process killed, machine
lost), the message waits in Redis until the ``visibility_timeout`` (hours, see settings) and
nothing would notice. So while a registered task runs, a thread of its process writes the
row's ``heartbeat_at`` every :data:`HEARTBEAT_SECONDS`; the beat task
:func:`background_runs_reap` (every :data:`REAP_EVERY_SECONDS`) puts a running row whose
heartbeat is older than :data:`HEARTBEAT_STALE_AFTER` back in its queue and publishes its
task again — or fails it with the reason after :data:`MAX_RECOVERIES` such losses (a run that
kills its worker each time, e.g. out of memory, must not loop). The worst case from death to
requeue is ``HEARTBEAT_STALE_AFTER + REAP_EVERY_SECONDS`` = 90 s.

The row's model needs: a status field (its name is ``status_field``), ``heartbeat_at``,
``recoveries``, ``failure_reason`` and ``updated_at``; :meth:`BackgroundJob.claim` and the
progress reporter also need ``attempt``, ``task_id``, ``started_at``, ``progress_stage`` and
``progress_percent``.
"""

import datetime as dt
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from celery import current_app, shared_task
from celery.signals import task_postrun, task_prerun
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

QUEUED, RUNNING, FAILED = "queued", "running", "failed"
# Progress writes are throttled: an engine reports many fractions per stage.
PROGRESS_INTERVAL = 0.5
# A live run writes its heartbeat this often (one tiny UPDATE; a GIL-holding engine stage of
# a few seconds only delays it).
HEARTBEAT_SECONDS = 10
# Six missed heartbeats: the process is gone (or frozen for a minute, which is as bad).
HEARTBEAT_STALE_AFTER = dt.timedelta(seconds=60)
# The beat schedule runs the reaper this often (laborbridge.settings CELERY_BEAT_SCHEDULE).
REAP_EVERY_SECONDS = 30
# A run whose worker died this many times is failed instead of requeued.
MAX_RECOVERIES = 2
# A queued row nobody claimed for this long lost its message (a Redis restarted without
# persistence): publish it again. A duplicate message is harmless, the claim is conditional.
QUEUED_REPUBLISH_AFTER = dt.timedelta(minutes=10)


class RunBusy(ValidationError):
    """Another run of the same thing is queued or running; the API answers 409."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="conflict")


@dataclass(frozen=True)
class Step:
    """A queued → running pair of statuses and the task that moves a row between them."""

    queued: str
    running: str
    task_name: str


@dataclass(frozen=True)
class Claim:
    """This attempt's hold on the row: only the latest attempt may write results."""

    pk: int
    attempt: int


_REGISTRY: dict[str, "BackgroundJob"] = {}


@dataclass(frozen=True)
class BackgroundJob:
    """How one kind of row is claimed, watched and recovered.

    ``steps`` lists its queued → running pairs with their task (an import has two: preview
    and commit); by default one step ``queued`` → ``running`` run by ``task_name``. Creating
    a job registers its tasks for the heartbeat and the reaper.
    """

    model: type[models.Model]
    status_field: str
    # stage name -> (percent at its start, percent at its end)
    stage_span: Callable[[str], tuple[int, int]] = lambda stage: (0, 100)
    task_name: str = ""
    steps: tuple[Step, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.steps:
            object.__setattr__(self, "steps", (Step(QUEUED, RUNNING, self.task_name),))
        for step in self.steps:
            if step.task_name:
                _REGISTRY[step.task_name] = self

    @property
    def _live(self) -> list[str]:
        return [s for step in self.steps for s in (step.queued, step.running)]

    def claim(self, pk: int, task_id: str) -> Claim | None:
        """Claim a queued (or orphaned running) row for a new attempt; None if it finished."""
        now = timezone.now()
        claimed = self.model._default_manager.filter(
            pk=pk, **{f"{self.status_field}__in": [QUEUED, RUNNING]}
        ).update(
            **{self.status_field: RUNNING},
            task_id=task_id[:64],
            attempt=F("attempt") + 1,
            started_at=now,
            heartbeat_at=now,
            progress_stage="load",
            progress_percent=0,
            updated_at=now,
        )
        if not claimed:
            return None
        attempt = self.model._default_manager.values_list("attempt", flat=True).get(pk=pk)
        return Claim(pk=pk, attempt=attempt)

    def fail(self, pk: int, reason: str) -> None:
        """Mark the row failed with the reason (unless it already finished)."""
        now = timezone.now()
        extra = {"finished_at": now} if _has_field(self.model, "finished_at") else {}
        self.model._default_manager.filter(
            pk=pk, **{f"{self.status_field}__in": self._live}
        ).update(
            **{self.status_field: FAILED},
            failure_reason=reason[:2000],
            updated_at=now,
            **extra,
        )

    def progress(self, claim: Claim) -> "ProgressReporter":
        return ProgressReporter(self, claim)

    def beat(self, pk: int) -> None:
        """Write the row's heartbeat, unless the row is locked (its results are being
        written by this very run: waiting would only stall the heartbeat thread)."""
        manager = self.model._default_manager
        with transaction.atomic():
            alive = list(
                manager.select_for_update(skip_locked=True)
                .filter(pk=pk, **{f"{self.status_field}__in": self._live})
                .values_list("pk", flat=True)
            )
            if alive:
                manager.filter(pk__in=alive).update(heartbeat_at=timezone.now())

    def reap(self, *, now: dt.datetime) -> dict[str, int]:
        """Requeue (or fail) running rows whose heartbeat stopped; republish lost queued ones."""
        counts = {"requeued": 0, "failed": 0, "republished": 0}
        manager = self.model._default_manager
        for step in self.steps:
            with transaction.atomic():
                # A row locked by a live transaction is being written by a live process.
                stale = list(
                    manager.select_for_update(skip_locked=True)
                    .annotate(beat=Coalesce("heartbeat_at", "updated_at"))
                    .filter(
                        **{self.status_field: step.running},
                        beat__lt=now - HEARTBEAT_STALE_AFTER,
                    )
                    .order_by("pk")
                    .values_list("pk", "recoveries")
                )
                for pk, recoveries in stale:
                    if recoveries >= MAX_RECOVERIES:
                        self.fail(pk, _worker_lost_reason(recoveries + 1))
                        counts["failed"] += 1
                        continue
                    manager.filter(pk=pk, **{self.status_field: step.running}).update(
                        **{self.status_field: step.queued},
                        recoveries=F("recoveries") + 1,
                        heartbeat_at=None,
                        updated_at=now,
                    )
                    self._republish_on_commit(step, pk)
                    counts["requeued"] += 1
                lost = list(
                    manager.select_for_update(skip_locked=True)
                    .filter(
                        **{self.status_field: step.queued},
                        updated_at__lt=now - QUEUED_REPUBLISH_AFTER,
                    )
                    .order_by("pk")
                    .values_list("pk", flat=True)
                )
                if lost:
                    manager.filter(pk__in=lost).update(updated_at=now)
                for pk in lost:
                    self._republish_on_commit(step, pk)
                counts["republished"] += len(lost)
            for pk, _recoveries in stale:
                logger.warning("%s #%s: its worker is gone, recovered", self.model.__name__, pk)
        return counts

    def _republish_on_commit(self, step: Step, pk: int) -> None:
        from laborbridge.tasking import publish

        if step.task_name not in current_app.tasks:
            current_app.loader.import_default_modules()  # outside a worker: autodiscover
        task = current_app.tasks[step.task_name]

        def send() -> None:
            try:
                publish(task, pk, task_id=str(uuid.uuid4()))
            except Exception:  # noqa: BLE001 - the next reaper pass republishes it
                logger.exception("republishing %s #%s failed", step.task_name, pk)

        transaction.on_commit(send)


def _has_field(model: type[models.Model], name: str) -> bool:
    return any(f.name == name for f in model._meta.get_fields())


def _worker_lost_reason(times: int) -> str:
    return _(
        "执行该任务的后台进程已中断 %(times)s 次（可能是内存不足或服务器重启），"
        "系统不再自动重试。请检查数据规模后重新发起；若仍失败，请联系系统管理员。"
    ) % {"times": times}


def background_runs_reap(*, now: dt.datetime | None = None) -> dict[str, dict[str, int]]:
    """Recover the runs of every registered kind whose worker is gone (the beat task)."""
    now = now or timezone.now()
    jobs = {id(job): job for job in _REGISTRY.values()}.values()
    return {job.model.__name__: job.reap(now=now) for job in jobs}


@shared_task(name="background.reap", ignore_result=True)
def background_runs_reap_task() -> dict[str, dict[str, int]]:
    """Celery beat: recover runs whose worker is gone (every REAP_EVERY_SECONDS)."""
    return background_runs_reap()


class ProgressReporter:
    """``reporter(stage, fraction)`` writes the row's stage and percent, throttled."""

    def __init__(self, job: BackgroundJob, claim: Claim) -> None:
        self.job = job
        self.claim = claim
        self._last = 0.0

    def __call__(self, stage: str, fraction: float) -> None:
        now = time.monotonic()
        if now - self._last < PROGRESS_INTERVAL and fraction < 1.0:
            return
        self._last = now
        low, high = self.job.stage_span(stage)
        percent = int(low + (high - low) * max(0.0, min(1.0, fraction)))
        stamp = timezone.now()
        self.job.model._default_manager.filter(
            pk=self.claim.pk,
            attempt=self.claim.attempt,
            **{self.job.status_field: RUNNING},
        ).update(
            progress_stage=stage, progress_percent=percent, updated_at=stamp, heartbeat_at=stamp
        )


# --- the heartbeat thread ----------------------------------------------------------------


class _Heartbeat(threading.Thread):
    def __init__(self, job: BackgroundJob, pk: int) -> None:
        super().__init__(name=f"heartbeat-{job.model.__name__}-{pk}", daemon=True)
        self.job, self.pk = job, pk
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while True:
                try:
                    self.job.beat(self.pk)
                except Exception:  # noqa: BLE001 - a missed beat is retried; the reaper waits 60 s
                    logger.warning("heartbeat of %s #%s failed", self.job.model.__name__, self.pk)
                    connection.close()
                if self.stopped.wait(HEARTBEAT_SECONDS):
                    return
        finally:
            connection.close()


_beating: dict[str, _Heartbeat] = {}


@task_prerun.connect(dispatch_uid="laborbridge.background.heartbeat_start")
def _heartbeat_start(sender=None, task_id=None, task=None, args=None, kwargs=None, **_extra):
    job = _REGISTRY.get(getattr(task, "name", ""))
    if job is None or task.request.is_eager:
        return
    pk = args[0] if args else next(iter((kwargs or {}).values()), None)
    if pk is None:
        return
    thread = _Heartbeat(job, int(pk))
    _beating[task_id] = thread
    thread.start()


@task_postrun.connect(dispatch_uid="laborbridge.background.heartbeat_stop")
def _heartbeat_stop(sender=None, task_id=None, **_extra):
    thread = _beating.pop(task_id, None)
    if thread is not None:
        thread.stopped.set()
        thread.join(timeout=5)
