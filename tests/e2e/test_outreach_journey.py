"""Issue 15, "done means", with the console backend: confirming a transport plan schedules
each traveller's two departure reminders; moving a traveller to another seat re-schedules
theirs and sends a change notice; a bulk message to one car shows its preview and count;
the outbox page shows every message's status — on an office PC and on a phone."""

import datetime as dt
import re
import tempfile
from pathlib import Path

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from jobs.models import Vacancy
from laborbridge.models import Campaign, Pairing, Role
from outreach import backends, catalogue
from outreach.models import SmsMessage, SmsReason, SmsStatus
from tests.e2e.conftest import login, logout, nav
from tests.factories import CHENGYANG, PASSWORD, EmployerFactory, make_user
from tests.transport import scenario
from transport.models import Seat, TransportPlan, Trip
from workers.models import ConsentStatus, Worker

pytestmark = pytest.mark.django_db(transaction=True)

# Screenshots to look at, outside the checkout.
SHOTS = Path(tempfile.gettempdir()) / "laborbridge-e2e-outreach"


@pytest.fixture
def celery_eager():
    """Run the planning task and the drain in the request, whatever broker is configured."""
    from laborbridge.celery import app

    before = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


@pytest.fixture
def world(reference_data, celery_eager, settings):
    settings.SMS_BACKEND = "console"
    settings.SMS_FILE = ""
    backends._backend = None
    employer = EmployerFactory(name="青岛海川电子有限公司", district_id=CHENGYANG)
    built = scenario.build([employer], per_employer=6)
    # The scenario's trips ran in February 2026: the campaign moves so that the special train
    # leaves in ten days, both reminders still ahead.
    shift = (
        timezone.localdate() + dt.timedelta(days=10) - timezone.localdate(built.train.departure_at)
    )
    Trip.objects.filter(campaign=built.campaign).update(
        departure_at=F("departure_at") + shift, arrival_at=F("arrival_at") + shift
    )
    Vacancy.objects.filter(campaign=built.campaign).update(start_date=F("start_date") + shift)
    Campaign.objects.filter(pk=built.campaign.pk).update(
        starts_on=F("starts_on") + shift, ends_on=F("ends_on") + shift
    )
    Worker.objects.update(consent_status=ConsentStatus.GIVEN)
    make_user(
        "coordinator_qd",
        Role.COORDINATOR,
        pairing=Pairing.objects.get(code="qingdao-dingxi"),
        first_name="协作专员",
    )
    make_user("official_anding", Role.COUNTY_OFFICIAL, county_id="621102", first_name="安定区")
    yield built
    backends._backend = None


def _shot(page, label: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / f"{page.viewport_name}-{label}.png"), full_page=True)
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"{page.url} is {overflow}px wider than the screen ({label})"


def test_reminders_change_notice_bulk_and_outbox(page, world):
    people = len(world.matches)

    # The coordinator plans and confirms the special train: two reminders per traveller.
    login(page, "coordinator_qd", PASSWORD)
    nav(page, "点对点运输")
    page.goto(f"{page.base_url}{reverse('transport:trip_list')}?campaign={world.campaign.pk}")
    page.fill("#id_min_fill_percent", "0")
    page.get_by_role("button", name="开始规划").click()
    page.wait_for_url(re.compile(r"/transport/plans/\d+/$"))
    page.get_by_role("button", name="确认方案").click()
    expect(page.locator(".messages")).to_contain_text("已确认")
    plan = TransportPlan.objects.get()
    seats = list(Seat.objects.filter(plan=plan, released_at=None).select_related("car"))
    assert len(seats) == people, (plan.stats, plan.run_status, plan.status)
    reminders = SmsMessage.objects.filter(key=catalogue.DEPARTURE_REMINDER)
    assert reminders.count() == 2 * people
    assert all(reminders.filter(worker=seat.worker_id).count() == 2 for seat in seats)
    assert set(reminders.values_list("status", flat=True)) == {SmsStatus.QUEUED}

    # The coordinator moves one Anding traveller to a free seat of the same train.
    moved = min(
        (s for s in seats if s.worker.home_county_id == "621102"),
        key=lambda s: (s.car.car_no, s.row, s.letter),
    )
    taken = {(s.car.car_no, s.row, s.letter) for s in seats}
    row = max(s.row for s in seats if s.car_id == moved.car_id) + 1
    assert (moved.car.car_no, row, "A") not in taken
    source = f"{moved.car.car_no:02d}车{moved.row:02d}{moved.letter}"
    target = f"{moved.car.car_no:02d}车{row:02d}A"
    adjust = page.locator("#adjust")
    adjust.get_by_label("原车次").select_option(str(world.train.pk))
    adjust.get_by_label("原座位").fill(source)
    adjust.get_by_label("新车次").select_option(str(world.train.pk))
    adjust.get_by_label("新座位").fill(target)
    _shot(page, "1-move")
    adjust.get_by_role("button", name="调座").click()
    expect(page.locator(".messages")).to_contain_text(f"已调到 {target}")
    change = SmsMessage.objects.get(key=catalogue.TRIP_CHANGED)
    assert change.worker_id == moved.worker_id and target in change.text
    # Due now: the drain that followed the move sent it through the console backend (at
    # night in China it waits for 08:00: only the departure day is exempt).
    assert change.status == SmsStatus.SENT or change.reason == SmsReason.QUIET_HOURS
    mine = reminders.filter(worker=moved.worker_id)
    assert {(r.status, r.reason) for r in mine if source in r.text} == {
        (SmsStatus.SUPPRESSED, SmsReason.RESCHEDULED)
    }
    assert [target in r.text for r in mine.filter(status=SmsStatus.QUEUED)] == [True, True]
    if change.status == SmsStatus.SENT:
        assert any(target in sent.text for sent in backends.backend().sent)
    logout(page)

    # The county official sends a notice to one car: preview, count, then the send.
    login(page, "official_anding", PASSWORD)
    nav(page, "短信")
    page.get_by_role("link", name="群发短信").click()
    page.select_option("select[name=trip]", str(world.train.pk))
    page.fill("input[name=car]", str(moved.car.car_no))
    page.get_by_role("button", name="选定对象").click()
    in_car = {
        s.worker_id
        for s in Seat.objects.filter(plan=plan, released_at=None, car=moved.car)
        if s.worker.home_county_id == "621102"
    }
    expect(page.locator("main")).to_contain_text(f"共 {len(in_car)} 人")
    page.fill("textarea[name=content]", "明早8点在县人社局门口领取务工手册")
    page.get_by_role("button", name="预览").click()
    preview = page.locator(".sms-preview")
    expect(preview).to_contain_text("明早8点在县人社局门口领取务工手册（安定区人社局）退订回TD")
    expect(preview.locator("dd").first).to_have_text(str(len(in_car)))
    _shot(page, "2-bulk-preview")
    page.get_by_role("button", name="发送").click()
    expect(page.locator(".messages")).to_contain_text(f"已为{len(in_car)}人排队发送")
    assert SmsMessage.objects.filter(key=catalogue.COUNTY_NOTICE).count() == len(in_car)

    # The outbox shows every message of the county's workers with its status.
    outbox = page.locator("#outbox + .table-scroll")
    expect(outbox).to_contain_text("排队中")
    expect(outbox).to_contain_text("未发送")  # the suppressed reminders of the old seat
    expect(outbox).to_contain_text("行程已变更，改发新提醒")
    _shot(page, "3-outbox")
    visible = SmsMessage.objects.filter(worker__home_county_id="621102").count()
    assert page.locator("#outbox + .table-scroll .badge").count() == min(visible, 50)
