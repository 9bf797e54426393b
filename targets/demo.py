"""Demo agreement: this year's Qingdao–Dingxi labour-cooperation agreement with targets for
the whole pairing and for Anding and Tongwei, so the dashboards draw a target line. Safe to
run again (targets are set, not added)."""

from django.db import transaction
from django.utils import timezone

from laborbridge.models import Pairing, Region, User
from targets import services
from targets.aggregates import aggregates_refresh
from targets.models import Bucket

QINGDAO, DINGXI = "370200", "621100"
ANDING, TONGWEI = "621102", "621121"
# (county or None for the whole pairing, bucket, placed, of which 脱贫, of which 监测)
_TARGETS = [
    (None, Bucket.CROSS_PROVINCE, 1200, 900, 60),
    (None, Bucket.IN_PROVINCE, 600, 420, 30),
    (None, Bucket.IN_COUNTY, 300, 200, 15),
    (ANDING, Bucket.CROSS_PROVINCE, 400, 300, 20),
    (ANDING, Bucket.IN_PROVINCE, 150, 100, 8),
    (TONGWEI, Bucket.CROSS_PROVINCE, 300, 220, 15),
    (TONGWEI, Bucket.IN_PROVINCE, 120, 80, 6),
]


def demo_targets_step(*, base_url: str) -> list[str]:
    """The demo step (``laborbridge.registry``): load and say where to look."""
    agreement = demo_targets_load()
    aggregates_refresh()  # the dashboards read the aggregates: built from the demo's rows
    if agreement is None:
        return ["Targets: skipped (no Qingdao–Dingxi pairing or coordinator)."]
    return [
        f"Targets: {agreement.title} with {agreement.targets.count()} targets; the coordinator "
        f"sees the dashboard at {base_url}/targets/, the two lists at {base_url}/targets/lists/."
    ]


@transaction.atomic
def demo_targets_load():
    """Create (or refresh) this year's demo agreement and its targets; return it."""
    pairing = Pairing.objects.filter(east_region_id=QINGDAO, west_region_id=DINGXI).first()
    actor = User.objects.filter(username="coordinator").first()
    if pairing is None or actor is None:
        return None
    year = timezone.localdate().year
    agreement = services.agreement_save(
        actor=actor,
        pairing=pairing,
        year=year,
        title=f"{year}年青岛—定西劳务协作落实协议",
        note="演示数据",
    )
    counties = {region.pk: region for region in Region.objects.filter(pk__in=[ANDING, TONGWEI])}
    for county, bucket, placed, poverty, monitored in _TARGETS:
        services.target_set(
            actor=actor,
            agreement=agreement,
            county=counties.get(county) if county else None,
            bucket=bucket,
            placed=placed,
            poverty=poverty,
            monitored=monitored,
        )
    return agreement
