"""County pickup points: list and add, edit, remove (coordinators and county officials)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from laborbridge import access
from laborbridge.forms import form_errors_add
from transport import selectors
from transport.forms import (
    PickupPointForm,
)
from transport.services import pickup_points as pickup_point_services
from transport.views.shared import error_text


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
            point = pickup_point_services.pickup_point_create(
                actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form_errors_add(form, error)
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
    point = _active_point(request, pk)
    form = PickupPointForm(request.POST or None, user=request.user, point=point)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "county"}
        try:
            pickup_point_services.pickup_point_update(actor=request.user, point=point, **values)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            waiting = pickup_point_services.pickup_point_riders_waiting(point).count()
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
    point = _active_point(request, pk)
    try:
        outcome = pickup_point_services.pickup_point_remove(actor=request.user, point=point)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
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


def _active_point(request, pk: int):
    """Return the active pickup point ``pk`` the user manages (404 otherwise)."""
    return get_object_or_404(
        access.pickup_points_managed_by(request.user).filter(is_active=True), pk=pk
    )
