"""Pages of point-to-point transport.

Coordinators: trips (list, create, edit, detail), planning runs with a live progress bar,
plan review and adjustment, confirmation, manifests (print and .xlsx), the carrier's
real-name export and the boarding roll call. County officials: where each of their workers
travels. HR: who arrives when, and the gate check-in.

Each view reads through ``laborbridge.access`` (404 outside the user's scope; 403 for a page
the user's role never has) and writes through ``transport.services``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseForbidden
from django.http.response import HttpResponseRedirectBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from laborbridge import access, spreadsheets
from laborbridge.background import RunBusy
from laborbridge.background_views import is_poll, run_progress, run_progress_response
from laborbridge.notifications import selectors as notification_selectors
from laborbridge.tasking import EnqueueFailed
from transport import manifests, selectors, services
from transport.forms import (
    BusVehicleForm,
    CarrierExportForm,
    PickupPointForm,
    PlanFaresForm,
    PlanRunForm,
    SeatMoveForm,
    SeatSwapForm,
    TripForm,
)
from transport.manifests import bus_label
from transport.messages import PREFIX as NOTICE_PREFIX
from transport.models import BoardingStatus, RunStatus, Seat, Trip, TripCar
from transport.reasons import stage_label


def _coordinator(user) -> bool:
    return access.is_coordinator(user)


def _refuse_unless_coordinator(request):
    if not _coordinator(request.user):
        return HttpResponseForbidden(_("只有协作专员可以管理点对点运输。"))
    return None


def _errors(error: ValidationError | PermissionDenied) -> str:
    return "；".join(getattr(error, "messages", None) or [str(error)])


def _campaign_of(request):
    campaigns = access.transport_campaigns_managed_by(request.user)
    chosen = request.GET.get("campaign") or request.POST.get("campaign")
    if chosen and chosen.isdigit():
        return get_object_or_404(campaigns, pk=int(chosen)), campaigns
    # By default the latest campaign that has trips (an upcoming one without any would
    # show an empty page), else the latest.
    with_trips = campaigns.filter(pk__in=Trip.objects.values("campaign_id")).first()
    return with_trips or campaigns.first(), campaigns


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    return spreadsheets.download(content, filename)


# --- trips ------------------------------------------------------------------------------


@login_required
def trip_list(request):
    """The coordinator's trips of a campaign, its plans and the form that starts one."""
    if refused := _refuse_unless_coordinator(request):
        return refused
    campaign, campaigns = _campaign_of(request)
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
            "unread": _notices_unread(request.user),
        },
    )


@login_required
def trip_create(request):
    if refused := _refuse_unless_coordinator(request):
        return refused
    campaign, _campaigns = _campaign_of(request)
    form = TripForm(request.POST or None, user=request.user, initial={"campaign": campaign})
    if request.method == "POST" and form.is_valid():
        try:
            trip = services.trip_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        except PermissionDenied as error:
            return HttpResponseForbidden(str(error))
        else:
            messages.success(request, _("车次 %(name)s 已创建。") % {"name": trip.service_number})
            return redirect("transport:trip_detail", pk=trip.pk)
    return render(request, "transport/trip_form.html", {"form": form, "trip": None})


@login_required
def trip_update(request, pk: int):
    if refused := _refuse_unless_coordinator(request):
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
            trip = services.trip_update(actor=request.user, trip=trip, **values)
        except ValidationError as error:
            _form_errors(form, error)
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


def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error)


@login_required
def trip_detail(request, pk: int):
    """A trip's cars and occupancy, its buses in the current plan, manifests, roll call."""
    if refused := _refuse_unless_coordinator(request):
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


def _refuse_unless_pickup_manager(request):
    if not access.has_role(request.user, *access.TRANSPORT_STAFF):
        return HttpResponseForbidden(_("只有协作专员和县级工作人员可以管理集合点。"))
    return None


@login_required
def pickup_points(request):
    """The county pickup points the user manages (a coordinator: the pairing's western
    counties; an official: their county); add one."""
    if refused := _refuse_unless_pickup_manager(request):
        return refused
    form = PickupPointForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            point = services.pickup_point_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        except PermissionDenied as error:
            return HttpResponseForbidden(str(error))
        else:
            messages.success(request, _("集合点“%(name)s”已添加。") % {"name": point.name})
            return redirect("transport:pickup_points")
    points = selectors.pickup_points_for(request.user)
    return render(
        request,
        "transport/pickup_points.html",
        {
            "form": form,
            "points": points,
            "inactive": selectors.pickup_points_inactive_count(request.user),
        },
    )


