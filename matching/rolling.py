"""Rolling matching: workers registered (or vacancies opened) after a round get proposals
without waiting for the next round.

The free market of a campaign is its workers and seats not taken by a *settled* match: every
active match except the campaign's proposals (proposed, not yet reviewed) is settled and is
never touched. A rolling update works on that market in one of two ways:

* **extend** — new workers only, and nothing withdrawn since the last solve: deferred
  acceptance continues from the held proposals (``matching.engine.rolling``). Only the
  newcomers' candidate lists are computed, and those of the workers they displace; the
  result is the one a full round over the free market would give (tests prove it).
* **resolve** — a vacancy opened or changed, a proposal or a settled match was withdrawn
  since the last solve (a seat came free that someone once rejected could now take), or the
  round is an optimal one: the free market is solved again with the round's mode and seed,
  and only the proposals that differ are withdrawn and written.

Ties in a vacancy's priority are broken as the round breaks them: by a seeded hash of the
worker's id (``matching.engine.market.key_hashes``; the round's instance carries the ids as
keys), so a newcomer does not reorder anyone else's ties and an extension and a re-solve agree
on them.

Triggers (``rolling_note_workers`` / ``rolling_note_vacancies``, connected in
``MatchingConfig.ready``) collect ids until the writing transaction commits and then merge them
into the round's one queued update: an import of 500 rows makes one update.
"""

import logging
import time
from collections.abc import Iterable

import numpy as np
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from laborbridge.background import BackgroundJob, Claim, run_enqueue
from laborbridge.models import Campaign
from laborbridge.services import audit_record
from matching.models import (
    ACTIVE_STATUSES,
    Match,
    MatchRollingUpdate,
    MatchRound,
    MatchStatus,
    RollingKind,
    RoundMode,
    RoundStatus,
)
from workers.models import ConsentStatus, Worker, WorkerStatus

STAGES = {"load": (0, 30), "solve": (30, 70), "write": (70, 100)}
ROLLING = BackgroundJob(
    model=MatchRollingUpdate,
    status_field="status",
    stage_span=lambda stage: STAGES.get(stage, (0, 100)),
    task_name="matching.tasks.rolling_update_run",
)
logger = logging.getLogger(__name__)
# Above this many newcomers (a whole county's roster imported at once) the compiled full solve
# of the free market beats continuing in Python one proposal at a time; both give the same
# proposals.
EXTEND_MAX_NEWCOMERS = 5000
WITHDRAWN_REASON = "rolling"  # Match.decline_reason of a proposal a rolling update moved


# --- triggers ------------------------------------------------------------------------------


def _note(kind: str, ids: Iterable[int]) -> None:
    """Collect ``ids`` until the writing transaction commits, then queue the updates.

    Every note registers a flush on commit; the first to run takes everything collected and
    the others find nothing (a roster import notes once per commit, a form once per worker).
    Ids a rolled-back savepoint left behind are harmless: rows that do not exist are skipped.
    """
    ids = {int(pk) for pk in ids}
    if not ids:
        return
    connection = transaction.get_connection()
    pending = getattr(connection, "_rolling_pending", None)
    # No callback waits for a commit: what is left came from a rolled-back transaction.
    if pending is None or not connection.run_on_commit:
        pending = connection._rolling_pending = {"workers": set(), "vacancies": set()}
    pending[kind] |= ids
    if connection.in_atomic_block:
        transaction.on_commit(_flush)
    else:
        _flush()


def rolling_note_workers(worker_ids: Iterable[int]) -> None:
    """Note workers registered (or newly matchable); their campaigns' finished rounds get a
    rolling update after commit."""
    _note("workers", worker_ids)


def rolling_note_vacancies(vacancy_ids: Iterable[int]) -> None:
    """Note vacancies opened or raised; their campaign's finished round is re-solved after
    commit."""
    _note("vacancies", vacancy_ids)


def _flush() -> None:
    connection = transaction.get_connection()
    pending = getattr(connection, "_rolling_pending", None)
    connection._rolling_pending = None
    if not pending or not (pending["workers"] or pending["vacancies"]):
        return
    try:
        rolling_requests_for(worker_ids=pending["workers"], vacancy_ids=pending["vacancies"])
    except Exception:
        # The registration is committed and must not fail for this: the worker waits for
        # the next round (or the next update) instead. A refused publish already failed the
        # update's row with the reason, which the round page shows.
        logger.exception("rolling update not queued for %s", pending)


