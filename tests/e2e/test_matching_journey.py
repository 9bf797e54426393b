"""Issue "matching": a coordinator runs a round for Dingxi → Qingdao, watches it, reads its
statistics, understands a match in the admin, approves and offers a batch; the worker's
county official and the employer's HR then each see the offer and act on it."""

import io

import pytest
from django.conf import settings
from django.core.management import call_command

from laborbridge.demo import DEMO_CAMPAIGN, DEMO_PASSWORD
from laborbridge.models import Campaign
from matching.models import Match, MatchRound
from tests.e2e.conftest import login, logout, nav
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def rounds_run(request):
    """A real Celery worker when Redis is there (always in CI); eager tasks otherwise."""
    if settings.REDIS_URL:
        request.getfixturevalue("celery_worker_process")()
        yield
        return
    from laborbridge.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER


def test_round_review_offer_and_both_sides_answer(page, reference_data, rounds_run):
    call_command("demo", workers=400, employers=24, vacancies=80, stdout=io.StringIO())

    # The coordinator starts the round and watches it run.
    login(page, "coordinator", DEMO_PASSWORD)
    nav(page, "匹配轮次")
    demo_campaign = Campaign.objects.get(code=DEMO_CAMPAIGN)  # where the demo vacancies are
    page.select_option("select[name=campaign]", label=demo_campaign.name_zh)
    page.select_option("select[name=mode]", "stable")
    page.click("text=开始匹配")
    page.wait_for_url("**/matching/rounds/*/")
    assert page.locator("[role=progressbar]").count() == 1
    page.wait_for_selector("#round-stats", timeout=90_000)
    round_ = MatchRound.objects.get()
    assert round_.status == "succeeded"
    matched = round_.statistics["matched"]
    assert matched > 0
    assert str(matched) in page.locator(".stats").first.inner_text()
    assert page.locator("figure.chart").count() >= 1  # statistics as charts
    text = page.locator("#round-stats").inner_text()
    assert "主要原因：无" not in text and " 0 个岗位" not in text  # no placeholders
    assert "各阶段耗时" not in text  # the timings are for admins
    page.shot("round")

    # In the admin: why was this match made?
    page.click("text=在后台审核本轮匹配")
    page.locator("#result_list tbody tr th a").first.click()
    explanation = page.locator("div.field-explanation").inner_text()
    assert "求职者为何愿意去" in explanation and "岗位为何优先录用" in explanation
    assert "工资" in explanation

    # Approve a batch, then offer it to both sides.
    page.goto(
        f"{page.base_url}/admin/matching/match/?round__id__exact={round_.pk}&status__exact=proposed"
    )
    page.check("#action-toggle")
    page.select_option("select[name=action]", "approve_selected")
    page.click("button[name=index]")
    assert "已批准" in page.locator("ul.messagelist").inner_text()
    page.goto(
        f"{page.base_url}/admin/matching/match/?round__id__exact={round_.pk}&status__exact=approved"
    )
    page.check("#action-toggle")
    page.select_option("select[name=action]", "offer_selected")
    page.click("button[name=index]")
    assert "已推荐" in page.locator("ul.messagelist").inner_text()
    offered = (
        Match.objects.filter(round=round_, status="offered", worker__home_county_id="621102")
        .select_related("worker", "vacancy__employer")
        .first()
    )
    assert offered is not None
    page.goto(f"{page.base_url}/")
    logout(page)

    # The Anding official sees the offer with its reasons and records the worker's yes.
    login(page, "official_anding", DEMO_PASSWORD)
    page.goto(f"{page.base_url}/matching/my-county/?status=offered")
    card = page.locator("section.match", has_text=offered.worker.id_number_masked)
    assert offered.vacancy.employer.name in card.inner_text()
    assert card.locator("ul.reasons li").count() > 0
    page.shot("county-matches")
    card.locator("button", has_text="求职者接受").click()
    page.wait_for_load_state("networkidle")
    offered.refresh_from_db()
    assert offered.status == "accepted"
    logout(page)

    # The employer's HR confirms the hire.
    make_user("hr_e2e", "employer_hr", employer=offered.vacancy.employer)
    login(page, "hr_e2e", PASSWORD)
    page.goto(f"{page.base_url}/jobs/candidates/")
    candidate = page.locator(f"#candidate-{offered.pk}")
    assert "匹配理由" in candidate.inner_text() and "企业为何优先录用" in candidate.inner_text()
    page.shot("candidates")
    candidate.locator("button", has_text="确认录用").click()
    page.wait_for_load_state("networkidle")
    offered.refresh_from_db()
    assert offered.status == "confirmed"
