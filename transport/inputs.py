"""The adapter from the database to the pure planner: travellers, trips, pickup points, locks.

Travellers are the campaign's confirmed matches (both sides said yes): each becomes a planner
``Traveller`` with the active pickup point of the worker's township (if one serves it) or else
the county's default one, the destination employer's district and coordinates, the worker's
travel group (family → family, fellow villagers → village) and the earliest departure date —
the worker's own, or the vacancy's start date minus the travel time of the fastest trip.

A trip goes one way (``Trip.direction``). Outbound trips carry those matches; a **return**
trip (返乡, east → west) carries the workers at work now (``Employment.status`` employed, the
derived state placement keeps) who were placed through any campaign of the same pairing:
collected at their current employer's gate (or, for a job not on the platform, their current
workplace county) and dropped at the pickup point of their home township / county — the
planner's legs reversed (``planner.Direction.RETURN``). A **back-to-work** trip (返岗) carries
the pairing's workers who went home (status home) out again to the last job they held before
going home (``transport.returns.last_jobs``: after a 换岗, the new employer), in the normal
direction; new recruits may share it. Their earliest departure is the day of the
first trip of that direction; a 返岗 traveller's is the first 返岗 trip on or after the day
they went home.

Trips whose boarding has begun (a roll call was recorded or someone checked in at the gate)
are *frozen*: they are not offered to the planner, their travellers are not re-planned and
their seats and buses stay exactly as they are. On every other trip, confirmed seats are
passed as ``locked`` so re-planning keeps them.

Planner ids are prefixed strings: ``w<worker pk>``, ``t<trip pk>``, ``p<pickup point pk>``,
``e<employer pk>``, ``g<travel group pk>``; stations keep their codes.
"""

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from jobs.models import Employer as EmployerRow
from laborbridge.models import Campaign, Region
from laborbridge.models import Station as StationRow
from matching.models import Match, MatchStatus
from transport import planner
from transport.models import BoardingStatus, PickupPoint, Seat, Trip, TripDirection
from transport.returns import last_jobs
from workers.models import Employment, EmploymentStatus, TravelGroup

_GROUP_KIND = {
    TravelGroup.Kind.FAMILY: planner.GroupKind.FAMILY,
    TravelGroup.Kind.FELLOW_VILLAGERS: planner.GroupKind.VILLAGE,
}


def worker_key(worker_id: int) -> str:
    return f"w{worker_id}"


def trip_key(trip_id: int) -> str:
    return f"t{trip_id}"


def pickup_key(point_id: int) -> str:
    return f"p{point_id}"


def employer_key(employer_id: int) -> str:
    return f"e{employer_id}"


def workplace_key(region_id: int) -> str:
    """The collection place of a returning worker whose job is not on the platform: their
    current workplace county (``d<region pk>``)."""
    return f"d{region_id}"


def key_id(key: str) -> int:
    """Return the database id inside a planner id (``w42`` → 42)."""
    return int(key[1:])


@dataclass
class PlanInputs:
    travellers: list[planner.Traveller]
    trips: list[planner.Trip]
    pickup_points: list[planner.PickupPoint]
    locked: list[planner.SeatAssignment]
    match_of: dict[str, Match]  # traveller id → match (with worker and vacancy loaded)
    trip_rows: dict[str, Trip]
    frozen_trip_ids: list[int] = field(default_factory=list)
    travel_days: int = 1

    @property
    def summary(self) -> dict:
        """Return what went in, for the plan's record (ids sorted: the same inputs, the same
        summary)."""
        return {
            "travellers": len(self.travellers),
            "matches": sorted(m.pk for m in self.match_of.values()),
            "trips": sorted(t.pk for t in self.trip_rows.values()),
            "frozen_trips": sorted(self.frozen_trip_ids),
            "pickup_points": len(self.pickup_points),
            "locked_seats": len(self.locked),
            "travel_days": self.travel_days,
        }


def frozen_trip_ids(campaign: Campaign) -> list[int]:
    """Return the trips of ``campaign`` whose boarding has begun."""
    return sorted(
        set(
            Seat.objects.filter(trip__campaign=campaign)
            .filter(~Q(boarding=BoardingStatus.PENDING) | Q(checked_in_at__isnull=False))
            .values_list("trip_id", flat=True)
        )
    )


def campaign_matches(campaign: Campaign):
    """Return the matches of ``campaign`` (through the vacancy or the round)."""
    return Match.objects.filter(Q(vacancy__campaign=campaign) | Q(round__campaign=campaign))


