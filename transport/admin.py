"""Admin views of transport: read-only, since every change goes through ``transport.services``
(which audits it); the coordinator pages are where trips are planned and adjusted."""

from django.contrib import admin

from laborbridge import access
from transport.models import Bus, PickupPoint, Seat, TransportPlan, Trip


class _ReadOnly(access.ScopedAdminMixin, admin.ModelAdmin):
    """Scoped like the pages (coordinators see their campaigns'); no forms."""


@admin.register(PickupPoint)
class PickupPointAdmin(_ReadOnly):
    scope = staticmethod(access.pickup_points_visible_to)

    list_display = [
        "name",
        "county",
        "township",
        "is_default",
        "is_active",
        "latitude",
        "longitude",
    ]
    list_filter = ["is_default", "is_active"]
    search_fields = ["name", "address", "county__name"]


@admin.register(Trip)
class TripAdmin(_ReadOnly):
    scope = staticmethod(access.trips_visible_to)

    list_display = ["service_number", "mode", "campaign", "origin", "destination", "departure_at"]
    list_filter = ["mode", "campaign"]
    search_fields = ["service_number"]
    list_select_related = ["campaign", "origin", "destination"]


@admin.register(TransportPlan)
class TransportPlanAdmin(_ReadOnly):
    scope = staticmethod(access.transport_plans_visible_to)

    list_display = ["campaign", "version", "status", "run_status", "planner_version", "created_at"]
    list_filter = ["status", "run_status"]
    list_select_related = ["campaign"]


@admin.register(Seat)
class SeatAdmin(_ReadOnly):
    scope = staticmethod(access.seats_visible_to)

    list_display = [
        "trip",
        "car",
        "row",
        "letter",
        "worker",
        "confirmed",
        "boarding",
        "released_at",
    ]
    list_filter = ["confirmed", "boarding"]
    list_select_related = ["trip__origin", "trip__destination", "car", "worker"]
    raw_id_fields = ["worker", "match"]


@admin.register(Bus)
class BusAdmin(_ReadOnly):
    scope = staticmethod(access.buses_visible_to)

    list_display = [
        "trip",
        "kind",
        "key",
        "vehicle_index",
        "capacity",
        "occupied",
        "plate_number",
        "driver_name",
    ]
    list_filter = ["kind"]
    list_select_related = ["trip__origin", "trip__destination"]
