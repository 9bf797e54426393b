"""Who brought a worker (输转中介 / 带头人), set from the county roster: a hook, not a model.

The agencies and team leaders are subsidies' records (the intermediary bonus, 输转奖补, is
computed and paid on them), and subsidies sits above workers on the floors, so the roster
import may not import it. The import exposes this hook instead and subsidies registers it in
its ``ready()``: how a county's intermediaries are named, who currently brought a worker, and
how the import's links are written (audited there). Moving the intermediary model down into
workers was the other choice; it would put a payee of subsidy payments into the registry for
the sake of one roster column. With nothing registered the column's cells are refused.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class IntermediaryHook:
    # county code → {name: intermediary id} of that county's agencies and team leaders
    names: Callable[[str], dict[str, int]]
    # worker ids → {worker id: intermediary id} of those recorded
    current: Callable[[Sequence[int]], dict[int, int]]
    # (actor, [(worker id, intermediary id)], import job id) → records the links
    link: Callable[[Any, Sequence[tuple[int, int]], int | None], None]


_hooks: list[IntermediaryHook] = []


def intermediary_hook_register(hook: IntermediaryHook) -> None:
    """Register how the roster names and records intermediaries (one hook; the last wins)."""
    _hooks[:] = [hook]


def intermediary_hook() -> IntermediaryHook | None:
    """Return the registered hook, or None when no app records intermediaries."""
    return _hooks[0] if _hooks else None
