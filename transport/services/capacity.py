"""Seat and bus capacity: the counters and the lock order every seat change follows.

Capacity is guarded twice: every car and bus carries an ``occupied`` counter that moves only
by a conditional ``UPDATE … SET occupied = occupied + 1 WHERE occupied < seats`` (with a check
constraint behind it), and seats are held once by partial unique indexes. Rows are locked in
one order everywhere — trip cars, then seats, then buses, each in ``pk`` order — so two
services never deadlock.
"""

from collections.abc import Iterable

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from transport.models import Bus, Seat, TripCar
from transport.services.errors import CarFull


def cars_lock(car_ids: Iterable[int]) -> dict[int, TripCar]:
    """Lock the cars in pk order (the first step of every seat change)."""
    return {
        car.pk: car
        for car in TripCar.objects.select_for_update().filter(pk__in=set(car_ids)).order_by("pk")
    }


def car_take(car_id: int) -> None:
    taken = TripCar.objects.filter(pk=car_id, occupied__lt=F("seats")).update(
        occupied=F("occupied") + 1
    )
    if not taken:
        raise CarFull(_("该车厢已满。"), code="car_full")


def car_release(car_id: int) -> None:
    TripCar.objects.filter(pk=car_id, occupied__gt=0).update(occupied=F("occupied") - 1)


def bus_take(bus_id: int) -> bool:
    return bool(
        Bus.objects.filter(pk=bus_id, occupied__lt=F("capacity")).update(
            occupied=F("occupied") + 1, updated_at=timezone.now()
        )
    )


def seat_locked(seat_id: int) -> Seat:
    return (
        Seat.objects.select_for_update()
        .select_related("car", "trip", "plan", "worker", "match__vacancy__employer")
        .get(pk=seat_id)
    )
