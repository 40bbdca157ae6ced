"""Market structure of domain §4: fair value gaps, liquidity pools, sweeps, MSS, order blocks.

Each function scans a whole history with numpy and returns frozen arrays. Every item
carries the bar at which it became known and, where it can end, the bar it ended
(-1 while it has not ended within the data); so the answer for bars ``[:k]`` is the
answer for the full series restricted to what was known by bar ``k``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import numpy.typing as npt

from smtdesk.core.structure.rangequery import FirstAbove, first_above_scan
from smtdesk.core.structure.shift import shifts_after
from smtdesk.core.structure.swings import Swings, find_swings

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]


def _frozen(**arrays: np.ndarray) -> dict[str, np.ndarray]:
    for arr in arrays.values():
        arr.flags.writeable = False
    return arrays


@dataclass(frozen=True, slots=True)
class Gaps:
    """Fair value gaps. ``bar`` is the third candle (the gap is known when it closes).

    ``bullish`` gaps lie between candle 1's high (``bottom``) and candle 3's low
    (``top``); bearish ones between candle 3's high and candle 1's low; the bar the gap
    refers to is candle 2 (``bar - 1``). ``fill_bar`` is the first later bar trading at
    or through the far edge (domain §4a rule 2), -1 if none yet.
    """

    bar: Ints
    bullish: npt.NDArray[np.bool_]
    top: Floats
    bottom: Floats
    fill_bar: Ints



def fair_value_gaps(high: npt.ArrayLike, low: npt.ArrayLike) -> Gaps:
    """Every three-candle fair value gap and the bar it was filled (domain §4a)."""
    high = np.asarray(high, np.float64)
    low = np.asarray(low, np.float64)
    bar, bullish, top, bottom = gap_rows(high, low, 2)
    fill = gap_fills(high, low, bullish, top, bottom, bar + 1, len(high) - 1, find_with_tables)
    return Gaps(**_frozen(bar=bar, bullish=bullish, top=top, bottom=bottom, fill_bar=fill))


def find_with_tables(values: Floats, sign: float, lo: Ints, hi: Ints | int, level: Floats) -> Ints:
    """:class:`FirstAbove` over the whole of ``values``: for many long ranges."""
    return FirstAbove(values, sign=sign)(lo, hi, level)


def find_by_scan(values: Floats, sign: float, lo: Ints, hi: Ints | int, level: Floats) -> Ints:
    """The same answer by scanning: for the few bars a live update adds."""
    if np.size(lo) == 0 or np.size(level) == 0:  # most live bars bring nothing to look for
        return np.empty(0, np.int64)
    return first_above_scan(values, lo, hi, level, sign=sign)


def gap_rows(high: Floats, low: Floats, start: int) -> tuple[Ints, npt.NDArray[np.bool_], Floats, Floats]:
    """(bar, bullish, top, bottom) of the gaps whose third candle is at or after ``start``."""
    start = max(start, 2)
    up = np.flatnonzero(high[start - 2 : -2] < low[start:]) + start
    down = np.flatnonzero(low[start - 2 : -2] > high[start:]) + start
    bar = np.concatenate([up, down]).astype(np.int64)
    bullish = np.concatenate([np.ones(len(up), bool), np.zeros(len(down), bool)])
    top = np.concatenate([low[up], low[down - 2]])
    bottom = np.concatenate([high[up - 2], high[down]])
    order = np.argsort(bar, kind="stable")
    return bar[order], bullish[order], top[order], bottom[order]


def gap_fills(high: Floats, low: Floats, bullish, top: Floats, bottom: Floats,
              lo: Ints, hi: int, find) -> Ints:
    """The first bar in ``[lo, hi]`` trading at or through each gap's far edge, -1 if none."""
    fill = np.full(len(bullish), -1, np.int64)
    # A touch of the far edge fills: "at or beyond x" is "strictly beyond the float just
    # short of x", which the strict range query answers exactly.
    if bullish.any():
        fill[bullish] = find(low, -1.0, lo[bullish], hi, np.nextafter(-bottom[bullish], -np.inf))
    if (~bullish).any():
        fill[~bullish] = find(high, 1.0, lo[~bullish], hi, np.nextafter(top[~bullish], -np.inf))
    return fill


