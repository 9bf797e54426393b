"""Inputs of the planner: travellers, places, trip offers, locked seats and parameters."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class PlanInputError(ValueError):
    """Raise when the input contradicts itself (duplicate ids, impossible seats, bad locks)."""


class Mode(StrEnum):
    SPECIAL_TRAIN = "special_train"
    RESERVED_CARRIAGE = "reserved_carriage"
    CHARTERED_BUS = "chartered_bus"
    CHARTER_FLIGHT = "charter_flight"


# A whole special train or aircraft is booked or not; carriages and buses are booked one by one.
WHOLE_BOOKING_MODES = frozenset({Mode.SPECIAL_TRAIN, Mode.CHARTER_FLIGHT})

# Seat letters of one row, window to window: CRH second class (A B C | D F), a coach (A B | C D)
# and a narrow-body aircraft (A B C | D E F).
DEFAULT_SEAT_LETTERS: dict[Mode, str] = {
    Mode.SPECIAL_TRAIN: "ABCDF",
    Mode.RESERVED_CARRIAGE: "ABCDF",
    Mode.CHARTERED_BUS: "ABCD",
    Mode.CHARTER_FLIGHT: "ABCDEF",
}


class Direction(StrEnum):
    """Which way a trip and a traveller go. The planner's legs are the same both ways: the
    feeder bus collects at the traveller's `pickup_point_id` near the trip's origin, the
    arrival bus drops at their `employer` near its destination. Outbound, those are the home
    county's pickup point and the factory gate; on a return trip (返乡) the adapter passes the
    workplace as the pickup point and the home county's point as the drop-off. A traveller
    may only take a trip of their own direction."""

    OUTBOUND = "outbound"
    RETURN = "return"


class GroupKind(StrEnum):
    FAMILY = "family"
    VILLAGE = "village"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Station:
    """A railway station, airport or coach terminal."""

    id: str
    lat: float
    lng: float
    name: str = ""


@dataclass(frozen=True, slots=True)
class PickupPoint:
    """A county pickup point where feeder buses collect travellers."""

    id: str
    county_code: str
    lat: float
    lng: float
    name: str = ""


@dataclass(frozen=True, slots=True)
class Employer:
    """The destination factory gate of a traveller."""

    id: str
    district_code: str
    lat: float
    lng: float
    name: str = ""


@dataclass(frozen=True, slots=True)
class Traveller:
    """One person to carry; `group_id` ties families and fellow villagers together."""

    id: str
    pickup_point_id: str
    employer: Employer
    earliest_departure: date
    group_id: str | None = None
    group_kind: GroupKind = GroupKind.NONE
    direction: Direction = Direction.OUTBOUND

    @property
    def group_key(self) -> str | None:
        """Return the group id when the traveller belongs to a real group, else None."""
        if self.group_kind is GroupKind.NONE or not self.group_id:
            return None
        return self.group_id


@dataclass(frozen=True, slots=True)
class Trip:
    """A trunk offer: a special train, carriages of a scheduled train, buses or an aircraft.

    `cars` is the number of bookable units: cars of a train, buses of a bus offer, and
    usually 1 for an aircraft. `car_seats`, when given, overrides `seats_per_car` car by car.
    Cost of a booking = `fare_per_vehicle` per booked unit (per whole train / aircraft for the
    whole-booking modes) + `fare_per_seat` per booked seat, filled or not.
    Datetimes should be timezone-aware; `date` is the local departure date.
    """

    id: str
    mode: Mode
    origin: Station
    destination: Station
    departure: datetime
    arrival: datetime
    cars: int
    seats_per_car: int
    fare_per_seat: float = 0.0
    fare_per_vehicle: float = 0.0
    car_seats: tuple[int, ...] = ()
    first_car_no: int = 1
    seat_letters: str = ""
    direction: Direction = Direction.OUTBOUND

    @property
    def date(self) -> date:
        return self.departure.date()

    @property
    def travel_minutes(self) -> int:
        return int((self.arrival - self.departure).total_seconds() // 60)

    @property
    def whole_booking(self) -> bool:
        return self.mode in WHOLE_BOOKING_MODES

    @property
    def letters(self) -> str:
        return self.seat_letters or DEFAULT_SEAT_LETTERS[self.mode]

    def seats_in_car(self, index: int) -> int:
        """Return the seat count of the car at 0-based `index`."""
        return self.car_seats[index] if self.car_seats else self.seats_per_car

    def car_no(self, index: int) -> int:
        return self.first_car_no + index

    def car_index(self, car_no: int) -> int | None:
        index = car_no - self.first_car_no
        return index if 0 <= index < self.cars else None

    @property
    def total_seats(self) -> int:
        return sum(self.seats_in_car(i) for i in range(self.cars))

    def unit_cost(self, index: int) -> float:
        """Return the price of booking the unit (car / bus) at 0-based `index` on its own."""
        return self.fare_per_vehicle + self.fare_per_seat * self.seats_in_car(index)

    @property
    def whole_cost(self) -> float:
        """Return the price of booking the whole train / aircraft."""
        return self.fare_per_vehicle + self.fare_per_seat * self.total_seats


@dataclass(frozen=True, slots=True, order=True)
class Seat:
    """A seat as data: car number, row and letter ("05车12F" is Seat(5, 12, "F"))."""

    car_no: int
    row: int
    letter: str

    @property
    def label(self) -> str:
        return f"{self.car_no:02d}-{self.row:02d}{self.letter}"


@dataclass(frozen=True, slots=True)
class SeatAssignment:
    """One traveller's seat on one trip; also the shape of a locked (confirmed) seat."""

    traveller_id: str
    trip_id: str
    seat: Seat
    locked: bool = False


