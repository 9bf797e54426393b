"""Running a transport plan: claim, progress, write results, fail — called by the Celery task.

A run is safe to run twice. ``plan_claim`` moves the plan to *running* with a conditional
UPDATE and returns an attempt number; a redelivered task claims again with a higher number.
Results are written in one transaction that first locks the plan and checks it still belongs
to this attempt, so a stale attempt never writes and a plan's seats are written once.

Writing a plan makes it the campaign's current plan: the previous one is superseded; on every
trip the planner saw, unconfirmed seats and all buses are replaced, confirmed seats stay
(they were passed as locks); frozen trips (boarding begun) keep their seats and buses as
they are and are carried over to the new plan.
"""

from dataclasses import asdict

from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Count
from django.utils import timezone

from laborbridge.background import BackgroundJob, Claim, stage_spans
from laborbridge.models import Campaign
from laborbridge.services import audit_record
from transport import planner
from transport.inputs import (
    PlanInputs,
    frozen_trip_ids,
    key_id,
    plan_inputs_load,
    trip_key,
    worker_key,
)
from transport.models import (
    Bus,
    BusKind,
    BusRider,
    PlanStatus,
    ReleaseReason,
    RunStatus,
    Seat,
    TransportPlan,
    TripCar,
)
from transport.plan_params import planner_params
from transport.reasons import STAGES, trip_refusals

# Seats, buses and riders are written 1,000 rows per INSERT. Measured on this 2-core machine:
# 10,000 seats take ~1.2 s on PostgreSQL and ~0.9 s on SQLite; batches of 250 to 5,000 rows
# were all within that noise, and 1,000 rows × 18 columns stays well under SQLite's limit.
SEAT_WRITE_BATCH = 1000


class StaleInputs(Exception):
    """Raised when boarding began on a trip while the plan was being computed."""


PLANS = BackgroundJob(
    model=TransportPlan,
    status_field="run_status",
    stage_span=stage_spans(STAGES),
    task_name="transport.tasks.transport_plan_run",
)


def plan_claim(*, plan_id: int, task_id: str) -> Claim | None:
    """Claim a queued (or orphaned running) plan for this attempt; None if already finished."""
    return PLANS.claim(plan_id, task_id)


def plan_fail(*, plan_id: int, reason: str) -> None:
    """Mark a plan failed with the reason (unless it already finished)."""
    PLANS.fail(plan_id, reason)


def plan_execute(*, plan_id: int, task_id: str) -> bool:
    """Run one plan end to end: claim, load, plan, write. False if nothing was written."""
    claim = plan_claim(plan_id=plan_id, task_id=task_id)
    if claim is None:
        return False
    try:
        return _plan_run(plan_id, claim)
    except (OperationalError, InterfaceError):
        raise  # transient: the task retries it, and a retry may claim the plan again
    except Exception as error:
        # Eager Celery (the demo) propagates without calling on_failure: say why here too.
        plan_fail(plan_id=plan_id, reason=f"{type(error).__name__}: {error}")
        raise


def _plan_run(plan_id: int, claim: Claim) -> bool:
    progress = PLANS.progress(claim)
    plan_row = TransportPlan.objects.select_related("campaign").get(pk=plan_id)
    progress("load", 0.0)
    inputs = plan_inputs_load(campaign=plan_row.campaign)
    progress("load", 1.0)
    try:
        result = planner.plan(
            inputs.travellers,
            inputs.trips,
            pickup_points=inputs.pickup_points,
            params=planner_params(plan_row),
            locked=inputs.locked,
            progress=progress,
        )
    except planner.PlanInputError as error:
        # Contradictory data does not get better by retrying: say what it is on the page.
        plan_fail(plan_id=plan_id, reason=f"PlanInputError: {error}")
        return False
    progress("write", 0.0)
    try:
        return plan_write_results(claim=claim, inputs=inputs, result=result)
    except StaleInputs as error:
        plan_fail(plan_id=plan_id, reason=str(error))
        return False


