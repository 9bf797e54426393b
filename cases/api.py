"""API of cases: list (filters status, kind, overdue), detail with its steps, open one on a
worker's behalf, take a step, close a 想返乡 case by recording the return home.

Reads are scoped through ``laborbridge.access`` (404 outside the user's scope); writes go
through ``cases.services`` (403 when refused, 400 with the service's Chinese message).
Errors have the shared body of ``laborbridge.api_errors``.
"""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cases import selectors, services
from cases.models import Case, CaseKind, CaseStatus, OpenedVia, Sector, StepAction
from laborbridge import access
from laborbridge.api import ApiDateField, column_range
from placement.models import LeavingReason
from workers.models import Worker


class StepOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.ChoiceField(choices=StepAction.choices)
    status_after = serializers.ChoiceField(choices=CaseStatus.choices)
    note = serializers.CharField(help_text="Shown to the worker.")
    staff_note = serializers.CharField(help_text="Staff only.")
    by = serializers.CharField(source="by.username", allow_null=True, default=None)
    by_worker = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class CaseOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    worker = serializers.IntegerField(source="worker_id")
    worker_name = serializers.CharField(source="worker.name")
    id_number_masked = serializers.CharField(source="worker.id_number_masked")
    phone_masked = serializers.SerializerMethodField()
    employment = serializers.IntegerField(source="employment_id", allow_null=True)
    kind = serializers.ChoiceField(choices=CaseKind.choices)
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    opened_via = serializers.ChoiceField(choices=OpenedVia.choices)
    sector = serializers.CharField()
    employer_name = serializers.CharField()
    employer_address = serializers.CharField()
    workplace = serializers.CharField(source="workplace_id", allow_null=True)
    owed_from = ApiDateField(required=False, allow_null=True, help_text="Any day of the month.")
    owed_to = serializers.DateField(allow_null=True)
    amount_owed = serializers.IntegerField(allow_null=True)
    description = serializers.CharField()
    deadline = serializers.DateField()
    overdue = serializers.SerializerMethodField()
    referred_to = serializers.CharField()
    created_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)

    def get_phone_masked(self, case) -> str:
        return case.phone_masked or case.worker.phone_masked

    def get_overdue(self, case) -> bool:
        return case.is_overdue(self.context["today"])


class CaseDetailOutputSerializer(CaseOutputSerializer):
    steps = StepOutputSerializer(many=True, source="steps.all")


class CaseOpenInputSerializer(serializers.Serializer):
    worker = serializers.PrimaryKeyRelatedField(queryset=Worker.objects.none())
    kind = serializers.ChoiceField(choices=CaseKind.choices)
    description = serializers.CharField(required=False, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
    sector = serializers.ChoiceField(choices=Sector.choices, required=False, allow_blank=True)
    employer_name = serializers.CharField(required=False, allow_blank=True, max_length=120)
    employer_address = serializers.CharField(required=False, allow_blank=True, max_length=200)
    owed_from = ApiDateField(required=False, allow_null=True, help_text="Any day of the month.")
    owed_to = ApiDateField(required=False, allow_null=True)
    amount_owed = serializers.IntegerField(
        required=False,
        allow_null=True,
        **column_range(Case, "amount_owed", min_value=1, max_value=services.MAX_AMOUNT_OWED),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:  # name only the workers the user may open a case for
            self.fields["worker"].queryset = access.workers_case_openable_by(user)


class CaseStepInputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=[(a.value, a.label) for a in services.TRANSITIONS])
    note = serializers.CharField(required=False, allow_blank=True, help_text="Shown to the worker.")
    staff_note = serializers.CharField(required=False, allow_blank=True)
    referred_to = serializers.CharField(
        required=False, allow_blank=True, max_length=120, help_text="The bureau, when referred."
    )


class ReturnHomeInputSerializer(serializers.Serializer):
    occurred_on = ApiDateField()
    reason = serializers.ChoiceField(choices=LeavingReason.choices)
    note = serializers.CharField(required=False, allow_blank=True)
    staff_note = serializers.CharField(required=False, allow_blank=True)


class CaseViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Problems that need someone (欠薪, 工伤, 合同, 住宿, 想返乡, 其他): county officials of the
    worker's county, the pairing's coordinators, the workplace's liaisons and admins."""

    permission_classes = [access.HasRole.of(*access.CASE_STAFF)]
    serializer_class = CaseOutputSerializer

    def get_queryset(self):
        params = self.request.query_params
        return selectors.case_list_for(
            self.request.user,
            status=params.get("status", "") if params.get("status") in CaseStatus.values else "",
            kind=params.get("kind", "") if params.get("kind") in CaseKind.values else "",
            overdue=params.get("overdue") in ("1", "true"),
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def _detail(self, case, code=status.HTTP_200_OK):
        case = get_object_or_404(
            access.cases_visible_to(self.request.user).select_related("worker"), pk=case.pk
        )
        data = CaseDetailOutputSerializer(case, context=self.get_serializer_context()).data
        return Response(data, status=code)

    @extend_schema(
        parameters=[
            OpenApiParameter("status", enum=CaseStatus.values),
            OpenApiParameter("kind", enum=CaseKind.values),
            OpenApiParameter("overdue", bool),
        ]
    )
    def list(self, request, *args, **kwargs):
        """List the cases the user sees, newest first."""
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: CaseDetailOutputSerializer})
    def retrieve(self, request, pk=None):
        """Return a case with every step (staff notes included)."""
        return self._detail(get_object_or_404(self.get_queryset(), pk=pk))

    @extend_schema(request=CaseOpenInputSerializer, responses={201: CaseDetailOutputSerializer})
    def create(self, request):
        """Open a case on a worker's behalf; employer fields default to their current job."""
        data = CaseOpenInputSerializer(data=request.data, user=request.user)
        data.is_valid(raise_exception=True)
        case = services.open_case(
            opened_via=OpenedVia.OFFICIAL,
            by=request.user,
            **{k: v for k, v in data.validated_data.items() if v is not None},
        )
        return self._detail(case, status.HTTP_201_CREATED)

    @extend_schema(request=CaseStepInputSerializer, responses={201: CaseDetailOutputSerializer})
    @action(detail=True, methods=["post"])
    def steps(self, request, pk=None):
        """Take a step: handling, a note, resolved, or referred to the 人社 bureau."""
        case = get_object_or_404(access.cases_visible_to(request.user), pk=pk)
        data = CaseStepInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.case_transition(actor=request.user, case=case, **data.validated_data)
        return self._detail(case, status.HTTP_201_CREATED)

    @extend_schema(request=ReturnHomeInputSerializer, responses={201: CaseDetailOutputSerializer})
    @action(detail=True, methods=["post"], url_path="return-home")
    def return_home(self, request, pk=None):
        """Close a 想返乡 case by recording the worker's return home (date, reason)."""
        case = get_object_or_404(access.cases_visible_to(request.user), pk=pk)
        data = ReturnHomeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.case_close_with_return(actor=request.user, case=case, **data.validated_data)
        return self._detail(case, status.HTTP_201_CREATED)
