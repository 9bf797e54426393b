"""Feeder and arrival buses: a bus's manifest and its vehicle and driver."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from laborbridge import access, spreadsheets
from transport import manifests
from transport.forms import (
    BusVehicleForm,
)
from transport.manifests import bus_label
from transport.services import buses as bus_services
from transport.views.shared import (
    back_url,
    error_text,
    refuse_unless_coordinator,
)


@login_required
def bus_manifest(request, pk: int):
    if refused := refuse_unless_coordinator(request):
        return refused
    bus = get_object_or_404(
        access.buses_visible_to(request.user).select_related(
            "trip__origin", "trip__destination", "district"
        ),
        pk=pk,
    )
    manifest = manifests.bus_manifest(bus)
    if request.GET.get("format") == "xlsx":
        return spreadsheets.download(manifests.manifest_workbook(manifest), manifest.filename)
    return render(
        request, "transport/manifest.html", {"manifest": manifest, "trip": bus.trip, "bus": bus}
    )


@login_required
@require_POST
def bus_update(request, pk: int):
    """Record a bus's licence plate and driver (from the plan review or the trip page)."""
    if refused := refuse_unless_coordinator(request):
        return refused
    bus = get_object_or_404(access.buses_visible_to(request.user), pk=pk)
    fallback = f"{reverse('transport:trip_detail', args=[bus.trip_id])}#bus-{bus.pk}"
    form = BusVehicleForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_text(ValidationError(list(form.errors.values()))))
        return redirect(back_url(request, fallback))
    try:
        bus = bus_services.bus_update(actor=request.user, bus=bus, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request,
            _("%(bus)s 的车辆信息已保存。") % {"bus": bus_label(bus)},
        )
    return redirect(back_url(request, fallback))
