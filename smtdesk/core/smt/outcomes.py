"""How the trade plans of confirmed SMT signals played out, followed bar by bar.

Each plan is followed on the traded asset's own candles, from the bar after the one
whose close confirmed the signal. Where a candle does not tell the order in which its
prices traded, the reading is the one that is worse for the trader:

- Entry: a resting limit order at the plan's entry, filled at that price on the first
  bar that trades at or through it (a long: low at or below the entry, a short: high at
  or above it). No such bar within ``fill_bars`` bars: not filled.
- Exit: at the stop on the first bar that trades at or beyond it, at the target on the
  first bar that reaches it. A bar reaching both is a loss.
- The fill bar: a stop reached on it is a loss; a target reached on it does not count
  (the price may have been at the target before it came back to the entry), so the
  trade goes on from the next bar.
- Maximum adverse excursion: the furthest the price went against the entry, in R (the
  entry-to-stop distance), over every bar from the fill to the exit, both included;
  a loss is 1 R.
- Unresolved when the candles end (filled or still waiting): open.
- A plan without a target (no liquidity pool beyond the entry) is not followed.
- Fills and exits are at the plan's prices: no slippage, no fees.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

import numba
import numpy as np
import numpy.typing as npt

from smtdesk.core.candles import Candles
from smtdesk.core.signal import Direction, Signal

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]


class Outcome(StrEnum):
    WON = "won"
    LOST = "lost"
    OPEN = "open"
    NOT_FILLED = "not filled"
    NO_TARGET = "no target"


# Outcome codes of the compiled walk, indices into this tuple.
_CODES = (Outcome.OPEN, Outcome.WON, Outcome.LOST, Outcome.NOT_FILLED)
_OPEN, _WON, _LOST, _NOT_FILLED = range(4)


@dataclass(frozen=True, slots=True)
class Trade:
    """One confirmed signal's plan and what became of it; times are candle open times (ms)."""

    signal: Signal
    outcome: Outcome
    fill_time: int | None
    fill_price: float
    """The entry price when filled, else NaN."""
    exit_time: int | None
    exit_price: float
    """The stop or the target price when the trade ended, else NaN."""
    r: float
    """Won: the plan's reward:risk; lost: -1; otherwise NaN."""
    mae: float
    """Maximum adverse excursion in R; NaN unless filled."""
    bars: int | None
    """Bars from the confirmation bar to the exit bar, when the trade ended."""

    @property
    def closed(self) -> bool:
        return self.outcome in (Outcome.WON, Outcome.LOST)

    @property
    def filled(self) -> bool:
        return self.fill_time is not None


@dataclass(frozen=True, slots=True)
class Walk:
    """Bars of each followed plan (-1 where none) and its outcome code (see :data:`_CODES`)."""

    outcome: Ints
    fill: Ints
    exit: Ints
    mae: Floats

    def outcome_of(self, i: int) -> Outcome:
        return _CODES[self.outcome[i]]


@numba.njit(cache=True, nogil=True)
def _walk(high, low, start, entry, stop, target, sign, fill_bars):
    n, last = len(start), len(high)
    outcome = np.full(n, _OPEN, np.int64)
    fill = np.full(n, -1, np.int64)
    exit_ = np.full(n, -1, np.int64)
    mae = np.full(n, np.nan)
    for i in range(n):
        sg, e, st, tg = sign[i], entry[i], stop[i], target[i]
        risk = sg * (e - st)
        wait_end = start[i] + fill_bars  # first bar past the wait
        j = start[i]
        while j < min(wait_end, last):
            adverse = low[j] if sg > 0 else high[j]
            if sg * (adverse - e) <= 0:
                break
            j += 1
        if j >= min(wait_end, last):
            if wait_end <= last:
                outcome[i] = _NOT_FILLED
            continue
        fill[i] = j
        worst = 0.0
        for k in range(j, last):
            adverse = low[k] if sg > 0 else high[k]
            worst = max(worst, sg * (e - adverse) / risk)
            if sg * (adverse - st) <= 0:
                outcome[i], exit_[i] = _LOST, k
                break
            favour = high[k] if sg > 0 else low[k]
            if k > j and sg * (favour - tg) >= 0:
                outcome[i], exit_[i] = _WON, k
                break
        mae[i] = min(worst, 1.0)
    return outcome, fill, exit_, mae


def walk_plans(
    high: Floats,
    low: Floats,
    start: Ints,
    entry: Floats,
    stop: Floats,
    target: Floats,
    long: npt.NDArray[np.bool_],
    *,
    fill_bars: int,
) -> Walk:
    """Follow plans on one asset's candles, plan ``i`` from bar ``start[i]``, by the rules
    of this module. Every plan needs a target and its stop on the risk side of its entry."""
    sign = np.where(np.asarray(long, bool), 1.0, -1.0)
    outcome, fill, exit_, mae = _walk(
        np.asarray(high, np.float64),
        np.asarray(low, np.float64),
        np.asarray(start, np.int64),
        np.asarray(entry, np.float64),
        np.asarray(stop, np.float64),
        np.asarray(target, np.float64),
        sign,
        int(fill_bars),
    )
    return Walk(outcome, fill, exit_, mae)


def follow_plans(
    signals: Iterable[Signal], candles: Mapping[str, Candles], *, fill_bars: int
) -> tuple[Trade, ...]:
    """The trade of each confirmed signal with a plan among ``signals``, in their order.

    ``candles`` maps each traded asset (a signal's last asset) to its candles; a signal
    is known when its ``known_time`` bar closes, and followed from the next bar.
    """
    signals = [s for s in signals if s.plan is not None]
    trades: list[Trade | None] = [None] * len(signals)
    by_asset: dict[str, list[int]] = {}
    for i, sig in enumerate(signals):
        if np.isnan(sig.plan.target):
            trades[i] = Trade(sig, Outcome.NO_TARGET, None, np.nan, None, np.nan, np.nan, np.nan, None)
        else:
            by_asset.setdefault(sig.assets[-1], []).append(i)
    for asset, rows in by_asset.items():
        c = candles[asset]
        plans = [signals[i].plan for i in rows]
        known = np.array([signals[i].known_time for i in rows], np.int64)
        confirm = np.searchsorted(c.time, known)  # the confirmation bar
        w = walk_plans(
            c.high,
            c.low,
            np.searchsorted(c.time, known, side="right"),
            np.array([p.entry for p in plans]),
            np.array([p.stop for p in plans]),
            np.array([p.target for p in plans]),
            np.array([p.direction is Direction.BULLISH for p in plans]),
            fill_bars=fill_bars,
        )
        for r, i in enumerate(rows):
            trades[i] = _trade(signals[i], c.time, confirm[r], w, r)
    return tuple(trades)


def _trade(sig: Signal, time: Ints, confirm: int, w: Walk, r: int) -> Trade:
    plan = sig.plan
    outcome = w.outcome_of(r)
    fill, exit_ = int(w.fill[r]), int(w.exit[r])
    filled = fill >= 0
    ended = exit_ >= 0
    exit_price = {Outcome.WON: plan.target, Outcome.LOST: plan.stop}.get(outcome, np.nan)
    r_multiple = {Outcome.WON: plan.reward_risk, Outcome.LOST: -1.0}.get(outcome, np.nan)
    return Trade(
        signal=sig,
        outcome=outcome,
        fill_time=int(time[fill]) if filled else None,
        fill_price=plan.entry if filled else np.nan,
        exit_time=int(time[exit_]) if ended else None,
        exit_price=exit_price,
        r=r_multiple,
        mae=float(w.mae[r]),
        bars=exit_ - int(confirm) if ended else None,
    )
