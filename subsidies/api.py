"""API of subsidies part 1: policies (read), eligibility (read, recompute), applications
(免申即享 or one worker) and evidence upload. Reads scoped through ``laborbridge.access``
(404 outside the scope); writes through ``subsidies.services`` (403 / 400 with the message,
409 while a computation runs)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from laborbridge import access
from laborbridge.api import validated
from laborbridge.background_api import RunOutputSerializer
from laborbridge.models import Role
from subsidies import services
from subsidies.models import EligibilityOutcome, EvidenceKind
from subsidies.models.policies import BUDGET_MAX
from subsidies.reasons import reasons_text

READERS = (Role.COUNTY_OFFICIAL, Role.TOWNSHIP_OFFICER, Role.COORDINATOR, Role.ADMIN)
MAKERS = (Role.COUNTY_OFFICIAL, Role.ADMIN)
WRITERS = (Role.COORDINATOR, Role.ADMIN)


class AmountOutputSerializer(serializers.Serializer):
    zone = serializers.CharField()
    province = serializers.CharField(source="province_id", allow_null=True)
    amount = serializers.IntegerField()


class PolicyOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    issuing_region = serializers.CharField(source="issuing_region_id")
    year = serializers.IntegerField()
    source_document = serializers.CharField()
    issuing_bodies = serializers.CharField()
    target_groups = serializers.ListField(child=serializers.CharField())
    min_consecutive_months = serializers.IntegerField()
    organised_travel_excluded = serializers.BooleanField()
    age_min = serializers.IntegerField(allow_null=True)
    age_max = serializers.IntegerField(allow_null=True)
    once_per_year = serializers.BooleanField()
    evidence_kinds = serializers.ListField(child=serializers.CharField())
    pledge_allowed = serializers.BooleanField()
    notice_days = serializers.IntegerField()
    payment_mode = serializers.CharField()
    is_active = serializers.BooleanField()
    amounts = AmountOutputSerializer(many=True, source="amounts.all")


class EligibilityRunOutputSerializer(RunOutputSerializer):
    policy = serializers.IntegerField(source="policy_id")
    county = serializers.CharField(source="county_id")
    status = serializers.CharField()
    as_of = serializers.DateField()
    counts = serializers.DictField(child=serializers.IntegerField())


class ResultOutputSerializer(serializers.Serializer):
    worker = serializers.IntegerField(source="worker_id")
    worker_name = serializers.CharField(source="worker.name")
    township = serializers.CharField(source="township_id", allow_null=True)
    outcome = serializers.CharField()
    eligible_on = serializers.DateField(allow_null=True)
    zone = serializers.CharField()
    amount = serializers.IntegerField(allow_null=True)
    months_continuous = serializers.IntegerField()
    reasons = serializers.JSONField(help_text="[[message key, {params}], …]")
    reasons_text = serializers.SerializerMethodField()

    def get_reasons_text(self, result) -> list[str]:
        return reasons_text(result.reasons)


class CountyInputSerializer(serializers.Serializer):
    county = serializers.CharField(max_length=6)


class BudgetSerializer(serializers.Serializer):
    county = serializers.CharField(max_length=6, source="county_id")
    amount = serializers.IntegerField(min_value=0, max_value=BUDGET_MAX)


class ApplyInputSerializer(serializers.Serializer):
    county = serializers.CharField(max_length=6, required=False)
    worker = serializers.IntegerField(required=False)

    def validate(self, data):
        if bool(data.get("county")) == bool(data.get("worker")):
            raise serializers.ValidationError(
                "请填写 county（免申即享）或 worker（单人申报）之一。"
            )
        return data


class ApplicationCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    worker = serializers.IntegerField(source="worker_id")
    amount = serializers.IntegerField()
    zone = serializers.CharField()
    status = serializers.CharField()
    source = serializers.CharField()


class EvidenceInputSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=EvidenceKind.choices)
    file = serializers.FileField()


class EvidenceOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    application = serializers.IntegerField(source="application_id")
    kind = serializers.CharField()
    file_name = serializers.CharField()
    content_type = serializers.CharField()
    file_size = serializers.IntegerField()
    sha256 = serializers.CharField()


class SubsidyPolicyViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Subsidy policies of the user's area, with eligibility and applications under them."""

    permission_classes = [access.HasRole.of(*READERS)]
    serializer_class = PolicyOutputSerializer

    def get_queryset(self):
        return (
            access.subsidy_policies_visible_to(self.request.user)
            .prefetch_related("amounts")
            .order_by("pk")
        )

    def _county(self, code):
        return get_object_or_404(
            access.subsidy_eligibility_counties_for(self.request.user), pk=code
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("county", OpenApiTypes.STR, required=True),
            OpenApiParameter("outcome", OpenApiTypes.STR, enum=list(EligibilityOutcome.values)),
        ],
        responses={200: ResultOutputSerializer(many=True)},
    )
    @action(detail=True, methods=["get"])
    def eligibility(self, request, pk=None):
        """The stored eligibility of a county's placed workers, with reasons in words."""
        policy = self.get_object()
        county = self._county(request.query_params.get("county", ""))
        results = access.subsidy_results_visible_to(request.user).filter(
            policy=policy, county=county
        )
        outcome = request.query_params.get("outcome", "")
        if outcome in EligibilityOutcome.values:
            results = results.filter(outcome=outcome)
        page = self.paginate_queryset(results.select_related("worker").order_by("pk"))
        return self.get_paginated_response(ResultOutputSerializer(page, many=True).data)

    @extend_schema(request=CountyInputSerializer, responses={202: EligibilityRunOutputSerializer})
    @action(detail=True, methods=["post"], url_path="eligibility-runs")
    def eligibility_runs(self, request, pk=None):
        """Queue the computation of a county's eligibility (409 while one runs)."""
        policy = self.get_object()
        data = validated(CountyInputSerializer, request)
        run = services.eligibility_run_create(
            actor=request.user, policy=policy, county=self._county(data["county"])
        )
        return Response(EligibilityRunOutputSerializer(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=BudgetSerializer, responses={200: BudgetSerializer})
    @action(detail=True, methods=["post"], permission_classes=[access.HasRole.of(*WRITERS)])
    def budget(self, request, pk=None):
        """Set a county's budget under the policy (400 below what is already approved)."""
        policy = self.get_object()
        data = validated(BudgetSerializer, request)
        budget = services.policy_budget_set(
            actor=request.user,
            policy=policy,
            county=self._county(data["county_id"]),
            amount=data["amount"],
        )
        return Response(BudgetSerializer(budget).data)

    @extend_schema(
        request=ApplyInputSerializer, responses={201: ApplicationCreatedSerializer(many=True)}
    )
    @action(detail=True, methods=["post"], permission_classes=[access.HasRole.of(*MAKERS)])
    def apply(self, request, pk=None):
        """免申即享 for a county (``county``) or one worker's application (``worker``)."""
        policy = self.get_object()
        data = validated(ApplyInputSerializer, request)
        if data.get("worker"):
            worker = get_object_or_404(access.workers_visible_to(request.user), pk=data["worker"])
            made = [services.application_create(actor=request.user, policy=policy, worker=worker)]
        else:
            made = services.applications_create_for_eligible(
                actor=request.user,
                policy=policy,
                county=self._county(data["county"]),
            )
        return Response(
            ApplicationCreatedSerializer(made, many=True).data, status=status.HTTP_201_CREATED
        )


class SubsidyEvidenceViewSet(viewsets.GenericViewSet):
    """Upload a document (PDF, PNG, JPG ≤ 5 MB) to an application; stored encrypted."""

    permission_classes = [access.HasRole.of(*MAKERS)]
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = EvidenceOutputSerializer

    @extend_schema(request=EvidenceInputSerializer, responses={201: EvidenceOutputSerializer})
    def create(self, request):
        data = validated(EvidenceInputSerializer, request)
        application = get_object_or_404(
            access.subsidy_applications_visible_to(request.user),
            pk=data["application"],
        )
        upload = data["file"]
        if upload.size > services.MAX_EVIDENCE_BYTES:
            raise serializers.ValidationError({"file": "文件超过 5 MB，请压缩后再上传。"})
        evidence = services.evidence_add(
            actor=request.user,
            application=application,
            kind=data["kind"],
            file_name=upload.name,
            data=upload.read(),
        )
        return Response(EvidenceOutputSerializer(evidence).data, status=status.HTTP_201_CREATED)
