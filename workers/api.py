"""API for the worker registry: scoped, and ID numbers and phones always masked."""

from rest_framework import serializers, viewsets
from rest_framework.permissions import IsAuthenticated

from laborbridge import access


class WorkerViewSet(viewsets.ReadOnlyModelViewSet):
    class WorkerOutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        name = serializers.CharField()
        id_number_masked = serializers.CharField()
        phone_masked = serializers.CharField()
        birth_date = serializers.DateField()
        sex = serializers.CharField()
        home_county = serializers.CharField(source="home_county_id")
        home_township = serializers.CharField(source="home_township_id", allow_null=True)
        home_village = serializers.CharField(source="home_village_id", allow_null=True)
        poverty_status = serializers.CharField()
        status = serializers.CharField()

    serializer_class = WorkerOutputSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["status", "poverty_status", "home_township"]

    def get_queryset(self):
        return access.workers_visible_to(self.request.user)
