"""Seats: read (scoped), the roll call, the no-show correction and the gate check-in."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from laborbridge import access
from laborbridge.api import validated
from transport.models import BoardingStatus, Seat
from transport.services import boarding as boarding_services


def seat_reload(seat: Seat) -> Seat:
    return Seat.objects.select_related("car", "trip", "worker", "match__vacancy__employer").get(
        pk=seat.pk
    )


class SeatViewSet(viewsets.ReadOnlyModelViewSet):
    """Seats the user may see: a coordinator's campaigns', an official's county's workers',
    HR's incoming people. ``roll-call`` and ``undo-no-show`` (coordinators) and ``check-in``
    (HR) act on one."""

    class SeatOutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        plan = serializers.IntegerField(source="plan_id")
        trip = serializers.IntegerField(source="trip_id")
        service_number = serializers.CharField(source="trip.service_number")
        car_no = serializers.IntegerField(source="car.car_no")
        row = serializers.IntegerField()
        letter = serializers.CharField()
        label = serializers.CharField()
        worker = serializers.IntegerField(source="worker_id")
        worker_name = serializers.CharField(source="worker.name")
        worker_id_number = serializers.CharField(source="worker.id_number_masked")
        match = serializers.IntegerField(source="match_id")
        employer = serializers.CharField(source="match.vacancy.employer.name")
        confirmed = serializers.BooleanField()
        boarding = serializers.CharField()
        released_at = serializers.DateTimeField(allow_null=True)
        release_reason = serializers.CharField()
        checked_in_at = serializers.DateTimeField(allow_null=True)

    class SeatRollCallInputSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=[BoardingStatus.PRESENT, BoardingStatus.NO_SHOW])

    class SeatCheckInInputSerializer(serializers.Serializer):
        confirm_not_roll_called = serializers.BooleanField(
            required=False,
            default=False,
            help_text="HR checked the identity of a traveller nobody roll-called on the trip.",
        )

    serializer_class = SeatOutputSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["trip", "boarding", "confirmed", "plan"]

    def get_queryset(self):
        return (
            access.seats_visible_to(self.request.user)
            .select_related("car", "trip", "worker", "match__vacancy__employer")
            .order_by("trip_id", "car__car_no", "row", "letter", "pk")
        )

    def get_serializer_class(self):
        if self.action == "roll_call":
            return self.SeatRollCallInputSerializer
        return self.SeatOutputSerializer

    @extend_schema(responses={200: SeatOutputSerializer})
    @action(detail=True, methods=["post"], url_path="roll-call")
    def roll_call(self, request, pk=None):
        """Mark the traveller present or absent at boarding (coordinators)."""
        seat = self.get_object()
        data = validated(self.SeatRollCallInputSerializer, request)
        seat = boarding_services.seat_roll_call(
            actor=request.user,
            seat=seat,
            present=data["status"] == BoardingStatus.PRESENT,
        )
        return Response(self.SeatOutputSerializer(seat_reload(seat)).data)

    @extend_schema(request=None, responses={200: SeatOutputSerializer})
    @action(detail=True, methods=["post"], url_path="undo-no-show")
    def undo_no_show(self, request, pk=None):
        """Take back a no-show recorded by mistake: the seat is restored if still free, and
        the county official and HR are told the no-show notice was a mistake (coordinators)."""
        seat = self.get_object()
        seat = boarding_services.seat_no_show_undo(actor=request.user, seat=seat)
        return Response(self.SeatOutputSerializer(seat_reload(seat)).data)

    @extend_schema(request=SeatCheckInInputSerializer, responses={200: SeatOutputSerializer})
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, pk=None):
        """Confirm the traveller's arrival at the factory gate: the match becomes hired (HR).
        A traveller nobody roll-called needs ``confirm_not_roll_called: true``."""
        seat = self.get_object()
        data = validated(self.SeatCheckInInputSerializer, request)
        seat = boarding_services.seat_check_in(
            actor=request.user,
            seat=seat,
            confirm_not_roll_called=data["confirm_not_roll_called"],
        )
        return Response(self.SeatOutputSerializer(seat_reload(seat)).data)
