"""API of follow-ups: list mine (or all in scope), read one, record one.

Reads are scoped through ``laborbridge.access`` (404 outside the user's scope); recording
goes through ``followups.services.followup_record`` (403 when the user may see but not
record; 400 with the field's message). Errors have the shared body of
``laborbridge.api_errors``.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from followups import selectors, services
from followups.models import ContactMethod, FollowUpKind, HousingFood, Problem
from laborbridge import access


class FollowUpOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    employment = serializers.IntegerField(source="employment_id")
    worker = serializers.IntegerField(source="employment.worker_id")
    worker_name = serializers.CharField(source="employment.worker.name")
    employer_name = serializers.CharField(source="employment.employer.name")
    kind = serializers.ChoiceField(choices=FollowUpKind.choices)
    period = serializers.CharField(help_text="w1, m1, m3 … or YYYY-MM for the census.")
    due_on = serializers.DateField()
    assignee = serializers.IntegerField(source="assignee_id", allow_null=True)
    side = serializers.CharField(help_text="west (county official) or east (liaison).")
    home_county = serializers.CharField(source="home_county_id")
    work_district = serializers.CharField(source="work_district_id")
    done = serializers.BooleanField(source="is_done")
    done_at = serializers.DateTimeField(allow_null=True)
    reached = serializers.BooleanField(allow_null=True)
    contact_method = serializers.CharField()
    still_employed = serializers.BooleanField(allow_null=True)
    wage_last_month = serializers.IntegerField(allow_null=True)
    housing_food = serializers.CharField()
    problems = serializers.ListField(child=serializers.CharField())
    next_action = serializers.CharField()
    note = serializers.CharField()


class FollowUpRecordInputSerializer(serializers.Serializer):
    reached = serializers.BooleanField()
    contact_method = serializers.ChoiceField(choices=ContactMethod.choices)
    still_employed = serializers.BooleanField(required=False, allow_null=True, default=None)
    wage_last_month = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=1_000_000, default=None
    )
    housing_food = serializers.ChoiceField(
        choices=HousingFood.choices, required=False, allow_blank=True, default=""
    )
    problems = serializers.ListField(
        child=serializers.ChoiceField(choices=Problem.choices), required=False, default=list
    )
    next_action = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


_LIST_PARAMETERS = [
    OpenApiParameter("state", OpenApiTypes.STR, enum=list(selectors.STATES)),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=list(FollowUpKind.values)),
    OpenApiParameter("who", OpenApiTypes.STR, enum=["mine", "all"]),
]


class FollowUpViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Follow-ups of placed workers: officials and liaisons list and record theirs,
    coordinators read their pairing's."""

    permission_classes = [access.HasRole.of(*access.FOLLOWUP_STAFF)]
    serializer_class = FollowUpOutputSerializer

    def get_queryset(self):
        user = self.request.user
        if self.action != "list":
            return selectors.followup_detail_for(user).order_by("pk")
        params = self.request.query_params
        state = params.get("state", selectors.OPEN)
        recorder = access.has_role(user, *access.FOLLOWUP_RECORDERS)
        return selectors.followup_list_for(
            user,
            state=state if state in selectors.STATES else selectors.OPEN,
            kind=params.get("kind", ""),
            mine=recorder and params.get("who", "mine") == "mine",
        )

    @extend_schema(parameters=_LIST_PARAMETERS)
    def list(self, request, *args, **kwargs):
        """List follow-ups (default: open ones assigned to me, by deadline)."""
        return super().list(request, *args, **kwargs)

    @extend_schema(request=FollowUpRecordInputSerializer, responses={201: FollowUpOutputSerializer})
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        """Record the follow-up once: reached or not and how, still at the job, last month's
        wage, housing and food, problems, next action. It feeds the employment history."""
        followup = get_object_or_404(self.get_queryset(), pk=pk)
        data = FollowUpRecordInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        followup = services.followup_record(
            actor=request.user, followup=followup, **data.validated_data
        )
        return Response(FollowUpOutputSerializer(followup).data, status=status.HTTP_201_CREATED)
