"""One definition per report: dimensions, measures and a source, rendered to page, chart,
.xlsx and API alike.

A ``ReportDefinition`` names where its rows come from (a queryset of one scope and year), the
dimensions it may be grouped by and the measures it adds up. ``report_table`` runs it as ONE
grouped query in the database and returns a plain ``Table``; the page shows the table, the
chart draws from the same table (``targets.charts``), the .xlsx writes it and the API returns
it. A figure is therefore computed in one place only: "retained at 3 months" is
``retained_q(3, …)`` whether it shows in the placements table or in the funnel.

Scope. A ``Scope`` is built by the views from a pairing or county the user may see
(``laborbridge.access``); the sources here only narrow by it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, ExtractMonth, NullIf, Substr
from django.db.models.lookups import Exact
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jobs.models import Vacancy, VacancyStatus
from laborbridge.models import Pairing, Region
from matching.models import Match, MatchStatus
from placement.history import add_months
from targets.models import Bucket, DemandCount, FunnelCount, PlacementCount
from transport.models import BoardingStatus, Seat
from workers.models import (
    Employment,
    PovertyStatus,
    WishCity,
    WishOccupation,
    Worker,
    WorkerStatus,
)


@dataclass(frozen=True)
class Scope:
    """Whose numbers: the workers of ``west_prefix`` (a pairing's western region or one
    county) and the jobs of ``east_prefixes`` (the eastern sides paired with them)."""

    label: str
    west_prefix: str
    east_prefixes: tuple[str, ...]
    pairing: Pairing | None = None
    county: Region | None = None
    employer_id: int | None = None  # an employer's dashboard: its placements, any county


@dataclass(frozen=True)
class Dimension:
    """A way to group rows: ``value`` is grouped on, ``label`` (a field) or ``display``
    (a mapping of values) says it in words."""

    key: str
    title: Any
    value: Any
    label: str | None = None
    display: Callable[[Any], Any] | None = None
    bilingual: bool = False  # ``label`` names a Chinese/English pair: label_zh, label_en

    def label_expression(self) -> Any:
        """Return the label's database expression, in the active language."""
        if not self.bilingual:
            return F(self.label)
        chinese = F(f"{self.label}_zh")
        if (get_language() or "").startswith("en"):
            return Coalesce(NullIf(F(f"{self.label}_en"), Value("")), chinese)
        return chinese


@dataclass(frozen=True)
class Measure:
    """A figure added up per group; ``aggregate(as_of)`` builds the database aggregate."""

    key: str
    title: Any
    aggregate: Callable[[dt.date], Any]


@dataclass(frozen=True)
class ReportDefinition:
    key: str
    title: Any
    source: Callable[[Scope, int, dt.date], QuerySet]
    dimensions: tuple[Dimension, ...]
    measures: tuple[Measure, ...]

    def dimension(self, key: str) -> Dimension:
        for dimension in self.dimensions:
            if dimension.key == key:
                return dimension
        raise KeyError(key)


@dataclass
class Table:
    """A report's result: the dimension and measure keys, their titles, and the rows."""

    title: Any
    dimension_keys: list[str]
    measure_keys: list[str]
    headers: list[Any]
    rows: list[list[Any]] = field(default_factory=list)
    values: list[list[Any]] = field(default_factory=list)  # dimension values (not labels)

    def column(self, key: str) -> list[Any]:
        index = (self.dimension_keys + self.measure_keys).index(key)
        return [row[index] for row in self.rows]

    def totals(self) -> dict[str, Any]:
        return {
            key: sum(row[len(self.dimension_keys) + i] or 0 for row in self.rows)
            for i, key in enumerate(self.measure_keys)
        }

    def as_dict(self) -> dict:
        return {
            "title": str(self.title),
            "dimensions": self.dimension_keys,
            "measures": self.measure_keys,
            "headers": [str(header) for header in self.headers],
            "rows": [[_plain(cell) for cell in row] for row in self.rows],
        }


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, int | float | str):
        return value
    return str(value)