def station_of(row: StationRow) -> planner.Station:
    lat, lng = row.latitude, row.longitude
    if lat is None or lng is None:
        lat, lng = _region_point(row.region)
    return planner.Station(row.code, float(lat), float(lng), row.name_zh)


def trip_of(row: Trip) -> planner.Trip:
    """Return the planner's view of a trip; times in China time so that dates are local."""
    return planner.Trip(
        id=trip_key(row.pk),
        mode=planner.Mode(row.mode),
        origin=station_of(row.origin),
        destination=station_of(row.destination),
        departure=timezone.localtime(row.departure_at),
        arrival=timezone.localtime(row.arrival_at),
        cars=row.cars,
        seats_per_car=row.seats_per_car,
        fare_per_seat=float(row.fare_per_seat),
        fare_per_vehicle=float(row.fare_per_vehicle),
        car_seats=tuple(int(n) for n in row.car_seats),
        first_car_no=row.first_car_no,
        seat_letters=row.seat_letters,
        direction=planner.Direction.RETURN
        if row.direction == TripDirection.RETURN_HOME
        else planner.Direction.OUTBOUND,
    )


def _region_point(region: Region | None) -> tuple[float, float]:
    """Return the coordinates of ``region`` or of its nearest ancestor that has them."""
    while region is not None:
        if region.latitude is not None and region.longitude is not None:
            return region.latitude, region.longitude
        region = region.parent
    raise ValueError("no coordinates")


def employer_of(row: EmployerRow, cache: dict[int, planner.Employer]) -> planner.Employer:
    if row.pk not in cache:
        lat, lng = _region_point(row.district)
        cache[row.pk] = planner.Employer(
            employer_key(row.pk), row.district_id, float(lat), float(lng), row.name
        )
    return cache[row.pk]


def pickup_point_for(worker, points: list[PickupPoint]) -> PickupPoint | None:
    """Return the point that serves the worker's township, else the county's default one,
    else the county's first one (None when the county has none)."""
    county = [p for p in points if p.county_id == worker.home_county_id]
    for point in county:
        if point.township_id and point.township_id == worker.home_township_id:
            return point
    for point in county:
        if point.is_default:
            return point
    return county[0] if county else None


def travel_days(trips: list[planner.Trip]) -> int:
    """Return the whole days the fastest trip takes (at least one)."""
    minutes = min((t.travel_minutes for t in trips), default=24 * 60)
    return max(1, math.ceil(minutes / (24 * 60)))


def pairing_employments(campaign: Campaign):
    """Return the employment records of the workers placed through any campaign of the
    pairing of ``campaign`` — and of those placed outside any campaign (e.g. before the
    platform's first one) from the pairing's western side at an employer on its eastern
    side, the same people its coordinator sees."""
    pairing = campaign.pairing
    no_campaign = Q(match__vacancy__campaign__isnull=True) & (
        Q(match__round__isnull=True) | Q(match__round__campaign__isnull=True)
    )
    return Employment.objects.filter(
        Q(match__vacancy__campaign__pairing_id=pairing.pk)
        | Q(match__round__campaign__pairing_id=pairing.pk)
        | (
            no_campaign
            & Q(worker__home_county__code__startswith=pairing.west_region.prefix)
            & Q(employer__district__code__startswith=pairing.east_region.prefix)
        )
    )


def _first_day(trips: list[planner.Trip], direction: str) -> dt.date | None:
    days = [t.date for t in trips if t.direction == direction]
    return min(days) if days else None


def _group_of(worker) -> tuple[str | None, planner.GroupKind]:
    group = worker.travel_group
    if group is None:
        return None, planner.GroupKind.NONE
    return f"g{group.pk}", _GROUP_KIND.get(group.kind, planner.GroupKind.NONE)


def _home_drop(point: PickupPoint) -> planner.Employer:
    """The home county's pickup point as the arrival bus's drop-off of a return trip."""
    return planner.Employer(
        pickup_key(point.pk), point.county_id, point.latitude, point.longitude, point.name
    )


