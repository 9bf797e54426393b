"""Realistic synthetic demo data: Dingxi workers, Qingdao/Jiaozhou employers and vacancies.

Everything is derived from a fixed seed and keyed by natural identifiers (ID-number blind
index, credit code, username, campaign code), so loading twice adds nothing the second time.
The ID numbers and credit codes carry valid checksums but belong to nobody.

Every date is relative to the day the demo is loaded (:class:`DemoCalendar`): the demo's
campaigns are open now (one more is upcoming), the special train leaves in two weeks, the
vacancies start after it arrives. The reference campaigns (``campaigns.json``, fixed 2026
dates) are left as they are: the demo adds its own campaigns, keyed by code, and moves
their dates when it is loaded again on a later day.
"""

import datetime as dt
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Sum
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


@dataclass(frozen=True)
class DemoCalendar:
    """The demo's dates, all relative to ``today`` (the day ``manage.py demo`` runs)."""

    today: dt.date

    @property
    def campaign_starts(self) -> dt.date:
        return self.today - dt.timedelta(days=14)

    @property
    def campaign_ends(self) -> dt.date:
        return self.today + dt.timedelta(days=106)

    @property
    def upcoming_starts(self) -> dt.date:
        return self.today + dt.timedelta(days=150)

    @property
    def upcoming_ends(self) -> dt.date:
        return self.today + dt.timedelta(days=270)

    @property
    def train_day(self) -> dt.date:
        """The special train leaves and arrives this day (an 11-hour run)."""
        return self.today + dt.timedelta(days=14)

    @property
    def bus_days(self) -> tuple[dt.date, dt.date]:
        """Chartered coaches for later starts (~30 h on the road, arriving the next day)."""
        return (self.train_day + dt.timedelta(days=6), self.train_day + dt.timedelta(days=20))

    @property
    def first_start(self) -> dt.date:
        """The day after the special train arrives: the first vacancies start."""
        return self.train_day + dt.timedelta(days=1)


def demo_calendar() -> DemoCalendar:
    return DemoCalendar(today=timezone.localdate())


# The demo's own campaigns: (code, reference campaign it copies pairing and name from, kind).
# "now" runs today; "upcoming" opens in five months.
DEMO_CAMPAIGN = "demo-dingxi-qingdao"
DEMO_CAMPAIGNS = (
    (DEMO_CAMPAIGN, "2026-chunfeng-dingxi-qingdao", "now"),
    ("demo-tongwei-jiaozhou", "2026-chunfeng-tongwei-jiaozhou", "now"),
    ("demo-linxia-jinan-shizhong", "2026-chunfeng-linxia-jinan-shizhong", "now"),
    ("demo-anding-shinan", "2026-chunfeng-anding-shinan", "now"),
    ("demo-next-dingxi-qingdao", "2026-chunfeng-dingxi-qingdao", "upcoming"),
)


