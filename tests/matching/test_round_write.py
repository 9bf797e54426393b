"""The streamed write of a round (matching.rounds.Proposals): the same rows as the per-match
path, reasons included; busy workers skipped; a failure while explaining writes nothing."""

import dataclasses
import json
from types import SimpleNamespace

import numpy as np
import pytest
from django.db import connection

from matching import engine, rounds
from matching.engine.synthetic import generate
from matching.inputs import RoundInputs
from matching.models import Match, MatchRound, MatchStatus, RoundStatus
from matching.reasons import timings_sentence, truthful_wage
from tests.factories import VacancyFactory
from tests.matching import scenario
from workers.models import Worker


def _expected_reasons(instance, workers, vacancies, weights, no_expectation) -> list[str]:
    """The reasons as the round wrote them before streaming: dicts, truthful_wage, dumps."""
    explained = engine.explain_pairs_as_dicts(instance, workers, vacancies, weights)
    return [
        json.dumps(
            truthful_wage(reasons, min_wage=None if none else 1),
            ensure_ascii=False,
            separators=(",", ":"),
        )
        for reasons, none in zip(explained, no_expectation, strict=True)
    ]


def test_reasons_json_equals_the_dicts_path_across_chunks(monkeypatch):
    monkeypatch.setattr(rounds, "WRITE_CHUNK", 700)
    instance = generate(3000, 300, seed=3)
    params = engine.Params(seed=3)
    result = engine.solve(instance, params)
    inputs = RoundInputs(
        instance,
        worker_ids=list(range(10_000, 10_000 + instance.n_workers)),
        vacancy_ids=list(range(50_000, 50_000 + instance.n_vacancies)),
        vacancy_occupations=[],
        snapshot={},
    )
    proposals = rounds.proposals_from(SimpleNamespace(pk=7), inputs, result, params)
    # every third worker states no wage expectation: their wage reason says the pay
    proposals = dataclasses.replace(proposals, no_expectation=np.arange(len(proposals)) % 3 == 0)
    assert len(proposals) == int((result.assignment >= 0).sum()) > 1400
    expected = _expected_reasons(
        instance,
        proposals.workers,
        proposals.vacancies,
        params.weights,
        proposals.no_expectation.tolist(),
    )
    assert proposals.reasons_json(0, len(proposals)) == expected
    assert "wage_offered" in expected[0] and "wage_offered" not in expected[1]
    matches = proposals.matches()  # chunked: 700 at a time
    assert [json.dumps(m.reasons, ensure_ascii=False, separators=(",", ":")) for m in matches] == (
        expected
    )
    first = matches[0]
    w = int(proposals.workers[0])
    assert (first.round_id, first.worker_id, first.status) == (7, 10_000 + w, MatchStatus.PROPOSED)
    assert first.vacancy_id == 50_000 + int(result.assignment[w])
    assert first.score == float(result.worker_score[w] + result.vacancy_score[w])
    assert first.worker_rank == int(result.rank[w]) + 1


@pytest.mark.django_db
def test_a_round_writes_the_same_rows_through_copy(coordinator, monkeypatch):
    monkeypatch.setattr(rounds, "WRITE_CHUNK", 3)  # several chunks through the thread
    world = scenario.build(workers=9, headcounts=(3, 4))
    Worker.objects.filter(pk=world.workers[1].pk).update(min_wage=None)
    round_ = MatchRound.objects.create(campaign=world.campaign, created_by=coordinator)
    captured = {}
    real = rounds.proposals_from

    def keep(*args):
        captured["proposals"] = real(*args)
        return captured["proposals"]

    monkeypatch.setattr(rounds, "proposals_from", keep)
    assert rounds.round_execute(round_id=round_.pk, task_id="t")
    round_.refresh_from_db()
    assert round_.status == RoundStatus.SUCCEEDED
    assert round_.statistics["written"] == 7 and round_.statistics["skipped_busy"] == 0
    assert {"explain", "write", "total"} <= round_.timings.keys()
    if connection.vendor == "postgresql":  # the COPY path: its parts timed, in words
        parts = {"write_workers", "write_copy", "write_checks"}
        assert parts <= round_.timings.keys()
        sentence = timings_sentence({k: round_.timings[k] for k in parts})
        assert "标记已匹配的劳动力" in sentence and "核对引用完整性" in sentence
    proposals = captured["proposals"]
    rows = {m.worker_id: m for m in Match.objects.filter(round=round_).order_by("worker_id")}
    assert len(rows) == 7
    expected = proposals.matches()
    for m in expected:
        row = rows[m.worker_id]
        assert (row.vacancy_id, row.status, row.score, row.worker_score, row.vacancy_score) == (
            m.vacancy_id,
            m.status,
            m.score,
            m.worker_score,
            m.vacancy_score,
        )
        assert (row.worker_rank, row.reasons, row.decline_reason) == (m.worker_rank, m.reasons, "")
        assert (row.worker_decision, row.employer_decision) == ("pending", "pending")
    if world.workers[1].pk in rows:  # no expectation stated: the wage reason says the pay
        codes = [r["code"] for r in rows[world.workers[1].pk].reasons]
        assert "wage_offered" in codes and "wage_above_expectation" not in codes
    assert Worker.objects.filter(status="matched").count() == 7


