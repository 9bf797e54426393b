"""Pages of targets: the dashboards (pairing, county), the two lists, the agreements.

Every page starts from a scope the user may see (``laborbridge.access``): a pairing or a
county outside it answers 404. Numbers come from ``targets.reports`` only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from laborbridge import access
from laborbridge.models import Occupation, Region, Role
from laborbridge.spreadsheets import download, xlsx_table
from targets import aggregates, charts, selectors, services
from targets.models import Bucket, ListSnapshot, MonthlyReport
from targets.reports import DEMAND, FUNNEL, REPORTS, SUPPLY, Scope, report_table

VIEWERS = (Role.COORDINATOR, Role.COUNTY_OFFICIAL, Role.ADMIN)
GAP_HEADERS = ("工种", "月份", "求职人数", "空缺岗位", "缺口（岗位−人数）")


def _year(request, today: dt.date) -> int:
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        return today.year
    return year if 2000 <= year <= 2100 else today.year


def _scope(request, kind: str, key: Any) -> Scope:
    """Return the scope named by the URL, or 404 when it is outside the user's."""
    if kind == "pairing":
        pairing = get_object_or_404(access.pairings_with_dashboard(request.user), pk=key)
        return selectors.pairing_scope(pairing)
    if kind == "county":
        county = get_object_or_404(access.counties_with_dashboard(request.user), pk=key)
        return selectors.county_scope(county)
    if kind == "all" and access.is_admin(request.user):
        return selectors.country_scope()
    raise Http404


@access.require_role(*VIEWERS)
def dashboard(request):
    """Open the user's own dashboard; admins pick a pairing or a county."""
    return _own(
        request,
        pairing="targets:pairing",
        county="targets:county",
        everything="targets:all",
        title=_("协作看板"),
    )


def _own(request, *, pairing: str, county: str, title: str, everything: str = ""):
    """Redirect to the user's own page: a coordinator's first pairing, an official's county,
    an admin's whole country (``everything``, when given); else let the user pick a pairing."""
    pairings = list(access.pairings_with_dashboard(request.user))
    if access.has_role(request.user, Role.COORDINATOR) and pairings:
        return redirect(pairing, key=pairings[0].pk)
    if access.has_role(request.user, Role.COUNTY_OFFICIAL):
        own = access.counties_with_dashboard(request.user).first()
        if own is not None:
            return redirect(county, key=own.pk)
    if everything and access.is_admin(request.user):
        return redirect(everything)
    return render(
        request, "targets/pick.html", {"pairings": pairings, "title": title, "target": pairing}
    )


def _xlsx_url(kind: str, key) -> str:
    if kind == "all":
        return reverse("targets:all_report_xlsx")
    return reverse(f"targets:{kind}_report_xlsx", kwargs={"key": key})


@access.require_role(*VIEWERS)
def scope_dashboard(request, kind: str, key):
    """The dashboard of a pairing (coordinator) or a county (official): progress against
    the agreement by month and bucket, the funnel, the flows, the breakdowns."""
    scope = _scope(request, kind, key)
    today = timezone.localdate()
    year = _year(request, today)
    progress = selectors.progress_of(scope, year=year, as_of=today)
    funnel = report_table(FUNNEL, scope=scope, year=year, as_of=today)
    counties, pairings = [], []
    if kind == "all":
        pairings = list(access.pairings_with_dashboard(request.user))
    if scope.pairing is not None:
        counties = list(
            access.counties_with_dashboard(request.user).filter(code__startswith=scope.west_prefix)
        )
    chart_data = {
        "chart-placements": charts.placements_chart(progress),
        "chart-buckets": charts.buckets_chart(progress),
        "chart-funnel": charts.funnel_chart(funnel),
        "chart-flows": charts.flows_chart(progress.tables["flows"]),
    }
    breakdowns = [
        progress.tables[key]
        for key in ("county", "district", "employer", "occupation", "poverty_status")
    ]
    return render(
        request,
        "targets/dashboard.html",
        {
            "scope": scope,
            "kind": kind,
            "key": key,
            "year": year,
            "years": range(today.year - 2, today.year + 2),
            "progress": progress,
            "funnel": funnel,
            "funnel_rows": list(zip(funnel.headers, funnel.rows[0], strict=True)),
            "chart_data": chart_data,
            "breakdowns": breakdowns,
            "counties": counties,
            "pairings": pairings,
            "xlsx_url": _xlsx_url(kind, key),
            "total_target": progress.targets.total,
        },
    )


