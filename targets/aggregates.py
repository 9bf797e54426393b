"""The dashboards' pre-aggregated tables: rebuilt from the direct report definitions.

``aggregates_refresh`` runs each direct definition of ``targets.reports`` (placements,
funnel, 务工需求清单) over everyone, grouped by all its dimensions, and writes the groups with
``INSERT … SELECT`` in one transaction — the figures are the direct measures themselves, so
the dashboards (which add these rows up) and a direct count cannot disagree
(tests/targets/test_aggregates.py checks it over random data).

When. A change to an employment, worker, match, seat or wish marks the state dirty after its
commit (``aggregates_changed``, a conditional UPDATE that touches the row only on the first
change) and queues one refresh ``REFRESH_DEBOUNCE_SECONDS`` later, so an import of 10,000
rows costs one refresh, not 10,000. Celery beat refreshes every ``REFRESH_EVERY_SECONDS``
when dirty or when the day changed (retention counts whole months up to today). Without a
broker (development, the demo, tests) a read refreshes inline when the state is dirty.
"""

from __future__ import annotations

import logging
import threading
import time

from celery import current_app
from django.core.signals import request_finished, request_started
from django.db import connection, models, transaction
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone

from laborbridge.tasking import PUBLISH_ERRORS, PUBLISH_RETRY_POLICY
from targets.models import AggregateState, DemandCount, FunnelCount, PlacementCount
from targets.reports import (
    DEMAND_DIRECT,
    FUNNEL_DIRECT,
    PLACEMENT_MEASURES,
    PLACEMENTS_DIRECT,
    Scope,
    demand_source,
    funnel_source,
    stored_column,
)
from workers.models import Employment

log = logging.getLogger(__name__)

REFRESH_TASK = "targets.aggregates_refresh"
# Seconds between the first change and the refresh it queues: changes in that window share
# the refresh (measured: a full refresh of 1M workers / 200k placements takes ~… s, see
# bench/RESULTS.md, so refreshing more often than this would keep a worker busy).
REFRESH_DEBOUNCE_SECONDS = 60
REFRESH_EVERY_SECONDS = 15 * 60
STATE_PK = 1
_EVERYONE = Scope(label="", west_prefix="", east_prefixes=())


def _grouped_insert(
    model: type[models.Model],
    rows: models.QuerySet,
    groups: dict[str, object],
    measures: dict[str, object],
) -> int:
    """Insert ``rows`` grouped by ``groups`` (column → expression) with ``measures``
    (column → aggregate) into ``model``'s table, in the database; return the rows written."""
    grouped = (
        rows.order_by()
        .annotate(**{f"g_{column}": value for column, value in groups.items()})
        .values(*[f"g_{column}" for column in groups])
        .annotate(**{f"a_{column}": value for column, value in measures.items()})
    )
    select, params = grouped.query.sql_with_params()
    columns = [*groups, *measures]
    aliases = [f'sub."g_{c}"' for c in groups] + [f'sub."a_{c}"' for c in measures]
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(connection.ops.quote_name(c) for c in columns)}) "
            f"SELECT {', '.join(aliases)} FROM ({select}) sub",
            params,
        )
        return cursor.rowcount


def _placements_write(as_of) -> int:
    """Write PlacementCount: every placement started by ``as_of``, the direct measures."""
    means = ("average_wage", "promised_wage")  # stored as a sum and a count each
    measures = {m.key: m.aggregate(as_of) for m in PLACEMENT_MEASURES if m.key not in means}
    measures["wage_sum"] = Coalesce(Sum("current_monthly_wage"), 0)
    measures["wage_count"] = Count("current_monthly_wage")
    measures["promised_sum"] = Coalesce(Sum("vacancy__wage_min"), 0)
    measures["promised_count"] = Count("vacancy__wage_min")
    return _grouped_insert(
        PlacementCount,
        Employment.objects.filter(started_on__lte=as_of),
        {
            "year": ExtractYear("started_on"),
            **{stored_column(d): d.value for d in PLACEMENTS_DIRECT.dimensions},
        },
        measures,
    )


def _funnel_write(as_of) -> int:
    """Write FunnelCount: the direct funnel per county and registration year."""
    return _grouped_insert(
        FunnelCount,
        funnel_source(_EVERYONE, as_of.year, as_of),
        {
            "created_year": ExtractYear("created_at"),
            **{stored_column(d): d.value for d in FUNNEL_DIRECT.dimensions},
        },
        {m.key: m.aggregate(as_of) for m in FUNNEL_DIRECT.measures},
    )


