"""Point-to-point transport planner — pure Python + OR-Tools + NumPy, nothing from Django.

Carries travellers "out of the home door, onto the vehicle, in at the factory gate":
feeder bus (county pickup point → departure station) → trunk (special train, reserved
carriages, chartered coaches or a charter flight) → arrival bus (arrival station → employers
of one district).

Public API
==========

    plan(travellers, trips, *, pickup_points, params=None, locked=(), progress=None) -> Plan
    plan_violations(plan, travellers, trips, *, params=None, locked=()) -> list[Violation]
    scenario_synthetic(*, travellers=600, employers=100, days=1, seed=0, start=...) -> Scenario
    PLANNER_VERSION

Inputs (frozen dataclasses): `Traveller` (id, pickup_point_id, employer: `Employer`,
earliest_departure, group_id, group_kind: `GroupKind` family | village | none, direction:
`Direction` outbound | return), `PickupPoint`
(id, county_code, lat, lng), `Employer` (id, district_code, lat, lng), `Trip` (id, mode: `Mode`,
origin/destination: `Station`, departure/arrival datetimes, cars, seats_per_car or car_seats,
fare_per_seat, fare_per_vehicle, first_car_no, seat_letters, direction), `SeatAssignment` for locked
seats, and `Params` (seed, solver limits, costs, bus sizes, buffers, ride caps, speeds).

Output: `Plan` with `trunk` (`TrunkAssignment` per booked trip), `seats` (`SeatAssignment`
with `Seat(car_no, row, letter)` — "05车12F" is Seat(5, 12, "F"); the UI formats the label),
`feeder_legs` and `arrival_legs` (`BusLeg` with vehicle index, capacity, members, `Stop`s and
estimated times), `leg_reports` (`LegReport`: vehicles against the lower bound
ceil(people / seats) and the fill rate), `unplaced` (`Unplaced` with a `Reason`),
`group_splits`, `released_locks` and `stats` (`PlanStats`).

How it plans
============

1. Eligibility. A trip serves a traveller when the feeder ride from the pickup point to the
   trip's origin station and the arrival ride from its destination station to the employer are
   both within the ride caps, and the trip leaves on or after the earliest departure date and
   at most `params.max_wait_days` later, and goes the traveller's `direction`. A return trip
   (返乡) is planned with the same legs: the caller passes the workplace as the traveller's
   pickup point and the home county's point as their "employer" (the drop-off). Families travel as one block on a trip they can all
   take; village groups too, split only when members cannot share a trip or the group is bigger
   than a car (the split is reported).
2. Trunk (CP-SAT). Blocks with the same earliest date and the same eligible trips form a class;
   the model books units (carriages, buses) or whole trips (special train, aircraft) and sends
   head counts of classes to trips, minimising booking cost + value of travel time + waiting
   days, with a penalty per person left out that exceeds any booking (so nobody is left out who
   could be carried). Independent components are solved apart; a component with a single trip
   and room for all is solved by the exact rule ceil(people / seats per unit). CP-SAT runs with
   `random_seed`, a fixed `num_workers` (1 by default; `interleave_search` when more, which
   keeps it deterministic) and a deterministic time limit, plus a wall-clock safety limit; a
   greedy plan is its hint and the answer if it finds nothing in time. `stats.trunk_objective`
   and `trunk_bound` show how far from proven optimal the booking may be. Head counts become
   concrete blocks afterwards (largest first, singles fill the rest).
3. Arrival buses per (trip, district): a busload for one employer gets its own full buses;
   an employer whose remainder fills `own_bus_min_fill` of a bus keeps its own bus too; the
   rest share buses routed through several gates (split delivery, ride cap, see `buses`;
   where the cap decides the count, the fewest buses are found exactly for up to 18 gates).
   Then riders are swapped between booked trips for every leg above its seat bound + 1 (see
   `rebalance`): with each trip's head count fixed, who rides which trip leaves the trunk's
   cost, hours and days waited unchanged, and a far district's workers are better off on the
   trip to the nearer station. A swap stays only if it brings legs within the bound without
   an extra bus, or saves one.
   A leg still above it may then send the workers of one gate (whole blocks, no locked seat)
   to another booked trip with free seats, e.g. a later one (`riders_move`): the trunk
   objective rises by their extra waiting and travel time, and the move is made only when the
   feeder and arrival buses it saves, priced at `arrival_bus_cost` / `feeder_bus_cost`, are
   worth more. `stats.moved_*` report it; `trunk_objective` and `wait_person_days` include it.
4. Seats. Cars are filled in car order with blocks sorted by (district, arrival bus, employer):
   each arrival bus unloads from neighbouring cars. A group sits in one car on consecutive
   seats of the row-major order (1A 1B 1C 1D 1F 2A …); groups no wider than a row are kept in
   one row where possible. Locked seats stay; their group's other members join them.
5. Feeder buses per (trip, departure station) from the pickup points, arriving
   `station_buffer_minutes` (`airport_buffer_minutes` for flights) before departure.
6. Report: each leg's vehicles against its lower bound ceil(people / seats), its fill rate,
   and `ride_bound`, a lower bound that heeds the ride cap too (the fewest buses that reach
   every stop of the leg within the cap, whatever their seats; counted where a bus leg has
   more buses than its seat bound).

What "fill" means for a reserved carriage
=========================================

Carriages are booked whole and paid whole. A trip's booking is allowed only if the travellers
on it fill at least `min_fill_reserved_carriage` (default 50 %) of the booked seats, i.e. the
people on the trip ≥ 0.5 × 90 × booked carriages; at most one booked carriage can be partly
empty because the fewest carriages are booked. The same rule with its own share applies to a
whole special train and a charter flight (50 %) and to coaches (0 %). A trip that already
holds locked seats is booked regardless.

Reason codes (`Reason`)
=======================

unknown_pickup_point      the traveller's pickup point is not in `pickup_points`
no_trip_for_route         no trip links a station within the feeder ride cap of the pickup
                          point to a station within the arrival ride cap of the employer
no_trip_on_or_after_date  the route is served, but not between the earliest departure date
                          and `max_wait_days` after it
group_has_no_common_trip  a family's members have no trip they can all take, or one of them
                          cannot travel at all (a family travels whole or not at all)
group_does_not_fit        a family is larger than every car, or no car had room for it together
below_minimum_occupancy   seats could be booked, but too few travellers for the minimum fill
capacity_exhausted        every seat of every trip the traveller could take is taken

Known limits
============

The lower bound ceil(people / seats) ignores the ride cap: an arrival district whose many
small employers lie two hours from the station (Laixi, Pingdu from Qingdao station) can need
more buses than bound + 1 because no bus can make more stops within the cap. The rebalancing
moves such workers to the trip to the nearer station where other riders can take their place
at no cost; where nobody can (everyone allowed on the trip already rides it), the leg keeps
its buses and `ride_bound` shows that the cap alone needs them (synthetic seed 2: Laixi from
Qingdao station on 5 March, 13 gates, 39 people, 3 buses against a seat bound of 1). Trading
waiting days for buses would need a price for a bus, which the objective does not have. The
trunk model's LP bound is weak for whole-train bookings, so on large campaigns CP-SAT usually stops
at its deterministic limit with a proven gap of a few per cent even when the incumbent is
optimal. Feeder and arrival ride costs do not enter the trunk choice.

Locked seats: pass confirmed `SeatAssignment`s as `locked`; each is kept as-is and its trip and
car stay booked. A lock of a traveller no longer in the input is released (`released_locks`).
Contradictory input (duplicate ids, a seat that does not exist, one seat locked twice, one
traveller locked twice) raises `PlanInputError`.
"""

