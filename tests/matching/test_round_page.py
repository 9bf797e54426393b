"""The round page and match reasons say true things: sentences with counts, no placeholders,
sorted charts without zeros, timings in words for admins only, no invented wage wish, reasons
of both sides, and a progress bar that keeps moving through the optimal assignment."""

import threading
import time

import pytest
from django.urls import reverse

from matching import rounds
from matching.models import Match, MatchRound, MatchStatus, RoundStatus
from matching.reasons import describe, explain, unmatched_sentences
from matching.selectors import round_charts
from tests.matching import scenario
from workers.models import Worker

STATS = {
    "workers": 20,
    "matched": 10,
    "unmatched": 10,
    "fill_rate": 0.5,
    "unmatched_by_reason": {"outranked": 3, "no_eligible_vacancy": 7, "not_selected": 0},
    "no_eligible_by_rule": {
        "age_out_of_range": 2,
        "occupation_mismatch": 5,
        "certificate_missing": 0,
    },
}


class TestUnmatchedInWords:
    def test_full_sentences_with_counts_largest_first_and_no_zero(self):
        assert unmatched_sentences(STATS) == [
            "7 人没有符合条件的岗位，主要原因：工种不符 5 人，年龄不在岗位要求范围内 2 人。",
            "3 人符合条件的岗位均已由优先级更高的求职者录满。",
        ]

    def test_nothing_to_say_says_nothing(self):
        assert unmatched_sentences({}) == []
        assert unmatched_sentences({"unmatched_by_reason": {"outranked": 0}}) == []

    def test_no_placeholders_when_the_details_are_missing(self):
        texts = [
            describe({"code": "no_eligible_vacancy"}),
            describe({"code": "outranked"}),
            describe({"code": "not_selected"}),
        ]
        assert texts == [
            "没有符合条件的岗位",
            "符合条件的岗位均已由优先级更高的求职者录满",
            "有符合条件的岗位，但本轮未被选中",
        ]
        assert "主要原因：工种不符" in describe(
            {"code": "no_eligible_vacancy", "detail": "occupation_mismatch"}
        )
        assert "3 个岗位" in describe({"code": "outranked", "eligible": 3})


@pytest.mark.django_db
class TestRoundPage:
    def _round(self, coordinator, **kwargs):
        world = scenario.build(workers=2, headcounts=(1,))
        return MatchRound.objects.create(
            campaign=world.campaign,
            created_by=coordinator,
            status=RoundStatus.SUCCEEDED,
            progress_percent=100,
            **kwargs,
        )

    def test_fill_chart_sorted_without_zeros(self, coordinator):
        from laborbridge.models import Occupation

        codes = list(Occupation.objects.order_by("code").values_list("code", flat=True)[:14])
        fill = {code: {"headcount": 10, "filled": i % 4} for i, code in enumerate(codes)}
        round_ = self._round(coordinator, statistics=dict(STATS, fill_by_occupation=fill))
        values = [point["value"] for point in round_charts(round_)["fill"]]
        assert values == sorted(values, reverse=True) and 0 not in values and len(values) == 10
        unmatched = round_charts(round_)["unmatched"]
        assert [p["value"] for p in unmatched] == [7, 3]  # sorted, the 0 left out

    def test_page_in_sentences_timings_only_for_admins(self, client, coordinator, admin_user):
        round_ = self._round(
            coordinator,
            statistics=STATS,
            timings={"load": 0.05, "candidates": 1.42, "assign_optimal": 2.5, "total": 4.0},
        )
        url = reverse("matching:round_detail", args=[round_.pk])
        client.force_login(coordinator)
        body = client.get(url).content.decode()
        assert "7 人没有符合条件的岗位，主要原因：工种不符 5 人" in body
        assert "主要原因：无" not in body and " 0 个岗位" not in body
        assert 'id="timings"' not in body and "assign_optimal" not in body
        client.force_login(admin_user)
        body = client.get(url).content.decode()
        assert "生成候选岗位 1.4 秒，最优匹配 2.5 秒" in body and "共 4.0 秒" in body
        assert "assign_optimal" not in body  # in words, not codes

    def test_running_stage_in_words(self, client, coordinator):
        round_ = self._round(coordinator)
        MatchRound.objects.filter(pk=round_.pk).update(
            status=RoundStatus.RUNNING, progress_stage="optimal", progress_percent=60
        )
        client.force_login(coordinator)
        body = client.get(
            reverse("matching:round_detail", args=[round_.pk]), HTTP_HX_REQUEST="true"
        ).content.decode()
        assert "当前阶段：最优匹配" in body and 'value="60"' in body


