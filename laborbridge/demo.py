"""Realistic synthetic demo data: Dingxi workers, Qingdao/Jiaozhou employers and vacancies.

Everything is derived from a fixed seed and keyed by natural identifiers (ID-number blind
index, credit code, username), so loading twice adds nothing the second time. The ID
numbers and credit codes carry valid checksums but belong to nobody.
"""

import datetime as dt
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from jobs.models import Employer, Industry, Vacancy, VacancyStatus, VerificationStatus
from laborbridge import crypto
from laborbridge.identifiers import credit_code_check_char, id_number_check_char
from laborbridge.models import Campaign, CertificateType, Occupation, Pairing, Region, Role, User
from workers.models import PovertyStatus, Worker, WorkerStatus

DEMO_PASSWORD = "demo-2026!"  # printed by the command; a demo site only
DINGXI, QINGDAO, TONGWEI, ANDING, JIAOZHOU = "621100", "370200", "621121", "621102", "370281"

# Bulk size for demo rows: 500 rows per INSERT keeps SQLite under its variable limit and
# loads 2,000 workers in about a second.
_BATCH = 500

_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段漕钱汤尹黎易常武乔贺赖龚文"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建军小红志强海燕春梅晓东玉兰永红卫东德明红霞金凤文博子豪浩然欣怡俊杰雨轩梓涵宇航"
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


@dataclass
class DemoResult:
    workers_created: int = 0
    employers_created: int = 0
    vacancies_created: int = 0
    logins: list[tuple[str, str, str]] = field(default_factory=list)


def _id_number(rng: random.Random, county: str) -> str:
    born = dt.date(1971, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 36))
    body = f"{county}{born:%Y%m%d}{rng.randrange(0, 1000):03d}"
    return body + id_number_check_char(body)


