"""The trade plan attached to a confirmed SMT signal (domain §5).

Written for a short (bearish signal) on raw prices; a long mirrors every comparison.
Everything is read from bars up to the confirmation bar only.
"""

from __future__ import annotations

import math

import numpy as np

from smtdesk.core.signal import Direction, TradePlan


def displacement_gap(
    high: np.ndarray, low: np.ndarray, start: int, k: int, *, bearish: bool
) -> tuple[float, int]:
    """Near edge and third-candle bar of the latest fair value gap left by the move from
    ``start`` (the new swing) to ``k`` (the MSS close) and still open at ``k``; (nan, -1) if none.

    For a short the gap is bearish (candle 1's low above candle 3's high) and its near
    edge is candle 3's high, the first price a pull-back meets; a long mirrors this.
    """
    for i in range(k, start + 1, -1):
        if bearish and low[i - 2] > high[i]:
            top, edge = low[i - 2], high[i]
            if i == k or high[i + 1 : k + 1].max() <= top:
                return float(edge), i
        elif not bearish and high[i - 2] < low[i]:
            bottom, edge = high[i - 2], low[i]
            if i == k or low[i + 1 : k + 1].min() >= bottom:
                return float(edge), i
    return math.nan, -1


def nearest_pool(
    high: np.ndarray,
    low: np.ndarray,
    swing_bars: np.ndarray,
    k: int,
    entry: float,
    *,
    above: bool,
    lookback: int,
) -> tuple[float, int]:
    """Level and bar of the nearest major swing beyond ``entry`` still untouched at bar ``k``.

    ``above``: swing highs above the entry (a long's target); else swing lows below it.
    ``swing_bars`` are the swings known by ``k``, ascending; only those within
    ``lookback`` bars count. An untouched swing high is not exceeded by any later high,
    so untouched highs rise going back in time and the first one found beyond the entry
    is the nearest.
    """
    values = high if above else low
    sign = 1.0 if above else -1.0
    swing_bars = swing_bars[(swing_bars >= k - lookback) & (swing_bars < k)]
    if not len(swing_bars):
        return math.nan, -1
    base = int(swing_bars[0])
    seg = sign * values[base : k + 1]
    # after[i]: the most extreme price strictly after bar base + i, through k.
    after = np.empty(len(seg))
    after[-1] = -math.inf
    after[:-1] = np.maximum.accumulate(seg[::-1])[::-1][1:]
    level = seg[swing_bars - base]
    ok = (level >= after[swing_bars - base]) & (level > sign * entry)
    hits = np.flatnonzero(ok)
    if not len(hits):
        return math.nan, -1
    j = int(swing_bars[hits[-1]])
    return float(values[j]), j


def make_plan(
    direction: Direction,
    *,
    entry_mss: float,
    gap_entry: float,
    swing_level: float,
    atr: float,
    target: float,
    stop_atr: float,
    account_size: float,
    risk_pct: float,
) -> TradePlan | None:
    """Entry (displacement gap if any, else the MSS retest), stop beyond the traded asset's
    swing plus ``stop_atr`` ATRs, first target, reward:risk and position size (base units).

    None when the entry is not on the right side of the stop (no defined risk).
    """
    bearish = direction is Direction.BEARISH
    sign = 1.0 if bearish else -1.0
    use_gap = not math.isnan(gap_entry)
    entry = gap_entry if use_gap else entry_mss
    buffer = stop_atr * atr if not math.isnan(atr) else 0.0
    stop = swing_level + sign * buffer
    risk = sign * (stop - entry)
    if not risk > 0:
        return None
    reward = sign * (entry - target)
    rr = reward / risk if not math.isnan(target) else math.nan
    size = account_size * risk_pct / 100.0 / risk
    return TradePlan(
        direction=direction,
        entry=entry,
        stop=stop,
        target=target,
        reward_risk=rr,
        position_size=size,
        entry_reason="fvg" if use_gap else "mss retest",
    )