@transaction.atomic
def plan_write_results(*, claim: Claim, inputs: PlanInputs, result: planner.Plan) -> bool:
    """Store the plan's seats, buses and reports; False if this attempt lost the plan."""
    plan = TransportPlan.objects.select_for_update().select_related("campaign").get(pk=claim.pk)
    if plan.run_status != RunStatus.RUNNING or plan.attempt != claim.attempt:
        return False
    campaign: Campaign = plan.campaign
    # Lock the campaign's cars (pk order, as every seat service does) before looking at seats.
    cars = list(TripCar.objects.select_for_update().filter(trip__campaign=campaign).order_by("pk"))
    if frozen_trip_ids(campaign) != inputs.frozen_trip_ids:
        raise StaleInputs("boarding began on a trip while planning; run the plan again")
    open_ids = sorted(t.pk for t in inputs.trip_rows.values())
    if _locks_now(open_ids) != {(a.traveller_id, a.trip_id, a.seat) for a in inputs.locked}:
        raise StaleInputs("confirmed seats changed while planning; run the plan again")
    frozen = inputs.frozen_trip_ids
    previous = list(
        TransportPlan.objects.select_for_update()
        .filter(campaign=campaign, run_status=RunStatus.SUCCEEDED)
        .exclude(status=PlanStatus.SUPERSEDED)
        .exclude(pk=plan.pk)
    )
    TransportPlan.objects.filter(pk__in=[p.pk for p in previous]).update(
        status=PlanStatus.SUPERSEDED, updated_at=timezone.now()
    )

    # Buses of the open trips are rebuilt; unconfirmed seats replaced; confirmed ones stay.
    # The vehicles hired for them (plate, driver) stay with the bus of the same number.
    vehicles = _vehicles_of(open_ids)
    Bus.objects.filter(trip_id__in=open_ids).delete()
    Seat.objects.filter(trip_id__in=open_ids, released_at=None, confirmed=False).delete()
    released = {(key_id(a.traveller_id), key_id(a.trip_id)) for a in result.released_locks}
    now = timezone.now()
    for seat in Seat.objects.filter(trip_id__in=open_ids, released_at=None).order_by("pk"):
        if (seat.worker_id, seat.trip_id) in released:
            seat.released_at, seat.release_reason = now, ReleaseReason.MATCH_ENDED
            seat.save(update_fields=["released_at", "release_reason", "updated_at"])
    Seat.objects.filter(trip_id__in=open_ids + frozen, released_at=None).update(plan=plan)
    Bus.objects.filter(trip_id__in=frozen).update(plan=plan)

    car_id = {(c.trip_id, c.car_no): c.pk for c in cars}
    fresh = []
    for a in result.seats:
        if a.locked:
            continue
        trip_id, worker_key = key_id(a.trip_id), a.traveller_id
        match = inputs.match_of[worker_key]
        fresh.append(
            Seat(
                plan=plan,
                trip_id=trip_id,
                car_id=car_id[(trip_id, a.seat.car_no)],
                row=a.seat.row,
                letter=a.seat.letter,
                match=match,
                worker_id=match.worker_id,
            )
        )
    Seat.objects.bulk_create(fresh, batch_size=SEAT_WRITE_BATCH)
    _cars_recount(cars, open_ids)
    _buses_write(plan, inputs, result, open_ids, vehicles)

    match_of = inputs.match_of
    carried = [entry for p in previous for entry in p.trunk if entry["trip"] in frozen]
    carried_reports = [
        entry for p in previous for entry in p.leg_reports if entry["trip"] in frozen
    ]
    stats = asdict(result.stats)
    stats["frozen_trips"] = len(frozen)
    plan.planner_version = result.planner_version
    plan.inputs = inputs.summary
    plan.stats = stats
    plan.trunk = [
        {
            "trip": key_id(b.trip_id),
            "mode": str(b.mode),
            "booked_car_nos": list(b.booked_car_nos),
            "booked_seats": b.booked_seats,
            "cost": b.cost,
            "travellers": len(b.travellers),
        }
        for b in result.trunk
    ] + carried
    plan.leg_reports = [
        {
            "kind": str(r.kind),
            "trip": key_id(r.trip_id),
            "key": r.key,
            "people": r.people,
            "vehicles": r.vehicles,
            "seats": r.seats,
            "lower_bound": r.lower_bound,
            # fewest buses that reach every stop within the ride cap (>= lower_bound)
            "ride_bound": r.ride_bound,
            "fill_rate": round(r.fill_rate, 4),
            "excess": r.excess,
        }
        for r in result.leg_reports
    ] + carried_reports
    # per unplaced person, the rule that kept them off each trip (shown in words on the page)
    refusals = trip_refusals(
        travellers=inputs.travellers,
        trips=inputs.trips,
        pickup_points=inputs.pickup_points,
        params=planner_params(plan),
        result=result,
    )
    plan.unplaced = [
        {
            "worker": key_id(u.traveller_id),
            "match": match_of[u.traveller_id].pk,
            "reason": str(u.reason),
            "detail": u.detail,
            "trips": [
                dict(row, trip=key_id(row["trip"])) for row in refusals.get(u.traveller_id, [])
            ],
        }
        for u in result.unplaced
    ]
    plan.group_splits = [
        {
            "group": key_id(g.group_id),
            "kind": str(g.kind),
            "reason": str(g.reason),
            "parts": [[key_id(t) for t in part] for part in g.parts],
        }
        for g in result.group_splits
    ]
    plan.released_locks = [
        {"worker": key_id(a.traveller_id), "trip": key_id(a.trip_id), "seat": a.seat.label}
        for a in result.released_locks
    ]
    plan.run_status = RunStatus.SUCCEEDED
    plan.status = PlanStatus.DRAFT
    plan.progress_stage = "done"
    plan.progress_percent = 100
    plan.finished_at = timezone.now()
    plan.save(
        update_fields=[
            "planner_version",
            "inputs",
            "stats",
            "trunk",
            "leg_reports",
            "unplaced",
            "group_splits",
            "released_locks",
            "run_status",
            "status",
            "progress_stage",
            "progress_percent",
            "finished_at",
            "updated_at",
        ]
    )
    audit_record(
        actor=None,
        action="transport_plan.write",
        target=plan,
        changes={
            "placed": result.stats.placed,
            "unplaced": result.stats.unplaced,
            "superseded": [p.pk for p in previous],
            "released_seats": len(plan.released_locks),
        },
    )
    return True