@dataclass(frozen=True, slots=True)
class Pools:
    """Liquidity pools: resting stops above highs (``is_high``) or below lows.

    ``bars`` holds the one or two swing bars making the pool (``second`` is -1 for a
    single major swing); ``known`` the bar it became a pool; ``taken`` the first later
    bar trading strictly beyond ``level``, -1 if none yet; ``swept`` whether that bar
    closed back inside (a sweep) rather than beyond (a break).
    """

    is_high: npt.NDArray[np.bool_]
    level: Floats
    first: Ints
    second: Ints
    known: Ints
    taken: Ints
    swept: npt.NDArray[np.bool_]



POOL_COLUMNS = ("is_high", "level", "first", "second", "known", "taken", "swept")


def _equal_pairs(bars: Ints, values: Floats, sign: float, tolerance: float, find) -> tuple[Ints, Ints]:
    """Consecutive swings within ``tolerance`` (relative) of each other, with no bar in
    between beyond the higher of the two (they must both still be resting)."""
    if len(bars) < 2:
        e = np.empty(0, np.int64)
        return e, e
    a, b = bars[:-1], bars[1:]
    va, vb = values[a], values[b]
    close = np.abs(va - vb) <= tolerance * np.maximum(np.abs(va), np.abs(vb))
    level = np.maximum(sign * va, sign * vb)
    beyond = find(values, sign, a + 1, b - 1, level)
    keep = close & (beyond < 0)
    return a[keep], b[keep]


def pool_rows(high: Floats, low: Floats, close: Floats, major_swings, minor_swings, *,
              major: int, minor: int, tolerance: float, find) -> dict[str, np.ndarray]:
    """The pool columns (:data:`POOL_COLUMNS`) of the given major swings and of the equal
    pairs among consecutive ``minor_swings``, taken within the data, in pool order."""
    parts = []
    for is_high, values, sign, maj, mnr in (
        (True, high, 1.0, major_swings[0], minor_swings[0]),
        (False, low, -1.0, major_swings[1], minor_swings[1]),
    ):
        maj = np.asarray(maj, np.int64)
        p1, p2 = _equal_pairs(np.asarray(mnr, np.int64), values, sign, tolerance, find)
        first = np.concatenate([maj, p1])
        second = np.concatenate([np.full(len(maj), -1, np.int64), p2])
        known = np.concatenate([maj + major, p2 + minor])
        level = np.where(
            second >= 0,
            sign * np.maximum(sign * values[first], sign * values[np.maximum(second, 0)]),
            values[first],
        )
        taken = find(values, sign, np.maximum(first, second) + 1, len(values) - 1, sign * level)
        parts.append((np.full(len(first), is_high), level, first, second, known, taken))
    cols = [np.concatenate(c) for c in zip(*parts)]
    order = np.lexsort((cols[2], cols[4]))
    rows = {name: col[order] for name, col in zip(POOL_COLUMNS, cols)}
    rows["swept"] = swept(close, rows["is_high"], rows["level"], rows["taken"])
    return rows


def swept(close: Floats, is_high, level: Floats, taken: Ints) -> npt.NDArray[np.bool_]:
    """Whether the bar that took each pool closed back inside (a sweep, not a break)."""
    sign = np.where(is_high, 1.0, -1.0)
    return (taken >= 0) & (sign * close[np.maximum(taken, 0)] <= sign * level)


