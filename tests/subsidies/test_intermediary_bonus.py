"""The intermediary bonus (输转奖补, issue 14): the pure decision, recording agencies and team
leaders and the workers they moved, the county official's page and .xlsx, and refusals of
other counties, HR, another pairing's coordinator and anonymous visitors."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone, translation
from openpyxl import load_workbook

from laborbridge.models import AuditEvent, Pairing, Role
from subsidies import eligibility as e
from subsidies import intermediaries
from subsidies.intermediary_bonus import R_TOO_FEW_MOVED, bonus_evaluate
from subsidies.models import (
    Intermediary,
    IntermediaryKind,
    IntermediaryReferral,
    Policy,
    PolicyAmount,
    PolicyKind,
)
from tests.factories import ANDING, HUANGDAO, TONGWEI, EmployerFactory, make_user, place_worker
from workers.models import PovertyStatus

TODAY = dt.date(2026, 9, 1)
RULE = e.Rule(
    year=2026,
    target_groups=frozenset({"poverty_alleviated", "monitored"}),
    amounts=(e.AmountRow(zone=e.ANY, amount=100),),
    min_consecutive_months=3,
)


def _person(pk: int, since: dt.date | None, status: str = "poverty_alleviated"):
    return (
        pk,
        e.WorkerFacts(status, dt.date(1990, 1, 1), ANDING),
        e.SpellFacts(since, "370211" if since else None),
    )


# --- the pure decision ---------------------------------------------------------------


def test_five_who_stayed_three_months_pay_100_a_head():
    people = [_person(i, dt.date(2026, 5, 1)) for i in range(6)]
    people.append(_person(9, dt.date(2026, 5, 1), status="none"))  # not poor: not counted
    verdict = bonus_evaluate(people, RULE, min_workers=5, today=TODAY)
    assert verdict.outcome == e.ELIGIBLE
    assert verdict.qualifying == 6
    assert verdict.amount == 600
    not_counted = dict(verdict.workers)[9]
    assert not_counted.outcome == e.NOT_ELIGIBLE
    assert not_counted.reasons[0].key == e.R_TARGET_GROUP


def test_four_now_and_one_more_in_three_weeks_is_not_yet_with_the_date():
    people = [_person(i, dt.date(2026, 5, 1)) for i in range(4)]
    people.append(_person(5, dt.date(2026, 6, 20)))  # 3 months on 20 Sep
    verdict = bonus_evaluate(people, RULE, min_workers=5, today=TODAY)
    assert verdict.outcome == e.NOT_YET
    assert verdict.eligible_on == dt.date(2026, 9, 20)
    assert verdict.amount == 0
    assert verdict.reasons[0].key == R_TOO_FEW_MOVED
    assert dict(verdict.reasons[0].params) == {
        "count": 4,
        "required": 5,
        "date": dt.date(2026, 9, 20),
    }


def test_too_few_and_no_one_coming_is_not_eligible():
    people = [_person(1, dt.date(2026, 5, 1)), _person(2, None)]
    verdict = bonus_evaluate(people, RULE, min_workers=5, today=TODAY)
    assert verdict.outcome == e.NOT_ELIGIBLE
    assert dict(verdict.reasons[0].params) == {"count": 1, "required": 5}
    assert e.R_NOT_WORKING in {r.key for r in dict(verdict.workers)[2].reasons}


# --- data, services, pages --------------------------------------------------------------


@pytest.fixture
def bonus_policy(db):
    policy = Policy.objects.create(
        code="gansu-test-intermediary",
        name="输转奖补（测试）",
        kind=PolicyKind.INTERMEDIARY_BONUS,
        issuing_region_id="620000",
        year=2026,
        target_groups=["poverty_alleviated", "monitored"],
        min_consecutive_months=3,
        min_workers_moved=2,
    )
    PolicyAmount.objects.create(policy=policy, zone="any", amount=100)
    return policy


def _placed(days: int, county: str = ANDING):
    employment = place_worker(EmployerFactory(district_id=HUANGDAO), county=county)
    since = timezone.localdate() - dt.timedelta(days=days)
    employment.started_on = since
    employment.working_since = since
    employment.current_workplace_id = HUANGDAO
    employment.save()
    employment.worker.poverty_status = PovertyStatus.POVERTY_ALLEVIATED
    employment.worker.save(update_fields=["poverty_status"])
    return employment.worker


@pytest.fixture
def leader(official_a):
    from laborbridge.models import Region

    return intermediaries.intermediary_create(
        actor=official_a,
        county=Region.objects.get(pk=ANDING),
        name="王带头",
        kind=IntermediaryKind.TEAM_LEADER,
        phone="13900000000",
    )


@pytest.mark.django_db
def test_the_zhouqu_rule_ships_as_reference_data():
    call_command("load_subsidy_policies", verbosity=0)
    zhouqu = Policy.objects.get(code="zhouqu-2020-intermediary-bonus")
    assert zhouqu.kind == PolicyKind.INTERMEDIARY_BONUS
    assert (zhouqu.year, zhouqu.min_workers_moved, zhouqu.min_consecutive_months) == (2020, 5, 3)
    assert [(a.zone, a.amount) for a in zhouqu.amounts.all()] == [("any", 100)]
    assert zhouqu.issuing_region_id == "623023"
    # the county's own published notice is the source; it carries no document number
    assert zhouqu.issuing_bodies == "舟曲县人民政府"
    assert zhouqu.source_url.startswith("http://www.zqx.gov.cn/")
    assert zhouqu.source_document == ""


@pytest.mark.django_db
def test_bonus_from_the_employment_history_and_audited(
    bonus_policy, leader, official_a, official_b, hr_x, coordinator
):
    translation.activate("zh-hans")  # reasons are words in the active language
    stayed = [_placed(120), _placed(100)]
    fresh = _placed(10)
    for worker in (*stayed, fresh):
        intermediaries.intermediary_worker_link(
            actor=official_a, intermediary=leader, worker=worker
        )
    assert AuditEvent.objects.filter(action="subsidy.intermediary_worker_link").count() == 3
    [row] = intermediaries.bonus_rows(
        Intermediary.objects.filter(pk=leader.pk), bonus_policy, with_workers=True
    )
    assert (row.moved, row.verdict.qualifying, row.verdict.amount) == (3, 2, 200)
    reasons = {line.worker.pk: line.reasons for line in row.workers}
    assert "再工作" in reasons[fresh.pk][0]
    # The history changes: one of the two left work, the bonus follows.
    employment = stayed[0].employments.get()
    employment.working_since = None
    employment.save(update_fields=["working_since"])
    [row] = intermediaries.bonus_rows(Intermediary.objects.filter(pk=leader.pk), bonus_policy)
    assert (row.verdict.qualifying, row.verdict.amount) == (1, 0)
    assert "不足 2 人" in row.reasons[0]
    # Another county's worker, another county's official, HR and coordinator cannot record.
    with pytest.raises(ValidationError):
        intermediaries.intermediary_worker_link(
            actor=official_a, intermediary=leader, worker=_placed(120, county=TONGWEI)
        )
    for user in (official_b, hr_x, coordinator):
        with pytest.raises(PermissionDenied):
            intermediaries.intermediary_worker_link(
                actor=user, intermediary=leader, worker=stayed[1]
            )


@pytest.mark.django_db
def test_page_xlsx_and_refusals(client, bonus_policy, leader, official_a, official_b, hr_x):
    worker = _placed(120)
    _placed(100)
    client.force_login(official_a)
    page = client.get("/subsidies/intermediaries/")
    assert page.status_code == 200
    assert "王带头" in page.content.decode()
    response = client.post(
        f"/subsidies/intermediaries/{leader.pk}/link/",
        {"id_number": worker.reveal_id_number()},
    )
    assert response.status_code == 302
    assert IntermediaryReferral.objects.get(worker=worker).intermediary == leader
    detail = client.get(f"/subsidies/intermediaries/{leader.pk}/?policy={bonus_policy.pk}")
    assert worker.name in detail.content.decode()
    assert "不足 2 人" in detail.content.decode()
    export = client.get(f"/subsidies/intermediaries/xlsx/?policy={bonus_policy.pk}")
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[1][1] == "王带头" and rows[1][4] == 1 and rows[1][6] == 0
    created = client.post(
        "/subsidies/intermediaries/new/",
        {"name": "安定劳务公司", "kind": IntermediaryKind.AGENCY, "phone": ""},
    )
    assert created.status_code == 302
    assert Intermediary.objects.filter(name="安定劳务公司", county_id=ANDING).exists()

    other_pairing = make_user(
        "coordinator_ln",
        Role.COORDINATOR,
        pairing=Pairing.objects.get(east_region_id="370200", west_region_id="621200"),
    )
    for user in (official_b, other_pairing):
        client.force_login(user)
        assert "王带头" not in client.get("/subsidies/intermediaries/").content.decode()
        assert client.get(f"/subsidies/intermediaries/{leader.pk}/").status_code == 404
        link = client.post(f"/subsidies/intermediaries/{leader.pk}/link/", {"id_number": "x"})
        assert link.status_code == 404
    client.force_login(official_b)
    client.post("/subsidies/intermediaries/new/", {"name": "通渭", "kind": "agency"})
    assert Intermediary.objects.get(name="通渭").county_id == TONGWEI
    client.force_login(hr_x)
    assert client.get("/subsidies/intermediaries/").status_code == 403
    assert client.get(f"/subsidies/intermediaries/{leader.pk}/").status_code == 403
    client.logout()
    for url in ("/subsidies/intermediaries/", f"/subsidies/intermediaries/{leader.pk}/"):
        assert client.get(url).status_code == 302  # to the sign-in page


@pytest.mark.django_db
def test_set_on_the_worker_page(client, leader, official_a, official_b, hr_x):
    worker = _placed(120)
    client.force_login(official_a)
    page = client.get(f"/workers/{worker.pk}/").content.decode()
    assert "worker-intermediary" in page and "王带头" in page
    url = f"/subsidies/intermediaries/assign/{worker.pk}/"
    assert client.post(url, {"intermediary": str(leader.pk)}).status_code == 302
    assert IntermediaryReferral.objects.get(worker=worker).intermediary == leader
    for user in (official_b, hr_x):
        client.force_login(user)
        assert client.post(url, {"intermediary": str(leader.pk)}).status_code in (403, 404)
    client.force_login(official_b)
    assert "王带头" not in client.get(f"/workers/{worker.pk}/").content.decode()


@pytest.mark.django_db
def test_pages_read_no_missing_template_variable(
    client, settings, bonus_policy, leader, official_a
):
    settings.TEMPLATES = [
        {**engine, "OPTIONS": {**engine.get("OPTIONS", {}), "string_if_invalid": "@@MISSING@@"}}
        for engine in settings.TEMPLATES
    ]
    worker = _placed(120)
    client.force_login(official_a)

    def check(url):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "@@MISSING@@" not in response.content.decode(), url

    check(f"/workers/{worker.pk}/")  # no intermediary yet: the choice only
    check(f"/subsidies/intermediaries/{leader.pk}/")
    intermediaries.intermediary_worker_link(actor=official_a, intermediary=leader, worker=worker)
    for url in (
        "/subsidies/intermediaries/",
        f"/subsidies/intermediaries/{leader.pk}/?policy={bonus_policy.pk}",
        f"/workers/{worker.pk}/",
    ):
        check(url)
