"""Issue 6, "done means": after a matching round has hired travellers (confirmed matches,
made directly here), a coordinator plans the Dingxi → Qingdao special train G2096 with its
pickup and arrival buses, confirms the plan, prints a car's manifest, calls the roll on a
phone (one traveller does not come), the county official sees the seats and the no-show
notice, and HR checks the arrivals in at the factory gate."""

import re

import pytest
from playwright.sync_api import expect

from laborbridge.models import Pairing, Role
from laborbridge.notifications.models import Message
from matching.models import Match, MatchStatus
from tests.e2e.conftest import ARTIFACTS, login, logout, nav
from tests.factories import CHENGYANG, JIAOZHOU, PASSWORD, EmployerFactory, make_user
from tests.transport import scenario
from transport.models import Bus, Seat, TransportPlan
from workers.models import WorkerStatus

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def celery_eager():
    """Run the planning task in the request, whatever broker is configured."""
    from laborbridge.celery import app

    before = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


@pytest.fixture
def world(reference_data, celery_eager):
    chengyang = EmployerFactory(name="青岛海川电子有限公司", district_id=CHENGYANG)
    jiaozhou = EmployerFactory(name="胶州鲁信食品有限公司", district_id=JIAOZHOU)
    built = scenario.build([chengyang, jiaozhou], per_employer=5, family=2)
    make_user(
        "coordinator_qd",
        Role.COORDINATOR,
        pairing=Pairing.objects.get(code="qingdao-dingxi"),
        first_name="协作专员",
    )
    make_user("hr_haichuan", Role.EMPLOYER_HR, employer=chengyang, first_name="刘人事")
    make_user("official_anding", Role.COUNTY_OFFICIAL, county_id="621102", first_name="安定区")
    return {"world": built, "chengyang": chengyang}