def liquidity_pools(
    high: npt.ArrayLike,
    low: npt.ArrayLike,
    close: npt.ArrayLike,
    *,
    major: int = 5,
    minor: int = 2,
    tolerance: float = 0.001,
    major_swings: tuple[Ints, Ints] | None = None,
    minor_swings: tuple[Ints, Ints] | None = None,
) -> Pools:
    """Major swing highs/lows and pairs of equal minor highs/lows, with when each was taken.

    ``major_swings`` / ``minor_swings`` are ``(high bars, low bars)`` to use instead of
    automatic detection (e.g. merged with manual swings); they must be causal.
    """
    high = np.asarray(high, np.float64)
    low = np.asarray(low, np.float64)
    close = np.asarray(close, np.float64)
    if major_swings is None:
        sw = find_swings(high, low, strength=major)
        major_swings = (sw.high_idx, sw.low_idx)
    if minor_swings is None:
        sw = find_swings(high, low, strength=minor)
        minor_swings = (sw.high_idx, sw.low_idx)
    rows = pool_rows(high, low, close, major_swings, minor_swings, major=major, minor=minor,
                     tolerance=tolerance, find=find_with_tables)
    return Pools(**_frozen(**rows))


@dataclass(frozen=True, slots=True)
class Shifts:
    """Market structure shifts after sweeps of major swings (domain §4), one per swept pool.

    ``sweep_bar`` swept the pool at row ``pool`` of the :class:`Pools` the shifts were
    found from (a high when ``bearish``); ``level_bar`` is the last minor swing of the leg
    into the sweep whose level (``level``) a later close broke at ``bar``;
    ``order_block`` is the last opposite-colour candle before that displacement. A bar
    sweeping two pools gives two shifts that differ only in ``pool``: one structure
    break, so a chart draws each (``bar``, ``bearish``) once.
    """

    pool: Ints
    bearish: npt.NDArray[np.bool_]
    sweep_bar: Ints
    level_bar: Ints
    level: Floats
    bar: Ints
    order_block: Ints


@numba.njit(cache=True, nogil=True)
def _order_block(open_, close, bar, bearish):
    sign = -1.0 if bearish else 1.0
    i = bar
    while i >= 0 and sign * (close[i] - open_[i]) > 0:
        i -= 1
    if i >= 0 and sign * (close[i] - open_[i]) < 0:
        return i
    return -1


@numba.njit(cache=True, nogil=True)
def _order_blocks(open_, close, bars, bearish):
    out = np.empty(len(bars), np.int64)
    for q in range(len(bars)):
        out[q] = _order_block(open_, close, bars[q], bearish)
    return out


def order_block(open_: Floats, close: Floats, bar: int, *, bearish: bool) -> int:
    """The last opposite-colour candle before the displacement that closes at ``bar``.

    The displacement is the run of candles of the move's colour (down for bearish)
    ending at ``bar``; the order block is the candle just before it when it has the
    opposite colour, else -1.
    """
    return int(
        _order_block(
            np.asarray(open_, np.float64), np.asarray(close, np.float64), int(bar), bool(bearish)
        )
    )


def structure_shifts(
    open_: npt.ArrayLike,
    high: npt.ArrayLike,
    low: npt.ArrayLike,
    close: npt.ArrayLike,
    *,
    major: int = 5,
    minor: int = 2,
    pools: Pools | None = None,
    minor_swings: tuple[Ints, Ints] | None = None,
) -> Shifts:
    """MSS after every sweep of a major swing pool (:mod:`~smtdesk.core.structure.shift`).

    After a sweep of a high at bar t the MSS level is the last minor swing low of the leg
    up into it (before t, as known at each later bar); the shift is the first later close
    strictly below it, provided no bar before it traded above the sweep bar's high (on
    the same bar, trading above comes first). Lows mirrored. ``minor_swings`` is
    ``(high bars, low bars)`` of strength ``minor`` to use instead of automatic detection
    (e.g. those the pools were made from).
    """
    open_, high, low, close = (np.asarray(v, np.float64) for v in (open_, high, low, close))
    if pools is None:
        pools = liquidity_pools(high, low, close, major=major, minor=minor)
    if minor_swings is None:
        sw = find_swings(high, low, strength=minor)
        minor_swings = (sw.high_idx, sw.low_idx)
    swept_pools = np.flatnonzero(pools.swept & (pools.second < 0))
    rows, _ = shift_rows(open_, high, low, close, pools, swept_pools, 0, minor_swings,
                         minor=minor, find=find_with_tables)
    return Shifts(**_frozen(**rows))