def _returning_travellers(
    employments: list[Employment],
    points: list[PickupPoint],
    first_day: dt.date,
) -> tuple[list[planner.Traveller], list[planner.PickupPoint]]:
    """Return the travellers of the return trips and their collection places (the gates)."""
    places: dict[str, planner.PickupPoint] = {}
    travellers = []
    for employment in employments:
        worker = employment.worker
        if employment.current_employer_id:
            key = employer_key(employment.current_employer_id)
            region = employment.current_employer.district
            name = employment.current_employer.name
            region_id = employment.current_employer.district_id
        else:
            key = workplace_key(employment.current_workplace_id)
            region = employment.current_workplace
            name = employment.current_employer_name or region.name_zh
            region_id = employment.current_workplace_id
        if key not in places:
            lat, lng = _region_point(region)
            places[key] = planner.PickupPoint(key, region_id, float(lat), float(lng), name)
        home = pickup_point_for(worker, points)
        group_id, group_kind = _group_of(worker)
        travellers.append(
            planner.Traveller(
                id=worker_key(worker.pk),
                pickup_point_id=key,
                # No home point: nowhere to drop them near a station → no_trip_for_route.
                employer=_home_drop(home)
                if home
                else planner.Employer(f"none-{worker.home_county_id}", 0, 0.0, 0.0),
                earliest_departure=first_day,
                group_id=group_id,
                group_kind=group_kind,
                direction=planner.Direction.RETURN,
            )
        )
    return travellers, list(places.values())


def _back_to_work_day(
    trip_rows: Iterable[Trip], employment: Employment, fallback: dt.date | None
) -> dt.date | None:
    """Return the earliest departure of a worker gone home: the first 返岗 trip on or after
    the day they went home (never a trip that left before, like last spring's train), else
    the first outbound one, else ``fallback``."""
    home_since = employment.ended_on or dt.date.min
    for directions in ((TripDirection.BACK_TO_WORK,), (TripDirection.OUTBOUND,)):
        days = [
            timezone.localtime(t.departure_at).date()
            for t in trip_rows
            if t.direction in directions
        ]
        days = [d for d in days if d >= home_since]
        if days:
            return min(days)
    return fallback


def _last_workplaces(
    employments: list[Employment], employers: dict[int, planner.Employer]
) -> dict[int, planner.Employer]:
    """Return, per employment of a worker gone home, where their 返岗 trip takes them: the
    last job they held before going home (``transport.returns.last_jobs`` — after a 换岗,
    the new employer, not the one they arrived at); a job off the platform is dropped at its
    workplace county (``d<region pk>``), as a return trip collects it."""
    if not employments:
        return {}
    jobs = last_jobs(employments)
    rows = EmployerRow.objects.select_related("district__parent").in_bulk(
        {job.employer_id for job in jobs.values() if job.employer_id}
    )
    regions = Region.objects.select_related("parent").in_bulk(
        {job.workplace_id for job in jobs.values() if job.workplace_id and not job.employer_id}
    )
    places: dict[int, planner.Employer] = {}
    for employment in employments:
        job = jobs.get(employment.pk)
        if job is not None and job.employer_id in rows:
            places[employment.pk] = employer_of(rows[job.employer_id], employers)
        elif job is not None and job.workplace_id in regions:
            region = regions[job.workplace_id]
            lat, lng = _region_point(region)
            places[employment.pk] = planner.Employer(
                workplace_key(region.pk), region.pk, float(lat), float(lng), job.name
            )
        else:
            places[employment.pk] = employer_of(employment.employer, employers)
    return places


