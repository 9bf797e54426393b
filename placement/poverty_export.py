"""The county's export for the national poverty-monitoring system (防返贫监测信息系统).

One row per registered worker of the county: the identity columns (name, full ID number,
household, poverty status) and the work columns the system asks for — 务工时间（月）, 务工企业
名称, 务工所在地 (down to the county) and 就业渠道 — derived from the employment history
(``placement.history``), never typed. The checks counties run before filing
(``placement.poverty_checks``) give the mismatch report.

It runs through the run kit (``laborbridge.background``): ``poverty_export_create`` queues a
:class:`PovertyExport` row and its task builds the file with progress; the file (full ID
numbers) is kept encrypted for download. Only the county's officials (admin: any county) may
run and download it; both are audited.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from laborbridge import access, crypto, spreadsheets
from laborbridge.background import BackgroundJob, RunBusy, run_create, run_task, stage_spans
from laborbridge.models import Region, User
from laborbridge.services import audit_record
from placement import history, poverty_checks
from placement.export_models import PovertyExport
from placement.models import EmploymentEvent
from workers.models import Employment, PovertyStatus, TravelGroup, Worker

_FILE_AAD = PovertyExport.encrypted_fields["file_data"]
TASK_NAME = "placement.poverty_export"
# stage -> (percent at its start, at its end)
STAGES = {"load": (0, 40), "check": (40, 50), "write": (50, 100)}
EXPORTS = BackgroundJob(model=PovertyExport, stage_span=stage_spans(STAGES), task_name=TASK_NAME)
# Rows read per query while loading (a 20,000-person county: 1 round trip per 5,000 rows).
LOAD_CHUNK = 5000

CHANNEL_ORGANISED = "organised"
CHANNEL_SELF = "self"


def channel_label(code: str) -> str:
    return {
        CHANNEL_ORGANISED: _("东西部劳务协作（有组织输出）"),
        CHANNEL_SELF: _("自主就业"),
    }.get(code, "")


def export_headers() -> list[str]:
    return [
        _("序号"),
        _("姓名"),
        _("身份证号"),
        _("户（家庭）"),
        _("村（社区）"),
        _("帮扶身份"),
        _("务工时间（月）"),
        _("务工企业名称"),
        _("务工所在地"),
        _("就业渠道"),
        _("月工资（元）"),
        _("核查问题"),
    ]


def check_label(check: str) -> str:
    """Return the short name of a check."""
    return {
        poverty_checks.PLACE_MONTHS: _("务工地点与时间不一致"),
        poverty_checks.PLACE_NOT_COUNTY: _("务工地点不是县区"),
        poverty_checks.LOW_INCOME: _("脱贫劳动力务工收入偏低"),
        poverty_checks.HOUSEHOLD_COUNTIES: _("同户在不同县区务工"),
    }.get(check, check)


def check_message(check: str, params: dict) -> str:
    """Return a finding's message in the user's language (findings store key + params)."""
    if check == poverty_checks.PLACE_MONTHS:
        if params.get("missing") == "months":
            return _("填写了务工所在地，但务工时间为空。")
        return _("填写了务工时间，但务工所在地为空。")
    if check == poverty_checks.PLACE_NOT_COUNTY:
        return _("务工所在地“%(place)s”不是县（区）级地名。") % params
    if check == poverty_checks.LOW_INCOME:
        return _("脱贫劳动力本年务工收入约 %(income)s 元，低于 %(threshold)s 元。") % params
    if check == poverty_checks.HOUSEHOLD_COUNTIES:
        return _("同一户（同一手机号）在不同县区务工：%(places)s。") % params
    return check


def file_encrypt(data: bytes) -> bytes:
    return crypto.encrypt(data, purpose=_FILE_AAD)


def file_decrypt(blob: bytes) -> bytes:
    return crypto.decrypt(blob, purpose=_FILE_AAD)


# --- create and download ------------------------------------------------------------------


@transaction.atomic
def poverty_export_create(
    *, actor: User, county: Region, as_of: dt.date | None = None
) -> PovertyExport:
    """Queue the export of ``county`` as of ``as_of`` (today): months are counted in that
    day's calendar year. Refused for another county, and while one is queued or running."""
    if not access.poverty_export_counties_for(actor).filter(pk=county.pk).exists():
        raise PermissionDenied(_("您无权导出该县的防返贫监测数据。"))
    as_of = as_of or timezone.localdate()

    def live():
        return PovertyExport.objects.filter(
            county=county, status__in=[PovertyExport.Status.QUEUED, PovertyExport.Status.RUNNING]
        ).first()

    export = run_create(
        job=EXPORTS,
        create=lambda: PovertyExport.objects.create(
            county=county, year=as_of.year, as_of=as_of, created_by=actor
        ),
        live=live,
        busy=lambda _run: RunBusy(_("该县的导出正在生成，请稍候。")),
    )
    audit_record(
        actor=actor,
        action="poverty_export.create",
        target=export,
        changes={"county": county.pk, "as_of": as_of.isoformat()},
    )
    return export


