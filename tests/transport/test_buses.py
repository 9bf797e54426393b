"""Feeder and arrival buses: the hired vehicle (licence plate) and its driver — recorded by
the coordinator on the plan review and the API, kept across re-planning, printed on the
manifests. Who may not: officials, HR, another pairing's coordinator, anonymous users."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from laborbridge.models import AuditEvent, Pairing, Role
from tests.factories import make_user
from tests.transport.conftest import plan_now
from transport import manifests
from transport.models import Bus, BusKind, Seat
from transport.services.buses import bus_update

pytestmark = pytest.mark.django_db
API = "/api/v1/transport/buses"


@pytest.fixture
def coordinator_other(db):
    return make_user(
        "coordinator_jz", Role.COORDINATOR, pairing=Pairing.objects.get(code="jiaozhou-tongwei")
    )


def _arrival_bus() -> Bus:
    return Bus.objects.filter(kind=BusKind.ARRIVAL).order_by("pk").first()


def _vehicles():
    return list(
        Bus.objects.order_by("pk").values_list("pk", "plate_number", "driver_name", "driver_phone")
    )


class TestService:
    def test_coordinator_records_plate_and_driver(self, coordinator, planned):
        bus = _arrival_bus()
        bus = bus_update(
            actor=coordinator,
            bus=bus,
            plate_number=" 鲁b·d 12345 ",
            driver_name=" 张师傅 ",
            driver_phone="+86 139-0532-0000",
        )
        bus.refresh_from_db()
        assert (bus.plate_number, bus.driver_name, bus.driver_phone) == (
            "鲁BD12345",
            "张师傅",
            "13905320000",
        )
        event = AuditEvent.objects.get(action="bus.update", target_id=str(bus.pk))
        assert event.changes["plate_number"] == ["", "鲁BD12345"]
        # Only the fields given change; an empty one clears it.
        bus_update(actor=coordinator, bus=bus, driver_phone="")
        bus.refresh_from_db()
        assert (bus.plate_number, bus.driver_phone) == ("鲁BD12345", "")

    def test_bad_values_are_named_and_nothing_changes(self, coordinator, planned):
        bus = _arrival_bus()
        before = _vehicles()
        with pytest.raises(ValidationError) as error:
            bus_update(
                actor=coordinator,
                bus=bus,
                plate_number="12345",
                driver_name="李师傅",
                driver_phone="0532-123",
            )
        assert set(error.value.message_dict) == {"plate_number", "driver_phone"}
        assert "车牌号格式不正确" in error.value.message_dict["plate_number"][0]
        assert _vehicles() == before
        assert not AuditEvent.objects.filter(action="bus.update").exists()

    @pytest.mark.parametrize("user", ["official_a", "official_b", "hr_x", "coordinator_other"])
    def test_others_cannot(self, request, user, planned):
        with pytest.raises(PermissionDenied):
            bus_update(
                actor=request.getfixturevalue(user), bus=_arrival_bus(), plate_number="甘J12345"
            )
        assert not Bus.objects.exclude(plate_number="").exists()

    def test_replanning_keeps_the_vehicle_of_the_same_bus(self, coordinator, planned, world):
        bus = _arrival_bus()
        identity = (bus.trip_id, bus.kind, bus.key, bus.vehicle_index)
        bus_update(actor=coordinator, bus=bus, plate_number="鲁B12345", driver_name="王师傅")
        plan_now(coordinator, world.campaign, params={"min_fill_special_train": 0}, seed=5)
        assert not Bus.objects.filter(pk=bus.pk).exists()  # rebuilt by the new run
        again = Bus.objects.get(
            trip_id=identity[0], kind=identity[1], key=identity[2], vehicle_index=identity[3]
        )
        assert (again.plate_number, again.driver_name) == ("鲁B12345", "王师傅")


class TestManifests:
    def test_bus_manifest_names_the_vehicle_and_driver(self, coordinator, planned):
        bus = bus_update(
            actor=coordinator,
            bus=_arrival_bus(),
            plate_number="鲁B12345",
            driver_name="张师傅",
            driver_phone="13905320000",
        )
        manifest = manifests.bus_manifest(bus)
        assert manifest.plate == "鲁B12345" and manifest.driver == "张师傅 13905320000"
        sheet = load_workbook(io.BytesIO(manifests.manifest_workbook(manifest))).active
        facts = {row[0]: row[1] for row in sheet.iter_rows(max_row=12, values_only=True)}
        assert facts["车牌号"] == "鲁B12345" and facts["司机"] == "张师傅 13905320000"

    def test_trip_manifest_says_which_bus_each_traveller_takes(self, coordinator, planned, world):
        bus = bus_update(actor=coordinator, bus=_arrival_bus(), plate_number="鲁B12345")
        riders = set(bus.riders.values_list("seat_id", flat=True))
        manifest = manifests.trip_manifest(world.train)
        for row in manifest.rows:
            assert row.feeder_bus.endswith("号车")
            assert ("鲁B12345" in row.arrival_bus) == (row.seat_id in riders)
        sheet = load_workbook(io.BytesIO(manifests.manifest_workbook(manifest))).active
        header = next(r for r in sheet.iter_rows(values_only=True) if r and r[0] == "序号")
        assert header[-2:] == ("送站车辆", "接站车辆")
        assert any("鲁B12345" in str(r[-1]) for r in sheet.iter_rows(values_only=True))

    def test_printed_manifests_show_them(self, client, coordinator, planned, world):
        bus = bus_update(
            actor=coordinator, bus=_arrival_bus(), plate_number="鲁B12345", driver_name="张师傅"
        )
        client.force_login(coordinator)
        body = client.get(reverse("transport:bus_manifest", args=[bus.pk])).content.decode()
        assert "鲁B12345" in body and "张师傅" in body
        body = client.get(
            reverse("transport:trip_manifest", args=[world.train.pk])
        ).content.decode()
        assert "接站车辆" in body and "鲁B12345" in body


class TestPage:
    def test_coordinator_sets_them_on_the_plan_review(
        self, client, coordinator, planned, query_count
    ):
        client.force_login(coordinator)
        url = reverse("transport:plan_detail", args=[planned.pk])
        with query_count(20):
            body = client.get(url).content.decode()
        bus = _arrival_bus()
        assert f'action="{reverse("transport:bus_update", args=[bus.pk])}"' in body
        response = client.post(
            reverse("transport:bus_update", args=[bus.pk]),
            {
                "plate_number": "鲁B·12345",
                "driver_name": "张师傅",
                "driver_phone": "13905320000",
                "next": url + f"#bus-{bus.pk}",
            },
        )
        assert response.status_code == 302 and response["Location"] == url + f"#bus-{bus.pk}"
        body = client.get(url).content.decode()
        assert "鲁B12345" in body and "张师傅" in body and "车辆信息已保存" in body

    def test_a_bad_plate_is_explained_and_nothing_is_saved(self, client, coordinator, planned):
        client.force_login(coordinator)
        bus = _arrival_bus()
        response = client.post(
            reverse("transport:bus_update", args=[bus.pk]),
            {"plate_number": "ABC", "driver_name": "张师傅", "next": "https://evil.example/"},
            follow=True,
        )
        assert "车牌号格式不正确" in response.content.decode()
        assert response.redirect_chain[0][0].startswith("/transport/trips/")  # not off-site
        assert _vehicles() == [(b, "", "", "") for b, *_rest in _vehicles()]


class TestApi:
    @pytest.fixture
    def api(self):
        return APIClient()

    def test_coordinator_patches_a_bus(self, api, coordinator, planned):
        bus = _arrival_bus()
        api.force_authenticate(coordinator)
        response = api.patch(
            f"{API}/{bus.pk}/",
            {"plate_number": "甘J·12345", "driver_name": "赵师傅", "driver_phone": "13919000002"},
            format="json",
        )
        assert response.status_code == 200
        assert response.json()["plate_number"] == "甘J12345"
        manifest = api.get(f"{API}/{bus.pk}/manifest/").json()
        assert manifest["plate"] == "甘J12345" and manifest["driver"] == "赵师傅 13919000002"
        rows = api.get(f"/api/v1/transport/trips/{bus.trip_id}/manifest/").json()["rows"]
        riders = set(bus.riders.values_list("seat__worker__name", flat=True))
        assert {r["name"] for r in rows if "甘J12345" in r["arrival_bus"]} == riders

    def test_bad_input_is_400_by_field(self, api, coordinator, planned):
        api.force_authenticate(coordinator)
        response = api.patch(
            f"{API}/{_arrival_bus().pk}/", {"plate_number": "x", "driver_phone": "1"}, format="json"
        )
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "invalid"
        assert {"plate_number", "driver_phone"} <= set(body["fields"])
        assert not Bus.objects.exclude(plate_number="").exists()

    def test_the_seat_list_is_unchanged_by_a_vehicle_edit(self, api, coordinator, planned):
        before = list(Seat.objects.order_by("pk").values_list("pk", "car_id", "row", "letter"))
        api.force_authenticate(coordinator)
        api.patch(f"{API}/{_arrival_bus().pk}/", {"plate_number": "甘J12345"}, format="json")
        assert list(Seat.objects.order_by("pk").values_list("pk", "car_id", "row", "letter")) == (
            before
        )
