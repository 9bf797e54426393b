"""Another county's official, an HR user, another pairing's coordinator and an anonymous
visitor are refused everywhere.

Every page and API endpoint of the registry is tried with each of them against county A's
worker, signup and import job: nothing of A's is shown, nothing changes. Collection pages
an official of county B may use (the list, the import page) answer with B's own data only.
"""

import pytest
from django.urls import reverse

from laborbridge.models import AuditEvent, Campaign, Pairing, Role
from tests.factories import ANDING, WorkerFactory, make_id_number, make_user
from tests.imports.helpers import run_import, xlsx_bytes
from workers.models import ConsentStatus, SelfSignup, Worker
from workers.signups import signup_submit

pytestmark = pytest.mark.django_db

SECRET_NAME = "安定区甲某"


@pytest.fixture
def county_a(official_a, django_capture_on_commit_callbacks):
    worker = WorkerFactory(name=SECRET_NAME, home_county_id=ANDING)
    campaign = Campaign.objects.get(code="2026-chunfeng-dingxi-qingdao")
    signup = signup_submit(
        campaign=campaign,
        name="安定区报名人",
        id_number=make_id_number(ANDING),
        phone="13700000001",
        home_county=worker.home_county,
        consented=True,
    )
    data = xlsx_bytes([["姓名", "身份证号", "手机号"], ["导入人", "123", "13700000002"]])
    job = run_import(django_capture_on_commit_callbacks, official_a, data)
    return {"worker": worker, "signup": signup, "job": job}


def _pages(a):
    w, s, j = a["worker"].pk, a["signup"].pk, a["job"].pk
    return [
        ("get", reverse("workers:list"), "collection"),
        ("post", reverse("workers:list"), "collection"),
        ("get", reverse("workers:create"), "collection"),
        ("get", reverse("workers:detail", args=[w]), "object"),
        ("get", reverse("workers:edit", args=[w]), "object"),
        ("post", reverse("workers:edit", args=[w]), "object"),
        ("get", reverse("workers:reveal", args=[w]), "object"),
        ("post", reverse("workers:reveal", args=[w]), "object"),
        ("post", reverse("workers:consent", args=[w]), "object"),
        ("post", reverse("workers:consent_withdraw", args=[w]), "object"),
        ("post", reverse("workers:status", args=[w]), "object"),
        ("post", reverse("workers:bulk"), "collection"),
        ("post", reverse("workers:export"), "collection"),
        ("get", reverse("workers:pending"), "collection"),
        ("get", reverse("workers:pending_detail", args=[s]), "object"),
        ("post", reverse("workers:pending_decide", args=[s]), "object"),
        ("get", reverse("workers:campaigns"), "collection"),
        ("get", reverse("workers:import"), "collection"),
        ("get", reverse("workers:import_template"), "collection"),
        ("get", reverse("workers:import_job", args=[j]), "object"),
        ("get", reverse("workers:import_progress", args=[j]), "object"),
        ("post", reverse("workers:import_confirm", args=[j]), "object"),
        ("post", reverse("workers:import_cancel", args=[j]), "object"),
        ("get", reverse("workers:import_rejected", args=[j]), "object"),
        ("get", "/api/v1/workers/", "collection"),
        ("post", "/api/v1/workers/", "collection"),
        ("get", f"/api/v1/workers/{w}/", "object"),
        ("patch", f"/api/v1/workers/{w}/", "object"),
        ("put", f"/api/v1/workers/{w}/", "object"),
        ("post", "/api/v1/workers/search/", "collection"),
        ("post", f"/api/v1/workers/{w}/reveal-id-number/", "object"),
        ("post", "/api/v1/workers/export/", "collection"),
        ("post", f"/api/v1/workers/{w}/consent/", "object"),
        ("post", f"/api/v1/workers/{w}/consent-withdrawal/", "object"),
        ("post", f"/api/v1/workers/{w}/status/", "object"),
        ("post", "/api/v1/workers/consent-bulk/", "collection"),
        ("get", "/api/v1/signups/", "collection"),
        ("get", f"/api/v1/signups/{s}/", "object"),
        ("post", f"/api/v1/signups/{s}/verify/", "object"),
        ("post", f"/api/v1/signups/{s}/merge/", "object"),
        ("post", f"/api/v1/signups/{s}/reject/", "object"),
        ("get", "/api/v1/worker-imports/", "collection"),
        ("post", "/api/v1/worker-imports/", "collection"),
        ("get", f"/api/v1/worker-imports/{j}/", "object"),
        ("post", f"/api/v1/worker-imports/{j}/commit/", "object"),
        ("post", f"/api/v1/worker-imports/{j}/cancel/", "object"),
        ("get", f"/api/v1/worker-imports/{j}/rejected-rows/", "object"),
        ("get", "/api/v1/worker-imports/template/", "collection"),
    ]


