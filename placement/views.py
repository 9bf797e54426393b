"""Pages of the employment history: the record form (the timeline is a worker-page section)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from laborbridge import access
from laborbridge.forms import form_errors_add
from laborbridge.models import Region
from placement import selectors, services
from placement.forms import EmploymentEventForm, region_options


@login_required
def event_record(request, pk: int):
    """Show an employment's history and record one event on it (read-only for those who may
    read but not write it, e.g. HR of an employer the worker passed through)."""
    employment = get_object_or_404(selectors.employments_for_history(request.user), pk=pk)
    writable = access.employments_history_writable_by(request.user).filter(pk=pk).exists()
    recordable = (
        writable or access.employments_leaving_recordable_by(request.user).filter(pk=pk).exists()
    )
    if request.method == "POST" and not recordable:
        raise PermissionDenied(_("您无权记录该劳动力的就业经历。"))
    form = (
        EmploymentEventForm(request.POST or None, user=request.user, employment=employment)
        if recordable
        else None
    )
    worker_visible = (
        access.workers_visible_to(request.user).filter(pk=employment.worker_id).exists()
    )
    if form is not None and request.method == "POST" and form.is_valid():
        values = form.service_values
        try:
            services.record_event(actor=request.user, employment=employment, **values)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("已记录。"))
            if worker_visible:
                return redirect("workers:detail", pk=employment.worker_id)
            return redirect("placement:event_record", pk=pk)
    return render(
        request,
        "placement/event_form.html",
        {
            "form": form,
            "employment": employment,
            "worker_visible": worker_visible,
            "history": selectors.employment_history(employment, viewer=request.user),
        },
    )


@login_required
@require_GET
def region_options_partial(request):
    """Return the options of the workplace picker's next step (htmx): the cities of the
    chosen province (and an empty county list), or the counties of the chosen city.
    Reference data, the same for every signed-in user."""
    if request.GET.get("step") == "county":
        parent = request.GET.get("workplace_city", "")
        level, clear_county = Region.Level.COUNTY, False
        valid = Region.objects.filter(pk=parent, level=Region.Level.CITY).exists()
    else:
        parent = request.GET.get("workplace_province", "")
        level, clear_county = Region.Level.CITY, True
        valid = Region.objects.filter(pk=parent, level=Region.Level.PROVINCE).exists()
    options = region_options(parent, level) if valid else [("", "—")]
    return render(
        request,
        "placement/_region_options.html",
        {"options": options, "clear_county": clear_county},
    )


@access.require_role(*access.COORDINATORS)
def wage_flags(request):
    """List the employments whose actual pay fell more than the threshold below the promise
    (the coordinator's pairing; admin: all), newest month first."""
    state = request.GET.get("state")
    state = state if state in (selectors.FLAG_OPEN, selectors.FLAG_RESOLVED) else ""
    flags = selectors.wage_flags_for(request.user, state=state or None)
    page = Paginator(flags, 50).get_page(request.GET.get("page"))
    return render(request, "placement/wage_flags.html", {"page": page, "state": state})