def _latest_round(campaign_id: int) -> MatchRound | None:
    """Return the campaign's latest round that did not fail (a failed round changed nothing)."""
    return (
        MatchRound.objects.filter(campaign_id=campaign_id)
        .exclude(status=RoundStatus.FAILED)
        .order_by("-created_at", "-id")
        .first()
    )


def _rolling_round(campaign_id: int) -> MatchRound | None:
    """Return the round a rolling update extends: the latest round, if it succeeded."""
    round_ = _latest_round(campaign_id)
    return round_ if round_ is not None and round_.status == RoundStatus.SUCCEEDED else None


def rolling_requests_for(
    *, worker_ids: Iterable[int] = (), vacancy_ids: Iterable[int] = ()
) -> list[MatchRollingUpdate]:
    """Queue rolling updates of the latest rounds of these workers' and vacancies' campaigns.

    A round still queued or running gets an update too, published when it succeeds
    (:func:`rolling_round_finished`): it may have loaded its inputs before these rows were
    committed. Campaigns that never had a round get none (their first round takes everyone).
    """
    from jobs.models import Vacancy

    by_campaign: dict[int, tuple[set[int], set[int]]] = {}
    for pk, campaign_id in Vacancy.objects.filter(
        pk__in=list(vacancy_ids), status="open", campaign__isnull=False
    ).values_list("pk", "campaign_id"):
        by_campaign.setdefault(campaign_id, (set(), set()))[1].add(pk)
    worker_rows = list(
        Worker.objects.filter(pk__in=list(worker_ids)).values_list("pk", "home_county__code")
    )
    if worker_rows:
        with_rounds = (
            Campaign.objects.filter(match_rounds__isnull=False)
            .select_related("pairing__west_region")
            .distinct()
        )
        for campaign in with_rounds:
            prefix = campaign.pairing.west_region.prefix
            ids = {pk for pk, code in worker_rows if code.startswith(prefix)}
            if ids:
                by_campaign.setdefault(campaign.pk, (set(), set()))[0].update(ids)
    updates = []
    for campaign_id, (workers, vacancies) in sorted(by_campaign.items()):
        round_ = _latest_round(campaign_id)
        if round_ is not None:
            updates.append(
                rolling_update_request(round_=round_, worker_ids=workers, vacancy_ids=vacancies)
            )
    return updates


def _round_finished(round_: MatchRound) -> bool:
    """Whether ``round_`` has succeeded, so that its new update may be published now.

    A round writing its results holds its row's lock until it commits; waiting for it would
    hold up the registration that queued the update, so a locked round counts as unfinished
    and its success hook publishes the update. (Should the hook run between this look and
    the update's commit, the reaper publishes the queued row after
    ``QUEUED_REPUBLISH_AFTER``.)
    """
    if round_.status == RoundStatus.SUCCEEDED:
        return True
    try:
        with transaction.atomic():
            status = (
                MatchRound.objects.select_for_update(nowait=True)
                .filter(pk=round_.pk)
                .values_list("status", flat=True)
                .first()
            )
    except DatabaseError:
        return False
    return status == RoundStatus.SUCCEEDED


def rolling_round_finished(round_id: int) -> None:
    """Publish the updates queued while the round ran (called after its success commits)."""
    for pk in MatchRollingUpdate.objects.filter(
        round_id=round_id, status=RoundStatus.QUEUED, task_id=""
    ).values_list("pk", flat=True):
        try:
            with transaction.atomic():
                run_enqueue(job=ROLLING, pk=pk)
        except Exception:
            logger.exception("rolling update %s of round %s not published", pk, round_id)


