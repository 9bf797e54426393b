"""Running a matching round: claim, progress, write results, fail — called by the Celery task.

A round is safe to run twice. ``round_claim`` moves it to *running* with a conditional
UPDATE and returns an attempt number; a redelivered task (its worker was killed: the task is
``acks_late`` with reject-on-worker-lost) claims again and gets a higher number. Results are
written in one transaction that first locks the round and checks it still belongs to this
attempt, so a stale attempt can never write, and a round's matches are written exactly once.

The write streams (``Proposals``): the matches stay arrays, and a thread explains them chunk
by chunk (each distinct reason is turned into JSON once) into COPY text while the
transaction marks the workers matched and sends the text to PostgreSQL, so the Python work
of the explanations overlaps the database's work and no list of a million model instances
or one huge buffer is built.
"""

from __future__ import annotations

import csv
import io
import json
import queue
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from laborbridge.background import BackgroundJob, Claim
from matching.models import (
    ACTIVE_STATUSES,
    Decision,
    Match,
    MatchRound,
    MatchStatus,
    RoundStatus,
)
from workers.models import Worker, WorkerStatus

if TYPE_CHECKING:
    import numpy as np

    from matching import engine

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
    matches: Proposals | Sequence[Match],
    statistics: dict,
    timings: dict,
    engine_version: str,
    input_snapshot: dict,
) -> bool:
    """Store a round's proposed matches and statistics; False if this attempt lost the round.

    ``matches`` are the round's ``Proposals`` (streamed) or ready ``Match`` instances.
    """
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
    if isinstance(matches, Proposals):
        written, write_timings = _write_proposals(matches, busy)
        timings = dict(timings, **write_timings)
    else:
        fresh = [m for m in matches if m.worker_id not in busy]
        _insert_matches(fresh)
        _mark_workers_matched([m.worker_id for m in fresh])
        written = len(fresh)
    statistics = dict(statistics, written=written, skipped_busy=len(matches) - written)
    if connection.vendor == "postgresql":
        # The matches' foreign keys are checked at commit (deferred); checking them here
        # instead changes nothing but lets the round say what they cost (a row each per key).
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        timings = dict(timings, write_checks=round(time.perf_counter() - started, 3))
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
        # The ids travel as one array literal ('{1,2,…}'): a Python list would be sent as
        # ARRAY[1,2,…], an expression of one node per id for the server to parse and evaluate
        # (615,000 ids: ~2 s more, bench/RESULTS.md).
        ids = "{" + ",".join(map(str, worker_ids)) + "}"
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Worker._meta.db_table} AS w SET status = %s "
                "FROM (SELECT unnest(%s::bigint[]) AS id) AS ids "
                "WHERE w.id = ids.id AND w.status = %s",
                [WorkerStatus.MATCHED, ids, WorkerStatus.REGISTERED],
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
    with connection.cursor() as cursor:
        # COPY writes 100,000 matches in about a second, several times faster than INSERTs.
        cursor.cursor.copy_expert(
            f"COPY {Match._meta.db_table} ({_MATCH_COLUMNS}) "
            "FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL (decline_reason))",
            buffer,
        )


_MATCH_COLUMNS = (
    "round_id, worker_id, vacancy_id, status, score, worker_score, vacancy_score, "
    "worker_rank, reasons, worker_decision, employer_decision, decline_reason, "
    "created_at, updated_at"
)
# Matches explained and turned into COPY text at a time: 20,000 are ~15 MB of text (~750
# bytes a row, most of it the reasons) and ~0.5 s of Python (47,000 took 1.1-1.8 s at load 6-9
# on the 2-core machine). The explaining thread may run WRITE_AHEAD chunks ahead of the COPY:
# at most ~300 MB of text wait, whatever the size of the round. The thread explains while
# PostgreSQL updates the workers (the first statement of the write), so the further ahead it may
# go, the less of the COPY waits on Python: at a million workers the update is tens of seconds.
WRITE_CHUNK = 20_000
WRITE_AHEAD = 20
_NULL = "\\N"  # NULL in COPY's text format
_BACKSLASH = "\\"
_OFFERED_WAGE_CODES = ("wage_above_expectation", "wage_below_expectation")


