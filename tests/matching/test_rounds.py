"""Rounds: load from the database, run the engine, write proposals; safe to run twice."""

import pytest
from django.urls import reverse

from jobs.models import Vacancy
from matching import rounds, services
from matching.inputs import round_inputs_load
from matching.models import Match, MatchRound, RoundStatus
from tests.matching import scenario
from workers.models import Worker

pytestmark = pytest.mark.django_db


def _round(coordinator, world, **kwargs) -> MatchRound:
    return MatchRound.objects.create(campaign=world.campaign, created_by=coordinator, **kwargs)


def test_round_proposes_matches_with_reasons(coordinator):
    world = scenario.build(workers=6, headcounts=(2, 2))
    round_ = _round(coordinator, world)
    assert rounds.round_execute(round_id=round_.pk, task_id="test")
    round_.refresh_from_db()
    assert round_.status == RoundStatus.SUCCEEDED and round_.progress_percent == 100
    matches = list(Match.objects.filter(round=round_))
    assert len(matches) == 4 == round_.statistics["matched"]
    assert round_.statistics["unmatched"] == 2
    assert round_.statistics["unmatched_by_reason"] == {"outranked": 2}
    assert all(m.status == "proposed" and m.reasons for m in matches)
    codes = {r["code"] for m in matches for r in m.reasons}
    assert "wage_above_expectation" in codes and "skill_level" in codes
    assert Worker.objects.filter(status="matched").count() == 4
    assert round_.engine_version and round_.input_snapshot["workers"] == 6


def test_higher_priority_workers_get_the_places(coordinator):
    world = scenario.build(workers=4, headcounts=(1,), poverty_every=100)
    round_ = _round(coordinator, world)
    rounds.round_execute(round_id=round_.pk, task_id="t")
    winner = Match.objects.get(round=round_).worker
    # Skill levels are 1,2,3,1 and years 0..3: the level-3 worker (index 2) has top priority.
    assert winner == world.workers[2]


def test_minimum_education_excludes_with_a_reason_in_words(coordinator):
    from matching.reasons import describe

    world = scenario.build(workers=4, headcounts=(4,))
    Vacancy.objects.filter(pk=world.vacancies[0].pk).update(min_education=3)
    for worker, education in zip(
        world.workers, ["senior", "vocational", "junior", ""], strict=True
    ):
        Worker.objects.filter(pk=worker.pk).update(education=education)
    round_ = _round(coordinator, world)
    rounds.round_execute(round_id=round_.pk, task_id="t")
    round_.refresh_from_db()
    matched = set(Match.objects.filter(round=round_).values_list("worker_id", flat=True))
    assert matched == {world.workers[0].pk, world.workers[1].pk}  # senior high = vocational
    assert round_.statistics["no_eligible_by_rule"] == {"education_too_low": 2}
    text = describe({"code": "education_too_low", "level": 2, "required": 3})
    assert text == "文化程度低于岗位要求（高中/中专/技校及以上）"
    text = describe({"code": "education_too_low", "level": -1, "required": 3})
    assert text == "未登记文化程度，岗位要求高中/中专/技校及以上"


def test_running_twice_writes_once(coordinator):
    world = scenario.build()
    round_ = _round(coordinator, world)
    assert rounds.round_execute(round_id=round_.pk, task_id="a")
    assert not rounds.round_execute(round_id=round_.pk, task_id="b")
    assert Match.objects.filter(round=round_).count() == 4


def test_a_stale_attempt_cannot_write(coordinator):
    world = scenario.build()
    round_ = _round(coordinator, world)
    first = rounds.round_claim(round_id=round_.pk, task_id="first")
    second = rounds.round_claim(round_id=round_.pk, task_id="second (redelivered)")
    assert second.attempt == first.attempt + 1
    assert not rounds.round_write_results(
        claim=first, matches=[], statistics={}, timings={}, engine_version="x", input_snapshot={}
    )
    round_.refresh_from_db()
    assert round_.status == RoundStatus.RUNNING


def test_a_later_round_uses_only_free_workers_and_headcount(coordinator):
    world = scenario.build(workers=6, headcounts=(2, 2))
    first = _round(coordinator, world)
    rounds.round_execute(round_id=first.pk, task_id="1")
    second = _round(coordinator, world)
    inputs = round_inputs_load(round_=second)
    assert len(inputs.worker_ids) == 2  # the four matched are busy
    assert inputs.instance.vacancies.headcount.sum() == 0 or len(inputs.vacancy_ids) == 0


