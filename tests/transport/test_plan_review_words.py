"""The plan review says true things: for each unplaced person the rule that kept them off each
trip, in words; feeder pickups before 05:00 flagged."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.transport.conftest import plan_now
from transport.models import Bus, BusKind, Trip

pytestmark = pytest.mark.django_db


def test_each_unplaced_person_hears_why_not_each_trip(client, coordinator, world):
    # a 1-minute feeder ride cap: no pickup point reaches any departure station
    plan = plan_now(coordinator, world.campaign, params={"feeder_max_ride_minutes": 1})
    trips = set(Trip.objects.filter(campaign=world.campaign).values_list("pk", flat=True))
    assert plan.unplaced and len(plan.unplaced) == len(world.matches)
    for entry in plan.unplaced:
        assert {row["trip"] for row in entry["trips"]} == trips
        assert {row["rule"] for row in entry["trips"]} == {"feeder_ride"}
        assert all(row["minutes"] > 1 and row["cap"] == 1 for row in entry["trips"])
    client.force_login(coordinator)
    body = client.get(reverse("transport:plan_detail", args=[plan.pk])).content.decode()
    train = world.train
    day = f"{timezone.localtime(train.departure_at):%m-%d}"
    assert f"{train.service_number}（{day}）：集合点到出发站车程约" in body
    assert "超过送站大巴上限 1 分钟" in body
    assert "no trip links" not in body  # the planner's developer detail stays off the page


def test_waiting_days_are_the_rule_when_the_route_is_fine(coordinator, world):
    plan = plan_now(
        coordinator,
        world.campaign,
        params={"max_wait_days": 0, "min_fill_special_train": 0},
    )
    rules = {row["rule"] for entry in plan.unplaced for row in entry["trips"]}
    # whoever is left over was kept off by a date or a seat rule, never by an unnamed one
    assert rules <= {"before_earliest", "wait", "not_booked", "full", "together", "arrival_ride"}


def test_pickups_before_five_are_flagged(client, coordinator, planned):
    bus = Bus.objects.filter(plan=planned, kind=BusKind.FEEDER).first()
    assert bus is not None
    stops = list(bus.stops)
    pickup = next(i for i, stop in enumerate(stops) if stop["kind"] == "pickup_point")
    early = dt.datetime(2026, 2, 25, 4, 30, tzinfo=timezone.get_current_timezone())
    stops[pickup] = dict(stops[pickup], time=early.isoformat())
    Bus.objects.filter(pk=bus.pk).update(stops=stops)
    client.force_login(coordinator)
    body = client.get(reverse("transport:plan_detail", args=[planned.pk])).content.decode()
    assert 'id="early-pickups"' in body and "凌晨上车" in body
    assert f"{stops[pickup]['name']} 04:30" in body
    assert body.count("凌晨上车") == 1  # only the early stop


def test_no_flag_when_every_pickup_is_after_five(client, coordinator, planned):
    for bus in Bus.objects.filter(plan=planned, kind=BusKind.FEEDER):
        stops = [
            dict(
                s,
                time=dt.datetime(
                    2026, 2, 25, 7, 0, tzinfo=timezone.get_current_timezone()
                ).isoformat(),
            )
            if s["kind"] == "pickup_point"
            else s
            for s in bus.stops
        ]
        Bus.objects.filter(pk=bus.pk).update(stops=stops)
    client.force_login(coordinator)
    body = client.get(reverse("transport:plan_detail", args=[planned.pk])).content.decode()
    assert 'id="early-pickups"' not in body and "凌晨上车" not in body