def report_table(
    definition: ReportDefinition,
    *,
    scope: Scope,
    year: int,
    as_of: dt.date,
    by: Sequence[str] = (),
    measures: Sequence[str] | None = None,
    filters: dict[str, Any] | None = None,
) -> Table:
    """Return the report grouped by the dimensions ``by`` (none: one total row), in one query.

    ``filters`` keep rows whose dimension value equals the given value (unknown keys are
    refused with KeyError by ``definition.dimension``).
    """
    dimensions = [definition.dimension(key) for key in by]
    chosen = [m for m in definition.measures if measures is None or m.key in measures]
    rows = definition.source(scope, year, as_of)
    annotations = {f"d_{d.key}": d.value for d in dimensions}
    for key, value in (filters or {}).items():
        dimension = definition.dimension(key)
        rows = rows.annotate(**{f"f_{key}": dimension.value}).filter(**{f"f_{key}": value})
    if annotations:
        rows = rows.annotate(**annotations)
    label_fields = {f"l_{d.key}": d.label_expression() for d in dimensions if d.label}
    group = list(annotations) + list(label_fields)
    aggregates = {f"m_{m.key}": m.aggregate(as_of) for m in chosen}
    if group:
        result = list(
            rows.annotate(**label_fields).values(*group).annotate(**aggregates).order_by(*group)
        )
    else:
        result = [rows.aggregate(**aggregates)]
    table = Table(
        title=definition.title,
        dimension_keys=[d.key for d in dimensions],
        measure_keys=[m.key for m in chosen],
        headers=[d.title for d in dimensions] + [m.title for m in chosen],
    )
    for item in result:
        labels = []
        for dimension in dimensions:
            value = item[f"d_{dimension.key}"]
            if dimension.label:
                labels.append(item[f"l_{dimension.key}"] or "—")
            elif dimension.display:
                labels.append(str(dimension.display(value)))  # not lazy: .xlsx, JSON
            else:
                labels.append("—" if value is None else value)
        measured = [_rounded(item[f"m_{m.key}"]) for m in chosen]
        table.rows.append(labels + measured)
        table.values.append([item[f"d_{d.key}"] for d in dimensions])
    return table


def _rounded(value: Any) -> Any:
    if value is None:
        return 0
    if isinstance(value, float):
        return round(value)
    if hasattr(value, "quantize"):  # Decimal from Avg on PostgreSQL
        return round(float(value))
    return value


def _choices(choices) -> Callable[[Any], Any]:
    names = dict(choices)
    return lambda value: names.get(value, value if value is not None else "—")


def _month(value: Any) -> Any:
    return _("%(month)s月") % {"month": value} if value else "—"


# --- the figures: each defined once ---------------------------------------------------------


def retained_q(months: int, as_of: dt.date, prefix: str = "") -> Q:
    """Return the employments that had worked ``months`` whole months by ``as_of``.

    The history's own count (``placement.history``): the whole months of the closed spells
    plus those of the current one (``working_since`` to ``as_of``) — written as an OR over
    the split between the two so the database answers it on the derived columns alone.
    """
    closed = f"{prefix}months_in_closed_spells"
    query = Q(**{f"{closed}__gte": months})
    for done in range(months):
        query |= Q(
            **{
                closed: done,
                f"{prefix}working_since__lte": add_months(as_of, -(months - done)),
            }
        )
    return query


def eligible_q(months: int, as_of: dt.date, prefix: str = "") -> Q:
    """Return the employments old enough to have worked ``months`` months by ``as_of``."""
    return Q(**{f"{prefix}started_on__lte": add_months(as_of, -months)})


# The bucket of a placement: the worker's home county against the vacancy's (workplace)
# county; province by the first two digits of the GB/T 2260 code.
BUCKET = Case(
    When(
        Exact(F("worker__home_county_id"), F("vacancy__district_id")),
        then=Value(Bucket.IN_COUNTY),
    ),
    When(
        Exact(Substr("worker__home_county_id", 1, 2), Substr("vacancy__district_id", 1, 2)),
        then=Value(Bucket.IN_PROVINCE),
    ),
    default=Value(Bucket.CROSS_PROVINCE),
    output_field=CharField(),
)


def placements_of(scope: Scope, year: int, as_of: dt.date) -> QuerySet[Employment]:
    """Return the scope's workers' placements (arrivals) of ``year`` up to ``as_of``."""
    rows = Employment.objects.filter(
        worker__home_county__code__startswith=scope.west_prefix,
        started_on__year=year,
        started_on__lte=as_of,
    )
    return rows if scope.employer_id is None else rows.filter(employer_id=scope.employer_id)


POVERTY = Q(worker__poverty_status=PovertyStatus.POVERTY_ALLEVIATED)
MONITORED = Q(worker__poverty_status=PovertyStatus.MONITORED)

