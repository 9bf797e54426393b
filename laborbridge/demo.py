"""Realistic synthetic demo data: Dingxi workers, Qingdao/Jiaozhou employers and vacancies.

Everything is derived from a fixed seed and keyed by natural identifiers (ID-number blind
index, credit code, username, campaign code), so loading twice adds nothing the second time.
The ID numbers and credit codes carry valid checksums but belong to nobody.

Every date is relative to the day the demo is loaded (:class:`DemoCalendar`): the demo's
campaigns are open now (one more is upcoming), the special train leaves in two weeks, the
vacancies start after it arrives. The reference campaigns (``campaigns.json``, fixed 2026
dates) are left as they are: the demo adds its own campaigns, keyed by code, and moves
their dates when it is loaded again on a later day.

The demo is assembled floor by floor: this module holds what every floor shares (the
calendar, the demo's campaigns, the ground's logins and the generators of valid-looking
identifiers); ``workers.demo``, ``jobs.demo``, ``matching.demo`` and ``transport.demo`` add
their rows; ``manage.py demo`` (a command of the top floor, transport) calls them in floor
order.
"""

import datetime as dt
import random
from dataclasses import dataclass, field

from django.utils import timezone

from laborbridge.identifiers import credit_code_check_char, id_number_check_char
from laborbridge.models import Campaign, Pairing, Region, Role, User

DEMO_PASSWORD = "demo-2026!"  # printed by the command; a demo site only
# The Qingdao workstation liaison's phone: fictional, in a real mobile segment (the worker's
# page and travel notice show it; the return coaches' escort answers on it).
DEMO_LIAISON_PHONE = "13905321717"
DINGXI, QINGDAO, TONGWEI, ANDING, JIAOZHOU = "621100", "370200", "621121", "621102", "370281"
ANDING_FENGXIANG = "621102101"  # 凤翔镇, Anding's seat

# Bulk size for demo rows: 500 rows per INSERT keeps SQLite under its variable limit and
# loads 2,000 workers in about a second.
_BATCH = 500

_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段漕钱汤尹黎易常武乔贺赖龚文"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建军小红志强海燕春梅晓东玉兰永红卫东德明红霞金凤文博子豪浩然欣怡俊杰雨轩梓涵宇航"


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


def _login(username: str, full_name: str, **scope) -> User:
    user, _ = User.objects.update_or_create(
        username=username,
        defaults={"first_name": full_name, "is_active": True, **scope},
    )
    user.set_password(DEMO_PASSWORD)
    user.save(update_fields=["password"])
    return user


def demo_reference_check() -> None:
    """Fail with the command to run when the reference data is not loaded."""
    if not Region.objects.filter(pk=DINGXI).exists():
        raise RuntimeError("Reference data is missing: run `manage.py load_reference` first.")


def demo_ground_logins() -> list[tuple[str, str, str]]:
    """Create the admin, coordinator and county official logins; return the printed rows."""
    pairing = Pairing.objects.get(east_region_id=QINGDAO, west_region_id=DINGXI)
    specs = [
        ("admin", "系统管理员", {"role": Role.ADMIN, "is_staff": True, "is_superuser": True}),
        (
            "coordinator",
            "青岛—定西协作专员",
            {"role": Role.COORDINATOR, "pairing": pairing, "is_staff": True},
        ),
        ("official_anding", "安定区人社局", {"role": Role.COUNTY_OFFICIAL, "county_id": ANDING}),
        ("official_tongwei", "通渭县人社局", {"role": Role.COUNTY_OFFICIAL, "county_id": TONGWEI}),
        # Anding's 凤翔镇: the township labour officer of the subsidy chain (issue 14).
        (
            "township_anding",
            "安定区凤翔镇劳务专干",
            {"role": Role.TOWNSHIP_OFFICER, "township_id": ANDING_FENGXIANG},
        ),
        # The whole of Qingdao (no districts chosen): Dingxi's workstation liaison there.
        (
            "liaison_qd",
            "定西驻青岛劳务工作站",
            {"role": Role.LIAISON, "pairing": pairing, "phone": DEMO_LIAISON_PHONE},
        ),
    ]
    return demo_logins_create(specs)


def demo_logins_create(specs) -> list[tuple[str, str, str]]:
    """Create or refresh the logins of ``specs`` (username, full name, scope); return rows."""
    rows = []
    for username, full_name, scope in specs:
        user = _login(username, full_name, **scope)
        rows.append((username, DEMO_PASSWORD, user.get_role_display()))
    return rows
