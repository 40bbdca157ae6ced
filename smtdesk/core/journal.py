"""A journaled trade and what the candles say became of it.

The trader's own numbers (entry, stop, target, size) may differ from the plan they came
from; the outcome follows them on the traded asset's candles with the rules of
:mod:`smtdesk.core.smt.outcomes` (a limit entry, a bar reaching stop and target is a loss),
waiting for the entry as long as the data goes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

import numpy as np

from smtdesk.core.candles import Candles
from smtdesk.core.smt.outcomes import Outcome, walk_plans


class Result(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"
    SCRATCHED = "scratched"  # closed by hand, neither at stop nor target


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One trade the trader journaled; times epoch ms."""

    signal_id: str
    venue: str
    symbol: str
    """The asset traded."""
    timeframe: str
    long: bool
    signal_time: int
    """The bar the signal became known; the trade is followed from the next bar."""
    entry: float
    stop: float
    target: float
    size: float
    notes: str = ""
    result: Result = Result.OPEN
    exit_time: int | None = None
    exit_price: float | None = None
    from_candles: bool = False
    """The result was read off the candles, not entered by hand."""
    screenshots: tuple[str, ...] = ()
    id: int | None = None
    """The row in the user store, once saved."""

    @property
    def r(self) -> float | None:
        """The R multiple of a closed trade (exit against the risk taken), else None."""
        risk = abs(self.entry - self.stop)
        if self.exit_price is None or self.result is Result.OPEN or risk == 0:
            return None
        sign = 1.0 if self.long else -1.0
        return sign * (self.exit_price - self.entry) / risk


def follow(entry: JournalEntry, candles: Candles) -> JournalEntry:
    """``entry`` with the result the candles give it, when they end it at its stop or its
    target; unchanged while open, or when the trader already closed it."""
    if entry.result is not Result.OPEN or not len(candles):
        return entry
    start = int(np.searchsorted(candles.time, entry.signal_time, side="right"))
    w = walk_plans(candles.high, candles.low, np.array([start]), np.array([entry.entry]),
                   np.array([entry.stop]), np.array([entry.target]), np.array([entry.long]),
                   fill_bars=len(candles))
    outcome = w.outcome_of(0)
    if outcome not in (Outcome.WON, Outcome.LOST):
        return entry
    won = outcome is Outcome.WON
    return replace(entry, result=Result.WON if won else Result.LOST,
                   exit_time=int(candles.time[int(w.exit[0])]),
                   exit_price=entry.target if won else entry.stop, from_candles=True)