# Coordinators and officials are refused: the counts by home county would show them other
# pairings' and counties' workers at a shared employer.
EMPLOYER_VIEWERS = (Role.EMPLOYER_HR, Role.ADMIN)


def _employer_scope(request, key) -> Scope:
    """Return the employer's scope, or 404 when the user may not see the employer."""
    employer = get_object_or_404(access.employers_visible_to(request.user), pk=key)
    return selectors.employer_scope(employer)


@access.require_role(Role.EMPLOYER_HR)
def employer_home(request):
    """Open the HR user's own company dashboard."""
    employer = access.employers_visible_to(request.user).order_by("pk").first()
    if employer is None:
        raise Http404
    return redirect("targets:employer", key=employer.pk)


@access.require_role(*EMPLOYER_VIEWERS)
def employer_dashboard(request, key):
    """The employer's dashboard: its placements by month, retention at 3 and 6 months and
    the wage paid against the wage its vacancies promised, by occupation and home county."""
    scope = _employer_scope(request, key)
    today = timezone.localdate()
    year = _year(request, today)
    progress = selectors.progress_of(scope, year=year, as_of=today)
    return render(
        request,
        "targets/employer_dashboard.html",
        {
            "scope": scope,
            "key": key,
            "year": year,
            "years": range(today.year - 2, today.year + 2),
            "progress": progress,
            "chart_data": {"chart-placements": charts.placements_chart(progress)},
            "breakdowns": [progress.tables[k] for k in ("occupation", "county", "poverty_status")],
        },
    )


@access.require_role(*EMPLOYER_VIEWERS)
def employer_report_xlsx(request, key):
    """Download one placements table of the employer as .xlsx (``by``: dimensions)."""
    return _report_xlsx(request, _employer_scope(request, key))


@access.require_role(*VIEWERS)
def report_xlsx(request, kind: str, key):
    """Download one report of the scope as .xlsx: ``report`` and ``by`` (dimensions)."""
    return _report_xlsx(request, _scope(request, kind, key))


def _report_xlsx(request, scope: Scope) -> HttpResponse:
    today = timezone.localdate()
    year = _year(request, today)
    definition = REPORTS.get(request.GET.get("report", "placements"))
    if definition is None:
        raise Http404
    by = [part for part in request.GET.get("by", "").split(",") if part]
    try:
        table = report_table(definition, scope=scope, year=year, as_of=today, by=by)
    except KeyError:
        raise Http404 from None
    content = xlsx_table(title=str(table.title), headers=table.headers, rows=table.rows)
    suffix = "-".join(by) or "total"
    return download(content, f"{definition.key}-{year}-{suffix}.xlsx")


# --- the two lists --------------------------------------------------------------------------


@access.require_role(*VIEWERS)
def lists(request):
    """Open the user's own two lists; admins pick a pairing."""
    return _own(
        request,
        pairing="targets:pairing_lists",
        county="targets:county_lists",
        title=_("两张清单"),
    )


def _list_filters(request, scope: Scope) -> tuple[Scope, dict[str, Any], dict[str, str]]:
    """Return the scope narrowed to a chosen county, the report filters and the form's values
    (bad values are ignored, as a filter form does)."""
    chosen = {"county": "", "occupation": "", "month": ""}
    filters: dict[str, Any] = {}
    county = request.GET.get("county", "")
    if county and scope.pairing is not None:
        region = (
            access.counties_with_dashboard(request.user)
            .filter(pk=county, code__startswith=scope.west_prefix)
            .first()
        )
        if region is not None:
            scope = dataclasses.replace(scope, west_prefix=region.code)
            chosen["county"] = region.pk
    occupation = request.GET.get("occupation", "")
    if occupation.isdigit() and Occupation.objects.filter(pk=occupation).exists():
        filters["occupation"] = int(occupation)
        chosen["occupation"] = occupation
    month = request.GET.get("month", "")
    if month.isdigit() and 1 <= int(month) <= 12:
        filters["month"] = int(month)
        chosen["month"] = month
    return scope, filters, chosen


