"""Trips: list, read, create, edit; the trip's manifest and the carrier's real-name export."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from laborbridge import access, spreadsheets
from laborbridge.api import ApiDateTimeField, validated
from laborbridge.models import Station
from transport import manifests
from transport.api.shared import (
    FORMAT_PARAMETER,
    MANIFEST_RENDERERS,
    XLSX,
    ManifestOutputSerializer,
    coordinators_only,
)
from transport.models import TripDirection, TripMode
from transport.services import carrier as carrier_services
from transport.services import trips as trip_services


class _StationField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=Station.objects.all(), **kwargs)


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
        direction = serializers.CharField()
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
        direction = serializers.ChoiceField(
            choices=TripDirection.choices, default=TripDirection.OUTBOUND
        )
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
    filterset_fields = ["mode", "direction"]
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
        coordinators_only(request.user)
        values = dict(validated(self.TripInputSerializer, request))
        campaign = get_object_or_404(
            access.campaigns_visible_to(request.user), code=values.pop("campaign")
        )
        trip = trip_services.trip_create(actor=request.user, campaign=campaign, **values)
        return Response(self.TripOutputSerializer(trip).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: TripOutputSerializer})
    def partial_update(self, request, *args, **kwargs):
        trip = self.get_object()
        data = validated(self.TripUpdateInputSerializer, request, partial=True)
        trip = trip_services.trip_update(actor=request.user, trip=trip, **data)
        return Response(self.TripOutputSerializer(trip).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    def _managed(self, pk):
        return get_object_or_404(
            access.trips_managed_by(self.request.user).select_related("origin", "destination"),
            pk=pk,
        )

    @extend_schema(
        parameters=[OpenApiParameter("car", int, description="one car only"), FORMAT_PARAMETER],
        responses={200: ManifestOutputSerializer, (200, XLSX): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"], renderer_classes=MANIFEST_RENDERERS)
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
            return spreadsheets.download(manifests.manifest_workbook(manifest), manifest.filename)
        return Response(ManifestOutputSerializer(manifest).data)

    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY})
    @action(
        detail=True,
        methods=["post"],
        url_path="carrier-export",
        renderer_classes=MANIFEST_RENDERERS,
    )
    def carrier_export(self, request, pk=None):
        """The carrier's real-name list with full ID numbers; the reason is recorded."""
        trip = self._managed(pk)
        data = validated(self.CarrierExportInputSerializer, request)
        content = carrier_services.trip_carrier_export(
            actor=request.user,
            trip=trip,
            reason=data["reason"],
        )
        return spreadsheets.download(content, f"{trip.service_number}-carrier.xlsx")