def plan_inputs_load(*, campaign: Campaign) -> PlanInputs:
    """Return the planner's inputs for ``campaign`` as the database holds them now."""
    frozen = frozen_trip_ids(campaign)
    trip_rows = {
        trip_key(t.pk): t
        for t in Trip.objects.filter(campaign=campaign)
        .exclude(pk__in=frozen)
        .select_related("origin__region__parent", "destination__region__parent")
        .order_by("pk")
    }
    trips = [trip_of(t) for t in trip_rows.values()]
    days = travel_days(trips)

    # Travellers already on a frozen trip keep their place there and are not planned again.
    on_frozen = set(
        Seat.objects.filter(trip_id__in=frozen, released_at=None).values_list(
            "worker_id", flat=True
        )
    )
    locked_rows = list(
        Seat.objects.filter(trip_id__in=[t.pk for t in trip_rows.values()], confirmed=True)
        .filter(released_at=None)
        .select_related("car")
        .order_by("pk")
    )
    # Only a seat on an outbound trip keeps a hired match among the new recruits.
    locked_workers = {
        s.worker_id
        for s in locked_rows
        if trip_rows[trip_key(s.trip_id)].direction == TripDirection.OUTBOUND
    }
    # Confirmed matches travel; a hired one (checked in early) keeps a locked seat it holds.
    matches = (
        campaign_matches(campaign)
        .filter(
            Q(status=MatchStatus.CONFIRMED)
            | Q(status=MatchStatus.HIRED, worker_id__in=locked_workers)
        )
        .exclude(worker_id__in=on_frozen)
        .select_related(
            "worker__travel_group",
            "vacancy__employer__district__parent",
        )
        .order_by("worker_id")
    )
    counties = set()
    match_of: dict[str, Match] = {}
    for match in matches:
        match_of[worker_key(match.worker_id)] = match
        counties.add(match.worker.home_county_id)
    recruits = dict(match_of)
    # Return (返乡) and back-to-work (返岗) travellers: the pairing's placed workers at work /
    # at home, when the campaign has trips of that direction.
    directions = {t.direction for t in trip_rows.values()}
    wanted = [
        status
        for status, direction in (
            (EmploymentStatus.EMPLOYED, TripDirection.RETURN_HOME),
            (EmploymentStatus.HOME, TripDirection.BACK_TO_WORK),
        )
        if direction in directions
    ]
    placed = (
        list(
            pairing_employments(campaign)
            .filter(status__in=wanted)
            .exclude(worker_id__in=on_frozen)
            .select_related(
                "match__vacancy__employer",
                "match__worker",
                "vacancy",
                "worker__travel_group",
                "employer__district__parent",
                "current_employer__district__parent",
                "current_workplace__parent",
            )
            .order_by("worker_id", "-started_on", "-pk")
        )
        if wanted
        else []
    )
    returning: list[Employment] = []
    back_to_work: list[Employment] = []
    for employment in placed:
        key = worker_key(employment.worker_id)
        if key in match_of:  # a new recruit, or a worker's older employment record
            continue
        match_of[key] = employment.match
        counties.add(employment.worker.home_county_id)
        if employment.status == EmploymentStatus.EMPLOYED:
            returning.append(employment)
        else:
            back_to_work.append(employment)
    points = list(PickupPoint.objects.filter(county_id__in=counties, is_active=True).order_by("pk"))
    employers: dict[int, planner.Employer] = {}
    travellers = []
    for key, match in recruits.items():
        worker, vacancy = match.worker, match.vacancy
        point = pickup_point_for(worker, points)
        group = worker.travel_group
        earliest = worker.earliest_departure or (vacancy.start_date - dt.timedelta(days=days))
        travellers.append(
            planner.Traveller(
                id=key,
                # An id the planner does not know: it reports unknown_pickup_point.
                pickup_point_id=pickup_key(point.pk) if point else f"none-{worker.home_county_id}",
                employer=employer_of(vacancy.employer, employers),
                earliest_departure=earliest,
                group_id=f"g{group.pk}" if group else None,
                group_kind=_GROUP_KIND.get(group.kind, planner.GroupKind.NONE)
                if group
                else planner.GroupKind.NONE,
            )
        )
    out_day = _first_day(trips, planner.Direction.OUTBOUND)
    back_to = _last_workplaces(back_to_work, employers)
    for employment in back_to_work:
        worker = employment.worker
        point = pickup_point_for(worker, points)
        group_id, group_kind = _group_of(worker)
        travellers.append(
            planner.Traveller(
                id=worker_key(worker.pk),
                pickup_point_id=pickup_key(point.pk) if point else f"none-{worker.home_county_id}",
                employer=back_to[employment.pk],
                earliest_departure=_back_to_work_day(trip_rows.values(), employment, out_day),
                group_id=group_id,
                group_kind=group_kind,
            )
        )
    return_points: list[planner.PickupPoint] = []
    if returning:
        more, return_points = _returning_travellers(
            returning, points, _first_day(trips, planner.Direction.RETURN)
        )
        travellers += more
    locked = [
        planner.SeatAssignment(
            traveller_id=worker_key(s.worker_id),
            trip_id=trip_key(s.trip_id),
            seat=planner.Seat(s.car.car_no, s.row, s.letter),
            locked=True,
        )
        for s in locked_rows
    ]
    return PlanInputs(
        travellers=travellers,
        trips=trips,
        pickup_points=[
            planner.PickupPoint(pickup_key(p.pk), p.county_id, p.latitude, p.longitude, p.name)
            for p in points
        ]
        + return_points,
        locked=locked,
        match_of=match_of,
        trip_rows=trip_rows,
        frozen_trip_ids=frozen,
        travel_days=days,
    )
