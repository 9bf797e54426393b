"""A small, fully known transport scenario on the real reference data (Dingxi → Qingdao).

Workers of Anding and Tongwei hold confirmed matches with two employers (Chengyang and
Jiaozhou); the demo's pickup points and trips (G2096 special train, two chartered buses)
carry them. Vacancies start the day after G2096 leaves, so G2096 is everyone's trip.
"""

import datetime as dt
from dataclasses import dataclass

from jobs.models import Employer, Vacancy
from laborbridge.demo import DemoCalendar
from laborbridge.models import Campaign
from matching.models import Decision, Match, MatchStatus
from tests.factories import ANDING, TONGWEI, VacancyFactory, WorkerFactory
from transport.demo import CAMPAIGN, demo_transport_load
from transport.models import Trip
from workers.models import TravelGroup, Worker, WorkerStatus

START = dt.date(2026, 2, 26)


@dataclass
class World:
    campaign: Campaign
    train: Trip
    vacancies: list[Vacancy]
    matches: list[Match]

    @property
    def workers(self) -> list[Worker]:
        return [m.worker for m in self.matches]


def confirmed_match(vacancy: Vacancy, worker: Worker) -> Match:
    """Return a confirmed match (both sides said yes), holding a place of the vacancy."""
    match = Match.objects.create(
        worker=worker,
        vacancy=vacancy,
        status=MatchStatus.CONFIRMED,
        worker_decision=Decision.YES,
        employer_decision=Decision.YES,
    )
    Vacancy.objects.filter(pk=vacancy.pk).update(filled_count=vacancy.filled_count + 1)
    vacancy.filled_count += 1
    Worker.objects.filter(pk=worker.pk).update(status=WorkerStatus.ACCEPTED)
    return match


def build(
    employers: list[Employer],
    *,
    per_employer: int = 3,
    family: int = 0,
    start: dt.date = START,
) -> World:
    """Confirmed matches of Anding/Tongwei workers with each employer; optionally the first
    ``family`` workers of Anding travel as one family."""
    # The demo's trips as they ran in 2026: G2096 on 02-25, coaches on 03-04 and 03-18.
    demo_transport_load(calendar=DemoCalendar(today=START - dt.timedelta(days=15)))
    campaign = Campaign.objects.get(code=CAMPAIGN)
    vacancies, matches = [], []
    group = (
        TravelGroup.objects.create(home_county_id=ANDING, name="王家", kind=TravelGroup.Kind.FAMILY)
        if family
        else None
    )
    in_family = 0
    for employer in employers:
        vacancy = VacancyFactory(
            employer=employer, campaign=campaign, headcount=per_employer + 5, start_date=start
        )
        vacancies.append(vacancy)
        for index in range(per_employer):
            county = ANDING if index % 2 == 0 else TONGWEI
            joins = group is not None and county == ANDING and in_family < family
            worker = WorkerFactory(home_county_id=county, travel_group=group if joins else None)
            in_family += int(joins)
            matches.append(confirmed_match(vacancy, worker))
    train = Trip.objects.get(campaign=campaign, service_number="G2096")
    return World(campaign, train, vacancies, matches)
