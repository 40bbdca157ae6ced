"""Each swing as the level a trader reads off the chart: resting liquidity at the swing's
price from its bar until the first bar that trades through it (domain §4)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from smtdesk.core.arrays import read_only
from smtdesk.core.structure.rangequery import FirstAbove, first_above_scan

Ints = npt.NDArray[np.int64]

MAJOR, MINOR, MANUAL = 0, 1, 2
"""Ranks of a swing level: automatic major or minor, or placed by hand."""

_NONE = np.empty(0, np.int64)


@dataclass(frozen=True, slots=True)
class SwingLevels:
    """Every swing's level, ascending by bar (a high before a low on one bar).

    ``taken`` is the first bar after ``bar`` whose high is strictly above ``level`` (a
    swing high) or whose low is strictly below it (a swing low), -1 while no bar of the
    data has: the answer for bars ``[:k]`` is the full one with bars from ``k`` on unseen.
    """

    bar: Ints
    is_high: npt.NDArray[np.bool_]
    level: npt.NDArray[np.float64]
    rank: Ints
    """:data:`MAJOR`, :data:`MINOR` or :data:`MANUAL`."""
    taken: Ints
    n_bars: int = 0
    """How many bars the levels were found over."""


def swing_levels(
    high: npt.ArrayLike,
    low: npt.ArrayLike,
    *,
    major: tuple[Ints, Ints],
    manual: tuple[Ints, Ints] = (_NONE, _NONE),
    minor: tuple[Ints, Ints] = (_NONE, _NONE),
) -> SwingLevels:
    """The levels of the ``(high bars, low bars)`` of each rank; a minor swing on a bar
    that is also a major or manual swing of its kind is that one's level, not another."""
    high = np.asarray(high, np.float64)
    low = np.asarray(low, np.float64)
    last = len(high) - 1
    parts = []
    for side, values, sign in ((0, high, 1.0), (1, low, -1.0)):
        ranked = [np.asarray(major[side], np.int64), np.asarray(minor[side], np.int64),
                  np.asarray(manual[side], np.int64)]
        if len(ranked[MINOR]):
            # a mask over the bars: numpy's set operations cost milliseconds per live candle
            held = np.zeros(len(values), bool)
            held[ranked[MAJOR]] = held[ranked[MANUAL]] = True
            ranked[MINOR] = ranked[MINOR][~held[ranked[MINOR]]]
        bar = np.concatenate(ranked)
        rank = np.concatenate([np.full(len(b), r, np.int64) for r, b in enumerate(ranked)])
        level = values[bar]
        taken = FirstAbove(values, sign=sign)(bar + 1, last, sign * level) if len(bar) else _NONE
        parts.append((bar, np.full(len(bar), side == 0), level, rank, taken))
    bar, is_high, level, rank, taken = (np.concatenate(c) for c in zip(*parts))
    order = np.lexsort((~is_high, bar))
    return SwingLevels(*(read_only(col[order]) for col in (bar, is_high, level, rank, taken)), len(high))


def extend_levels(
    levels: SwingLevels, high: npt.ArrayLike, low: npt.ArrayLike, *, major: tuple[Ints, Ints],
    minor: tuple[Ints, Ints] = (_NONE, _NONE),
) -> SwingLevels:
    """``levels`` after the series grew to ``high``, ``low``, with the ``major`` and
    ``minor`` ``(high bars, low bars)`` swings those bars confirmed: the same as
    :func:`swing_levels` over the whole series, at the cost of the resting levels and the
    new bars only. A major swing confirmed on a bar already holding a minor level of its
    kind takes that level over, as in the whole-series answer."""
    high = np.asarray(high, np.float64)
    low = np.asarray(low, np.float64)
    n_old, n = levels.n_bars, len(high)
    taken = levels.taken.copy()
    for k in range(n_old, n):
        resting = np.flatnonzero(taken < 0)
        lv = levels.level[resting]
        hit = np.where(levels.is_high[resting], high[k] > lv, low[k] < lv) & (levels.bar[resting] < k)
        taken[resting[hit]] = k
    rank = levels.rank.copy()
    cols = [levels.bar, levels.is_high, levels.level, rank, taken]
    held = 2 * levels.bar + ~levels.is_high  # one key per (bar, side), in the levels' order
    new_rows = []
    for ranking, (hi, lo) in ((MAJOR, major), (MINOR, minor)):
        for bars, up in ((np.asarray(hi, np.int64), True), (np.asarray(lo, np.int64), False)):
            for b in bars.tolist():
                key = 2 * b + (0 if up else 1)
                at = int(np.searchsorted(held, key))
                if at < len(held) and held[at] == key:
                    if ranking == MAJOR and rank[at] == MINOR:
                        rank[at] = MAJOR
                    continue
                if any(r[0] == key for r in new_rows):
                    continue
                new_rows.append((key, b, up, ranking))
    if new_rows:
        new_rows.sort()
        bar = np.array([r[1] for r in new_rows], np.int64)
        is_high = np.array([r[2] for r in new_rows], bool)
        level = np.where(is_high, high[bar], low[bar])
        # the new bars are few and near the end: a scan beats building tables
        sign = np.where(is_high, 1.0, -1.0)
        new_taken = np.array([first_above_scan(high if up else low, b + 1, n - 1, s * v, sign=s)
                              for b, up, v, s in zip(bar.tolist(), is_high.tolist(), level.tolist(),
                                                      sign.tolist())], np.int64).reshape(-1)
        new = (bar, is_high, level, np.array([r[3] for r in new_rows], np.int64), new_taken)
        at = np.searchsorted(held, np.array([r[0] for r in new_rows], np.int64))
        cols = [np.insert(old, at, col) for old, col in zip(cols, new)]
    return SwingLevels(*(read_only(col) for col in cols), n)
