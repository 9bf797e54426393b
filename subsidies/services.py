"""Writes of subsidies part 1: policies (and their amounts and budgets), eligibility runs,
applications (one by one and 免申即享) and their evidence. Every write is keyword-only,
atomic, scoped through ``laborbridge.access`` and audited."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Callable, Iterable
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from laborbridge import access, crypto, documents
from laborbridge.background import RUNNING, BackgroundJob, RunBusy, run_create, stage_spans
from laborbridge.models import Region, User
from laborbridge.services import audit_record
from subsidies import approval, eligibility
from subsidies.models import (
    Application,
    ApplicationEvidence,
    ApplicationSource,
    ApplicationStatus,
    DestinationZone,
    EligibilityOutcome,
    EligibilityResult,
    EligibilityRun,
    EligibilityRunStatus,
    EvidenceKind,
    Policy,
    PolicyAmount,
    PolicyBudget,
    PolicyKind,
)
from subsidies.models.applications import APPLICATION_CLOSED, EVIDENCE_PURPOSE
from subsidies.models.policies import BUDGET_MAX
from transport.models import Seat, TripDirection
from workers.models import Employment, Worker

REFERENCE_FILE = Path(__file__).resolve().parent / "reference_data" / "policies.json"

# --- policies -------------------------------------------------------------------------------

POLICY_FIELDS = (
    "name",
    "kind",
    "issuing_region",
    "year",
    "source_document",
    "issuing_bodies",
    "source_url",
    "target_groups",
    "min_consecutive_months",
    "organised_travel_excluded",
    "age_min",
    "age_max",
    "once_per_year",
    "min_workers_moved",
    "evidence_kinds",
    "pledge_allowed",
    "notice_days",
    "payment_mode",
    "prepay_amount",
    "pays_to",
    "valid_from",
    "valid_until",
    "notes",
    "is_active",
)
MAX_AMOUNT = 100_000  # yuan per person: anything above is a typing error, not a rule


def _amount_rows(amounts: Iterable[dict]) -> list[PolicyAmount]:
    """Return validated amount rows (zone, province code or None, amount)."""
    rows: list[PolicyAmount] = []
    seen: set[tuple[str, str | None]] = set()
    for number, item in enumerate(amounts, start=1):
        zone = item.get("zone") or ""
        province = item.get("province") or None
        amount = item.get("amount")
        if zone not in DestinationZone.values:
            raise ValidationError(
                _("补贴标准第 %(n)s 行：务工地区“%(zone)s”无效。") % {"n": number, "zone": zone}
            )
        if (zone == DestinationZone.NAMED_PROVINCE) != bool(province):
            raise ValidationError(
                _("补贴标准第 %(n)s 行：只有“指定省份”须填写省份。") % {"n": number}
            )
        if province and not Region.objects.filter(pk=province, level="province").exists():
            raise ValidationError(
                _("补贴标准第 %(n)s 行：省份代码 %(code)s 不存在。")
                % {"n": number, "code": province}
            )
        if not isinstance(amount, int) or isinstance(amount, bool) or not 0 < amount <= MAX_AMOUNT:
            raise ValidationError(
                _("补贴标准第 %(n)s 行：金额须为 1 至 %(max)s 元的整数。")
                % {"n": number, "max": MAX_AMOUNT}
            )
        key = (zone, province)
        if key in seen:
            raise ValidationError(_("补贴标准第 %(n)s 行与前面重复。") % {"n": number})
        seen.add(key)
        rows.append(PolicyAmount(zone=zone, province_id=province, amount=amount))
    if not rows:
        raise ValidationError(_("请至少填写一行补贴标准。"))
    return rows


def _policy_apply(policy: Policy, values: dict) -> None:
    for name in POLICY_FIELDS:
        if name in values:
            setattr(policy, name, values[name])
    policy.full_clean(exclude=["created_by", "updated_by"])


@transaction.atomic
def policy_save(
    *, actor: User | None, values: dict, amounts: list[dict], policy: Policy | None = None
) -> Policy:
    """Create (``policy`` None) or change a policy and replace its amount table.

    ``values`` holds model fields (``issuing_region`` a Region); ``actor`` None is the
    reference loader. Refused outside the actor's area.
    """
    if actor is not None:
        region = values.get("issuing_region") or (policy.issuing_region if policy else None)
        if (
            policy is not None
            and not access.subsidy_policies_editable_by(actor).filter(pk=policy.pk).exists()
        ):
            raise PermissionDenied(_("您无权修改该补贴政策。"))
        if (
            region is None
            or not access.subsidy_policy_regions_for(actor).filter(pk=region.pk).exists()
        ):
            raise PermissionDenied(_("您无权为该地区录入补贴政策。"))
    rows = _amount_rows(amounts)
    created = policy is None
    if created:
        policy = Policy(code=values.get("code") or "", created_by=actor)
    assert policy is not None
    _policy_apply(policy, values)
    policy.updated_by = actor
    policy.save()
    policy.amounts.all().delete()
    for row in rows:
        row.policy = policy
    PolicyAmount.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        action="subsidy.policy_created" if created else "subsidy.policy_changed",
        target=policy,
        changes={
            "code": policy.code,
            "amounts": [[r.zone, r.province_id, r.amount] for r in rows],
        },
    )
    return policy


def policy_values_from_data(item: dict) -> dict:
    """Return model values of a policy given as plain data (reference JSON, an import row)."""
    values = {name: item[name] for name in POLICY_FIELDS if name in item}
    region_code = item.get("issuing_region")
    region = Region.objects.filter(pk=region_code).first()
    if region is None:
        raise ValidationError(_("发文地区代码 %(code)s 不存在。") % {"code": region_code})
    values["issuing_region"] = region
    for date_field in ("valid_from", "valid_until"):
        if isinstance(values.get(date_field), str) and values[date_field]:
            values[date_field] = dt.date.fromisoformat(values[date_field])
    return values


def policies_load_reference(*, path: Path = REFERENCE_FILE) -> dict[str, int]:
    """Upsert the shipped reference policies by code; return how many were created/updated."""
    data = json.loads(path.read_text(encoding="utf-8"))
    counts = {"created": 0, "updated": 0}
    for item in data["policies"]:
        with transaction.atomic():
            policy = Policy.objects.filter(code=item["code"]).first()
            values = policy_values_from_data(item)
            values.setdefault("code", item["code"])
            policy_save(actor=None, values=values, amounts=item["amounts"], policy=policy)
            counts["updated" if policy else "created"] += 1
    return counts


@transaction.atomic
def policy_budget_set(*, actor: User, policy: Policy, county: Region, amount: int) -> PolicyBudget:
    """Set a county's budget under a policy (coordinator of the area, admin)."""
    if not access.subsidy_policies_editable_by(actor).filter(pk=policy.pk).exists():
        raise PermissionDenied(_("您无权修改该补贴政策。"))
    if not access.subsidy_eligibility_counties_for(actor).filter(pk=county.pk).exists():
        raise PermissionDenied(_("您无权设置该县区的预算。"))
    if not 0 <= amount <= BUDGET_MAX:
        raise ValidationError(_("预算金额不正确。"))
    # The approvals' lock on the row first, so a budget is never set below what an approval
    # running at the same time is about to hold against it.
    budget = approval.budgets_locked([(policy.pk, county.pk)]).get((policy.pk, county.pk))
    used = approval.budget_used(policy_id=policy.pk, county_id=county.pk)
    if amount < used:
        raise ValidationError(
            _("预算不能低于已审批金额 %(used)s 元。") % {"used": used}, code="below_approved"
        )
    if budget is None:
        budget = PolicyBudget.objects.create(
            policy=policy, county=county, amount=amount, updated_by=actor
        )
    else:
        budget.amount, budget.updated_by = amount, actor
        budget.save(update_fields=["amount", "updated_by", "updated_at"])
    audit_record(
        actor=actor,
        action="subsidy.budget_set",
        target=policy,
        changes={"county": county.pk, "amount": amount},
    )
    return budget