def rolling_update_request(
    *, round_: MatchRound, worker_ids: Iterable[int] = (), vacancy_ids: Iterable[int] = ()
) -> MatchRollingUpdate:
    """Merge the ids into the round's queued update, or queue a new one (published on commit
    if the round has succeeded, else when it does)."""
    workers, vacancies = sorted({int(x) for x in worker_ids}), sorted({int(x) for x in vacancy_ids})
    for _attempt in range(2):
        with transaction.atomic():
            queued = (
                MatchRollingUpdate.objects.select_for_update()
                .filter(round=round_, status=RoundStatus.QUEUED)
                .first()
            )
            if queued is not None:
                queued.worker_ids = sorted(set(queued.worker_ids) | set(workers))
                queued.vacancy_ids = sorted(set(queued.vacancy_ids) | set(vacancies))
                queued.save(update_fields=["worker_ids", "vacancy_ids", "updated_at"])
                return queued
            try:
                with transaction.atomic():
                    update = MatchRollingUpdate.objects.create(
                        round=round_, worker_ids=workers, vacancy_ids=vacancies
                    )
            except IntegrityError:
                continue  # another trigger queued one at the same moment: merge into it
            if _round_finished(round_):
                run_enqueue(job=ROLLING, pk=update.pk)
            return update
    raise RuntimeError("could not queue a rolling update")  # pragma: no cover


# --- the run -------------------------------------------------------------------------------


def _settled_q(campaign_id: int) -> Q:
    """Active matches a rolling update never touches: all but the campaign's proposals."""
    return Q(status__in=ACTIVE_STATUSES) & ~Q(
        status=MatchStatus.PROPOSED, vacancy__campaign_id=campaign_id
    )


def free_market_workers(round_: MatchRound):
    """Return the workers of the round's free market: consenting, of the pairing's western
    region, free or holding only one of the campaign's proposals."""
    west = round_.campaign.pairing.west_region
    settled = Match.objects.filter(_settled_q(round_.campaign_id)).values("worker_id")
    return Worker.objects.filter(
        home_county__code__startswith=west.prefix,
        status__in=[WorkerStatus.REGISTERED, WorkerStatus.MATCHED],
        consent_status=ConsentStatus.GIVEN,
    ).exclude(pk__in=settled)


def _proposals(campaign_id: int):
    return Match.objects.filter(
        status=MatchStatus.PROPOSED, vacancy__campaign_id=campaign_id
    ).order_by()


