"""Long work run by a Celery task on a database row: claim it, report progress, fail it.

A matching round and a transport plan are both such rows. The task is ``acks_late`` with
reject-on-worker-lost, so it may run twice: :meth:`BackgroundJob.claim` moves the row to
*running* with one conditional UPDATE and hands out an attempt number; a redelivered task
claims again and gets a higher one. Whoever writes results must lock the row and check that
its attempt is still the latest (a stale attempt never writes). Progress goes to the row at
most twice a second, outside any transaction, so the page's progress bar sees it at once.

The row's model needs: a status field (its name is ``status_field``), ``attempt``,
``task_id``, ``started_at``, ``finished_at``, ``progress_stage``, ``progress_percent``,
``failure_reason`` and ``updated_at``.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.db.models import F
from django.utils import timezone

QUEUED, RUNNING, FAILED = "queued", "running", "failed"
# Progress writes are throttled: an engine reports many fractions per stage.
PROGRESS_INTERVAL = 0.5


@dataclass(frozen=True)
class Claim:
    """This attempt's hold on the row: only the latest attempt may write results."""

    pk: int
    attempt: int


@dataclass(frozen=True)
class BackgroundJob:
    """How one kind of row is claimed: its model, status field and progress stages."""

    model: type[models.Model]
    status_field: str
    # stage name -> (percent at its start, percent at its end)
    stage_span: Callable[[str], tuple[int, int]]

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
        self.model._default_manager.filter(
            pk=pk, **{f"{self.status_field}__in": [QUEUED, RUNNING]}
        ).update(
            **{self.status_field: FAILED},
            failure_reason=reason[:2000],
            finished_at=now,
            updated_at=now,
        )

    def progress(self, claim: Claim) -> "ProgressReporter":
        return ProgressReporter(self, claim)


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
        self.job.model._default_manager.filter(
            pk=self.claim.pk,
            attempt=self.claim.attempt,
            **{self.job.status_field: RUNNING},
        ).update(progress_stage=stage, progress_percent=percent, updated_at=timezone.now())
