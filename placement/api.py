"""API of the employment history: read the derived history, record an event.

Reads are scoped through ``laborbridge.access`` (404 outside the user's scope); writes go
through ``placement.services`` (403 when the user may see but not write; 400 with the
service's Chinese message for an impossible sequence). Errors have the shared body of
``laborbridge.api_errors``.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from jobs.models import Employer
from laborbridge import access
from laborbridge.imports import ImportJobViewSet
from laborbridge.models import Region
from placement import selectors, services
from placement.models import EventKind, LeavingReason


class JobOutputSerializer(serializers.Serializer):
    employer = serializers.IntegerField(allow_null=True, help_text="Platform employer id.")
    employer_name = serializers.CharField()
    workplace = serializers.CharField(allow_null=True, help_text="County region code.")
    monthly_wage = serializers.IntegerField(allow_null=True)


class EventOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=EventKind.choices)
    occurred_on = serializers.DateField()
    employer = serializers.IntegerField(source="employer_id", allow_null=True)
    employer_name = serializers.CharField()
    workplace = serializers.CharField(source="workplace_id", allow_null=True)
    monthly_wage = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField()
    note = serializers.CharField()


class WageReportOutputSerializer(serializers.Serializer):
    source = serializers.CharField(help_text="follow_up, roster or worker.")
    gross = serializers.IntegerField()
    paid_on = serializers.DateField(allow_null=True)


class WageFlagOutputSerializer(serializers.Serializer):
    promised = serializers.IntegerField()
    actual = serializers.IntegerField()
    gap_percent = serializers.IntegerField()
    resolved = serializers.BooleanField(
        help_text="A later follow-up or roster report of the month was within the threshold."
    )
    resolved_at = serializers.DateTimeField(allow_null=True)


class WageMonthOutputSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="First day of the month.")
    reports = WageReportOutputSerializer(many=True)
    flag = WageFlagOutputSerializer(allow_null=True)


class HistoryOutputSerializer(serializers.Serializer):
    employment = serializers.IntegerField(source="employment.pk")
    worker = serializers.IntegerField(source="employment.worker_id")
    arrived_on = serializers.DateField(source="employment.started_on")
    state = serializers.CharField(source="state.state", help_text="working, left or home.")
    state_label = serializers.CharField()
    job = JobOutputSerializer(source="state.job", allow_null=True)
    months_continuous = serializers.IntegerField(source="state.months_continuous")
    months_total = serializers.IntegerField(source="state.months_total")
    last_confirmed_on = serializers.DateField(source="state.last_confirmed_on", allow_null=True)
    events = EventOutputSerializer(many=True)
    left_employer_on = serializers.DateField(
        source="left_viewer_on",
        allow_null=True,
        help_text="HR of an employer the worker left: the day they left (history ends there).",
    )
    wages = WageMonthOutputSerializer(many=True, help_text="Reported pay, newest month first.")


class EventInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EventKind.choices)
    occurred_on = serializers.DateField()
    same_employer = serializers.BooleanField(required=False, default=False)
    employer = serializers.PrimaryKeyRelatedField(
        queryset=Employer.objects.all(), required=False, allow_null=True
    )
    employer_name = serializers.CharField(required=False, allow_blank=True, max_length=120)
    workplace = serializers.PrimaryKeyRelatedField(
        queryset=Region.objects.all(), required=False, allow_null=True, help_text="County code."
    )
    monthly_wage = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    reason = serializers.ChoiceField(choices=LeavingReason.choices, required=False)
    note = serializers.CharField(required=False, allow_blank=True)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:  # name only the employers the user may see
            self.fields["employer"].queryset = access.employers_visible_to(user)


class EmploymentHistoryViewSet(viewsets.GenericViewSet):
    """A placed worker's employment history (``history``) and its events (``events``)."""

    permission_classes = [IsAuthenticated]
    serializer_class = HistoryOutputSerializer

    def get_queryset(self):
        return selectors.employments_for_history(self.request.user).order_by("pk")

    @extend_schema(responses={200: HistoryOutputSerializer})
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """Return the timeline, the current state and the months worked (derived)."""
        employment = get_object_or_404(self.get_queryset(), pk=pk)
        history = selectors.employment_history(employment, viewer=request.user)
        return Response(HistoryOutputSerializer(history).data)

    @extend_schema(request=EventInputSerializer, responses={201: HistoryOutputSerializer})
    @action(detail=True, methods=["post"])
    def events(self, request, pk=None):
        """Record one event (在岗确认 / 换岗 / 离职 / 返乡 / 再次外出); answer the new history.
        County officials and the pairing's coordinators record every kind, HR 离职 of their
        own employees only."""
        employment = get_object_or_404(self.get_queryset(), pk=pk)
        data = EventInputSerializer(data=request.data, user=request.user)
        data.is_valid(raise_exception=True)
        services.record_event(actor=request.user, employment=employment, **data.validated_data)
        history = selectors.employment_history(employment, viewer=request.user)
        return Response(HistoryOutputSerializer(history).data, status=status.HTTP_201_CREATED)


class WageRosterImportViewSet(ImportJobViewSet):
    """Import HR's monthly wage roster (工资花名册, .xlsx/.csv): upload → preview (unmatched
    and invalid rows with their reasons) → commit into the placed workers' actual pay."""

    kind = "placement.wage_roster"
