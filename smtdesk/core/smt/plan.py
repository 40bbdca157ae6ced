"""The trade plans attached to confirmed SMT signals (domain §5), for many signals at once.

Written for a short (bearish signal) on raw prices; a long mirrors every comparison.
Everything is read from bars up to each confirmation bar only. The fair value gaps and
the liquidity pools are those of :mod:`smtdesk.core.structure.levels`.
"""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt

from smtdesk.core.signals.event_table import PlanColumns
from smtdesk.core.structure.levels import fair_value_gaps, liquidity_pools
from smtdesk.core.structure.swings import SwingSet

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]


@numba.njit(cache=True, nogil=True)
def _nearest_pools(level, first, known, taken, sign, k, entry, lookback):
    """Level of the nearest pool beyond ``entry`` (above it for ``sign`` +1, below for
    -1) whose swings lie within ``lookback`` bars before ``k[i]``, known by ``k[i]`` and
    not taken through it; NaN if none. Pools ascending by ``known``; a pool is known no
    earlier than its first swing, so only those known in the lookback are read."""
    out = np.full(len(k), np.nan)
    for i in range(len(k)):
        best = np.inf
        lo = np.searchsorted(known, k[i] - lookback)
        hi = np.searchsorted(known, k[i], side="right")
        for p in range(lo, hi):
            if first[p] < k[i] - lookback or first[p] >= k[i]:
                continue
            if 0 <= taken[p] <= k[i]:
                continue
            distance = sign * (level[p] - entry[i])
            if 0 < distance < best:
                best = distance
                out[i] = level[p]
    return out


def _known(swings: SwingSet, bars: Ints) -> Ints:
    """The bar each of ``bars`` (swings of ``swings``) became known: a manual swing at once."""
    bar, known = swings.by_bar()
    return known[np.searchsorted(bar, bars)]


def _gap_entries(high, low, bearish, start, k) -> Floats:
    """Near edge of the latest fair value gap with candle 1 at or after ``start[i]``,
    known by ``k[i]`` and still open there; NaN if none.

    Only the bars ``start[i] .. k[i]`` of each plan matter, so the gaps are looked for
    on those runs of bars laid end to end, two neutral bars after each (a high of +inf
    and a low of -inf: such a bar is no candle 1 or 3 of a gap, and a fill found on
    it lies after the run's confirmation bar).
    """
    out = np.full(len(k), np.nan)
    if not len(k):
        return out
    length = k - start + 1
    size = length + 2
    offset = np.cumsum(size) - size
    local = np.arange(size.sum()) - np.repeat(offset, size)
    bar = np.repeat(start, size) + local
    neutral = local >= np.repeat(length, size)
    bar[neutral] = 0
    gaps = fair_value_gaps(
        np.where(neutral, np.inf, high[bar]), np.where(neutral, -np.inf, low[bar])
    )
    end = offset + length  # first neutral bar of each run
    run = np.searchsorted(offset, gaps.bar, side="right") - 1
    # A short enters at a bearish gap's lower edge (candle 3's high), a long at a bullish
    # gap's upper edge (candle 3's low): the first price a pull-back meets.
    usable = (gaps.bullish != bearish) & ((gaps.fill_bar < 0) | (gaps.fill_bar >= end[run]))
    gap_bar = gaps.bar[usable]
    edge = (gaps.bottom if bearish else gaps.top)[usable]
    latest = np.searchsorted(gap_bar, end) - 1  # the last usable gap before each run ends
    found = latest >= 0
    found[found] = gap_bar[latest[found]] >= offset[found]  # and inside the run
    out[found] = edge[latest[found]]
    return out


def _shift(bars: Ints, by: int) -> Ints:
    return np.where(bars >= 0, bars + by, bars)


def _targets(high, low, close, bearish, major, minor, k, entry, lookback, tolerance) -> Floats:
    if not len(k):
        return np.empty(0)
    lo = max(int(k.min()) - lookback, 0)
    hi = int(k.max()) + 1
    major_bars, _ = major.by_bar()
    minor_bars, _ = minor.by_bar()

    def inside(bars: Ints) -> Ints:
        return bars[(bars >= lo) & (bars < hi)] - lo

    maj, mnr = inside(major_bars), inside(minor_bars)
    none = np.empty(0, np.int64)
    pools = liquidity_pools(
        high[lo:hi],
        low[lo:hi],
        close[lo:hi],
        major=major.strength,
        minor=minor.strength,
        tolerance=tolerance,
        major_swings=(none, maj) if bearish else (maj, none),
        minor_swings=(none, mnr) if bearish else (mnr, none),
    )
    side = pools.is_high != bearish
    first, second = pools.first[side] + lo, pools.second[side]
    # A pool is known when its last swing is: a major swing, or the second of a pair of
    # equal minor swings; a manual swing is known on its own bar.
    known = np.empty(len(first), np.int64)
    single = second < 0
    known[single] = _known(major, first[single])
    known[~single] = _known(minor, second[~single] + lo)
    order = np.argsort(known, kind="stable")
    taken = _shift(pools.taken[side], lo)
    sign = -1.0 if bearish else 1.0
    return _nearest_pools(
        pools.level[side][order], first[order], known[order], taken[order], sign, k, entry, lookback
    )


def trade_plans(
    high: Floats,
    low: Floats,
    close: Floats,
    *,
    bearish: bool,
    target_swings: SwingSet,
    target_minor: SwingSet,
    confirm: Ints,
    new_bar: Ints,
    mss_level: Floats,
    swing_level: Floats,
    atr: Floats,
    target_lookback: int,
    pool_tolerance: float,
    stop_atr: float,
    account_size: float,
    risk_pct: float,
) -> PlanColumns:
    """Plans of signals confirmed at bars ``confirm`` on the traded asset's candles.

    Entry at the latest fair value gap of the move from the traded asset's new swing
    (``new_bar``, price ``swing_level``) to the confirmation, if one is still open, else
    at the MSS retest (``mss_level``); stop beyond the swing plus ``stop_atr`` ATRs
    (``atr`` at the confirmation bar); first target at the nearest liquidity pool beyond
    the entry still resting at the confirmation, made of the major swings
    ``target_swings`` or of two equal minor swings of ``target_minor`` (within
    ``pool_tolerance``), lows for a short, within ``target_lookback`` bars; reward:risk
    and position size in base units. A plan whose entry is not on the right side of its
    stop has ``ok`` False.
    """
    confirm = np.asarray(confirm, np.int64)
    gap = _gap_entries(high, low, bearish, np.asarray(new_bar, np.int64), confirm)
    use_gap = ~np.isnan(gap)
    entry = np.where(use_gap, gap, mss_level)
    target = _targets(
        high,
        low,
        close,
        bearish,
        target_swings,
        target_minor,
        confirm,
        entry,
        target_lookback,
        pool_tolerance,
    )
    sign = 1.0 if bearish else -1.0
    buffer = np.where(np.isnan(atr), 0.0, stop_atr * atr)
    stop = swing_level + sign * buffer
    risk = sign * (stop - entry)
    with np.errstate(divide="ignore", invalid="ignore"):
        reward_risk = sign * (entry - target) / risk
        size = account_size * risk_pct / 100.0 / risk
    return PlanColumns(
        ok=risk > 0,
        entry=entry,
        stop=stop,
        target=target,
        reward_risk=reward_risk,
        position_size=size,
        fvg=use_gap,
    )
