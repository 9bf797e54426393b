"""The demo's matching: workers placed months ago, then the demo campaign's round and answers.

Called by ``manage.py demo --with-travellers`` (transport's command) before the trips are
planned.
"""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from jobs.models import Employer, Vacancy, VacancyStatus, VerificationStatus
from laborbridge.demo import DEMO_CAMPAIGN, DemoCalendar, demo_calendar
from laborbridge.models import Campaign, Occupation, Role, User
from matching import services as matching_services
from matching.models import Match, MatchRound, MatchStatus, RoundStatus
from matching.rounds import round_execute
from workers.models import Employment, Worker, WorkerStatus


def demo_matches_load(*, seed: int = 2026, limit: int = 700) -> int | None:
    """Run the demo campaign's matching round and answer offers; return how many were
    confirmed by both sides, or None when the campaign already has a finished round.

    Every step goes through the same services as the pages, acting as the demo admin, so
    headcounts, worker statuses and the audit log stay consistent. The demo HR logins'
    candidates come first: some are left for HR to decide (offered, or accepted by the
    worker), the rest are confirmed (and get seats from ``transport.demo``), so HR has
    arrivals to check in. Up to ``limit`` offers are answered in all. Some workers were
    placed months ago (see :func:`_placements_past`).
    """
    campaign = Campaign.objects.get(code=DEMO_CAMPAIGN)
    if MatchRound.objects.filter(campaign=campaign, status=RoundStatus.SUCCEEDED).exists():
        return None
    admin = User.objects.get(username="admin")
    rng = random.Random(seed)
    calendar = demo_calendar()
    with transaction.atomic():
        _placements_past(rng, admin, calendar)
    round_ = MatchRound.objects.create(campaign=campaign, seed=seed, created_by=admin)
    round_execute(round_id=round_.pk, task_id="demo")
    # One transaction for ~2,800 service calls: on SQLite a commit each costs a disk sync.
    with transaction.atomic():
        return _offers_answer(rng, admin, round_, limit)


def _offers_answer(rng: random.Random, admin: User, round_, limit: int) -> int:
    hr_employers = set(
        User.objects.filter(role=Role.EMPLOYER_HR, username__in=["hr_qingdao", "hr_jiaozhou"])
        .exclude(employer=None)
        .values_list("employer_id", flat=True)
    )
    proposed = Match.objects.filter(round=round_, status=MatchStatus.PROPOSED).select_related(
        "vacancy"
    )
    for_hr = list(proposed.filter(vacancy__employer_id__in=hr_employers).order_by("pk"))
    others = list(proposed.exclude(vacancy__employer_id__in=hr_employers).order_by("pk"))
    confirmed = 0
    seen: dict[int, int] = {}
    for match in for_hr + others[: max(0, limit - len(for_hr))]:
        matching_services.match_review(actor=admin, match=match, approve=True)
        matching_services.match_offer(actor=admin, match=match)
        employer = match.vacancy.employer_id
        if employer in hr_employers:
            # Per HR login: the 1st of every 4 candidates is left offered and undecided, the
            # 2nd accepted by the worker and waiting for HR; the others travel.
            nth = seen[employer] = seen.get(employer, -1) + 1
            if nth % 4 in (0, 1):
                if nth % 4 == 1:
                    matching_services.match_worker_respond(actor=admin, match=match, accept=True)
                continue
        elif rng.random() < 0.1:
            matching_services.match_worker_respond(
                actor=admin, match=match, accept=False, reason="家中有事，暂不外出"
            )
            continue
        matching_services.match_worker_respond(actor=admin, match=match, accept=True)
        matching_services.match_employer_respond(actor=admin, match=match, confirm=True)
        confirmed += 1
    return confirmed


# Workers placed before the demo's campaign: arrived and checked in 1–6 months ago, so that
# follow-ups and retention have history. Their vacancies belong to no campaign.
_PAST_PLACEMENTS = 60


def _placements_past(rng: random.Random, admin: User, calendar: DemoCalendar) -> int:
    if Employment.objects.exists():
        return 0
    employers = list(
        Employer.objects.filter(verification_status=VerificationStatus.VERIFIED).order_by("pk")[:8]
    )
    workers = list(
        Worker.objects.filter(status=WorkerStatus.REGISTERED, consent_status="given")
        .order_by("-pk")
        .select_related("home_county")[:_PAST_PLACEMENTS]
    )
    if not employers or not workers:
        return 0
    occupation_ids = list(
        Occupation.objects.filter(group__code="6").order_by("code").values_list("pk", flat=True)
    )
    placed = 0
    for index, employer in enumerate(employers):
        months = 1 + index % 6
        started = calendar.today - dt.timedelta(days=30 * months + rng.randrange(0, 20))
        group = workers[index :: len(employers)]
        if not group:
            continue
        low = rng.randrange(45, 65) * 100
        vacancy = Vacancy.objects.create(
            employer=employer,
            occupation_id=rng.choice(occupation_ids),
            title="普工（往期）",
            description="往期专列到岗的岗位。",
            headcount=len(group) + 2,
            wage_min=low,
            wage_max=low + 1500,
            district=employer.district,
            start_date=started,
            dormitory=True,
            meals=True,
            status=VacancyStatus.OPEN,
            published_at=timezone.now(),
        )
        for worker in group:
            match = Match.objects.create(
                worker=worker, vacancy=vacancy, status=MatchStatus.PROPOSED, score=50
            )
            matching_services.match_review(actor=admin, match=match, approve=True)
            matching_services.match_offer(actor=admin, match=match)
            matching_services.match_worker_respond(actor=admin, match=match, accept=True)
            matching_services.match_employer_respond(actor=admin, match=match, confirm=True)
            matching_services.match_mark_hired(actor=admin, match=match)
            placed += 1
        # They arrived at the gate back then: the records say so.
        Employment.objects.filter(vacancy=vacancy).update(started_on=started, working_since=started)
    return placed