@access.require_role(*VIEWERS)
def scope_lists(request, kind: str, key):
    """The two lists side by side by occupation and month with the gap; filterable."""
    scope = _scope(request, kind, key)
    today = timezone.localdate()
    year = _year(request, today)
    narrowed, filters, chosen = _list_filters(request, scope)
    gap = selectors.gap_of(narrowed, year=year, as_of=today, filters=filters)
    demand = report_table(
        DEMAND,
        scope=narrowed,
        year=year,
        as_of=today,
        by=("county", "township", "occupation", "destination", "month"),
        filters=filters,
    )
    supply = report_table(
        SUPPLY,
        scope=narrowed,
        year=year,
        as_of=today,
        by=("district", "employer", "occupation", "wage", "month", "benefits"),
        filters=filters,
    )
    counties = []
    if scope.pairing is not None:
        counties = list(
            access.counties_with_dashboard(request.user).filter(code__startswith=scope.west_prefix)
        )
    may_pin = scope.pairing is not None and access.is_coordinator(request.user)
    snapshots = selectors.snapshots_of(scope)[:20] if may_pin else []
    return render(
        request,
        "targets/lists.html",
        {
            "scope": scope,
            "kind": kind,
            "key": key,
            "year": year,
            "gap": gap,
            "demand": demand,
            "supply": supply,
            "chart_data": {"chart-gap": charts.gap_chart(gap)},
            "counties": counties,
            "occupations": Occupation.objects.order_by("code").only(
                "pk", "code", "name_zh", "name_en"
            ),
            "months": range(1, 13),
            "chosen": chosen,
            "query": request.GET.urlencode(),
            "may_pin": may_pin,
            "snapshots": snapshots,
        },
    )


def _gap_rows(gap: list[dict[str, Any]]) -> list[list[Any]]:
    return [[r["occupation"], r["month"], r["workers"], r["places"], r["gap"]] for r in gap]


@access.require_role(*VIEWERS)
def list_xlsx(request, kind: str, key, which: str):
    """Download the 务工需求清单, the 岗位供给清单 or the gap as .xlsx (with the page's filters)."""
    scope = _scope(request, kind, key)
    today = timezone.localdate()
    year = _year(request, today)
    narrowed, filters, _chosen = _list_filters(request, scope)
    if which == "gap":
        gap = selectors.gap_of(narrowed, year=year, as_of=today, filters=filters)
        content = xlsx_table(
            title=_("两张清单缺口"), headers=[_(h) for h in GAP_HEADERS], rows=_gap_rows(gap)
        )
        return download(content, f"gap-{year}.xlsx")
    if which == "demand":
        by = ("county", "township", "occupation", "destination", "month")
        table = report_table(DEMAND, scope=narrowed, year=year, as_of=today, by=by, filters=filters)
    elif which == "supply":
        by = ("district", "employer", "occupation", "wage", "month", "benefits")
        table = report_table(SUPPLY, scope=narrowed, year=year, as_of=today, by=by, filters=filters)
    else:
        raise Http404
    content = xlsx_table(title=str(table.title), headers=table.headers, rows=table.rows)
    return download(content, f"{which}-{year}.xlsx")


@require_POST
@access.require_role(*access.COORDINATORS)
def snapshot_pin(request, pk: int):
    """Pin today's gap of the pairing (with the page's filters) as a dated snapshot."""
    scope = _scope(request, "pairing", pk)
    today = timezone.localdate()
    year = _year(request, today)
    narrowed, filters, chosen = _list_filters(request, scope)
    gap = selectors.gap_of(narrowed, year=year, as_of=today, filters=filters)
    assert scope.pairing is not None
    snapshot = services.list_snapshot_pin(
        actor=request.user,
        pairing=scope.pairing,
        taken_on=today,
        title=request.POST.get("title", ""),
        payload={"year": year, "filters": chosen, "gap": gap},
    )
    messages.success(request, _("已固定两张清单快照。"))
    return redirect("targets:snapshot", pk=snapshot.pk)


def _snapshots_visible(request):
    return ListSnapshot.objects.filter(
        pairing__in=access.pairings_with_dashboard(request.user)
    ).select_related("pairing", "taken_by")