from transport.planner.check import Violation, plan_violations
from transport.planner.domain import (
    Direction,
    Employer,
    GroupKind,
    Mode,
    Params,
    PickupPoint,
    PlanInputError,
    Seat,
    SeatAssignment,
    Station,
    Traveller,
    Trip,
)
from transport.planner.planner import PLANNER_VERSION, Progress, plan
from transport.planner.result import (
    BusLeg,
    GroupSplit,
    LegKind,
    LegReport,
    Plan,
    PlanStats,
    Reason,
    SplitReason,
    Stop,
    StopKind,
    TrunkAssignment,
    Unplaced,
)
from transport.planner.synthetic import Scenario, scenario_synthetic

__all__ = [
    "PLANNER_VERSION",
    "BusLeg",
    "Direction",
    "Employer",
    "GroupKind",
    "GroupSplit",
    "LegKind",
    "LegReport",
    "Mode",
    "Params",
    "PickupPoint",
    "Plan",
    "PlanInputError",
    "PlanStats",
    "Progress",
    "Reason",
    "Scenario",
    "Seat",
    "SeatAssignment",
    "SplitReason",
    "Station",
    "Stop",
    "StopKind",
    "Traveller",
    "Trip",
    "TrunkAssignment",
    "Unplaced",
    "Violation",
    "plan",
    "plan_violations",
    "scenario_synthetic",
]