def _demand_write(as_of) -> int:
    """Write DemandCount: the direct 务工需求清单 grouped by all its dimensions."""
    return _grouped_insert(
        DemandCount,
        demand_source(_EVERYONE, as_of.year, as_of),
        {stored_column(d): d.value for d in DEMAND_DIRECT.dimensions},
        {
            "workers": DEMAND_DIRECT.measures[0].aggregate(as_of),
            "wage_sum": Coalesce(Sum("min_wage"), 0),
            "wage_count": Count("min_wage"),
        },
    )


def aggregates_refresh() -> AggregateState:
    """Rebuild the pre-aggregated tables as of today, in one transaction; return the state.

    Readers see the old rows until the commit (PostgreSQL's MVCC), never a half-built table.
    The dirty mark is cleared first, so a change committed during the rebuild marks it again.
    """
    started = time.perf_counter()
    as_of = timezone.localdate()
    with transaction.atomic():
        state, _created = AggregateState.objects.select_for_update().get_or_create(pk=STATE_PK)
        state.dirty_since = None
        written, took = 0, []
        for model, write in (
            (PlacementCount, _placements_write),
            (FunnelCount, _funnel_write),
            (DemandCount, _demand_write),
        ):
            table_started = time.perf_counter()
            model.objects.all().delete()
            written += write(as_of)
            took.append(f"{model.__name__} {time.perf_counter() - table_started:.1f} s")
        state.as_of = as_of
        state.refreshed_at = timezone.now()
        state.rows = written
        state.duration_ms = round((time.perf_counter() - started) * 1000)
        state.save()
    log.info(
        "targets aggregates refreshed: %s rows in %s ms (%s)",
        written,
        state.duration_ms,
        ", ".join(took),
    )
    return state


def placements_refresh() -> None:
    """Rebuild PlacementCount alone, as of today: what a report freeze needs (its figures are
    placements only). The dirty mark stays: the funnel and the lists wait for the full
    rebuild."""
    with transaction.atomic():
        AggregateState.objects.select_for_update().get_or_create(pk=STATE_PK)
        PlacementCount.objects.all().delete()
        _placements_write(timezone.localdate())


# A dashboard runs a dozen report tables: the state is checked once per request.
_request = threading.local()


def _request_started(**kwargs) -> None:
    _request.checked = False


def _request_finished(**kwargs) -> None:
    _request.checked = None  # outside a request: check every time


request_started.connect(_request_started, dispatch_uid="targets-aggregates-request-started")
request_finished.connect(_request_finished, dispatch_uid="targets-aggregates-request-finished")


def aggregates_ensure() -> None:
    """Refresh inline when there is nothing yet, or — without a broker — when dirty or of
    another day; with a broker a dirty state waits for its queued refresh."""
    if getattr(_request, "checked", None):
        return
    if getattr(_request, "checked", None) is False:
        _request.checked = True
    state = AggregateState.objects.filter(pk=STATE_PK).first()
    if state is None or state.as_of is None:
        aggregates_refresh()
        return
    if not current_app.conf.task_always_eager:
        return
    if state.dirty_since is not None or state.as_of != timezone.localdate():
        aggregates_refresh()


def aggregates_changed() -> None:
    """Mark the aggregates dirty after the current transaction commits; the first change
    since the last refresh queues the debounced refresh."""
    transaction.on_commit(_dirty_mark)


def _dirty_mark() -> None:
    # Matches (and so locks) the row only when it is clean: later changes cost a read.
    marked = AggregateState.objects.filter(pk=STATE_PK, dirty_since__isnull=True).update(
        dirty_since=timezone.now()
    )
    if marked and not current_app.conf.task_always_eager:
        _refresh_enqueue(countdown=REFRESH_DEBOUNCE_SECONDS)


def _refresh_enqueue(*, countdown: int) -> None:
    """Queue a refresh; a broker that is down costs nothing (the beat refreshes)."""
    try:
        current_app.send_task(
            REFRESH_TASK,
            countdown=countdown,
            retry=True,
            retry_policy=PUBLISH_RETRY_POLICY,
        )
    except PUBLISH_ERRORS as error:
        log.warning("targets aggregates refresh not queued (%s); the beat will refresh", error)


def aggregates_due() -> bool:
    """Return whether the scheduled refresh has work: dirty, of another day, or never built."""
    state = AggregateState.objects.filter(pk=STATE_PK).first()
    return state is None or state.dirty_since is not None or state.as_of != timezone.localdate()
