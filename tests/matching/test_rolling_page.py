"""The round page shows its rolling updates as part of the round's history — when, what
triggered them, how, proposals made and withdrawn, how long — in Chinese and English, to the
coordinators who may see the round and to nobody else."""

import pytest
from django.conf import settings
from django.urls import reverse

from laborbridge.models import Pairing
from matching import rolling
from matching.models import MatchRollingUpdate, RoundStatus
from tests.factories import make_user
from tests.matching import scenario
from tests.matching.test_rolling_service import _finished_round, _new_worker, _run

pytestmark = pytest.mark.django_db


@pytest.fixture
def rolled(coordinator):
    world = scenario.build(workers=6, headcounts=(2, 2), poverty_every=100)
    round_ = _finished_round(coordinator, world)
    newcomer = _new_worker(world, level=5, years=20)
    update = _run(rolling.rolling_update_request(round_=round_, worker_ids=[newcomer.pk]))
    return round_, update


def _page(client, user, round_):
    client.force_login(user)
    return client.get(reverse("matching:round_detail", args=[round_.pk]))


def test_the_coordinator_sees_the_updates_in_the_round_history(client, coordinator, rolled):
    round_, update = rolled
    assert update.proposed >= 1
    body = _page(client, coordinator, round_).content.decode()
    section = body[body.index('id="rolling-updates"') :]
    assert "滚动匹配记录" in section
    assert "新登记劳动力 1 人" in section
    assert "续接（新求职者加入）" in section and "已完成" in section
    assert f'<td data-label="#">{update.pk}</td>' in section
    assert f'<td class="num" data-label="新增推荐">{update.proposed}</td>' in section
    assert " 秒" in section  # from queued to proposals written
    # the stages' timings are for whoever runs the servers (as the round's own)
    assert "引擎计算" not in section


def test_the_admin_also_sees_the_stage_timings(client, admin_user, rolled):
    round_, _update = rolled
    body = _page(client, admin_user, round_).content.decode()
    assert "引擎计算" in body[body.index('id="rolling-updates"') :]


def test_in_english(client, coordinator, rolled):
    round_, _update = rolled
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = _page(client, coordinator, round_).content.decode()
    section = body[body.index('id="rolling-updates"') :]
    assert "Rolling updates" in section
    assert "1 newly registered worker" in section
    assert "Extended (new job seekers joined)" in section
    assert "滚动" not in section and "新登记" not in section


def test_a_vacancy_trigger_and_a_failure_are_shown(client, coordinator):
    world = scenario.build(workers=2, headcounts=(1,), poverty_every=100)
    round_ = _finished_round(coordinator, world)
    MatchRollingUpdate.objects.create(
        round=round_,
        vacancy_ids=[world.vacancies[0].pk, 10**9],
        status=RoundStatus.FAILED,
        failure_reason="broker down",
    )
    section = _page(client, coordinator, round_).content.decode()
    assert "岗位开放或变动 2 个" in section and "broker down" in section


def test_a_round_without_updates_says_so(client, coordinator):
    world = scenario.build(workers=2, headcounts=(1,), poverty_every=100)
    round_ = _finished_round(coordinator, world)
    assert 'id="no-rolling-updates"' in _page(client, coordinator, round_).content.decode()


@pytest.mark.parametrize("user", ["official_a", "hr_x", "liaison"])
def test_officials_hr_and_liaisons_are_refused(client, request, user, rolled):
    round_, _update = rolled
    response = _page(client, request.getfixturevalue(user), round_)
    assert response.status_code == 403
    assert "滚动匹配记录" not in response.content.decode()


def test_a_coordinator_of_another_pairing_is_refused(client, rolled):
    round_, _update = rolled
    other = make_user(
        "coord_linxia",
        "coordinator",
        pairing=Pairing.objects.get(code="jinan-shizhong-linxia-city"),
    )
    assert _page(client, other, round_).status_code == 404


def test_anonymous_goes_to_login(client, rolled):
    round_, _update = rolled
    response = client.get(reverse("matching:round_detail", args=[round_.pk]))
    assert response.status_code == 302 and "login" in response["Location"]