def _last_solved(round_: MatchRound):
    last = (
        MatchRollingUpdate.objects.filter(round=round_, status=RoundStatus.SUCCEEDED)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    return last or round_.finished_at


def _withdrawn_since(round_: MatchRound) -> bool:
    """Whether a match of the campaign left an active state since the last solve (not by us).

    ``exists`` rather than a count: the scan stops at the first (0.6 s under load for the
    count over 65,000 matches at 100,000 workers)."""
    return (
        Match.objects.filter(
            vacancy__campaign_id=round_.campaign_id, updated_at__gt=_last_solved(round_)
        )
        .exclude(status__in=ACTIVE_STATUSES)
        .exclude(decline_reason=WITHDRAWN_REASON)
        .exists()
    )


def rolling_update_execute(*, update_id: int, task_id: str) -> bool:
    """Run one rolling update: claim, extend or re-solve, write. False if nothing was done."""
    claim = ROLLING.claim(update_id, task_id)
    if claim is None:
        return False
    progress = ROLLING.progress(claim)
    started = time.perf_counter()
    with transaction.atomic():
        # One update of a round at a time: they all start from the proposals the last one left.
        round_ = (
            MatchRound.objects.select_for_update()
            .select_related("campaign__pairing__west_region")
            .get(pk=MatchRollingUpdate.objects.values_list("round_id", flat=True).get(pk=update_id))
        )
        update = MatchRollingUpdate.objects.get(pk=update_id)
        progress("load", 0.0)
        if _rolling_round(round_.campaign_id) != round_:
            # A newer round exists (or is running): it takes these workers in itself.
            return _finish(
                claim, update, RollingKind.SKIPPED, {"reason": "newer_round"}, {}, started
            )
        withdrawn = _withdrawn_since(round_)
        many = len(update.worker_ids) > EXTEND_MAX_NEWCOMERS
        if update.vacancy_ids or withdrawn or many or round_.mode != RoundMode.STABLE:
            kind, stats, timings = RollingKind.RESOLVE, *_resolve(round_, update, progress)
        else:
            kind, stats, timings = RollingKind.EXTEND, *_extend(round_, update, progress)
        stats["withdrawn_before"] = int(withdrawn)
        return _finish(claim, update, kind, stats, timings, started)


def _finish(claim: Claim, update, kind, stats: dict, timings: dict, started: float) -> bool:
    locked = MatchRollingUpdate.objects.select_for_update().get(pk=claim.pk)
    if locked.status != RoundStatus.RUNNING or locked.attempt != claim.attempt:
        transaction.set_rollback(True)
        return False
    timings = {k: round(v, 4) for k, v in timings.items()}
    timings["total"] = round(time.perf_counter() - started, 4)
    locked.kind = kind
    locked.status = RoundStatus.SUCCEEDED
    locked.proposed = stats.get("proposed", 0)
    locked.withdrawn = stats.get("withdrawn", 0)
    locked.statistics = stats
    locked.timings = timings
    locked.progress_stage = "done"
    locked.progress_percent = 100
    locked.finished_at = timezone.now()
    locked.save(
        update_fields=[
            "kind",
            "status",
            "proposed",
            "withdrawn",
            "statistics",
            "timings",
            "progress_stage",
            "progress_percent",
            "finished_at",
            "updated_at",
        ]
    )
    audit_record(
        actor=None,
        action="round.rolling_update",
        target=locked,
        changes={"kind": kind, "proposed": locked.proposed, "withdrawn": locked.withdrawn},
    )
    return True


def rolling_update_fail(*, update_id: int, reason: str) -> None:
    """Mark a rolling update failed with the reason (unless it already finished)."""
    ROLLING.fail(update_id, reason)


def _params(round_: MatchRound):
    from matching import engine
    from matching.rounds import _engine_parameters

    return engine.Params(
        mode=round_.mode, seed=round_.seed, **_engine_parameters(round_.parameters)
    )


class _Lists:
    """Workers' preference lists over the free vacancies, computed on demand, a few at a time."""

    def __init__(self, round_: MatchRound, params) -> None:
        from matching.engine.market import tie_breaks
        from matching.inputs import _load_vacancies, _related

        self.round, self.params = round_, params
        self.vacancies, self.vacancy_ids, _occupations = _load_vacancies(round_, proposed_free=True)
        self.index = {pk: j for j, pk in enumerate(self.vacancy_ids)}
        self.related = _related()
        # The worker side's tie order is the one a full round over these vacancies uses.
        self.vacancy_tie = tie_breaks(
            round_.seed,
            0,
            len(self.vacancy_ids),
            keys=(np.zeros(0, dtype=np.int64), np.asarray(self.vacancy_ids, dtype=np.int64)),
        )[1]
        self.ties: dict[int, int] = {}
        self.entries: dict[int, list] = {}
        self.pairs: dict[int, dict[int, tuple]] = {}
        self.instances: dict[int, tuple] = {}
        self.engine_seconds = 0.0
        self.read_seconds = 0.0  # the workers' rows read from the database

    def load(self, worker_ids: list[int]) -> None:
        from matching import engine
        from matching.inputs import _load_workers

        todo = [pk for pk in worker_ids if pk not in self.entries]
        if not todo:
            return
        started = time.perf_counter()
        arrays, ids = _load_workers(
            self.round, self.round.campaign.pairing.west_region, Worker.objects.filter(pk__in=todo)
        )
        self.read_seconds += time.perf_counter() - started
        started = time.perf_counter()
        instance = engine.Instance(arrays, self.vacancies, self.related)
        market = engine.build_market(instance, self.params)
        for i, pk in enumerate(ids):
            lo, hi = int(market.ptr[i]), int(market.ptr[i + 1])
            order = sorted(
                range(lo, hi),
                key=lambda e: (
                    -int(market.worker_score[e]),
                    int(self.vacancy_tie[market.vacancy[e]]),
                ),
            )
            tie = self.worker_tie(pk)
            self.entries[pk] = [
                (self.vacancy_ids[market.vacancy[e]], (int(market.vacancy_score[e]), -tie))
                for e in order
            ]
            self.pairs[pk] = {
                self.vacancy_ids[market.vacancy[e]]: (
                    int(market.worker_score[e]),
                    int(market.vacancy_score[e]),
                    rank,
                )
                for rank, e in enumerate(order)
            }
            self.instances[pk] = (instance, i)
        for pk in todo:
            self.entries.setdefault(pk, [])
        self.engine_seconds += time.perf_counter() - started

    def worker_tie(self, worker_id: int) -> int:
        """The worker's tie-break hash in this round (the smaller wins a tie), as the round's
        keyed ``tie_breaks`` orders workers."""
        tie = self.ties.get(worker_id)
        if tie is None:
            from matching.engine.market import key_hashes

            tie = self.ties[worker_id] = int(key_hashes(self.round.seed, [worker_id])[0])
        return tie

    def __call__(self, worker_id: int) -> list:
        self.load([worker_id])
        return self.entries[worker_id]

    def capacity(self, vacancy_id: int) -> int:
        j = self.index.get(vacancy_id)
        return int(self.vacancies.headcount[j]) if j is not None else 0


def _extend(round_: MatchRound, update: MatchRollingUpdate, progress) -> tuple[dict, dict]:
    from matching.engine.rolling import continue_deferred_acceptance
    from matching.inputs import free_workers

    load_started = time.perf_counter()
    params = _params(round_)
    lists = _Lists(round_, params)
    newcomers = list(
        free_workers(round_.campaign.pairing.west_region)
        .filter(pk__in=update.worker_ids)
        .values_list("pk", flat=True)
    )
    lists.load(newcomers)

    holding_reads = [0.0]
    held: dict[int, list] = {}

    def holding(vacancy_id: int) -> list:
        if vacancy_id not in held:
            # One read for every vacancy on the lists loaded so far (the proposer's is among
            # them): ~80 single reads became one per worker loaded (1.2 s → 0.1 s under load).
            started = time.perf_counter()
            wanted = {v for entries in lists.entries.values() for v, _p in entries} - set(held)
            wanted.add(vacancy_id)
            for v in wanted:
                held[v] = []
            # every vacancy on a list is the campaign's (_Lists): no join to the vacancy
            # needed, and no ordering (compiling the Meta ordering costs more than the read)
            for v, w, score in (
                Match.objects.filter(vacancy_id__in=sorted(wanted), status=MatchStatus.PROPOSED)
                .order_by()
                .values_list("vacancy_id", "worker_id", "vacancy_score")
            ):
                held[v].append((w, (int(score), -lists.worker_tie(w))))
            holding_reads[0] += time.perf_counter() - started
        return held[vacancy_id]

    load_seconds = time.perf_counter() - load_started - lists.engine_seconds
    progress("solve", 0.0)
    solve_started = time.perf_counter()
    engine_before, reads_before = lists.engine_seconds, lists.read_seconds
    result = continue_deferred_acceptance(
        proposers=sorted(newcomers, reverse=True),
        preferences=lists,
        holding=holding,
        capacity=lists.capacity,
    )
    # The continuation reads the database lazily (held proposals, displaced workers' rows):
    # those reads count as load, the rest of its time as engine.
    reads = holding_reads[0] + lists.read_seconds - reads_before
    continuation = (
        time.perf_counter() - solve_started - reads - (lists.engine_seconds - engine_before)
    )
    load_seconds += reads
    progress("write", 0.0)
    write_started = time.perf_counter()
    moves = {w: v for w, v in result.assignment.items() if w in result.displaced or w in newcomers}
    withdrawn, proposed = _write_moves(round_, update, moves, lists, params)
    stats = {
        "newcomers": len(newcomers),
        "proposals": result.proposals,
        "displaced": len(result.displaced),
        "proposed": proposed,
        "withdrawn": withdrawn,
        "unmatched_newcomers": sum(1 for w in newcomers if result.assignment.get(w) is None),
    }
    timings = {
        "load": load_seconds,
        # engine time: the candidates and scores of every worker touched, and the continuation
        # (without its database reads)
        "engine": lists.engine_seconds + continuation,
        "write": time.perf_counter() - write_started,
    }
    return stats, timings


def _withdraw(match, reason: str) -> None:
    """Cancel a proposal the rolling update no longer gives (the worker is told why)."""
    from matching.services import _move

    _move(
        match,
        MatchStatus.CANCELLED,
        actor=None,
        action="match.rolling_withdraw",
        reason=reason,
        decline_reason=WITHDRAWN_REASON,
    )


def _write_moves(
    round_, update, moves: dict[int, int | None], lists: _Lists, params
) -> tuple[int, int]:
    """Withdraw the proposals of workers who moved and propose their new vacancies."""
    from matching import engine
    from matching.reasons import truthful_wage

    current = {
        m.worker_id: m
        for m in _proposals(round_.campaign_id)
        .select_related("vacancy")
        .filter(worker_id__in=list(moves))
    }
    withdrawn = 0
    for worker_id in sorted(moves):
        old = current.get(worker_id)
        if old is not None and old.vacancy_id != moves[worker_id]:
            _withdraw(old, _("滚动匹配：岗位名额由更优先的求职者获得"))
            withdrawn += 1
    created = []
    for worker_id in sorted(moves):
        vacancy_id = moves[worker_id]
        old = current.get(worker_id)
        if vacancy_id is None or (old is not None and old.vacancy_id == vacancy_id):
            continue
        lists.load([worker_id])
        ws, vs, rank = lists.pairs[worker_id][vacancy_id]
        instance, i = lists.instances[worker_id]
        (reasons,) = engine.explain_pairs_as_dicts(
            instance,
            np.array([i], dtype=np.int64),
            np.array([lists.index[vacancy_id]], dtype=np.int64),
            params.weights,
        )
        if not instance.workers.min_wage[i]:
            reasons = truthful_wage(reasons, min_wage=None)
        created.append(
            Match(
                round=round_,
                rolling_update=update,
                worker_id=worker_id,
                vacancy_id=vacancy_id,
                status=MatchStatus.PROPOSED,
                score=float(ws + vs),
                worker_score=float(ws),
                vacancy_score=float(vs),
                worker_rank=rank + 1,
                reasons=reasons,
            )
        )
    Match.objects.bulk_create(created)
    Worker.objects.filter(
        pk__in=[m.worker_id for m in created], status=WorkerStatus.REGISTERED
    ).update(status=WorkerStatus.MATCHED)
    return withdrawn, len(created)


def _resolve(round_: MatchRound, update: MatchRollingUpdate, progress) -> tuple[dict, dict]:
    from matching import engine
    from matching.inputs import round_inputs_load
    from matching.rounds import proposals_from

    load_started = time.perf_counter()
    params = _params(round_)
    inputs = round_inputs_load(
        round_=round_, workers=free_market_workers(round_), proposed_free=True
    )
    load_seconds = time.perf_counter() - load_started
    progress("solve", 0.0)
    solve_started = time.perf_counter()
    result = engine.solve(inputs.instance, params)
    engine_seconds = time.perf_counter() - solve_started
    progress("write", 0.0)
    write_started = time.perf_counter()
    wanted = {
        inputs.worker_ids[w]: inputs.vacancy_ids[int(result.assignment[w])]
        for w in np.flatnonzero(result.assignment >= 0)
    }
    # Only the proposals that differ are touched — and only they are read as instances and
    # explained (all of a campaign's, 64,000 at 100,000 workers, took ~12 s to explain).
    current = dict(_proposals(round_.campaign_id).values_list("worker_id", "vacancy_id"))
    stale = sorted(w for w, v in current.items() if wanted.get(w) != v)
    withdrawn = 0
    for start in range(0, len(stale), 2000):
        for match in (
            _proposals(round_.campaign_id)
            .filter(worker_id__in=stale[start : start + 2000])
            .select_related("vacancy")
            .order_by("worker_id")
        ):
            _withdraw(match, _("滚动匹配：空余市场重新计算后推荐有变"))
            withdrawn += 1
    proposals = proposals_from(round_, inputs, result, params)
    changed = np.array(
        [
            current.get(w) != v
            for w, v in zip(
                proposals.worker_ids.tolist(), proposals.vacancy_ids.tolist(), strict=True
            )
        ],
        dtype=bool,
    )
    fresh = proposals.subset(changed).matches()
    for m in fresh:
        m.rolling_update = update
    Match.objects.bulk_create(fresh, batch_size=2000)
    ids = [m.worker_id for m in fresh]
    for start in range(0, len(ids), 2000):
        Worker.objects.filter(
            pk__in=ids[start : start + 2000], status=WorkerStatus.REGISTERED
        ).update(status=WorkerStatus.MATCHED)
    stats = {
        "workers": len(inputs.worker_ids),
        "vacancies": len(inputs.vacancy_ids),
        "matched": len(wanted),
        "proposed": len(fresh),
        "withdrawn": withdrawn,
    }
    timings = {
        "load": load_seconds,
        "engine": engine_seconds,
        "write": time.perf_counter() - write_started,
    }
    return stats, timings
