"""The round's loaders: every array equals what the workers' and vacancies' rows say, field
by field.

``matching.inputs._load_workers`` (and ``_load_vacancies``) read numeric columns in bulk (``COPY … CSV`` parsed by numpy
on PostgreSQL); this compares its arrays with the same values computed here, one worker at a
time, from model instances — NULLs, booleans, leap-day birthdays, expired certificates, child
rows of workers outside the market and workers with no child rows at all included.
"""

import datetime as dt

import numpy as np
import pytest

from jobs.models import Vacancy
from laborbridge.models import CertificateType, LaborBrand, Occupation
from matching.engine.inputs import EDUCATION_UNKNOWN, NO_LIMIT_AGE, NO_START
from matching.inputs import _load_vacancies, _load_workers
from matching.models import Match, MatchRound
from tests.factories import ANDING, TONGWEI, WorkerFactory
from tests.matching import scenario
from workers.models import (
    EDUCATION_LEVEL,
    TravelGroup,
    WishCity,
    WishOccupation,
    Worker,
    WorkerCertificate,
    WorkerSkill,
)

pytestmark = pytest.mark.django_db

POVERTY = {"none": 0, "poverty_alleviated": 1, "monitored": 2}


def _expected(worker: Worker, day: dt.date) -> dict:
    born = worker.birth_date
    county = worker.home_county
    return {
        "age": day.year - born.year - ((day.month, day.day) < (born.month, born.day)),
        "home_region": int(worker.home_county_id),
        "lat": county.latitude or 0.0,
        "lng": county.longitude or 0.0,
        "poverty": POVERTY[worker.poverty_status],
        "labor_brand": worker.labor_brand_id if worker.labor_brand_id is not None else -1,
        "min_wage": worker.min_wage or 0,
        "earliest_departure": (
            worker.earliest_departure.toordinal() if worker.earliest_departure else 0
        ),
        "accepts_dormitory": worker.accepts_dormitory,
        "accepts_shift_work": worker.accepts_shift_work,
        "travel_group": worker.travel_group_id if worker.travel_group_id is not None else -1,
        "education": EDUCATION_LEVEL.get(worker.education, EDUCATION_UNKNOWN),
        "skills": [
            (s.occupation_id, s.level, s.years)
            for s in WorkerSkill.objects.filter(worker=worker).order_by("pk")
        ],
        "certificates": sorted(
            c.certificate_type_id
            for c in WorkerCertificate.objects.filter(worker=worker)
            if c.expires_on is None or c.expires_on >= day
        ),
        "cities": [
            int(c.region_id) for c in WishCity.objects.filter(worker=worker).order_by("rank")
        ],
        "occupations": [
            o.occupation_id for o in WishOccupation.objects.filter(worker=worker).order_by("rank")
        ],
    }


def _row(arrays, i: int, field: str, ptr: str, *columns: str):
    lo, hi = int(getattr(arrays, ptr)[i]), int(getattr(arrays, ptr)[i + 1])
    values = [getattr(arrays, c)[lo:hi].tolist() for c in columns]
    return list(zip(*values, strict=True)) if len(values) > 1 else values[0]


def test_loaded_arrays_equal_the_rows(coordinator):
    world = scenario.build(workers=4, headcounts=(2,))
    round_ = MatchRound.objects.create(campaign=world.campaign, created_by=coordinator)
    day = round_.campaign.starts_on
    occupations = list(Occupation.objects.order_by("code")[:3])
    certificate_types = list(CertificateType.objects.order_by("code")[:2])
    brand = LaborBrand.objects.order_by("code").first()
    group = TravelGroup.objects.create(home_county_id=TONGWEI, name="一家")
    leap = WorkerFactory(home_county_id=ANDING)
    # Born on 29 February: a year older only from 1 March in a common year.
    Worker.objects.filter(pk=leap.pk).update(birth_date=dt.date(2000, 2, 29))
    birthday = WorkerFactory(home_county_id=TONGWEI)
    Worker.objects.filter(pk=birthday.pk).update(birth_date=day.replace(year=1995))
    Worker.objects.filter(pk__in=[leap.pk, birthday.pk]).update(consent_status="given")
    detailed, plain = world.workers[0], world.workers[1]
    Worker.objects.filter(pk=detailed.pk).update(
        labor_brand=brand,
        travel_group=group,
        min_wage=None,
        earliest_departure=dt.date(2026, 2, 28),
        accepts_dormitory=False,
        accepts_shift_work=False,
        education="vocational",
        poverty_status="monitored",
    )
    Worker.objects.filter(pk=plain.pk).update(education="", min_wage=0)
    WorkerSkill.objects.create(worker=detailed, occupation=occupations[1], level=5, years=12)
    WorkerCertificate.objects.create(worker=detailed, certificate_type=certificate_types[0])
    WorkerCertificate.objects.create(
        worker=detailed, certificate_type=certificate_types[1], expires_on=day
    )
    WorkerCertificate.objects.create(
        worker=leap, certificate_type=certificate_types[0], expires_on=day - dt.timedelta(1)
    )
    for rank, code in enumerate(["370200", "370100"], start=1):
        WishCity.objects.create(worker=detailed, region_id=code, rank=rank)
    WishCity.objects.create(worker=leap, region_id="370600", rank=1)
    for rank, occupation in enumerate(reversed(occupations), start=1):
        WishOccupation.objects.create(worker=detailed, occupation=occupation, rank=rank)
    # Someone between them in id order who is not in the market (no consent): their child
    # rows fall inside the id range the loader reads and must be dropped.
    outsider = WorkerFactory(home_county_id=ANDING)
    WishCity.objects.create(worker=outsider, region_id="370200", rank=1)
    WorkerSkill.objects.create(worker=outsider, occupation=occupations[0], level=2, years=1)
    late = WorkerFactory(home_county_id=ANDING)
    Worker.objects.filter(pk=late.pk).update(consent_status="given")
    WishOccupation.objects.create(worker=late, occupation=occupations[2], rank=1)

    arrays, ids = _load_workers(round_, round_.campaign.pairing.west_region)

    market = Worker.objects.filter(consent_status="given").order_by("pk")
    assert ids == [w.pk for w in market] and outsider.pk not in ids
    for i, worker in enumerate(market.select_related("home_county")):
        expected = _expected(worker, day)
        for field in (
            "age",
            "home_region",
            "lat",
            "lng",
            "poverty",
            "labor_brand",
            "min_wage",
            "earliest_departure",
            "accepts_dormitory",
            "accepts_shift_work",
            "travel_group",
            "education",
        ):
            assert getattr(arrays, field)[i] == expected[field], (worker.pk, field)
        assert (
            _row(arrays, i, "skills", "skill_ptr", "skill_occupation", "skill_level", "skill_years")
            == expected["skills"]
        )
        assert _row(arrays, i, "certificates", "cert_ptr", "cert_ids") == expected["certificates"]
        assert _row(arrays, i, "cities", "wish_city_ptr", "wish_city") == expected["cities"]
        assert (
            _row(arrays, i, "occupations", "wish_occupation_ptr", "wish_occupation")
            == expected["occupations"]
        )
    leap_index = ids.index(leap.pk)
    assert arrays.age[leap_index] == day.year - 2000 - ((day.month, day.day) < (2, 29))
    assert arrays.age[ids.index(birthday.pk)] == day.year - 1995
    assert arrays.earliest_departure.dtype == np.int32 and arrays.education.dtype == np.int8


