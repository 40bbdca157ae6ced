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

from smtdesk.core.structure.rangequery import FirstAbove
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
    if len(high) < 3:
        e = np.empty(0, np.int64)
        return Gaps(
            **_frozen(
                bar=e,
                bullish=np.empty(0, bool),
                top=np.empty(0),
                bottom=np.empty(0),
                fill_bar=e.copy(),
            )
        )
    up = np.flatnonzero(high[:-2] < low[2:]) + 2
    down = np.flatnonzero(low[:-2] > high[2:]) + 2
    bar = np.concatenate([up, down])
    bullish = np.concatenate([np.ones(len(up), bool), np.zeros(len(down), bool)])
    top = np.concatenate([low[up], low[down - 2]])
    bottom = np.concatenate([high[up - 2], high[down]])
    order = np.argsort(bar, kind="stable")
    bar, bullish, top, bottom = bar[order], bullish[order], top[order], bottom[order]
    last = len(high) - 1
    fill = np.full(len(bar), -1, np.int64)
    # A touch of the far edge fills: "at or beyond x" is "strictly beyond the float just
    # short of x", which the strict range query answers exactly.
    if bullish.any():
        edge = np.nextafter(-bottom[bullish], -np.inf)
        fill[bullish] = FirstAbove(low, sign=-1.0)(bar[bullish] + 1, last, edge)
    if (~bullish).any():
        edge = np.nextafter(top[~bullish], -np.inf)
        fill[~bullish] = FirstAbove(high)(bar[~bullish] + 1, last, edge)
    return Gaps(
        **_frozen(bar=bar.astype(np.int64), bullish=bullish, top=top, bottom=bottom, fill_bar=fill)
    )


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



def _equal_pairs(bars: Ints, values: Floats, sign: float, tolerance: float) -> tuple[Ints, Ints]:
    """Consecutive swings within ``tolerance`` (relative) of each other, with no bar in
    between beyond the higher of the two (they must both still be resting)."""
    if len(bars) < 2:
        e = np.empty(0, np.int64)
        return e, e
    a, b = bars[:-1], bars[1:]
    va, vb = values[a], values[b]
    close = np.abs(va - vb) <= tolerance * np.maximum(np.abs(va), np.abs(vb))
    level = np.maximum(sign * va, sign * vb)
    beyond = FirstAbove(values, sign=sign)(a + 1, b - 1, level)
    keep = close & (beyond < 0)
    return a[keep], b[keep]


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
    parts = []
    for is_high, values, sign, maj, mnr in (
        (True, high, 1.0, major_swings[0], minor_swings[0]),
        (False, low, -1.0, major_swings[1], minor_swings[1]),
    ):
        maj = np.asarray(maj, np.int64)
        p1, p2 = _equal_pairs(np.asarray(mnr, np.int64), values, sign, tolerance)
        first = np.concatenate([maj, p1])
        second = np.concatenate([np.full(len(maj), -1, np.int64), p2])
        known = np.concatenate([maj + major, p2 + minor])
        level = np.where(
            second >= 0,
            sign * np.maximum(sign * values[first], sign * values[np.maximum(second, 0)]),
            values[first],
        )
        taken = FirstAbove(values, sign=sign)(
            np.maximum(first, second) + 1, len(values) - 1, sign * level
        )
        swept = (taken >= 0) & (sign * close[np.maximum(taken, 0)] <= sign * level)
        parts.append((np.full(len(first), is_high), level, first, second, known, taken, swept))
    cols = [np.concatenate(c) for c in zip(*parts)]
    order = np.lexsort((cols[2], cols[4]))
    return Pools(
        **_frozen(
            **{
                name: col[order]
                for name, col in zip(
                    ("is_high", "level", "first", "second", "known", "taken", "swept"), cols
                )
            }
        )
    )


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
    """MSS after every sweep of a major swing pool.

    After a sweep of a high at bar t, the MSS level is the last minor swing low known by
    t (the leg up into the high); the shift is the first later close strictly below it,
    provided no bar before it traded above the sweep bar's high. Lows mirrored.
    ``minor_swings`` is ``(high bars, low bars)`` of strength ``minor`` to use instead of
    automatic detection (e.g. those the pools were made from).
    """
    open_, high, low, close = (np.asarray(v, np.float64) for v in (open_, high, low, close))
    if pools is None:
        pools = liquidity_pools(high, low, close, major=major, minor=minor)
    if minor_swings is None:
        sw = find_swings(high, low, strength=minor)
        minor_swings = (sw.high_idx, sw.low_idx)
    last = len(close) - 1
    out = []
    for bearish in (True, False):
        sel = np.flatnonzero(pools.swept & (pools.second < 0) & (pools.is_high == bearish))
        t = pools.taken[sel]
        legs = np.asarray(minor_swings[1] if bearish else minor_swings[0], np.int64)
        pos = np.searchsorted(legs + minor, t, side="right") - 1
        lb = np.where(pos >= 0, legs[np.maximum(pos, 0)] if len(legs) else -1, -1)
        lvl_src = low if bearish else high
        level = lvl_src[np.maximum(lb, 0)]
        sign = -1.0 if bearish else 1.0  # a close beyond the level: below for bearish
        brk = FirstAbove(close, sign=sign)(t + 1, last, sign * level)
        ext = high if bearish else low
        beyond = FirstAbove(ext, sign=-sign)(t + 1, last, -sign * ext[t])
        ok = (lb >= 0) & (brk >= 0) & ((beyond < 0) | (beyond > brk))
        sel, t, lb, level, brk = sel[ok], t[ok], lb[ok], level[ok], brk[ok]
        ob = _order_blocks(open_, close, brk, bearish)
        out.append((sel.astype(np.int64), np.full(len(t), bearish), t, lb, level, brk, ob))
    cols = [np.concatenate(c) for c in zip(*out)]
    order = np.lexsort((cols[0], cols[5]))
    names = ("pool", "bearish", "sweep_bar", "level_bar", "level", "bar", "order_block")
    return Shifts(**_frozen(**{name: col[order] for name, col in zip(names, cols)}))


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
