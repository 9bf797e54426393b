import pytest
from django.core.management import call_command

from jobs.models import Employer, Vacancy, VacancyStatus
from laborbridge.identifiers import validate_credit_code
from laborbridge.models import User
from workers.models import Worker

pytestmark = pytest.mark.django_db


def _counts():
    return (
        Worker.objects.count(),
        Employer.objects.count(),
        Vacancy.objects.count(),
        User.objects.count(),
    )


def test_demo_runs_twice_without_errors_or_duplicates(capsys):
    call_command("demo", workers=150, employers=24, vacancies=60)
    first = _counts()
    # 60 vacancies asked for, plus the one closed vacancy the subsidy demo's self-travelling
    # workers went to.
    assert first[0] >= 145 and first[1] == 24 and first[2] == 60 + 1
    assert Vacancy.objects.filter(status=VacancyStatus.CLOSED).count() == 1
    call_command("demo", workers=150, employers=24, vacancies=60)
    assert _counts() == first
    out = capsys.readouterr().out
    for username in ["admin", "coordinator", "official_anding", "official_tongwei", "hr_qingdao"]:
        assert username in out


def test_demo_identifiers_are_valid_and_workers_are_in_dingxi():
    call_command("demo", workers=60, employers=12, vacancies=24)
    for employer in Employer.objects.all():
        validate_credit_code(employer.credit_code)
        assert employer.district_id.startswith("3702")
    assert all(
        code.startswith("6211") for code in Worker.objects.values_list("home_county_id", flat=True)
    )
    worker = Worker.objects.first()
    assert worker.reveal_id_number()[:6] == worker.home_county_id


def test_each_printed_login_works(client):
    from laborbridge.demo import DEMO_PASSWORD

    call_command("demo", workers=30, employers=12, vacancies=24)
    for username in ["admin", "coordinator", "official_anding", "hr_qingdao"]:
        # Through the sign-in form: the login lockout (django-axes) needs the request.
        response = client.post(
            "/accounts/login/", {"username": username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, username
        assert client.get("/").status_code == 200
        client.logout()


def test_every_demo_phone_passes_the_mobile_validator():
    import random

    from laborbridge.demo import _phone
    from laborbridge.identifiers import validate_mobile

    rng = random.Random(11)
    for _ in range(5000):
        phone = _phone(rng)
        assert validate_mobile(phone) == phone
    call_command("demo", workers=60, employers=12, vacancies=24)
    for worker in Worker.objects.all():
        phone = worker.reveal_phone()
        assert validate_mobile(phone) == phone, phone
