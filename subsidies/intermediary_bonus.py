"""Decide an intermediary's bonus (输转奖补) from the workers it moved, and explain it.

Pure Python, no Django, like ``subsidies.eligibility``: every worker the intermediary moved
is judged by the same ``eligibility.evaluate`` as a worker's own subsidy (target group,
months at work, destination, age …), so each worker carries the same explanation. The
intermediary is *eligible* when at least ``min_workers`` of them are eligible (Zhouqu 2020:
5 poor workers who stayed 3 months) and is then paid the per-head amount of each; *not yet*
when workers still short of their months would reach the threshold (with the day it will);
else *not eligible*, with the count and the threshold.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from subsidies import eligibility as e

R_TOO_FEW_MOVED = "too_few_moved"  # rendered by ``subsidies.reasons``


@dataclass(frozen=True)
class BonusVerdict:
    outcome: str
    reasons: tuple[e.Reason, ...]
    eligible_on: dt.date | None
    qualifying: int  # workers who count now
    amount: int  # yuan; 0 unless eligible
    workers: tuple[tuple[int, e.Verdict], ...]  # (worker id, that worker's verdict)


def bonus_evaluate(
    people: Iterable[tuple[int, e.WorkerFacts, e.SpellFacts]],
    rule: e.Rule,
    *,
    min_workers: int,
    today: dt.date,
) -> BonusVerdict:
    """Return the bonus verdict of an intermediary who moved ``people`` as of ``today``."""
    verdicts = tuple(
        (worker_id, e.evaluate(facts, spell, rule, today=today))
        for worker_id, facts, spell in people
    )
    counted = [v for _id, v in verdicts if v.outcome == e.ELIGIBLE and v.amount]
    required = max(min_workers, 1)
    if len(counted) >= required:
        return BonusVerdict(
            outcome=e.ELIGIBLE,
            reasons=(),
            eligible_on=None,
            qualifying=len(counted),
            amount=sum(v.amount or 0 for v in counted),
            workers=verdicts,
        )
    upcoming = sorted(
        v.eligible_on for _id, v in verdicts if v.outcome == e.NOT_YET and v.eligible_on
    )
    short = required - len(counted)
    if len(upcoming) >= short:
        due = upcoming[short - 1]
        reason = e.Reason(
            R_TOO_FEW_MOVED,
            (("count", len(counted)), ("required", required), ("date", due)),
        )
        outcome, eligible_on = e.NOT_YET, due
    else:
        reason = e.Reason(R_TOO_FEW_MOVED, (("count", len(counted)), ("required", required)))
        outcome, eligible_on = e.NOT_ELIGIBLE, None
    return BonusVerdict(
        outcome=outcome,
        reasons=(reason,),
        eligible_on=eligible_on,
        qualifying=len(counted),
        amount=0,
        workers=verdicts,
    )