SHIFT_COLUMNS = ("pool", "bearish", "sweep_bar", "level_bar", "level", "bar", "order_block")


def shift_rows(open_: Floats, high: Floats, low: Floats, close: Floats, pools: Pools,
               rows: Ints, start: int, minor_swings, *, minor: int, find) -> tuple[dict[str, np.ndarray], Ints]:
    """The shift columns (:data:`SHIFT_COLUMNS`) after the sweeps of pool ``rows``, looked
    for from bar ``start`` on (none of them shifted or was traded beyond before it), in
    shift order; and those of ``rows`` still waiting at the end of the data."""
    last = len(close) - 1
    out, waiting = [], []
    for bearish in (True, False):
        sel = rows[pools.is_high[rows] == bearish]
        t = pools.taken[sel].astype(np.int64)
        legs = np.ascontiguousarray(minor_swings[1] if bearish else minor_swings[0], np.int64)
        lvl_src = low if bearish else high
        above = 1.0 if bearish else -1.0  # trading beyond the extreme: above after a high
        ext = high if bearish else low
        lo = np.maximum(t + 1, start)
        beyond = find(ext, above, lo, last, above * ext[t])
        # the shift's close goes the other way: below the level after a high
        brk, lb = shifts_after(close, lvl_src, above, legs, minor, t, lo,
                               np.where(beyond >= 0, beyond - 1, last).astype(np.int64))
        ok = brk >= 0
        waiting.append(sel[~ok & (beyond < 0)])
        sel, t, lb, brk = sel[ok], t[ok], lb[ok], brk[ok]
        ob = _order_blocks(open_, close, brk, bearish) if len(brk) else brk
        out.append((sel.astype(np.int64), np.full(len(t), bearish), t, lb, lvl_src[lb], brk, ob))
    cols = [np.concatenate(c) for c in zip(*out)]
    order = np.lexsort((cols[0], cols[5]))
    return {name: col[order] for name, col in zip(SHIFT_COLUMNS, cols)}, np.sort(np.concatenate(waiting))


@dataclass(frozen=True, slots=True)
class MarketStructure:
    """The structure of domain §4 a chart draws over one series."""

    minor: Swings
    """Minor swings (strength ``minor``)."""
    gaps: Gaps
    pools: Pools
    shifts: Shifts
    """Shifts after sweeps of ``pools``; ``shifts.pool`` indexes its rows."""


def market_structure(
    open_: npt.ArrayLike,
    high: npt.ArrayLike,
    low: npt.ArrayLike,
    close: npt.ArrayLike,
    *,
    major_swings: tuple[Ints, Ints],
    major: int = 5,
    minor: int = 2,
    tolerance: float = 0.001,
    suppressed: tuple[Ints, Ints] = (np.empty(0, np.int64), np.empty(0, np.int64)),
) -> MarketStructure:
    """Minor swings, gaps, pools and shifts of one series; ``major_swings`` are the
    ``(high bars, low bars)`` the pools are made from (automatic and manual), and the
    ``suppressed`` ``(high bars, low bars)`` are no minor swings either."""
    minor_sw = find_swings(high, low, strength=minor)
    if len(suppressed[0]) or len(suppressed[1]):
        minor_sw = Swings(
            np.setdiff1d(minor_sw.high_idx, suppressed[0]),
            np.setdiff1d(minor_sw.low_idx, suppressed[1]),
            minor,
        )
    minor_pair = (minor_sw.high_idx, minor_sw.low_idx)
    pools = liquidity_pools(
        high, low, close, major=major, minor=minor, tolerance=tolerance,
        major_swings=major_swings, minor_swings=minor_pair,
    )
    shifts = structure_shifts(
        open_, high, low, close, major=major, minor=minor, pools=pools, minor_swings=minor_pair
    )
    return MarketStructure(minor_sw, fair_value_gaps(high, low), pools, shifts)
