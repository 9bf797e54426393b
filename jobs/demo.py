"""The demo's employers (Qingdao districts, a quarter in Jiaozhou), vacancies and HR logins.

Called by ``manage.py demo`` (transport's command) after ``workers.demo``.
"""

import datetime as dt
import random

from django.db.models import Sum
from django.utils import timezone

from jobs.models import Employer, Industry, Vacancy, VacancyStatus, VerificationStatus
from laborbridge.demo import (
    _BATCH,
    DEMO_CAMPAIGN,
    JIAOZHOU,
    QINGDAO,
    DemoCalendar,
    _credit_code,
    demo_logins_create,
)
from laborbridge.models import Campaign, Occupation, Region, Role


def demo_employers_load(*, seed: int, count: int) -> tuple[int, list[Employer]]:
    """Create up to ``count`` employers; return how many were new and all of them, in order."""
    return _employers(random.Random(seed), count)


def demo_vacancies_load(
    *, seed: int, employers: list[Employer], count: int, calendar: DemoCalendar, campaigns_now
) -> int:
    """Create the vacancies of employers that have none yet; return how many."""
    return _vacancies(random.Random(seed), employers, count, calendar, campaigns_now)


_FIRMS = "海鑫 宏达 瑞丰 金诺 鲁信 华通 新源 恒泰 海尔森 青联 胶东 琴岛 崂山 正大 万佳 晨光 顺和 佳美 利群 昌盛 鼎鑫 海晟 德润 嘉禾 中鲁 远航 汇丰 蓝海 绿源 金桥".split()
_TRADES = {
    Industry.MANUFACTURING: [
        "电子科技",
        "汽车零部件",
        "服装",
        "食品",
        "机械制造",
        "橡胶制品",
        "家电",
        "纺织",
    ],
    Industry.CONSTRUCTION: ["建设工程", "建筑劳务", "装饰工程"],
    Industry.TRANSPORT_LOGISTICS: ["物流", "供应链", "快递"],
    Industry.HOSPITALITY: ["餐饮管理", "酒店管理"],
    Industry.RESIDENT_SERVICES: ["家政服务", "物业管理"],
    Industry.HEALTH_SOCIAL: ["养老服务", "康养"],
    Industry.AGRICULTURE: ["农业科技", "海洋食品"],
}
# Occupation major groups that fit each industry (6 production, 4 services, 5 agriculture).
_INDUSTRY_GROUPS = {
    Industry.MANUFACTURING: ["6"],
    Industry.CONSTRUCTION: ["6"],
    Industry.TRANSPORT_LOGISTICS: ["4", "6"],
    Industry.HOSPITALITY: ["4"],
    Industry.RESIDENT_SERVICES: ["4"],
    Industry.HEALTH_SOCIAL: ["4"],
    Industry.AGRICULTURE: ["5", "6"],
}


def _employers(rng: random.Random, count: int) -> tuple[int, list[Employer]]:
    districts = list(Region.objects.filter(parent_id=QINGDAO, level=Region.Level.COUNTY))
    # Jiaozhou hosts a quarter of the demo employers: it is paired with Tongwei on its own.
    weights = [6 if d.code == JIAOZHOU else 2 for d in districts]
    industries = list(_TRADES)
    industry_weights = [10 if i == Industry.MANUFACTURING else 2 for i in industries]
    employers = []
    for index in range(count):
        district = rng.choices(districts, weights)[0]
        industry = rng.choices(industries, industry_weights)[0]
        place = district.name.removesuffix("区").removesuffix("市")
        name = f"{'青岛' if rng.random() < 0.6 else place}{_FIRMS[index % len(_FIRMS)]}{rng.choice(_TRADES[industry])}有限公司"
        employers.append(
            Employer(
                name=name,
                credit_code=_credit_code(rng, district.code),
                city_id=QINGDAO,
                district=district,
                address=f"{district.full_name}{rng.choice(['海尔路', '长江路', '胶州湾大道', '香港中路', '黄河路', '兰州路'])}{rng.randrange(1, 300)}号",
                industry=industry,
                verification_status=(
                    VerificationStatus.PENDING if index % 12 == 11 else VerificationStatus.VERIFIED
                ),
            )
        )
    existing = set(
        Employer.objects.filter(credit_code__in=[e.credit_code for e in employers]).values_list(
            "credit_code", flat=True
        )
    )
    Employer.objects.bulk_create(
        [e for e in employers if e.credit_code not in existing], batch_size=_BATCH
    )
    created = len(employers) - len(existing)
    ordered = list(Employer.objects.filter(credit_code__in=[e.credit_code for e in employers]))
    ordered.sort(key=lambda e: [x.credit_code for x in employers].index(e.credit_code))
    return created, ordered


