"""Read-only API for reference data, and the API's shared error kit.

API views of every app raise, never build, error responses (see ``laborbridge.api_errors``):

- ``from laborbridge.api import Conflict`` → ``raise Conflict(_("…"))`` answers 409,
- ``from laborbridge.api import ServiceUnavailable`` →
  ``raise ServiceUnavailable(_("…"), retry_after=30)`` answers 503 with Retry-After,
- a service's Django ``ValidationError`` / ``PermissionDenied`` may simply propagate: the one
  exception handler turns them into 400 / 403 with the body ``{"code", "message", "fields"}``.
"""

from rest_framework import serializers, viewsets
from rest_framework.permissions import IsAuthenticated

from laborbridge import access
from laborbridge.api_errors import Conflict, ServiceUnavailable
from laborbridge.models import Campaign, Occupation, Region

__all__ = [
    "CampaignViewSet",
    "Conflict",
    "OccupationViewSet",
    "RegionViewSet",
    "ServiceUnavailable",
]


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """Administrative regions (GB/T 2260); filter by ``level`` and ``parent``."""

    class RegionOutputSerializer(serializers.ModelSerializer):
        class Meta:
            model = Region
            fields = ["code", "name", "full_name", "level", "parent", "latitude", "longitude"]

    serializer_class = RegionOutputSerializer
    permission_classes = [IsAuthenticated]
    queryset = Region.objects.all()
    filterset_fields = ["level", "parent"]


class OccupationViewSet(viewsets.ReadOnlyModelViewSet):
    """The occupation taxonomy with related-occupation links."""

    class OccupationOutputSerializer(serializers.ModelSerializer):
        group = serializers.SlugRelatedField(slug_field="code", read_only=True)
        related = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

        class Meta:
            model = Occupation
            fields = ["id", "code", "name_zh", "name_en", "group", "related"]

    serializer_class = OccupationOutputSerializer
    permission_classes = [IsAuthenticated]
    queryset = Occupation.objects.select_related("group").prefetch_related("related")
    filterset_fields = ["group__code"]


class CampaignViewSet(viewsets.ReadOnlyModelViewSet):
    """Campaigns of the pairings the user works within."""

    class CampaignOutputSerializer(serializers.ModelSerializer):
        pairing = serializers.SlugRelatedField(slug_field="code", read_only=True)

        class Meta:
            model = Campaign
            fields = ["id", "code", "name_zh", "name_en", "pairing", "starts_on", "ends_on"]

    serializer_class = CampaignOutputSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return access.campaigns_visible_to(self.request.user).select_related("pairing")