@access.require_role(*access.COORDINATORS)
def snapshot_detail(request, pk: int):
    """Show a pinned snapshot as it was taken (frozen)."""
    snapshot = get_object_or_404(_snapshots_visible(request), pk=pk)
    if request.GET.get("format") == "xlsx":
        content = xlsx_table(
            title=snapshot.title,
            headers=[_(h) for h in GAP_HEADERS],
            rows=_gap_rows(snapshot.payload.get("gap", [])),
        )
        return download(content, f"gap-snapshot-{snapshot.taken_on.isoformat()}.xlsx")
    return render(
        request,
        "targets/snapshot_detail.html",
        {"snapshot": snapshot, "gap": snapshot.payload.get("gap", [])},
    )


# --- agreements and targets -------------------------------------------------------------------


@access.require_role(*access.COORDINATORS)
def agreement_list(request):
    """The agreements of the user's pairings; a form to add (or update) a year's agreement."""
    pairings = access.pairings_with_dashboard(request.user)
    if request.method == "POST":
        pairing = get_object_or_404(pairings, pk=request.POST.get("pairing") or 0)
        try:
            year = int(request.POST.get("year", ""))
            signed_on = request.POST.get("signed_on") or None
            agreement = services.agreement_save(
                actor=request.user,
                pairing=pairing,
                year=year,
                title=request.POST.get("title", ""),
                signed_on=dt.date.fromisoformat(signed_on) if signed_on else None,
                note=request.POST.get("note", ""),
            )
        except ValueError:
            messages.error(request, _("年度或签订日期格式不正确。"))
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            messages.success(request, _("协议已保存。"))
            return redirect("targets:agreement", pk=agreement.pk)
    return render(
        request,
        "targets/agreement_list.html",
        {
            "agreements": selectors.agreements_for(request.user),
            "pairings": pairings,
            "this_year": timezone.localdate().year,
        },
    )


@access.require_role(*access.COORDINATORS)
def agreement_detail(request, pk: int):
    """An agreement's targets: set one (county or whole pairing, bucket) or import a workbook."""
    agreement = get_object_or_404(selectors.agreements_for(request.user), pk=pk)
    west = agreement.pairing.west_region
    counties = Region.objects.filter(level=Region.Level.COUNTY, code__startswith=west.prefix)
    if request.method == "POST":
        try:
            if "file" in request.FILES:
                upload = request.FILES["file"]
                if upload.size > 5 * 1024 * 1024:
                    raise ValidationError(_("文件不能超过 5 MB。"))
                count = services.targets_import(
                    actor=request.user,
                    agreement=agreement,
                    data=upload.read(),
                    filename=upload.name,
                )
                messages.success(request, _("已导入 %(count)s 条目标。") % {"count": count})
            else:
                county_code = request.POST.get("county", "")
                county = counties.filter(pk=county_code).first() if county_code else None
                if county_code and county is None:
                    raise ValidationError(_("请选择本结对西部地区的县区。"))
                services.target_set(
                    actor=request.user,
                    agreement=agreement,
                    county=county,
                    bucket=request.POST.get("bucket", ""),
                    placed=_int(request.POST.get("placed")),
                    poverty=_int(request.POST.get("poverty")),
                    monitored=_int(request.POST.get("monitored")),
                )
                messages.success(request, _("目标已保存。"))
            return redirect("targets:agreement", pk=agreement.pk)
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
    return render(
        request,
        "targets/agreement_detail.html",
        {
            "agreement": agreement,
            "targets": agreement.targets.select_related("county"),
            "counties": counties,
            "buckets": Bucket.choices,
        },
    )


def _int(value: str | None) -> int:
    if not value:
        return 0
    try:
        return int(value)
    except ValueError:
        raise ValidationError(_("“%(value)s”不是人数。") % {"value": value}) from None


@access.require_role(*access.COORDINATORS)
def target_template(request) -> HttpResponse:
    """Download the empty target workbook (one row per county and bucket)."""
    example = [["全部", str(Bucket.CROSS_PROVINCE.label), 1000, 800, 50]]
    content = xlsx_table(title=_("目标"), headers=services.TARGET_HEADERS, rows=example)
    return download(content, "targets-template.xlsx")


# --- the monthly labour-transfer report ---------------------------------------------------------

MONTHLY_HEADERS = (
    "就业去向",
    "当月转移就业",
    "其中脱贫劳动力",
    "其中监测对象",
    "年度累计",
    "其中脱贫劳动力",
    "其中监测对象",
    "年度目标",
    "完成率（%）",
)
_MONTHLY_KEYS = (
    "month_placed",
    "month_poverty",
    "month_monitored",
    "year_placed",
    "year_poverty",
    "year_monitored",
    "target",
    "rate",
)


