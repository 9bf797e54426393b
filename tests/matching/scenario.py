"""A small, fully known matching scenario on the real reference data (Qingdao ↔ Dingxi)."""

import datetime as dt
from dataclasses import dataclass

from jobs.models import Vacancy
from laborbridge.models import Campaign, Occupation
from tests.factories import ANDING, TONGWEI, EmployerFactory, VacancyFactory, WorkerFactory
from workers.models import Worker, WorkerSkill

CAMPAIGN = "2026-chunfeng-dingxi-qingdao"


@dataclass
class Scenario:
    campaign: Campaign
    occupation: Occupation
    vacancies: list[Vacancy]
    workers: list[Worker]


def build(
    *,
    workers: int = 6,
    headcounts=(2, 2),
    poverty_every: int = 3,
    campaign: str = CAMPAIGN,
    counties: tuple[str, str] = (ANDING, TONGWEI),
    district: tuple[str, str] = ("370214", "370200"),
) -> Scenario:
    """Workers of Anding and Tongwei with one skill each; vacancies of that occupation.

    ``campaign``, ``counties`` (home counties, alternating) and ``district`` (the employer's
    district and city) build the same scenario for another pairing."""
    campaign = Campaign.objects.get(code=campaign)
    occupation = Occupation.objects.order_by("code").first()
    employer = EmployerFactory(district_id=district[0], city_id=district[1])
    vacancies = [
        VacancyFactory(
            employer=employer,
            occupation=occupation,
            campaign=campaign,
            headcount=headcount,
            wage_min=5000 + 500 * index,
            wage_max=6000 + 500 * index,
            start_date=dt.date(2026, 3, 1),
        )
        for index, headcount in enumerate(headcounts)
    ]
    people = []
    for index in range(workers):
        worker = WorkerFactory(
            home_county_id=counties[index % 2],
            poverty_status="poverty_alleviated" if index % poverty_every == 0 else "none",
        )
        Worker.objects.filter(pk=worker.pk).update(consent_status="given", min_wage=4500)
        WorkerSkill.objects.create(
            worker=worker, occupation=occupation, level=1 + index % 3, years=index
        )
        people.append(worker)
    return Scenario(campaign, occupation, vacancies, people)
