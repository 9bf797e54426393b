"""Return trips (返乡): the same legs with the workplace as the pickup point and the home
county's point as the drop-off; travellers only take trips of their own direction."""

from __future__ import annotations

from dataclasses import replace

from tests.transport.planner.builders import DESTINATION, ORIGIN, POINT, employer, people, trip
from transport.planner import Direction, LegKind, Params, PickupPoint, Reason, plan

FAST = Params(trunk_deterministic_time=2.0)


def return_trip(tid: str = "R1"):
    """Qingdao North → Dingxi North, the reverse of the builders' trip."""
    return replace(trip(tid), origin=DESTINATION, destination=ORIGIN, direction=Direction.RETURN)


def test_a_return_trip_collects_at_the_workplace_and_drops_at_home() -> None:
    # The workplace is the feeder side, the home county's pickup point the arrival side.
    workplace = PickupPoint("E1", "370214", 36.30, 120.40)
    home = employer("P1", POINT.county_code, POINT.lat, POINT.lng)
    travellers = [
        replace(t, pickup_point_id="E1", employer=home, direction=Direction.RETURN)
        for t in people(6)
    ]
    result = plan(travellers, [return_trip()], pickup_points=[workplace], params=FAST)
    assert not result.unplaced
    assert {s.trip_id for s in result.seats} == {"R1"}
    feeder = [leg for leg in result.feeder_legs]
    arrival = [leg for leg in result.arrival_legs]
    assert feeder and all(leg.kind is LegKind.FEEDER for leg in feeder)
    assert {stop.place_id for leg in feeder for stop in leg.stops} >= {"E1"}
    assert {stop.place_id for leg in arrival for stop in leg.stops} >= {"P1"}
    assert {leg.key for leg in arrival} == {POINT.county_code}


def test_travellers_only_take_trips_of_their_direction() -> None:
    outbound = people(6)
    returning = [
        replace(t, direction=Direction.RETURN) for t in people(2, prefix="R")
    ]  # same places, but they go home: the outbound trip is not theirs
    result = plan(outbound + returning, [trip()], pickup_points=[POINT], params=FAST)
    assert {s.traveller_id for s in result.seats} == {t.id for t in outbound}
    assert {u.traveller_id: u.reason for u in result.unplaced} == {
        t.id: Reason.NO_TRIP_FOR_ROUTE for t in returning
    }