@login_required
def pickup_point_update(request, pk: int):
    if refused := _refuse_unless_pickup_manager(request):
        return refused
    point = get_object_or_404(
        access.pickup_points_managed_by(request.user).filter(is_active=True), pk=pk
    )
    form = PickupPointForm(request.POST or None, user=request.user, point=point)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "county"}
        try:
            services.pickup_point_update(actor=request.user, point=point, **values)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            waiting = services.pickup_point_riders_waiting(point).count()
            messages.success(request, _("集合点已保存。"))
            if waiting:
                messages.warning(
                    request,
                    _(
                        "已有 %(count)s 人安排在此上车，已排定的送站大巴路线和时间不变；"
                        "重新规划后按新的位置安排。"
                    )
                    % {"count": waiting},
                )
            return redirect("transport:pickup_points")
    return render(request, "transport/pickup_point_form.html", {"form": form, "point": point})


@login_required
@require_POST
def pickup_point_remove(request, pk: int):
    if refused := _refuse_unless_pickup_manager(request):
        return refused
    point = get_object_or_404(
        access.pickup_points_managed_by(request.user).filter(is_active=True), pk=pk
    )
    try:
        outcome = services.pickup_point_remove(actor=request.user, point=point)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _errors(error))
        return redirect("transport:pickup_point_update", pk=point.pk)
    if outcome == "deleted":
        messages.success(request, _("集合点“%(name)s”已删除。") % {"name": point.name})
    else:
        messages.success(
            request,
            _("集合点“%(name)s”已停用：以往行程仍记录在此上车，因此保留记录，不再用于规划。")
            % {"name": point.name},
        )
    return redirect("transport:pickup_points")


# --- plans ------------------------------------------------------------------------------


@login_required
@require_POST
def plan_run(request):
    if refused := _refuse_unless_coordinator(request):
        return refused
    form = PlanRunForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _errors(ValidationError(list(form.errors.values()))))
        return redirect("transport:trip_list")
    try:
        plan = services.plan_create(
            actor=request.user,
            campaign=form.cleaned_data["campaign"],
            seed=form.cleaned_data["seed"],
            params=form.params(),
        )
    except RunBusy as error:
        # Show the plan that is running, with why this one was refused.
        messages.error(request, _errors(error))
        busy = getattr(error, "plan", None)
        if busy is not None:
            response = plan_detail(request, busy.pk)
            response.status_code = 409
            return response
        return redirect("transport:trip_list")
    except EnqueueFailed as error:
        # The plan was recorded and marked failed with the reason; its page says so.
        messages.error(request, error.message)
        return redirect("transport:trip_list")
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _errors(error))
        return redirect(
            f"{reverse('transport:trip_list')}?campaign={form.cleaned_data['campaign'].pk}"
        )
    messages.success(request, _("运输方案 v%(version)s 开始规划。") % {"version": plan.version})
    return redirect("transport:plan_detail", pk=plan.pk)


@login_required
def plan_detail(request, pk: int):
    """Review a plan: progress while it runs, then trips, buses, reasons, costs; adjust."""
    if refused := _refuse_unless_coordinator(request):
        return refused
    plan = get_object_or_404(
        access.transport_plans_visible_to(request.user).select_related("campaign", "created_by"),
        pk=pk,
    )
    progress = run_progress(
        plan,
        status_field="run_status",
        dom_id="plan-progress",
        poll_url=reverse("transport:plan_detail", args=[plan.pk]),
        label=_("规划进度"),
        stage=stage_label(plan.progress_stage),
        badge=plan.get_status_display() if plan.run_status == RunStatus.SUCCEEDED else "",
    )
    if is_poll(request):
        return run_progress_response(request, progress)  # over: reload to show the review
    live = progress.live
    context = {"plan": plan, "progress": progress}
    trips = (
        access.trips_managed_by(request.user)
        .filter(campaign=plan.campaign)
        .select_related("origin", "destination")
    )
    if not live and plan.run_status == RunStatus.SUCCEEDED:
        context.update(selectors.plan_review(plan))
        context["move_form"] = SeatMoveForm(trips=trips)
        context["swap_form"] = SeatSwapForm(trips=trips)
        context["fares_form"] = PlanFaresForm(initial=selectors.plan_bus_fares(plan))
    return render(request, "transport/plan_detail.html", context)