@transaction.atomic
def poverty_export_download(*, actor: User, export: PovertyExport) -> tuple[bytes, str]:
    """Return the finished file (full ID numbers) and its name; record who downloaded it."""
    if not access.poverty_exports_visible_to(actor).filter(pk=export.pk).exists():
        raise PermissionDenied(_("您无权下载该导出文件。"))
    export = PovertyExport.objects.get(pk=export.pk)
    if export.status != PovertyExport.Status.DONE or not export.file_data:
        raise PermissionDenied(_("导出文件尚未生成。"))
    audit_record(
        actor=actor,
        action="poverty_export.download",
        target=export,
        changes={"county": export.county_id, "rows": export.row_count},
    )
    return file_decrypt(bytes(export.file_data)), export.file_name


# --- the run ------------------------------------------------------------------------------


def _job(employer, employer_name, workplace, wage) -> history.Job:
    return history.Job(employer, employer_name, workplace, wage)


def _employment_work(employment: dict, events: list, year_start: dt.date, as_of: dt.date):
    """Return (months in the year, last job) of one employment record's history."""
    arrival = _job(
        employment["employer_id"],
        employment["employer__name"],
        employment["vacancy__district_id"],
        employment["vacancy__wage_min"],
    )
    try:
        state = history.replay(employment["started_on"], arrival, events, as_of=as_of)
    except history.HistoryError:
        return 0, None  # never written by the services
    months = poverty_checks.months_in_period(state.spells, year_start, as_of)
    return months, poverty_checks.last_job(arrival, events, as_of)


def _load(export: PovertyExport, report) -> list[dict]:
    """Return one dict per worker of the county with the export's values (work columns
    derived from every employment record's history)."""
    as_of, year_start = export.as_of, dt.date(export.year, 1, 1)
    workers = list(
        Worker.objects.filter(home_county_id=export.county_id)
        .order_by("home_township_id", "home_village_name", "name", "pk")
        .values(
            "pk",
            "name",
            "id_number_encrypted",
            "id_number_masked",
            "poverty_status",
            "phone_index",
            "home_village_name",
            "home_village__name",
            "travel_group_id",
        )
    )
    report("load", 0.2)
    families = dict(
        TravelGroup.objects.filter(
            home_county_id=export.county_id, kind=TravelGroup.Kind.FAMILY
        ).values_list("pk", "name")
    )
    employments = list(
        Employment.objects.filter(worker__home_county_id=export.county_id)
        .filter(started_on__lte=as_of)
        .order_by("worker_id", "started_on", "pk")
        .values(
            "pk",
            "worker_id",
            "started_on",
            "employer_id",
            "employer__name",
            "vacancy__district_id",
            "vacancy__wage_min",
        )
    )
    report("load", 0.4)
    events: dict[int, list[history.Event]] = defaultdict(list)
    rows = (
        EmploymentEvent.objects.filter(employment__worker__home_county_id=export.county_id)
        .order_by("employment_id", "occurred_on", "pk")
        .values_list(
            "employment_id",
            "pk",
            "occurred_on",
            "kind",
            "employer_id",
            "employer__name",
            "employer_name",
            "workplace_id",
            "employer__district_id",
            "monthly_wage",
        )
    )
    for emp_id, pk, on, kind, employer, employer_db_name, name, place, emp_place, wage in rows:
        job = None
        if kind in (history.JOB_CHANGE, history.WENT_OUT) and (employer or name):
            job = _job(employer, employer_db_name or name, place or emp_place, wage)
        events[emp_id].append(history.Event(on, kind, pk, job))
    report("load", 0.6)
    work: dict[int, list] = defaultdict(list)
    for employment in employments:
        months, job = _employment_work(
            employment, events.get(employment["pk"], []), year_start, as_of
        )
        work[employment["worker_id"]].append((months, job))
    report("load", 0.8)
    places = {
        region.pk: region
        for region in Region.objects.filter(
            pk__in={job.workplace for jobs in work.values() for _m, job in jobs if job}
        )
    }
    people = []
    for worker in workers:
        jobs = work.get(worker["pk"], [])
        months = sum(m for m, _job in jobs)
        # The last employment that has a job: the latest record is the current one.
        job = next((j for m, j in reversed(jobs) if j is not None and m), None)
        place = places.get(job.workplace) if job and job.workplace else None
        wage = job.wage if job else None
        people.append(
            {
                "worker": worker,
                "family": families.get(worker["travel_group_id"], ""),
                "months": months or None,
                "employer_name": job.employer_name if job else "",
                "channel": (
                    (CHANNEL_ORGANISED if job.employer is not None else CHANNEL_SELF) if job else ""
                ),
                "place": place,
                "wage": wage,
                "income": months * wage if months and wage else None,
            }
        )
    report("load", 1.0)
    return people


