"""Self-signup by QR code: the public page, the county's queue, verify / merge / reject."""

import pytest
from django.urls import reverse

from laborbridge.models import Campaign, Occupation
from tests.factories import (
    ANDING,
    TONGWEI,
    EmployerFactory,
    VacancyFactory,
    WorkerFactory,
    make_id_number,
)
from workers import signup_views
from workers.models import ConsentMethod, ConsentStatus, SelfSignup, Worker, WorkerSource

pytestmark = pytest.mark.django_db
CAMPAIGN = "2026-chunfeng-dingxi-qingdao"


@pytest.fixture
def campaign():
    return Campaign.objects.get(code=CAMPAIGN)


def _form(number: str, county: str = TONGWEI, **extra) -> dict:
    return {
        "name": "马小花",
        "id_number": number,
        "phone": "13600000001",
        "home_county": county,
        "home_township": "",
        "consent": "on",
        "accepts_dormitory": "on",
        **extra,
    }


def test_public_page_lists_open_vacancies_without_employer_contact(client, campaign):
    employer = EmployerFactory(name="青岛保密电子有限公司", address="青岛市黄岛区保密路1号")
    VacancyFactory(employer=employer, campaign=campaign, title="电子装配工", wage_min=5200)
    VacancyFactory(employer=employer, campaign=campaign, title="草稿岗位", status="draft")
    body = client.get(reverse("workers_public:signup", args=[CAMPAIGN])).content.decode()
    assert "电子装配工" in body and "5200–6500" in body and "草稿岗位" not in body
    assert "保密路" not in body and "青岛保密电子" not in body
    assert "我同意县人力资源和社会保障局" in body  # the consent text is on the page


def test_signup_lands_as_pending_in_the_chosen_county(client, campaign):
    welder = Occupation.objects.get(name_zh="焊工")
    VacancyFactory(campaign=campaign, occupation=welder)
    number = make_id_number(TONGWEI)
    response = client.post(
        reverse("workers_public:signup", args=[CAMPAIGN]),
        _form(
            number,
            home_township="621121100",
            wish_occupations=[welder.pk],
            wish_cities=["370200"],
            min_wage="5000",
        ),
    )
    assert response.status_code == 302 and response["Location"].endswith("/signup/done/")
    signup = SelfSignup.objects.get()
    assert (signup.status, signup.home_county_id, signup.campaign) == ("pending", TONGWEI, campaign)
    assert signup.home_township_id == "621121100" and signup.wish_occupation_ids == [welder.pk]
    assert signup.id_number_masked.endswith(number[-4:]) and signup.reveal_id_number() == number
    assert not Worker.objects.exists()  # nothing is registered before the official checks


def test_the_answer_never_reveals_whether_an_id_number_exists(client, campaign):
    known = make_id_number(TONGWEI)
    WorkerFactory(home_county_id=TONGWEI, id_number=known)
    first = client.post(reverse("workers_public:signup", args=[CAMPAIGN]), _form(known))
    second = client.post(
        reverse("workers_public:signup", args=[CAMPAIGN]), _form(make_id_number(TONGWEI))
    )
    assert (first.status_code, first["Location"]) == (second.status_code, second["Location"])
    again = client.post(reverse("workers_public:signup", args=[CAMPAIGN]), _form(known))
    assert again["Location"] == first["Location"]
    assert SelfSignup.objects.count() == 2  # the repeat refreshed the pending one