def _locks_now(trip_ids: list[int]) -> set[tuple[str, str, planner.Seat]]:
    """Return the confirmed seats on ``trip_ids`` as the planner's lock keys."""
    return {
        (worker_key(worker), trip_key(trip), planner.Seat(car_no, row, letter))
        for worker, trip, car_no, row, letter in Seat.objects.filter(
            trip_id__in=trip_ids, confirmed=True, released_at=None
        ).values_list("worker_id", "trip_id", "car__car_no", "row", "letter")
    }


def _cars_recount(cars: list[TripCar], trip_ids: list[int]) -> None:
    """Set each car's counter to the seats its rows hold (the rows are the truth)."""
    counts = dict(
        Seat.objects.filter(trip_id__in=trip_ids, released_at=None)
        .values_list("car_id")
        .annotate(n=Count("id"))
    )
    wanted = set(trip_ids)
    for car in cars:
        if car.trip_id in wanted and car.occupied != counts.get(car.pk, 0):
            TripCar.objects.filter(pk=car.pk).update(occupied=counts.get(car.pk, 0))


_VehicleKey = tuple[int, str, str, int]  # trip, kind, key, vehicle index


def _vehicles_of(trip_ids: list[int]) -> dict[_VehicleKey, dict[str, str]]:
    """Return the plate and driver recorded for the buses of ``trip_ids``, by bus identity."""
    rows = (
        Bus.objects.filter(trip_id__in=trip_ids)
        .exclude(plate_number="", driver_name="", driver_phone="")
        .values_list(
            "trip_id", "kind", "key", "vehicle_index", "plate_number", "driver_name", "driver_phone"
        )
    )
    return {
        (trip, kind, key, index): {
            "plate_number": plate,
            "driver_name": driver,
            "driver_phone": phone,
        }
        for trip, kind, key, index, plate, driver, phone in rows
    }