# --- eligibility ------------------------------------------------------------------------------

TASK_NAME = "subsidies.eligibility"
STAGES = {"load": (0, 30), "evaluate": (30, 60), "write": (60, 100)}
RUNS = BackgroundJob(model=EligibilityRun, stage_span=stage_spans(STAGES), task_name=TASK_NAME)
# Results per INSERT where there is no COPY (SQLite): 5,000 rows of ~200 bytes a statement.
# (bench/RESULTS.md).
WRITE_BATCH = 5000
# Workers whose history changed since the last run are recomputed when the page is opened,
# up to this many (a few ms each); more than that asks for a full run.
REFRESH_LIMIT = 500

EMPLOYMENT_COLUMNS = (
    "id",
    "worker_id",
    "match_id",
    "working_since",
    "current_workplace_id",
    "worker__poverty_status",
    "worker__birth_date",
    "worker__home_county_id",
    "worker__home_township_id",
)


def policy_rule(policy: Policy) -> eligibility.Rule:
    """Return the pure rule of ``policy``."""
    return eligibility.Rule(
        year=policy.year,
        target_groups=frozenset(policy.target_groups),
        amounts=tuple(
            eligibility.AmountRow(
                zone=row.zone,
                amount=row.amount,
                province=row.province_id[:2] if row.province_id else None,
            )
            for row in policy.amounts.all()
        ),
        min_consecutive_months=policy.min_consecutive_months,
        organised_travel_excluded=policy.organised_travel_excluded,
        age_min=policy.age_min,
        age_max=policy.age_max,
        once_per_year=policy.once_per_year,
        valid_from=policy.valid_from,
        valid_until=policy.valid_until,
    )


