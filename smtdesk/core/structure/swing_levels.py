"""Each swing as the level a trader reads off the chart: resting liquidity at the swing's
price from its bar until the first bar that trades through it (domain §4)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from smtdesk.core.arrays import GrowingArray, read_only
from smtdesk.core.structure.rangequery import FirstAbove, Resting

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


class LevelTrack:
    """:func:`swing_levels` of a growing series, kept up a few bars at a time.

    The resting levels are tested against each new bar (most bars reach none) and the
    swings the new bars confirm are added: the same as :func:`swing_levels` over the
    whole series, at the cost of the new bars. A major swing confirmed on a bar already
    holding a minor level of its kind takes that level over, as in the whole-series
    answer. :attr:`levels` is the answer now; earlier answers stay as they were. The
    columns grow at the end, where a new minor swing's level goes: only a level placed
    before others (a major swing confirmed after a later minor one) or a rewritten one
    copies a column.
    """

    def __init__(self, levels: SwingLevels) -> None:
        self.levels = levels
        self._cols = []
        for name in _FIELDS:
            col = GrowingArray(getattr(levels, name).dtype)
            col.extend(getattr(levels, name))
            self._cols.append(col)
        rows = np.flatnonzero(levels.taken < 0)
        self._resting = Resting(_keys(levels.bar[rows], levels.is_high[rows]), levels.is_high[rows],
                                np.where(levels.is_high[rows], 1.0, -1.0) * levels.level[rows])

    def extend(self, high: npt.ArrayLike, low: npt.ArrayLike, *, major: tuple[Ints, Ints],
               minor: tuple[Ints, Ints] = (_NONE, _NONE)) -> SwingLevels:
        """The levels after the series grew to ``high``, ``low``, with the ``major`` and
        ``minor`` ``(high bars, low bars)`` swings those bars confirmed."""
        high = np.asarray(high, np.float64)
        low = np.asarray(low, np.float64)
        old = self.levels
        n = len(high)
        changed: set[int] = set()  # columns written: each copied first, once (see detach)
        taken: dict[int, int] = {}
        for k, hk, lk in zip(range(old.n_bars, n), high[old.n_bars:].tolist(), low[old.n_bars:].tolist()):
            for key in self._resting.hit(hk, lk):
                taken[key] = k
        if taken:
            self._rewrite(_TAKEN, [self._find(k >> 1, not k & 1)[0] for k in taken], list(taken.values()),
                          changed)
        new_rows = []
        for ranking, (hi, lo) in ((MAJOR, major), (MINOR, minor)):
            for bars, up in ((hi, True), (lo, False)):
                if not len(bars):
                    continue  # most bars confirm no swing
                for b in np.asarray(bars, np.int64).tolist():
                    at, held = self._find(b, up)
                    if held:
                        if ranking == MAJOR and old.rank[at] == MINOR:
                            self._rewrite(_RANK, [at], [MAJOR], changed)
                        continue
                    key = 2 * b + (0 if up else 1)
                    if any(r[0] == key for r in new_rows):
                        continue
                    new_rows.append((key, b, up, ranking, at))
        if new_rows:
            self._add(new_rows, high, low, n)
            changed.update(range(len(_FIELDS)))
        self.levels = SwingLevels(*(read_only(col.view) if i in changed else getattr(old, name)
                                    for i, (name, col) in enumerate(zip(_FIELDS, self._cols))), n)
        return self.levels

    def _rewrite(self, i: int, rows: list[int], values: list, changed: set[int]) -> None:
        if i not in changed:
            self._cols[i].detach()
            changed.add(i)
        self._cols[i].view[rows] = values

    def _add(self, new_rows: list, high: np.ndarray, low: np.ndarray, n: int) -> None:
        new_rows.sort()
        bar = np.array([r[1] for r in new_rows], np.int64)
        is_high = np.array([r[2] for r in new_rows], bool)
        level = np.where(is_high, high[bar], low[bar])
        new_taken = np.array([_first_beyond(high if up else low, b, n, v, up)
                              for b, up, v in zip(bar.tolist(), is_high.tolist(), level.tolist())],
                             np.int64)
        new = (bar, is_high, level, np.array([r[3] for r in new_rows], np.int64), new_taken)
        at = [r[4] for r in new_rows]
        size = len(self._cols[0])
        for i, (col, part) in enumerate(zip(self._cols, new)):
            if at[0] == size:  # after every level: the usual new minor swing
                col.extend(part)
                continue
            # before some: a column made anew, leaving the one handed out as it was
            grown = GrowingArray(col.view.dtype)
            grown.reserve(2 * (size + len(part)))
            if at[0] == at[-1]:
                grown.extend(col.view[: at[0]])
                grown.extend(part)
                grown.extend(col.view[at[0]:])
            else:
                grown.extend(np.insert(col.view, at, part))
            self._cols[i] = grown
        resting = new_taken < 0
        sign = np.where(is_high, 1.0, -1.0)
        self._resting.add(_keys(bar[resting], is_high[resting]), is_high[resting],
                          sign[resting] * level[resting])

    def _find(self, bar: int, up: bool) -> tuple[int, bool]:
        """Where the level of swing ``bar`` (a high when ``up``) is or would go in the
        levels' order (a high before a low on one bar), and whether it is there."""
        lv = self.levels
        i = int(np.searchsorted(lv.bar, bar))
        if i < len(lv.bar) and lv.bar[i] == bar and not up and lv.is_high[i]:
            i += 1
        held = i < len(lv.bar) and lv.bar[i] == bar and bool(lv.is_high[i]) == up
        return i, held


_FIELDS = ("bar", "is_high", "level", "rank", "taken")
_RANK, _TAKEN = 3, 4


def _first_beyond(values: np.ndarray, bar: int, n: int, level: float, up: bool) -> int:
    """The first bar after ``bar`` (before ``n``) above ``level`` (``up``) or below it, -1
    if none: :func:`~smtdesk.core.structure.rangequery.first_above_scan`'s test, on the
    few bars after a new swing."""
    for k, v in enumerate(values[bar + 1 : n].tolist(), start=bar + 1):
        if (v > level) if up else (v < level):
            return k
    return -1


def _keys(bar: Ints, is_high: npt.NDArray[np.bool_]) -> Ints:
    """One key per (bar, side), in the levels' order: a high before a low on one bar."""
    return 2 * bar + ~is_high
