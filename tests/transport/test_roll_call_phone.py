"""The roll call on a phone: counters that follow each tap, and the traveller's phone masked
with a tap-to-call that is audited."""

import pytest
from django.urls import reverse

from laborbridge.models import AuditEvent, Pairing, Role
from tests.factories import make_user
from transport.models import Seat

pytestmark = pytest.mark.django_db


def _seat(world, index=0) -> Seat:
    return Seat.objects.get(worker=world.workers[index], released_at=None)


def test_rows_show_the_masked_phone_and_the_counters(client, coordinator, planned, world):
    client.force_login(coordinator)
    seat = _seat(world)
    body = client.get(
        reverse("transport:roll_call", args=[world.train.pk]) + f"?car={seat.car.car_no}"
    ).content.decode()
    worker = seat.worker
    assert worker.phone_masked in body and worker.reveal_phone() not in body
    assert reverse("transport:roll_call_phone", args=[seat.pk]) in body
    assert 'id="rollcall-counts"' in body and 'id="count-pending"' in body


def test_a_tap_updates_the_counters_at_once(client, coordinator, planned, world):
    client.force_login(coordinator)
    seat = _seat(world)
    car = seat.car.car_no
    in_car = Seat.objects.filter(trip=world.train, car__car_no=car, released_at=None).count()
    response = client.post(
        reverse("transport:roll_call_mark", args=[seat.pk]),
        {"present": "1", "car": str(car)},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert f'id="seat-{seat.pk}"' in body
    assert 'id="rollcall-counts"' in body and 'hx-swap-oob="true"' in body
    assert '<strong id="count-present">1</strong>' in body
    assert f'<strong id="count-pending">{in_car - 1}</strong>' in body


def test_tap_to_call_records_who_called_whom_then_dials(client, coordinator, planned, world):
    client.force_login(coordinator)
    seat = _seat(world)
    url = reverse("transport:roll_call_phone", args=[seat.pk])
    assert client.get(url).status_code == 405  # a call is recorded: POST only
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == f"tel:{seat.worker.reveal_phone()}"
    event = AuditEvent.objects.get(action="worker.phone_call")
    assert event.actor == coordinator and world.train.service_number in event.reason
    assert seat.label in event.reason


@pytest.mark.parametrize("who", ["anonymous", "official_a", "hr_x", "coordinator_other"])
def test_tap_to_call_refused_outside_the_trip(client, planned, world, who, request):
    seat = _seat(world)
    if who == "coordinator_other":
        user = make_user(
            "coordinator_jz",
            Role.COORDINATOR,
            pairing=Pairing.objects.get(code="jiaozhou-tongwei"),
        )
    elif who != "anonymous":
        user = request.getfixturevalue(who)
    if who != "anonymous":
        client.force_login(user)
    response = client.post(reverse("transport:roll_call_phone", args=[seat.pk]))
    expected = {"anonymous": 302, "official_a": 403, "hr_x": 403, "coordinator_other": 404}
    assert response.status_code == expected[who]
    assert not response.get("Location", "").startswith("tel:")
    assert not AuditEvent.objects.filter(action="worker.phone_call").exists()
