"""Pages of follow-ups: my follow-ups, the record form, the campaigns' schedules, and the
liaison's placed workers."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from followups import selectors, services
from followups.forms import FollowUpRecordForm, ScheduleForm
from followups.models import FollowUpKind
from laborbridge import access
from laborbridge.forms import form_errors_add
from workers.models import EmploymentStatus

PAGE_SIZE = 50


@access.require_role(*access.LIAISONS)
def placed_list(request):
    """List the placed workers of the liaison's districts (在岗人员), newest arrivals first."""
    status = request.GET.get("status", "")
    rows = selectors.placed_list_for(request.user, status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "followups/placed_list.html",
        {"page": page, "status": status, "statuses": EmploymentStatus.choices},
    )


@access.require_role(*access.FOLLOWUP_STAFF)
def followup_list(request):
    """My follow-ups: due, overdue or done, of one kind, mine or all in my scope; paginated."""
    state = request.GET.get("state", selectors.DUE)
    if state not in selectors.STATES:
        state = selectors.DUE
    kind = request.GET.get("kind", "")
    recorder = access.has_role(request.user, *access.FOLLOWUP_RECORDERS)
    # Officials and liaisons see their own by default; coordinators have none of their own.
    mine = recorder and request.GET.get("who", "mine") == "mine"
    rows = selectors.followup_list_for(request.user, state=state, kind=kind, mine=mine)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for followup in page:  # the point in words (到岗第3个月), not the stored code (m3)
        followup.point = services.period_label(followup.kind, followup.period)
    return render(
        request,
        "followups/followup_list.html",
        {
            "page": page,
            "state": state,
            "kind": kind,
            "who": "mine" if mine else "all",
            "recorder": recorder,
            "kinds": FollowUpKind.choices,
            "states": [
                (selectors.DUE, _("待回访")),
                (selectors.OVERDUE, _("已逾期")),
                (selectors.DONE, _("已完成")),
            ],
            "today": timezone.localdate(),
        },
    )


@access.require_role(*access.FOLLOWUP_STAFF)
def followup_record(request, pk: int):
    """Show a follow-up and record it (once)."""
    followup = get_object_or_404(selectors.followup_detail_for(request.user), pk=pk)
    may_record = (
        followup.done_at is None
        and access.followups_recordable_by(request.user).filter(pk=pk).exists()
    )
    form = FollowUpRecordForm(request.POST or None)
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied(_("您无权记录该回访，或它已记录。"))
        if form.is_valid():
            try:
                services.followup_record(
                    actor=request.user, followup=followup, **form.service_values()
                )
            except ValidationError as error:
                form_errors_add(form, error)
            else:
                messages.success(request, _("回访已记录。"))
                return redirect("followups:list")
    return render(
        request,
        "followups/followup_record.html",
        {
            "followup": followup,
            "form": form,
            "may_record": may_record,
            "point": services.period_label(followup.kind, followup.period),
            "today": timezone.localdate(),
        },
    )


@access.require_role(*access.COORDINATORS)
def schedule_list(request):
    """The campaigns of the coordinator's pairing and their follow-up schedules."""
    campaigns = access.followup_campaigns_managed_by(request.user).select_related(
        "pairing", "followup_schedule"
    )
    rows = [(campaign, services.schedule_for(campaign)) for campaign in campaigns]
    return render(request, "followups/schedule_list.html", {"rows": rows})


@access.require_role(*access.COORDINATORS)
def schedule_edit(request, campaign_pk: int):
    """Set one campaign's follow-up points, deadline and census."""
    campaign = get_object_or_404(access.followup_campaigns_managed_by(request.user), pk=campaign_pk)
    rule = services.schedule_for(campaign)
    initial = {
        "first_week": rule.first_week,
        "months": ",".join(str(m) for m in rule.months),
        "census": rule.census,
        "due_days": rule.due_days,
        "census_due_day": rule.census_due_day,
    }
    form = ScheduleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.followup_schedule_set(
                actor=request.user, campaign=campaign, **form.cleaned_data
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("回访计划已保存，之后生成的回访按新计划。"))
            return redirect("followups:schedules")
    return render(request, "followups/schedule_form.html", {"campaign": campaign, "form": form})
