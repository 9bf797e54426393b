"""Pages of the rosters and exports people must file (issue 13): the receiving city's
在岗人员花名册 and the county's export for the national poverty-monitoring system."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from laborbridge import access, spreadsheets
from laborbridge.background_views import (
    RunProgress,
    run_progress,
    run_progress_response,
    run_start,
)
from laborbridge.models import Role
from placement import poverty_checks, poverty_export, rosters
from placement.poverty_export import check_label, check_message
from workers.models import EmploymentStatus

ROSTER_READERS = (Role.COORDINATOR, Role.LIAISON, Role.EMPLOYER_HR, Role.ADMIN)
ROSTER_PAGE_SIZE = 50


class RosterFilterForm(forms.Form):
    district = forms.ChoiceField(label=gettext_lazy("务工所在县区"), required=False)
    employer = forms.ChoiceField(label=gettext_lazy("用工企业"), required=False)

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        everyone = [("", _("全部"))]
        self.fields["district"].choices = everyone + [
            (r.code, r.full_name) for r in rosters.roster_districts(scope)
        ]
        self.fields["employer"].choices = everyone + [
            (str(e.pk), e.name) for e in rosters.roster_employers(scope)
        ]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        employer = self.cleaned_data.get("employer")
        return {
            "district": self.cleaned_data.get("district") or None,
            "employer": int(employer) if employer else None,
        }


class RevealReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("查看原因"),
        max_length=200,
        min_length=2,
        error_messages={
            "required": gettext_lazy("请说明查看完整手机号的原因。"),
            "min_length": gettext_lazy("请说明查看完整手机号的原因。"),
        },
    )


def _rows_page(request, template: str, form, rows, row_of):
    """Render one page of ``rows`` (employment records), each made a row by ``row_of``."""
    page = Paginator(rows, ROSTER_PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "rows": [row_of(employment, today) for employment in page],
            "today": today,
        },
    )


@access.require_role(*ROSTER_READERS)
def roster(request):
    """List the people at work in the user's scope, by district and employer, paginated."""
    scope = rosters.roster_scope(request.user)
    form = RosterFilterForm(request.GET or None, scope=scope)
    return _rows_page(
        request,
        "placement/roster.html",
        form,
        rosters.roster_rows(scope, **form.filters()),
        rosters.roster_row,
    )


@access.require_role(*ROSTER_READERS)
def roster_export(request):
    """Download the (filtered) roster as .xlsx, phones masked."""
    scope = rosters.roster_scope(request.user)
    form = RosterFilterForm(request.GET or None, scope=scope)
    today = timezone.localdate()
    content = rosters.roster_xlsx(rosters.roster_rows(scope, **form.filters()), today=today)
    return spreadsheets.download(content, _("在岗人员花名册-%(day)s.xlsx") % {"day": today})


CENSUS_READERS = (Role.COUNTY_OFFICIAL, Role.ADMIN)


class CensusFilterForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("当前状态"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("全部")), *EmploymentStatus.choices]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {"status": self.cleaned_data.get("status") or None}


@access.require_role(*CENSUS_READERS)
def census(request):
    """List every placed worker of the official's county with their state and months
    worked (continuous and total), paginated: the monthly census (月度在岗摸底表)."""
    scope = rosters.census_scope(request.user)
    form = CensusFilterForm(request.GET or None)
    return _rows_page(
        request,
        "placement/census.html",
        form,
        rosters.census_rows(scope, **form.filters()),
        rosters.census_row,
    )


@access.require_role(*CENSUS_READERS)
def census_export(request):
    """Download the (filtered) census as .xlsx, ID numbers and phones masked."""
    scope = rosters.census_scope(request.user)
    form = CensusFilterForm(request.GET or None)
    today = timezone.localdate()
    content = rosters.census_xlsx(rosters.census_rows(scope, **form.filters()), today=today)
    return spreadsheets.download(content, _("月度在岗摸底表-%(day)s.xlsx") % {"day": today})


