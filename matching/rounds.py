"""Running a matching round: claim, progress, write results, fail — called by the Celery task.

A round is safe to run twice. ``round_claim`` moves it to *running* with a conditional
UPDATE and returns an attempt number; a redelivered task (its worker was killed: the task is
``acks_late`` with reject-on-worker-lost) claims again and gets a higher number. Results are
written in one transaction that first locks the round and checks it still belongs to this
attempt, so a stale attempt can never write, and a round's matches are written exactly once.
"""

import csv
import io
import json
import threading
import time

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from laborbridge.background import BackgroundJob, Claim
from matching.models import ACTIVE_STATUSES, Match, MatchRound, MatchStatus, RoundStatus
from matching.reasons import truthful_wage
from workers.models import Worker, WorkerStatus

# One INSERT per 2,000 matches: on PostgreSQL 100,000 proposed matches are written in ~3 s
# with this batch size (bench/bench_round.py); larger batches gained nothing measurable.
# (COPY is used on PostgreSQL; the batches are SQLite's path.)
MATCH_WRITE_BATCH = 2000

# Stages shown on the round page, with the share of the progress bar each one covers.
STAGES = {
    "load": (0, 15),
    "candidates": (15, 35),
    "scores": (35, 45),
    "units": (45, 47),
    "assignment": (47, 55),
    "optimal": (55, 80),  # the optimal solve dominates an optimal round (bench/RESULTS.md)
    "checks": (80, 85),
    "reasons": (85, 90),
    "write": (90, 100),
}
ROUNDS = BackgroundJob(
    model=MatchRound,
    status_field="status",
    stage_span=lambda stage: STAGES.get(stage, (0, 100)),
    task_name="matching.tasks.match_round_run",
)


def round_claim(*, round_id: int, task_id: str) -> Claim | None:
    """Claim a queued (or orphaned running) round for this attempt; None if already finished."""
    return ROUNDS.claim(round_id, task_id)


@transaction.atomic
def round_write_results(
    *,
    claim: Claim,
    matches: list[Match],
    statistics: dict,
    timings: dict,
    engine_version: str,
    input_snapshot: dict,
) -> bool:
    """Store a round's proposed matches and statistics; False if this attempt lost the round."""
    round_ = MatchRound.objects.select_for_update().get(pk=claim.pk)
    if round_.status != RoundStatus.RUNNING or round_.attempt != claim.attempt:
        return False
    # Workers who got an active match elsewhere since the inputs were read are skipped: the
    # partial unique index would refuse them anyway, and the round must not fail for it. Only
    # matches created after the claim can be such (the load excluded every busy worker).
    busy = set(
        Match.objects.filter(
            status__in=ACTIVE_STATUSES, created_at__gte=round_.started_at
        ).values_list("worker_id", flat=True)
    )
    fresh = [m for m in matches if m.worker_id not in busy]
    _insert_matches(fresh)
    _mark_workers_matched([m.worker_id for m in fresh])
    statistics = dict(statistics, written=len(fresh), skipped_busy=len(matches) - len(fresh))
    now = timezone.now()
    round_.status = RoundStatus.SUCCEEDED
    round_.statistics = statistics
    round_.timings = timings
    round_.engine_version = engine_version
    round_.input_snapshot = input_snapshot
    round_.progress_stage = "done"
    round_.progress_percent = 100
    round_.finished_at = now
    round_.save(
        update_fields=[
            "status",
            "statistics",
            "timings",
            "engine_version",
            "input_snapshot",
            "progress_stage",
            "progress_percent",
            "finished_at",
            "updated_at",
        ]
    )
    return True


def _mark_workers_matched(worker_ids: list[int]) -> None:
    """Move the round's workers from registered to matched in one statement."""
    if connection.vendor == "postgresql":
        # Join against the unnested id array: one index probe per id. (`id = ANY(array)` was
        # evaluated row by row against the whole array — 30 s for 95,000 workers — and a
        # subquery over the freshly COPYed, unanalysed matches was planned as a nested loop.)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Worker._meta.db_table} AS w SET status = %s "
                "FROM (SELECT unnest(%s::bigint[]) AS id) AS ids "
                "WHERE w.id = ids.id AND w.status = %s",
                [WorkerStatus.MATCHED, worker_ids, WorkerStatus.REGISTERED],
            )
        return
    for start in range(0, len(worker_ids), 500):
        Worker.objects.filter(
            pk__in=worker_ids[start : start + 500], status=WorkerStatus.REGISTERED
        ).update(status=WorkerStatus.MATCHED)


