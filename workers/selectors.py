"""Reads of the worker registry, always starting from a queryset scoped by ``access``."""

from __future__ import annotations

import re
from collections import namedtuple
from collections.abc import Callable
from types import SimpleNamespace

import django_filters
from django import forms
from django.db import connections, router
from django.db.models import Count, F, Prefetch, Q, QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from laborbridge import access, crypto
from laborbridge.identifiers import normalize_id_number, normalize_text
from laborbridge.models import AuditEvent, LaborBrand, Occupation, Region, Role, User
from laborbridge.pagination import RowsReader, keyset_query
from laborbridge.prepared import fetch_prepared
from laborbridge.selectors import chart_series
from laborbridge.templatetags.lb import companions_label, many_companions_text
from laborbridge.widgets import ChosenOnlySelect, PlainSelect, ReferenceSelect
from workers.models import (
    ConsentStatus,
    Education,
    PovertyStatus,
    TravelGroup,
    WishCity,
    Worker,
    WorkerSource,
    WorkerStatus,
)

_ID_LIKE = re.compile(r"^\d{17}[\dX]$")
# A 5-10 digit phone tail decrypts the workers sharing its last four: ~1 in 10,000 of a
# county, a few dozen µs each; the cap bounds a search on a very large scope.
PHONE_TAIL_CANDIDATES = 5000


def is_id_number_like(term: str) -> bool:
    return bool(_ID_LIKE.match(normalize_id_number(normalize_text(term))))


def worker_search(workers: QuerySet[Worker], term: str) -> QuerySet[Worker]:
    """Filter by a search term: an ID number (exact, via the blind index), a phone or a name.

    An 18-character ID number and an 11-digit phone are looked up by their HMAC, so the
    search never decrypts; 4 digits match a phone's stored last four. 5 to 10 digits narrow
    by the last four in SQL and compare the rest after decrypting those few candidates
    (at most PHONE_TAIL_CANDIDATES). Anything else is a name.
    """
    text = normalize_text(term)
    if not text:
        return workers
    number = normalize_id_number(text)
    if _ID_LIKE.match(number):
        return workers.filter(id_number_index=crypto.id_number_blind_index(number))
    digits = text.replace("-", "")
    if digits.isdigit():
        if len(digits) == 11:
            return workers.filter(phone_index=crypto.phone_blind_index(digits))
        if len(digits) == 4:
            return workers.filter(phone_last4=digits)
        if 4 < len(digits) < 11:
            candidates = workers.filter(phone_last4=digits[-4:]).values_list(
                "pk", "phone_encrypted"
            )[:PHONE_TAIL_CANDIDATES]
            return workers.filter(
                pk__in=[
                    pk for pk, blob in candidates if crypto.phone_decrypt(blob).endswith(digits)
                ]
            )
        return workers.none()
    return workers.filter(name__contains=text)


def _townships(request) -> QuerySet[Region]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return Region.objects.none()
    if user.township_id:  # a township officer: their township only
        return Region.objects.filter(pk=user.township_id)
    if user.county_id:
        return Region.objects.filter(parent_id=user.county_id, level=Region.Level.TOWNSHIP)
    return Region.objects.filter(level=Region.Level.TOWNSHIP)


def _groups(request) -> QuerySet[TravelGroup]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return TravelGroup.objects.none()
    # A county has one group per family that travels together (1,666 at 50,000 people).
    groups = TravelGroup.objects.all()
    if user.county_id:
        return groups.filter(home_county_id=user.county_id)
    return groups


_YES_NO = [("true", _("是")), ("false", _("否"))]


@extend_schema_field(OpenApiTypes.STR)
class _CodeChoiceFilter(django_filters.ModelChoiceFilter):
    """A model choice given by its primary key (occupation id, region code)."""