def _county_employments(county_id: str, worker_ids: Iterable[int] | None = None) -> list[tuple]:
    """Return one employment per placed worker of the county: the one at work now, else the
    latest (the worker is then "not at work")."""
    rows = Employment.objects.filter(worker__home_county_id=county_id)
    if worker_ids is not None:
        rows = rows.filter(worker_id__in=list(worker_ids))
    chosen: dict[int, tuple] = {}
    # Latest arrival first: the first at-work employment (or the latest) wins.
    for row in rows.order_by("worker_id", "-started_on", "-id").values_list(*EMPLOYMENT_COLUMNS):
        current = chosen.get(row[1])
        if current is None or (current[3] is None and row[3] is not None):
            chosen[row[1]] = row
    return list(chosen.values())


def _organised_matches(county_id: str, match_ids: list[int] | None = None) -> set[int]:
    """Return the matches of the county's workers who travelled on an organised outbound
    trip (a seat not released): one join, not a list of 50,000 ids."""
    seats = Seat.objects.filter(
        worker__home_county_id=county_id,
        released_at__isnull=True,
        trip__direction=TripDirection.OUTBOUND,
    )
    if match_ids is not None:
        seats = seats.filter(match_id__in=match_ids)
    return set(seats.values_list("match_id", flat=True))


def _claimed_workers(policy: Policy, worker_ids: list[int] | None, county_id: str) -> set[int]:
    """Return the workers holding an application of the policy's kind and year under
    another policy (an application under this policy shows as "applied", not as a reason)."""
    rows = (
        Application.objects.filter(
            policy_kind=policy.kind, policy_year=policy.year, county_id=county_id
        )
        .exclude(status__in=APPLICATION_CLOSED)
        .exclude(policy=policy)
    )
    if worker_ids is not None:
        rows = rows.filter(worker_id__in=worker_ids)
    return set(rows.values_list("worker_id", flat=True))