PLACEMENT_MEASURES = (
    Measure("placed", _("转移就业人数"), lambda as_of: Count("pk")),
    Measure("poverty", _("其中脱贫劳动力"), lambda as_of: Count("pk", filter=POVERTY)),
    Measure("monitored", _("其中监测对象"), lambda as_of: Count("pk", filter=MONITORED)),
    Measure(
        "eligible_3", _("满3个月应计人数"), lambda as_of: Count("pk", filter=eligible_q(3, as_of))
    ),
    Measure(
        "retained_3",
        _("在岗满3个月"),
        lambda as_of: Count("pk", filter=eligible_q(3, as_of) & retained_q(3, as_of)),
    ),
    Measure(
        "eligible_6", _("满6个月应计人数"), lambda as_of: Count("pk", filter=eligible_q(6, as_of))
    ),
    Measure(
        "retained_6",
        _("在岗满6个月"),
        lambda as_of: Count("pk", filter=eligible_q(6, as_of) & retained_q(6, as_of)),
    ),
    Measure("average_wage", _("平均月工资（元）"), lambda as_of: Avg("current_monthly_wage")),
    Measure("promised_wage", _("岗位承诺月薪（元）"), lambda as_of: Avg("vacancy__wage_min")),
)

PLACEMENTS_DIRECT = ReportDefinition(
    key="placements",
    title=_("转移就业进度"),
    source=placements_of,
    dimensions=(
        Dimension("month", _("月份"), ExtractMonth("started_on"), display=_month),
        Dimension("bucket", _("就业去向"), BUCKET, display=_choices(Bucket.choices)),
        Dimension(
            "poverty_status",
            _("劳动力类别"),
            F("worker__poverty_status"),
            display=_choices(PovertyStatus.choices),
        ),
        Dimension(
            "county", _("户籍县区"), F("worker__home_county_id"), label="worker__home_county__name"
        ),
        Dimension(
            "district", _("务工县区"), F("vacancy__district_id"), label="vacancy__district__name"
        ),
        Dimension("employer", _("用工企业"), F("employer_id"), label="employer__name"),
        Dimension(
            "occupation",
            _("工种"),
            F("vacancy__occupation_id"),
            label="vacancy__occupation__name",
            bilingual=True,
        ),
    ),
    measures=PLACEMENT_MEASURES,
)


# --- the funnel: registered → … → 6 months, workers of the scope ---------------------------

_OFFERED_OR_LATER = (
    MatchStatus.OFFERED,
    MatchStatus.ACCEPTED,
    MatchStatus.CONFIRMED,
    MatchStatus.HIRED,
    MatchStatus.DECLINED,
)
_ACCEPTED_OR_LATER = (MatchStatus.ACCEPTED, MatchStatus.CONFIRMED, MatchStatus.HIRED)
_MATCHED = (MatchStatus.APPROVED, *_OFFERED_OR_LATER)


def funnel_source(scope: Scope, year: int, as_of: dt.date) -> QuerySet[Worker]:
    """Return the scope's workers registered up to the end of ``year`` (the funnel counts
    people by the furthest stage they ever reached, not the year's events)."""
    return (
        Worker.objects.filter(home_county__code__startswith=scope.west_prefix)
        .exclude(status__in=[WorkerStatus.PENDING, WorkerStatus.WITHDRAWN])
        .filter(created_at__year__lte=year)
    )


# Each stage is "the worker's id is among these": an uncorrelated IN that PostgreSQL hashes
# once per query, where a per-worker EXISTS cost one index probe per worker and stage.
def _with_match(statuses) -> Callable[[dt.date], Any]:
    workers = Match.objects.filter(status__in=statuses).values("worker_id")
    return lambda as_of: Count("pk", filter=Q(pk__in=workers))


def _boarded(as_of: dt.date) -> Any:
    seats = Seat.objects.filter(boarding=BoardingStatus.PRESENT).values("worker_id")
    return Count("pk", filter=Q(pk__in=seats))


def _arrived(as_of: dt.date) -> Any:
    return Count("pk", filter=Q(pk__in=Employment.objects.values("worker_id")))


def _retained(months: int) -> Callable[[dt.date], Any]:
    def aggregate(as_of: dt.date) -> Any:
        employments = Employment.objects.filter(
            eligible_q(months, as_of) & retained_q(months, as_of)
        ).values("worker_id")
        return Count("pk", filter=Q(pk__in=employments))

    return aggregate


