"""API for employers, vacancies and the public job board.

Reads are scoped through ``laborbridge.access`` (404 outside the user's scope); writes go
through ``jobs.services`` (403 when the user may see but not change). Codes, not ids, name
reference data: occupations by code (``6-18-02-04``), regions by GB/T 2260 code, campaigns
and certificate types by their slug.
"""

from django.core.cache import cache
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from jobs import services
from jobs.board import (
    BOARD_CACHE_SECONDS,
    SORTS,
    board_data,
    board_filters,
    board_fragment_key,
    board_rows,
)
from jobs.models import (
    CompanySize,
    Education,
    Employer,
    Industry,
    PayType,
    ShiftPattern,
    SkillLevel,
    Vacancy,
    VacancyStatus,
)
from laborbridge import access
from laborbridge.api import ApiDateField, column_range, validated
from laborbridge.imports import ImportJobViewSet
from laborbridge.models import Campaign, CertificateType, Occupation, Region


class _RegionField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=Region.objects.all(), **kwargs)


# ---------------------------------------------------------------------------- employers


class EmployerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Employers the user may see. HR updates their own profile; coordinators register
    employers of their pairing and verify them."""

    class EmployerOutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        name = serializers.CharField()
        credit_code = serializers.CharField()
        city = serializers.CharField(source="city_id")
        district = serializers.CharField(source="district_id")
        address = serializers.CharField()
        industry = serializers.CharField()
        size = serializers.CharField()
        description = serializers.CharField()
        has_dormitory = serializers.BooleanField()
        dormitory_details = serializers.CharField()
        has_canteen = serializers.BooleanField()
        canteen_details = serializers.CharField()
        verification_status = serializers.CharField()
        rejection_reason = serializers.CharField()
        verified_at = serializers.DateTimeField(allow_null=True)

    class EmployerCreateInputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=120)
        credit_code = serializers.CharField(max_length=40)
        city = _RegionField()
        district = _RegionField()
        industry = serializers.ChoiceField(choices=Industry.choices)
        address = serializers.CharField(max_length=200, required=False, default="")
        size = serializers.ChoiceField(
            choices=CompanySize.choices, required=False, allow_blank=True, default=""
        )

    class EmployerUpdateInputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=120, required=False)
        credit_code = serializers.CharField(max_length=40, required=False)
        city = _RegionField(required=False)
        district = _RegionField(required=False)
        address = serializers.CharField(max_length=200, required=False, allow_blank=True)
        industry = serializers.ChoiceField(choices=Industry.choices, required=False)
        size = serializers.ChoiceField(
            choices=CompanySize.choices, required=False, allow_blank=True
        )
        description = serializers.CharField(required=False, allow_blank=True)
        has_dormitory = serializers.BooleanField(required=False)
        dormitory_details = serializers.CharField(max_length=200, required=False, allow_blank=True)
        has_canteen = serializers.BooleanField(required=False)
        canteen_details = serializers.CharField(max_length=200, required=False, allow_blank=True)

    class EmployerVerifyInputSerializer(serializers.Serializer):
        approve = serializers.BooleanField()
        reason = serializers.CharField(required=False, allow_blank=True, default="")

    serializer_class = EmployerOutputSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["verification_status", "district", "industry"]

    def get_queryset(self):
        return access.employers_visible_to(self.request.user)

    def _output(self, employer: Employer, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.EmployerOutputSerializer(employer).data, status=code)

    @extend_schema(request=EmployerCreateInputSerializer, responses={201: EmployerOutputSerializer})
    def create(self, request):
        """Register a new employer (coordinator within their pairing, or admin); it starts pending."""
        values = validated(self.EmployerCreateInputSerializer, request)
        employer = services.employer_create(actor=request.user, **values)
        return self._output(employer, status.HTTP_201_CREATED)

    @extend_schema(request=EmployerUpdateInputSerializer, responses=EmployerOutputSerializer)
    def partial_update(self, request, pk=None):
        """Update the company profile (HR of the employer, or admin)."""
        employer = self.get_object()
        values = validated(self.EmployerUpdateInputSerializer, request, partial=True)
        employer = services.employer_update(actor=request.user, employer=employer, **values)
        return self._output(employer)

    @extend_schema(request=EmployerVerifyInputSerializer, responses=EmployerOutputSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        """Verify the employer, or reject it with a reason (coordinator of its pairing, admin)."""
        employer = self.get_object()
        values = validated(self.EmployerVerifyInputSerializer, request)
        employer = services.employer_verify(actor=request.user, employer=employer, **values)
        return self._output(employer)


# ---------------------------------------------------------------------------- vacancies


class VacancyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Vacancies the user may see; HR creates, updates and moves their own along the
    lifecycle draft → open → paused → closed / filled."""

    class VacancyOutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        employer = serializers.IntegerField(source="employer_id")
        employer_name = serializers.CharField(source="employer.name")
        occupation = serializers.CharField(source="occupation.code")
        occupation_name = serializers.CharField(source="occupation.name")
        title = serializers.CharField()
        description = serializers.CharField()
        headcount = serializers.IntegerField()
        filled_count = serializers.IntegerField()
        headcount_remaining = serializers.IntegerField()
        wage_min = serializers.IntegerField()
        wage_max = serializers.IntegerField()
        pay_type = serializers.CharField()
        district = serializers.CharField(source="district_id")
        address = serializers.CharField()
        shift_pattern = serializers.CharField()
        working_hours = serializers.CharField()
        start_date = serializers.DateField()
        contract_months = serializers.IntegerField()
        age_min = serializers.IntegerField()
        age_max = serializers.IntegerField()
        required_certificates = serializers.SerializerMethodField()
        min_skill_level = serializers.IntegerField()
        min_education = serializers.IntegerField()
        physical_requirements = serializers.CharField()
        dormitory = serializers.BooleanField()
        meals = serializers.BooleanField()
        travel_reimbursement = serializers.BooleanField()
        social_insurance = serializers.BooleanField()
        benefits_note = serializers.CharField()
        campaign = serializers.CharField(source="campaign.code", allow_null=True)
        status = serializers.CharField()
        published_at = serializers.DateTimeField(allow_null=True)
        updated_at = serializers.DateTimeField()

        @extend_schema_field(serializers.ListField(child=serializers.CharField()))
        def get_required_certificates(self, vacancy: Vacancy) -> list[str]:
            return [certificate.code for certificate in vacancy.required_certificates.all()]

    class VacancyUpdateInputSerializer(serializers.Serializer):
        occupation = serializers.SlugRelatedField(
            slug_field="code", queryset=Occupation.objects.all(), required=False
        )
        title = serializers.CharField(max_length=100, required=False)
        description = serializers.CharField(required=False, allow_blank=True)
        headcount = serializers.IntegerField(
            required=False, **column_range(Vacancy, "headcount", min_value=1)
        )
        wage_min = serializers.IntegerField(required=False, **column_range(Vacancy, "wage_min"))
        wage_max = serializers.IntegerField(required=False, **column_range(Vacancy, "wage_max"))
        pay_type = serializers.ChoiceField(choices=PayType.choices, required=False)
        district = _RegionField(required=False)
        address = serializers.CharField(max_length=200, required=False, allow_blank=True)
        shift_pattern = serializers.ChoiceField(choices=ShiftPattern.choices, required=False)
        working_hours = serializers.CharField(max_length=100, required=False, allow_blank=True)
        start_date = ApiDateField(required=False)
        contract_months = serializers.IntegerField(
            required=False, **column_range(Vacancy, "contract_months")
        )
        age_min = serializers.IntegerField(required=False, **column_range(Vacancy, "age_min"))
        age_max = serializers.IntegerField(required=False, **column_range(Vacancy, "age_max"))
        required_certificates = serializers.SlugRelatedField(
            slug_field="code", queryset=CertificateType.objects.all(), many=True, required=False
        )
        min_skill_level = serializers.ChoiceField(choices=SkillLevel.choices, required=False)
        min_education = serializers.ChoiceField(choices=Education.choices, required=False)
        physical_requirements = serializers.CharField(
            max_length=200, required=False, allow_blank=True
        )
        dormitory = serializers.BooleanField(required=False)
        meals = serializers.BooleanField(required=False)
        travel_reimbursement = serializers.BooleanField(required=False)
        social_insurance = serializers.BooleanField(required=False)
        benefits_note = serializers.CharField(max_length=200, required=False, allow_blank=True)
        campaign = serializers.SlugRelatedField(
            slug_field="code", queryset=Campaign.objects.all(), required=False, allow_null=True
        )

    class VacancyCreateInputSerializer(VacancyUpdateInputSerializer):
        occupation = serializers.SlugRelatedField(
            slug_field="code", queryset=Occupation.objects.all()
        )
        title = serializers.CharField(max_length=100)
        headcount = serializers.IntegerField(**column_range(Vacancy, "headcount", min_value=1))
        wage_min = serializers.IntegerField(**column_range(Vacancy, "wage_min"))
        wage_max = serializers.IntegerField(**column_range(Vacancy, "wage_max"))
        district = _RegionField(required=False, help_text="默认为企业所在区县")
        start_date = ApiDateField()
        employer = serializers.IntegerField(
            required=False,
            min_value=1,
            max_value=2**63 - 1,
            help_text="仅管理员需要；企业人事总是为本企业发布",
        )
        publish = serializers.BooleanField(required=False, default=False)

    class VacancyTransitionInputSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=VacancyStatus.choices)

    serializer_class = VacancyOutputSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["status", "district", "campaign", "employer"]

    def get_queryset(self):
        return (
            access.vacancies_visible_to(self.request.user)
            .select_related("employer", "occupation", "campaign")
            .prefetch_related("required_certificates")
        )

    def _output(self, vacancy: Vacancy, code: int = status.HTTP_200_OK) -> Response:
        vacancy = self.get_queryset().get(pk=vacancy.pk)
        return Response(self.VacancyOutputSerializer(vacancy).data, status=code)

    @staticmethod
    def _certificates(data: dict) -> None:
        if "required_certificates" in data:
            data["required_certificates"] = tuple(data["required_certificates"])

    @extend_schema(request=VacancyCreateInputSerializer, responses={201: VacancyOutputSerializer})
    def create(self, request):
        """Create a vacancy of the user's employer, as a draft or (``publish``) open."""
        data = dict(validated(self.VacancyCreateInputSerializer, request))
        employers = access.employers_editable_by(request.user)
        employer_id = request.user.employer_id or data.pop("employer", None)
        data.pop("employer", None)
        if employer_id is None:
            raise ValidationError({"employer": ["请指定企业。"]})
        employer = get_object_or_404(employers, pk=employer_id)
        publish = data.pop("publish")
        data.setdefault("district", employer.district)
        self._certificates(data)
        vacancy = services.vacancy_create(
            actor=request.user,
            employer=employer,
            data=services.VacancyData(**data),
            publish=publish,
        )
        return self._output(vacancy, status.HTTP_201_CREATED)

    @extend_schema(request=VacancyUpdateInputSerializer, responses=VacancyOutputSerializer)
    def partial_update(self, request, pk=None):
        """Change some fields of a vacancy (HR of its employer, or admin)."""
        vacancy = self.get_object()
        data = dict(validated(self.VacancyUpdateInputSerializer, request, partial=True))
        self._certificates(data)
        vacancy = services.vacancy_update(
            actor=request.user,
            vacancy=vacancy,
            data=services.VacancyData.of(vacancy, **data),
        )
        return self._output(vacancy)

    @extend_schema(request=VacancyTransitionInputSerializer, responses=VacancyOutputSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the vacancy to another status; an illegal move answers 400 with the reason."""
        vacancy = self.get_object()
        values = validated(self.VacancyTransitionInputSerializer, request)
        vacancy = services.vacancy_set_status(
            actor=request.user, vacancy=vacancy, status=values["status"]
        )
        return self._output(vacancy)


# ------------------------------------------------------------------------- public board


class BoardVacancyListView(GenericAPIView):
    """The public job board of a campaign (no login): open vacancies of verified employers,
    with places left. Nothing identifies HR staff."""

    class BoardVacancyOutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        title = serializers.CharField()
        occupation = serializers.CharField(source="occupation_code")
        occupation_name = serializers.CharField(source="occupation_zh")
        employer_name = serializers.CharField()
        district = serializers.CharField(source="district_code")
        district_name = serializers.CharField()
        wage_min = serializers.IntegerField()
        wage_max = serializers.IntegerField()
        pay_type = serializers.CharField()
        start_date = serializers.DateField()
        contract_months = serializers.IntegerField()
        shift_pattern = serializers.CharField()
        dormitory = serializers.BooleanField()
        meals = serializers.BooleanField()
        travel_reimbursement = serializers.BooleanField()
        social_insurance = serializers.BooleanField()
        headcount_remaining = serializers.IntegerField(source="remaining")

    serializer_class = BoardVacancyOutputSerializer
    permission_classes = [AllowAny]
    authentication_classes: list = []
    filter_backends: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("occupation", str, description="工种代码，如 6-18-02-04"),
            OpenApiParameter("district", str, description="区县行政区划代码，如 370214"),
            OpenApiParameter("sort", str, enum=list(SORTS)),
        ]
    )
    def get(self, request, campaign_code: str):
        campaign = get_object_or_404(access.campaigns_public(), code=campaign_code)
        params = request.query_params
        occupation, district, sort = board_filters(
            params.get("occupation", ""), params.get("district", ""), params.get("sort", "new")
        )
        number = params.get("page", "1")
        # Pages are cached like the HTML board: a warm page never loads the 5,000 rows. The
        # host is part of the key because the next / previous links are absolute.
        key = board_fragment_key(
            campaign.pk,
            "api",
            request.get_host(),
            occupation,
            district,
            sort,
            number if number.isdigit() and len(number) < 6 else "1",
        )
        data = cache.get(key)
        if data is None:
            rows = board_rows(
                board_data(campaign), occupation=occupation, district=district, sort=sort
            )
            page = self.paginate_queryset(rows)
            data = self.get_paginated_response(self.get_serializer(page, many=True).data).data
            cache.set(key, data, timeout=BOARD_CACHE_SECONDS)
        return Response(data)


# ------------------------------------------------------------------------------ import


class VacancyImportViewSet(ImportJobViewSet):
    """Import HR's vacancy list (.xlsx/.csv): upload → preview (row-level errors) → commit."""

    kind = "jobs.vacancies"