class WorkerFilter(django_filters.FilterSet):
    """The registry's filters, shared by the list page, the export and the API."""

    township = django_filters.ModelChoiceFilter(
        field_name="home_township",
        queryset=_townships,
        label=_("乡镇"),
        empty_label=_("全部乡镇"),
        widget=PlainSelect,
    )
    status = django_filters.ChoiceFilter(
        choices=WorkerStatus.choices, label=_("状态"), empty_label=_("全部状态")
    )
    poverty_status = django_filters.ChoiceFilter(
        choices=PovertyStatus.choices, label=_("帮扶身份"), empty_label=_("全部帮扶身份")
    )
    consent_status = django_filters.ChoiceFilter(
        choices=ConsentStatus.choices, label=_("授权"), empty_label=_("全部授权状态")
    )
    education = django_filters.ChoiceFilter(
        choices=Education.choices, label=_("文化程度"), empty_label=_("全部文化程度")
    )
    occupation = _CodeChoiceFilter(
        queryset=Occupation.objects.order_by("code"),
        method="filter_occupation",
        label=_("工种（技能或意向）"),
        empty_label=_("全部工种"),
        widget=ReferenceSelect("worker_filter.occupation"),
    )
    wish_city = _CodeChoiceFilter(
        queryset=Region.objects.filter(level__in=["city", "county"]),
        method="filter_wish_city",
        label=_("意向城市"),
        empty_label=_("全部意向城市"),
        # 3,178 cities and counties: rendered once a process, not on every page
        widget=ReferenceSelect("worker_filter.wish_city"),
    )
    labor_brand = django_filters.ModelChoiceFilter(
        queryset=LaborBrand.objects.order_by("code"), label=_("劳务品牌"), empty_label=_("全部品牌")
    )
    travel_group = django_filters.ModelChoiceFilter(
        queryset=_groups,
        label=_("同行组"),
        empty_label=_("全部同行组"),
        # TravelGroup.__str__ is its name; a row's "与…同行" link chooses one
        widget=ChosenOnlySelect(label_field="name"),
    )
    accepts_dormitory = django_filters.ChoiceFilter(
        choices=_YES_NO, method="filter_yes_no", label=_("接受住宿舍"), empty_label=_("住宿舍不限")
    )
    accepts_shift_work = django_filters.ChoiceFilter(
        choices=_YES_NO, method="filter_yes_no", label=_("接受倒班"), empty_label=_("倒班不限")
    )
    max_min_wage = django_filters.NumberFilter(
        field_name="min_wage", lookup_expr="lte", label=_("期望月薪不高于")
    )
    departs_by = django_filters.DateFilter(
        field_name="earliest_departure",
        lookup_expr="lte",
        label=_("最早出发不晚于"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Worker
        fields: list[str] = []

    def filter_yes_no(self, queryset, name, value):
        if value not in ("true", "false"):
            return queryset
        return queryset.filter(**{name: value == "true"})

    def filter_occupation(self, queryset, name, value):
        if not value:
            return queryset
        skilled = Worker.objects.filter(skills__occupation=value).values("pk")
        wished = Worker.objects.filter(wish_occupation_links__occupation=value).values("pk")
        return queryset.filter(Q(pk__in=skilled) | Q(pk__in=wished))

    def filter_wish_city(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            pk__in=Worker.objects.filter(wish_city_links__region=value).values("pk")
        )


# The registry's sort, backed by the index of the same columns (pages seek it by keyset).
WORKER_LIST_KEYS = ("home_county_id", "name", "id")


def wish_city_choices_for(user: User, chosen=()) -> list[tuple[str, str]]:
    """Return (code, name) of the cities and counties the user's workers wish to work in,
    with any valid ``chosen`` code, by code: the list page's wish-city filter choices."""
    codes = {
        *WishCity.objects.filter(worker__in=access.workers_visible_to(user))
        .values_list("region_id", flat=True)
        .distinct(),
        *(code for code in chosen if code),
    }
    regions = Region.objects.filter(pk__in=codes, level__in=["city", "county"]).order_by("code")
    return [(region.pk, str(region)) for region in regions]


def worker_list_for(user: User) -> QuerySet[Worker]:
    """Return the user's workers with what a list row shows, in two queries per page."""
    return (
        access.workers_visible_to(user)
        .select_related("home_county", "home_township", "home_village", "travel_group")
        # a travel group is shown as its members' names (its name is often a code)
        .prefetch_related(
            Prefetch(
                "travel_group__members",
                queryset=Worker.objects.only("pk", "name", "travel_group_id").order_by("pk"),
            )
        )
    )


def worker_filter_named(params) -> bool:
    """Return whether ``params`` name a filter of ``WorkerFilter``."""
    return any(name in params for name in WorkerFilter.base_filters)


def worker_filtered(
    params, workers: QuerySet[Worker], request
) -> tuple[WorkerFilter | None, QuerySet[Worker]]:
    """Return the filter set of ``params`` and ``workers`` filtered by it; no filter set when
    ``params`` names no filter (a list's first look, its "next" pages), the workers as they
    are: a ``WorkerFilter`` deep-copies its 13 filters and their form fields and validates
    the form, ~1.5 ms a request of the registry's list page and API for no filtering."""
    if not worker_filter_named(params):
        return None, workers
    filters = WorkerFilter(params, queryset=workers, request=request)
    return filters, filters.qs


# What a row of the list page reads, as named tuples (not Worker instances with their
# township, village and group: 200 model objects a page) of these columns only; the rest of
# a worker, ~30 columns and two encrypted blobs, is not fetched. The keyset keys
# (WORKER_LIST_KEYS) are among them.
_PAGE_ROW_COLUMNS = (
    "id",
    "name",
    "home_county_id",
    "id_number_masked",
    "birth_date",
    "sex",
    "phone_masked",
    "township_name",
    "village_name",
    "home_village_id",
    "home_village_name",
    "poverty_status",
    "consent_status",
    "status",
    "travel_group_id",
    "group_kind",
)


def worker_page_rows_of(workers: QuerySet[Worker]) -> QuerySet:
    """Return ``workers`` (the user's, filtered) as the list page's row tuples: township and
    village names and the group's kind joined, one query per page; the companions' names
    come from ``worker_page_rows``."""
    return workers.annotate(
        township_name=F("home_township__name"),
        village_name=F("home_village__name"),
        group_kind=F("travel_group__kind"),
    ).values_list(*_PAGE_ROW_COLUMNS, named=True)


def worker_list_scope(user: User) -> tuple | None:
    """Return what the unfiltered registry ``user`` sees depends on when it is the user's own
    fields — ``(ADMIN,)`` for an admin (every worker), ``(COUNTY_OFFICIAL, county)`` for a
    county official (``access.workers_visible_to`` narrows by the county alone) — or None
    for the other scopes (pairings, townships, placements), which read other tables."""
    role = Role.ADMIN if user.is_superuser else user.role
    if user.is_active and role == Role.ADMIN:
        return (Role.ADMIN,)
    if user.is_active and role == Role.COUNTY_OFFICIAL and user.county_id:
        return (Role.COUNTY_OFFICIAL, user.county_id)
    return None


# The list page's two queries compiled once a process: building and compiling them through
# the ORM (scope, joins, seek, order; the members' IN list) cost ~1 ms of CPU of a ~6 ms
# page (issue 17 item 3), executing the SQL ~0.1 ms. Each is compiled from the ORM's own
# queryset with marker parameters, so the SQL is what the ORM would send; a query with a
# parameter that is not a marker, or columns that need converting, stays with the ORM.
# (query, database alias, …) -> (SQL, where each parameter comes from) or None
_COMPILED: dict[tuple, tuple[str, tuple[int, ...]] | None] = {}
# Markers: never data (no county code or name holds a NUL).
_SCOPE_MARK = "\x00scope"
_KEY_MARKS = tuple(f"\x00key{i}" for i in range(len(WORKER_LIST_KEYS)))
_PageRow = namedtuple("_PageRow", _PAGE_ROW_COLUMNS)


def _compiled(queryset: QuerySet, alias: str, marks: tuple, columns: tuple[str, ...]):
    """Return (SQL, the index in ``marks`` of each parameter) of ``queryset`` on ``alias``,
    or None when it cannot be read as plain SQL (a parameter not among ``marks``, result
    columns not ``columns`` or needing the ORM's converters)."""
    compiler = queryset.query.get_compiler(alias)
    sql, params = compiler.as_sql()
    selected = [expression for expression, _sql, _alias in compiler.select]
    if (
        tuple(alias for _expression, _sql, alias in compiler.select) != columns
        or compiler.get_converters(selected)
        or any(param not in marks for param in params)
    ):
        return None
    return sql, tuple(marks.index(param) for param in params)


# On PostgreSQL the compiled row statement also reads each row's companions: the names of
# the other members of its travel group by id, an array subquery on the group's index per
# row (NULL for a worker in no group). A second statement a page (planned every time, a
# round trip more) was ~0.3 ms of PostgreSQL's CPU.
_COMPANIONS_SQL = (
    "CASE WHEN {table}.travel_group_id IS NULL THEN NULL ELSE ARRAY("
    "SELECT companion.name FROM {table} companion"
    " WHERE companion.travel_group_id = {table}.travel_group_id AND companion.id <> {table}.id"
    " ORDER BY companion.id) END"
)
_PageRowCompanions = namedtuple("_PageRowCompanions", (*_PAGE_ROW_COLUMNS, "companion_names"))


def _page_rows(workers: QuerySet, alias: str) -> tuple[QuerySet, type]:
    """Return the list page's row query of ``workers`` and its row type: on PostgreSQL with
    each row's companions (``_COMPANIONS_SQL``)."""
    rows = worker_page_rows_of(workers)
    if connections[alias].vendor != "postgresql":
        return rows, _PageRow
    table = connections[alias].ops.quote_name(Worker._meta.db_table)
    rows = rows.annotate(
        companion_names=RawSQL(_COMPANIONS_SQL.format(table=table), (), TextField())
    ).values_list(*_PAGE_ROW_COLUMNS, "companion_names", named=True)
    return rows, _PageRowCompanions


# Builds a compiled reader's rows from the user's workers on a database alias: (the row
# query, the named tuple type of its rows, whose fields are the query's columns).
RowsOf = Callable[[QuerySet, str], tuple[QuerySet, type]]


def _rows_query(rows_of: RowsOf, alias: str, role: str, operator: str | None, limit: int):
    key = (rows_of, alias, role, operator, limit)
    if key not in _COMPILED:
        marker = User(role=role, county_id=_SCOPE_MARK, is_active=True)
        rows, row_type = rows_of(access.workers_visible_to(marker).using(alias), alias)
        rows = keyset_query(rows, WORKER_LIST_KEYS, operator, _KEY_MARKS, limit)
        compiled = _compiled(rows, alias, (*_KEY_MARKS, _SCOPE_MARK), row_type._fields)
        _COMPILED[key] = compiled and (*compiled, row_type)
    return _COMPILED[key]


def worker_rows_reader(user: User, rows_of: RowsOf) -> RowsReader | None:
    """Return the reader of the unfiltered list's rows of ``user`` (``keyset_page``'s
    ``read``) as ``rows_of`` shapes them, by SQL compiled once a process, for the scopes of
    ``worker_list_scope``; None for the others (read through the ORM)."""
    scope = worker_list_scope(user)
    if scope is None:
        return None
    alias = router.db_for_read(Worker)

    def read(operator: str | None, values, limit: int) -> list:
        compiled = _rows_query(rows_of, alias, scope[0], operator, limit)
        if compiled is None:
            rows, _row_type = rows_of(access.workers_visible_to(user).using(alias), alias)
            return list(keyset_query(rows, WORKER_LIST_KEYS, operator, values, limit))
        sql, slots, row_type = compiled
        # slot len(_KEY_MARKS) is the scope's county (an admin's query has none)
        params = [values[slot] if slot < len(_KEY_MARKS) else scope[1] for slot in slots]
        return [row_type(*row) for row in fetch_prepared(alias, sql, params)]

    return read


def worker_page_reader(user: User) -> RowsReader | None:
    """Return the reader of the unfiltered list page's rows of ``user``
    (``worker_rows_reader``)."""
    return worker_rows_reader(user, _page_rows)


def _group_members(groups: list[int]) -> list[tuple[int, int, str]]:
    """Return (group, worker, name) of the members of ``groups``, by worker id."""
    alias = router.db_for_read(Worker)
    key = ("members", alias, len(groups))
    compiled = _COMPILED.get(key, False)
    if compiled is not None and compiled is not False:
        sql, slots = compiled
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, [groups[slot] for slot in slots])
            return cursor.fetchall()
    members = (
        Worker.objects.using(alias)
        .filter(travel_group_id__in=groups)
        .order_by("pk")
        .values_list("travel_group_id", "pk", "name")
    )
    if compiled is False:
        # compiled with this page's own ids as the markers (each appears once)
        _COMPILED[key] = _compiled(members, alias, tuple(groups), ("travel_group_id", "pk", "name"))
    return list(members)


def _labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


# language -> the rows' labels (sex, poverty status, consent, status, group kind): each
# label a gettext on every page was ~0.2 ms; the choices are the code's, fixed per process.
_PAGE_LABELS: dict[str, tuple[dict[str, str], ...]] = {}


def _page_labels() -> tuple[dict[str, str], ...]:
    language = get_language() or ""
    if language not in _PAGE_LABELS:
        _PAGE_LABELS[language] = (
            _labels(Worker._meta.get_field("sex").choices),
            _labels(PovertyStatus.choices),
            _labels(ConsentStatus.choices),
            _labels(WorkerStatus.choices),
            _labels(TravelGroup.Kind.choices),
        )
    return _PAGE_LABELS[language]


def worker_page_rows(workers: list) -> list[dict]:
    """Return the list page's rows as display values (labels, age, companions) for the row
    tuples of ``worker_page_rows_of``: one query for the travel groups' members.

    The page then writes plain strings: Django's ``get_FOO_display`` re-hashes the field's
    choices on every call and a template resolves each attribute through several lookups
    (~40 % of the page's CPU with 50 rows).
    """
    # rows read with their companions' names (``_PageRowCompanions``) need no second query
    read_with_companions = bool(workers) and hasattr(workers[0], "companion_names")
    groups = (
        []
        if read_with_companions
        else list({w.travel_group_id for w in workers if w.travel_group_id})
    )
    members: dict[int, list[tuple[int, str]]] = {}
    if groups:
        for group, pk, name in _group_members(groups):
            members.setdefault(group, []).append((pk, name))
    sexes, poverty, consent, statuses, kinds = _page_labels()
    many = many_companions_text()  # translated once a page, not once a row
    today = timezone.localdate()
    day = (today.month, today.day)
    result = []
    for worker in workers:
        companions = kind = ""
        if worker.travel_group_id:
            companions = companions_label(
                worker.companion_names
                if read_with_companions
                else [
                    name for pk, name in members.get(worker.travel_group_id, ()) if pk != worker.id
                ],
                many,
            )
            kind = kinds.get(worker.group_kind, worker.group_kind)
        born = worker.birth_date
        result.append(
            {
                "pk": worker.id,
                "name": worker.name,
                "id_number_masked": worker.id_number_masked,
                "sex": sexes.get(worker.sex, worker.sex),
                # Worker.age_on
                "age": today.year - born.year - (day < (born.month, born.day)),
                "phone_masked": worker.phone_masked,
                "township": worker.township_name or "",
                # Worker.village_display
                "village": worker.village_name
                if worker.home_village_id
                else worker.home_village_name,
                "poverty_status": poverty.get(worker.poverty_status, worker.poverty_status),
                "consent_given": worker.consent_status == ConsentStatus.GIVEN,
                "consent_status": consent.get(worker.consent_status, worker.consent_status),
                "status": statuses.get(worker.status, worker.status),
                "travel_group_id": worker.travel_group_id,
                "travel_group_kind": kind,
                "companions": companions,
            }
        )
    return result


# The columns of an API list row (workers.api.WorkerOutputSerializer): not the encrypted
# ID number and phone, their blind indexes, the note and the wishes' free text.
API_ROW_FIELDS = (
    "name",
    "id_number_masked",
    "phone_masked",
    "birth_date",
    "sex",
    "home_county_id",
    "home_township_id",
    "home_village_id",
    "home_village_name",
    "poverty_status",
    "education",
    "status",
    "consent_status",
    "consent_given_on",
    "min_wage",
    "earliest_departure",
    "accepts_dormitory",
    "accepts_shift_work",
    "travel_group__name",
    "source",
    "created_at",
    "updated_at",
)


def worker_rows_for_api(user: User) -> QuerySet[Worker]:
    """Return the user's workers with what an API list row shows (region codes are the
    worker's own columns; only the travel group's name is joined): one query per page."""
    return access.workers_visible_to(user).select_related("travel_group").only(*API_ROW_FIELDS)


def worker_detail_for(user: User) -> QuerySet[Worker]:
    return access.workers_visible_to(user).select_related(
        "home_county",
        "home_township",
        "home_village",
        "labor_brand",
        "travel_group",
        "registered_by",
    )


HISTORY_ACTIONS = {
    "worker.register": _("登记"),
    "worker.update": _("修改"),
    "worker.status": _("变更状态"),
    "worker.consent": _("记录授权"),
    "worker.consent_withdraw": _("撤回授权"),
    "worker.reveal_id_number": _("查看完整身份证号"),
    "worker.reveal_phone": _("查看完整手机号"),
    "worker.phone_call": _("上车点名时拨打手机号"),
    # The worker's personal link (selfservice) and what the worker did through it.
    "personal_link.issue": _("发放个人链接"),
    "personal_link.revoke": _("停用个人链接"),
    "personal_link.confirm": _("本人确认在岗"),
    "personal_link.job_change": _("本人报告换岗"),
    "personal_link.case": _("本人反映问题"),
}
_HISTORY_FIELDS = {
    "wish_cities": _("意向城市"),
    "wish_occupations": _("意向工种"),
    "skills": _("技能"),
    "certificates": _("证书"),
    "consent": _("授权"),
    "township": _("乡镇"),
    "village": _("村"),
    "skill_occupation": _("技能"),
    "certificate_type": _("证书"),
    "consent_given_on": _("授权日期"),
    "import_job": _("导入批次"),
    "source": _("来源"),
    "link": _("个人链接"),
    "replaced": _("替换的旧链接"),
    "expires_at": _("有效期至"),
    "via": _("途径"),
    "case": _("问题反映"),
    "kind": _("问题类型"),
    "event": _("就业经历记录"),
}


def _field_label(name: str) -> str:
    if name in _HISTORY_FIELDS:
        return str(_HISTORY_FIELDS[name])
    try:
        return str(Worker._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - an old event may name a field that is gone
        return name


def worker_history(worker: Worker, limit: int = 100) -> list[AuditEvent]:
    """Return who changed or revealed what of ``worker``, newest first, labelled in Chinese."""
    events = list(
        AuditEvent.objects.filter(target_type="workers.worker", target_id=str(worker.pk))
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )
    for event in events:
        event.label = str(HISTORY_ACTIONS.get(event.action, event.action))
        if event.action == "worker.register":
            event.fields = _registration_summary(event.changes)
        else:
            event.fields = [_field_label(name) for name in event.changes if name != "import_job"]
    if len(events) < limit and not any(e.action == "worker.register" for e in events):
        # Records from before registrations were audited (or loaded as demo data) still
        # begin with their registration: when and by whom the worker was entered.
        events.append(_registration_row(worker))
    return events


def _registration_summary(changes: dict) -> list[str]:
    """Return what a registration event says: how the worker came in (and which import)."""
    parts = []
    source = changes.get("source")
    if source in WorkerSource.values:
        parts.append(_("来源：%(source)s") % {"source": WorkerSource(source).label})
    if changes.get("import_job"):
        parts.append(_("导入批次 #%(job)s") % {"job": changes["import_job"]})
    return parts or [_("登记为劳动力")]


def _registration_row(worker: Worker) -> SimpleNamespace:
    by = worker.registered_by
    return SimpleNamespace(
        created_at=worker.created_at,
        actor_label=(by.get_full_name() or by.username) if by else "",
        label=str(HISTORY_ACTIONS["worker.register"]),
        fields=_registration_summary({"source": worker.source}),
        reason="",
        action="worker.register",
    )


def travel_group_members(worker: Worker) -> list[Worker]:
    if not worker.travel_group_id:
        return []
    return list(
        Worker.objects.filter(travel_group_id=worker.travel_group_id)
        .exclude(pk=worker.pk)
        .only("pk", "name", "id_number_masked", "status")
    )


def home_figures(user: User) -> dict:
    """Return the worker figures of the user's home page (registered in ``WorkersConfig``)."""
    workers = access.workers_visible_to(user)
    data: dict = {"worker_total": workers.count()}
    if not data["worker_total"]:
        return data
    data["workers_by_status"] = chart_series(
        workers.values(key=F("status")).annotate(n=Count("id")), dict(WorkerStatus.choices)
    )
    data["workers_by_poverty"] = chart_series(
        workers.values(key=F("poverty_status")).annotate(n=Count("id")),
        dict(PovertyStatus.choices),
    )
    # A county official sees their townships, everyone else the counties.
    by_township = access.has_role(user, Role.COUNTY_OFFICIAL)
    field = "home_township_id" if by_township else "home_county_id"
    rows = list(
        workers.exclude(**{field: None})
        .values(key=F(field))
        .annotate(n=Count("id"))
        .order_by("-n")[:12]
    )
    names = dict(Region.objects.filter(pk__in=[r["key"] for r in rows]).values_list("code", "name"))
    data["workers_by_area"] = chart_series(rows, names)
    return data
