"""Read-only API for reference data, and the API's shared error kit.

API views of every app raise, never build, error responses (see ``laborbridge.api_errors``):

- ``from laborbridge.api import Conflict`` → ``raise Conflict(_("…"))`` answers 409,
- ``from laborbridge.api import ServiceUnavailable`` →
  ``raise ServiceUnavailable(_("…"), retry_after=30)`` answers 503 with Retry-After,
- a service's Django ``ValidationError`` / ``PermissionDenied`` may simply propagate: the one
  exception handler turns them into 400 / 403 with the body ``{"code", "message", "fields"}``.
"""

import datetime as dt

from django.core.validators import MaxValueValidator, MinValueValidator
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from laborbridge import access
from laborbridge.api_errors import Conflict, ServiceUnavailable
from laborbridge.models import Campaign, Occupation, Region

__all__ = [
    "ApiDateField",
    "ApiDateTimeField",
    "ApiRootView",
    "ApiRouter",
    "CampaignViewSet",
    "Conflict",
    "OccupationViewSet",
    "RegionViewSet",
    "ServiceUnavailable",
    "column_range",
    "validated",
]


API_ROOT = "api/v1/"


def validated(serializer_class: type[serializers.Serializer], request, **kwargs) -> dict:
    """Return ``request.data`` validated by ``serializer_class`` (``kwargs`` such as
    ``partial=True`` go to it); invalid input raises, and the one handler answers 400."""
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def column_range(
    model, field_name: str, *, min_value: int | None = None, max_value: int | None = None
) -> dict[str, int]:
    """Return ``min_value`` / ``max_value`` of an integer model field for a serializer field.

    The bounds come from the field's validators, which include its column's range on the
    database in use (``PositiveIntegerField``: 0 … 2147483647 on PostgreSQL), so a number the
    column cannot hold is a 400 naming the limit instead of a ``DataError``. ``min_value`` /
    ``max_value`` narrow the range further (a headcount of at least 1).
    """
    bounds: dict[str, int] = {}
    if min_value is not None:
        bounds["min_value"] = min_value
    if max_value is not None:
        bounds["max_value"] = max_value
    for validator in model._meta.get_field(field_name).validators:
        limit = validator.limit_value
        if isinstance(validator, MinValueValidator):
            bounds["min_value"] = max(bounds.get("min_value", limit), limit)
        elif isinstance(validator, MaxValueValidator):
            bounds["max_value"] = min(bounds.get("max_value", limit), limit)
    return bounds


# Dates the platform deals in: birth dates aside, nothing before 2000 or after 2100. The range
# also keeps time zones sane: before 1901 Asia/Shanghai is local mean time (+08:05:43).
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)


class ApiDateTimeField(serializers.DateTimeField):
    """A date-time between 2000 and 2100; naive input is read in the project's time zone."""

    default_error_messages = {
        "out_of_range": _("时间须在 {earliest} 至 {latest} 之间。"),
    }

    def to_internal_value(self, value):
        value = super().to_internal_value(value)
        if not EARLIEST <= value.date() <= LATEST:
            self.fail("out_of_range", earliest=EARLIEST.year, latest=LATEST.year)
        return value


class ApiDateField(serializers.DateField):
    """A date between 2000 and 2100 (start dates, trip days), or from the first day of year
    ``earliest`` (certificates older than 2000 exist) to the last of ``latest``."""

    default_error_messages = {
        "out_of_range": _("日期须在 {earliest} 至 {latest} 之间。"),
    }

    def __init__(self, *, earliest: int = EARLIEST.year, latest: int = LATEST.year, **kwargs):
        self.earliest, self.latest = earliest, latest
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        value = super().to_internal_value(value)
        if not self.earliest <= value.year <= self.latest:
            self.fail("out_of_range", earliest=self.earliest, latest=self.latest)
        return value


class ApiRouter(SimpleRouter):
    """The router of every app's ``api_urls``: path converters, ids are integers.

    ``/trips/abc/`` and ``/trips/1.5/`` match no route (404 with the API body) instead of
    reaching the view; a viewset whose lookup is not an integer id names its converter
    (``lookup_value_converter = "str"``). There is no per-app root view: ``ApiRootView``
    lists the resources of all apps.
    """

    def __init__(self):
        super().__init__(use_regex_path=False)
        self._default_value_pattern = "int"


def _list_routes(patterns, prefix: str = "") -> list[tuple[str, str]]:
    """Return (route, name) of every collection route (``…-list``) below ``patterns``."""
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found += _list_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and (pattern.name or "").endswith("-list"):
            found.append((prefix + str(pattern.pattern), pattern.name))
    return found


class ApiRootView(APIView):
    """List every resource of the API: its name and the URL of its collection."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={
            200: {"type": "object", "additionalProperties": {"type": "string", "format": "uri"}}
        },
        description="Every resource of the API, by name, with the URL of its collection.",
    )
    def get(self, request):
        routes = _list_routes(get_resolver().url_patterns)
        resources = {
            route.removeprefix(API_ROOT).rstrip("/"): request.build_absolute_uri(reverse(name))
            for route, name in routes
            if route.startswith(API_ROOT) and "<" not in route
        }
        return Response(dict(sorted(resources.items())))


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """Administrative regions (GB/T 2260); filter by ``level`` and ``parent``."""

    lookup_value_converter = "str"

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