def test_a_county_outside_the_campaign_and_missing_consent_are_refused(client):
    response = client.post(
        reverse("workers_public:signup", args=[CAMPAIGN]),
        {**_form(make_id_number("622901"), county="622901"), "consent": ""},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "请阅读并勾选同意" in body
    assert "home_county" in body and not SelfSignup.objects.exists()


def test_signups_are_rate_limited(client, monkeypatch):
    monkeypatch.setattr(signup_views, "SIGNUPS_PER_ADDRESS", 2)
    url = reverse("workers_public:signup", args=[CAMPAIGN])
    codes = [client.post(url, _form(make_id_number(TONGWEI))).status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    assert SelfSignup.objects.count() == 2


def test_poster_and_qr_code(client):
    svg = client.get(reverse("workers_public:poster", args=[CAMPAIGN]))
    assert svg["Content-Type"].startswith("image/svg+xml")
    body = svg.content.decode()
    assert "扫码报名" in body and f"/c/{CAMPAIGN}/signup/" in body and "<path" in body
    png = client.get(reverse("workers_public:qr", args=[CAMPAIGN]))
    assert png["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG")


def test_township_options_follow_the_county(client):
    body = client.get(
        reverse("workers_public:signup_townships", args=[CAMPAIGN]), {"home_county": ANDING}
    ).content.decode()
    assert "凤翔镇" in body
    outside = client.get(
        reverse("workers_public:signup_townships", args=[CAMPAIGN]), {"home_county": "622901"}
    ).content.decode()
    assert '<option value="6' not in outside


def _submit(campaign, county=ANDING, number=None):
    from workers.signups import signup_submit

    return signup_submit(
        campaign=campaign,
        name="扫码人",
        id_number=number or make_id_number(county),
        phone="13600000002",
        home_county=campaign.pairing.west_region.__class__.objects.get(pk=county),
        min_wage=4800,
        consented=True,
    )


def test_official_sees_only_their_countys_queue(client, official_a, campaign):
    _submit(campaign, ANDING)
    _submit(campaign, TONGWEI)
    client.force_login(official_a)
    body = client.get(reverse("workers:pending")).content.decode()
    assert body.count("扫码人") == 1


def test_verify_registers_a_worker_with_self_service_consent(client, official_a, campaign):
    signup = _submit(campaign)
    client.force_login(official_a)
    response = client.post(
        reverse("workers:pending_decide", args=[signup.pk]), {"decision": "verify"}
    )
    worker = Worker.objects.get()
    assert response["Location"] == reverse("workers:detail", args=[worker.pk])
    assert worker.source == WorkerSource.SELF_SIGNUP and worker.min_wage == 4800
    assert worker.consent_status == ConsentStatus.GIVEN
    assert worker.consents.get().method == ConsentMethod.SELF_SERVICE
    signup.refresh_from_db()
    assert (
        signup.status == "verified" and signup.worker == worker and signup.decided_by == official_a
    )


def test_a_signup_of_a_registered_person_is_merged_not_duplicated(client, official_a, campaign):
    number = make_id_number(ANDING)
    existing = WorkerFactory(id_number=number, phone="13900000009")
    signup = _submit(campaign, number=number)
    client.force_login(official_a)
    page = client.get(reverse("workers:pending_detail", args=[signup.pk])).content.decode()
    assert "合并到已有记录" in page
    refused = client.post(
        reverse("workers:pending_decide", args=[signup.pk]), {"decision": "verify"}, follow=True
    )
    assert "不能重复登记" in refused.content.decode()
    client.post(reverse("workers:pending_decide", args=[signup.pk]), {"decision": "merge"})
    existing.refresh_from_db()
    assert Worker.objects.count() == 1
    assert existing.reveal_phone() == "13600000002" and existing.min_wage == 4800
    assert existing.consent_status == ConsentStatus.GIVEN


def test_reject_needs_a_reason(client, official_a, campaign):
    signup = _submit(campaign)
    client.force_login(official_a)
    client.post(
        reverse("workers:pending_decide", args=[signup.pk]), {"decision": "reject", "reason": ""}
    )
    signup.refresh_from_db()
    assert signup.status == "pending"
    client.post(
        reverse("workers:pending_decide", args=[signup.pk]),
        {"decision": "reject", "reason": "重复报名"},
    )
    signup.refresh_from_db()
    assert signup.status == "rejected" and signup.rejection_reason == "重复报名"