def test_special_train_from_plan_to_factory_gate(page, world):
    built = world["world"]
    people = len(built.matches)

    # The coordinator plans the campaign's transport.
    login(page, "coordinator_qd", PASSWORD)
    nav(page, "点对点运输")
    expect(page.locator("h1")).to_have_text("点对点运输")
    expect(page.locator("table").first).to_contain_text("G2096")
    page.fill("#id_min_fill_percent", "0")  # ten people may take the demo's whole train
    page.get_by_role("button", name="开始规划").click()
    page.wait_for_url(re.compile(r"/transport/plans/\d+/$"))
    expect(page.locator("#plan-review")).to_be_visible()
    expect(page.locator(".stat").first).to_contain_text(str(people))
    expect(page.locator("#plan-review")).to_contain_text("送站大巴")
    expect(page.locator("#plan-review")).to_contain_text("胶州市")  # 胶州的跟我走
    page.get_by_role("button", name="确认方案").click()
    expect(page.locator(".messages")).to_contain_text("已确认")
    ARTIFACTS.mkdir(exist_ok=True)
    plan = TransportPlan.objects.get()
    assert plan.status == "confirmed" and plan.stats["placed"] == people

    # The coordinator records the hired arrival bus and its driver on the plan review.
    bus = Bus.objects.filter(kind="arrival").order_by("pk").first()
    card = page.locator(f"#bus-{bus.pk}")
    card.locator("summary").click()
    card.get_by_label("车牌号").fill("鲁B·12345")
    card.get_by_label("司机", exact=True).fill("张师傅")
    card.get_by_label("司机电话").fill("13905320000")
    card.get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_contain_text("车辆信息已保存")
    expect(page.locator(f"#bus-{bus.pk} .vehicle")).to_contain_text("鲁B12345")
    page.shot("plan")

    # A car's manifest, printed to A4.
    first = Seat.objects.select_related("car").filter(trip=built.train).order_by("pk").first()
    car = first.car.car_no
    page.get_by_role("link", name=re.compile(r"^专列 G2096$")).first.click()
    page.locator(".car", has_text=f"{car:02d} 车").get_by_role("link", name="名单").click()
    in_car = Seat.objects.filter(trip=built.train, car__car_no=car, released_at=None)
    expect(page.locator("#manifest tbody tr")).to_have_count(in_car.count())
    expect(page.locator("h1")).to_contain_text("G2096")
    expect(page.locator(".head")).to_contain_text("方案 v1（已确认）")
    expect(page.locator("#manifest")).to_contain_text("********")
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="打印")).to_be_hidden()
    page.shot("car-manifest-print", fits=False)  # paper, not a screen
    pdf = page.pdf(format="A4", landscape=True)
    assert pdf.startswith(b"%PDF")
    (ARTIFACTS / "transport-car-manifest.pdf").write_bytes(pdf)
    page.emulate_media(media="screen")
    page.shot("car-manifest")

    # Roll call (on the phone run, one-handed): everyone of the car is there but one.
    page.goto(f"{page.base_url}/transport/trips/{built.train.pk}/roll-call/?car={car}")
    page.on("dialog", lambda dialog: dialog.accept())
    absent = first
    ordered = list(in_car.order_by("row", "letter").select_related("worker"))
    # One traveller is marked absent by a slip of the finger and the mark is taken back.
    mistaken = next(s for s in ordered if s.pk != absent.pk)  # cars fill from car 1
    for seat in ordered:
        row = page.locator(f"#seat-{seat.pk}")
        if seat.pk == absent.pk:
            row.get_by_role("button", name=f"{seat.worker.name} 未到").click()
            expect(page.locator(f"#seat-{seat.pk}")).to_contain_text("座位已释放")
            continue
        if seat == mistaken:
            row.get_by_role("button", name=f"{seat.worker.name} 未到").click()
            expect(page.locator(f"#seat-{seat.pk}")).to_contain_text("座位已释放")
            page.locator(f"#seat-{seat.pk}").get_by_role(
                "button", name=f"撤销 {seat.worker.name} 未到"
            ).click()
            expect(page.locator(f"#seat-{seat.pk}")).not_to_contain_text("座位已释放")
        page.locator(f"#seat-{seat.pk}").get_by_role(
            "button", name=f"{seat.worker.name} 已到"
        ).click()
        expect(page.locator(f"#seat-{seat.pk}")).to_have_class(re.compile("present"))
    # the counters followed every tap; each row shows the masked phone to call
    expect(page.locator("#count-present")).to_have_text(str(len(ordered) - 1))
    expect(page.locator("#count-no-show")).to_have_text("1")
    expect(page.locator("#count-pending")).to_have_text("0")
    expect(page.locator(f"#seat-{mistaken.pk} form.call button")).to_contain_text(
        mistaken.worker.phone_masked
    )
    # a row never squeezes the name: every name stays on one line
    assert page.evaluate(
        "() => [...document.querySelectorAll('.rollcall .name')]"
        ".every(el => el.getClientRects().length === 1)"
    )
    page.shot("roll-call")
    notice = Message.objects.get(key="transport.no_show", params__seat_id=absent.pk)
    assert notice.params["worker_id"] == absent.worker_id
    correction = Message.objects.get(key="transport.no_show_undo")
    assert correction.params["worker_id"] == mistaken.worker_id and "误记" in correction.title
    assert Seat.objects.get(pk=mistaken.pk).boarding == "present"
    logout(page)

    # The county official sees the seats and, if it is theirs, the no-show.
    login(page, "official_anding", PASSWORD)
    nav(page, "出行安排")
    anding = Seat.objects.filter(worker__home_county_id="621102", released_at=None)
    for seat in anding.select_related("worker", "car"):
        expect(page.locator("table")).to_contain_text(seat.label)
    expect(page.locator("table")).to_contain_text("安定区集合点")
    page.shot("county-travel")
    if absent.worker.home_county_id == "621102":
        expect(page.locator("#notifications")).to_contain_text("未按时上车")
    if Message.objects.filter(audiences__kind="county", audiences__target="621102").exists():
        # Their notices are unread until they mark them; colleagues keep their own state.
        expect(page.locator("#unread-count")).to_be_visible()
        page.locator("#notifications").get_by_role("button", name="全部标为已读").click()
        expect(page.locator("#unread-count")).to_have_count(0)
        expect(page.locator("#notifications li.unread")).to_have_count(0)
    logout(page)

    # HR checks their people in at the gate.
    login(page, "hr_haichuan", PASSWORD)
    nav(page, "到岗签到")
    mine = Seat.objects.filter(
        match__vacancy__employer=world["chengyang"], released_at=None
    ).select_related("worker")
    expect(page.locator("table tbody tr")).to_have_count(mine.count())
    for seat in mine:
        row = page.locator(f"#arrival-{seat.pk}")
        if seat.boarding == "pending":  # nobody roll-called them: HR confirms the identity
            row.get_by_label("未经点名，已核实本人").check()
        row.get_by_role("button", name="确认到岗").click()
        expect(page.locator(f"#arrival-{seat.pk}")).to_contain_text("已到岗")
    page.shot("arrivals")
    hired = Match.objects.filter(vacancy__employer=world["chengyang"], status=MatchStatus.HIRED)
    assert hired.count() == mine.count() > 0
    assert all(m.worker.status == WorkerStatus.EMPLOYED for m in hired.select_related("worker"))
    if absent.match.vacancy.employer_id == world["chengyang"].pk:
        expect(page.locator("#notifications")).to_contain_text("未按时上车")
        assert Match.objects.get(pk=absent.match_id).status == MatchStatus.CONFIRMED