@dataclass(frozen=True)
class Proposals:
    """A round's proposed matches as arrays, one entry per matched worker in worker order.

    Nothing per match is built up front: ``reasons_json`` explains a slice of them when the
    write gets to it. (``Match`` instances with their reason dicts, json.dumps'ed one by one,
    were built for every match before a row was sent: at 47,000 matches 2.6-5.0 s of Python
    and +215 MB of peak memory, which the streamed write overlaps with the database's work.)
    """

    round_id: int
    instance: engine.Instance
    weights: engine.Weights
    workers: np.ndarray  # engine worker indexes
    vacancies: np.ndarray  # engine vacancy indexes
    worker_ids: np.ndarray  # database ids
    vacancy_ids: np.ndarray
    worker_score: np.ndarray
    vacancy_score: np.ndarray
    worker_rank: np.ndarray  # 1 = the worker's first choice; 0 = unknown (stored as NULL)
    no_expectation: np.ndarray  # bool: the worker stated no minimum wage

    def __len__(self) -> int:
        return len(self.workers)

    def subset(self, keep) -> Proposals:
        """The proposals at ``keep`` (a boolean mask or positions), in the same order."""
        return replace(
            self,
            **{
                name: getattr(self, name)[keep]
                for name in (
                    "workers",
                    "vacancies",
                    "worker_ids",
                    "vacancy_ids",
                    "worker_score",
                    "vacancy_score",
                    "worker_rank",
                    "no_expectation",
                )
            },
        )

    def reasons_json(self, lo: int, hi: int) -> list[str]:
        """Return the reasons of matches ``lo:hi`` as JSON text, each exactly
        ``json.dumps(reasons, ensure_ascii=False, separators=(",", ":"))`` of what
        ``engine.explain_pairs_as_dicts`` and ``truthful_wage`` give."""
        from matching import engine

        pairs = engine.explain_pairs(
            self.instance, self.workers[lo:hi], self.vacancies[lo:hi], self.weights
        )
        # Equal reasons of one call are one shared object: each distinct one becomes JSON
        # once (~10 reasons a match, a few thousand distinct ones per chunk). Keyed by id(),
        # so the cache lives only as long as ``pairs`` holds the objects.
        worker_text: dict[int, str] = {}
        vacancy_text: dict[int, str] = {}
        offered_text: dict[int, str] = {}

        def text(reason, side: str, cache: dict[int, str], **override) -> str:
            found = cache.get(id(reason))
            if found is None:
                data = dict(reason.as_dict(), side=side)
                found = cache[id(reason)] = _json(dict(data, **override) if override else data)
            return found

        out = []
        for (worker_reasons, vacancy_reasons), no_expectation in zip(
            pairs, self.no_expectation[lo:hi].tolist(), strict=True
        ):
            parts = [
                worker_text.get(id(r)) or text(r, "worker", worker_text) for r in worker_reasons
            ]
            if no_expectation:  # no expectation: say the pay (matching.reasons.truthful_wage)
                parts = [
                    text(r, "worker", offered_text, code="wage_offered")
                    if r.code in _OFFERED_WAGE_CODES
                    else part
                    for r, part in zip(worker_reasons, parts, strict=True)
                ]
            parts += [
                vacancy_text.get(id(r)) or text(r, "vacancy", vacancy_text) for r in vacancy_reasons
            ]
            out.append("[" + ",".join(parts) + "]")
        return out

    def matches(self) -> list[Match]:
        """Return the proposals as unsaved ``Match`` instances (small rounds, other
        databases, the rolling updates)."""
        matches = []
        for lo in range(0, len(self), WRITE_CHUNK):
            hi = min(len(self), lo + WRITE_CHUNK)
            texts = self.reasons_json(lo, hi)
            for i, reasons in zip(range(lo, hi), texts, strict=True):
                matches.append(self._match(i, json.loads(reasons)))
        return matches

    def _match(self, i: int, reasons: list[dict]) -> Match:
        rank = int(self.worker_rank[i])
        return Match(
            round_id=self.round_id,
            worker_id=int(self.worker_ids[i]),
            vacancy_id=int(self.vacancy_ids[i]),
            status=MatchStatus.PROPOSED,
            score=float(self.worker_score[i] + self.vacancy_score[i]),
            worker_score=float(self.worker_score[i]),
            vacancy_score=float(self.vacancy_score[i]),
            worker_rank=rank or None,
            reasons=reasons,
        )

    def copy_chunks(self, skip: set[int]) -> Iterator[tuple[int, str, float]]:
        """Yield (matches, COPY text, seconds spent) per chunk, leaving out the workers
        in ``skip``; columns as ``_MATCH_COLUMNS``."""
        import numpy as np

        now = timezone.now().isoformat()
        pending = Decision.PENDING.value
        head = f"{self.round_id}\t"
        tail = f"\t{pending}\t{pending}\t\t{now}\t{now}\n"
        proposed = MatchStatus.PROPOSED.value
        for lo in range(0, len(self), WRITE_CHUNK):
            started = time.perf_counter()
            hi = min(len(self), lo + WRITE_CHUNK)
            texts = self.reasons_json(lo, hi)
            keep = np.arange(lo, hi)
            if skip:
                keep = keep[~np.isin(self.worker_ids[lo:hi], list(skip))]
                texts = [texts[i] for i in (keep - lo).tolist()]
            columns = zip(
                self.worker_ids[keep].tolist(),
                self.vacancy_ids[keep].tolist(),
                self.worker_score[keep].tolist(),
                self.vacancy_score[keep].tolist(),
                self.worker_rank[keep].tolist(),
                texts,
                strict=True,
            )
            # JSON text holds no raw tab or newline (json.dumps escapes them), so a
            # backslash is the one character COPY's text format needs escaped.
            lines = [
                f"{head}{w}\t{v}\t{proposed}\t{s + t}\t{s}\t{t}\t{r or _NULL}\t"
                f"{j.replace(_BACKSLASH, _BACKSLASH * 2)}{tail}"
                for w, v, s, t, r, j in columns
            ]
            yield len(lines), "".join(lines), time.perf_counter() - started


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def proposals_from(round_: MatchRound, inputs, result, params) -> Proposals:
    """Return the round's proposed matches: one per worker the engine assigned."""
    import numpy as np

    matched = np.flatnonzero(result.assignment >= 0)
    vacancies = result.assignment[matched].astype(np.int64)
    rank = result.rank[matched].astype(np.int64)
    return Proposals(
        round_id=round_.pk,
        instance=inputs.instance,
        weights=params.weights,
        workers=matched.astype(np.int64),
        vacancies=vacancies,
        worker_ids=np.asarray(inputs.worker_ids, dtype=np.int64)[matched],
        vacancy_ids=np.asarray(inputs.vacancy_ids, dtype=np.int64)[vacancies],
        worker_score=result.worker_score[matched].astype(np.int64),
        vacancy_score=result.vacancy_score[matched].astype(np.int64),
        worker_rank=np.where(rank >= 0, rank + 1, 0),
        no_expectation=inputs.instance.workers.min_wage[matched] == 0,
    )


