"""The demo hook: Dingxi's pickup points and the G2096 special train, idempotent."""

import pytest

from laborbridge.demo import demo_calendar
from laborbridge.models import Region
from transport.demo import CHINA, demo_transport_load
from transport.models import PickupPoint, Trip, TripMode

pytestmark = pytest.mark.django_db


def test_demo_transport_loads_once():
    first = demo_transport_load()
    assert first.pickup_points_created == 7 and first.trips_created == 3
    dingxi = set(
        Region.objects.filter(parent_id="621100", level="county").values_list("pk", flat=True)
    )
    defaults = PickupPoint.objects.filter(is_default=True)
    assert set(defaults.values_list("county_id", flat=True)) == dingxi
    train = Trip.objects.get(service_number="G2096")
    assert train.mode == TripMode.SPECIAL_TRAIN and 500 <= train.total_seats <= 600
    assert train.origin.code == "dingxi-north"
    # Two weeks after the day the demo is loaded, not a fixed 2026 date.
    assert train.departure_at.astimezone(CHINA).date() == demo_calendar().train_day
    assert train.car_rows.count() == train.cars
    assert Trip.objects.filter(mode=TripMode.CHARTERED_BUS).count() == 2
    second = demo_transport_load()
    assert (second.pickup_points_created, second.trips_created) == (0, 0)
    assert PickupPoint.objects.count() == 7 and Trip.objects.count() == 3
