"""API of point-to-point transport: trips, plans, seats, buses, manifests, roll call, check-in.

Reads are scoped through ``laborbridge.access`` (404 outside the user's scope); writes go
through ``transport.services`` (403 when the user may see but not change). Stations and
campaigns are named by their codes.
"""

import json

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from laborbridge import access, spreadsheets
from laborbridge.api import ApiDateTimeField, column_range
from laborbridge.api_errors import Conflict, ServiceUnavailable
from laborbridge.background import RunBusy
from laborbridge.background_api import RunOutputSerializer
from laborbridge.models import Station
from laborbridge.notifications.api import MessageOutputSerializer, MessageViewSet
from laborbridge.tasking import RETRY_AFTER_SECONDS, EnqueueFailed
from transport import manifests, selectors, services
from transport.models import BoardingStatus, Seat, TransportPlan, TripCar, TripMode
from transport.reasons import stage_label, unplaced_label

XLSX = spreadsheets.XLSX_CONTENT_TYPE


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    return spreadsheets.download(content, filename)


class XlsxRenderer(BaseRenderer):
    """Lets ``?format=xlsx`` (DRF's format override) choose the workbook download."""

    media_type = XLSX
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data, ensure_ascii=False).encode()  # an error before the download


_MANIFEST_RENDERERS = [JSONRenderer, XlsxRenderer]


def _coordinators_only(user) -> None:
    """Refuse other roles before looking at the body (their answer is 403, never 400)."""
    if not access.is_coordinator(user):
        raise PermissionDenied(_("只有协作专员可以安排运输。"))


class _StationField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=Station.objects.all(), **kwargs)


class ManifestRowOutputSerializer(serializers.Serializer):
    seat = serializers.CharField()
    car_no = serializers.IntegerField()
    name = serializers.CharField()
    id_number = serializers.CharField(help_text="masked")
    phone = serializers.CharField(help_text="masked")
    county = serializers.CharField()
    pickup_point = serializers.CharField()
    pickup_time = serializers.CharField()
    employer = serializers.CharField()
    district = serializers.CharField()
    stop_time = serializers.CharField()
    boarding = serializers.CharField()
    feeder_bus = serializers.CharField()
    arrival_bus = serializers.CharField()


class ManifestOutputSerializer(serializers.Serializer):
    title = serializers.CharField()
    vehicle = serializers.CharField()
    plan = serializers.CharField()
    operator = serializers.CharField()
    escort = serializers.CharField()
    route = serializers.CharField()
    departure = serializers.CharField()
    arrival = serializers.CharField()
    seats = serializers.IntegerField()
    plate = serializers.CharField(help_text="bus manifests: the vehicle's licence plate")
    driver = serializers.CharField(help_text="bus manifests: the driver's name and mobile")
    travellers = serializers.SerializerMethodField()
    rows = ManifestRowOutputSerializer(many=True)

    def get_travellers(self, manifest) -> int:
        return len(manifest.rows)


_FORMAT = OpenApiParameter("format", str, enum=["json", "xlsx"], description="xlsx downloads")


# --- trips ------------------------------------------------------------------------------


class TripViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Trips the user may see (coordinators: their campaigns'; officials and HR: the trips
    their people travel on). Coordinators create and edit trips and download manifests."""

    class TripOutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        campaign = serializers.CharField(source="campaign.code")
        mode = serializers.CharField()
        service_number = serializers.CharField()
        origin = serializers.CharField(source="origin.code")
        destination = serializers.CharField(source="destination.code")
        departure_at = serializers.DateTimeField()
        arrival_at = serializers.DateTimeField()
        cars = serializers.IntegerField()
        seats_per_car = serializers.IntegerField()
        car_seats = serializers.ListField(child=serializers.IntegerField())
        first_car_no = serializers.IntegerField()
        total_seats = serializers.IntegerField()
        operator = serializers.CharField()
        escort_name = serializers.CharField()
        escort_phone = serializers.CharField()
        fare_per_seat = serializers.DecimalField(max_digits=10, decimal_places=2)
        fare_per_vehicle = serializers.DecimalField(max_digits=12, decimal_places=2)
        feeder_bus_fare = serializers.DecimalField(
            max_digits=10, decimal_places=2, allow_null=True, help_text="null: the plan's fare"
        )
        arrival_bus_fare = serializers.DecimalField(
            max_digits=10, decimal_places=2, allow_null=True, help_text="null: the plan's fare"
        )

    class TripInputSerializer(serializers.Serializer):
        campaign = serializers.SlugField()
        mode = serializers.ChoiceField(choices=TripMode.choices)
        service_number = serializers.CharField(max_length=20)
        origin = _StationField()
        destination = _StationField()
        departure_at = ApiDateTimeField()
        arrival_at = ApiDateTimeField()
        cars = serializers.IntegerField(min_value=1, max_value=40)
        seats_per_car = serializers.IntegerField(min_value=0, max_value=400, default=0)
        car_seats = serializers.ListField(
            child=serializers.IntegerField(min_value=1, max_value=400), default=list, max_length=40
        )
        first_car_no = serializers.IntegerField(min_value=1, max_value=99, default=1)
        seat_letters = serializers.CharField(max_length=8, required=False, default="")
        operator = serializers.CharField(max_length=100, required=False, default="")
        escort_name = serializers.CharField(max_length=50, required=False, default="")
        escort_phone = serializers.CharField(max_length=20, required=False, default="")
        fare_per_seat = serializers.DecimalField(max_digits=10, decimal_places=2, default=0)
        fare_per_vehicle = serializers.DecimalField(max_digits=12, decimal_places=2, default=0)
        feeder_bus_fare = serializers.DecimalField(
            max_digits=10, decimal_places=2, required=False, allow_null=True, default=None
        )
        arrival_bus_fare = serializers.DecimalField(
            max_digits=10, decimal_places=2, required=False, allow_null=True, default=None
        )
        note = serializers.CharField(required=False, default="", allow_blank=True)

    class TripUpdateInputSerializer(serializers.Serializer):
        service_number = serializers.CharField(max_length=20, required=False)
        departure_at = ApiDateTimeField(required=False)
        arrival_at = ApiDateTimeField(required=False)
        operator = serializers.CharField(max_length=100, required=False, allow_blank=True)
        escort_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
        escort_phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
        fare_per_seat = serializers.DecimalField(max_digits=10, decimal_places=2, required=False)
        fare_per_vehicle = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
        feeder_bus_fare = serializers.DecimalField(
            max_digits=10, decimal_places=2, required=False, allow_null=True
        )
        arrival_bus_fare = serializers.DecimalField(
            max_digits=10, decimal_places=2, required=False, allow_null=True
        )
        cars = serializers.IntegerField(min_value=1, max_value=40, required=False)
        seats_per_car = serializers.IntegerField(min_value=1, max_value=400, required=False)
        note = serializers.CharField(required=False, allow_blank=True)

    class CarrierExportInputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=200)

    serializer_class = TripOutputSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["mode"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (
            access.trips_visible_to(self.request.user)
            .select_related("campaign", "origin", "destination")
            .order_by("departure_at", "pk")
        )

    def get_serializer_class(self):
        return {
            "create": self.TripInputSerializer,
            "partial_update": self.TripUpdateInputSerializer,
            "carrier_export": self.CarrierExportInputSerializer,
        }.get(self.action, self.TripOutputSerializer)

    @extend_schema(responses={201: TripOutputSerializer})
    def create(self, request, *args, **kwargs):
        _coordinators_only(request.user)
        data = self.TripInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        campaign = get_object_or_404(
            access.campaigns_visible_to(request.user), code=values.pop("campaign")
        )
        trip = services.trip_create(actor=request.user, campaign=campaign, **values)
        return Response(self.TripOutputSerializer(trip).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: TripOutputSerializer})
    def partial_update(self, request, *args, **kwargs):
        trip = self.get_object()
        data = self.TripUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        trip = services.trip_update(actor=request.user, trip=trip, **data.validated_data)
        return Response(self.TripOutputSerializer(trip).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    def _managed(self, pk):
        return get_object_or_404(
            access.trips_managed_by(self.request.user).select_related("origin", "destination"),
            pk=pk,
        )

    @extend_schema(
        parameters=[OpenApiParameter("car", int, description="one car only"), _FORMAT],
        responses={200: ManifestOutputSerializer, (200, XLSX): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"], renderer_classes=_MANIFEST_RENDERERS)
    def manifest(self, request, pk=None):
        """The trip's (or one car's) manifest with masked IDs; ``?format=xlsx`` downloads it."""
        trip = self._managed(pk)
        car = request.query_params.get("car")
        if car is not None:
            if not car.isdigit() or not trip.car_rows.filter(car_no=int(car)).exists():
                raise ValidationError(
                    {"car": [_("这趟车次没有第 %(car)s 节车厢。") % {"car": car}]}
                )
            car = int(car)
        manifest = manifests.trip_manifest(trip, car)
        if request.accepted_renderer.format == "xlsx":
            return _xlsx(manifests.manifest_workbook(manifest), manifest.filename)
        return Response(ManifestOutputSerializer(manifest).data)

    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY})
    @action(
        detail=True,
        methods=["post"],
        url_path="carrier-export",
        renderer_classes=_MANIFEST_RENDERERS,
    )
    def carrier_export(self, request, pk=None):
        """The carrier's real-name list with full ID numbers; the reason is recorded."""
        trip = self._managed(pk)
        data = self.CarrierExportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        content = services.trip_carrier_export(
            actor=request.user,
            trip=trip,
            reason=data.validated_data["reason"],
        )
        return _xlsx(content, f"{trip.service_number}-carrier.xlsx")