def _insert_matches(matches: list[Match]) -> None:
    """Write proposed matches in bulk: COPY on PostgreSQL, batched INSERTs elsewhere."""
    if connection.vendor != "postgresql":
        Match.objects.bulk_create(matches, batch_size=MATCH_WRITE_BATCH)
        return
    now = timezone.now().isoformat()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for m in matches:
        writer.writerow(
            [
                m.round_id,
                m.worker_id,
                m.vacancy_id,
                m.status,
                m.score,
                m.worker_score,
                m.vacancy_score,
                "" if m.worker_rank is None else m.worker_rank,
                json.dumps(m.reasons, ensure_ascii=False, separators=(",", ":")),
                m.worker_decision,
                m.employer_decision,
                m.decline_reason,
                now,
                now,
            ]
        )
    buffer.seek(0)
    columns = (
        "round_id, worker_id, vacancy_id, status, score, worker_score, vacancy_score, "
        "worker_rank, reasons, worker_decision, employer_decision, decline_reason, "
        "created_at, updated_at"
    )
    with connection.cursor() as cursor:
        # COPY writes 100,000 matches in about a second, several times faster than INSERTs.
        cursor.cursor.copy_expert(
            f"COPY {Match._meta.db_table} ({columns}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL (decline_reason))",
            buffer,
        )


def round_fail(*, round_id: int, reason: str) -> None:
    """Mark a round failed with the reason (unless it already finished)."""
    ROUNDS.fail(round_id, reason)


def round_execute(*, round_id: int, task_id: str) -> bool:
    """Run one round end to end: claim, load, solve, write. False if nothing was done."""
    from matching import engine
    from matching.inputs import round_inputs_load

    claim = round_claim(round_id=round_id, task_id=task_id)
    if claim is None:
        return False
    progress = ROUNDS.progress(claim)
    round_ = MatchRound.objects.select_related("campaign").get(pk=round_id)
    started = time.perf_counter()
    progress("load", 0.0)
    inputs = round_inputs_load(round_=round_)
    load_seconds = time.perf_counter() - started
    progress("load", 1.0)
    if settings.MATCHING_TEST_PAUSE_SECONDS:
        time.sleep(settings.MATCHING_TEST_PAUSE_SECONDS)
    params = engine.Params(
        mode=round_.mode, seed=round_.seed, **_engine_parameters(round_.parameters)
    )
    heartbeat = _Heartbeat(progress, expected_seconds=_optimal_seconds(len(inputs.worker_ids)))
    try:
        result = engine.solve(inputs.instance, params, progress=heartbeat)
    finally:
        heartbeat.stop()
    progress("write", 0.0)
    explain_started = time.perf_counter()
    matches = _matches_from(round_, inputs, result, params)
    explain_seconds = time.perf_counter() - explain_started
    write_started = time.perf_counter()
    statistics = _statistics(inputs, result)
    timings = {
        "load": round(load_seconds, 3),
        **{k: round(v, 3) for k, v in result.stats.get("timings", {}).items()},
    }
    written = round_write_results(
        claim=claim,
        matches=matches,
        statistics=statistics,
        timings=timings,
        engine_version=result.engine_version,
        input_snapshot=inputs.snapshot,
    )
    if written:
        timings["explain"] = round(explain_seconds, 3)
        timings["write"] = round(time.perf_counter() - write_started, 3)
        timings["total"] = round(time.perf_counter() - started, 3)
        MatchRound.objects.filter(pk=round_id).update(timings=timings)
    return written


def _stage(engine_stage: str) -> str:
    return {
        "prepare": "candidates",
        "assign_stable": "assignment",
        "assign_optimal": "optimal",
    }.get(engine_stage, engine_stage)


# Seconds the optimal assignment takes per worker, measured (bench/RESULTS.md: 2.4-3.3 s at
# 100k workers); only the pace of the heartbeat below, never a limit.
OPTIMAL_SECONDS_PER_WORKER = 3e-5
HEARTBEAT_INTERVAL = 0.5


def _optimal_seconds(workers: int) -> float:
    return max(1.0, workers * OPTIMAL_SECONDS_PER_WORKER)


class _Heartbeat:
    """Pass the engine's progress on, and keep the bar moving through the optimal assignment.

    The optimal solve is one compiled call that reports nothing until it ends (at a million
    workers, tens of seconds). While it runs, a thread advances its stage on the clock:
    ``t / (t + expected)`` of the stage — half of it after the expected time — so the bar
    keeps moving, slows down when the solve takes longer than expected and only reaches the
    stage's end when the solve does.
    """

    def __init__(self, progress, *, expected_seconds: float) -> None:
        self.progress = progress
        self.expected = expected_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __call__(self, engine_stage: str, fraction: float) -> None:
        stage = _stage(engine_stage)
        # Not inside an open transaction: the thread's own connection would wait on its locks.
        if (
            stage == "optimal"
            and fraction <= 0.0
            and self._thread is None
            and not connection.in_atomic_block
        ):
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._beat, args=(time.monotonic(),), name="round-heartbeat", daemon=True
            )
            self._thread.start()
        elif stage == "optimal" and fraction >= 1.0:
            self.stop()
        self.progress(stage, fraction)

    def _beat(self, started: float) -> None:
        from django.db import connection as thread_connection

        try:
            while not self._stop.wait(HEARTBEAT_INTERVAL):
                elapsed = time.monotonic() - started
                self.progress("optimal", elapsed / (elapsed + self.expected))
        finally:
            thread_connection.close()  # this thread's own connection, opened by the updates

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None