def _org_code_check(digits: str) -> str:
    """Return the GB 11714 check character of an 8-digit organisation code."""
    total = sum(int(d) * w for d, w in zip(digits, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def _credit_code(rng: random.Random, district: str) -> str:
    org = f"{rng.randrange(10**7, 10**8)}"
    body = f"91{district}{org}{_org_code_check(org)}"
    return body + credit_code_check_char(body)


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randrange(0, 10**9):09d}"


def _name(rng: random.Random) -> str:
    given = rng.choice(_GIVEN) + (rng.choice(_GIVEN) if rng.random() < 0.6 else "")
    return rng.choice(_SURNAMES) + given[:2]


def _workers(rng: random.Random, count: int) -> int:
    counties = list(Region.objects.filter(parent_id=DINGXI, level=Region.Level.COUNTY))
    townships: dict[str, list[str]] = {}
    for code, parent in Region.objects.filter(
        level=Region.Level.TOWNSHIP, parent__parent_id=DINGXI
    ).values_list("code", "parent_id"):
        townships.setdefault(parent, []).append(code)
    workers = []
    for _index in range(count):
        county = rng.choice(counties)
        number = _id_number(rng, county.code)
        roll = rng.random()
        worker = Worker(
            name=_name(rng),
            phone=_phone(rng),
            home_county=county,
            home_township_id=rng.choice(townships[county.code])
            if townships.get(county.code)
            else None,
            poverty_status=(
                PovertyStatus.POVERTY_ALLEVIATED
                if roll < 0.55
                else PovertyStatus.MONITORED
                if roll < 0.63
                else PovertyStatus.NONE
            ),
            status=WorkerStatus.REGISTERED,
        )
        worker.set_id_number(number)
        workers.append(worker)
    existing = set(
        Worker.objects.filter(id_number_index__in=[w.id_number_index for w in workers]).values_list(
            "id_number_index", flat=True
        )
    )
    fresh = [w for w in workers if w.id_number_index not in existing]
    Worker.objects.bulk_create(fresh, batch_size=_BATCH, ignore_conflicts=True)
    _worker_profiles(rng, [w.id_number_index for w in fresh])
    return len(fresh)


def _worker_profiles(rng: random.Random, indexes: list[str]) -> None:
    """Give new demo workers what matching needs: skills, wishes, consent, some certificates,
    and travel groups (families and fellow villagers) — drawn from the vacancies' occupations."""
    from workers.models import (
        Consent,
        ConsentMethod,
        ConsentScope,
        TravelGroup,
        WishCity,
        WishOccupation,
        WorkerCertificate,
        WorkerSkill,
    )

    if not indexes:
        return
    by_group: dict[str, list[int]] = {}
    for pk, group in Occupation.objects.filter(group__code__in=["4", "5", "6"]).values_list(
        "pk", "group__code"
    ):
        by_group.setdefault(group, []).append(pk)
    occupations = [pk for pks in by_group.values() for pk in pks]
    # The same common trades the demo vacancies concentrate on (the first third of each group).
    popular = [pk for pks in by_group.values() for pk in pks[: max(4, len(pks) // 3)]]
    certificates = list(CertificateType.objects.prefetch_related("occupations"))
    certificate_for = {o.pk: c.pk for c in certificates for o in c.occupations.all()}
    skills, wish_occupations, wish_cities, consents, held = [], [], [], [], []
    rows = list(
        Worker.objects.filter(id_number_index__in=indexes)
        .order_by("pk")
        .values_list("pk", "home_county_id", "home_township_id")
    )
    departure = dt.date(2026, 2, 20)
    for worker_id, _county, _township in rows:
        main = rng.choice(popular) if rng.random() < 0.7 else rng.choice(occupations)
        level = rng.choices([0, 1, 2, 3, 4], [25, 35, 25, 12, 3])[0]
        skills.append(
            WorkerSkill(
                worker_id=worker_id, occupation_id=main, level=level, years=rng.randint(0, 15)
            )
        )
        if rng.random() < 0.3:
            other = rng.choice(occupations)
            if other != main:
                skills.append(
                    WorkerSkill(
                        worker_id=worker_id,
                        occupation_id=other,
                        level=max(0, level - 1),
                        years=rng.randint(0, 5),
                    )
                )
        wish_occupations.append(WishOccupation(worker_id=worker_id, occupation_id=main, rank=1))
        wish_cities.append(WishCity(worker_id=worker_id, region_id=QINGDAO, rank=1))
        if main in certificate_for and rng.random() < 0.4:
            held.append(
                WorkerCertificate(
                    worker_id=worker_id,
                    certificate_type_id=certificate_for[main],
                    number=f"T{rng.randrange(10**9):09d}",
                    issued_on=dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(700)),
                )
            )
        if rng.random() < 0.93:
            consents.append(
                Consent(
                    worker_id=worker_id,
                    given_on=dt.date(2026, 1, 5) + dt.timedelta(days=rng.randrange(20)),
                    method=ConsentMethod.SIGNED_PAPER,
                    scope=list(ConsentScope.values),
                    text_version="2026-01",
                )
            )
    WorkerSkill.objects.bulk_create(skills, batch_size=_BATCH)
    WishOccupation.objects.bulk_create(wish_occupations, batch_size=_BATCH)
    WishCity.objects.bulk_create(wish_cities, batch_size=_BATCH)
    WorkerCertificate.objects.bulk_create(held, batch_size=_BATCH, ignore_conflicts=True)
    Consent.objects.bulk_create(consents, batch_size=_BATCH)
    for consent in consents:
        Worker.objects.filter(pk=consent.worker_id).update(
            consent_status="given", consent_given_on=consent.given_on
        )
    for worker_id, _county, _township in rows:
        Worker.objects.filter(pk=worker_id).update(
            min_wage=rng.randrange(35, 60) * 100,
            earliest_departure=departure + dt.timedelta(days=rng.randrange(6)),
            education=rng.choice(["primary", "junior", "junior", "senior", "vocational"]),
        )
    # Travel groups: one worker in ten travels with family or fellow villagers of their township.
    by_township: dict[str, list[int]] = {}
    for worker_id, county, township in rows:
        by_township.setdefault(township or county, []).append(worker_id)
    for place, members in by_township.items():
        rng.shuffle(members)
        for start in range(0, len(members) // 10, 3):
            group_members = members[start : start + rng.choice([2, 3, 4])]
            if len(group_members) < 2:
                continue
            county = Worker.objects.values_list("home_county_id", flat=True).get(
                pk=group_members[0]
            )
            kind = (
                TravelGroup.Kind.FAMILY
                if len(group_members) <= 3
                else TravelGroup.Kind.FELLOW_VILLAGERS
            )
            group, _ = TravelGroup.objects.get_or_create(
                home_county_id=county,
                name=f"{place}-{start // 3 + 1}",
                defaults={"kind": kind},
            )
            Worker.objects.filter(pk__in=group_members).update(travel_group=group)
            # People who travel together look for the same kind of work.
            shared = (
                WishOccupation.objects.filter(worker_id=group_members[0])
                .values_list("occupation_id", flat=True)
                .first()
            )
            for member in group_members[1:]:
                WorkerSkill.objects.get_or_create(
                    worker_id=member, occupation_id=shared, defaults={"level": 1}
                )
                WishOccupation.objects.filter(worker_id=member).update(occupation_id=shared)


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


def _vacancies(rng: random.Random, employers: list[Employer], count: int) -> int:
    by_group: dict[str, list[Occupation]] = {}
    for occupation in Occupation.objects.select_related("group"):
        by_group.setdefault(occupation.group.code, []).append(occupation)
    campaigns = {
        campaign.pairing.east_region_id: campaign
        for campaign in Campaign.objects.select_related("pairing").order_by("starts_on")
    }
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
        campaign = campaigns.get(employer.district_id) or campaigns.get(QINGDAO)
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
                # Half the posts start the day after the G2096 special train arrives (02-26);
                # the rest through the spring, reached by chartered buses.
                start_date=(
                    dt.date(2026, 2, 26)
                    if rng.random() < 0.5
                    else dt.date(2026, 2, 27) + dt.timedelta(days=rng.randrange(0, 50))
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


def _login(username: str, full_name: str, **scope) -> User:
    user, _ = User.objects.update_or_create(
        username=username,
        defaults={"first_name": full_name, "is_active": True, **scope},
    )
    user.set_password(DEMO_PASSWORD)
    user.save(update_fields=["password"])
    return user


def _logins(employers: list[Employer]) -> list[tuple[str, str, str]]:
    pairing = Pairing.objects.get(east_region_id=QINGDAO, west_region_id=DINGXI)
    hr_employer = next(e for e in employers if e.verification_status == VerificationStatus.VERIFIED)
    jiaozhou_employer = next(
        (
            e
            for e in employers
            if e.district_id == JIAOZHOU and e.verification_status == VerificationStatus.VERIFIED
        ),
        hr_employer,
    )
    specs = [
        ("admin", "系统管理员", {"role": Role.ADMIN, "is_staff": True, "is_superuser": True}),
        (
            "coordinator",
            "青岛—定西协作专员",
            {"role": Role.COORDINATOR, "pairing": pairing, "is_staff": True},
        ),
        ("official_anding", "安定区人社局", {"role": Role.COUNTY_OFFICIAL, "county_id": ANDING}),
        ("official_tongwei", "通渭县人社局", {"role": Role.COUNTY_OFFICIAL, "county_id": TONGWEI}),
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
    rows = []
    for username, full_name, scope in specs:
        user = _login(username, full_name, **scope)
        rows.append((username, DEMO_PASSWORD, user.get_role_display()))
    return rows


@transaction.atomic
def demo_load(
    *, seed: int = 2026, workers: int = 2000, employers: int = 120, vacancies: int = 400
) -> DemoResult:
    """Load the demo data set; safe to run again (adds nothing the second time)."""
    if not Region.objects.filter(pk=DINGXI).exists():
        raise RuntimeError("Reference data is missing: run `manage.py load_reference` first.")
    rng = random.Random(seed)
    result = DemoResult()
    result.workers_created = _workers(rng, workers)
    result.employers_created, employer_rows = _employers(random.Random(seed + 1), employers)
    result.vacancies_created = _vacancies(random.Random(seed + 2), employer_rows, vacancies)
    result.logins = _logins(employer_rows)
    from transport.demo import demo_transport_load

    demo_transport_load()
    # Touch the crypto keys once more so a misconfigured key fails here, not on first page.
    crypto.id_number_blind_index("000000000000000000")
    return result


def demo_travellers_load(*, seed: int = 2026, limit: int = 700) -> int:
    """Run a matching round for Dingxi → Qingdao and answer ``limit`` offers on both sides.

    Optional (``manage.py demo --with-travellers``): it gives transport planning confirmed
    travellers at once. Every step goes through the same services as the pages, acting as
    the demo admin, so headcounts, worker statuses and the audit log stay consistent. Does
    nothing if the campaign already has a finished round.
    """
    from matching import services as matching_services
    from matching.models import Match, MatchRound, MatchStatus, RoundStatus
    from matching.rounds import round_execute

    campaign = Campaign.objects.get(code="2026-chunfeng-dingxi-qingdao")
    if MatchRound.objects.filter(campaign=campaign, status=RoundStatus.SUCCEEDED).exists():
        return 0
    admin = User.objects.get(username="admin")
    round_ = MatchRound.objects.create(campaign=campaign, seed=seed, created_by=admin)
    round_execute(round_id=round_.pk, task_id="demo")
    rng = random.Random(seed)
    confirmed = 0
    for match in Match.objects.filter(round=round_, status=MatchStatus.PROPOSED).order_by("pk")[
        :limit
    ]:
        matching_services.match_review(actor=admin, match=match, approve=True)
        matching_services.match_offer(actor=admin, match=match)
        if rng.random() < 0.1:
            matching_services.match_worker_respond(
                actor=admin, match=match, accept=False, reason="家中有事，暂不外出"
            )
            continue
        matching_services.match_worker_respond(actor=admin, match=match, accept=True)
        matching_services.match_employer_respond(actor=admin, match=match, confirm=True)
        confirmed += 1
    return confirmed
