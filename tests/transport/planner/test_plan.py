"""The whole pipeline: reproducibility, re-planning with locks, timing of legs, input errors."""

from __future__ import annotations

import random
import subprocess
import sys
from dataclasses import replace
from datetime import timedelta

import pytest

from tests.transport.planner.builders import POINT, people, trip
from transport.planner import (
    PLANNER_VERSION,
    GroupKind,
    LegKind,
    Mode,
    Params,
    PlanInputError,
    Seat,
    SeatAssignment,
    StopKind,
    plan,
    plan_violations,
    scenario_synthetic,
)

FAST = Params(trunk_deterministic_time=2.0)


@pytest.fixture(scope="module")
def campaign():  # type: ignore[no-untyped-def]
    return scenario_synthetic(travellers=600, employers=100, days=2, seed=7)


@pytest.fixture(scope="module")
def campaign_plan(campaign):  # type: ignore[no-untyped-def]
    return plan(
        campaign.travellers, campaign.trips, pickup_points=campaign.pickup_points, params=FAST
    )


def test_synthetic_campaign_meets_the_targets(campaign, campaign_plan) -> None:  # type: ignore[no-untyped-def]
    stats = campaign_plan.stats

    assert plan_violations(campaign_plan, campaign.travellers, campaign.trips, params=FAST) == []
    assert stats.placed == 600
    assert stats.families_together == stats.families > 0
    assert stats.village_groups_together_rate >= 0.95
    assert stats.village_groups_adjacent_rate >= 0.95
    assert stats.max_excess_vehicles <= 1
    assert campaign_plan.planner_version == PLANNER_VERSION


def test_same_input_and_seed_give_the_same_plan_in_any_input_order(campaign, campaign_plan) -> None:  # type: ignore[no-untyped-def]
    travellers = list(campaign.travellers)
    trips = list(campaign.trips)
    random.Random(3).shuffle(travellers)
    random.Random(4).shuffle(trips)

    again = plan(travellers, trips, pickup_points=reversed(campaign.pickup_points), params=FAST)

    assert again == campaign_plan


def test_replanning_keeps_confirmed_seats_and_seats_newcomers(campaign, campaign_plan) -> None:  # type: ignore[no-untyped-def]
    confirmed = [s for s in campaign_plan.seats if s.trip_id == campaign_plan.trunk[0].trip_id][
        :200
    ]
    leaving = {confirmed[0].traveller_id}
    newcomers = [
        replace(t, id=t.id + "-new", group_id=None, group_kind=GroupKind.NONE)
        for t in campaign.travellers[:30]
    ]
    travellers = [t for t in campaign.travellers if t.id not in leaving] + newcomers

    again = plan(
        travellers,
        campaign.trips,
        pickup_points=campaign.pickup_points,
        params=FAST,
        locked=confirmed,
    )

    kept = set(again.seats)
    assert all(replace(s, locked=True) in kept for s in confirmed if s.traveller_id not in leaving)
    assert again.released_locks == (confirmed[0],)
    assert plan_violations(again, travellers, campaign.trips, params=FAST, locked=confirmed) == []
    assert again.stats.placed == len(travellers)


def test_feeder_buses_reach_the_station_a_buffer_before_departure(campaign, campaign_plan) -> None:  # type: ignore[no-untyped-def]
    trips = {t.id: t for t in campaign.trips}
    for leg in campaign_plan.feeder_legs:
        trip = trips[leg.trip_id]
        assert leg.arrival == trip.departure - timedelta(minutes=FAST.station_buffer(trip.mode))
        times = [s.time for s in leg.stops]
        assert times == sorted(times) and leg.stops[-1].kind is StopKind.STATION
        assert leg.ride_minutes <= FAST.feeder_max_ride_minutes
    for leg in campaign_plan.arrival_legs:
        trip = trips[leg.trip_id]
        assert leg.departure == trip.arrival + timedelta(minutes=FAST.disembark(trip.mode))
        assert leg.stops[0].kind is StopKind.STATION
        assert leg.ride_minutes <= FAST.arrival_max_ride_minutes


def test_every_leg_is_reported_against_its_lower_bound(campaign_plan) -> None:  # type: ignore[no-untyped-def]
    kinds = {r.kind for r in campaign_plan.leg_reports}

    assert kinds == {LegKind.TRUNK, LegKind.FEEDER, LegKind.ARRIVAL}
    assert all(r.vehicles <= r.lower_bound + 1 for r in campaign_plan.leg_reports)
    assert all(0 < r.fill_rate <= 1 for r in campaign_plan.leg_reports)


def test_progress_reports_each_stage_from_zero_to_one() -> None:
    calls: list[tuple[str, float]] = []

    plan(
        people(30),
        [trip()],
        pickup_points=[POINT],
        progress=lambda stage, f: calls.append((stage, f)),
    )

    stages = [s for s, _ in calls]
    assert list(dict.fromkeys(stages)) == [
        "prepare",
        "trunk",
        "arrival",
        "seats",
        "feeder",
        "report",
    ]
    assert all(0.0 <= f <= 1.0 for _, f in calls)
    assert calls[-1] == ("report", 1.0)


def test_empty_input_gives_an_empty_plan() -> None:
    result = plan([], [], pickup_points=[])

    assert (result.seats, result.unplaced, result.leg_reports) == ((), (), ())


@pytest.mark.parametrize(
    ("travellers", "trips", "locked", "message"),
    [
        (people(1) + people(1), [trip()], [], "duplicate traveller"),
        (people(1), [trip(), trip()], [], "duplicate trip"),
        (people(1), [trip(cars=0)], [], "at least one car"),
        (people(1), [trip()], [SeatAssignment("W0000", "T1", Seat(9, 1, "A"))], "does not exist"),
        (people(1), [trip()], [SeatAssignment("W0000", "nope", Seat(1, 1, "A"))], "unknown trip"),
        (
            people(2),
            [trip()],
            [
                SeatAssignment("W0000", "T1", Seat(1, 1, "A")),
                SeatAssignment("W0001", "T1", Seat(1, 1, "A")),
            ],
            "locked for both",
        ),
        (
            people(1),
            [trip(), trip("T2")],
            [
                SeatAssignment("W0000", "T1", Seat(1, 1, "A")),
                SeatAssignment("W0000", "T2", Seat(1, 1, "A")),
            ],
            "more than one locked seat",
        ),
        (
            people(1, group="g", kind=GroupKind.FAMILY)
            + people(1, group="g", kind=GroupKind.VILLAGE, start=1),
            [trip()],
            [],
            "mixes kinds",
        ),
    ],
)
def test_contradictory_input_is_refused(travellers, trips, locked, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PlanInputError, match=message):
        plan(travellers, trips, pickup_points=[POINT], locked=locked)


def test_bad_params_are_refused() -> None:
    with pytest.raises(PlanInputError):
        Params(feeder_bus_seats=0)
    with pytest.raises(PlanInputError):
        Params(min_fill_reserved_carriage=1.5)


def test_planner_imports_nothing_from_django() -> None:
    code = "import sys, transport.planner; sys.exit(any(m.split('.')[0] == 'django' for m in sys.modules))"

    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_seat_labels_are_data() -> None:
    result = plan(
        people(12), [trip(mode=Mode.SPECIAL_TRAIN, cars=1, seats=12)], pickup_points=[POINT]
    )

    seat = next(s.seat for s in result.seats if s.traveller_id == "W0011")
    assert (seat.car_no, seat.row, seat.letter, seat.label) == (1, 3, "B", "01-03B")