def demo_campaigns_ensure(calendar: DemoCalendar | None = None) -> list[Campaign]:
    """Create (or move to today's dates) the demo's campaigns; return them in order.

    Keyed by code: a second run the same day changes nothing, a run on a later day moves
    the dates so that the campaigns are open again.
    """
    calendar = calendar or demo_calendar()
    references = {
        c.code: c
        for c in Campaign.objects.filter(code__in=[ref for _code, ref, _kind in DEMO_CAMPAIGNS])
    }
    campaigns = []
    for code, reference_code, kind in DEMO_CAMPAIGNS:
        reference = references[reference_code]
        if kind == "now":
            starts, ends, label_zh, label_en = (
                calendar.campaign_starts,
                calendar.campaign_ends,
                "春风行动",
                "Spring Breeze campaign",
            )
        else:
            starts, ends, label_zh, label_en = (
                calendar.upcoming_starts,
                calendar.upcoming_ends,
                "下一季招聘",
                "Next season",
            )
        route_zh = reference.name_zh.split("·", 1)[-1].strip()
        route_en = reference.name_en.split("·", 1)[-1].strip()
        values = {
            "pairing_id": reference.pairing_id,
            "name_zh": f"{starts.year} {label_zh}（演示）· {route_zh}",
            "name_en": f"{starts.year} {label_en} (demo) · {route_en}",
            "starts_on": starts,
            "ends_on": ends,
        }
        campaign = Campaign.objects.filter(code=code).first()
        if campaign is None:
            campaign = Campaign.objects.create(code=code, **values)
        elif any(getattr(campaign, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(campaign, key, value)
            campaign.save()
        campaigns.append(campaign)
    return campaigns


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


# Mobile segments in service (China Mobile, Unicom, Telecom): every number drawn from them
# passes identifiers.validate_mobile (libphonenumber); 154x/174x/179x and the like do not.
_MOBILE_PREFIXES = (
    "130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159 166 "
    "173 175 176 177 178 180 181 182 183 184 185 186 187 188 189 191 198 199"
).split()


def _phone(rng: random.Random) -> str:
    return f"{rng.choice(_MOBILE_PREFIXES)}{rng.randrange(0, 10**8):08d}"


def _name(rng: random.Random) -> str:
    given = rng.choice(_GIVEN) + (rng.choice(_GIVEN) if rng.random() < 0.6 else "")
    return rng.choice(_SURNAMES) + given[:2]


def _workers(rng: random.Random, count: int, calendar: DemoCalendar) -> int:
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
    _worker_profiles(rng, [w.id_number_index for w in fresh], calendar)
    return len(fresh)


def _worker_profiles(rng: random.Random, indexes: list[str], calendar: DemoCalendar) -> None:
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
    # Ready to leave a few days before the special train, as the counties' surveys ask.
    departure = calendar.train_day - dt.timedelta(days=5)
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
                    given_on=calendar.today - dt.timedelta(days=60 - rng.randrange(20)),
                    method=ConsentMethod.SIGNED_PAPER,
                    scope=list(ConsentScope.values),
                    text_version=f"{calendar.today.year}-01",
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
            # Most can leave for the special train; some only in time for the coaches.
            earliest_departure=rng.choices(
                [departure, calendar.bus_days[0] - dt.timedelta(days=3), calendar.bus_days[1]],
                [75, 15, 10],
            )[0]
            + dt.timedelta(days=rng.randrange(4)),
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
    # HR of the verified employer with the most open places in the Dingxi → Qingdao
    # campaign, so that the travellers give them candidates and arrivals.
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
    calendar = demo_calendar()
    campaigns = demo_campaigns_ensure(calendar)
    result = DemoResult()
    result.workers_created = _workers(rng, workers, calendar)
    result.employers_created, employer_rows = _employers(random.Random(seed + 1), employers)
    result.vacancies_created = _vacancies(
        random.Random(seed + 2),
        employer_rows,
        vacancies,
        calendar,
        [c for c in campaigns if c.starts_on <= calendar.today],
    )
    result.logins = _logins(employer_rows)
    from transport.demo import demo_transport_load

    demo_transport_load(calendar=calendar)
    # Touch the crypto keys once more so a misconfigured key fails here, not on first page.
    crypto.id_number_blind_index("000000000000000000")
    return result


def demo_travellers_load(*, seed: int = 2026, limit: int = 700) -> int:
    """Run the demo campaign's matching round, answer offers, plan and confirm the trips.

    Every step goes through the same services as the pages, acting as the demo admin, so
    headcounts, worker statuses and the audit log stay consistent. The demo HR logins'
    candidates come first: some are left for HR to decide (offered, or accepted by the
    worker), the rest are confirmed and get seats, so HR has arrivals to check in. Up to
    ``limit`` offers are answered in all. Some workers were placed months ago (see
    :func:`_placements_past`). Does nothing if the campaign already has a finished round.
    """
    from matching.models import MatchRound, RoundStatus
    from matching.rounds import round_execute

    campaign = Campaign.objects.get(code=DEMO_CAMPAIGN)
    if MatchRound.objects.filter(campaign=campaign, status=RoundStatus.SUCCEEDED).exists():
        return 0
    admin = User.objects.get(username="admin")
    rng = random.Random(seed)
    calendar = demo_calendar()
    with transaction.atomic():
        _placements_past(rng, admin, calendar)
    round_ = MatchRound.objects.create(campaign=campaign, seed=seed, created_by=admin)
    round_execute(round_id=round_.pk, task_id="demo")
    # One transaction for ~2,800 service calls: on SQLite a commit each costs a disk sync.
    with transaction.atomic():
        confirmed = _offers_answer(rng, admin, round_, limit)
    _transport_plan_confirm(admin, campaign, seed)
    return confirmed


def _offers_answer(rng: random.Random, admin: User, round_, limit: int) -> int:
    from matching import services as matching_services
    from matching.models import Match, MatchStatus

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


def _transport_plan_confirm(admin: User, campaign: Campaign, seed: int) -> None:
    """Plan the confirmed travellers onto the demo trips and confirm the plan, as the
    coordinator would on the plan page; the planner runs here rather than in Celery."""
    from transport import services as transport_services
    from transport.models import TransportPlan
    from transport.runs import plan_execute

    if TransportPlan.objects.filter(campaign=campaign).exists():
        return
    plan = TransportPlan.objects.create(
        campaign=campaign,
        version=1,
        seed=seed,
        params=transport_services.plan_params_clean(seed=seed, params=None),
        created_by=admin,
    )
    if plan_execute(plan_id=plan.pk, task_id="demo"):
        plan.refresh_from_db()
        transport_services.plan_confirm(actor=admin, plan=plan)


# Workers placed before the demo's campaign: arrived and checked in 1–6 months ago, so that
# follow-ups and retention have history. Their vacancies belong to no campaign.
_PAST_PLACEMENTS = 60


def _placements_past(rng: random.Random, admin: User, calendar: DemoCalendar) -> int:
    from matching import services as matching_services
    from matching.models import Match, MatchStatus
    from workers.models import Employment

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
        Employment.objects.filter(vacancy=vacancy).update(started_on=started)
    return placed
