"""Feeder and arrival buses: read, record the vehicle and driver, the bus manifest."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from laborbridge import access, spreadsheets
from laborbridge.api import validated
from transport import manifests
from transport.api.shared import (
    FORMAT_PARAMETER,
    MANIFEST_RENDERERS,
    XLSX,
    ManifestOutputSerializer,
)
from transport.services import buses as bus_services


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
        data = validated(self.BusUpdateInputSerializer, request, partial=True)
        bus = bus_services.bus_update(actor=request.user, bus=bus, **data)
        return Response(self.BusOutputSerializer(bus).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(
        parameters=[FORMAT_PARAMETER],
        responses={200: ManifestOutputSerializer, (200, XLSX): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"], renderer_classes=MANIFEST_RENDERERS)
    def manifest(self, request, pk=None):
        bus = self.get_object()
        manifest = manifests.bus_manifest(bus)
        if request.accepted_renderer.format == "xlsx":
            return spreadsheets.download(manifests.manifest_workbook(manifest), manifest.filename)
        return Response(ManifestOutputSerializer(manifest).data)
