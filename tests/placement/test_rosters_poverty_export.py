"""The county's export for the poverty-monitoring system: the pure checks, the run through
the run kit, the audited download, the mismatch report and who is refused."""

import ast
import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from openpyxl import load_workbook

from laborbridge.models import AuditEvent, Region, Role
from placement import history, poverty_checks, poverty_export
from placement.export_models import PovertyExport
from placement.models import EmploymentEvent, EventKind
from tests.factories import ANDING, CHENGYANG, WorkerFactory
from tests.imports.helpers import celery_eager_fixture
from tests.placement.conftest import place
from workers.models import PovertyStatus, Worker

celery_eager = pytest.fixture(autouse=True)(celery_eager_fixture)
AS_OF = dt.date(2026, 12, 5)


def row(number, **values):
    defaults = dict(
        name=f"人{number}",
        id_masked="6211**********0001",
        poverty_alleviated=False,
        household="",
        months=None,
        place_code="",
        place_name="",
        place_level="",
        income=None,
    )
    return poverty_checks.ExportRow(number=number, **{**defaults, **values})


# --- the pure checks -----------------------------------------------------------------------


def test_checks_module_imports_nothing_from_django():
    path = Path(poverty_checks.__file__)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            assert not node.module.startswith("django")
        if isinstance(node, ast.Import):
            assert not any(a.name.startswith("django") for a in node.names)


def test_each_check_finds_its_rows():
    county = dict(place_code="370214", place_name="山东省青岛市城阳区", place_level="county")
    rows = [
        row(1, months=5, **county),  # fine
        row(2, months=3),  # months without place
        row(3, place_code="370214", place_name="城阳区", place_level="county"),  # place only
        row(4, months=2, place_code="3702", place_name="青岛市", place_level="city"),
        row(5, months=1, poverty_alleviated=True, income=4000, **county),  # under 4,800
        row(6, months=8, poverty_alleviated=True, income=48000, **county),
        row(7, months=6, household="h1", **county),
        row(
            8,
            months=6,
            household="h1",
            place_code="370281",
            place_name="胶州市",
            place_level="county",
        ),
        row(9, months=6, household="h2", **county),
        row(10, months=6, household="h2", **county),  # same household, same county: fine
    ]
    found = poverty_checks.findings_of(rows, min_yearly_income=4800)
    got = [(f.row.number, f.check) for f in found]
    assert got == [
        (2, poverty_checks.PLACE_MONTHS),
        (3, poverty_checks.PLACE_MONTHS),
        (4, poverty_checks.PLACE_NOT_COUNTY),
        (5, poverty_checks.LOW_INCOME),
        (7, poverty_checks.HOUSEHOLD_COUNTIES),
        (8, poverty_checks.HOUSEHOLD_COUNTIES),
    ]
    assert found[0].params == {"missing": "place"}
    assert found[3].params == {"income": 4000, "threshold": 4800}


def test_months_in_period_clips_spells_to_the_year():
    spells = [
        history.Spell(dt.date(2025, 10, 10), dt.date(2026, 3, 20)),
        history.Spell(dt.date(2026, 6, 1)),
    ]
    # 1 Jan -> 20 Mar: 2 whole months; 1 Jun -> 5 Dec: 6.
    assert poverty_checks.months_in_period(spells, dt.date(2026, 1, 1), AS_OF) == 8


def test_last_job_keeps_the_place_after_a_return_home():
    arrival = history.Job(1, "X", "370214", 5000)
    moved = history.Job(None, "平台外", "370281", 4000)
    events = [
        history.Event(dt.date(2026, 7, 1), history.JOB_CHANGE, 1, moved),
        history.Event(dt.date(2026, 9, 1), history.RETURNED_HOME, 2),
    ]
    assert poverty_checks.last_job(arrival, events, AS_OF) == moved
    assert poverty_checks.last_job(arrival, events, dt.date(2026, 6, 30)) == arrival


# --- the run -------------------------------------------------------------------------------


@pytest.fixture
def county_people(employer_x, official_a):
    """Anding: a 脱贫 worker at X since June, one moved off the platform to a city-level
    place, one never placed; a Tongwei worker who must not appear."""
    working = place(employer_x, started_on=dt.date(2026, 6, 1))
    Worker.objects.filter(pk=working.worker_id).update(
        poverty_status=PovertyStatus.POVERTY_ALLEVIATED
    )
    moved = place(employer_x, started_on=dt.date(2026, 3, 1))
    EmploymentEvent.objects.create(
        employment=moved,
        kind=EventKind.JOB_CHANGE,
        occurred_on=dt.date(2026, 8, 1),
        employer_name="某外地工厂",
        workplace_id="370200",  # a city, not a county: flagged
        monthly_wage=4500,
    )
    idle = WorkerFactory(home_county_id=ANDING)
    other = WorkerFactory(home_county_id="621121")
    return {"working": working, "moved": moved, "idle": idle, "other": other}


def run_export(official, county=ANDING, callbacks=None):
    with callbacks(execute=True):
        export = poverty_export.poverty_export_create(
            actor=official, county=Region.objects.get(pk=county), as_of=AS_OF
        )
    export.refresh_from_db()
    return export


