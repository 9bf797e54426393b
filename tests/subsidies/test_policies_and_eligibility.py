"""Policies as data, the stored eligibility run and applications (subsidies.services)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from laborbridge.models import AuditEvent, Region
from subsidies import services
from subsidies.models import (
    Application,
    ApplicationSource,
    EligibilityResult,
    EligibilityRun,
    EligibilityRunStatus,
    Policy,
)
from tests.documents import pdf_bytes
from tests.factories import ANDING, HUANGDAO, TONGWEI, EmployerFactory, place_worker
from workers.models import PovertyStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def gansu(db):
    call_command("load_subsidy_policies", verbosity=0)
    return Policy.objects.get(code="gansu-2024-transport")


def placed(
    *,
    months_ago_days: int,
    status=PovertyStatus.POVERTY_ALLEVIATED,
    county=ANDING,
    district=HUANGDAO,
):
    employment = place_worker(EmployerFactory(district_id=district), county=county)
    since = timezone.localdate() - dt.timedelta(days=months_ago_days)
    employment.started_on = since
    employment.working_since = since
    employment.current_workplace_id = district
    employment.current_employer_name = employment.employer.name
    employment.save()
    employment.worker.poverty_status = status
    employment.worker.save(update_fields=["poverty_status"])
    return employment


def test_reference_policies_load_idempotently(gansu):
    assert gansu.source_document == "甘人社通〔2024〕155号"
    assert "财政厅" in gansu.issuing_bodies
    amounts = sorted((a.zone, a.province_id, a.amount) for a in gansu.amounts.all())
    assert ("named_province", "610000", 400) in amounts
    assert ("named_province", "640000", 400) in amounts
    assert ("other_province", None, 600) in amounts
    assert len(amounts) == 5
    assert Policy.objects.get(code="heilongjiang-job-retention").is_active is False
    call_command("load_subsidy_policies", verbosity=0)
    assert Policy.objects.count() == 5
    assert gansu.amounts.count() == 5


def test_amount_table_is_validated(gansu, coordinator):
    values = {
        "name": "x",
        "kind": "transport",
        "issuing_region": Region.objects.get(pk="620000"),
        "year": 2025,
        "target_groups": ["monitored"],
        "code": "x-2025",
    }
    with pytest.raises(ValidationError, match="金额"):
        services.policy_save(
            actor=coordinator, values=values, amounts=[{"zone": "any", "amount": 0}]
        )
    with pytest.raises(ValidationError, match="省份"):
        services.policy_save(
            actor=coordinator, values=values, amounts=[{"zone": "named_province", "amount": 400}]
        )
    policy = services.policy_save(
        actor=coordinator, values=values, amounts=[{"zone": "any", "amount": 500}]
    )
    assert AuditEvent.objects.filter(
        action="subsidy.policy_created", target_id=str(policy.pk)
    ).exists()


def test_coordinator_may_not_write_policies_of_another_area(coordinator, official_a):
    qinghai = Region.objects.get(pk="630000")
    values = {
        "name": "x",
        "kind": "job_retention",
        "issuing_region": qinghai,
        "year": 2025,
        "target_groups": ["monitored"],
        "code": "qh",
    }
    with pytest.raises(PermissionDenied):
        services.policy_save(
            actor=coordinator, values=values, amounts=[{"zone": "any", "amount": 1}]
        )
    with pytest.raises(PermissionDenied):
        services.policy_save(
            actor=official_a,
            values={**values, "issuing_region": Region.objects.get(pk="620000")},
            amounts=[{"zone": "any", "amount": 1}],
        )


def test_eligibility_run_stores_results_with_reasons(gansu, official_a):
    ok = placed(months_ago_days=120)
    soon = placed(months_ago_days=40)
    general = placed(months_ago_days=120, status=PovertyStatus.NONE)
    other_county = placed(months_ago_days=120, county=TONGWEI)
    run = services.eligibility_run_create(
        actor=official_a, policy=gansu, county=Region.objects.get(pk=ANDING)
    )
    services.eligibility_run_execute(run.pk, "test")  # what the Celery task runs
    run.refresh_from_db()
    assert run.status == EligibilityRunStatus.DONE
    assert run.counts == {"eligible": 1, "not_yet": 1, "not_eligible": 1}
    results = {r.worker_id: r for r in EligibilityResult.objects.filter(policy=gansu)}
    assert other_county.worker_id not in results
    assert results[ok.worker_id].outcome == "eligible" and results[ok.worker_id].amount == 600
    assert results[soon.worker_id].outcome == "not_yet"
    assert results[soon.worker_id].reasons[0][0] == "months_short"
    assert results[general.worker_id].reasons == [["target_group", {"status": "none"}]]


def test_organised_travel_is_not_eligible(gansu):
    from transport.models import Seat

    employment = placed(months_ago_days=120)
    assert not Seat.objects.filter(worker=employment.worker).exists()
    counts = services.eligibility_compute(
        policy=gansu, county_id=ANDING, today=timezone.localdate()
    )
    assert counts["eligible"] == 1


def test_auto_create_is_idempotent_and_one_by_one_refuses_duplicates(gansu, official_a):
    first = placed(months_ago_days=120)
    placed(months_ago_days=100)
    placed(months_ago_days=10)  # not yet
    anding = Region.objects.get(pk=ANDING)
    made = services.applications_create_for_eligible(actor=official_a, policy=gansu, county=anding)
    assert len(made) == 2
    assert {a.source for a in made} == {ApplicationSource.AUTOMATIC}
    assert {a.amount for a in made} == {600}
    assert (
        services.applications_create_for_eligible(actor=official_a, policy=gansu, county=anding)
        == []
    )
    assert Application.objects.count() == 2
    with pytest.raises(ValidationError, match="已有同类补贴申请"):
        services.application_create(actor=official_a, policy=gansu, worker=first.worker)


def test_one_by_one_refuses_not_eligible_with_reasons(gansu, official_a, official_b):
    young = placed(months_ago_days=20)
    with pytest.raises(ValidationError, match="再工作"):
        services.application_create(actor=official_a, policy=gansu, worker=young.worker)
    ok = placed(months_ago_days=120)
    with pytest.raises(PermissionDenied):
        services.application_create(actor=official_b, policy=gansu, worker=ok.worker)
    application = services.application_create(actor=official_a, policy=gansu, worker=ok.worker)
    assert application.policy_year == 2024 and application.zone == "other_province"


def test_the_database_refuses_a_second_subsidy_of_a_kind_in_a_year(gansu, official_a):
    from django.db import IntegrityError, transaction

    ok = placed(months_ago_days=120)
    application = services.application_create(actor=official_a, policy=gansu, worker=ok.worker)
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(
            policy=gansu,
            policy_kind=gansu.kind,
            policy_year=gansu.year,
            worker=ok.worker,
            county_id=ANDING,
            amount=600,
            source="officer",
        )
    application.status = "rejected"
    application.save()
    again = services.application_create(actor=official_a, policy=gansu, worker=ok.worker)
    assert again.pk != application.pk


def test_history_change_marks_result_stale(gansu, official_a):
    employment = placed(months_ago_days=120)
    run = services.eligibility_run_create(
        actor=official_a, policy=gansu, county=Region.objects.get(pk=ANDING)
    )
    services.eligibility_run_execute(run.pk, "test")
    assert services.eligibility_stale_workers(policy=gansu, county_id=ANDING) == []
    employment.working_since = None  # as placement's services store a 离职
    employment.save()
    assert services.eligibility_stale_workers(policy=gansu, county_id=ANDING) == [
        employment.worker_id
    ]
    services.eligibility_refresh_workers(
        policy=gansu, county_id=ANDING, worker_ids=[employment.worker_id]
    )
    result = EligibilityResult.objects.get(policy=gansu, worker=employment.worker)
    assert result.outcome == "not_eligible"
    assert ["not_working", {}] in result.reasons
    assert services.eligibility_stale_workers(policy=gansu, county_id=ANDING) == []


PDF = pdf_bytes()


def test_evidence_checked_encrypted_and_scoped(gansu, official_a, official_b, coordinator, hr_x):
    ok = placed(months_ago_days=120)
    application = services.application_create(actor=official_a, policy=gansu, worker=ok.worker)
    with pytest.raises(ValidationError, match="PDF"):
        services.evidence_add(
            actor=official_a,
            application=application,
            kind="labour_contract",
            file_name="a.exe",
            data=b"MZ\x90\x00",
        )
    with pytest.raises(ValidationError, match="MB"):
        services.evidence_add(
            actor=official_a,
            application=application,
            kind="labour_contract",
            file_name="a.pdf",
            data=PDF + b"0" * services.MAX_EVIDENCE_BYTES,
        )
    with pytest.raises(PermissionDenied):
        services.evidence_add(
            actor=official_b,
            application=application,
            kind="labour_contract",
            file_name="a.pdf",
            data=PDF,
        )
    # A contract that runs JavaScript when opened is refused, with the reason on the file.
    with pytest.raises(ValidationError) as caught:
        services.evidence_add(
            actor=official_a,
            application=application,
            kind="labour_contract",
            file_name="合同.pdf",
            data=pdf_bytes(javascript="app.launchURL('http://example.invalid')"),
        )
    assert "可执行内容（JavaScript）" in caught.value.message_dict["file"][0]
    assert not application.evidence.exists()
    evidence = services.evidence_add(
        actor=official_a,
        application=application,
        kind="labour_contract",
        file_name="合同.pdf",
        data=PDF,
    )
    assert PDF not in bytes(evidence.file_data)
    assert services.evidence_read(actor=coordinator, evidence=evidence) == PDF
    for outsider in (official_b, hr_x):
        with pytest.raises(PermissionDenied):
            services.evidence_read(actor=outsider, evidence=evidence)
    services.pledge_record(
        actor=official_a, application=application, signed_on=timezone.localdate()
    )
    application.refresh_from_db()
    assert application.pledge_signed_on == timezone.localdate()


def test_eligibility_refuses_outsiders(gansu, official_b, hr_x, liaison):
    anding = Region.objects.get(pk=ANDING)
    for outsider in (official_b, hr_x, liaison):
        with pytest.raises(PermissionDenied):
            services.eligibility_run_create(actor=outsider, policy=gansu, county=anding)
    assert not EligibilityRun.objects.exists()
