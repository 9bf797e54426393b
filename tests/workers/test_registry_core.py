"""The registry's invariants: one ID number in the whole registry, encrypted at rest, audited."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from laborbridge.models import AuditEvent, Region
from tests.factories import ANDING, TONGWEI, make_id_number
from workers.services import worker_register, worker_reveal_id_number, worker_update

pytestmark = pytest.mark.django_db


def _register(actor, county=ANDING, number=None, **extra):
    return worker_register(
        actor=actor,
        name=extra.pop("name", "王小明"),
        id_number=number or make_id_number(county),
        phone=extra.pop("phone", "13912345678"),
        home_county=Region.objects.get(pk=county),
        **extra,
    )


def test_registration_derives_birth_date_and_sex(official_a):
    number = make_id_number(ANDING, serial=123)
    worker = _register(official_a, number=number)
    assert worker.birth_date.isoformat() == "1990-05-17"
    assert worker.sex == "male"
    assert worker.id_number_masked == f"{ANDING}********{number[-4:]}"


def test_same_person_from_another_county_is_refused_naming_that_county(official_a, official_b):
    number = make_id_number(ANDING)
    _register(official_a, number=number)
    with pytest.raises(ValidationError) as error:
        _register(official_b, county=TONGWEI, number=number)
    assert "安定区" in str(error.value)


def test_official_cannot_register_into_another_county(official_a):
    with pytest.raises(PermissionDenied):
        _register(official_a, county=TONGWEI, number=make_id_number(TONGWEI))


def test_plaintext_id_number_is_not_in_the_database(official_a):
    number = make_id_number(ANDING)
    worker = _register(official_a, number=number)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM workers_worker WHERE id = %s", [worker.pk])
        row = cursor.fetchone()
    flat = " ".join(
        str(bytes(value)) if isinstance(value, bytes | memoryview) else str(value) for value in row
    )
    assert number not in flat
    assert number[6:14] + number[14:] not in flat


def test_reveal_needs_a_reason_and_is_audited(official_a):
    number = make_id_number(ANDING)
    worker = _register(official_a, number=number)
    with pytest.raises(ValidationError):
        worker_reveal_id_number(actor=official_a, worker=worker, reason=" ")
    assert worker_reveal_id_number(actor=official_a, worker=worker, reason="办理社保") == number
    event = AuditEvent.objects.get(action="worker.reveal_id_number")
    assert (
        event.actor == official_a
        and event.reason == "办理社保"
        and event.target_id == str(worker.pk)
    )


def test_reveal_refused_outside_scope(official_a, official_b):
    worker = _register(official_a)
    with pytest.raises(PermissionDenied):
        worker_reveal_id_number(actor=official_b, worker=worker, reason="好奇")


def test_update_records_what_changed(official_a):
    worker = _register(official_a)
    worker_update(actor=official_a, worker=worker, phone="13700000000", poverty_status="monitored")
    event = AuditEvent.objects.get(action="worker.update")
    assert event.changes == {
        "phone": ["139****5678", "137****0000"],  # never a full phone in the audit log
        "poverty_status": ["none", "monitored"],
    }


def test_bad_phone_is_refused_with_a_chinese_message(official_a):
    with pytest.raises(ValidationError) as error:
        _register(official_a, phone="12345")
    assert "手机号" in str(error.value)
