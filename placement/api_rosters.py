"""API of what people file and watch after the gate (issue 13): the coordinator's wage-gap
flags, the receiving city's 在岗人员花名册, the county's monthly census and its
poverty-monitoring exports (create, status, download).

Each endpoint has the roles and the scope of its page (``placement.views``,
``placement.views_rosters``): rows come from the same selectors and ``laborbridge.access``
scopes, so a user reads over the API exactly what their page shows; phones and ID numbers
stay masked. Writes (an export run) go through ``placement.poverty_export``.
"""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from laborbridge import access, spreadsheets
from laborbridge.api_errors import Conflict
from laborbridge.models import Region
from laborbridge.spreadsheets import XLSX_CONTENT_TYPE
from placement import poverty_export, rosters, selectors
from placement.export_models import PovertyExport
from placement.models import WageSource
from placement.views_rosters import CENSUS_READERS, EXPORT_RUNNERS, ROSTER_READERS
from workers.models import EmploymentStatus

# --- wage-gap flags ------------------------------------------------------------------------


class WageGapFlagListOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    employment = serializers.IntegerField(source="employment_id")
    worker = serializers.IntegerField(source="employment.worker_id")
    worker_name = serializers.CharField(source="employment.worker.name")
    id_number_masked = serializers.CharField(source="employment.worker.id_number_masked")
    employer_name = serializers.SerializerMethodField()
    month = serializers.DateField(help_text="First day of the month.")
    promised = serializers.IntegerField()
    actual = serializers.IntegerField(help_text="The short figure that opened the flag.")
    gap_percent = serializers.IntegerField()
    source = serializers.ChoiceField(choices=WageSource.choices)
    resolved = serializers.BooleanField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    resolved_source = serializers.CharField(
        help_text="follow_up or roster: the report that brought the gap within the threshold."
    )
    resolved_actual = serializers.IntegerField(allow_null=True)

    def get_employer_name(self, flag) -> str:
        employment = flag.employment
        return employment.current_employer_name or employment.employer.name


class WageFlagViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Months whose actual pay fell short of the promise by more than the threshold, of
    the coordinator's pairing (admin: all), newest month first."""

    permission_classes = [access.HasRole.of(*access.COORDINATORS)]
    serializer_class = WageGapFlagListOutputSerializer

    def get_queryset(self):
        state = self.request.query_params.get("state")
        if state not in (selectors.FLAG_OPEN, selectors.FLAG_RESOLVED):
            state = None
        return selectors.wage_flags_for(self.request.user, state=state)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "state", OpenApiTypes.STR, enum=[selectors.FLAG_OPEN, selectors.FLAG_RESOLVED]
            )
        ]
    )
    def list(self, request, *args, **kwargs):
        """List the wage-gap flags (all, or only ``open`` / ``resolved``)."""
        return super().list(request, *args, **kwargs)


# --- the roster and the census -------------------------------------------------------------


def _rows_response(view: viewsets.GenericViewSet, row_of) -> Response:
    """Answer one page of ``view``'s employment records, each made a row by ``row_of``."""
    page = view.paginate_queryset(view.get_queryset())
    today = timezone.localdate()
    rows = [row_of(employment, today) for employment in page]
    return view.get_paginated_response(view.get_serializer(rows, many=True).data)


class RosterRowOutputSerializer(serializers.Serializer):
    employment = serializers.IntegerField(source="employment.pk")
    worker = serializers.IntegerField(source="employment.worker_id")
    name = serializers.CharField(source="employment.worker.name")
    sex = serializers.CharField(source="employment.worker.get_sex_display")
    age = serializers.IntegerField()
    home_county = serializers.CharField(source="employment.worker.home_county_id")
    home_county_name = serializers.CharField(source="employment.worker.home_county.name")
    employer = serializers.IntegerField(source="employment.current_employer_id", allow_null=True)
    employer_name = serializers.CharField(source="employment.current_employer_name")
    job_title = serializers.CharField()
    workplace = serializers.CharField(source="employment.current_workplace_id", allow_null=True)
    arrived_on = serializers.DateField(source="employment.started_on")
    months_continuous = serializers.IntegerField()
    months_total = serializers.IntegerField(source="months")
    phone_masked = serializers.CharField(source="employment.worker.phone_masked")


class RosterViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The receiving city's roster of the people at work (在岗人员花名册), in the user's
    scope, by district, employer and name; phones masked (reveal on the page, audited)."""

    permission_classes = [access.HasRole.of(*ROSTER_READERS)]
    serializer_class = RosterRowOutputSerializer

    def get_queryset(self):
        params = self.request.query_params
        employer = params.get("employer")
        return rosters.roster_rows(
            rosters.roster_scope(self.request.user),
            district=params.get("district") or None,
            employer=int(employer) if employer and employer.isdigit() else None,
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("district", OpenApiTypes.STR, description="Workplace county code."),
            OpenApiParameter("employer", OpenApiTypes.INT, description="Current employer id."),
        ]
    )
    def list(self, request, *args, **kwargs):
        """List the roster, paginated; months are whole months (continuous and total)."""
        return _rows_response(self, rosters.roster_row)


class CensusRowOutputSerializer(serializers.Serializer):
    employment = serializers.IntegerField(source="employment.pk")
    worker = serializers.IntegerField(source="employment.worker_id")
    name = serializers.CharField(source="employment.worker.name")
    sex = serializers.CharField(source="employment.worker.get_sex_display")
    age = serializers.IntegerField()
    id_number_masked = serializers.CharField(source="employment.worker.id_number_masked")
    township = serializers.CharField(source="employment.worker.home_township_id", allow_null=True)
    status = serializers.ChoiceField(source="employment.status", choices=EmploymentStatus.choices)
    employer_name = serializers.CharField(source="employment.current_employer_name")
    workplace = serializers.CharField(source="employment.current_workplace_id", allow_null=True)
    arrived_on = serializers.DateField(source="employment.started_on")
    working_since = serializers.DateField(source="employment.working_since", allow_null=True)
    months_continuous = serializers.IntegerField(source="months.continuous")
    months_total = serializers.IntegerField(source="months.total")
    phone_masked = serializers.CharField(source="employment.worker.phone_masked")


class CensusViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The county's monthly census (月度在岗摸底表): every placed worker of the official's
    county with their state and months worked, continuous and total."""

    permission_classes = [access.HasRole.of(*CENSUS_READERS)]
    serializer_class = CensusRowOutputSerializer

    def get_queryset(self):
        state = self.request.query_params.get("status")
        return rosters.census_rows(
            rosters.census_scope(self.request.user),
            status=state if state in EmploymentStatus.values else None,
        )

    @extend_schema(
        parameters=[OpenApiParameter("status", OpenApiTypes.STR, enum=EmploymentStatus.values)]
    )
    def list(self, request, *args, **kwargs):
        """List the census, paginated."""
        return _rows_response(self, rosters.census_row)


# --- the poverty-monitoring export ---------------------------------------------------------


class PovertyExportOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    county = serializers.CharField(source="county_id")
    county_name = serializers.CharField(source="county.name")
    year = serializers.IntegerField()
    as_of = serializers.DateField()
    status = serializers.ChoiceField(choices=PovertyExport.Status.choices)
    progress_percent = serializers.IntegerField()
    row_count = serializers.IntegerField()
    counts = serializers.DictField(
        child=serializers.IntegerField(), help_text="Findings per check, once done."
    )
    created_at = serializers.DateTimeField()


class PovertyExportInputSerializer(serializers.Serializer):
    county = serializers.PrimaryKeyRelatedField(
        queryset=Region.objects.none(),
        required=False,
        help_text="County code; an official's own county when left out.",
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["county"].queryset = access.poverty_export_counties_for(user)


class PovertyExportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The county's exports for the national poverty-monitoring system: start one (it runs
    in the background), poll its status, download the finished .xlsx (audited)."""

    permission_classes = [access.HasRole.of(*EXPORT_RUNNERS)]
    serializer_class = PovertyExportOutputSerializer

    def get_queryset(self):
        return access.poverty_exports_visible_to(self.request.user).select_related("county")

    @extend_schema(
        request=PovertyExportInputSerializer, responses={201: PovertyExportOutputSerializer}
    )
    def create(self, request):
        """Queue an export of the county as of today (409 while one is queued or running)."""
        data = PovertyExportInputSerializer(data=request.data, user=request.user)
        data.is_valid(raise_exception=True)
        county = data.validated_data.get("county")
        if county is None:
            county = get_object_or_404(
                access.poverty_export_counties_for(request.user), pk=request.user.county_id
            )
        export = poverty_export.poverty_export_create(actor=request.user, county=county)
        return Response(PovertyExportOutputSerializer(export).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={
            (200, XLSX_CONTENT_TYPE): OpenApiResponse(
                response=OpenApiTypes.BINARY, description="xlsx"
            )
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """Download the finished file (full ID numbers; who and when is recorded)."""
        export = self.get_object()
        if export.status != PovertyExport.Status.DONE:
            raise Conflict(_("导出文件尚未生成。"))
        content, name = poverty_export.poverty_export_download(actor=request.user, export=export)
        return spreadsheets.download(content, name)