def seat_position(trip: Trip, seat: Seat) -> int | None:
    """Return the 0-based row-major position of `seat` in its car, or None if it does not exist."""
    index = trip.car_index(seat.car_no)
    letters = trip.letters
    if index is None or seat.letter not in letters or seat.row < 1:
        return None
    position = (seat.row - 1) * len(letters) + letters.index(seat.letter)
    return position if position < trip.seats_in_car(index) else None


def seat_at(trip: Trip, car_index: int, position: int) -> Seat:
    """Return the seat at row-major `position` of the car at `car_index`."""
    letters = trip.letters
    row, column = divmod(position, len(letters))
    return Seat(trip.car_no(car_index), row + 1, letters[column])


@dataclass(frozen=True, slots=True)
class Params:
    """Knobs of a planning run; the defaults describe a Dingxi → Qingdao campaign.

    Costs are in yuan. `arrival_bus_cost` / `feeder_bus_cost` price one bus of a leg (a
    chartered 50-seat coach for half a day in the destination city / the home county); they
    are not part of the trunk objective, but a worker group moves to another booked trip
    (waiting longer, see `rebalance`) when the trunk objective rises by less than the buses
    this saves. `min_fill_*` is the smallest share of booked seats that must be filled
    before a booking is allowed (see the package docstring for what "fill" means); trips that
    already hold locked seats are exempt because they are booked already.
    """

    # Reproducibility and solver limits. One CP-SAT worker is deterministic; more workers run
    # interleaved (also deterministic, usually slower here). The deterministic time limit is
    # the one meant to stop the search; the wall-clock limit is only a safety net.
    seed: int = 0
    num_workers: int = 1
    trunk_deterministic_time: float = 2.0
    trunk_time_limit_s: float = 45.0
    routing_time_limit_s: float = 5.0  # safety net; greedy descent normally stops far earlier
    # Trunk objective: booking cost + value of travel time + days waited after the earliest date.
    value_of_time_per_hour: float = 20.0
    wait_cost_per_day: float = 200.0  # about a day's wage at 6,000 yuan a month
    max_wait_days: int = 5
    min_fill_special_train: float = 0.5
    min_fill_reserved_carriage: float = 0.5
    min_fill_chartered_bus: float = 0.0
    min_fill_charter_flight: float = 0.5
    # Feeder and arrival buses.
    feeder_bus_seats: int = 50
    arrival_bus_seats: int = 50
    station_buffer_minutes: int = 90  # feeder buses reach a railway station this early
    airport_buffer_minutes: int = 150
    disembark_minutes: int = 30  # arrival buses leave this long after the trunk arrives
    airport_disembark_minutes: int = 60
    feeder_max_ride_minutes: int = 240  # also decides which stations a pickup point can use
    arrival_max_ride_minutes: int = 180  # also decides which stations serve an employer
    feeder_speed_kmh: float = 60.0
    arrival_speed_kmh: float = 55.0
    road_factor: float = 1.3  # road distance ÷ great-circle distance
    pickup_dwell_minutes: int = 10
    dropoff_dwell_minutes: int = 5
    arrival_bus_cost: float = 1500.0  # a chartered 50-seat coach, half a day in the city
    feeder_bus_cost: float = 1500.0  # the same coach, half a day in the home county
    own_bus_min_fill: float = 0.8  # an employer whose remainder fills this share gets its own bus
    bus_chunk_size: int = 6  # single travellers are routed in chunks of this many

    def __post_init__(self) -> None:
        positive = {
            "feeder_bus_seats": self.feeder_bus_seats,
            "arrival_bus_seats": self.arrival_bus_seats,
            "feeder_speed_kmh": self.feeder_speed_kmh,
            "arrival_speed_kmh": self.arrival_speed_kmh,
            "road_factor": self.road_factor,
            "bus_chunk_size": self.bus_chunk_size,
            "num_workers": self.num_workers,
        }
        for name, value in positive.items():
            if not value > 0 or (isinstance(value, float) and not math.isfinite(value)):
                raise PlanInputError(f"params.{name} must be positive, got {value!r}")
        for name, cost in (
            ("arrival_bus_cost", self.arrival_bus_cost),
            ("feeder_bus_cost", self.feeder_bus_cost),
        ):
            if not (cost >= 0 and math.isfinite(cost)):
                raise PlanInputError(f"params.{name} must be >= 0 and finite, got {cost!r}")
        for mode in Mode:
            fill = self.min_fill(mode)
            if not 0.0 <= fill <= 1.0:
                raise PlanInputError(f"min fill of {mode} must be within [0, 1], got {fill}")
        if self.max_wait_days < 0:
            raise PlanInputError("params.max_wait_days must be >= 0")

    def min_fill(self, mode: Mode) -> float:
        return {
            Mode.SPECIAL_TRAIN: self.min_fill_special_train,
            Mode.RESERVED_CARRIAGE: self.min_fill_reserved_carriage,
            Mode.CHARTERED_BUS: self.min_fill_chartered_bus,
            Mode.CHARTER_FLIGHT: self.min_fill_charter_flight,
        }[mode]

    def station_buffer(self, mode: Mode) -> int:
        return (
            self.airport_buffer_minutes
            if mode is Mode.CHARTER_FLIGHT
            else self.station_buffer_minutes
        )

    def disembark(self, mode: Mode) -> int:
        return (
            self.airport_disembark_minutes
            if mode is Mode.CHARTER_FLIGHT
            else self.disembark_minutes
        )