def _stop_kind(stop: planner.Stop) -> str:
    """Return what the stop is: on a return trip (返乡) the feeder collects at employers
    (``e…``) or workplace counties (``d…``) and the arrival bus drops at pickup points."""
    if stop.kind is planner.StopKind.STATION:
        return str(stop.kind)
    return {"p": "pickup_point", "e": "employer"}.get(stop.place_id[0], "workplace")


def _buses_write(
    plan: TransportPlan,
    inputs: PlanInputs,
    result: planner.Plan,
    trip_ids: list[int],
    vehicles: dict[_VehicleKey, dict[str, str]] | None = None,
) -> None:
    """Create the feeder and arrival buses of the plan and put each traveller on theirs."""
    seat_of = {
        (worker_id, trip_id): seat_id
        for seat_id, worker_id, trip_id in Seat.objects.filter(
            trip_id__in=trip_ids, released_at=None
        ).values_list("pk", "worker_id", "trip_id")
    }
    names = {p.id: p.name for p in inputs.pickup_points}
    for trip in inputs.trip_rows.values():
        names[trip.origin.code] = trip.origin.name_zh
        names[trip.destination.code] = trip.destination.name_zh
    for match in inputs.match_of.values():
        names[f"e{match.vacancy.employer_id}"] = match.vacancy.employer.name
    # A 返岗 traveller's last employer (or workplace county) need not be their match's.
    for traveller in inputs.travellers:
        names.setdefault(traveller.employer.id, traveller.employer.name)
    legs = list(result.feeder_legs) + list(result.arrival_legs)
    buses = [
        Bus(
            plan=plan,
            trip_id=key_id(leg.trip_id),
            kind=BusKind.FEEDER if leg.kind is planner.LegKind.FEEDER else BusKind.ARRIVAL,
            key=leg.key,
            district_id=leg.key if leg.kind is planner.LegKind.ARRIVAL else None,
            vehicle_index=leg.vehicle_index,
            capacity=leg.capacity,
            occupied=len(leg.members),
            departure_at=leg.departure,
            arrival_at=leg.arrival,
            ride_minutes=leg.ride_minutes,
            distance_km=round(leg.distance_km, 1),
            dedicated_employer_id=key_id(leg.dedicated_employer_id)
            if leg.dedicated_employer_id
            else None,
            stops=[
                {
                    "kind": _stop_kind(stop),
                    "id": stop.place_id
                    if stop.kind is planner.StopKind.STATION
                    else key_id(stop.place_id),
                    "name": names.get(stop.place_id, stop.place_id),
                    "time": stop.time.isoformat(),
                    "people": len(stop.boarding) + len(stop.alighting),
                }
                for stop in leg.stops
            ],
        )
        for leg in legs
    ]
    for bus in buses:
        for name, value in (
            (vehicles or {}).get((bus.trip_id, bus.kind, bus.key, bus.vehicle_index), {}).items()
        ):
            setattr(bus, name, value)
    Bus.objects.bulk_create(buses, batch_size=SEAT_WRITE_BATCH)
    riders = []
    for bus, leg in zip(buses, legs, strict=True):
        feeder = bus.kind == BusKind.FEEDER
        for stop in leg.stops:
            if stop.kind is planner.StopKind.STATION:
                continue
            for traveller in stop.boarding if feeder else stop.alighting:
                riders.append(
                    BusRider(
                        bus=bus,
                        seat_id=seat_of[(key_id(traveller), bus.trip_id)],
                        kind=bus.kind,
                        pickup_point_id=key_id(stop.place_id) if stop.place_id[0] == "p" else None,
                        employer_id=key_id(stop.place_id) if stop.place_id[0] == "e" else None,
                        stop_time=stop.time,
                    )
                )
    BusRider.objects.bulk_create(riders, batch_size=SEAT_WRITE_BATCH)