def _verdicts(
    policy: Policy,
    county_id: str,
    rows: list[tuple],
    today: dt.date,
    progress: Callable[[str, float], None],
) -> list[tuple[tuple, eligibility.Verdict]]:
    rule = policy_rule(policy)
    organised = (
        _organised_matches(county_id, None if len(rows) > 1000 else [row[2] for row in rows])
        if policy.organised_travel_excluded
        else set()
    )
    claimed = _claimed_workers(
        policy, None if len(rows) > 1000 else [r[1] for r in rows], county_id
    )
    out = []
    total = len(rows) or 1
    for index, row in enumerate(rows):
        _pk, worker_id, match_id, working_since, workplace, status, birth, home, _t = row
        verdict = eligibility.evaluate(
            eligibility.WorkerFacts(status, birth, home),
            eligibility.SpellFacts(working_since, workplace, match_id in organised),
            rule,
            today=today,
            already_claimed=worker_id in claimed,
        )
        out.append((row, verdict))
        if index % 5000 == 0:
            progress("evaluate", index / total)
    return out


def _result(policy: Policy, county_id: str, row: tuple, verdict, today, now) -> EligibilityResult:
    return EligibilityResult(
        policy_id=policy.pk,
        worker_id=row[1],
        county_id=county_id,
        township_id=row[8],
        employment_id=row[0],
        outcome=verdict.outcome,
        eligible_on=verdict.eligible_on,
        reasons=[reason.as_pair() for reason in verdict.reasons],
        zone=verdict.zone,
        amount=verdict.amount,
        months_continuous=min(verdict.months_continuous, 32767),
        as_of=today,
        computed_at=now,
    )


_RESULT_COLUMNS = (
    "policy_id, worker_id, county_id, township_id, employment_id, outcome, eligible_on, "
    "reasons, zone, amount, months_continuous, as_of, computed_at"
)