def _monthly_rows(payload: dict) -> list[list[Any]]:
    rows = [[row["label"], *(row[key] for key in _MONTHLY_KEYS)] for row in payload["rows"]]
    rows.append([_("合计"), *(payload["total"][key] for key in _MONTHLY_KEYS)])
    return rows


def _annual_rows(payload: dict) -> list[list[Any]]:
    keys = [key for key, _header in selectors.ANNUAL_COLUMNS]
    rows = [[row["label"], *(row[key] for key in keys)] for row in payload["rows"]]
    rows.append([_("合计"), *(payload["total"][key] for key in keys)])
    return rows


@access.require_role(*VIEWERS)
def monthly_report(request, kind: str, key):
    """The month's labour-transfer report: live figures, the frozen revisions, print and .xlsx;
    POST freezes it (a later freeze with other figures is a correction)."""
    return _frozen_report(request, kind, key, annual=False)


@access.require_role(*VIEWERS)
def annual_report(request, kind: str, key):
    """The year's cooperation indicators table (年度东西部协作劳务协作指标): the same page,
    print, .xlsx and freezing as the monthly report, frozen as month 0."""
    return _frozen_report(request, kind, key, annual=True)


def _frozen_report(request, kind: str, key, *, annual: bool):
    scope = _scope(request, kind, key)
    today = timezone.localdate()
    source = request.POST if request.method == "POST" else request.GET
    try:
        year, month = int(source.get("year", today.year)), int(source.get("month", today.month))
    except ValueError:
        year, month = today.year, today.month
    if annual:
        month = MonthlyReport.ANNUAL  # the year's table; a month in the query is ignored
    elif not 1 <= month <= 12:
        month = today.month
    if not 2000 <= year <= 2100:
        year = today.year
    if request.method == "POST" and aggregates.aggregates_due():
        aggregates.placements_refresh()  # a frozen figure must not wait for the debounce
    if annual:
        live = selectors.annual_report_of(scope, year=year, today=today)
        headers = [_("就业去向"), *(_(header) for _key, header in selectors.ANNUAL_COLUMNS)]
        to_rows = _annual_rows
        title = _("%(year)s年东西部协作劳务协作指标") % {"year": year}
        filename = f"indicators-{year}.xlsx"
    else:
        live = selectors.monthly_report_of(scope, year=year, month=month, today=today)
        headers = [_(header) for header in MONTHLY_HEADERS]
        to_rows = _monthly_rows
        title = _("%(year)s年%(month)s月劳务输转") % {"year": year, "month": month}
        filename = f"monthly-{year}-{month:02d}.xlsx"
    if request.method == "POST":
        report, created = services.monthly_report_freeze(
            actor=request.user,
            pairing=scope.pairing,
            county=scope.county,
            year=year,
            month=month,
            payload=live,
        )
        if created and report.revision > 1:
            messages.success(request, _("已固定更正版（第%(n)s版）。") % {"n": report.revision})
        elif created:
            messages.success(request, _("报表已固定，此后数字不再变化。"))
        else:
            messages.info(request, _("数字与已固定的版本相同，无需更正。"))
        return redirect(f"{request.path}?year={year}&month={month}")
    revisions = list(selectors.monthly_reports_of(scope, year=year, month=month))
    frozen = revisions[0] if revisions else None
    if request.GET.get("format") == "xlsx":
        payload = frozen.payload if frozen else live
        return download(xlsx_table(title=title, headers=headers, rows=to_rows(payload)), filename)
    return render(
        request,
        "targets/monthly_report.html",
        {
            "scope": scope,
            "kind": kind,
            "key": key,
            "year": year,
            "month": month,
            "annual": annual,
            "years": range(today.year - 2, today.year + 1),
            "months": range(1, 13),
            "headers": headers,
            "live_rows": to_rows(live),
            "frozen": frozen,
            "frozen_rows": to_rows(frozen.payload) if frozen else [],
            "changed": frozen is not None
            and (frozen.payload["rows"], frozen.payload["total"]) != (live["rows"], live["total"]),
            "revisions": revisions,
        },
    )
