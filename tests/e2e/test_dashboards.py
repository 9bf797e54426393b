"""Issue 16, dashboards: in a browser the coordinator's pairing dashboard and the county
official's county dashboard draw their ECharts charts with the right data points — read
back from the chart instance (``echarts.getInstanceByDom(el).getOption()``), not only a
canvas — at 1280×800 and 360×800, and the two lists draw the gap."""

import datetime as dt

import pytest
from django.utils import timezone

from laborbridge.models import Pairing, Role
from targets import services
from targets.models import Bucket
from tests.e2e.conftest import login, nav
from tests.factories import ANDING, PASSWORD, TONGWEI, EmployerFactory, make_user
from tests.targets.conftest import placed
from workers.models import PovertyStatus

pytestmark = pytest.mark.django_db(transaction=True)

READ_OPTION = """selector => {
  const el = document.querySelector(selector);
  const chart = window.echarts.getInstanceByDom(el);
  const option = chart.getOption();
  return option.series.map(s => ({type: s.type, name: s.name || null,
    data: (s.data || []).map(d => (d !== null && typeof d === 'object') ? (d.value ?? d) : d),
    links: s.links || null}));
}"""


@pytest.fixture
def world(reference_data):
    today = timezone.localdate()
    pairing = Pairing.objects.get(east_region_id="370200", west_region_id="621100")
    coordinator = make_user("coordinator_dash", Role.COORDINATOR, pairing=pairing)
    make_user("official_dash", Role.COUNTY_OFFICIAL, county_id=ANDING)
    qingdao = EmployerFactory(name="青岛看板电子有限公司", district_id="370214")
    first = dt.date(today.year, 1, 10)
    this_month = dt.date(today.year, today.month, 1)
    placed(qingdao, started_on=first, poverty=PovertyStatus.POVERTY_ALLEVIATED)
    placed(qingdao, started_on=first, county=TONGWEI)
    placed(qingdao, started_on=this_month)
    agreement = services.agreement_save(
        actor=coordinator, pairing=pairing, year=today.year, title="看板测试协议"
    )
    services.target_set(
        actor=coordinator,
        agreement=agreement,
        county=None,
        bucket=Bucket.CROSS_PROVINCE,
        placed=120,
        poverty=60,
    )
    monthly = [0] * 12
    monthly[0] += 2
    monthly[today.month - 1] += 1
    return {"today": today, "monthly": monthly}


def _wait_for_charts(page, count: int) -> None:
    page.wait_for_function(f"document.querySelectorAll('[data-chart-ready]').length === {count}")


def test_pairing_dashboard_draws_the_right_points(page, live_server, world):
    login(page, "coordinator_dash", PASSWORD)
    nav(page, "协作看板")
    _wait_for_charts(page, 4)

    placements = page.evaluate(READ_OPTION, '[data-chart="chart-placements"]')
    assert placements[0]["type"] == "bar" and placements[0]["data"] == world["monthly"]
    month = world["today"].month
    cumulative = placements[1]["data"]
    assert cumulative[month - 1] == 3 and all(v is None for v in cumulative[month:])
    assert placements[2]["data"] == [round(120 * m / 12) for m in range(1, 13)]

    buckets = page.evaluate(READ_OPTION, '[data-chart="chart-buckets"]')
    assert buckets[0]["data"] == [3, 0, 0] and buckets[2]["data"] == [120, 0, 0]

    funnel = page.evaluate(READ_OPTION, '[data-chart="chart-funnel"]')
    assert funnel[0]["type"] == "funnel"
    assert funnel[0]["data"][0] == 3 and funnel[0]["data"][5] == 3  # registered, arrived

    flows = page.evaluate(READ_OPTION, '[data-chart="chart-flows"]')
    links = sorted((link["source"], link["target"], link["value"]) for link in flows[0]["links"])
    assert links == [("安定区", "城阳区", 2), ("通渭县", "城阳区", 1)]
    page.shot("pairing-dashboard")


def test_county_dashboard_and_lists(page, live_server, world):
    login(page, "official_dash", PASSWORD)
    nav(page, "协作看板")
    _wait_for_charts(page, 4)
    placements = page.evaluate(READ_OPTION, '[data-chart="chart-placements"]')
    anding = list(world["monthly"])
    anding[0] -= 1  # the Tongwei worker is not Anding's
    assert placements[0]["data"] == anding
    page.shot("county-dashboard")

    nav(page, "两张清单")
    _wait_for_charts(page, 1)
    gap = page.evaluate(READ_OPTION, '[data-chart="chart-gap"]')
    assert [series["type"] for series in gap] == ["bar", "bar"]
    page.shot("county-lists")
