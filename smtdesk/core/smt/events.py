"""Turning resolved SMT candidates (:class:`smtdesk.core.smt.rules.Outcome`) into event blocks.

One event per state a candidate reaches, carrying both assets' levels and bar times,
the context tags at the event's bar and, on confirmation, the trade plan. Events of
one state and level layout form one :class:`~smtdesk.core.signals.event_table.Block`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from smtdesk.core.candles import Candles
from smtdesk.core.signals.event_table import Block
from smtdesk.core.smt.plan import trade_plans
from smtdesk.core.signal import Direction, State
from smtdesk.core.smt.rules import Outcome, SmtParams
from smtdesk.core.smt.context import PairContext
from smtdesk.core.structure.swings import SwingSet


@dataclass(frozen=True, slots=True)
class Side:
    """The two assets of one group: X sweeps, Y is traded."""

    direction: Direction
    x_name: str
    y_name: str
    x: Candles
    y: Candles
    yi: int
    y_target_swings: SwingSet  # Y's major swings on the target side (lows for a short)
    y_target_minor: SwingSet  # Y's minor swings on that side


def _latest_bar(res: Outcome) -> np.ndarray:
    return np.maximum.reduce([res.t, res.cancel, res.div, res.confirm, res.invalid])


def build_blocks(
    side: Side,
    res: Outcome,
    *,
    from_bar: int,
    params: SmtParams,
    context: PairContext,
) -> list[Block]:
    """Events of the resolved candidates whose bar is ``from_bar`` or later."""
    sel = np.flatnonzero(res.formed)
    sel = sel[_latest_bar(res)[sel] >= from_bar]
    if not len(sel):
        return []
    xa, ya = side.x_name, side.y_name
    bearish = side.direction is Direction.BEARISH
    x_hi = side.x.high if bearish else side.x.low
    y_hi, y_lo = (side.y.high, side.y.low) if bearish else (side.y.low, side.y.high)
    t, cancel, div, confirm, invalid, s, y_new, mss, end_mss = (
        getattr(res, name)[sel]
        for name in (
            "t", "cancel", "div", "confirm", "invalid", "s", "y_new_bar", "mss_bar", "end_mss_bar"
        )
    )
    by_price = res.invalid_reason[sel] == "price"
    # (name, bar it is read at, price series) of each level
    swept = (f"{xa}.swept", res.j0[sel], x_hi)
    prior = (f"{ya}.prior", res.prior_bar[sel], y_hi)
    early = [swept, (f"{xa}.new", t, x_hi), prior, (f"{ya}.new", res.prov_y_bar[sel], y_hi)]
    cancelled = [
        swept,
        (f"{xa}.new", res.cancel_x_bar[sel], x_hi),
        prior,
        (f"{ya}.new", res.cancel_y_bar[sel], y_hi),
    ]
    final = [swept, (f"{xa}.new", s, x_hi), prior, (f"{ya}.new", y_new, y_hi)]
    with_mss = [*final, ("mss", mss, y_lo)]
    with_end_mss = [*final, ("mss", end_mss, y_lo)]
    k_break = f"{ya}.break"

    word = "above" if bearish else "below"
    cancel_reason = f"{ya} traded {word} its prior level before the divergence"
    price_reason = f"{ya} traded {word} its new level before the MSS"
    timeout_reason = f"no MSS within {params.mss_timeout} bars"
    no_mss_reason = f"no minor swing of {ya} before its new level"
    pending_mss_reason = f"no minor swing of {ya} known before its new level yet"
    confirm_reason = f"{ya} closed {'below' if bearish else 'above'} the MSS level"
    # A minor swing on the bar before Y's new level is known ``minor`` bars later.
    mss_pending = y_new - 1 + params.minor > div
    has_mss, has_end_mss, ended = mss >= 0, end_mss >= 0, invalid >= 0
    priced, timed = ended & by_price, ended & ~by_price
    broke_mss = [*with_end_mss, (k_break, invalid, y_hi)]
    broke = [*final, (k_break, invalid, y_hi)]
    event_bars = (t, cancel, div, confirm, invalid)
    no_mss = (div >= 0) & ~has_mss
    variants = (  # state, rows, event bar (of event_bars), levels, reason, provisional
        (State.FORMING, np.ones(len(sel), bool), 0, early, "", True),
        (State.CANCELLED, cancel >= 0, 1, cancelled, cancel_reason, True),
        (State.DIVERGENCE, (div >= 0) & has_mss, 2, with_mss, "", False),
        (State.DIVERGENCE, no_mss & ~mss_pending, 2, final, no_mss_reason, False),
        (State.DIVERGENCE, no_mss & mss_pending, 2, final, pending_mss_reason, False),
        (State.CONFIRMED, confirm >= 0, 3, with_end_mss, confirm_reason, False),
        (State.INVALIDATED, priced & has_end_mss, 4, broke_mss, price_reason, False),
        (State.INVALIDATED, priced & ~has_end_mss, 4, broke, price_reason, False),
        (State.INVALIDATED, timed & has_end_mss, 4, with_end_mss, timeout_reason, False),
        (State.INVALIDATED, timed & ~has_end_mss, 4, final, timeout_reason, False),
    )
    found = []
    for state, mask, which, levels, reason, provisional in variants:
        rows = np.flatnonzero(mask & (event_bars[which] >= from_bar))
        if len(rows):
            found.append((state, rows, which, levels, reason, provisional))
    if not found:
        return []
    # Tags at every event bar of these candidates, read in one pass.
    tag_codes = context.tag_codes(
        np.maximum(np.concatenate(event_bars), 0), side.yi, bearish=bearish
    )
    tag_codes = tag_codes.reshape(len(event_bars), len(sel))
    prefix = f"smt:{side.direction.value}:{xa}:"
    blocks = []
    for state, rows, which, levels, reason, provisional in found:
        at = event_bars[which][rows]
        level_bars = tuple(bars[rows] for _, bars, _ in levels)
        values = tuple(series[bars] for (_, _, series), bars in zip(levels, level_bars))
        plans = None
        if state is State.CONFIRMED:
            plans = _plans(side, params, context, at, level_bars[3], values[4], values[3])
        blocks.append(
            Block(
                kind="smt",
                direction=side.direction,
                state=state,
                assets=(xa, ya),
                prefix=prefix,
                ref=t[rows],
                known=at,
                names=tuple(name for name, _, _ in levels),
                values=values,
                level_bars=level_bars,
                reason=reason,
                provisional=provisional,
                tag_codes=tag_codes[which][rows],
                tag_set=context.tag_set,
                plans=plans,
            )
        )
    return blocks


def _plans(side: Side, p: SmtParams, context: PairContext, k, y_new_bar, mss_level, y_new_level):
    return trade_plans(
        side.y.high,
        side.y.low,
        side.y.close,
        bearish=side.direction is Direction.BEARISH,
        target_swings=side.y_target_swings,
        target_minor=side.y_target_minor,
        confirm=k,
        new_bar=y_new_bar,
        mss_level=mss_level,
        swing_level=y_new_level,
        atr=context.atr_at(side.yi, k),
        target_lookback=p.target_lookback,
        pool_tolerance=p.pool_tolerance,
        stop_atr=p.stop_atr,
        account_size=p.account_size,
        risk_pct=p.risk_pct,
    )
