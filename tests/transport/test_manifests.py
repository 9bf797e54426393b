"""Manifests list exactly the seated travellers; full ID numbers only in the audited
carrier export, and only for workers whose consent covers transport."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from laborbridge.models import AuditEvent
from tests.transport.conftest import empty_car
from transport import manifests
from transport.models import Bus, BusKind, Seat
from transport.services.boarding import seat_roll_call
from transport.services.carrier import trip_carrier_export
from transport.services.seats import seat_move
from workers.models import Consent, ConsentMethod, ConsentScope

pytestmark = pytest.mark.django_db


def _held(**filters) -> set[str]:
    return set(
        Seat.objects.filter(released_at=None, **filters).values_list("worker__name", flat=True)
    )


def _sheet_names(content: bytes) -> list[str]:
    """Return the names column of a manifest workbook's table (below its header block)."""
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == "序号") + 1
    names = []
    for row in rows[start:]:
        if row[0] is None or not isinstance(row[0], int):
            break
        names.append(row[2])
    return names


def _all_text(content: bytes) -> str:
    sheet = load_workbook(io.BytesIO(content)).active
    return " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v)


def test_trip_manifest_is_exactly_the_seated_travellers(coordinator, planned, world):
    gone = Seat.objects.get(worker=world.workers[1], released_at=None)
    seat_roll_call(actor=coordinator, seat=gone, present=False)
    manifest = manifests.trip_manifest(world.train)
    names = [row.name for row in manifest.rows]
    assert sorted(names) == sorted(_held(trip=world.train)) and len(names) == 5
    assert world.workers[1].name not in names
    assert all("********" in row.id_number and "****" in row.phone for row in manifest.rows)
    assert [row.seat for row in manifest.rows] == sorted(row.seat for row in manifest.rows)
    assert manifest.plan.startswith("方案 v") and "已确认" in manifest.plan
    assert manifest.vehicle == "专列 G2096" and manifest.seats == world.train.total_seats
    assert all(row.pickup_point and row.pickup_time for row in manifest.rows)


def test_car_manifest_has_only_that_car(coordinator, planned, world):
    seat = Seat.objects.get(worker=world.workers[0])
    car = empty_car(world.train)
    seat_move(actor=coordinator, seat=seat, trip=world.train, car_no=car, row=2, letter="C")
    alone = manifests.trip_manifest(world.train, car)
    assert [row.name for row in alone.rows] == [world.workers[0].name]
    assert alone.rows[0].seat == f"{car:02d}车02C" and f"{car:02d}车" in alone.vehicle
    rest = Seat.objects.filter(released_at=None).exclude(car__car_no=car).first().car.car_no
    others = manifests.trip_manifest(world.train, rest)
    assert {row.name for row in others.rows} == _held(trip=world.train, car__car_no=rest)
    assert world.workers[0].name not in {row.name for row in others.rows}


def test_bus_manifest_has_its_riders(planned, world):
    for bus in Bus.objects.all():
        manifest = manifests.bus_manifest(bus)
        riders = set(bus.riders.values_list("seat__worker__name", flat=True))
        assert {row.name for row in manifest.rows} == riders and len(manifest.rows) == bus.occupied
        assert manifest.stops and manifest.route
    jiaozhou = Bus.objects.get(kind=BusKind.ARRIVAL, key="370281")
    assert "胶州" in manifests.bus_manifest(jiaozhou).vehicle


def test_workbook_rows_match_and_ids_stay_masked(planned, world):
    manifest = manifests.trip_manifest(world.train)
    content = manifests.manifest_workbook(manifest)
    assert sorted(_sheet_names(content)) == sorted(_held(trip=world.train))
    text = _all_text(content)
    for worker in world.workers:
        assert worker.reveal_id_number() not in text
        assert worker.id_number_masked in text
    assert "G2096" in text and "定西北站 → 青岛站" in text


def test_carrier_export_is_audited_and_reveals_only_consenting_workers(coordinator, planned, world):
    consenting = world.workers[0]
    Consent.objects.create(
        worker=consenting,
        given_on=dt.date(2026, 1, 20),
        method=ConsentMethod.SIGNED_PAPER,
        scope=[ConsentScope.REGISTRY, ConsentScope.MATCHING, ConsentScope.TRANSPORT],
    )
    content = trip_carrier_export(actor=coordinator, trip=world.train, reason="铁路实名制购票核验")
    text = _all_text(content)
    assert consenting.reveal_id_number() in text
    for other in world.workers[1:]:
        assert other.reveal_id_number() not in text
        assert other.id_number_masked in text
    event = AuditEvent.objects.get(action="trip.carrier_export")
    assert event.actor == coordinator and event.reason == "铁路实名制购票核验"
    assert event.changes["id_numbers"] == 1 and event.changes["withheld_no_consent"] == 5
    assert sorted(event.changes["workers"]) == sorted(w.pk for w in world.workers)


def test_carrier_export_needs_a_reason_and_a_coordinator(coordinator, official_a, planned, world):
    with pytest.raises(ValidationError):
        trip_carrier_export(actor=coordinator, trip=world.train, reason=" ")
    with pytest.raises(PermissionDenied):
        trip_carrier_export(actor=official_a, trip=world.train, reason="想看看")
    assert not AuditEvent.objects.filter(action="trip.carrier_export").exists()
