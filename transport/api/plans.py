"""Transport plans: start a run (progress through the run kit), read, review, confirm, bus
fares, and the coordinator's adjustments (move, swap)."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from laborbridge import access
from laborbridge.api import column_range, validated
from laborbridge.background_api import RunOutputSerializer
from transport import selectors
from transport.api.seats import SeatViewSet, seat_reload
from transport.api.shared import (
    coordinators_only,
)
from transport.models import Seat, TransportPlan, TripCar
from transport.reasons import stage_label, unplaced_label
from transport.services import plans as plan_services
from transport.services import seats as seat_services


class TransportPlanViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Transport plans of the coordinator's campaigns: POST queues a run; ``confirm``,
    ``move`` and ``swap`` review and adjust the current plan; ``fares`` sets its bus fares;
    ``costs`` totals it."""

    class TransportPlanOutputSerializer(RunOutputSerializer):
        id = serializers.IntegerField()
        campaign = serializers.CharField(source="campaign.code")
        version = serializers.IntegerField()
        status = serializers.CharField()
        run_status = serializers.CharField()
        progress_label = serializers.SerializerMethodField()
        planner_version = serializers.CharField()
        seed = serializers.IntegerField()
        params = serializers.JSONField()
        stats = serializers.JSONField()
        trunk = serializers.JSONField()
        leg_reports = serializers.JSONField()
        unplaced = serializers.SerializerMethodField()
        group_splits = serializers.JSONField()
        confirmed_at = serializers.DateTimeField(allow_null=True)

        def get_progress_label(self, plan) -> str:
            return stage_label(plan.progress_stage)

        def get_unplaced(self, plan) -> list[dict]:
            return [
                dict(entry, reason_label=unplaced_label(entry["reason"])) for entry in plan.unplaced
            ]

    class TransportPlanCreateInputSerializer(serializers.Serializer):
        campaign = serializers.SlugField()
        seed = serializers.IntegerField(default=0, **column_range(TransportPlan, "seed"))
        params = serializers.DictField(required=False, default=dict)

    class SeatMoveInputSerializer(serializers.Serializer):
        seat = serializers.IntegerField(**column_range(Seat, "id", min_value=1))
        trip = serializers.IntegerField(**column_range(Seat, "trip", min_value=1))
        car_no = serializers.IntegerField(**column_range(TripCar, "car_no", min_value=1))
        row = serializers.IntegerField(**column_range(Seat, "row", min_value=1))
        letter = serializers.CharField(max_length=1)

    class SeatSwapInputSerializer(serializers.Serializer):
        seat_a = serializers.IntegerField(**column_range(Seat, "id", min_value=1))
        seat_b = serializers.IntegerField(**column_range(Seat, "id", min_value=1))

    class PlanFaresInputSerializer(serializers.Serializer):
        feeder_bus_fare = serializers.DecimalField(max_digits=10, decimal_places=2)
        arrival_bus_fare = serializers.DecimalField(max_digits=10, decimal_places=2)

    class PlanCostsOutputSerializer(serializers.Serializer):
        total = serializers.FloatField()
        per_traveller = serializers.FloatField()
        travellers = serializers.IntegerField()
        by_mode = serializers.ListField(child=serializers.DictField())
        by_county = serializers.ListField(child=serializers.DictField())
        bus_fares = serializers.DictField()

    serializer_class = TransportPlanOutputSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["status", "run_status"]

    def get_queryset(self):
        return access.transport_plans_visible_to(self.request.user).select_related("campaign")

    def get_serializer_class(self):
        return {
            "create": self.TransportPlanCreateInputSerializer,
            "move": self.SeatMoveInputSerializer,
            "swap": self.SeatSwapInputSerializer,
            "fares": self.PlanFaresInputSerializer,
            "costs": self.PlanCostsOutputSerializer,
        }.get(self.action, self.TransportPlanOutputSerializer)

    @extend_schema(responses={201: TransportPlanOutputSerializer})
    def create(self, request, *args, **kwargs):
        coordinators_only(request.user)
        data = validated(self.TransportPlanCreateInputSerializer, request)
        campaign = get_object_or_404(
            access.campaigns_visible_to(request.user), code=data["campaign"]
        )
        # RunBusy (409) and EnqueueFailed (503) reach the one API error handler.
        plan = plan_services.plan_create(
            actor=request.user,
            campaign=campaign,
            seed=data["seed"],
            params=data["params"],
        )
        return Response(
            self.TransportPlanOutputSerializer(plan).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=None, responses={200: TransportPlanOutputSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        plan = plan_services.plan_confirm(actor=request.user, plan=self.get_object())
        return Response(self.TransportPlanOutputSerializer(plan).data)

    @extend_schema(responses={200: SeatViewSet.SeatOutputSerializer})
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        plan = self.get_object()
        values = validated(self.SeatMoveInputSerializer, request)
        seat = get_object_or_404(
            access.seats_managed_by(request.user).filter(plan=plan), pk=values["seat"]
        )
        trip = get_object_or_404(
            access.trips_managed_by(request.user).filter(campaign=plan.campaign), pk=values["trip"]
        )
        seat = seat_services.seat_move(
            actor=request.user,
            seat=seat,
            trip=trip,
            car_no=values["car_no"],
            row=values["row"],
            letter=values["letter"],
        )
        return Response(SeatViewSet.SeatOutputSerializer(seat_reload(seat)).data)

    @extend_schema(responses={200: SeatViewSet.SeatOutputSerializer(many=True)})
    @action(detail=True, methods=["post"])
    def swap(self, request, pk=None):
        plan = self.get_object()
        data = validated(self.SeatSwapInputSerializer, request)
        seats = access.seats_managed_by(request.user).filter(plan=plan)
        a = get_object_or_404(seats, pk=data["seat_a"])
        b = get_object_or_404(seats, pk=data["seat_b"])
        a, b = seat_services.seats_swap(actor=request.user, seat_a=a, seat_b=b)
        return Response(
            SeatViewSet.SeatOutputSerializer([seat_reload(a), seat_reload(b)], many=True).data
        )

    @extend_schema(responses={200: PlanCostsOutputSerializer})
    @action(detail=True, methods=["post"])
    def fares(self, request, pk=None):
        """Set the current plan's feeder and arrival bus fares; answers the new costs."""
        plan = self.get_object()
        data = validated(self.PlanFaresInputSerializer, request)
        plan = plan_services.plan_bus_fares_update(actor=request.user, plan=plan, **data)
        return Response(self.PlanCostsOutputSerializer(selectors.plan_costs(plan)).data)

    @action(detail=True, methods=["get"])
    def costs(self, request, pk=None):
        plan = self.get_object()
        if not plan.is_current:
            raise ValidationError(_("只有当前方案有费用，请查看最新的方案。"))
        return Response(self.PlanCostsOutputSerializer(selectors.plan_costs(plan)).data)
