"""Pages of county officials and HR: where the county's workers travel, who arrives at the
company and the gate check-in; the first address of the notifications page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from laborbridge import access
from transport import selectors
from transport.models import TripDirection
from transport.services import boarding as boarding_services
from transport.views.shared import (
    error_text,
    notices,
    notices_unread,
)


@login_required
def county_travel(request):
    """For each of the official's workers: trip, car, seat, pickup time and place."""
    if not access.is_official(request.user):
        return HttpResponseForbidden(_("只有县级工作人员可以查看本县出行安排。"))
    seats = selectors.county_travel(request.user)
    # The trips home (返乡) and back out (返岗) come after the outbound ones: one tab per
    # direction, shown when the county's people have seats on a trip home or back out.
    present = set(seats.values_list("trip__direction", flat=True).distinct())
    directions = [(v, label) for v, label in TripDirection.choices if v in present]
    direction = request.GET.get("direction", "")
    if direction in present:
        seats = seats.filter(trip__direction=direction)
    else:
        direction = ""
    return _seats_page(
        request,
        "transport/county_travel.html",
        seats,
        directions=directions if present - {TripDirection.OUTBOUND} else [],
        direction=direction,
        unplaced=selectors.county_unplaced(request.user),
    )


def _seats_page(request, template: str, seats, **context):
    """Render a page of ``seats`` (50 a page, each with its bus rides) beside the user's
    notifications; ``context`` adds to the page's context."""
    page = Paginator(seats, 50).get_page(request.GET.get("page"))
    for seat in page:
        seat.rides = selectors.rides_of(seat)
    return render(
        request,
        template,
        {
            "page": page,
            **context,
            "notifications": notices(request.user),
            "unread": notices_unread(request.user),
        },
    )


@login_required
def arrivals(request):
    """Who arrives when at the HR user's company; the gate check-in."""
    if not access.is_hr(request.user):
        return HttpResponseForbidden(_("只有企业人事可以办理到岗签到。"))
    return _seats_page(request, "transport/arrivals.html", selectors.arrivals(request.user))


@login_required
@require_POST
def check_in(request, pk: int):
    if not access.is_hr(request.user):
        return HttpResponseForbidden(_("只有企业人事可以办理到岗签到。"))
    seat = get_object_or_404(access.seats_checkable_in_by(request.user), pk=pk)
    try:
        seat = boarding_services.seat_check_in(
            actor=request.user,
            seat=seat,
            confirm_not_roll_called=request.POST.get("confirm_not_roll_called") == "on",
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("%(name)s 已到岗签到。") % {"name": seat.worker.name})
    return redirect(f"{reverse('transport:arrivals')}?page={request.POST.get('page', 1)}")


# --- notifications ----------------------------------------------------------------------
# Transport's messages live in the notification outbox; its pages show the latest ones.


def notifications(request):
    """The first address of the notifications page: the outbox's page now."""
    query = request.META.get("QUERY_STRING", "")
    target = reverse("notifications:list")
    return redirect(f"{target}?{query}" if query else target)
