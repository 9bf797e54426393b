"""Factories shared by the test suite: valid-checksum identifiers and scoped users."""

import datetime as dt
import itertools

import factory

from jobs.models import Employer, Industry, Vacancy, VacancyStatus, VerificationStatus
from laborbridge.identifiers import credit_code_check_char, id_number_check_char
from laborbridge.models import Occupation, Region, Role, User
from workers.models import PovertyStatus, Worker

ANDING, TONGWEI, LONGXI = "621102", "621121", "621122"
# Two townships of Anding (乡镇劳务专干 permission tests): 凤翔镇 and 内官营镇.
FENGXIANG, NEIGUANYING = "621102101", "621102102"
QINGDAO, HUANGDAO, JIAOZHOU, CHENGYANG = "370200", "370211", "370281", "370214"
PASSWORD = "correct-horse-battery"

_serial = itertools.count(1)


def make_id_number(
    county: str = ANDING, born: dt.date = dt.date(1990, 5, 17), serial: int | None = None
) -> str:
    """Return a valid-checksum resident ID number, unique per call unless ``serial`` is given."""
    seq = next(_serial) if serial is None else serial
    body = f"{county}{born:%Y%m%d}{seq % 1000:03d}"
    if serial is None and seq >= 1000:
        born = born + dt.timedelta(days=seq // 1000)
        body = f"{county}{born:%Y%m%d}{seq % 1000:03d}"
    return body + id_number_check_char(body)


def make_credit_code(district: str = HUANGDAO) -> str:
    body = f"91{district}{next(_serial):09d}"
    return body + credit_code_check_char(body)


class WorkerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Worker

    name = factory.Sequence(lambda n: f"测试{n}")
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    home_county_id = ANDING
    poverty_status = PovertyStatus.NONE

    @classmethod
    def _create(cls, model_class, *args, id_number=None, **kwargs):
        worker = model_class(*args, **kwargs)
        worker.set_id_number(id_number or make_id_number(worker.home_county_id))
        worker.save()
        return worker


class EmployerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employer

    name = factory.Sequence(lambda n: f"青岛测试{n}制造有限公司")
    credit_code = factory.LazyAttribute(lambda o: make_credit_code(o.district_id))
    city_id = QINGDAO
    district_id = HUANGDAO
    industry = Industry.MANUFACTURING
    verification_status = VerificationStatus.VERIFIED


class VacancyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vacancy

    employer = factory.SubFactory(EmployerFactory)
    occupation = factory.LazyFunction(lambda: Occupation.objects.order_by("code").first())
    title = "普工"
    headcount = 10
    wage_min = 5000
    wage_max = 6500
    district_id = factory.SelfAttribute("employer.district_id")
    start_date = dt.date(2026, 3, 1)
    status = VacancyStatus.OPEN


def make_user(username: str, role: str = "", **scope) -> User:
    user = User(username=username, role=role, **scope)
    user.set_password(PASSWORD)
    user.save()
    return user


def region(code: str) -> Region:
    return Region.objects.get(pk=code)


def place_worker(employer, *, county: str = ANDING, started_on: dt.date = dt.date(2026, 6, 1)):
    """Return a placed worker's employment record as the gate check-in opens it (a hired
    match of a new worker of ``county`` at ``employer``)."""
    from matching.models import Match, MatchStatus
    from workers.models import Employment

    vacancy = VacancyFactory(employer=employer)
    worker = WorkerFactory(home_county_id=county)
    match = Match.objects.create(worker=worker, vacancy=vacancy, status=MatchStatus.HIRED)
    return Employment.objects.create(
        worker=worker, employer=employer, vacancy=vacancy, match=match, started_on=started_on
    )


__all__ = ["ANDING", "TONGWEI", "Role"]
