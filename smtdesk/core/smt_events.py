"""Turning resolved SMT candidates (:class:`smtdesk.core.smt.Outcome`) into Signal events.

One event per state a candidate reaches, carrying both assets' levels and bar times,
the context tags at the event's bar and, on confirmation, the trade plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from smtdesk.core.candles import Candles
from smtdesk.core.plan import displacement_gap, make_plan, nearest_pool
from smtdesk.core.signal import Direction, Signal, State, signal_from_parts
from smtdesk.core.smt import Outcome, SmtParams
from smtdesk.core.smt_context import PairContext
from smtdesk.core.swings import SwingSet


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


def _latest_bar(res: Outcome) -> np.ndarray:
    return np.maximum.reduce([res.t, res.cancel, res.div, res.confirm, res.invalid])


def build_events(
    side: Side,
    res: Outcome,
    *,
    from_bar: int,
    timeframe: str,
    params: SmtParams,
    context: PairContext,
) -> list[Signal]:
    """Events of the resolved candidates whose bar is ``from_bar`` or later."""
    xa, ya = side.x_name, side.y_name
    bearish = side.direction is Direction.BEARISH
    x_hi = side.x.high if bearish else side.x.low
    y_hi, y_lo = (side.y.high, side.y.low) if bearish else (side.y.low, side.y.high)
    time = side.x.time
    sel = np.flatnonzero(res.formed)
    sel = sel[_latest_bar(res)[sel] >= from_bar]
    if not len(sel):
        return []

    def col(values: np.ndarray, bars: np.ndarray) -> tuple[list, list]:
        b = bars[sel]
        ok = b >= 0
        at = np.maximum(b, 0)
        return np.where(ok, values[at], np.nan).tolist(), np.where(ok, time[at], -1).tolist()

    k_swept, k_new, k_prior, k_ynew, k_break = (
        f"{xa}.swept",
        f"{xa}.new",
        f"{ya}.prior",
        f"{ya}.new",
        f"{ya}.break",
    )
    swept, swept_t = col(x_hi, res.j0)
    xprov, xprov_t = col(x_hi, res.prov_x_bar)
    prior, prior_t = col(y_hi, res.prior_bar)
    yprov, yprov_t = col(y_hi, res.prov_y_bar)
    xnew, xnew_t = col(x_hi, res.s)
    ynew, ynew_t = col(y_hi, res.y_new_bar)
    mss, mss_t = col(y_lo, res.mss_bar)
    cbrk, cbrk_t = col(y_hi, res.cancel)
    ibrk, ibrk_t = col(y_hi, res.invalid)
    names = ("t", "cancel", "div", "confirm", "invalid", "y_new_bar")
    bars = {name: getattr(res, name)[sel].tolist() for name in names}
    # Open times of the event bars only: converting the whole time axis costs more.
    when = {name: time[np.maximum(getattr(res, name)[sel], 0)].tolist() for name in names[:5]}
    reasons = res.invalid_reason[sel].tolist()

    event_bars = np.concatenate(
        [getattr(res, name)[sel] for name in ("t", "cancel", "div", "confirm", "invalid")]
    )
    event_bars = np.unique(event_bars[event_bars >= from_bar])
    tags = dict(zip(event_bars.tolist(), context.tags_at(event_bars, side.yi, bearish=bearish)))

    word = "above" if bearish else "below"
    cancel_reason = f"{ya} traded {word} its prior level before the divergence"
    price_reason = f"{ya} traded {word} its new level before the MSS"
    timeout_reason = f"no MSS within {params.mss_timeout} bars"
    no_mss_reason = f"no minor swing of {ya} before its new level"
    confirm_reason = f"{ya} closed {'below' if bearish else 'above'} the MSS level"
    direction, assets = side.direction, (xa, ya)
    out: list[Signal] = []

    def emit(state, bar, at, levels, times, reason="", provisional=False, plan=None):
        if bar >= from_bar:
            out.append(
                signal_from_parts(
                    ident,
                    "smt",
                    direction,
                    state,
                    assets,
                    timeframe,
                    ref,
                    at,
                    # Copies, as the constructor makes: ``levels`` is shared by later states.
                    MappingProxyType(dict(levels)),
                    MappingProxyType(dict(times)),
                    tags[bar],
                    plan,
                    reason,
                    provisional,
                )
            )

    for i in range(len(sel)):
        t = bars["t"][i]
        ref = when["t"][i]
        ident = f"smt:{direction.value}:{xa}:{ref}"
        levels = {k_swept: swept[i], k_new: xprov[i], k_prior: prior[i], k_ynew: yprov[i]}
        times = {k_swept: swept_t[i], k_new: xprov_t[i], k_prior: prior_t[i], k_ynew: yprov_t[i]}
        emit(State.FORMING, t, ref, levels, times, provisional=True)
        c = bars["cancel"][i]
        if c >= 0:
            emit(
                State.CANCELLED,
                c,
                when["cancel"][i],
                {**levels, k_break: cbrk[i]},
                {**times, k_break: cbrk_t[i]},
                cancel_reason,
                True,
            )
            continue
        d = bars["div"][i]
        if d < 0:
            continue
        levels = {k_swept: swept[i], k_new: xnew[i], k_prior: prior[i], k_ynew: ynew[i]}
        times = {k_swept: swept_t[i], k_new: xnew_t[i], k_prior: prior_t[i], k_ynew: ynew_t[i]}
        if mss_t[i] >= 0:
            levels["mss"], times["mss"] = mss[i], mss_t[i]
        emit(
            State.DIVERGENCE,
            d,
            when["div"][i],
            levels,
            times,
            "" if mss_t[i] >= 0 else no_mss_reason,
        )
        k = bars["confirm"][i]
        if k >= 0:
            if k >= from_bar:
                plan = _plan(side, params, context, k, bars["y_new_bar"][i], mss[i], ynew[i])
                emit(
                    State.CONFIRMED, k, when["confirm"][i], levels, times, confirm_reason, plan=plan
                )
            continue
        k = bars["invalid"][i]
        if k < 0:
            continue
        if reasons[i] == "price":
            emit(
                State.INVALIDATED,
                k,
                when["invalid"][i],
                {**levels, k_break: ibrk[i]},
                {**times, k_break: ibrk_t[i]},
                price_reason,
            )
        else:
            emit(State.INVALIDATED, k, when["invalid"][i], levels, times, timeout_reason)
    return out


def _plan(
    side: Side,
    p: SmtParams,
    context: PairContext,
    k: int,
    y_new_bar: int,
    mss_level: float,
    y_new_level: float,
):
    bearish = side.direction is Direction.BEARISH
    y = side.y
    gap_entry, _ = displacement_gap(y.high, y.low, y_new_bar, k, bearish=bearish)
    entry = gap_entry if gap_entry == gap_entry else mss_level
    swings = side.y_target_swings.bars_known_by(k, since=k - p.target_lookback)
    target, _ = nearest_pool(
        y.high, y.low, swings, k, entry, above=not bearish, lookback=p.target_lookback
    )
    return make_plan(
        side.direction,
        entry_mss=mss_level,
        gap_entry=gap_entry,
        swing_level=y_new_level,
        atr=context.atr_at(side.yi, k),
        target=target,
        stop_atr=p.stop_atr,
        account_size=p.account_size,
        risk_pct=p.risk_pct,
    )
