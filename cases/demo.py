"""The cases app's demo rows: in the Qingdao–Dingxi pairing, a wage-arrears complaint the
worker filed from their personal link a few days ago, and one an official filed on a
worker's behalf three weeks ago that is now past its deadline (and reminded once)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from cases import services
from cases.models import Case, CaseKind, CaseStep, OpenedVia, Sector
from laborbridge.models import Pairing, User
from workers.models import Employment

DEMO_PAIRING = "qingdao-dingxi"


def _backdate(case: Case, days: int) -> None:
    """Move a demo case (and its steps) ``days`` back, deadline with it."""
    shift = dt.timedelta(days=days)
    Case.objects.filter(pk=case.pk).update(
        created_at=case.created_at - shift, deadline=case.deadline - shift
    )
    for step in CaseStep.objects.filter(case=case):
        CaseStep.objects.filter(pk=step.pk).update(created_at=step.created_at - shift)


@transaction.atomic
def demo_cases_load(*, base_url: str) -> list[str]:
    """Open the two demo wage cases (nothing when cases exist); return lines to print."""
    if Case.objects.exists():
        return []
    today = timezone.localdate()
    pairing = Pairing.objects.select_related("east_region", "west_region").get(code=DEMO_PAIRING)
    employments = list(
        Employment.objects.filter(
            worker__home_county__code__startswith=pairing.west_region.prefix,
            employer__district__code__startswith=pairing.east_region.prefix,
            started_on__lte=today - dt.timedelta(days=60),
        )
        .select_related("worker", "employer")
        .order_by("started_on", "pk")[:2]
    )
    if len(employments) < 2:
        return ["Demo cases: none (no workers placed two months ago; load the travellers)."]
    official = User.objects.filter(is_superuser=True).order_by("pk").first()
    this_month = today.replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    recent = services.open_case(
        worker=employments[0].worker,
        employment=employments[0],
        kind=CaseKind.WAGE_ARREARS,
        opened_via=OpenedVia.WORKER_LINK,
        description="上个月的工资到现在还没发，问了班组长说再等等。",
        sector=Sector.NON_CONSTRUCTION,
        owed_from=last_month,
        owed_to=last_month,
        amount_owed=5600,
    )
    _backdate(recent, 3)
    overdue = services.open_case(
        worker=employments[1].worker,
        employment=employments[1],
        kind=CaseKind.WAGE_ARREARS,
        opened_via=OpenedVia.OFFICIAL,
        by=official,
        description="本人电话反映：两个月加班费未结算，企业称要等年底统一结。",
        sector=Sector.NON_CONSTRUCTION,
        owed_from=(last_month - dt.timedelta(days=1)).replace(day=1),
        owed_to=last_month,
        amount_owed=3200,
    )
    _backdate(overdue, services.deadline_days(CaseKind.WAGE_ARREARS) + 6)
    services.cases_overdue_notify(today=today)
    return [
        f"Demo cases: wage arrears of {recent.worker.name} (3 days ago) and of "
        f"{overdue.worker.name} (overdue) at {base_url}/cases/."
    ]