# --- pickup points ----------------------------------------------------------------------


class _RegionField(serializers.SlugRelatedField):
    def __init__(self, level: str, **kwargs):
        from laborbridge.models import Region

        super().__init__(slug_field="code", queryset=Region.objects.filter(level=level), **kwargs)


class PickupPointViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """County pickup points: a coordinator's western counties', an official's own county's.
    DELETE removes a point nobody's journey starts at — deleted if no record mentions it,
    else deactivated (``outcome`` says which); refused with 400 while journeys start there."""

    class PickupPointOutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        county = serializers.CharField(source="county_id")
        county_name = serializers.CharField(source="county.name")
        township = serializers.CharField(source="township_id", allow_null=True)
        township_name = serializers.CharField(
            source="township.name", default=None, allow_null=True, help_text="null: no township"
        )
        name = serializers.CharField()
        address = serializers.CharField()
        latitude = serializers.FloatField()
        longitude = serializers.FloatField()
        is_default = serializers.BooleanField()
        is_active = serializers.BooleanField()

    class PickupPointInputSerializer(serializers.Serializer):
        county = _RegionField("county")
        township = _RegionField("township", required=False, allow_null=True, default=None)
        name = serializers.CharField(max_length=100)
        address = serializers.CharField(
            max_length=200, required=False, default="", allow_blank=True
        )
        latitude = serializers.FloatField(min_value=-90, max_value=90)
        longitude = serializers.FloatField(min_value=-180, max_value=180)
        is_default = serializers.BooleanField(default=False)

    class PickupPointUpdateInputSerializer(serializers.Serializer):
        township = _RegionField("township", required=False, allow_null=True)
        name = serializers.CharField(max_length=100, required=False)
        address = serializers.CharField(max_length=200, required=False, allow_blank=True)
        latitude = serializers.FloatField(min_value=-90, max_value=90, required=False)
        longitude = serializers.FloatField(min_value=-180, max_value=180, required=False)
        is_default = serializers.BooleanField(required=False)

    class PickupPointRemovedOutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        outcome = serializers.ChoiceField(choices=["deleted", "deactivated"])

    serializer_class = PickupPointOutputSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["county", "is_active"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return (
            access.pickup_points_visible_to(self.request.user)
            .select_related("county", "township")
            .order_by("county_id", "-is_default", "name", "pk")
        )

    def get_serializer_class(self):
        return {
            "create": self.PickupPointInputSerializer,
            "partial_update": self.PickupPointUpdateInputSerializer,
        }.get(self.action, self.PickupPointOutputSerializer)

    def _managed(self, pk):
        return get_object_or_404(access.pickup_points_managed_by(self.request.user), pk=pk)

    @extend_schema(responses={201: PickupPointOutputSerializer})
    def create(self, request, *args, **kwargs):
        if not access.has_role(request.user, *access.TRANSPORT_STAFF):
            raise PermissionDenied(_("只有协作专员和县级工作人员可以管理集合点。"))
        data = self.PickupPointInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        point = services.pickup_point_create(actor=request.user, **data.validated_data)
        return Response(
            self.PickupPointOutputSerializer(point).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(responses={200: PickupPointOutputSerializer})
    def partial_update(self, request, *args, **kwargs):
        point = self._managed(kwargs["pk"])
        data = self.PickupPointUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        point = services.pickup_point_update(actor=request.user, point=point, **data.validated_data)
        return Response(self.PickupPointOutputSerializer(point).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(responses={200: PickupPointRemovedOutputSerializer})
    def destroy(self, request, *args, **kwargs):
        point = self._managed(kwargs["pk"])
        pk = point.pk
        outcome = services.pickup_point_remove(actor=request.user, point=point)
        return Response({"id": pk, "outcome": outcome})


# --- seats ------------------------------------------------------------------------------


def _seat_reload(seat: Seat) -> Seat:
    return Seat.objects.select_related("car", "trip", "worker", "match__vacancy__employer").get(
        pk=seat.pk
    )


class SeatViewSet(viewsets.ReadOnlyModelViewSet):
    """Seats the user may see: a coordinator's campaigns', an official's county's workers',
    HR's incoming people. ``roll-call`` and ``undo-no-show`` (coordinators) and ``check-in``
    (HR) act on one."""

    class SeatOutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        plan = serializers.IntegerField(source="plan_id")
        trip = serializers.IntegerField(source="trip_id")
        service_number = serializers.CharField(source="trip.service_number")
        car_no = serializers.IntegerField(source="car.car_no")
        row = serializers.IntegerField()
        letter = serializers.CharField()
        label = serializers.CharField()
        worker = serializers.IntegerField(source="worker_id")
        worker_name = serializers.CharField(source="worker.name")
        worker_id_number = serializers.CharField(source="worker.id_number_masked")
        match = serializers.IntegerField(source="match_id")
        employer = serializers.CharField(source="match.vacancy.employer.name")
        confirmed = serializers.BooleanField()
        boarding = serializers.CharField()
        released_at = serializers.DateTimeField(allow_null=True)
        release_reason = serializers.CharField()
        checked_in_at = serializers.DateTimeField(allow_null=True)

    class SeatRollCallInputSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=[BoardingStatus.PRESENT, BoardingStatus.NO_SHOW])

    class SeatCheckInInputSerializer(serializers.Serializer):
        confirm_not_roll_called = serializers.BooleanField(
            required=False,
            default=False,
            help_text="HR checked the identity of a traveller nobody roll-called on the trip.",
        )

    serializer_class = SeatOutputSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["trip", "boarding", "confirmed", "plan"]

    def get_queryset(self):
        return (
            access.seats_visible_to(self.request.user)
            .select_related("car", "trip", "worker", "match__vacancy__employer")
            .order_by("trip_id", "car__car_no", "row", "letter", "pk")
        )

    def get_serializer_class(self):
        if self.action == "roll_call":
            return self.SeatRollCallInputSerializer
        return self.SeatOutputSerializer

    @extend_schema(responses={200: SeatOutputSerializer})
    @action(detail=True, methods=["post"], url_path="roll-call")
    def roll_call(self, request, pk=None):
        """Mark the traveller present or absent at boarding (coordinators)."""
        seat = self.get_object()
        data = self.SeatRollCallInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        seat = services.seat_roll_call(
            actor=request.user,
            seat=seat,
            present=data.validated_data["status"] == BoardingStatus.PRESENT,
        )
        return Response(self.SeatOutputSerializer(_seat_reload(seat)).data)

    @extend_schema(request=None, responses={200: SeatOutputSerializer})
    @action(detail=True, methods=["post"], url_path="undo-no-show")
    def undo_no_show(self, request, pk=None):
        """Take back a no-show recorded by mistake: the seat is restored if still free, and
        the county official and HR are told the no-show notice was a mistake (coordinators)."""
        seat = self.get_object()
        seat = services.seat_no_show_undo(actor=request.user, seat=seat)
        return Response(self.SeatOutputSerializer(_seat_reload(seat)).data)

    @extend_schema(request=SeatCheckInInputSerializer, responses={200: SeatOutputSerializer})
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, pk=None):
        """Confirm the traveller's arrival at the factory gate: the match becomes hired (HR).
        A traveller nobody roll-called needs ``confirm_not_roll_called: true``."""
        seat = self.get_object()
        data = self.SeatCheckInInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        seat = services.seat_check_in(
            actor=request.user,
            seat=seat,
            confirm_not_roll_called=data.validated_data["confirm_not_roll_called"],
        )
        return Response(self.SeatOutputSerializer(_seat_reload(seat)).data)


# --- plans ------------------------------------------------------------------------------


class TransportPlanViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Transport plans of the coordinator's campaigns: POST queues a run; ``confirm``,
    ``move`` and ``swap`` review and adjust the current plan; ``fares`` sets its bus fares;
    ``costs`` totals it."""

    class TransportPlanOutputSerializer(RunOutputSerializer):
        id = serializers.IntegerField()
        campaign = serializers.CharField(source="campaign.code")
        version = serializers.IntegerField()
        status = serializers.CharField()
        run_status = serializers.CharField()
        progress_label = serializers.SerializerMethodField()
        planner_version = serializers.CharField()
        seed = serializers.IntegerField()
        params = serializers.JSONField()
        stats = serializers.JSONField()
        trunk = serializers.JSONField()
        leg_reports = serializers.JSONField()
        unplaced = serializers.SerializerMethodField()
        group_splits = serializers.JSONField()
        confirmed_at = serializers.DateTimeField(allow_null=True)

        def get_progress_label(self, plan) -> str:
            return stage_label(plan.progress_stage)

        def get_unplaced(self, plan) -> list[dict]:
            return [
                dict(entry, reason_label=unplaced_label(entry["reason"])) for entry in plan.unplaced
            ]

    class TransportPlanCreateInputSerializer(serializers.Serializer):
        campaign = serializers.SlugField()
        seed = serializers.IntegerField(default=0, **column_range(TransportPlan, "seed"))
        params = serializers.DictField(required=False, default=dict)

    class SeatMoveInputSerializer(serializers.Serializer):
        seat = serializers.IntegerField(**column_range(Seat, "id", min_value=1))
        trip = serializers.IntegerField(**column_range(Seat, "trip", min_value=1))
        car_no = serializers.IntegerField(**column_range(TripCar, "car_no", min_value=1))
        row = serializers.IntegerField(**column_range(Seat, "row", min_value=1))
        letter = serializers.CharField(max_length=1)

    class SeatSwapInputSerializer(serializers.Serializer):
        seat_a = serializers.IntegerField(**column_range(Seat, "id", min_value=1))
        seat_b = serializers.IntegerField(**column_range(Seat, "id", min_value=1))

    class PlanFaresInputSerializer(serializers.Serializer):
        feeder_bus_fare = serializers.DecimalField(max_digits=10, decimal_places=2)
        arrival_bus_fare = serializers.DecimalField(max_digits=10, decimal_places=2)

    class PlanCostsOutputSerializer(serializers.Serializer):
        total = serializers.FloatField()
        per_traveller = serializers.FloatField()
        travellers = serializers.IntegerField()
        by_mode = serializers.ListField(child=serializers.DictField())
        by_county = serializers.ListField(child=serializers.DictField())
        bus_fares = serializers.DictField()

    serializer_class = TransportPlanOutputSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["status", "run_status"]

    def get_queryset(self):
        return access.transport_plans_visible_to(self.request.user).select_related("campaign")

    def get_serializer_class(self):
        return {
            "create": self.TransportPlanCreateInputSerializer,
            "move": self.SeatMoveInputSerializer,
            "swap": self.SeatSwapInputSerializer,
            "fares": self.PlanFaresInputSerializer,
            "costs": self.PlanCostsOutputSerializer,
        }.get(self.action, self.TransportPlanOutputSerializer)

    @extend_schema(responses={201: TransportPlanOutputSerializer})
    def create(self, request, *args, **kwargs):
        _coordinators_only(request.user)
        data = self.TransportPlanCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        campaign = get_object_or_404(
            access.campaigns_visible_to(request.user), code=data.validated_data["campaign"]
        )
        try:
            plan = services.plan_create(
                actor=request.user,
                campaign=campaign,
                seed=data.validated_data["seed"],
                params=data.validated_data["params"],
            )
        except RunBusy as error:
            raise Conflict(error.messages[0]) from None
        except EnqueueFailed as error:
            raise ServiceUnavailable(error.message, retry_after=RETRY_AFTER_SECONDS) from None
        return Response(
            self.TransportPlanOutputSerializer(plan).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=None, responses={200: TransportPlanOutputSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        plan = services.plan_confirm(actor=request.user, plan=self.get_object())
        return Response(self.TransportPlanOutputSerializer(plan).data)

    @extend_schema(responses={200: SeatViewSet.SeatOutputSerializer})
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        plan = self.get_object()
        data = self.SeatMoveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        seat = get_object_or_404(
            access.seats_managed_by(request.user).filter(plan=plan), pk=values["seat"]
        )
        trip = get_object_or_404(
            access.trips_managed_by(request.user).filter(campaign=plan.campaign), pk=values["trip"]
        )
        seat = services.seat_move(
            actor=request.user,
            seat=seat,
            trip=trip,
            car_no=values["car_no"],
            row=values["row"],
            letter=values["letter"],
        )
        return Response(SeatViewSet.SeatOutputSerializer(_seat_reload(seat)).data)

    @extend_schema(responses={200: SeatViewSet.SeatOutputSerializer(many=True)})
    @action(detail=True, methods=["post"])
    def swap(self, request, pk=None):
        plan = self.get_object()
        data = self.SeatSwapInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        seats = access.seats_managed_by(request.user).filter(plan=plan)
        a = get_object_or_404(seats, pk=data.validated_data["seat_a"])
        b = get_object_or_404(seats, pk=data.validated_data["seat_b"])
        a, b = services.seats_swap(actor=request.user, seat_a=a, seat_b=b)
        return Response(
            SeatViewSet.SeatOutputSerializer([_seat_reload(a), _seat_reload(b)], many=True).data
        )

    @extend_schema(responses={200: PlanCostsOutputSerializer})
    @action(detail=True, methods=["post"])
    def fares(self, request, pk=None):
        """Set the current plan's feeder and arrival bus fares; answers the new costs."""
        plan = self.get_object()
        data = self.PlanFaresInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = services.plan_bus_fares_update(actor=request.user, plan=plan, **data.validated_data)
        return Response(self.PlanCostsOutputSerializer(selectors.plan_costs(plan)).data)

    @action(detail=True, methods=["get"])
    def costs(self, request, pk=None):
        plan = self.get_object()
        if not plan.is_current:
            raise ValidationError(_("只有当前方案有费用，请查看最新的方案。"))
        return Response(self.PlanCostsOutputSerializer(selectors.plan_costs(plan)).data)


# --- buses and notifications ------------------------------------------------------------


class BusViewSet(mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Feeder and arrival buses of the coordinator's trips, with their manifests. PATCH
    records the hired vehicle: licence plate, driver's name and mobile."""

    class BusOutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        plan = serializers.IntegerField(source="plan_id")
        trip = serializers.IntegerField(source="trip_id")
        kind = serializers.CharField()
        key = serializers.CharField()
        vehicle_index = serializers.IntegerField()
        capacity = serializers.IntegerField()
        occupied = serializers.IntegerField()
        departure_at = serializers.DateTimeField()
        arrival_at = serializers.DateTimeField()
        ride_minutes = serializers.IntegerField()
        distance_km = serializers.FloatField()
        stops = serializers.JSONField()
        adjusted = serializers.BooleanField()
        plate_number = serializers.CharField()
        driver_name = serializers.CharField()
        driver_phone = serializers.CharField()

    class BusUpdateInputSerializer(serializers.Serializer):
        plate_number = serializers.CharField(max_length=20, required=False, allow_blank=True)
        driver_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
        driver_phone = serializers.CharField(max_length=20, required=False, allow_blank=True)

    serializer_class = BusOutputSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["trip", "kind", "plan"]
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return access.buses_visible_to(self.request.user).order_by(
            "trip_id", "kind", "key", "vehicle_index"
        )

    def get_serializer_class(self):
        if self.action == "partial_update":
            return self.BusUpdateInputSerializer
        return self.BusOutputSerializer

    @extend_schema(responses={200: BusOutputSerializer})
    def partial_update(self, request, *args, **kwargs):
        bus = self.get_object()
        data = self.BusUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        bus = services.bus_update(actor=request.user, bus=bus, **data.validated_data)
        return Response(self.BusOutputSerializer(bus).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(
        parameters=[_FORMAT],
        responses={200: ManifestOutputSerializer, (200, XLSX): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"], renderer_classes=_MANIFEST_RENDERERS)
    def manifest(self, request, pk=None):
        bus = self.get_object()
        manifest = manifests.bus_manifest(bus)
        if request.accepted_renderer.format == "xlsx":
            return _xlsx(manifests.manifest_workbook(manifest), manifest.filename)
        return Response(ManifestOutputSerializer(manifest).data)


class TransportNotificationViewSet(MessageViewSet):
    """Transport's messages in the notification outbox (no-shows and their corrections),
    kept at their first path; ``/api/v1/notifications`` lists every message. Each has
    ``is_read`` for this user; ``?unread=true`` lists the unread ones. ``read`` / ``unread``
    mark one, ``read-all`` marks all, ``unread-count`` counts them."""

    class TransportNotificationOutputSerializer(MessageOutputSerializer):
        kind = serializers.SerializerMethodField()
        worker = serializers.IntegerField(source="params.worker_id", allow_null=True)
        trip = serializers.IntegerField(source="params.trip_id", allow_null=True)
        employer = serializers.IntegerField(source="params.employer_id", allow_null=True)

        def get_kind(self, message) -> str:
            return message.key.removeprefix("transport.")

    serializer_class = TransportNotificationOutputSerializer
    key_prefix = "transport."
