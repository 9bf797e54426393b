"""Bus fares set in the UI: the plan's fare per feeder / arrival bus (plan form and plan
review), a trip's own bus fares (trip form) — and the cost totals per county and for the
campaign follow. Officials, HR, another pairing's coordinator and anonymous users may not."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from laborbridge.models import AuditEvent, Pairing, Role
from tests.factories import make_user
from tests.transport.conftest import plan_now
from transport import selectors
from transport.models import Bus, BusKind, TransportPlan
from transport.services.plans import plan_bus_fares_update
from transport.services.trips import trip_update

pytestmark = pytest.mark.django_db
OPEN_FILL = {"min_fill_special_train": 0}


@pytest.fixture
def coordinator_other(db):
    return make_user(
        "coordinator_jz", Role.COORDINATOR, pairing=Pairing.objects.get(code="jiaozhou-tongwei")
    )


def _buses(kind) -> int:
    return Bus.objects.filter(kind=kind).count()


def _county_sum(costs) -> float:
    return sum(row["value"] for row in costs["by_county"])


class TestPlanFares:
    def test_new_fares_change_the_totals_and_are_audited(self, coordinator, planned):
        before = selectors.plan_costs(planned)
        plan_bus_fares_update(
            actor=coordinator, plan=planned, feeder_bus_fare=2000, arrival_bus_fare=1000.5
        )
        planned.refresh_from_db()
        after = selectors.plan_costs(planned)
        expected = (2000 - 1500) * _buses(BusKind.FEEDER) + (1000.5 - 800) * _buses(BusKind.ARRIVAL)
        assert after["total"] == pytest.approx(before["total"] + expected)
        assert after["bus_fares"] == {"feeder_bus_fare": 2000, "arrival_bus_fare": 1000.5}
        assert _county_sum(after) == pytest.approx(after["total"], abs=len(after["by_county"]))
        assert _county_sum(after) > _county_sum(before)
        event = AuditEvent.objects.get(action="transport_plan.bus_fares")
        assert event.changes == {
            "feeder_bus_fare": [1500, 2000],
            "arrival_bus_fare": [800, 1000.5],
        }

    def test_bad_fares_are_named_and_nothing_changes(self, coordinator, planned):
        params = dict(planned.params)
        with pytest.raises(ValidationError) as error:
            plan_bus_fares_update(
                actor=coordinator, plan=planned, feeder_bus_fare=-1, arrival_bus_fare=10**7
            )
        assert set(error.value.message_dict) == {"feeder_bus_fare", "arrival_bus_fare"}
        assert "大巴费用应在" in error.value.message_dict["feeder_bus_fare"][0]
        planned.refresh_from_db()
        assert planned.params == params

    def test_a_superseded_plan_keeps_its_accounts(self, coordinator, planned, world):
        plan_now(coordinator, world.campaign, params=OPEN_FILL)
        planned.refresh_from_db()
        with pytest.raises(ValidationError) as error:
            plan_bus_fares_update(
                actor=coordinator, plan=planned, feeder_bus_fare=1, arrival_bus_fare=1
            )
        assert "当前方案" in error.value.messages[0]

    @pytest.mark.parametrize("user", ["official_a", "hr_x", "coordinator_other"])
    def test_others_cannot(self, request, user, planned):
        with pytest.raises(PermissionDenied):
            plan_bus_fares_update(
                actor=request.getfixturevalue(user),
                plan=planned,
                feeder_bus_fare=1,
                arrival_bus_fare=1,
            )
        planned.refresh_from_db()
        assert "feeder_bus_fare" not in planned.params or planned.params["feeder_bus_fare"] == 1500


class TestTripFares:
    def test_a_trips_own_bus_fare_wins_over_the_plans(self, coordinator, planned, world):
        before = selectors.plan_costs(planned)
        trip_update(actor=coordinator, trip=world.train, feeder_bus_fare=Decimal("3000"))
        after = selectors.plan_costs(planned)
        feeders = Bus.objects.filter(kind=BusKind.FEEDER, trip=world.train).count()
        assert after["total"] == pytest.approx(before["total"] + (3000 - 1500) * feeders)
        assert after["trip_bus_cost"][world.train.pk] == pytest.approx(
            3000 * feeders + 800 * Bus.objects.filter(kind=BusKind.ARRIVAL).count()
        )
        # Emptying it falls back to the plan's fare.
        trip_update(actor=coordinator, trip=world.train, feeder_bus_fare=None)
        assert selectors.plan_costs(planned)["total"] == pytest.approx(before["total"])

    def test_fare_changes_are_audited(self, coordinator, world):
        trip_update(
            actor=coordinator, trip=world.train, fare_per_seat=Decimal("400"), arrival_bus_fare=900
        )
        event = AuditEvent.objects.get(action="trip.update", target_id=str(world.train.pk))
        assert event.changes["fare_per_seat"] == ["380.00", "400"]
        assert event.changes["arrival_bus_fare"] == [None, "900"]

    def test_a_negative_trip_bus_fare_is_refused(self, coordinator, world):
        with pytest.raises(ValidationError) as error:
            trip_update(actor=coordinator, trip=world.train, arrival_bus_fare=-5)
        assert "arrival_bus_fare" in error.value.message_dict
        world.train.refresh_from_db()
        assert world.train.arrival_bus_fare is None


class TestPages:
    def test_plan_review_sets_fares_and_shows_the_new_totals(
        self, client, coordinator, planned, query_count
    ):
        client.force_login(coordinator)
        url = reverse("transport:plan_detail", args=[planned.pk])
        with query_count(20):
            body = client.get(url).content.decode()
        assert 'id="costs"' in body and 'name="feeder_bus_fare"' in body and 'value="1500"' in body
        response = client.post(
            reverse("transport:plan_fares", args=[planned.pk]),
            {"feeder_bus_fare": "2500", "arrival_bus_fare": "900"},
        )
        assert response["Location"] == url + "#costs"
        planned.refresh_from_db()
        assert planned.params["feeder_bus_fare"] == 2500
        costs = selectors.plan_costs(planned)
        body = client.get(url).content.decode()
        assert "费用合计已按新标准计算" in body and 'value="2500"' in body
        for row in costs["by_county"]:
            assert f"<td>{row['label']}</td><td>{row['value']}</td>" in body
        listing = client.get(reverse("transport:trip_list")).content.decode()
        assert f"合计 {costs['total']:.0f} 元" in listing

    def test_bad_fares_are_explained(self, client, coordinator, planned):
        client.force_login(coordinator)
        response = client.post(
            reverse("transport:plan_fares", args=[planned.pk]),
            {"feeder_bus_fare": "-3", "arrival_bus_fare": "abc"},
            follow=True,
        )
        assert response.status_code == 200 and 'class="error"' in response.content.decode()
        planned.refresh_from_db()
        assert planned.params["feeder_bus_fare"] == 1500

    def test_the_plan_form_carries_fares_into_the_next_run(
        self, client, coordinator, planned, world, eager_celery, django_capture_on_commit_callbacks
    ):
        plan_bus_fares_update(
            actor=coordinator, plan=planned, feeder_bus_fare=1800, arrival_bus_fare=700
        )
        client.force_login(coordinator)
        body = client.get(reverse("transport:trip_list")).content.decode()
        assert 'name="feeder_bus_fare"' in body and 'value="1800"' in body
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("transport:plan_run"),
                {
                    "campaign": world.campaign.pk,
                    "seed": 0,
                    "max_wait_days": 5,
                    "station_buffer_minutes": 90,
                    "feeder_bus_seats": 50,
                    "arrival_bus_seats": 50,
                    "min_fill_percent": 0,
                    "feeder_bus_fare": "1800",
                    "arrival_bus_fare": "650.5",
                },
            )
        plan = TransportPlan.objects.get(version=2)
        assert plan.params["feeder_bus_fare"] == 1800 and plan.params["arrival_bus_fare"] == 650.5

    def test_the_trip_form_sets_a_trips_bus_fares(self, client, coordinator, planned, world):
        from transport.forms import TripForm

        client.force_login(coordinator)
        data = {k: v for k, v in TripForm.initial_for(world.train).items() if v is not None}
        data.update(feeder_bus_fare="2600", arrival_bus_fare="")
        client.post(reverse("transport:trip_update", args=[world.train.pk]), data)
        world.train.refresh_from_db()
        assert (
            world.train.feeder_bus_fare == Decimal("2600") and world.train.arrival_bus_fare is None
        )
        body = client.get(reverse("transport:trip_detail", args=[world.train.pk])).content.decode()
        assert "2600" in body and "按方案标准" in body

    @pytest.mark.parametrize("user", ["official_a", "official_b", "hr_x", "hr_y"])
    def test_officials_and_hr_are_refused(self, client, request, user, planned):
        client.force_login(request.getfixturevalue(user))
        response = client.post(
            reverse("transport:plan_fares", args=[planned.pk]),
            {"feeder_bus_fare": "1", "arrival_bus_fare": "1"},
        )
        assert response.status_code == 403
        planned.refresh_from_db()
        assert planned.params["feeder_bus_fare"] == 1500

    def test_another_pairing_gets_404_and_anonymous_logs_in(
        self, client, coordinator_other, planned
    ):
        url = reverse("transport:plan_fares", args=[planned.pk])
        data = {"feeder_bus_fare": "1", "arrival_bus_fare": "1"}
        response = client.post(url, data)
        assert response.status_code == 302 and reverse("login") in response["Location"]
        client.force_login(coordinator_other)
        assert client.post(url, data).status_code == 404
        planned.refresh_from_db()
        assert planned.params["feeder_bus_fare"] == 1500


class TestApi:
    @pytest.fixture
    def api(self):
        return APIClient()

    def test_coordinator_sets_plan_and_trip_fares(self, api, coordinator, planned, world):
        api.force_authenticate(coordinator)
        response = api.post(
            f"/api/v1/transport/plans/{planned.pk}/fares/",
            {"feeder_bus_fare": "2000", "arrival_bus_fare": "1000"},
            format="json",
        )
        assert response.status_code == 200
        assert response.json()["bus_fares"] == {
            "feeder_bus_fare": 2000.0,
            "arrival_bus_fare": 1000.0,
        }
        assert response.json() == api.get(f"/api/v1/transport/plans/{planned.pk}/costs/").json()
        patched = api.patch(
            f"/api/v1/transport/trips/{world.train.pk}/", {"feeder_bus_fare": "2500"}, format="json"
        )
        assert patched.status_code == 200 and patched.json()["feeder_bus_fare"] == "2500.00"
        bad = api.post(
            f"/api/v1/transport/plans/{planned.pk}/fares/",
            {"feeder_bus_fare": "-1", "arrival_bus_fare": "1"},
            format="json",
        )
        assert bad.status_code == 400 and "feeder_bus_fare" in bad.json()["fields"]

    @pytest.mark.parametrize(
        "user", ["anonymous", "official_a", "official_b", "hr_x", "hr_y", "coordinator_other"]
    )
    def test_others_are_refused(self, api, request, user, planned):
        if user != "anonymous":
            api.force_authenticate(request.getfixturevalue(user))
        response = api.post(
            f"/api/v1/transport/plans/{planned.pk}/fares/",
            {"feeder_bus_fare": "1", "arrival_bus_fare": "1"},
            format="json",
        )
        assert response.status_code in (401, 403, 404)
        planned.refresh_from_db()
        assert planned.params["feeder_bus_fare"] == 1500