def _results_copy(policy, county_id, verdicts, today, now) -> None:
    """Write the results with one COPY (PostgreSQL): ~5x faster than batched INSERTs and
    no model instances are built."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    as_of, stamp = today.isoformat(), now.isoformat()
    for row, v in verdicts:
        writer.writerow(
            (
                policy.pk,
                row[1],
                county_id,
                row[8] or "",
                row[0],
                v.outcome,
                v.eligible_on.isoformat() if v.eligible_on else "",
                json.dumps(
                    [r.as_pair() for r in v.reasons], ensure_ascii=False, separators=(",", ":")
                ),
                v.zone,
                "" if v.amount is None else v.amount,
                min(v.months_continuous, 32767),
                as_of,
                stamp,
            )
        )
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {EligibilityResult._meta.db_table} ({_RESULT_COLUMNS}) FROM STDIN "
            "WITH (FORMAT csv, FORCE_NOT_NULL (zone))",
            buffer,
        )


def eligibility_compute(
    *,
    policy: Policy,
    county_id: str,
    today: dt.date,
    progress: Callable[[str, float], None] | None = None,
) -> dict[str, int]:
    """Compute and store every placed worker's eligibility of the county under the policy
    (replacing the stored results); return the counts per outcome."""
    report = progress or (lambda stage, fraction: None)
    report("load", 0.0)
    rows = _county_employments(county_id)
    report("load", 1.0)
    verdicts = _verdicts(policy, county_id, rows, today, report)
    now = timezone.now()
    with transaction.atomic():
        EligibilityResult.objects.filter(policy=policy, county_id=county_id).delete()
        report("write", 0.3)
        if connection.vendor == "postgresql":
            _results_copy(policy, county_id, verdicts, today, now)
        else:
            results = [_result(policy, county_id, row, v, today, now) for row, v in verdicts]
            for start in range(0, len(results), WRITE_BATCH):
                EligibilityResult.objects.bulk_create(results[start : start + WRITE_BATCH])
        report("write", 1.0)
    counts = {outcome: 0 for outcome in EligibilityOutcome.values}
    for _row, verdict in verdicts:
        counts[verdict.outcome] += 1
    return counts


def eligibility_refresh_workers(
    *, policy: Policy, county_id: str, worker_ids: list[int], today: dt.date | None = None
) -> None:
    """Recompute the stored results of some workers (their history or status changed)."""
    today = today or timezone.localdate()
    rows = _county_employments(county_id, worker_ids)
    verdicts = _verdicts(policy, county_id, rows, today, lambda s, f: None)
    now = timezone.now()
    with transaction.atomic():
        EligibilityResult.objects.filter(policy=policy, worker_id__in=worker_ids).delete()
        EligibilityResult.objects.bulk_create(
            [_result(policy, county_id, row, v, today, now) for row, v in verdicts]
        )


def eligibility_stale_workers(*, policy: Policy, county_id: str) -> list[int] | None:
    """Return the workers whose stored result is older than a change of their employment,
    their record or their applications, or who are placed but have no result; None when no
    run has been made yet or more than ``REFRESH_LIMIT`` changed (a full run is needed)."""
    last = (
        EligibilityRun.objects.filter(
            policy=policy, county_id=county_id, status=EligibilityRunStatus.DONE
        )
        .order_by("-finished_at")
        .first()
    )
    if last is None or timezone.localdate() != last.as_of:
        return None  # never computed, or a day passed: months and ages moved for everyone
    results = EligibilityResult.objects.filter(policy=policy, worker_id=OuterRef("worker_id"))
    changed = (
        Employment.objects.filter(worker__home_county_id=county_id)
        .filter(
            ~Exists(results)
            | Exists(
                results.filter(
                    Q(computed_at__lt=OuterRef("updated_at"))
                    | Q(computed_at__lt=OuterRef("worker__updated_at"))
                )
            )
        )
        .values_list("worker_id", flat=True)
        .distinct()[: REFRESH_LIMIT + 1]
    )
    ids = list(changed)
    return ids if len(ids) <= REFRESH_LIMIT else None


@transaction.atomic
def eligibility_run_create(*, actor: User, policy: Policy, county: Region) -> EligibilityRun:
    """Queue the computation of a county's eligibility under a policy (Celery)."""
    if not access.subsidy_policies_visible_to(actor).filter(pk=policy.pk).exists():
        raise PermissionDenied(_("您无权查看该补贴政策。"))
    if not access.subsidy_eligibility_counties_for(actor).filter(pk=county.pk).exists():
        raise PermissionDenied(_("您无权查看该县区的补贴资格。"))
    if policy.kind == PolicyKind.INTERMEDIARY_BONUS:
        raise ValidationError(_("输转奖补发给中介机构或劳务经纪人，不按劳动力逐人计算资格。"))
    live = [EligibilityRunStatus.QUEUED, EligibilityRunStatus.RUNNING]
    run = run_create(
        job=RUNS,
        create=lambda: EligibilityRun.objects.create(
            policy=policy, county=county, as_of=timezone.localdate(), created_by=actor
        ),
        live=lambda: EligibilityRun.objects.filter(
            policy=policy, county=county, status__in=live
        ).first(),
        busy=lambda _run: RunBusy(_("该县区的资格正在计算，请稍候。")),
    )
    audit_record(
        actor=actor, action="subsidy.eligibility_run", target=policy, changes={"county": county.pk}
    )
    return run


def eligibility_run_execute(pk: int, task_id: str) -> None:
    """Run a queued eligibility computation (the task's body)."""
    claim = RUNS.claim(pk, task_id)
    if claim is None:
        return
    progress = RUNS.progress(claim)
    run = EligibilityRun.objects.select_related("policy").get(pk=pk)
    counts = eligibility_compute(
        policy=run.policy, county_id=run.county_id, today=run.as_of, progress=progress
    )
    with transaction.atomic():
        locked = EligibilityRun.objects.select_for_update().get(pk=pk)
        if locked.attempt != claim.attempt or locked.status != RUNNING:
            return
        now = timezone.now()
        EligibilityRun.objects.filter(pk=pk).update(
            status=EligibilityRunStatus.DONE,
            counts=counts,
            progress_stage="done",
            progress_percent=100,
            finished_at=now,
            updated_at=now,
        )


# --- applications ----------------------------------------------------------------------------