# Bodies that would change something if the request were allowed.
_BODIES = {
    "consent-withdrawal": {"withdrawn_on": "2026-01-02"},
    "consent-bulk": {"given_on": "2026-01-02", "method": "signed_paper"},
    "consent": {"given_on": "2026-01-02", "method": "signed_paper", "scope": ["registry"]},
    "withdraw": {"withdrawn_on": "2026-01-02"},
    "status": {"status": "withdrawn"},
    "bulk": {
        "action": "consent",
        "consent-given_on": "2026-01-02",
        "consent-method": "signed_paper",
    },
    "decide": {"decision": "verify"},
    "reveal": {"reason": "好奇"},
}


def _body(url: str, a) -> dict:
    for key, body in _BODIES.items():
        if key in url or (key == "decide" and "pending" in url):
            return {**body, "worker": [a["worker"].pk], "ids": [a["worker"].pk]}
    return {
        "worker": [a["worker"].pk],
        "q": SECRET_NAME,
        "name": "改",
        "reason": "好奇",
        "query": "",
    }


def _call(client, method, url, a):
    if method == "get":
        return client.get(url)
    if url.startswith("/api/"):
        return getattr(client, method)(url, _body(url, a), content_type="application/json")
    return client.post(url, _body(url, a))


def _unchanged(a) -> None:
    worker = Worker.objects.get(pk=a["worker"].pk)
    assert worker.name == SECRET_NAME and worker.consent_status == ConsentStatus.NONE
    assert worker.status == "registered"
    assert SelfSignup.objects.get(pk=a["signup"].pk).status == SelfSignup.Status.PENDING
    assert a["job"].__class__.objects.get(pk=a["job"].pk).status == a["job"].status
    assert not AuditEvent.objects.filter(action__startswith="worker.reveal").exists()


@pytest.fixture
def coordinator_other(db):
    """A coordinator of another pairing (Qingdao–Longnan: same east, other west)."""
    pairing = Pairing.objects.get(east_region_id="370200", west_region_id="621200")
    return make_user("coordinator_other", Role.COORDINATOR, pairing=pairing)


@pytest.mark.parametrize("who", ["anonymous", "hr_x", "official_b", "coordinator_other"])
def test_every_page_and_endpoint_refuses_outsiders(request, client, county_a, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    for method, url, kind in _pages(county_a):
        response = _call(client, method, url, county_a)
        status = response.status_code
        where = f"{who} {method.upper()} {url} → {status}"
        if who == "anonymous":
            assert status in (302, 401, 403), where
            if status == 302:
                assert response["Location"].startswith("/accounts/login/"), where
        elif who == "hr_x" or kind == "object":
            assert status in (403, 404), where
        elif who == "coordinator_other":  # reads their own pairing's registry, writes nothing
            assert status in (200, 302, 403, 404), where
        else:  # another county's official on a collection: allowed, but only their county
            assert status in (200, 201, 202, 302, 400, 415), where
        body = (
            response.content.decode("utf-8", "replace")
            if response.get("Content-Type", "").startswith(("text", "application/json"))
            else ""
        )
        assert SECRET_NAME not in body and county_a["worker"].id_number_masked not in body, where
        _unchanged(county_a)