def test_same_inputs_and_seed_give_the_same_matches(coordinator):
    world = scenario.build(workers=8, headcounts=(1, 1, 1))
    a = _round(coordinator, world, seed=7)
    inputs_a = round_inputs_load(round_=a)
    # (one live round per campaign: the second one is recorded as finished)
    inputs_b = round_inputs_load(
        round_=_round(coordinator, world, seed=7, status=RoundStatus.SUCCEEDED)
    )
    assert inputs_a.snapshot["sha256"] == inputs_b.snapshot["sha256"]
    from matching import engine

    params = engine.Params(seed=7)
    assert (
        engine.solve(inputs_a.instance, params).assignment
        == engine.solve(inputs_b.instance, params).assignment
    ).all()


def test_workers_without_consent_are_left_out(coordinator):
    world = scenario.build(workers=3, headcounts=(5,))
    Worker.objects.filter(pk=world.workers[0].pk).update(consent_status="none")
    inputs = round_inputs_load(round_=_round(coordinator, world))
    assert world.workers[0].pk not in inputs.worker_ids and len(inputs.worker_ids) == 2


def test_service_refuses_a_second_concurrent_round(coordinator):
    world = scenario.build()
    _round(coordinator, world, status=RoundStatus.RUNNING)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.match_round_create(actor=coordinator, campaign=world.campaign)


class TestRoundPages:
    def test_coordinator_starts_a_round_and_sees_statistics(
        self, client, coordinator, django_capture_on_commit_callbacks
    ):
        world = scenario.build()
        client.force_login(coordinator)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("matching:round_list"),
                {"campaign": world.campaign.pk, "mode": "stable", "seed": 3},
            )
        round_ = MatchRound.objects.get()
        assert response.status_code == 302 and response["Location"] == reverse(
            "matching:round_detail", args=[round_.pk]
        )
        body = client.get(response["Location"]).content.decode()
        assert round_.status == "queued" or "匹配人数" in body

    def test_progress_partial_for_htmx(self, client, coordinator):
        world = scenario.build()
        round_ = _round(coordinator, world, status=RoundStatus.RUNNING, progress_percent=42)
        client.force_login(coordinator)
        body = client.get(
            reverse("matching:round_detail", args=[round_.pk]), HTTP_HX_REQUEST="true"
        ).content.decode()
        assert 'aria-valuenow="42"' in body and "every 1s" in body

    @pytest.mark.parametrize("user", ["official_a", "hr_x"])
    def test_officials_and_hr_are_refused(self, client, request, user, coordinator):
        world = scenario.build(workers=1, headcounts=(1,))
        round_ = _round(coordinator, world)
        client.force_login(request.getfixturevalue(user))
        assert client.get(reverse("matching:round_list")).status_code == 403
        assert client.get(reverse("matching:round_detail", args=[round_.pk])).status_code == 403
        assert client.post("/api/v1/rounds/", {"campaign": world.campaign.code}).status_code in (
            403,
            404,
        )

    def test_anonymous_goes_to_login(self, client):
        assert client.get(reverse("matching:round_list")).status_code == 302

    def test_coordinator_of_another_pairing_cannot_open_the_round(self, client, coordinator):
        from laborbridge.models import Pairing
        from tests.factories import make_user

        world = scenario.build(workers=1, headcounts=(1,))
        round_ = _round(coordinator, world)
        other = make_user(
            "coord_linxia",
            "coordinator",
            pairing=Pairing.objects.get(code="jinan-shizhong-linxia-city"),
        )
        client.force_login(other)
        assert client.get(reverse("matching:round_detail", args=[round_.pk])).status_code == 404
        assert client.get(f"/api/v1/rounds/{round_.pk}/").status_code == 404

    def test_api_creates_a_round(self, client, coordinator):
        world = scenario.build(workers=1, headcounts=(1,))
        client.force_login(coordinator)
        response = client.post(
            "/api/v1/rounds/", {"campaign": world.campaign.code, "mode": "optimal", "seed": 1}
        )
        assert response.status_code == 201 and response.json()["mode"] == "optimal"