def _application_from(
    *, policy: Policy, worker: Worker, employment: Employment | None, verdict, actor, source
) -> Application:
    assert verdict.amount is not None
    return Application(
        policy=policy,
        policy_kind=policy.kind,
        policy_year=policy.year,
        worker=worker,
        county_id=worker.home_county_id,
        township_id=worker.home_township_id,
        village_name=worker.village_display,
        employment=employment,
        work_started_on=employment.working_since if employment else None,
        workplace_id=employment.current_workplace_id if employment else None,
        employer_name=(employment.current_employer_name if employment else "")[:120],
        months_worked=verdict.months_continuous,
        zone=verdict.zone,
        amount=verdict.amount,
        status=ApplicationStatus.DRAFT,
        status_changed_at=timezone.now(),
        source=source,
        created_by=actor,
    )


def _check_may_create(actor: User, policy: Policy, county_id: str) -> None:
    if not access.subsidy_application_counties_for(actor).filter(pk=county_id).exists():
        raise PermissionDenied(_("您无权为该县区的劳动力申报补贴。"))
    if not access.subsidy_policies_visible_to(actor).filter(pk=policy.pk).exists():
        raise PermissionDenied(_("您无权使用该补贴政策。"))
    if not policy.is_active:
        raise ValidationError(_("该补贴政策未启用。"))
    if policy.kind == PolicyKind.INTERMEDIARY_BONUS:
        raise ValidationError(_("输转奖补发给中介机构或劳务经纪人，不按劳动力逐人申报。"))


@transaction.atomic
def application_create(*, actor: User, policy: Policy, worker: Worker) -> Application:
    """Create one worker's application, re-checking eligibility from the history now.

    Refused (with every reason in words) when the worker is not eligible today; a second
    application of the same kind and year is refused by the database as well.
    """
    from subsidies.reasons import reasons_text

    _check_may_create(actor, policy, worker.home_county_id)
    if not access.workers_visible_to(actor).filter(pk=worker.pk).exists():
        raise PermissionDenied(_("您无权为该劳动力申报补贴。"))
    today = timezone.localdate()
    rows = _county_employments(worker.home_county_id, [worker.pk])
    if not rows:
        raise ValidationError(_("该劳动力没有就业记录，不能申报。"))
    [(row, verdict)] = _verdicts(policy, worker.home_county_id, rows, today, lambda s, f: None)
    if verdict.outcome != eligibility.ELIGIBLE:
        reasons = "；".join(reasons_text([r.as_pair() for r in verdict.reasons]))
        raise ValidationError(_("不符合申报条件：%(reasons)s") % {"reasons": reasons})
    employment = Employment.objects.get(pk=row[0])
    application = _application_from(
        policy=policy,
        worker=worker,
        employment=employment,
        verdict=verdict,
        actor=actor,
        source=ApplicationSource.OFFICER,
    )
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:
        raise ValidationError(
            _("%(name)s 在 %(year)s 年度已有同类补贴申请，不能重复申报。")
            % {"name": worker.name, "year": policy.year}
        ) from None
    audit_record(
        actor=actor,
        action="subsidy.application_created",
        target=application,
        changes={"policy": policy.pk, "worker": worker.pk, "amount": application.amount},
    )
    return application


def applications_create_for_eligible(
    *, actor: User, policy: Policy, county: Region
) -> list[Application]:
    """免申即享: create an application for everyone of the county eligible today who has
    none yet. Running it again creates none (eligibility counts held applications, and the
    unique constraint refuses a duplicate a concurrent click might try)."""
    _check_may_create(actor, policy, county.pk)
    today = timezone.localdate()
    rows = _county_employments(county.pk)
    verdicts = [
        (row, v)
        for row, v in _verdicts(policy, county.pk, rows, today, lambda s, f: None)
        if v.outcome == eligibility.ELIGIBLE
    ]
    workers = Worker.objects.select_related("home_village").in_bulk(
        [row[1] for row, _v in verdicts]
    )
    employments = Employment.objects.in_bulk([row[0] for row, _v in verdicts])
    new = [
        _application_from(
            policy=policy,
            worker=workers[row[1]],
            employment=employments[row[0]],
            verdict=v,
            actor=actor,
            source=ApplicationSource.AUTOMATIC,
        )
        for row, v in verdicts
    ]
    started = timezone.now()
    with transaction.atomic():
        Application.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
        # ignore_conflicts leaves pks unset: read back what this call created.
        made = list(
            Application.objects.filter(
                policy=policy,
                county=county,
                source=ApplicationSource.AUTOMATIC,
                created_by=actor,
                created_at__gte=started,
            )
        )
        audit_record(
            actor=actor,
            action="subsidy.applications_auto_created",
            target=policy,
            changes={"county": county.pk, "created": len(made)},
        )
    return made


