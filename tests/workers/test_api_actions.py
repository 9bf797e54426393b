"""The registry's page actions as endpoints: consent, withdrawal, status, bulk consent and the
decisions on QR-code signups — through the same services, with the one error body."""

import datetime as dt

import pytest
from django.utils import timezone

from laborbridge.models import Campaign, Occupation, Region
from tests.factories import ANDING, TONGWEI, WorkerFactory, make_id_number
from workers import services
from workers.models import ConsentMethod, ConsentStatus, SelfSignup, Worker, WorkerSource
from workers.signups import signup_submit

pytestmark = pytest.mark.django_db
API = "/api/v1"
CAMPAIGN = "2026-chunfeng-dingxi-qingdao"
CONSENT = {"given_on": "2026-01-02", "method": ConsentMethod.SIGNED_PAPER}


@pytest.fixture
def api(client, official_a):
    client.force_login(official_a)
    return client


def _post(api, url: str, body: dict | None = None):
    return api.post(url, body or {}, content_type="application/json")


def _error(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.content[:500]
    body = response.json()
    assert set(body) == {"code", "message", "fields"}, body
    if field:
        assert field in body["fields"], body
    return body


def _given(worker: Worker, official) -> Worker:
    services.worker_consent_record(
        actor=official,
        worker=worker,
        consent=services.ConsentInput(
            given_on=dt.date(2026, 1, 2), method=ConsentMethod.SIGNED_PAPER
        ),
    )
    worker.refresh_from_db()
    return worker


def _signup(county: str = ANDING, number: str | None = None) -> SelfSignup:
    welder = Occupation.objects.get(name_zh="焊工")
    return signup_submit(
        campaign=Campaign.objects.get(code=CAMPAIGN),
        name="扫码人",
        id_number=number or make_id_number(county),
        phone="13600000002",
        home_county=Region.objects.get(pk=county),
        wish_occupations=[welder],
        min_wage=4800,
        consented=True,
    )


class TestWorkerActions:
    def test_consent_then_withdrawal(self, api, official_a):
        worker = WorkerFactory()
        given = _post(api, f"{API}/workers/{worker.pk}/consent/", CONSENT)
        assert given.status_code == 200, given.json()
        assert given.json()["consent_status"] == ConsentStatus.GIVEN
        too_early = _post(
            api, f"{API}/workers/{worker.pk}/consent-withdrawal/", {"withdrawn_on": "2026-01-01"}
        )
        _error(too_early, 400, "withdrawn_on")
        today = timezone.localdate().isoformat()
        withdrawn = _post(
            api,
            f"{API}/workers/{worker.pk}/consent-withdrawal/",
            {"withdrawn_on": today, "reason": "本人电话要求"},
        )
        assert withdrawn.status_code == 200, withdrawn.json()
        assert withdrawn.json()["consent_status"] == ConsentStatus.WITHDRAWN
        consent = worker.consents.get()
        assert consent.withdrawn_by == official_a and consent.withdrawal_reason == "本人电话要求"
        again = _post(
            api, f"{API}/workers/{worker.pk}/consent-withdrawal/", {"withdrawn_on": today}
        )
        _error(again, 400)

    def test_status_moves_by_hand_only(self, api):
        worker = WorkerFactory()
        moved = _post(api, f"{API}/workers/{worker.pk}/status/", {"status": "withdrawn"})
        assert moved.status_code == 200 and moved.json()["status"] == "withdrawn"
        refused = _post(api, f"{API}/workers/{worker.pk}/status/", {"status": "employed"})
        body = _error(refused, 400, "status")
        assert "状态不能从" in body["message"]
        worker.refresh_from_db()
        assert worker.status == "withdrawn"

    def test_bulk_consent_counts_and_refuses_what_is_not_the_officials(
        self, api, official_a, django_assert_max_num_queries
    ):
        fresh, already = WorkerFactory(), _given(WorkerFactory(), official_a)
        elsewhere = WorkerFactory(home_county_id=TONGWEI)
        refused = _post(
            api, f"{API}/workers/consent-bulk/", {**CONSENT, "ids": [fresh.pk, elsewhere.pk]}
        )
        body = _error(refused, 400, "ids")
        assert str(elsewhere.pk) in body["message"]
        assert Worker.objects.get(pk=fresh.pk).consent_status == ConsentStatus.NONE
        with django_assert_max_num_queries(16):
            done = _post(
                api, f"{API}/workers/consent-bulk/", {**CONSENT, "ids": [fresh.pk, already.pk]}
            )
        assert done.json() == {"recorded": 1, "already_given": 1}
        assert Worker.objects.get(pk=fresh.pk).consent_status == ConsentStatus.GIVEN
        verbal = _post(
            api,
            f"{API}/workers/consent-bulk/",
            {"given_on": "2026-01-02", "method": ConsentMethod.WITNESSED_VERBAL, "ids": [fresh.pk]},
        )
        _error(verbal, 400, "consent_witness")

    def test_a_coordinator_reads_but_does_not_act(self, client, coordinator):
        worker = WorkerFactory()
        client.force_login(coordinator)
        assert client.get(f"{API}/workers/{worker.pk}/").status_code == 200
        for url, body in [
            (f"{API}/workers/{worker.pk}/consent/", CONSENT),
            (f"{API}/workers/{worker.pk}/status/", {"status": "withdrawn"}),
            (f"{API}/workers/consent-bulk/", {**CONSENT, "ids": [worker.pk]}),
            (f"{API}/signups/", None),
        ]:
            response = client.post(url, body, content_type="application/json") if body else None
            response = response or client.get(url)
            _error(response, 403)
        worker.refresh_from_db()
        assert worker.consent_status == ConsentStatus.NONE and worker.status == "registered"


class TestSignupDecisions:
    def test_the_queue_is_the_countys_masked_and_filtered(self, api, django_assert_max_num_queries):
        mine = _signup()
        _signup(TONGWEI)
        with django_assert_max_num_queries(8):
            rows = api.get(f"{API}/signups/", {"status": "pending"}).json()["results"]
        assert [row["id"] for row in rows] == [mine.pk]
        assert rows[0]["wish_occupations"] == [Occupation.objects.get(name_zh="焊工").code]
        assert rows[0]["id_number_masked"].count("*") == 8 and "id_number" not in rows[0]
        assert api.get(f"{API}/signups/", {"status": "rejected"}).json()["results"] == []
        _error(api.get(f"{API}/signups/", {"status": "nonsense"}), 400, "status")
        detail = api.get(f"{API}/signups/{mine.pk}/").json()
        assert detail["campaign"] == CAMPAIGN and detail["min_wage"] == 4800

    def test_verify_registers_a_worker_once(self, api, official_a):
        signup = _signup()
        verified = _post(api, f"{API}/signups/{signup.pk}/verify/")
        assert verified.status_code == 201, verified.json()
        worker = Worker.objects.get(pk=verified.json()["id"])
        assert worker.source == WorkerSource.SELF_SIGNUP and worker.min_wage == 4800
        assert worker.consent_status == ConsentStatus.GIVEN
        signup.refresh_from_db()
        assert signup.status == "verified" and signup.decided_by == official_a
        _error(_post(api, f"{API}/signups/{signup.pk}/verify/"), 400)

    def test_a_registered_person_is_merged_not_duplicated(self, api):
        number = make_id_number(ANDING)
        existing = WorkerFactory(id_number=number, phone="13900000009")
        signup = _signup(number=number)
        body = _error(_post(api, f"{API}/signups/{signup.pk}/verify/"), 400)
        assert "合并到已有记录" in body["message"]
        merged = _post(api, f"{API}/signups/{signup.pk}/merge/")
        assert merged.status_code == 200 and merged.json()["id"] == existing.pk
        existing.refresh_from_db()
        assert existing.reveal_phone() == "13600000002" and Worker.objects.count() == 1
        _error(_post(api, f"{API}/signups/{_signup().pk}/merge/"), 400)

    def test_reject_needs_a_reason(self, api):
        signup = _signup()
        _error(_post(api, f"{API}/signups/{signup.pk}/reject/", {"reason": " "}), 400, "reason")
        rejected = _post(api, f"{API}/signups/{signup.pk}/reject/", {"reason": "重复报名"})
        assert rejected.status_code == 200
        assert rejected.json()["status"] == "rejected"
        assert rejected.json()["rejection_reason"] == "重复报名"