def _check_rows(people: list[dict]) -> list[poverty_checks.ExportRow]:
    helped = {PovertyStatus.POVERTY_ALLEVIATED, PovertyStatus.MONITORED}
    rows = []
    for number, person in enumerate(people, start=1):
        worker, place = person["worker"], person["place"]
        rows.append(
            poverty_checks.ExportRow(
                number=number,
                name=worker["name"],
                id_masked=worker["id_number_masked"],
                poverty_alleviated=worker["poverty_status"] in helped,
                household=worker["phone_index"] or "",
                months=person["months"],
                place_code=place.pk if place else "",
                place_name=place.full_name if place else "",
                place_level=place.level if place else "",
                income=person["income"],
            )
        )
    return rows


def _workbook(people: list[dict], findings: dict[int, list[str]], report) -> bytes:
    statuses = dict(PovertyStatus.choices)
    total = max(len(people), 1)

    def lines():
        for number, person in enumerate(people, start=1):
            worker, place = person["worker"], person["place"]
            if number % 2000 == 0:
                report("write", 0.8 * number / total)
            yield [
                number,
                worker["name"],
                crypto.id_number_decrypt(bytes(worker["id_number_encrypted"])),
                person["family"],
                worker["home_village__name"] or worker["home_village_name"],
                str(statuses.get(worker["poverty_status"], "")),
                person["months"],
                person["employer_name"],
                place.full_name if place else "",
                channel_label(person["channel"]),
                person["wage"],
                "；".join(findings.get(number, [])),
            ]

    return spreadsheets.xlsx_table(
        title=_("防返贫监测务工信息"), headers=export_headers(), rows=lines()
    )


def poverty_export_execute(pk: int, task_id: str) -> bool:
    """Run one export: claim, load, check, write the file. False if it was not claimed."""
    claim = EXPORTS.claim(pk, task_id)
    if claim is None:
        return False
    report = EXPORTS.progress(claim)
    export = PovertyExport.objects.select_related("county").get(pk=pk)
    people = _load(export, report)
    rows = _check_rows(people)
    found = poverty_checks.findings_of(
        rows, min_yearly_income=settings.POVERTY_EXPORT_MIN_YEARLY_INCOME
    )
    report("check", 1.0)
    by_row: dict[int, list[str]] = defaultdict(list)
    counts: dict[str, int] = defaultdict(int)
    stored = []
    for finding in found:
        row = finding.row
        by_row[row.number].append(check_message(finding.check, finding.params))
        counts[finding.check] += 1
        stored.append(
            {
                "row": row.number,
                "check": finding.check,
                "params": finding.params,
                "name": row.name,
                "id_masked": row.id_masked,
                "months": row.months,
                "place": row.place_name,
            }
        )
    content = _workbook(people, by_row, report)
    name = _("防返贫监测务工信息-%(county)s-%(day)s.xlsx") % {
        "county": export.county.name,
        "day": export.as_of.isoformat(),
    }
    with transaction.atomic():
        locked = PovertyExport.objects.select_for_update().get(pk=pk)
        if locked.attempt != claim.attempt or locked.status != PovertyExport.Status.RUNNING:
            return False  # a newer attempt owns the row
        locked.status = PovertyExport.Status.DONE
        locked.row_count = len(people)
        locked.counts = dict(counts)
        locked.findings = stored
        locked.file_name = name
        locked.file_data = file_encrypt(content)
        locked.progress_stage, locked.progress_percent = "write", 100
        locked.finished_at = timezone.now()
        locked.save()
    return True


poverty_export_run = run_task(name=TASK_NAME, job=EXPORTS, execute=poverty_export_execute)