@login_required
@require_POST
def plan_confirm(request, pk: int):
    if refused := _refuse_unless_coordinator(request):
        return refused
    plan = get_object_or_404(access.transport_plans_visible_to(request.user), pk=pk)
    try:
        services.plan_confirm(actor=request.user, plan=plan)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("运输方案 v%(version)s 已确认。") % {"version": plan.version})
    return redirect("transport:plan_detail", pk=plan.pk)


@login_required
@require_POST
def plan_fares(request, pk: int):
    """Set the plan's feeder and arrival bus fares; the costs on the page follow."""
    if refused := _refuse_unless_coordinator(request):
        return refused
    plan = get_object_or_404(access.transport_plans_visible_to(request.user), pk=pk)
    form = PlanFaresForm(request.POST)
    if form.is_valid():
        try:
            services.plan_bus_fares_update(actor=request.user, plan=plan, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, _errors(error))
        else:
            messages.success(request, _("大巴费用已保存，费用合计已按新标准计算。"))
    else:
        messages.error(request, _errors(ValidationError(list(form.errors.values()))))
    return redirect(f"{reverse('transport:plan_detail', args=[plan.pk])}#costs")


def _seat_at(trip, place) -> Seat:
    car_no, row, letter = place
    seat = (
        Seat.objects.filter(trip=trip, car__car_no=car_no, row=row, letter=letter, released_at=None)
        .select_related("car")
        .first()
    )
    if seat is None:
        raise ValidationError(
            _("%(trip)s 的 %(car)02d车%(row)02d%(letter)s 没有人。")
            % {"trip": trip.service_number, "car": car_no, "row": row, "letter": letter}
        )
    return seat


@login_required
@require_POST
def plan_move(request, pk: int):
    if refused := _refuse_unless_coordinator(request):
        return refused
    plan = get_object_or_404(access.transport_plans_visible_to(request.user), pk=pk)
    trips = access.trips_managed_by(request.user).filter(campaign=plan.campaign)
    form = SeatMoveForm(request.POST, trips=trips)
    if form.is_valid():
        data = form.cleaned_data
        try:
            seat = _seat_at(data["from_trip"], data["from_seat"])
            car_no, row, letter = data["to_seat"]
            seat = services.seat_move(
                actor=request.user,
                seat=seat,
                trip=data["to_trip"],
                car_no=car_no,
                row=row,
                letter=letter,
            )
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, _errors(error))
        else:
            messages.success(
                request,
                _("%(name)s 已调到 %(seat)s。") % {"name": seat.worker.name, "seat": seat.label},
            )
    else:
        messages.error(request, _errors(ValidationError(list(form.errors.values()))))
    return redirect(f"{reverse('transport:plan_detail', args=[plan.pk])}#adjust")


@login_required
@require_POST
def plan_swap(request, pk: int):
    if refused := _refuse_unless_coordinator(request):
        return refused
    plan = get_object_or_404(access.transport_plans_visible_to(request.user), pk=pk)
    trips = access.trips_managed_by(request.user).filter(campaign=plan.campaign)
    form = SeatSwapForm(request.POST, trips=trips)
    if form.is_valid():
        data = form.cleaned_data
        try:
            a = _seat_at(data["trip"], data["seat_a"])
            b = _seat_at(data["trip"], data["seat_b"])
            a, b = services.seats_swap(actor=request.user, seat_a=a, seat_b=b)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, _errors(error))
        else:
            messages.success(
                request,
                _("%(a)s 与 %(b)s 已交换座位。") % {"a": a.worker.name, "b": b.worker.name},
            )
    else:
        messages.error(request, _errors(ValidationError(list(form.errors.values()))))
    return redirect(f"{reverse('transport:plan_detail', args=[plan.pk])}#adjust")


# --- manifests --------------------------------------------------------------------------


@login_required
def trip_manifest(request, pk: int):
    """A trip's or one car's manifest: a printable A4 page, or ``?format=xlsx``."""
    if refused := _refuse_unless_coordinator(request):
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
        return _xlsx(manifests.manifest_workbook(manifest), manifest.filename)
    return render(request, "transport/manifest.html", {"manifest": manifest, "trip": trip})


