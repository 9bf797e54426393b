"""What the transport API shares: the workbook renderer, the coordinator check, the
manifest's output and the ``format`` parameter."""

import json

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.renderers import BaseRenderer, JSONRenderer

from laborbridge import access, spreadsheets

XLSX = spreadsheets.XLSX_CONTENT_TYPE


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


MANIFEST_RENDERERS = [JSONRenderer, XlsxRenderer]


def coordinators_only(user) -> None:
    """Refuse other roles before looking at the body (their answer is 403, never 400)."""
    if not access.is_coordinator(user):
        raise PermissionDenied(_("只有协作专员可以安排运输。"))


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


FORMAT_PARAMETER = OpenApiParameter(
    "format", str, enum=["json", "xlsx"], description="xlsx downloads"
)