@never_cache
@require_POST
@access.require_role(*ROSTER_READERS)
def roster_reveal_phone(request, pk: int):
    """Show one roster row's full phone after the user gives a reason (audited)."""
    employment = get_object_or_404(
        access.roster_phones_revealable_by(request.user).select_related("worker"), pk=pk
    )
    form = RevealReasonForm(request.POST)
    number = None
    if form.is_valid():
        try:
            number = rosters.roster_phone_reveal(
                actor=request.user, employment=employment, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error("reason", error.messages)
    template = (
        "placement/_roster_reveal.html"
        if request.headers.get("HX-Request")
        else "placement/roster_reveal.html"
    )
    response = render(request, template, {"employment": employment, "form": form, "number": number})
    response["Cache-Control"] = "no-store"
    return response


# --- the county's poverty-monitoring export ----------------------------------------------

EXPORT_RUNNERS = (Role.COUNTY_OFFICIAL, Role.ADMIN)
FINDINGS_PAGE_SIZE = 100


class PovertyExportForm(forms.Form):
    county = forms.ModelChoiceField(label=gettext_lazy("县区"), queryset=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        counties = access.poverty_export_counties_for(user)
        self.fields["county"].queryset = counties
        if user.county_id:
            self.fields["county"].initial = user.county_id


def _export(request, pk: int):
    return get_object_or_404(
        access.poverty_exports_visible_to(request.user).select_related("county", "created_by"),
        pk=pk,
    )


def _export_progress(export) -> RunProgress:
    return run_progress(
        export,
        dom_id="export-progress",
        poll_url=reverse("placement:poverty_export_progress", args=[export.pk]),
        label=_("生成进度"),
        note=_("正在生成，请稍候；页面会自动更新。"),
        bar_while_live=True,
    )


@access.require_role(*EXPORT_RUNNERS)
def poverty_exports(request):
    """List the county's poverty-monitoring exports and start a new one."""
    form = PovertyExportForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        started = run_start(
            lambda: poverty_export.poverty_export_create(
                actor=request.user, county=form.cleaned_data["county"]
            )
        )
        if started.run is not None:
            return redirect("placement:poverty_export", pk=started.run.pk)
        messages.error(request, " ".join(started.error.messages))
    exports = access.poverty_exports_visible_to(request.user).select_related("county")
    return render(
        request,
        "placement/poverty_exports.html",
        {"form": form, "exports": exports[:50]},
    )


@access.require_role(*EXPORT_RUNNERS)
def poverty_export_detail(request, pk: int):
    """Show an export: progress while it runs, then its counts, download and report."""
    export = _export(request, pk)
    counts = [
        (poverty_checks.CHECKS.index(check), check_label(check), n)
        for check, n in (export.counts or {}).items()
    ]
    return render(
        request,
        "placement/poverty_export.html",
        {
            "export": export,
            "progress": _export_progress(export),
            "counts": [(label, n) for _i, label, n in sorted(counts)],
        },
    )


@access.require_role(*EXPORT_RUNNERS)
def poverty_export_progress(request, pk: int):
    """Return the progress bar; once the run stopped, tell htmx to reload the page."""
    return run_progress_response(request, _export_progress(_export(request, pk)))


@never_cache
@access.require_role(*EXPORT_RUNNERS)
def poverty_export_download(request, pk: int):
    """Download the finished file (full ID numbers; audited)."""
    export = _export(request, pk)
    if export.status != export.Status.DONE:
        raise Http404(_("导出文件尚未生成。"))
    content, name = poverty_export.poverty_export_download(actor=request.user, export=export)
    return spreadsheets.download(content, name)


@access.require_role(*EXPORT_RUNNERS)
def poverty_export_report(request, pk: int):
    """List each finding of the checks with its row (masked ID numbers only)."""
    export = _export(request, pk)
    check = request.GET.get("check", "")
    findings = [f for f in export.findings or [] if not check or f["check"] == check]
    page = Paginator(findings, FINDINGS_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {**f, "label": check_label(f["check"]), "message": check_message(f["check"], f["params"])}
        for f in page
    ]
    return render(
        request,
        "placement/poverty_export_report.html",
        {
            "export": export,
            "page": page,
            "rows": rows,
            "check": check,
            "checks": [(c, check_label(c)) for c in poverty_checks.CHECKS],
        },
    )
