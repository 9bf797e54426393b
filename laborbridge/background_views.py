"""The page side of the background-run kit (see ``laborbridge.background``).

A run's page shows ``templates/includes/run_progress.html`` with a :class:`RunProgress`
built by :func:`run_progress`; while the run is live htmx polls ``poll_url`` every second and
the view answers with :func:`run_progress_response`: the bar again, and once the run stopped
``HX-Refresh`` so the page reloads and shows the outcome (no inline script: the
Content-Security-Policy forbids it). Rounds, plans and imports use it, and so will report
snapshots and payment batches.

A page that starts a run calls the service through :func:`run_start`, which turns the ways a
start is refused into one :class:`RunStart` (the API side is the one API error handler).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from laborbridge.background import QUEUED, RUNNING, BackgroundRun, RunBusy
from laborbridge.tasking import EnqueueFailed

R = TypeVar("R", bound=BackgroundRun)

TEMPLATE = "includes/run_progress.html"


@dataclass(frozen=True)
class RunProgress:
    """What the progress bar of one run shows."""

    dom_id: str  # the element htmx swaps, unique on the page
    poll_url: str
    live: bool  # queued or running: keep polling
    percent: int
    status: str  # the run status's label
    label: str  # the bar's aria-label
    stage: str = ""  # the current stage's label, shown while live
    badge: str = ""  # a second label beside the status (a plan's review status)
    note: str = ""  # a sentence shown while live
    bar_while_live: bool = False  # hide the bar once the run stopped


def run_progress(
    run: BackgroundRun,
    *,
    dom_id: str,
    poll_url: str,
    label: str,
    status_field: str = "status",
    live: bool | None = None,
    percent: int | None = None,
    **shown: str | bool,
) -> RunProgress:
    """Return the progress bar of ``run``, whose status is in ``status_field``.

    ``live`` and ``percent`` default to the run's own (queued or running; its
    ``progress_percent``); ``shown`` are the other fields of :class:`RunProgress`.
    """
    status = getattr(run, status_field)
    return RunProgress(
        dom_id=dom_id,
        poll_url=poll_url,
        live=status in (QUEUED, RUNNING) if live is None else live,
        percent=run.progress_percent if percent is None else percent,
        status=str(getattr(run, f"get_{status_field}_display")()),
        label=label,
        **shown,
    )


def is_poll(request: HttpRequest) -> bool:
    """Return whether ``request`` is the progress bar's htmx poll (not a page load)."""
    return bool(request.headers.get("HX-Request"))


def run_progress_response(request: HttpRequest, progress: RunProgress) -> HttpResponse:
    """Answer a poll with the bar; once the run stopped, tell htmx to reload the page."""
    response = render(request, TEMPLATE, {"progress": progress})
    if not progress.live and is_poll(request):
        response["HX-Refresh"] = "true"
    return response


@dataclass(frozen=True)
class RunStart(Generic[R]):
    """What pressing "start" gave: the new run, or why there is none."""

    run: R | None = None
    error: ValidationError | None = None  # a form shows it as it is
    # The page's HTTP status when it shows the error instead of redirecting: 409 another
    # run is live, 503 the broker was down (the run was recorded and marked failed), 403
    # refused, 200 the input was wrong (the form shows why).
    status: int = 200


def run_start(create: Callable[[], R]) -> RunStart[R]:
    """Call ``create`` (a service that creates a run and enqueues it after commit).

    Return the run, or the refusal as a :class:`RunStart`: a :class:`RunBusy` (the service's
    subclass, which may name the live run) is kept as the error so the page can show that run.
    """
    try:
        return RunStart(run=create())
    except RunBusy as error:
        return RunStart(error=error, status=409)
    except EnqueueFailed as error:
        return RunStart(error=ValidationError(error.message), status=503)
    except PermissionDenied as error:
        return RunStart(error=ValidationError(str(error)), status=403)
    except ValidationError as error:
        return RunStart(error=error)