FUNNEL_DIRECT = ReportDefinition(
    key="funnel",
    title=_("转移就业漏斗"),
    source=funnel_source,
    dimensions=(
        Dimension("county", _("户籍县区"), F("home_county_id"), label="home_county__name"),
    ),
    measures=(
        Measure("registered", _("已登记"), lambda as_of: Count("pk")),
        Measure("matched", _("已匹配"), _with_match(_MATCHED)),
        Measure("offered", _("已推荐"), _with_match(_OFFERED_OR_LATER)),
        Measure("accepted", _("已接受"), _with_match(_ACCEPTED_OR_LATER)),
        Measure("departed", _("已出发"), _boarded),
        Measure("arrived", _("已到岗"), _arrived),
        Measure("month_3", _("在岗满3个月"), _retained(3)),
        Measure("month_6", _("在岗满6个月"), _retained(6)),
    ),
)


# --- the two lists --------------------------------------------------------------------------


def demand_source(scope: Scope, year: int, as_of: dt.date) -> QuerySet[Worker]:
    """Return the 务工需求清单's rows: the scope's registered workers waiting to go."""
    first_wish = WishOccupation.objects.filter(worker=OuterRef("pk")).order_by("rank", "pk")
    first_city = WishCity.objects.filter(worker=OuterRef("pk")).order_by("rank", "pk")
    return Worker.objects.filter(
        home_county__code__startswith=scope.west_prefix, status=WorkerStatus.REGISTERED
    ).annotate(
        wish_occupation_id=Subquery(first_wish.values("occupation_id")[:1]),
        wish_occupation_zh=Subquery(first_wish.values("occupation__name_zh")[:1]),
        wish_occupation_en=Subquery(first_wish.values("occupation__name_en")[:1]),
        wish_city_name=Subquery(first_city.values("region__name")[:1]),
    )


DEMAND_DIRECT = ReportDefinition(
    key="demand",
    title=_("务工需求清单"),
    source=demand_source,
    dimensions=(
        Dimension("county", _("户籍县区"), F("home_county_id"), label="home_county__name"),
        Dimension("township", _("乡镇"), F("home_township_id"), label="home_township__name"),
        Dimension(
            "occupation",
            _("意向工种"),
            F("wish_occupation_id"),
            label="wish_occupation",
            bilingual=True,
        ),
        Dimension("destination", _("意向城市"), F("wish_city_name")),
        Dimension("month", _("最早出发月份"), ExtractMonth("earliest_departure"), display=_month),
    ),
    measures=(
        Measure("workers", _("人数"), lambda as_of: Count("pk")),
        Measure("wage", _("期望月薪（元）"), lambda as_of: Avg("min_wage")),
    ),
)


def supply_source(scope: Scope, year: int, as_of: dt.date) -> QuerySet[Vacancy]:
    """Return the 岗位供给清单's rows: open vacancies of the scope's eastern side."""
    east = Q(pk__in=[])
    for prefix in scope.east_prefixes:
        east |= Q(district__code__startswith=prefix)
    return Vacancy.objects.filter(east, status=VacancyStatus.OPEN).annotate(
        places=Case(
            When(headcount__gt=F("filled_count"), then=F("headcount") - F("filled_count")),
            default=Value(0),
            output_field=IntegerField(),
        )
    )


SUPPLY = ReportDefinition(
    key="supply",
    title=_("岗位供给清单"),
    source=supply_source,
    dimensions=(
        Dimension("district", _("务工县区"), F("district_id"), label="district__name"),
        Dimension("employer", _("用工企业"), F("employer_id"), label="employer__name"),
        Dimension(
            "occupation", _("工种"), F("occupation_id"), label="occupation__name", bilingual=True
        ),
        Dimension("wage", _("月薪下限（元）"), F("wage_min")),
        Dimension("month", _("到岗月份"), ExtractMonth("start_date"), display=_month),
        Dimension(
            "benefits",
            _("福利"),
            Coalesce(F("benefits_note"), Value("")),
        ),
    ),
    measures=(
        Measure("places", _("空缺人数"), lambda as_of: Sum("places")),
        Measure("wage", _("平均月薪下限（元）"), lambda as_of: Avg("wage_min")),
    ),
)


# --- what the dashboards read: the pre-aggregated tables -----------------------------------
# ``targets.aggregates`` fills PlacementCount, FunnelCount and DemandCount by running the
# direct definitions above grouped by all their dimensions; the definitions below add those
# rows up again. A figure is thus defined once (the direct measure) and the dashboards read
# it at the cost of a few thousand rows instead of a million. ``as_of`` is honoured to the
# month; retention (3 and 6 months) is as of the last refresh (``AggregateState.as_of``).


# Called before a dashboard reads the aggregate tables, to rebuild them when stale.
# ``targets.aggregates`` builds them from the direct definitions of this module, so this
# module cannot import it; the app's ``ready()`` registers ``aggregates_ensure`` here.
_BEFORE_READ: list[Callable[[], None]] = []