def _engine_parameters(parameters: dict) -> dict:
    """Return the stored parameters the engine understands (weights are a nested dict)."""
    from matching import engine

    allowed = {}
    if "weights" in parameters:
        allowed["weights"] = engine.Weights(
            **{k: tuple(v) if isinstance(v, list) else v for k, v in parameters["weights"].items()}
        )
    return allowed


def _matches_from(round_: MatchRound, inputs, result, params) -> list[Match]:
    from matching import engine

    matches = []
    matched = (result.assignment >= 0).nonzero()[0]
    # every pair's breakdown in one batch (the same reasons as engine.score_pair, per pair)
    explained = engine.explain_pairs_as_dicts(
        inputs.instance, matched, result.assignment[matched], params.weights
    )
    min_wage = inputs.instance.workers.min_wage
    for w, reasons in zip(matched, explained, strict=True):
        v = int(result.assignment[w])
        if not min_wage[w]:
            reasons = truthful_wage(reasons, min_wage=None)  # no expectation: say the pay
        matches.append(
            Match(
                round=round_,
                worker_id=inputs.worker_ids[w],
                vacancy_id=inputs.vacancy_ids[v],
                status=MatchStatus.PROPOSED,
                score=float(result.worker_score[w] + result.vacancy_score[w]),
                worker_score=float(result.worker_score[w]),
                vacancy_score=float(result.vacancy_score[w]),
                worker_rank=int(result.rank[w]) + 1 if result.rank[w] >= 0 else None,
                reasons=reasons,
            )
        )
    return matches


def _statistics(inputs, result) -> dict:
    """Return the round's statistics: matched, unmatched by reason, fill rates, poverty share."""
    import numpy as np

    from matching.engine import reasons as R

    assignment = result.assignment
    matched = assignment >= 0
    n = len(assignment)
    unmatched_by_reason: dict[str, int] = {}
    unmatched_by_rule: dict[str, int] = {}
    for code_index in np.unique(result.unmatched_code[~matched]) if n else []:
        count = int(np.sum(result.unmatched_code == code_index))
        unmatched_by_reason[R.UNMATCHED[int(code_index)]] = count
    no_eligible = result.unmatched_code == R.UNMATCHED.index(R.NO_ELIGIBLE_VACANCY)
    for rule_index in np.unique(result.unmatched_rule[no_eligible]) if n else []:
        if rule_index >= 0:
            unmatched_by_rule[R.RULES[int(rule_index)]] = int(
                np.sum(result.unmatched_rule[no_eligible] == rule_index)
            )
    headcount = inputs.instance.vacancies.headcount
    filled = (
        np.bincount(assignment[matched], minlength=len(headcount))
        if len(headcount)
        else np.zeros(0)
    )
    by_occupation: dict[str, dict[str, int]] = {}
    for j, occupation in enumerate(inputs.vacancy_occupations):
        entry = by_occupation.setdefault(occupation, {"headcount": 0, "filled": 0})
        entry["headcount"] += int(headcount[j])
        entry["filled"] += int(filled[j])
    poverty = inputs.instance.workers.poverty > 0
    return {
        "workers": n,
        "vacancies": len(headcount),
        "headcount": int(headcount.sum()) if len(headcount) else 0,
        "matched": int(matched.sum()),
        "unmatched": int(n - matched.sum()),
        "unmatched_by_reason": unmatched_by_reason,
        "no_eligible_by_rule": unmatched_by_rule,
        "fill_rate": round(float(filled.sum()) / float(headcount.sum()), 4)
        if len(headcount) and headcount.sum()
        else 0.0,
        "fill_by_occupation": by_occupation,
        "vacancies_full": int(np.sum(filled >= headcount)) if len(headcount) else 0,
        "poverty_workers": int(poverty.sum()),
        "poverty_matched": int((poverty & matched).sum()),
        "blocking_pairs": result.stats.get("blocking_pairs"),
        "engine": {
            k: v
            for k, v in result.stats.items()
            if k != "timings" and isinstance(v, int | float | str)
        },
    }
