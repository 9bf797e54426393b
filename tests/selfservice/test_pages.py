"""The worker's own page (no login) and the staff's notice pages, with their refusals."""

import pytest
from django.test import Client
from django.urls import reverse

from placement.models import EmploymentEvent, EventKind
from selfservice import services, views
from selfservice.models import PersonalLink
from tests.selfservice.conftest import place, seat_for

pytestmark = pytest.mark.django_db


def _me(token, name="me"):
    return reverse(f"selfservice_public:{name}", args=[token])


def test_the_page_shows_the_job_trip_and_contacts_without_the_id_number(
    placed, official_a, hr_x, client
):
    hr_x.phone = "13700001111"
    hr_x.save()
    seat = seat_for(placed.match)
    _link, token = services.link_issue(actor=official_a, worker=placed.worker)
    response = client.get(_me(token))
    html = response.content.decode()
    assert response.status_code == 200
    worker = placed.worker
    assert worker.name in html and "电子装配工" in html and "春阳路88号" in html
    assert seat.label in html and "13800138000" in html and "13700001111" in html
    assert worker.reveal_id_number() not in html and worker.id_number_masked not in html
    assert "13912345678" not in html and worker.phone_masked in html
    assert (
        response["X-Robots-Tag"] == "noindex, nofollow" and "no-store" in response["Cache-Control"]
    )
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert PersonalLink.objects.get(worker=worker).open_count == 1


def test_the_link_shows_only_its_own_worker(placed, placed_tongwei, official_a, official_b, client):
    _link, token_a = services.link_issue(actor=official_a, worker=placed.worker)
    services.link_issue(actor=official_b, worker=placed_tongwei.worker)
    html = client.get(_me(token_a)).content.decode()
    assert placed.worker.name in html and placed_tongwei.worker.name not in html


def test_revoked_expired_and_unknown_links_are_refused(link_and_token, official_a, placed, client):
    _link, token = link_and_token
    assert client.get(_me("x" * 43)).status_code == 404
    services.link_revoke(actor=official_a, worker=placed.worker)
    for name in ("me", "job_change"):
        response = client.get(_me(token, name))
        assert response.status_code == 410
        assert placed.worker.name not in response.content.decode()
    assert client.post(_me(token, "at_work")).status_code == 410
    assert not EmploymentEvent.objects.exists()


def test_the_page_is_throttled_per_address(link_and_token, client, monkeypatch):
    monkeypatch.setattr(views, "OPENS_PER_ADDRESS", 2)
    _link, token = link_and_token
    assert [client.get(_me(token)).status_code for _ in range(3)] == [200, 200, 429]


def test_at_work_posts_need_csrf_and_record_once_a_day(link_and_token, placed):
    _link, token = link_and_token
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(_me(token, "at_work")).status_code == 403
    page = strict.get(_me(token))
    csrf = page.cookies["csrftoken"].value
    for _ in range(2):
        response = strict.post(_me(token, "at_work"), {"csrfmiddlewaretoken": csrf})
        assert response.status_code == 302 and response["Location"] == _me(token)
    assert EmploymentEvent.objects.filter(employment=placed, kind=EventKind.CONFIRMED).count() == 1
    assert "今天已确认在岗" in strict.get(_me(token)).content.decode()


def test_job_change_form_without_javascript(link_and_token, placed, client):
    _link, token = link_and_token
    page = client.get(_me(token, "job_change") + "?province=370000")
    assert page.status_code == 200 and "胶州市" in page.content.decode()
    bad = client.post(_me(token, "job_change"), {"province_code": "370000", "employer_name": ""})
    assert bad.status_code == 200 and not EmploymentEvent.objects.exists()
    response = client.post(
        _me(token, "job_change"),
        {
            "province_code": "370000",
            "employer_name": "胶州某服装厂",
            "workplace": "370281",
            "monthly_wage": "5200",
        },
    )
    assert response.status_code == 302
    event = EmploymentEvent.objects.get(employment=placed)
    assert event.kind == EventKind.JOB_CHANGE and event.workplace_id == "370281"


# --- staff: notices, links -----------------------------------------------------------------


def test_the_notice_prints_the_qr_code_only_when_it_issues_a_link(placed, official_a, client):
    seat_for(placed.match)
    client.force_login(official_a)
    url = reverse("selfservice:notice", args=[placed.worker.pk])
    page = client.get(url)
    assert page.status_code == 200 and "<svg" not in page.content.decode()
    assert "出行告知单" in page.content.decode() and "G2096" in page.content.decode()
    response = client.post(url)
    html = response.content.decode()
    assert response.status_code == 200 and "<svg" in html and "data:" not in html
    link = PersonalLink.objects.get(worker=placed.worker, revoked_at=None)
    token = html.split("/me/", 1)[1].split("/", 1)[0]
    assert services.token_hash(token) == link.token_hash
    assert "no-store" in response["Cache-Control"]


def test_staff_pages_refuse_others(
    placed, official_b, hr_x, coordinator, coordinator_other, liaison, liaison_longnan, client
):
    seat = seat_for(placed.match)
    worker = placed.worker
    urls = [
        ("get", reverse("selfservice:notice", args=[worker.pk])),
        ("post", reverse("selfservice:notice", args=[worker.pk])),
        ("post", reverse("selfservice:link_revoke", args=[worker.pk])),
        ("get", reverse("selfservice:trip_notices", args=[seat.trip_id])),
        ("post", reverse("selfservice:trip_notices", args=[seat.trip_id])),
    ]
    for method, url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    # A liaison — even the one of the worker's workplace — issues no links and prints no
    # notices: that is the western side's (officials) and the coordinator's work.
    refused = (
        (official_b, 404),
        (coordinator_other, 404),
        (hr_x, 403),
        (liaison, 403),
        (liaison_longnan, 403),
    )
    for user, status in refused:
        client.force_login(user)
        for method, url in urls:
            assert getattr(client, method)(url).status_code == status, (user, url)
    assert not PersonalLink.objects.exists()
    client.force_login(coordinator)
    assert client.get(urls[0][1]).status_code == 200


def test_the_trip_batch_prints_one_notice_per_traveller(employer_x, coordinator, client):
    worker, match, _employment = place(employer_x, employed=False)
    seat = seat_for(match)
    url = reverse("selfservice:trip_notices", args=[seat.trip_id])
    client.force_login(coordinator)
    listing = client.get(url)
    assert listing.status_code == 200 and worker.name in listing.content.decode()
    html = client.post(url, {"car": "3"}).content.decode()
    assert html.count('class="notice-sheet"') == 1 and html.count("<svg") == 1
    assert PersonalLink.objects.filter(worker=worker, revoked_at=None).count() == 1


def test_the_worker_page_shows_no_link_section_to_a_liaison(
    link_and_token, placed, liaison, client
):
    client.force_login(liaison)
    page = client.get(reverse("workers:detail", args=[placed.worker.pk]))
    assert page.status_code == 200  # the liaison sees the worker, not the link
    assert "个人链接与出行告知单" not in page.content.decode()


def test_the_worker_page_section_revokes_the_link(link_and_token, placed, official_a, client):
    client.force_login(official_a)
    page = client.get(reverse("workers:detail", args=[placed.worker.pk]))
    assert "个人链接与出行告知单" in page.content.decode()
    response = client.post(reverse("selfservice:link_revoke", args=[placed.worker.pk]))
    assert response.status_code == 302
    assert not PersonalLink.objects.filter(revoked_at=None).exists()