@pytest.mark.django_db
class TestMatchReasons:
    def test_no_wage_wish_is_invented_and_zero_points_are_not_listed(self, coordinator):
        world = scenario.build(workers=3, headcounts=(3,))
        Worker.objects.filter(pk=world.workers[0].pk).update(min_wage=None)
        round_ = MatchRound.objects.create(campaign=world.campaign, created_by=coordinator)
        assert rounds.round_execute(round_id=round_.pk, task_id="t")
        matches = {
            m.worker_id: m for m in Match.objects.filter(round=round_).select_related("worker")
        }
        no_wish = matches[world.workers[0].pk]
        with_wish = matches[world.workers[1].pk]
        assert {r["code"] for r in no_wish.reasons} >= {"wage_offered"}
        assert "wage_above_expectation" not in {r["code"] for r in no_wish.reasons}
        assert "wage_above_expectation" in {r["code"] for r in with_wish.reasons}
        # the points still add up to the scores
        assert sum(r["points"] for r in no_wish.reasons) == no_wish.score
        # a round stored before the fix is told truthfully too, and 0-point reasons vanish
        no_wish.reasons = [
            {"code": "wage_above_expectation", "amount": 5500, "points": 30, "side": "worker"},
            {"code": "dormitory_provided", "points": 0, "side": "worker"},
            {"code": "skill_level", "level": 2, "points": 16, "side": "vacancy"},
        ]
        explain([no_wish, with_wish])
        texts = [line.text for line in no_wish.reason_lines]
        assert "月薪约 5500 元（本人未填期望工资）" in texts
        assert not any("期望 5500" in t for t in texts) and "提供宿舍" not in texts
        assert all(line.points for m in (no_wish, with_wish) for line in m.reason_lines)
        # both sides are shown, whatever the round's mode
        assert no_wish.worker_lines and no_wish.vacancy_lines
        assert with_wish.vacancy_lines and {line.side for line in with_wish.vacancy_lines} == {
            "vacancy"
        }

    def test_hr_sees_the_employer_side_of_an_optimal_match(self, client, coordinator):
        from laborbridge.models import Role
        from tests.factories import make_user

        world = scenario.build(workers=3, headcounts=(3,))
        round_ = MatchRound.objects.create(
            campaign=world.campaign, created_by=coordinator, mode="optimal"
        )
        assert rounds.round_execute(round_id=round_.pk, task_id="t")
        match = Match.objects.filter(round=round_).first()
        assert match is not None
        Match.objects.filter(pk=match.pk).update(status=MatchStatus.OFFERED)  # HR sees offers
        hr = make_user("hr_scenario", Role.EMPLOYER_HR, employer=match.vacancy.employer)
        client.force_login(hr)
        body = client.get(
            reverse("matching:vacancy_candidates", args=[match.vacancy_id])
        ).content.decode()
        assert "求职者为何愿意去" in body and "企业为何优先录用" in body
        assert "技能" in body  # the vacancy side's skill reason, in words


class TestHeartbeat:
    def test_the_bar_moves_during_the_optimal_solve_and_never_ends_early(self, monkeypatch):
        monkeypatch.setattr(rounds, "HEARTBEAT_INTERVAL", 0.05)
        seen: list[tuple[str, float]] = []
        lock = threading.Lock()

        def progress(stage, fraction):
            with lock:
                seen.append((stage, fraction))

        beat = rounds._Heartbeat(progress, expected_seconds=0.2)
        beat("assign_stable", 0.0)
        beat("assign_stable", 1.0)
        beat("assign_optimal", 0.0)
        time.sleep(0.6)  # the solve: one compiled call that reports nothing
        beat("assign_optimal", 1.0)
        after = len(seen)
        time.sleep(0.15)
        assert len(seen) == after  # the thread stopped with the stage
        during = [f for stage, f in seen if stage == "optimal" and 0.0 < f < 1.0]
        assert len(during) >= 5
        assert during == sorted(during) and during[-1] < 1.0
        assert seen[0] == ("assignment", 0.0) and seen[-1] == ("optimal", 1.0)
        # the optimal solve has its own span, after the stable one: the bar never goes back
        assert rounds.STAGES["assignment"][1] <= rounds.STAGES["optimal"][0]
