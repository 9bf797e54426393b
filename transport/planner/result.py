"""Outputs of the planner: the plan, its legs, the lower-bound report and the reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from transport.planner.domain import GroupKind, Mode, SeatAssignment


class Reason(StrEnum):
    """Why a traveller is not in the plan."""

    UNKNOWN_PICKUP_POINT = "unknown_pickup_point"
    NO_TRIP_FOR_ROUTE = "no_trip_for_route"
    NO_TRIP_ON_OR_AFTER_DATE = "no_trip_on_or_after_date"
    GROUP_HAS_NO_COMMON_TRIP = "group_has_no_common_trip"
    GROUP_DOES_NOT_FIT = "group_does_not_fit"
    BELOW_MINIMUM_OCCUPANCY = "below_minimum_occupancy"
    CAPACITY_EXHAUSTED = "capacity_exhausted"


class SplitReason(StrEnum):
    """Why a group sits in more than one car."""

    MEMBERS_HAVE_DIFFERENT_TRIPS = "members_have_different_trips"
    GROUP_LARGER_THAN_CAR = "group_larger_than_car"
    NO_CAR_WITH_ROOM = "no_car_with_room"
    LOCKED_SEATS = "locked_seats"


class LegKind(StrEnum):
    TRUNK = "trunk"
    FEEDER = "feeder"
    ARRIVAL = "arrival"


class StopKind(StrEnum):
    PICKUP_POINT = "pickup_point"
    STATION = "station"
    EMPLOYER = "employer"


@dataclass(frozen=True, slots=True)
class TrunkAssignment:
    """One booked trip: which units were booked and who travels on it."""

    trip_id: str
    mode: Mode
    booked_car_nos: tuple[int, ...]
    booked_seats: int
    cost: float
    travellers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Stop:
    """A bus stop; `time` is when boarding ends (feeder) or the bus arrives (arrival, station)."""

    place_id: str
    kind: StopKind
    time: datetime
    boarding: tuple[str, ...] = ()
    alighting: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BusLeg:
    """One feeder or arrival bus of one trip.

    `key` is the departure station id (feeder) or the district code (arrival);
    `vehicle_index` counts from 1 within (trip, kind, key).
    """

    kind: LegKind
    trip_id: str
    key: str
    vehicle_index: int
    capacity: int
    members: tuple[str, ...]
    stops: tuple[Stop, ...]
    departure: datetime
    arrival: datetime
    ride_minutes: int
    distance_km: float
    dedicated_employer_id: str | None = None


@dataclass(frozen=True, slots=True)
class LegReport:
    """Vehicles of one leg against the lower bound ceil(people / seats).

    Trunk: one row per booked trip; `vehicles` counts booked units (carriages, buses) or,
    for a whole train / aircraft, the cars actually occupied; `lower_bound` is the fewest
    units of the trip that could seat `people`. Feeder: one row per (trip, departure station).
    Arrival: one row per (trip, destination district).

    `ride_bound` also heeds the ride cap: the larger of `lower_bound` and the fewest buses that
    can reach every stop of the leg from its station within the cap, whatever their seats (a
    far district's gates may each need a bus of their own). It is counted for bus legs with
    more buses than `lower_bound` — exactly for up to 16 stops, else on the 16 stops farthest
    from the station — and equals `lower_bound` elsewhere. `vehicles` never falls below it.
    """

    kind: LegKind
    trip_id: str
    key: str
    people: int
    vehicles: int
    seats: int
    lower_bound: int
    fill_rate: float
    ride_bound: int

    @property
    def excess(self) -> int:
        """Return the vehicles above the seat bound ceil(people / seats)."""
        return self.vehicles - self.lower_bound

    @property
    def excess_over_ride_bound(self) -> int:
        """Return the vehicles above `ride_bound`, the bound that heeds the ride cap too."""
        return self.vehicles - self.ride_bound


@dataclass(frozen=True, slots=True)
class Unplaced:
    traveller_id: str
    reason: Reason
    detail: str = ""


@dataclass(frozen=True, slots=True)
class GroupSplit:
    """A group seated in more than one car; `parts` lists members per (trip, car)."""

    group_id: str
    kind: GroupKind
    reason: SplitReason
    parts: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class PlanStats:
    """Figures of a plan.

    `trunk_objective` is booking cost + travel-time and waiting costs (+ a penalty above any
    booking for each person left out) as solved; `trunk_bound` is the solver's proven lower
    bound on it, equal when the trunk choice is proven optimal. It includes `moved_trunk_cost`:
    the rise from moving `moved_travellers` to other booked trips to save `moved_buses_saved`
    feeder and arrival buses worth `moved_bus_cost_saved` (see `rebalance.riders_move`), which added
    `moved_wait_person_days` to `wait_person_days`. `seconds` holds the wall time
    per stage and is left out of plan equality.
    """

    travellers: int = 0
    placed: int = 0
    unplaced: int = 0
    trips_booked: int = 0
    booking_cost: float = 0.0
    trunk_person_hours: float = 0.0
    wait_person_days: int = 0
    feeder_buses: int = 0
    arrival_buses: int = 0
    families: int = 0
    families_together: int = 0
    families_adjacent: int = 0
    village_groups: int = 0
    village_groups_together: int = 0
    village_groups_adjacent: int = 0
    legs: int = 0
    legs_within_bound_plus_one: int = 0
    max_excess_vehicles: int = 0
    trunk_solver: str = ""
    trunk_objective: float = 0.0
    trunk_bound: float = 0.0
    moved_travellers: int = 0
    moved_wait_person_days: int = 0
    moved_trunk_cost: float = 0.0
    moved_buses_saved: int = 0
    moved_bus_cost_saved: float = 0.0
    seconds: dict[str, float] = field(default_factory=dict, compare=False)

    @property
    def families_together_rate(self) -> float:
        return self.families_together / self.families if self.families else 1.0

    @property
    def village_groups_together_rate(self) -> float:
        return self.village_groups_together / self.village_groups if self.village_groups else 1.0

    @property
    def village_groups_adjacent_rate(self) -> float:
        return self.village_groups_adjacent / self.village_groups if self.village_groups else 1.0


@dataclass(frozen=True, slots=True)
class Plan:
    planner_version: str
    seed: int
    trunk: tuple[TrunkAssignment, ...]
    seats: tuple[SeatAssignment, ...]
    feeder_legs: tuple[BusLeg, ...]
    arrival_legs: tuple[BusLeg, ...]
    leg_reports: tuple[LegReport, ...]
    unplaced: tuple[Unplaced, ...]
    group_splits: tuple[GroupSplit, ...]
    released_locks: tuple[SeatAssignment, ...]
    stats: PlanStats