@login_required
def bus_manifest(request, pk: int):
    if refused := _refuse_unless_coordinator(request):
        return refused
    bus = get_object_or_404(
        access.buses_visible_to(request.user).select_related(
            "trip__origin", "trip__destination", "district"
        ),
        pk=pk,
    )
    manifest = manifests.bus_manifest(bus)
    if request.GET.get("format") == "xlsx":
        return _xlsx(manifests.manifest_workbook(manifest), manifest.filename)
    return render(
        request, "transport/manifest.html", {"manifest": manifest, "trip": bus.trip, "bus": bus}
    )


def _back(request, fallback: str) -> str:
    """Return the page to go back to after a small form: ``next`` if it is ours."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@login_required
@require_POST
def bus_update(request, pk: int):
    """Record a bus's licence plate and driver (from the plan review or the trip page)."""
    if refused := _refuse_unless_coordinator(request):
        return refused
    bus = get_object_or_404(access.buses_visible_to(request.user), pk=pk)
    fallback = f"{reverse('transport:trip_detail', args=[bus.trip_id])}#bus-{bus.pk}"
    form = BusVehicleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(ValidationError(list(form.errors.values()))))
        return redirect(_back(request, fallback))
    try:
        bus = services.bus_update(actor=request.user, bus=bus, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _errors(error))
    else:
        messages.success(
            request,
            _("%(bus)s 的车辆信息已保存。") % {"bus": bus_label(bus)},
        )
    return redirect(_back(request, fallback))


