"""The coordinator's trips: list (with the plans and the form that starts one), create, edit,
detail; the trip's manifest and the carrier's real-name export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from laborbridge import access, spreadsheets
from laborbridge.forms import form_errors_add
from transport import manifests, selectors
from transport.forms import (
    CarrierExportForm,
    PlanRunForm,
    TripForm,
)
from transport.models import TripCar
from transport.services import carrier as carrier_services
from transport.services import trips as trip_services
from transport.views.shared import (
    campaign_of,
    notices_unread,
    refuse_unless_coordinator,
)


@login_required
def trip_list(request):
    """The coordinator's trips of a campaign, its plans and the form that starts one."""
    if refused := refuse_unless_coordinator(request):
        return refused
    campaign, campaigns = campaign_of(request)
    trips = selectors.trips_for_campaign(request.user, campaign) if campaign else []
    plans = selectors.plans_for_campaign(request.user, campaign)[:10] if campaign else []
    current = selectors.plan_current(campaign) if campaign else None
    initial = {"campaign": campaign, **selectors.plan_bus_fares(current)}
    form = PlanRunForm(user=request.user, initial=initial)
    return render(
        request,
        "transport/trip_list.html",
        {
            "campaign": campaign,
            "campaigns": campaigns,
            "trips": trips,
            "plans": plans,
            "form": form,
            "current": current,
            "costs": selectors.plan_costs(current) if current else None,
            "unread": notices_unread(request.user),
        },
    )


@login_required
def trip_create(request):
    if refused := refuse_unless_coordinator(request):
        return refused
    campaign, _campaigns = campaign_of(request)
    form = TripForm(request.POST or None, user=request.user, initial={"campaign": campaign})
    if request.method == "POST" and form.is_valid():
        try:
            trip = trip_services.trip_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors_add(form, error)
        except PermissionDenied as error:
            return HttpResponseForbidden(str(error))
        else:
            messages.success(request, _("车次 %(name)s 已创建。") % {"name": trip.service_number})
            return redirect("transport:trip_detail", pk=trip.pk)
    return render(request, "transport/trip_form.html", {"form": form, "trip": None})


@login_required
def trip_update(request, pk: int):
    if refused := refuse_unless_coordinator(request):
        return refused
    trip = get_object_or_404(access.trips_managed_by(request.user), pk=pk)
    form = TripForm(request.POST or None, user=request.user, initial=TripForm.initial_for(trip))
    form.fields["campaign"].disabled = True
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "campaign"}
        if not values.get("seats_per_car"):
            values["seats_per_car"] = max(values.get("car_seats") or [trip.seats_per_car])
        times = (trip.departure_at, trip.arrival_at)
        try:
            trip = trip_services.trip_update(actor=request.user, trip=trip, **values)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("车次已保存。"))
            buses = selectors.trip_bus_count(trip)
            if buses and times != (trip.departure_at, trip.arrival_at):
                messages.info(
                    request,
                    _("%(count)s 辆送站/接站大巴已按新的出发、到达时间调整。") % {"count": buses},
                )
            return redirect("transport:trip_detail", pk=trip.pk)
    return render(request, "transport/trip_form.html", {"form": form, "trip": trip})


@login_required
def trip_detail(request, pk: int):
    """A trip's cars and occupancy, its buses in the current plan, manifests, roll call."""
    if refused := refuse_unless_coordinator(request):
        return refused
    trip = get_object_or_404(
        access.trips_managed_by(request.user).select_related("origin", "destination", "campaign"),
        pk=pk,
    )
    plan = selectors.plan_current(trip.campaign)
    buses = list(selectors.buses_of(plan, trip)) if plan else []
    return render(
        request,
        "transport/trip_detail.html",
        {
            "trip": trip,
            "cars": selectors.trip_cars(trip),
            "plan": plan,
            "feeder": [b for b in buses if b.kind == "feeder"],
            "arrival": [b for b in buses if b.kind == "arrival"],
        },
    )


@login_required
def trip_manifest(request, pk: int):
    """A trip's or one car's manifest: a printable A4 page, or ``?format=xlsx``."""
    if refused := refuse_unless_coordinator(request):
        return refused
    trip = get_object_or_404(
        access.trips_managed_by(request.user).select_related("origin", "destination"), pk=pk
    )
    car_no = request.GET.get("car")
    if car_no is not None:
        car = get_object_or_404(
            TripCar.objects.filter(trip=trip), car_no=int(car_no) if car_no.isdigit() else -1
        )
        car_no = car.car_no
    manifest = manifests.trip_manifest(trip, car_no)
    if request.GET.get("format") == "xlsx":
        return spreadsheets.download(manifests.manifest_workbook(manifest), manifest.filename)
    return render(request, "transport/manifest.html", {"manifest": manifest, "trip": trip})


@login_required
def carrier_export(request, pk: int):
    """The carrier's real-name list with full ID numbers: asks why, records it, downloads."""
    if refused := refuse_unless_coordinator(request):
        return refused
    trip = get_object_or_404(access.trips_managed_by(request.user), pk=pk)
    form = CarrierExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            content = carrier_services.trip_carrier_export(
                actor=request.user, trip=trip, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            return spreadsheets.download(content, f"{trip.service_number}-实名制名单.xlsx")
    return render(request, "transport/carrier_export.html", {"form": form, "trip": trip})
