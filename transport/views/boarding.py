"""The boarding roll call on a phone: mark present or absent, take back a no-show, call a
traveller."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseForbidden
from django.http.response import HttpResponseRedirectBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from laborbridge import access
from transport import selectors
from transport.models import BoardingStatus
from transport.services import boarding as boarding_services
from transport.views.shared import (
    error_text,
    refuse_unless_coordinator,
)


@login_required
def roll_call(request, pk: int):
    """The phone-friendly roll call of a trip, one car at a time."""
    if refused := refuse_unless_coordinator(request):
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


def _roll_call_row(request, seat, refusal: str):
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
        {"seat": seat, "error": refusal, "counts": counts, "car_no": car_no, "oob": True},
    )


class _TelRedirect(HttpResponseRedirectBase):
    status_code = 302
    allowed_schemes = ["tel"]


@login_required
@require_POST
def roll_call_phone(request, pk: int):
    """Tap-to-call from the roll call: record who called whom, then hand the number to the
    phone's dialer (a tel: redirect)."""
    if refused := refuse_unless_coordinator(request):
        return refused
    seat = get_object_or_404(
        access.seats_managed_by(request.user).select_related("trip", "car", "worker"), pk=pk
    )
    try:
        phone = boarding_services.seat_worker_phone_for_call(actor=request.user, seat=seat)
    except PermissionDenied as error:
        return HttpResponseForbidden(error_text(error))
    return _TelRedirect(f"tel:{phone}")


@login_required
@require_POST
def roll_call_mark(request, pk: int):
    present = request.POST.get("present") == "1"
    return _roll_call_act(
        request,
        pk,
        lambda seat: boarding_services.seat_roll_call(
            actor=request.user, seat=seat, present=present
        ),
    )


@login_required
@require_POST
def roll_call_undo(request, pk: int):
    """Take back a no-show recorded by mistake (the row's "撤销未到")."""
    return _roll_call_act(
        request,
        pk,
        lambda seat: boarding_services.seat_no_show_undo(actor=request.user, seat=seat),
        done=lambda seat: (
            _("已撤销 %(name)s 的“未到”，座位 %(seat)s 已恢复，并已通知县人社局和企业。")
            % {"name": seat.worker.name, "seat": seat.label}
        ),
    )


def _roll_call_act(request, pk: int, act, done=None):
    """Apply ``act`` (a boarding service) to the coordinator's seat ``pk`` and answer the tap:
    the row to htmx, else back to the roll call with the refusal or ``done``'s message."""
    if refused := refuse_unless_coordinator(request):
        return refused
    seat = get_object_or_404(access.seats_managed_by(request.user), pk=pk)
    refusal = ""
    try:
        seat = act(seat)
    except (ValidationError, PermissionDenied) as error:
        refusal = error_text(error)
    if request.headers.get("HX-Request"):
        return _roll_call_row(request, seat, refusal)
    if refusal:
        messages.error(request, refusal)
    elif done is not None:
        messages.success(request, done(seat))
    url = reverse("transport:roll_call", args=[seat.trip_id])
    return redirect(f"{url}?car={seat.car.car_no}#seat-{seat.pk}")
