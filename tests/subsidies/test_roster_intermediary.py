"""The county roster records who brought a worker (输转中介, issue 14): the 输转中介 column
names one of the county's intermediaries (through the hook subsidies registers in
workers.roster_links), unknown or other counties' names are row/column errors, a change of
intermediary on a re-import is an update, and the bonus reads the links the import wrote."""

import datetime as dt

import pytest

from laborbridge.models import AuditEvent, Region
from subsidies import intermediaries
from subsidies.models import IntermediaryKind, IntermediaryReferral
from tests.factories import ANDING, TONGWEI
from tests.imports.helpers import celery_eager_fixture, id_number, run_import, xlsx_bytes
from workers.models import Worker
from workers.roster_links import intermediary_hook

pytestmark = pytest.mark.django_db
celery_eager = pytest.fixture(autouse=True)(celery_eager_fixture)

HEADERS = ["姓名", "身份证号", "手机号", "带头人"]


def _intermediary(official, name, county=ANDING):
    return intermediaries.intermediary_create(
        actor=official,
        county=Region.objects.get(pk=county),
        name=name,
        kind=IntermediaryKind.TEAM_LEADER,
    )


def test_subsidies_registers_the_hook():
    assert intermediary_hook() is not None


def test_roster_sets_the_intermediary_and_reports_unknown_names(
    official_a, official_b, django_capture_on_commit_callbacks
):
    wang = _intermediary(official_a, "王带头")
    li = _intermediary(official_a, "李经纪")
    _intermediary(official_b, "通渭张中介", county=TONGWEI)
    people = [id_number(ANDING, dt.date(1990, 1, 2), n) for n in (61, 62, 63, 64)]
    rows = [
        HEADERS,
        ["甲", people[0], "13700000061", "王带头"],
        ["乙", people[1], "13700000062", " 王带头 "],
        ["丙", people[2], "13700000063", "赵不存在"],
        ["丁", people[3], "13700000064", "通渭张中介"],  # another county's: unknown here
    ]
    job = run_import(django_capture_on_commit_callbacks, official_a, xlsx_bytes(rows), commit=True)
    assert job.result["created"] == 2
    assert [(e["row"], e["column"]) for e in job.errors] == [(4, "带头人"), (5, "带头人")]
    assert "赵不存在" in job.errors[0]["message"] and "输转中介" in job.errors[0]["message"]
    referrals = dict(IntermediaryReferral.objects.values_list("worker__name", "intermediary_id"))
    assert referrals == {"甲": wang.pk, "乙": wang.pk}
    assert AuditEvent.objects.filter(action="subsidy.intermediary_worker_link").count() == 2

    # Re-import: one person moves to another intermediary, the other is unchanged.
    again = [HEADERS, ["甲", people[0], "13700000061", "李经纪"], rows[2]]
    job = run_import(django_capture_on_commit_callbacks, official_a, xlsx_bytes(again), commit=True)
    assert (job.result["updated"], job.result.get("unchanged", 1)) == (1, 1)
    first = Worker.objects.get(name="甲")
    assert IntermediaryReferral.objects.get(worker=first).intermediary == li
    audit = AuditEvent.objects.filter(action="subsidy.intermediary_worker_link").latest("id")
    assert audit.changes["intermediary"] == [wang.pk, li.pk]
    [row] = intermediaries.bonus_rows(
        intermediaries.access.subsidy_intermediaries_visible_to(official_a).filter(pk=li.pk),
        policy=_a_bonus_policy(),
    )
    assert row.moved == 1


def _a_bonus_policy():
    from subsidies.models import Policy, PolicyAmount, PolicyKind

    policy = Policy.objects.create(
        code="roster-bonus",
        name="输转奖补（测试）",
        kind=PolicyKind.INTERMEDIARY_BONUS,
        issuing_region_id="620000",
        year=2026,
        target_groups=["poverty_alleviated", "monitored"],
        min_consecutive_months=3,
        min_workers_moved=5,
    )
    PolicyAmount.objects.create(policy=policy, zone="any", amount=100)
    return policy
