"""API of targets: any report definition of a scope the user may see, as a table.

``GET /api/v1/targets/reports/<report>/?pairing=<id>|county=<code>&year=&by=a,b`` returns
the same table the page, the chart and the .xlsx show (``targets.reports``).
"""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from laborbridge import access
from laborbridge.models import Role
from targets import selectors
from targets.reports import REPORTS, report_table


class ReportOutputSerializer(serializers.Serializer):
    title = serializers.CharField()
    dimensions = serializers.ListField(child=serializers.CharField())
    measures = serializers.ListField(child=serializers.CharField())
    headers = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.ListField())


class ReportView(APIView):
    """Return one report of a pairing or a county, grouped by the dimensions ``by``."""

    permission_classes = [access.HasRole.of(Role.COORDINATOR, Role.COUNTY_OFFICIAL, Role.ADMIN)]

    @extend_schema(
        parameters=[
            OpenApiParameter("pairing", int),
            OpenApiParameter("county", str),
            OpenApiParameter("year", int),
            OpenApiParameter("by", str, description="dimension keys, comma-separated"),
        ],
        responses=ReportOutputSerializer,
    )
    def get(self, request, report: str):
        definition = REPORTS.get(report)
        if definition is None:
            raise NotFound()
        if request.query_params.get("pairing"):
            pairing = get_object_or_404(
                access.pairings_with_dashboard(request.user), pk=request.query_params["pairing"]
            )
            scope = selectors.pairing_scope(pairing)
        elif request.query_params.get("county"):
            county = get_object_or_404(
                access.counties_with_dashboard(request.user), pk=request.query_params["county"]
            )
            scope = selectors.county_scope(county)
        else:
            raise ValidationError({"pairing": ["请指定结对（pairing）或县区（county）。"]})
        today = timezone.localdate()
        try:
            year = int(request.query_params.get("year", today.year))
        except ValueError:
            raise ValidationError({"year": ["年度应为数字。"]}) from None
        if not 2000 <= year <= 2100:
            raise ValidationError({"year": ["年度应在 2000 至 2100 之间。"]})
        by = [part for part in request.query_params.get("by", "").split(",") if part]
        try:
            table = report_table(definition, scope=scope, year=year, as_of=today, by=by)
        except KeyError as error:
            raise ValidationError({"by": [f"未知的维度：{error.args[0]}"]}) from None
        return Response(ReportOutputSerializer(table.as_dict()).data)
