"""Planning runs: start one (live progress bar), review, confirm, bus fares, and the
coordinator's adjustments (move a traveller, swap two seats)."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from laborbridge import access
from laborbridge.background_views import is_poll, run_progress, run_progress_response, run_start
from transport import selectors
from transport.forms import (
    PlanFaresForm,
    PlanRunForm,
    SeatMoveForm,
    SeatSwapForm,
)
from transport.models import RunStatus, Seat
from transport.reasons import stage_label
from transport.services import plans as plan_services
from transport.services import seats as seat_services
from transport.views.shared import (
    error_text,
    refuse_unless_coordinator,
)


@login_required
@require_POST
def plan_run(request):
    if refused := refuse_unless_coordinator(request):
        return refused
    form = PlanRunForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, error_text(ValidationError(list(form.errors.values()))))
        return redirect("transport:trip_list")
    started = run_start(
        lambda: plan_services.plan_create(
            actor=request.user,
            campaign=form.cleaned_data["campaign"],
            seed=form.cleaned_data["seed"],
            params=form.params(),
        )
    )
    plan = started.run
    if plan is None:
        messages.error(request, error_text(started.error))
        # Busy: show the plan that is running, with why this one was refused.
        busy = getattr(started.error, "plan", None)
        if busy is not None:
            response = plan_detail(request, busy.pk)
            response.status_code = 409
            return response
        if started.status in (409, 503):  # a failed publish: the plan's page says so
            return redirect("transport:trip_list")
        return redirect(
            f"{reverse('transport:trip_list')}?campaign={form.cleaned_data['campaign'].pk}"
        )
    messages.success(request, _("运输方案 v%(version)s 开始规划。") % {"version": plan.version})
    return redirect("transport:plan_detail", pk=plan.pk)


@login_required
def plan_detail(request, pk: int):
    """Review a plan: progress while it runs, then trips, buses, reasons, costs; adjust."""
    if refused := refuse_unless_coordinator(request):
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
    if refused := refuse_unless_coordinator(request):
        return refused
    plan = get_object_or_404(access.transport_plans_visible_to(request.user), pk=pk)
    try:
        plan_services.plan_confirm(actor=request.user, plan=plan)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("运输方案 v%(version)s 已确认。") % {"version": plan.version})
    return redirect("transport:plan_detail", pk=plan.pk)


def _form_apply(request, form, apply: Callable[[dict], str]) -> None:
    """Call ``apply`` with the valid ``form``'s data and show its message, or show why not."""
    if not form.is_valid():
        messages.error(request, error_text(ValidationError(list(form.errors.values()))))
        return
    try:
        done = apply(form.cleaned_data)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, done)


@login_required
@require_POST
def plan_fares(request, pk: int):
    """Set the plan's feeder and arrival bus fares; the costs on the page follow."""
    if refused := refuse_unless_coordinator(request):
        return refused
    plan = get_object_or_404(access.transport_plans_visible_to(request.user), pk=pk)

    def fares_update(data: dict) -> str:
        plan_services.plan_bus_fares_update(actor=request.user, plan=plan, **data)
        return _("大巴费用已保存，费用合计已按新标准计算。")

    _form_apply(request, PlanFaresForm(request.POST), fares_update)
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


def _plan_adjust(request, pk: int, form_class, apply: Callable[[dict], str]):
    """Apply a seat adjustment of plan ``pk`` among its campaign's trips; back to the panel."""
    if refused := refuse_unless_coordinator(request):
        return refused
    plan = get_object_or_404(access.transport_plans_visible_to(request.user), pk=pk)
    trips = access.trips_managed_by(request.user).filter(campaign=plan.campaign)
    _form_apply(request, form_class(request.POST, trips=trips), apply)
    return redirect(f"{reverse('transport:plan_detail', args=[plan.pk])}#adjust")


@login_required
@require_POST
def plan_move(request, pk: int):
    def move(data: dict) -> str:
        car_no, row, letter = data["to_seat"]
        seat = seat_services.seat_move(
            actor=request.user,
            seat=_seat_at(data["from_trip"], data["from_seat"]),
            trip=data["to_trip"],
            car_no=car_no,
            row=row,
            letter=letter,
        )
        return _("%(name)s 已调到 %(seat)s。") % {"name": seat.worker.name, "seat": seat.label}

    return _plan_adjust(request, pk, SeatMoveForm, move)


@login_required
@require_POST
def plan_swap(request, pk: int):
    def swap(data: dict) -> str:
        a, b = seat_services.seats_swap(
            actor=request.user,
            seat_a=_seat_at(data["trip"], data["seat_a"]),
            seat_b=_seat_at(data["trip"], data["seat_b"]),
        )
        return _("%(a)s 与 %(b)s 已交换座位。") % {"a": a.worker.name, "b": b.worker.name}

    return _plan_adjust(request, pk, SeatSwapForm, swap)
