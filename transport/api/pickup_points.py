"""County pickup points: list, read, add, edit, remove."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from laborbridge import access
from laborbridge.api import validated
from transport.services import pickup_points as pickup_point_services


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
        data = validated(self.PickupPointInputSerializer, request)
        point = pickup_point_services.pickup_point_create(actor=request.user, **data)
        return Response(
            self.PickupPointOutputSerializer(point).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(responses={200: PickupPointOutputSerializer})
    def partial_update(self, request, *args, **kwargs):
        point = self._managed(kwargs["pk"])
        data = validated(self.PickupPointUpdateInputSerializer, request, partial=True)
        point = pickup_point_services.pickup_point_update(actor=request.user, point=point, **data)
        return Response(self.PickupPointOutputSerializer(point).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(responses={200: PickupPointRemovedOutputSerializer})
    def destroy(self, request, *args, **kwargs):
        point = self._managed(kwargs["pk"])
        pk = point.pk
        outcome = pickup_point_services.pickup_point_remove(actor=request.user, point=point)
        return Response({"id": pk, "outcome": outcome})
