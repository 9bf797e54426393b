"""Pickup points: add, edit (with a township), remove — the service, the pages and the API,
and who may do it: a coordinator for the pairing's western counties, an official for their
own county; an official of another county, HR and anonymous users are refused."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from laborbridge.models import AuditEvent, Pairing, Region, Role
from tests.factories import ANDING, TONGWEI, make_user
from tests.transport.conftest import plan_now
from transport.inputs import plan_inputs_load
from transport.models import BusRider, PickupPoint, Seat
from transport.services.boarding import seat_check_in
from transport.services.pickup_points import (
    pickup_point_create,
    pickup_point_remove,
    pickup_point_update,
)
from transport.services.plans import plan_confirm

pytestmark = pytest.mark.django_db
API = "/api/v1/transport/pickup-points"
FENGXIANG = "621102101"  # 凤翔镇, a township of Anding
PINGXIANG = "621121100"  # 平襄镇, a township of Tongwei
OPEN_FILL = {"min_fill_special_train": 0}


@pytest.fixture
def coordinator_other(db):
    """The coordinator of another pairing (Jiaozhou ↔ Tongwei)."""
    return make_user(
        "coordinator_jz", Role.COORDINATOR, pairing=Pairing.objects.get(code="jiaozhou-tongwei")
    )


def _anding_default() -> PickupPoint:
    return PickupPoint.objects.get(county_id=ANDING, is_default=True)


def _new_point(actor, name="凤翔镇集合点", township=FENGXIANG, **values) -> PickupPoint:
    return pickup_point_create(
        actor=actor,
        county=Region.objects.get(pk=ANDING),
        township=Region.objects.get(pk=township) if township else None,
        name=name,
        latitude=values.pop("latitude", 35.62),
        longitude=values.pop("longitude", 104.55),
        **values,
    )


def _snapshot():
    return list(
        PickupPoint.objects.order_by("pk").values_list(
            "pk", "name", "township_id", "is_default", "is_active", "latitude"
        )
    )


class TestServices:
    def test_official_adds_a_township_point_in_their_county(self, official_a, world):
        point = _new_point(official_a, address=" 凤翔镇政府门前 ")
        assert point.township_id == FENGXIANG and point.address == "凤翔镇政府门前"
        event = AuditEvent.objects.get(action="pickup_point.create", target_id=str(point.pk))
        assert event.changes["township"] == FENGXIANG

    def test_bad_values_are_named_and_nothing_is_written(self, coordinator, world):
        before = _snapshot()
        with pytest.raises(ValidationError) as error:
            _new_point(coordinator, name=" ", township=PINGXIANG, latitude=95)
        assert set(error.value.message_dict) == {"name", "township", "latitude"}
        assert "乡镇不属于" in error.value.message_dict["township"][0]
        with pytest.raises(ValidationError) as error:
            _new_point(coordinator, name=_anding_default().name, township=None)
        assert "已有名为" in error.value.message_dict["name"][0]
        assert _snapshot() == before

    @pytest.mark.parametrize("user", ["official_b", "hr_x", "coordinator_other"])
    def test_others_cannot_add_edit_or_remove_in_anding(self, request, user, world):
        actor = request.getfixturevalue(user)
        before = _snapshot()
        with pytest.raises(PermissionDenied):
            _new_point(actor)
        with pytest.raises(PermissionDenied):
            pickup_point_update(actor=actor, point=_anding_default(), name="改名")
        with pytest.raises(PermissionDenied):
            pickup_point_remove(actor=actor, point=_anding_default())
        assert _snapshot() == before

    def test_edit_moves_the_default_and_is_audited(self, official_a, world):
        old_default = _anding_default()
        point = _new_point(official_a)
        pickup_point_update(
            actor=official_a, point=point, name="凤翔镇 新集合点", is_default=True, township=None
        )
        point.refresh_from_db()
        assert point.name == "凤翔镇 新集合点" and point.is_default and point.township is None
        assert not PickupPoint.objects.get(pk=old_default.pk).is_default
        event = AuditEvent.objects.get(action="pickup_point.update", target_id=str(point.pk))
        assert event.changes["name"] == ["凤翔镇集合点", "凤翔镇 新集合点"]
        assert event.changes["township"] == [FENGXIANG, None]

    def test_edit_refuses_a_township_of_another_county(self, official_a, world):
        point = _new_point(official_a)
        with pytest.raises(ValidationError) as error:
            pickup_point_update(
                actor=official_a,
                point=point,
                name="改了名",
                township=Region.objects.get(pk=PINGXIANG),
            )
        assert "township" in error.value.message_dict
        point.refresh_from_db()
        assert point.name == "凤翔镇集合点" and point.township_id == FENGXIANG

    def test_an_unused_point_is_deleted(self, coordinator, world):
        point = _new_point(coordinator)
        assert pickup_point_remove(actor=coordinator, point=point) == "deleted"
        assert not PickupPoint.objects.filter(pk=point.pk).exists()
        assert AuditEvent.objects.filter(action="pickup_point.delete").exists()

    @pytest.mark.parametrize("confirm", [False, True], ids=["draft", "confirmed"])
    def test_a_point_journeys_start_at_is_not_removed(self, coordinator, world, confirm):
        plan = plan_now(coordinator, world.campaign, params=OPEN_FILL)
        if confirm:
            plan_confirm(actor=coordinator, plan=plan)
        point = _anding_default()
        before = _snapshot()
        with pytest.raises(ValidationError) as error:
            pickup_point_remove(actor=coordinator, point=point)
        message = error.value.messages[0]
        anding = sum(1 for w in world.workers if w.home_county_id == ANDING)
        assert "不能删除" in message and "G2096" in message and f"{anding} 人" in message
        assert _snapshot() == before
        assert not AuditEvent.objects.filter(action__startswith="pickup_point.d").exists()

    def test_a_point_past_journeys_used_is_deactivated_and_no_longer_planned(
        self, coordinator, hr_x, hr_y, planned, world
    ):
        point = _anding_default()
        riders = BusRider.objects.filter(pickup_point=point)
        assert riders.exists()
        for seat in Seat.objects.filter(bus_rides__in=riders).select_related("match__vacancy"):
            hr = hr_x if seat.match.vacancy.employer_id == hr_x.employer_id else hr_y
            seat_check_in(actor=hr, seat=seat, confirm_not_roll_called=True)  # arrived
        assert pickup_point_remove(actor=coordinator, point=point) == "deactivated"
        point.refresh_from_db()
        assert not point.is_active and not point.is_default
        assert BusRider.objects.filter(pickup_point=point).count() == riders.count()
        assert AuditEvent.objects.filter(action="pickup_point.deactivate").exists()
        ids = {p.id for p in plan_inputs_load(campaign=world.campaign).pickup_points}
        assert f"p{point.pk}" not in ids
        # The name is free again, and the deactivated point can no longer be edited.
        _new_point(coordinator, name=point.name, township=None)
        with pytest.raises(ValidationError):
            pickup_point_update(actor=coordinator, point=point, name="复活")

    def test_the_planner_collects_a_township_from_its_own_point(self, coordinator, world):
        point = _new_point(coordinator)
        worker = next(w for w in world.workers if w.home_county_id == ANDING)
        type(worker).objects.filter(pk=worker.pk).update(home_township_id=FENGXIANG)
        plan_now(coordinator, world.campaign, params=OPEN_FILL)
        ride = BusRider.objects.get(seat__worker=worker, kind="feeder")
        assert ride.pickup_point_id == point.pk and ride.stop_time is not None
        others = BusRider.objects.filter(kind="feeder", seat__worker__home_county_id=ANDING)
        assert set(others.exclude(seat__worker=worker).values_list("pickup_point", flat=True)) == {
            _anding_default().pk
        }


class TestPages:
    def test_coordinator_adds_a_point_with_a_township(self, client, coordinator, world):
        client.force_login(coordinator)
        body = client.get(reverse("transport:pickup_points")).content.decode()
        assert "凤翔镇" in body and "平襄镇" in body  # Anding and Tongwei are both Dingxi's
        response = client.post(
            reverse("transport:pickup_points"),
            {
                "county": ANDING,
                "township": FENGXIANG,
                "name": "凤翔镇集合点",
                "latitude": 35.6,
                "longitude": 104.6,
            },
        )
        assert response.status_code == 302
        point = PickupPoint.objects.get(name="凤翔镇集合点")
        assert point.township_id == FENGXIANG and point.county_id == ANDING
        body = client.get(reverse("transport:pickup_points")).content.decode()
        assert "凤翔镇集合点" in body

    def test_a_township_of_another_county_is_refused(self, client, coordinator, world):
        client.force_login(coordinator)
        body = client.post(
            reverse("transport:pickup_points"),
            {
                "county": ANDING,
                "township": PINGXIANG,
                "name": "越界集合点",
                "latitude": 35.6,
                "longitude": 104.6,
            },
        ).content.decode()
        assert "乡镇不属于所选县区" in body
        assert not PickupPoint.objects.filter(name="越界集合点").exists()

    def test_official_manages_only_their_county(self, client, official_a, world):
        client.force_login(official_a)
        body = client.get(reverse("transport:pickup_points")).content.decode()
        assert "安定区集合点" in body and "通渭县集合点" not in body
        assert "凤翔镇" in body and "平襄镇" not in body  # townships of their county only
        # The county is fixed to theirs whatever is posted.
        client.post(
            reverse("transport:pickup_points"),
            {"county": TONGWEI, "name": "本县新集合点", "latitude": 35.6, "longitude": 104.6},
        )
        assert PickupPoint.objects.get(name="本县新集合点").county_id == ANDING

    def test_edit_and_remove(self, client, official_a, world):
        point = _new_point(official_a)
        client.force_login(official_a)
        url = reverse("transport:pickup_point_update", args=[point.pk])
        assert "凤翔镇集合点" in client.get(url).content.decode()
        response = client.post(
            url,
            {
                "township": "",
                "name": "凤翔镇 东集合点",
                "address": "凤翔镇东街",
                "latitude": 35.61,
                "longitude": 104.62,
            },
        )
        assert response.status_code == 302
        point.refresh_from_db()
        assert (point.name, point.township_id, point.address) == (
            "凤翔镇 东集合点",
            None,
            "凤翔镇东街",
        )
        response = client.post(
            reverse("transport:pickup_point_remove", args=[point.pk]), follow=True
        )
        assert "已删除" in response.content.decode()
        assert not PickupPoint.objects.filter(pk=point.pk).exists()

    def test_removing_a_point_in_use_says_why(self, client, coordinator, planned, world):
        point = _anding_default()
        client.force_login(coordinator)
        response = client.post(
            reverse("transport:pickup_point_remove", args=[point.pk]), follow=True
        )
        body = response.content.decode()
        assert "不能删除" in body and "G2096" in body
        assert PickupPoint.objects.get(pk=point.pk).is_active

    def test_editing_a_point_in_use_warns_that_planned_buses_stay(
        self, client, coordinator, planned, world
    ):
        point = _anding_default()
        client.force_login(coordinator)
        response = client.post(
            reverse("transport:pickup_point_update", args=[point.pk]),
            {
                "name": point.name,
                "address": "新地址",
                "latitude": point.latitude,
                "longitude": point.longitude,
                "is_default": "on",
            },
            follow=True,
        )
        assert "重新规划后按新的位置安排" in response.content.decode()
        assert PickupPoint.objects.get(pk=point.pk).address == "新地址"

    @pytest.mark.parametrize("user", ["official_b", "coordinator_other"])
    def test_official_of_another_county_and_other_pairing_get_404(
        self, client, request, user, world
    ):
        point = _anding_default()
        client.force_login(request.getfixturevalue(user))
        before = _snapshot()
        url = reverse("transport:pickup_point_update", args=[point.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"name": "改名", "latitude": 1, "longitude": 1}).status_code == 404
        remove = reverse("transport:pickup_point_remove", args=[point.pk])
        assert client.post(remove).status_code == 404
        assert "安定区集合点" not in client.get(reverse("transport:pickup_points")).content.decode()
        assert _snapshot() == before

    def test_hr_is_refused(self, client, hr_x, world):
        point = _anding_default()
        client.force_login(hr_x)
        before = _snapshot()
        assert client.get(reverse("transport:pickup_points")).status_code == 403
        assert (
            client.post(
                reverse("transport:pickup_points"),
                {"county": ANDING, "name": "HR点", "latitude": 35.6, "longitude": 104.6},
            ).status_code
            == 403
        )
        assert (
            client.get(reverse("transport:pickup_point_update", args=[point.pk])).status_code == 403
        )
        assert (
            client.post(reverse("transport:pickup_point_remove", args=[point.pk])).status_code
            == 403
        )
        assert _snapshot() == before

    def test_anonymous_is_sent_to_login(self, client, world):
        point = _anding_default()
        for method, url in (
            ("get", reverse("transport:pickup_points")),
            ("post", reverse("transport:pickup_points")),
            ("get", reverse("transport:pickup_point_update", args=[point.pk])),
            ("post", reverse("transport:pickup_point_remove", args=[point.pk])),
        ):
            response = getattr(client, method)(url)
            assert response.status_code == 302 and reverse("login") in response["Location"]
        assert PickupPoint.objects.get(pk=point.pk).is_active


class TestApi:
    @pytest.fixture
    def api(self):
        return APIClient()

    def test_lists_are_scoped(self, api, official_a, hr_x, coordinator, world):
        api.force_authenticate(official_a)
        counties = {row["county"] for row in api.get(f"{API}/").json()["results"]}
        assert counties == {ANDING}
        api.force_authenticate(coordinator)
        assert len(api.get(f"{API}/").json()["results"]) == 7  # Dingxi's seven counties
        api.force_authenticate(hr_x)
        assert api.get(f"{API}/").json()["results"] == []

    def test_official_creates_edits_and_deletes(self, api, official_a, world):
        api.force_authenticate(official_a)
        created = api.post(
            f"{API}/",
            {
                "county": ANDING,
                "township": FENGXIANG,
                "name": "凤翔镇集合点",
                "latitude": 35.6,
                "longitude": 104.6,
            },
            format="json",
        )
        assert created.status_code == 201, created.json()
        assert created.json()["township_name"] == "凤翔镇"
        pk = created.json()["id"]
        patched = api.patch(f"{API}/{pk}/", {"township": None, "name": "全县东点"}, format="json")
        assert patched.status_code == 200 and patched.json()["township"] is None
        removed = api.delete(f"{API}/{pk}/")
        assert removed.status_code == 200 and removed.json()["outcome"] == "deleted"

    def test_bad_input_is_400_with_the_field(self, api, official_a, world):
        api.force_authenticate(official_a)
        response = api.post(
            f"{API}/",
            {
                "county": ANDING,
                "township": PINGXIANG,
                "name": "越界",
                "latitude": 35.6,
                "longitude": 104.6,
            },
            format="json",
        )
        assert (
            response.status_code == 400 and "乡镇不属于" in response.json()["fields"]["township"][0]
        )
        assert not PickupPoint.objects.filter(name="越界").exists()

    def test_deleting_a_point_in_use_is_400(self, api, coordinator, planned, world):
        point = _anding_default()
        api.force_authenticate(coordinator)
        response = api.delete(f"{API}/{point.pk}/")
        assert response.status_code == 400 and "不能删除" in response.json()["message"]
        assert PickupPoint.objects.get(pk=point.pk).is_active

    @pytest.mark.parametrize("user", ["anonymous", "official_b", "hr_x", "coordinator_other"])
    def test_others_are_refused(self, api, request, user, world):
        if user != "anonymous":
            api.force_authenticate(request.getfixturevalue(user))
        point = _anding_default()
        before = _snapshot()
        body = {"county": ANDING, "name": "越界", "latitude": 35.6, "longitude": 104.6}
        assert api.post(f"{API}/", body, format="json").status_code in (401, 403)
        assert api.get(f"{API}/{point.pk}/").status_code in (401, 403, 404)
        patch = api.patch(f"{API}/{point.pk}/", {"name": "改名"}, format="json")
        assert patch.status_code in (401, 403, 404)
        assert api.delete(f"{API}/{point.pk}/").status_code in (401, 403, 404)
        assert _snapshot() == before
