"""The policies' part of ``manage.py demo`` (issue 14, H4): the Gansu 2024 transport rule
and the other reference policies loaded, Anding's budget under it, some Anding placed workers
of 凤翔镇 (脱贫 and 监测) who travelled on their own and have worked three months or more, a
few who have not yet, and Anding's eligibility computed — so the Anding official sees who is
eligible and why others are not, and can create the applications in one action (免申即享).
Safe to run again: the workers are topped up to the number wanted, never doubled."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from jobs.models import Employer, Vacancy, VacancyStatus, VerificationStatus
from laborbridge.identifiers import id_number_check_char
from laborbridge.models import Occupation, Region, User
from matching.models import Match, MatchStatus
from subsidies import services
from subsidies.models import EligibilityRun, EligibilityRunStatus, Policy, PolicyBudget
from workers.models import Employment, PovertyStatus, Worker, WorkerStatus

POLICY_CODE = "gansu-2024-transport"
ANDING, FENGXIANG = "621102", "621102101"
DEMO_BUDGET = 500_000  # yuan
# (how many, days at work, poverty status): eligible ones, and some "not yet".
_WANTED = (
    (10, 130, PovertyStatus.POVERTY_ALLEVIATED),
    (4, 100, PovertyStatus.MONITORED),
    (3, 45, PovertyStatus.POVERTY_ALLEVIATED),
)
_NAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
_GIVEN = ("建国", "小红", "志强", "海燕", "国栋", "秀兰", "文博", "玉梅", "永福", "春花")


def demo_subsidies_step(*, base_url: str) -> list[str]:
    """The demo step (``laborbridge.registry``): load and say where to look."""
    policy, made, counts = demo_subsidies_load()
    if policy is None:
        return ["Subsidies: skipped (the Gansu 2024 rule did not load)."]
    return [
        f"Subsidies: reference policies loaded; {made} Anding demo workers added; Anding "
        f"eligibility {counts} — official_anding sees it at "
        f"{base_url}/subsidies/policies/{policy.pk}/eligibility/{ANDING}/"
    ]


def demo_subsidies_load() -> tuple[Policy | None, int, dict]:
    services.policies_load_reference()
    policy = Policy.objects.filter(code=POLICY_CODE).first()
    if policy is None:
        return None, 0, {}
    coordinator = User.objects.filter(username="coordinator").first()
    if not PolicyBudget.objects.filter(policy=policy, county_id=ANDING).exists():
        PolicyBudget.objects.create(
            policy=policy, county_id=ANDING, amount=DEMO_BUDGET, updated_by=coordinator
        )
    made = _workers_ensure()
    today = timezone.localdate()
    counts = services.eligibility_compute(policy=policy, county_id=ANDING, today=today)
    official = User.objects.filter(username="official_anding").first()
    now = timezone.now()
    EligibilityRun.objects.create(
        policy=policy,
        county_id=ANDING,
        as_of=today,
        status=EligibilityRunStatus.DONE,
        counts=counts,
        progress_stage="done",
        progress_percent=100,
        created_by=official,
        started_at=now,
        finished_at=now,
    )
    return policy, made, counts


def _id_number(serial: int, born: dt.date, male: bool) -> str:
    order = f"{(serial % 499) * 2 + (1 if male else 2):03d}"
    first17 = f"{ANDING}{born:%Y%m%d}{order}"
    return first17 + id_number_check_char(first17)


@transaction.atomic
def _workers_ensure() -> int:
    """Top up 凤翔镇's demo placed workers (self-travelled, at a Qingdao employer)."""
    employer = (
        Employer.objects.filter(
            verification_status=VerificationStatus.VERIFIED, district__code__startswith="3702"
        )
        .order_by("pk")
        .first()
    )
    if (
        employer is None
        or not Region.objects.filter(pk=FENGXIANG).exists()
        or not Occupation.objects.filter(group__code="6").exists()
    ):
        return 0
    today = timezone.localdate()
    existing = Worker.objects.filter(name__startswith="补贴演示").count()
    vacancy = None
    made = 0
    serial = 0
    for count, days, status in _WANTED:
        for _ in range(count):
            serial += 1
            if serial <= existing:
                continue
            if vacancy is None:
                vacancy = Vacancy.objects.create(
                    employer=employer,
                    title="普工（自主外出）",
                    description="自行前往务工的人员（补贴演示）。",
                    headcount=sum(w[0] for w in _WANTED),
                    wage_min=5200,
                    wage_max=6800,
                    district=employer.district,
                    start_date=today - dt.timedelta(days=140),
                    status=VacancyStatus.CLOSED,
                    occupation=Occupation.objects.filter(group__code="6").order_by("code").first(),
                )
            born = dt.date(1975 + serial, 1 + serial % 12, 1 + serial % 27)
            worker = Worker(
                name=f"补贴演示{_NAMES[serial % len(_NAMES)]}{_GIVEN[serial % len(_GIVEN)]}",
                home_county_id=ANDING,
                home_township_id=FENGXIANG,
                home_village_name="凤翔村",
                poverty_status=status,
                status=WorkerStatus.EMPLOYED,
            )
            worker.set_id_number(_id_number(900 + serial, born, serial % 2 == 0))
            worker.phone = f"1390932{serial:04d}"
            worker.save()
            match = Match.objects.create(
                worker=worker, vacancy=vacancy, status=MatchStatus.HIRED, score=60
            )
            since = today - dt.timedelta(days=days)
            Employment.objects.create(
                worker=worker,
                employer=employer,
                vacancy=vacancy,
                match=match,
                started_on=since,
                working_since=since,
                current_employer=employer,
                current_employer_name=employer.name,
                current_workplace_id=employer.district_id,
                current_monthly_wage=5200,
            )
            made += 1
    return made