def test_export_has_one_row_per_person_with_work_columns(
    county_people, official_a, django_capture_on_commit_callbacks
):
    export = run_export(official_a, callbacks=django_capture_on_commit_callbacks)
    assert export.status == PovertyExport.Status.DONE and export.progress_percent == 100
    assert export.row_count == 3
    content, name = poverty_export.poverty_export_download(actor=official_a, export=export)
    assert name.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    rows = {r[1]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    working = rows[county_people["working"].worker.name]
    assert working[2] == county_people["working"].worker.reveal_id_number()
    assert working[6] == 6  # 1 Jun -> 5 Dec
    assert working[7] == "青岛X电子有限公司"
    assert working[8] == Region.objects.get(pk=CHENGYANG).full_name
    assert working[9] == "东西部劳务协作（有组织输出）"
    idle = rows[county_people["idle"].name]
    assert idle[6] is None and idle[8] is None
    assert county_people["other"].name not in rows
    checks = {(f["name"], f["check"]) for f in export.findings}
    assert (county_people["moved"].worker.name, poverty_checks.PLACE_NOT_COUNTY) in checks
    assert all("id_number" not in f and len(f["id_masked"]) == 18 for f in export.findings)
    actions = set(
        AuditEvent.objects.filter(target_id=str(export.pk)).values_list("action", flat=True)
    )
    assert actions == {"poverty_export.create", "poverty_export.download"}


def test_low_income_flag_follows_the_setting(
    county_people, official_a, django_capture_on_commit_callbacks, settings
):
    settings.POVERTY_EXPORT_MIN_YEARLY_INCOME = 100_000
    export = run_export(official_a, callbacks=django_capture_on_commit_callbacks)
    assert export.counts.get(poverty_checks.LOW_INCOME) == 1


def test_other_county_official_and_other_roles_are_refused(
    county_people, official_a, official_b, coordinator, hr_x, django_capture_on_commit_callbacks
):
    anding = Region.objects.get(pk=ANDING)
    for user in (official_b, coordinator, hr_x):
        with pytest.raises(PermissionDenied):
            poverty_export.poverty_export_create(actor=user, county=anding)
    export = run_export(official_a, callbacks=django_capture_on_commit_callbacks)
    with pytest.raises(PermissionDenied):
        poverty_export.poverty_export_download(actor=official_b, export=export)


def test_pages_run_show_download_and_report(
    client, county_people, official_a, django_capture_on_commit_callbacks
):
    client.force_login(official_a)
    assert client.get(reverse("placement:poverty_exports")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("placement:poverty_exports"), {"county": ANDING})
    export = PovertyExport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("placement:poverty_export", args=[export.pk])
    detail = client.get(response["Location"])
    assert detail.status_code == 200 and "核查报告" in detail.content.decode()
    report = client.get(reverse("placement:poverty_export_report", args=[export.pk]))
    assert county_people["moved"].worker.name in report.content.decode()
    assert county_people["moved"].worker.reveal_id_number() not in report.content.decode()
    download = client.get(reverse("placement:poverty_export_download", args=[export.pk]))
    assert download.status_code == 200 and "no-store" in download["Cache-Control"]
    poll = client.get(
        reverse("placement:poverty_export_progress", args=[export.pk]), HTTP_HX_REQUEST="true"
    )
    assert poll.status_code == 200 and poll["HX-Refresh"] == "true"


def test_pages_refuse_other_county_other_roles_and_anonymous(
    client,
    county_people,
    official_a,
    official_b,
    coordinator,
    hr_x,
    django_capture_on_commit_callbacks,
):
    export = run_export(official_a, callbacks=django_capture_on_commit_callbacks)
    urls = [
        reverse(name, args=[export.pk])
        for name in (
            "placement:poverty_export",
            "placement:poverty_export_download",
            "placement:poverty_export_report",
            "placement:poverty_export_progress",
        )
    ]
    for url in [reverse("placement:poverty_exports"), *urls]:
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(official_b)
    for url in urls:
        assert client.get(url).status_code == 404
    response = client.post(reverse("placement:poverty_exports"), {"county": ANDING})
    assert response.status_code == 200  # not one of the official's counties: form error
    assert PovertyExport.objects.count() == 1
    for user in (coordinator, hr_x):
        client.force_login(user)
        for url in [reverse("placement:poverty_exports"), *urls]:
            assert client.get(url).status_code == 403
    downloads = AuditEvent.objects.filter(action="poverty_export.download")
    assert not downloads.exists()


def test_demo_step_runs_the_demo_officials_export_once(
    county_people, django_capture_on_commit_callbacks
):
    from placement.demo_rosters import DEMO_OFFICIAL, demo_poverty_export_step
    from tests.factories import make_user

    make_user(DEMO_OFFICIAL, Role.COUNTY_OFFICIAL, county_id=ANDING)
    # The demo has no outer transaction: its run happens at the step's commit.
    with django_capture_on_commit_callbacks(execute=True):
        demo_poverty_export_step(base_url="http://testserver")
    export = PovertyExport.objects.get()
    assert export.status == PovertyExport.Status.DONE and export.row_count == 3
    again = demo_poverty_export_step(base_url="http://testserver")
    assert "3 people" in again[0] and f"/placement/poverty-exports/{export.pk}/" in again[0]
    assert PovertyExport.objects.count() == 1