def before_read_register(hook: Callable[[], None]) -> None:
    """Run ``hook`` before each read of the aggregate tables (once per hook)."""
    if hook not in _BEFORE_READ:
        _BEFORE_READ.append(hook)


def _aggregates_fresh() -> None:
    for hook in _BEFORE_READ:
        hook()


def placement_counts_of(scope: Scope, year: int, as_of: dt.date) -> QuerySet[PlacementCount]:
    """Return the scope's pre-aggregated placements of ``year`` up to ``as_of``'s month."""
    _aggregates_fresh()
    rows = PlacementCount.objects.filter(
        year=year, home_county__code__startswith=scope.west_prefix
    ).order_by()
    if scope.employer_id is not None:
        rows = rows.filter(employer_id=scope.employer_id)
    if as_of.year == year:
        rows = rows.filter(month__lte=as_of.month)
    elif as_of.year < year:
        rows = rows.none()
    return rows


def _sum(column: str) -> Callable[[dt.date], Any]:
    return lambda as_of: Sum(column)


def _mean(total: str, count: str) -> Callable[[dt.date], Any]:
    """Return the mean of the direct ``Avg``: a sum over a count, both stored."""
    return lambda as_of: (
        Cast(Sum(total), FloatField()) / NullIf(Cast(Sum(count), FloatField()), Value(0.0))
    )


# The aggregate tables store a labelled dimension's id as ``<key>_id`` (the county as the
# worker's home county) and any other dimension under its key.
_STORED_AS = {"county": "home_county_id"}


def stored_column(dimension: Dimension) -> str:
    """Return the column of an aggregate table that stores ``dimension`` of a direct report."""
    if dimension.label is None:
        return dimension.key
    return _STORED_AS.get(dimension.key, f"{dimension.key}_id")


def _stored(direct: ReportDefinition) -> tuple[Dimension, ...]:
    """Return ``direct``'s dimensions read back from its aggregate table: each grouped on its
    stored column, labelled through that column's relation, titled and shown as before."""
    dimensions = []
    for dimension in direct.dimensions:
        column = stored_column(dimension)
        label = None if dimension.label is None else f"{column.removesuffix('_id')}__name"
        dimensions.append(replace(dimension, value=F(column), label=label))
    return tuple(dimensions)


def _summed(measures: Sequence[Measure], means: dict[str, tuple[str, str]]) -> tuple:
    """Return ``measures`` read back from an aggregate: its column summed (or a mean)."""
    return tuple(
        Measure(m.key, m.title, _mean(*means[m.key]) if m.key in means else _sum(m.key))
        for m in measures
    )


PLACEMENTS = ReportDefinition(
    key="placements",
    title=PLACEMENTS_DIRECT.title,
    source=placement_counts_of,
    dimensions=_stored(PLACEMENTS_DIRECT),
    measures=_summed(
        PLACEMENT_MEASURES,
        {
            "average_wage": ("wage_sum", "wage_count"),
            "promised_wage": ("promised_sum", "promised_count"),
        },
    ),
)


def funnel_counts_of(scope: Scope, year: int, as_of: dt.date) -> QuerySet[FunnelCount]:
    """Return the scope's pre-aggregated funnel of the workers registered up to ``year``."""
    _aggregates_fresh()
    return FunnelCount.objects.filter(
        created_year__lte=year, home_county__code__startswith=scope.west_prefix
    ).order_by()


FUNNEL = ReportDefinition(
    key="funnel",
    title=FUNNEL_DIRECT.title,
    source=funnel_counts_of,
    dimensions=_stored(FUNNEL_DIRECT),
    measures=_summed(FUNNEL_DIRECT.measures, {}),
)


def demand_counts_of(scope: Scope, year: int, as_of: dt.date) -> QuerySet[DemandCount]:
    """Return the scope's pre-aggregated 务工需求清单."""
    _aggregates_fresh()
    return DemandCount.objects.filter(home_county__code__startswith=scope.west_prefix).order_by()


DEMAND = ReportDefinition(
    key="demand",
    title=DEMAND_DIRECT.title,
    source=demand_counts_of,
    dimensions=_stored(DEMAND_DIRECT),
    measures=_summed(DEMAND_DIRECT.measures, {"wage": ("wage_sum", "wage_count")}),
)

REPORTS = {report.key: report for report in (PLACEMENTS, FUNNEL, DEMAND, SUPPLY)}