@login_required
def carrier_export(request, pk: int):
    """The carrier's real-name list with full ID numbers: asks why, records it, downloads."""
    if refused := _refuse_unless_coordinator(request):
        return refused
    trip = get_object_or_404(access.trips_managed_by(request.user), pk=pk)
    form = CarrierExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            content = services.trip_carrier_export(
                actor=request.user, trip=trip, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            return _xlsx(content, f"{trip.service_number}-实名制名单.xlsx")
    return render(request, "transport/carrier_export.html", {"form": form, "trip": trip})


# --- boarding ---------------------------------------------------------------------------


@login_required
def roll_call(request, pk: int):
    """The phone-friendly roll call of a trip, one car at a time."""
    if refused := _refuse_unless_coordinator(request):
        return refused
    trip = get_object_or_404(
        access.trips_managed_by(request.user).select_related("origin", "destination"), pk=pk
    )
    cars = selectors.trip_cars(trip)
    car_no = request.GET.get("car")
    car_no = int(car_no) if car_no and car_no.isdigit() else None
    seats = list(selectors.seat_rows(trip, car_no))
    return render(
        request,
        "transport/roll_call.html",
        {
            "trip": trip,
            "cars": cars,
            "car_no": car_no,
            "seats": seats,
            "counts": _roll_call_counts([s.boarding for s in seats]),
        },
    )


def _roll_call_counts(statuses: list[str]) -> dict[str, int]:
    return {
        "present": statuses.count(BoardingStatus.PRESENT),
        "no_show": statuses.count(BoardingStatus.NO_SHOW),
        "pending": statuses.count(BoardingStatus.PENDING),
    }


def _roll_call_row(request, seat, error_text: str):
    """The answer to a tap: the row, and the page's counters swapped out of band at once."""
    seat = selectors.seat_rows(seat.trip).filter(pk=seat.pk).first() or seat
    car = request.POST.get("car", "")
    car_no = int(car) if car.isdigit() else None
    counts = _roll_call_counts(
        list(selectors.seat_rows(seat.trip, car_no).values_list("boarding", flat=True))
    )
    return render(
        request,
        "transport/_roll_call_row.html",
        {"seat": seat, "error": error_text, "counts": counts, "car_no": car_no, "oob": True},
    )


class _TelRedirect(HttpResponseRedirectBase):
    status_code = 302
    allowed_schemes = ["tel"]


@login_required
@require_POST
def roll_call_phone(request, pk: int):
    """Tap-to-call from the roll call: record who called whom, then hand the number to the
    phone's dialer (a tel: redirect)."""
    if refused := _refuse_unless_coordinator(request):
        return refused
    seat = get_object_or_404(
        access.seats_managed_by(request.user).select_related("trip", "car", "worker"), pk=pk
    )
    try:
        phone = services.seat_worker_phone_for_call(actor=request.user, seat=seat)
    except PermissionDenied as error:
        return HttpResponseForbidden(_errors(error))
    return _TelRedirect(f"tel:{phone}")


@login_required
@require_POST
def roll_call_mark(request, pk: int):
    if refused := _refuse_unless_coordinator(request):
        return refused
    seat = get_object_or_404(access.seats_managed_by(request.user), pk=pk)
    present = request.POST.get("present") == "1"
    error_text = ""
    try:
        seat = services.seat_roll_call(actor=request.user, seat=seat, present=present)
    except (ValidationError, PermissionDenied) as error:
        error_text = _errors(error)
    if request.headers.get("HX-Request"):
        return _roll_call_row(request, seat, error_text)
    if error_text:
        messages.error(request, error_text)
    url = reverse("transport:roll_call", args=[seat.trip_id])
    return redirect(f"{url}?car={seat.car.car_no}#seat-{seat.pk}")


@login_required
@require_POST
def roll_call_undo(request, pk: int):
    """Take back a no-show recorded by mistake (the row's "撤销未到")."""
    if refused := _refuse_unless_coordinator(request):
        return refused
    seat = get_object_or_404(access.seats_managed_by(request.user), pk=pk)
    error_text = ""
    try:
        seat = services.seat_no_show_undo(actor=request.user, seat=seat)
    except (ValidationError, PermissionDenied) as error:
        error_text = _errors(error)
    if request.headers.get("HX-Request"):
        return _roll_call_row(request, seat, error_text)
    if error_text:
        messages.error(request, error_text)
    else:
        messages.success(
            request,
            _("已撤销 %(name)s 的“未到”，座位 %(seat)s 已恢复，并已通知县人社局和企业。")
            % {"name": seat.worker.name, "seat": seat.label},
        )
    url = reverse("transport:roll_call", args=[seat.trip_id])
    return redirect(f"{url}?car={seat.car.car_no}#seat-{seat.pk}")


# --- county officials and HR ------------------------------------------------------------


@login_required
def county_travel(request):
    """For each of the official's workers: trip, car, seat, pickup time and place."""
    if not access.is_official(request.user):
        return HttpResponseForbidden(_("只有县级工作人员可以查看本县出行安排。"))
    page = Paginator(selectors.county_travel(request.user), 50).get_page(request.GET.get("page"))
    for seat in page:
        seat.rides = selectors.rides_of(seat)
    return render(
        request,
        "transport/county_travel.html",
        {
            "page": page,
            "unplaced": selectors.county_unplaced(request.user),
            "notifications": _notices(request.user),
            "unread": _notices_unread(request.user),
        },
    )


@login_required
def arrivals(request):
    """Who arrives when at the HR user's company; the gate check-in."""
    if not access.is_hr(request.user):
        return HttpResponseForbidden(_("只有企业人事可以办理到岗签到。"))
    page = Paginator(selectors.arrivals(request.user), 50).get_page(request.GET.get("page"))
    for seat in page:
        seat.rides = selectors.rides_of(seat)
    return render(
        request,
        "transport/arrivals.html",
        {
            "page": page,
            "notifications": _notices(request.user),
            "unread": _notices_unread(request.user),
        },
    )


@login_required
@require_POST
def check_in(request, pk: int):
    if not access.is_hr(request.user):
        return HttpResponseForbidden(_("只有企业人事可以办理到岗签到。"))
    seat = get_object_or_404(access.seats_checkable_in_by(request.user), pk=pk)
    try:
        seat = services.seat_check_in(
            actor=request.user,
            seat=seat,
            confirm_not_roll_called=request.POST.get("confirm_not_roll_called") == "on",
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("%(name)s 已到岗签到。") % {"name": seat.worker.name})
    return redirect(f"{reverse('transport:arrivals')}?page={request.POST.get('page', 1)}")


# --- notifications ----------------------------------------------------------------------
# Transport's messages live in the notification outbox; its pages show the latest ones.


def _notices(user):
    return notification_selectors.messages_for(user, 5, key_prefix=NOTICE_PREFIX)


def _notices_unread(user) -> int:
    return notification_selectors.messages_unread_count(user, key_prefix=NOTICE_PREFIX)


def notifications(request):
    """The first address of the notifications page: the outbox's page now."""
    query = request.META.get("QUERY_STRING", "")
    target = reverse("notifications:list")
    return redirect(f"{target}?{query}" if query else target)