def test_no_free_workers_load_as_empty_arrays(coordinator):
    world = scenario.build(workers=2, headcounts=(1,))
    Worker.objects.update(consent_status="none")
    round_ = MatchRound.objects.create(campaign=world.campaign, created_by=coordinator)
    arrays, ids = _load_workers(round_, round_.campaign.pairing.west_region)
    assert ids == [] and len(arrays.age) == 0 and arrays.skill_ptr.tolist() == [0]


def _expected_vacancy(vacancy: Vacancy, taken: int) -> dict:
    district = vacancy.district
    return {
        "occupation": vacancy.occupation_id,
        "headcount": vacancy.headcount - taken,
        "wage_min": vacancy.wage_min,
        "wage_max": vacancy.wage_max,
        "city": int(vacancy.district_id[:4] + "00"),
        "district": int(vacancy.district_id),
        "lat": district.latitude or 0.0,
        "lng": district.longitude or 0.0,
        "age_min": vacancy.age_min or 0,
        "age_max": vacancy.age_max or NO_LIMIT_AGE,
        "min_skill_level": vacancy.min_skill_level or 0,
        "dormitory": vacancy.dormitory,
        "meals": vacancy.meals,
        "travel_reimbursement": vacancy.travel_reimbursement,
        "social_insurance": vacancy.social_insurance,
        "shift_work": vacancy.shift_pattern not in ("day", "flexible", ""),
        "start_date": vacancy.start_date.toordinal() if vacancy.start_date else NO_START,
        "min_education": vacancy.min_education or 0,
    }


def test_loaded_vacancies_equal_the_rows(coordinator):
    world = scenario.build(workers=3, headcounts=(2, 3, 1))
    round_ = MatchRound.objects.create(campaign=world.campaign, created_by=coordinator)
    first, second, full = world.vacancies
    certificate_types = list(CertificateType.objects.order_by("code")[:2])
    Vacancy.objects.filter(pk=first.pk).update(
        age_min=18, age_max=45, min_skill_level=3, min_education=2, shift_pattern="two_shifts",
        dormitory=True, meals=True, travel_reimbursement=True, social_insurance=False,
        start_date=dt.date(2028, 2, 29),
    )  # fmt: skip
    Vacancy.objects.filter(pk=second.pk).update(shift_pattern="flexible")
    for certificate in reversed(certificate_types):
        first.required_certificates.add(certificate)
    # One place of the second vacancy is taken, the only place of the third: it leaves.
    Match.objects.create(worker=world.workers[0], vacancy=second, status="approved")
    Match.objects.create(worker=world.workers[1], vacancy=full, status="proposed")
    Match.objects.create(worker=world.workers[2], vacancy=first, status="declined")

    arrays, ids, occupations = _load_vacancies(round_)

    assert ids == [first.pk, second.pk]
    assert occupations == [world.occupation.code] * 2
    for j, (vacancy, taken) in enumerate(
        zip(
            Vacancy.objects.filter(pk__in=ids).order_by("pk").select_related("district"),
            (0, 1),
            strict=True,
        )
    ):
        for field, value in _expected_vacancy(vacancy, taken).items():
            assert getattr(arrays, field)[j] == value, (vacancy.pk, field)
    lo, hi = arrays.req_cert_ptr[0], arrays.req_cert_ptr[1]
    assert arrays.req_cert_ids[lo:hi].tolist() == sorted(c.pk for c in certificate_types)
    assert arrays.req_cert_ptr.tolist()[1:] == [2, 2]
    # A rolling re-solve's market counts proposals as free places.
    _arrays, free_ids, _ = _load_vacancies(round_, proposed_free=True)
    assert free_ids == [first.pk, second.pk, full.pk]