# --- evidence --------------------------------------------------------------------------------

# One scanned page or a phone photo; a PDF of a contract rarely passes 5 MB.
MAX_EVIDENCE_BYTES = 5 * 1024 * 1024


@transaction.atomic
def evidence_add(
    *, actor: User, application: Application, kind: str, file_name: str, data: bytes
) -> ApplicationEvidence:
    """Attach a document (PDF, PNG or JPEG up to 5 MB, checked by ``laborbridge.documents``),
    stored encrypted."""
    if not access.subsidy_applications_editable_by(actor).filter(pk=application.pk).exists():
        raise PermissionDenied(_("您无权为该申请上传材料。"))
    if kind not in EvidenceKind.values:
        raise ValidationError({"kind": _("请选择材料类型。")})
    allowed = set(application.policy.evidence_kinds)
    if application.policy.pledge_allowed:
        allowed.add(EvidenceKind.PLEDGE)
    if kind not in allowed:
        raise ValidationError({"kind": _("该政策不接受此类证明材料。")})
    if not data:
        raise ValidationError({"file": _("上传的文件是空的。")})
    if len(data) > MAX_EVIDENCE_BYTES:
        raise ValidationError(
            {
                "file": _("文件超过 %(mb)s MB，请压缩后再上传。")
                % {"mb": MAX_EVIDENCE_BYTES // 2**20}
            }
        )
    try:  # type by content, and no active content, broken file or bomb (laborbridge.documents)
        content_type = documents.document_check(data).content_type
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from None
    evidence = ApplicationEvidence.objects.create(
        application=application,
        kind=kind,
        file_name=Path(file_name or "file").name[:200],
        content_type=content_type,
        file_size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        file_data=crypto.encrypt(data, purpose=EVIDENCE_PURPOSE),
        uploaded_by=actor,
    )
    audit_record(
        actor=actor,
        action="subsidy.evidence_added",
        target=application,
        changes={"evidence": evidence.pk, "kind": kind, "size": len(data)},
    )
    return evidence


def evidence_read(*, actor: User, evidence: ApplicationEvidence) -> bytes:
    """Return a document's bytes to one who may see its application (the read is audited)."""
    if (
        not access.subsidy_applications_visible_to(actor)
        .filter(pk=evidence.application_id)
        .exists()
    ):
        raise PermissionDenied(_("您无权查看该材料。"))
    audit_record(
        actor=actor,
        action="subsidy.evidence_downloaded",
        target=evidence.application,
        changes={"evidence": evidence.pk},
    )
    return crypto.decrypt(bytes(evidence.file_data), purpose=EVIDENCE_PURPOSE)


@transaction.atomic
def pledge_record(*, actor: User, application: Application, signed_on: dt.date) -> Application:
    """Record that the worker signed the printed pledge (承诺书) on ``signed_on``."""
    if not access.subsidy_applications_editable_by(actor).filter(pk=application.pk).exists():
        raise PermissionDenied(_("您无权修改该申请。"))
    if not application.policy.pledge_allowed:
        raise ValidationError(_("该政策不接受承诺书。"))
    if signed_on > timezone.localdate():
        raise ValidationError(_("签署日期不能晚于今天。"))
    application.pledge_signed_on = signed_on
    application.save(update_fields=["pledge_signed_on", "updated_at"])
    audit_record(
        actor=actor,
        action="subsidy.pledge_recorded",
        target=application,
        changes={"signed_on": signed_on.isoformat()},
    )
    return application
