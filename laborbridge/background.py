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

The kit — how a new kind of run (a report snapshot, a payment batch) is built on it:

1. **The model** inherits :class:`BackgroundRun` (task id, attempt, stage and percent,
   failure reason, heartbeat, recoveries, who and when) and declares its own status field
   with its own choices (a round's ``status``, a plan's ``run_status`` beside its review
   ``status``, an import's two-step ``status``), plus a check constraint
   ``progress_percent <= 100`` under its own name.
2. **The job**: one module-level :class:`BackgroundJob` naming the model, the status field,
   the stage → percent spans and the task name(s) (``matching.rounds.ROUNDS``,
   ``transport.runs.PLANS``, ``laborbridge.imports.services.IMPORT_RUNS``). It claims,
   reports progress, fails, beats and reaps.
3. **The task**: ``tasks.py`` holds one line per task, :func:`run_task` (acks_late,
   reject-on-worker-lost, retries of transient database errors only, an ``on_failure`` that
   fails the row with the reason). The task's name is what the settings' routing, the beat
   schedule and the drills refer to: it never changes.
4. **The create service** calls :func:`run_create` inside its transaction: it refuses a
   second live run (:class:`RunBusy`, the API's 409), creates the row and publishes the task
   after commit; a publish the broker refuses fails the row and raises
   ``laborbridge.tasking.EnqueueFailed`` (the API's 503). A later step of the same row (an
   import's commit) is published with :func:`run_enqueue`. The service never imports its
   task module: the job finds the task by name.
5. **The API and the page**: ``laborbridge.background_api.RunOutputSerializer`` gives the
   run's fields to an output serializer; ``templates/includes/run_progress.html`` is the
   progress bar, polled by htmx (``static/js``) while the run is live: the page builds it with
   ``laborbridge.background_views.run_progress`` and answers the poll with
   ``run_progress_response``.
"""

import datetime as dt
import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from celery import Task, shared_task
from celery.signals import task_postrun, task_prerun
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    connection,
    models,
    transaction,
)
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from laborbridge.tasking import enqueue_on_commit, publish, task_named

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


# The errors a run's task retries (with backoff): a database that restarted or dropped the
# connection. Anything else is a bug or bad data, and retrying would only repeat it.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


class BackgroundRun(models.Model):
    """The fields every background run has; its status field is the model's own.

    The names are the ones pages, the API and :class:`BackgroundJob` use. A model may drop
    one it has under another name (an import's uploader is ``owner``: ``created_by = None``).
    """

    task_id = models.CharField(gettext_lazy("任务编号"), max_length=64, blank=True)
    # Incremented by each claim; only the latest attempt may write results.
    attempt = models.PositiveIntegerField(gettext_lazy("执行次数"), default=0)
    progress_stage = models.CharField(gettext_lazy("当前阶段"), max_length=40, blank=True)
    progress_percent = models.PositiveSmallIntegerField(gettext_lazy("进度（%）"), default=0)
    failure_reason = models.TextField(gettext_lazy("失败原因"), blank=True)
    # Written every few seconds by the running worker; a stale one means the worker is gone
    # and the reaper requeues the run.
    heartbeat_at = models.DateTimeField(gettext_lazy("最近心跳"), null=True, blank=True)
    recoveries = models.PositiveSmallIntegerField(gettext_lazy("中断后重新排队次数"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("发起人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(gettext_lazy("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(gettext_lazy("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(gettext_lazy("结束时间"), null=True, blank=True)
    updated_at = models.DateTimeField(gettext_lazy("更新时间"), auto_now=True)

    class Meta:
        abstract = True


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


def stage_spans(stages: Mapping[str, tuple[Any, ...]]) -> Callable[[str], tuple[int, int]]:
    """Return a job's ``stage_span`` read from ``stages`` (stage name → percent at its start,
    at its end, and anything after); a stage not listed spans 0-100."""

    def span(stage: str) -> tuple[int, int]:
        start, end = stages.get(stage, (0, 100))[:2]
        return start, end

    return span


@dataclass(frozen=True)
class BackgroundJob:
    """How one kind of row is claimed, watched and recovered.

    ``steps`` lists its queued → running pairs with their task (an import has two: preview
    and commit); by default one step ``queued`` → ``running`` run by ``task_name``. Creating
    a job registers its tasks for the heartbeat and the reaper.
    """

    model: type[models.Model]
    status_field: str = "status"
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

    def claim(
        self,
        pk: int,
        task_id: str,
        *,
        step: Step | None = None,
        stale_after: dt.timedelta | None = None,
        percent: int = 0,
    ) -> Claim | None:
        """Claim a queued (or orphaned running) row for a new attempt; None if it finished.

        ``step`` is the queued → running pair (default: the first). With ``stale_after`` a
        running row is claimed only once it has not moved for that long (an import's
        redelivered task leaves a live run alone; a round's redelivery redoes it).
        """
        step = step or self.steps[0]
        now = timezone.now()
        running = Q(**{self.status_field: step.running})
        if stale_after is not None:
            running &= Q(updated_at__lt=now - stale_after)
        # A task run by hand (no id) keeps the id the row was published with.
        named = {"task_id": task_id[:64]} if task_id else {}
        claimed = (
            self.model._default_manager.filter(pk=pk)
            .filter(Q(**{self.status_field: step.queued}) | running)
            .update(
                **{self.status_field: step.running},
                **named,
                attempt=F("attempt") + 1,
                started_at=now,
                finished_at=None,
                heartbeat_at=now,
                progress_stage="load",
                progress_percent=percent,
                failure_reason="",
                updated_at=now,
            )
        )
        if not claimed:
            return None
        attempt = self.model._default_manager.values_list("attempt", flat=True).get(pk=pk)
        return Claim(pk=pk, attempt=attempt)

    def task(self, step: Step | None = None) -> Task:
        """Return the Celery task of ``step`` (default: the first), found by its name."""
        return task_named((step or self.steps[0]).task_name)

    def fail(self, pk: int, reason: str) -> None:
        """Mark the row failed with the reason (unless it already finished)."""
        now = timezone.now()
        self.model._default_manager.filter(
            pk=pk, **{f"{self.status_field}__in": self._live}
        ).update(
            **{self.status_field: FAILED},
            failure_reason=reason[:2000],
            finished_at=now,
            updated_at=now,
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
        task = self.task(step)

        def send() -> None:
            try:
                publish(task, pk, task_id=str(uuid.uuid4()))
            except Exception:  # noqa: BLE001 - the next reaper pass republishes it
                logger.exception("republishing %s #%s failed", step.task_name, pk)

        transaction.on_commit(send)


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


# --- the task factory and the create service ----------------------------------------------

RunModel = TypeVar("RunModel", bound=models.Model)


def _exception_reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def run_task(
    *,
    name: str,
    job: BackgroundJob,
    execute: Callable[[int, str], Any],
    failure_reason: Callable[[BaseException], str] = _exception_reason,
    retry_backoff: bool | int = True,
    max_retries: int = 3,
) -> Task:
    """Return the Celery task ``name`` that runs ``execute(pk, task_id)`` on one row of ``job``.

    It takes only the row's id and is safe to run twice (``execute`` claims the row):
    ``acks_late`` with reject-on-worker-lost, so a killed worker's message is redelivered;
    :data:`TRANSIENT_ERRORS` are retried with backoff; on any other error, or once retries
    are exhausted, ``on_failure`` fails the row with ``failure_reason(exc)`` for the page.
    """

    class RunTask(Task):
        def on_failure(self, exc, task_id, args, kwargs, einfo):
            pk = args[0] if args else next(iter((kwargs or {}).values()), None)
            if pk is not None:
                job.fail(int(pk), failure_reason(exc))

    def run(self, pk: int) -> Any:
        return execute(int(pk), self.request.id or "eager")

    run.__name__ = run.__qualname__ = name.rsplit(".", 1)[-1]
    run.__doc__ = f"Run {job.model.__name__} ``pk`` (see laborbridge.background.run_task)."
    return shared_task(
        base=RunTask,
        bind=True,
        name=name,
        acks_late=True,
        reject_on_worker_lost=True,
        autoretry_for=TRANSIENT_ERRORS,
        retry_backoff=retry_backoff,
        max_retries=max_retries,
    )(run)


def run_enqueue(*, job: BackgroundJob, pk: int, step: Step | None = None) -> None:
    """Publish ``step``'s task for row ``pk`` after commit (call it inside the transaction).

    The row records the task id first. If the broker refuses the message, the row is failed
    with the reason and ``laborbridge.tasking.EnqueueFailed`` leaves the committing block (a
    view answers 503), so the next request is not refused as "already running".
    """
    task_id = str(uuid.uuid4())
    job.model._default_manager.filter(pk=pk).update(task_id=task_id)
    enqueue_on_commit(
        job.task(step),
        pk,
        task_id=task_id,
        on_error=lambda reason: job.fail(pk, reason),
    )


def run_create(
    *,
    job: BackgroundJob,
    create: Callable[[], RunModel],
    live: Callable[[], RunModel | None] | None = None,
    busy: Callable[[RunModel | None], RunBusy] | None = None,
) -> RunModel:
    """Create a run's row with ``create()`` and publish its task after commit.

    Call it inside the service's transaction. With ``live`` (return the live run of the same
    thing, or None) a second run is refused with ``busy(live_run)``: first by looking, then —
    two requests may both look before either writes — by the model's partial unique index,
    whose IntegrityError becomes the same :class:`RunBusy`.
    """
    if live is not None and (existing := live()) is not None:
        raise busy(existing)
    try:
        with transaction.atomic():
            run = create()
    except IntegrityError:
        if live is None:
            raise
        raise busy(live()) from None
    run_enqueue(job=job, pk=run.pk)
    return run


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
