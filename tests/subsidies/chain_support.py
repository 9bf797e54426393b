"""Builders for the approval-chain and payment tests (issue 14, H5): a transport policy with a
budget, and applications of placed workers of Anding's townships at a given status."""

import datetime as dt

from django.utils import timezone

from laborbridge.models import User
from subsidies.models import (
    Application,
    ApplicationSource,
    ApplicationStatus,
    Notice,
    Policy,
    PolicyBudget,
    PolicyKind,
)
from tests.factories import ANDING, FENGXIANG, EmployerFactory, place_worker

GANSU = "620000"


def policy_with_budget(*, budget: int = 100_000, notice_days: int = 7, code: str = "t24"):
    policy = Policy.objects.create(
        code=code,
        name="甘肃省脱贫劳动力一次性交通补贴",
        kind=PolicyKind.TRANSPORT,
        issuing_region_id=GANSU,
        year=2024,
        target_groups=["poverty_alleviated", "monitored"],
        min_consecutive_months=3,
        evidence_kinds=["labour_contract"],
        notice_days=notice_days,
    )
    PolicyBudget.objects.create(policy=policy, county_id=ANDING, amount=budget)
    return policy


def application(
    policy,
    *,
    status: str = ApplicationStatus.DRAFT,
    township: str = FENGXIANG,
    amount: int = 600,
    employer=None,
    county: str = ANDING,
    name: str = "",
):
    employment = place_worker(employer or EmployerFactory(), county=county)
    worker = employment.worker
    worker.home_township_id = township
    if name:
        worker.name = name
    worker.save(update_fields=["home_township", "name"])
    app = Application.objects.create(
        policy=policy,
        policy_kind=policy.kind,
        policy_year=policy.year,
        worker=worker,
        county_id=county,
        township_id=township,
        employment=employment,
        work_started_on=employment.started_on,
        workplace_id=employment.employer.district_id,
        employer_name=employment.employer.name,
        months_worked=4,
        amount=amount,
        amount_frozen=amount if status in ("approved", "paid", "payment_failed") else None,
        status=status,
        source=ApplicationSource.AUTOMATIC,
    )
    level = {"township_notice": "township", "county_notice": "county"}.get(status)
    if level:  # on a notice that ended last week
        publisher, _ = User.objects.get_or_create(username="notice_publisher")
        notice = Notice.objects.create(
            policy=policy,
            level=level,
            county_id=county,
            township_id=township if level == "township" else None,
            starts_on=days_ago(14),
            ends_on=days_ago(8),
            published_by=publisher,
        )
        notice.applications.add(app)
    return app


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)