def _vacancies(
    rng: random.Random,
    employers: list[Employer],
    count: int,
    calendar: DemoCalendar,
    campaigns_now: list[Campaign],
) -> int:
    by_group: dict[str, list[Occupation]] = {}
    for occupation in Occupation.objects.select_related("group"):
        by_group.setdefault(occupation.group.code, []).append(occupation)
    campaigns = {campaign.pairing.east_region_id: campaign for campaign in campaigns_now}
    have = set(Vacancy.objects.filter(employer__in=employers).values_list("employer_id", flat=True))
    vacancies = []
    for index in range(count):
        employer = employers[index % len(employers)]
        if employer.pk in have:
            continue
        groups = [g for g in _INDUSTRY_GROUPS[Industry(employer.industry)] if by_group.get(g)]
        pool = by_group[rng.choice(groups)]
        # Demand concentrates on the common trades, as in the seeds' job fairs.
        occupation = rng.choice(pool[: max(4, len(pool) // 3)] if rng.random() < 0.7 else pool)
        low = rng.randrange(40, 70) * 100
        roll = rng.random()
        # An employer's first vacancy goes to its district's own pairing (Jiaozhou, Shinan)
        # where there is one; the rest to the Dingxi → Qingdao campaign, which runs the
        # demo's matching round and special train.
        campaign = (
            campaigns.get(employer.district_id) if index < len(employers) else None
        ) or campaigns[QINGDAO]
        vacancies.append(
            Vacancy(
                employer=employer,
                occupation=occupation,
                title=occupation.name_zh,
                description=rng.choice(
                    [
                        "包吃包住，长白班。",
                        "两班倒，月休四天，提供员工宿舍。",
                        "计件工资，多劳多得，入职缴纳五险。",
                        "提供免费工作餐和宿舍，报销来青车费。",
                    ]
                ),
                headcount=rng.choice([2, 3, 5, 5, 8, 10, 10, 15, 20, 30]),
                wage_min=low,
                wage_max=low + rng.randrange(5, 25) * 100,
                district=employer.district,
                # Half the posts start the day after the G2096 special train arrives;
                # the rest over the following weeks, reached by chartered buses.
                start_date=(
                    calendar.first_start
                    if rng.random() < 0.5
                    else calendar.first_start + dt.timedelta(days=rng.randrange(1, 51))
                ),
                campaign=campaign,
                shift_pattern=rng.choice(["day", "day", "two_shifts", "three_shifts"]),
                dormitory=rng.random() < 0.75,
                meals=rng.random() < 0.6,
                travel_reimbursement=rng.random() < 0.5,
                social_insurance=rng.random() < 0.9,
                status=(
                    VacancyStatus.OPEN
                    if roll < 0.8
                    else VacancyStatus.DRAFT
                    if roll < 0.9
                    else VacancyStatus.PAUSED
                ),
            )
        )
    published = timezone.now()
    for vacancy in vacancies:
        if vacancy.status != VacancyStatus.DRAFT:
            vacancy.published_at = published
    Vacancy.objects.bulk_create(vacancies, batch_size=_BATCH)
    return len(vacancies)


def demo_hr_logins(employers: list[Employer]) -> list[tuple[str, str, str]]:
    """Create the two HR logins; return the printed rows."""
    verified = [e for e in employers if e.verification_status == VerificationStatus.VERIFIED]
    places = dict(
        Vacancy.objects.filter(
            employer__in=verified, campaign__code=DEMO_CAMPAIGN, status=VacancyStatus.OPEN
        )
        .values_list("employer_id")
        .annotate(total=Sum("headcount"))
    )
    hr_employer = max(
        # Within the arrival buses' ride cap of Qingdao station (not Pingdu, Laixi, Jiaozhou).
        (e for e in verified if e.district_id not in (JIAOZHOU, "370283", "370285")),
        key=lambda e: (places.get(e.pk, 0), -e.pk),
        default=verified[0],
    )
    jiaozhou_employer = next(
        (
            e
            for e in employers
            if e.district_id == JIAOZHOU and e.verification_status == VerificationStatus.VERIFIED
        ),
        hr_employer,
    )
    specs = [
        (
            "hr_qingdao",
            f"{hr_employer.name}人事",
            {"role": Role.EMPLOYER_HR, "employer": hr_employer},
        ),
        (
            "hr_jiaozhou",
            f"{jiaozhou_employer.name}人事",
            {"role": Role.EMPLOYER_HR, "employer": jiaozhou_employer},
        ),
    ]
    return demo_logins_create(specs)