def _write_proposals(proposals: Proposals, busy: set[int]) -> tuple[int, dict]:
    """Write the proposals (skipping ``busy`` workers) and mark their workers matched;
    return the matches written and the seconds of each part (``explain`` overlaps the others).
    """
    import numpy as np

    fresh_ids = proposals.worker_ids
    if busy:
        fresh_ids = fresh_ids[~np.isin(fresh_ids, list(busy))]
    if connection.vendor != "postgresql":
        fresh = [m for m in proposals.matches() if m.worker_id not in busy]
        Match.objects.bulk_create(fresh, batch_size=MATCH_WRITE_BATCH)
        _mark_workers_matched(fresh_ids.tolist())
        return len(fresh), {}
    with _Explainer(proposals, busy) as explainer:
        # The explaining thread starts now and works while PostgreSQL updates the workers
        # (psycopg2 lets go of the GIL while it waits for the server).
        started = time.perf_counter()
        _mark_workers_matched(fresh_ids.tolist())
        copy_started = time.perf_counter()
        with connection.cursor() as cursor:
            try:
                cursor.cursor.copy_expert(
                    f"COPY {Match._meta.db_table} ({_MATCH_COLUMNS}) FROM STDIN",
                    explainer,
                    size=1 << 20,
                )
            except Exception as error:
                # psycopg2 reports an error of read() as a cancelled COPY: raise the cause
                if explainer.error is not None:
                    raise explainer.error from error
                raise
    finished = time.perf_counter()
    return explainer.written, {
        "explain": round(explainer.seconds, 3),
        "write_workers": round(copy_started - started, 3),
        "write_copy": round(finished - copy_started, 3),
    }


class _Explainer:
    """A file-like reader for ``copy_expert`` fed by a thread that explains the proposals
    chunk by chunk (``Proposals.copy_chunks``) at most ``WRITE_AHEAD`` chunks ahead."""

    _DONE = object()

    def __init__(self, proposals: Proposals, skip: set[int]) -> None:
        self.chunks: queue.Queue = queue.Queue(maxsize=WRITE_AHEAD)
        self.stop = threading.Event()
        self.written = 0
        self.seconds = 0.0
        self.error: BaseException | None = None
        self.thread = threading.Thread(
            target=self._produce, args=(proposals, skip), name="round-explain", daemon=True
        )

    def __enter__(self) -> _Explainer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()  # a failed COPY: let the thread end instead of waiting on a full queue
        self.thread.join()

    def _produce(self, proposals: Proposals, skip: set[int]) -> None:
        try:
            for item in proposals.copy_chunks(skip):
                if not self._put(item):
                    return
        except BaseException as error:  # handed to the COPY, which raises it in the task
            self._put(error)
            return
        self._put(self._DONE)

    def _put(self, item) -> bool:
        while not self.stop.is_set():
            try:
                self.chunks.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def read(self, size: int = -1) -> str:
        item = self.chunks.get()
        if item is self._DONE:
            self.chunks.put(item)  # copy_expert reads again after the end
            return ""
        if isinstance(item, BaseException):
            self.error = item
            raise item
        count, text, seconds = item
        self.written += count
        self.seconds += seconds
        return text


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
    write_started = time.perf_counter()
    matches = proposals_from(round_, inputs, result, params)
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
        # "explain" is the explaining thread's time, inside "write" (they overlap)
        timings = MatchRound.objects.values_list("timings", flat=True).get(pk=round_id)
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