@pytest.mark.django_db
def test_busy_workers_are_skipped(coordinator, monkeypatch):
    monkeypatch.setattr(rounds, "WRITE_CHUNK", 2)
    world = scenario.build(workers=6, headcounts=(2, 2))
    round_ = MatchRound.objects.create(campaign=world.campaign, created_by=coordinator)
    real = rounds.proposals_from
    taken = {}

    def meanwhile(round_, inputs, result, params):
        # a worker of this round gets an active match elsewhere while the engine runs
        proposals = real(round_, inputs, result, params)
        worker_id = int(proposals.worker_ids[1])
        Match.objects.create(worker_id=worker_id, vacancy=VacancyFactory(), status="proposed")
        taken["worker"] = worker_id
        return proposals

    monkeypatch.setattr(rounds, "proposals_from", meanwhile)
    assert rounds.round_execute(round_id=round_.pk, task_id="t")
    round_.refresh_from_db()
    assert round_.statistics["written"] == 3 and round_.statistics["skipped_busy"] == 1
    written = set(Match.objects.filter(round=round_).values_list("worker_id", flat=True))
    assert len(written) == 3 and taken["worker"] not in written


@pytest.mark.django_db
def test_a_failure_while_explaining_writes_nothing(coordinator, monkeypatch):
    monkeypatch.setattr(rounds, "WRITE_CHUNK", 1)
    world = scenario.build(workers=6, headcounts=(2, 2))
    round_ = MatchRound.objects.create(campaign=world.campaign, created_by=coordinator)
    real = rounds.Proposals.reasons_json

    def fail_later(self, lo, hi):
        if lo >= 2:
            raise RuntimeError("explanation broke")
        return real(self, lo, hi)

    monkeypatch.setattr(rounds.Proposals, "reasons_json", fail_later)
    with pytest.raises(RuntimeError, match="explanation broke"):
        rounds.round_execute(round_id=round_.pk, task_id="t")
    assert not Match.objects.filter(round=round_).exists()
    assert not Worker.objects.filter(status="matched").exists()
    assert MatchRound.objects.get(pk=round_.pk).status == RoundStatus.RUNNING


def _worker_updates() -> tuple[int, int]:
    """Row updates of the worker table in this transaction so far: (all, HOT)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = %s",
            [Worker._meta.db_table],
        )
        return cursor.fetchone()


@pytest.mark.django_db
def test_marking_a_rounds_workers_matched_is_a_hot_update(coordinator):
    """No index names the worker's status and the table keeps room on its pages, so the
    round's status updates add no index entries (a HOT update each: bench/RESULTS.md)."""
    if connection.vendor != "postgresql":
        pytest.skip("HOT updates are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reloptions FROM pg_class WHERE relname = %s", [Worker._meta.db_table]
        )
        assert cursor.fetchone()[0] == ["fillfactor=60"]
    world = scenario.build(workers=9, headcounts=(3, 4))
    round_ = MatchRound.objects.create(campaign=world.campaign, created_by=coordinator)
    updated_before, hot_before = _worker_updates()
    assert rounds.round_execute(round_id=round_.pk, task_id="t")
    updated, hot = _worker_updates()
    assert Worker.objects.filter(status="matched").count() == 7
    assert updated - updated_before == 7
    assert hot - hot_before == 7
