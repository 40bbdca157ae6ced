"""The market structure of a growing series, kept up to date a candle at a time.

:func:`~smtdesk.core.structure.levels.market_structure` over the whole history costs tens
of milliseconds at 10^5 bars. Everything in it is causal: what bars ``[:n]`` decided stays
decided, and only what was still open (a gap not yet filled, a pool not yet taken, a
sweep not yet shifted) can change with a new bar. :class:`StructureTrack` keeps the last
answer in growing columns and looks at the new bars for the new items and the open ones:
equal pairs and shifts with the batch's own row builders, new gaps and the pools of new
major swings row by row with the batch's tests, so the two agree exactly.

Most candles change nothing, and cost only a few float comparisons: the open gaps and
untaken pools are kept sorted by level (:class:`~smtdesk.core.structure.rangequery.Resting`),
so a bar finds those it reaches by a binary search, and each waiting sweep keeps the two
prices a bar must pass to end its wait.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from smtdesk.core.arrays import ColumnTable, GrowingArray, read_only
from smtdesk.core.structure.rangequery import Resting
from smtdesk.core.structure.levels import (
    Ints,
    MarketStructure,
    Pools,
    find_by_scan,
    market_structure,
    pool_rows,
    shift_rows,
    swept,
)
from smtdesk.core.structure.swings import Swings, pivots_in


_NONE = np.empty(0, np.int64)
_NONE.flags.writeable = False


class StructureTrack:
    """Minor swings, gaps, pools and shifts of one growing series (domain §4)."""

    def __init__(self, *, major: int, minor: int, tolerance: float = 0.001) -> None:
        self.major, self.minor, self.tolerance = major, minor, tolerance
        self._n = 0
        self._structure: MarketStructure | None = None
        self._majors: tuple[Ints, Ints] | None = None
        self._suppressed: tuple[Ints, Ints] = (_NONE, _NONE)

    def update(self, open_, high, low, close, major_swings: tuple[Ints, Ints], *,
               suppressed: tuple[Ints, Ints] = (_NONE, _NONE)) -> MarketStructure:
        """The structure of the series as it is now. Bars before the last call must be
        unchanged; ``major_swings`` (high bars, low bars) may only have gained swings
        known since then, and the ``suppressed`` (deleted) swing bars must be the same,
        otherwise it is all computed again."""
        arrays = [np.asarray(v, np.float64) for v in (open_, high, low, close)]
        majors = tuple(np.asarray(m, np.int64) for m in major_swings)
        suppressed = tuple(np.asarray(m, np.int64) for m in suppressed)
        n, grown = self._n, len(arrays[3])
        same_deleted = all(_equal(a, b) for a, b in zip(suppressed, self._suppressed))
        if self._structure is not None and grown == n and same_deleted and self._same(majors):
            return self._structure
        memory = tuple(_memory(m) for m in majors)
        if (self._structure is None or grown < n or not same_deleted
                or not self._extends(majors, memory, n)):
            self._suppressed = suppressed
            self._restart(arrays, market_structure(*arrays, major_swings=majors, major=self.major,
                                                   minor=self.minor, tolerance=self.tolerance,
                                                   suppressed=suppressed))
        else:
            self._extend(*arrays, majors, n)
        self._n, self._majors, self._major_memory = grown, majors, memory
        return self._structure

    def _same(self, majors) -> bool:
        return all(_equal(a, b) for a, b in zip(majors, self._majors))

    def _extends(self, majors, memory, n: int) -> bool:
        """Whether ``majors`` are the earlier swings plus swings known from bar ``n`` on,
        and every earlier pool was known before it (a hand-placed swing near the end is
        "known" later: then the pools' order may change)."""
        if self._last_known >= n:
            return False
        for new, old, new_at, old_at in zip(majors, self._majors, memory, self._major_memory):
            if len(new) < len(old) or not _starts_with(new, old, new_at != old_at):
                return False
            if len(new) > len(old) and new[len(old)] + self.major < n:
                return False
        return True

    # -- the whole answer, and the state to extend it from -------------------------------------
    def _restart(self, arrays, structure: MarketStructure) -> None:
        self._structure = s = structure
        self._minor = []
        for bars in (s.minor.high_idx, s.minor.low_idx):
            col = GrowingArray(np.int64)
            col.extend(bars)
            self._minor.append(col)
        self._gaps, self._pools, self._shifts = (ColumnTable(t) for t in (s.gaps, s.pools, s.shifts))
        g, p = s.gaps, s.pools
        rows = np.flatnonzero(g.fill_bar < 0)
        self._open_gaps = Resting(rows, *_fill_levels(g.bullish[rows], g.top[rows], g.bottom[rows]))
        rows = np.flatnonzero(p.taken < 0)
        self._untaken = Resting(rows, p.is_high[rows], np.where(p.is_high[rows], 1.0, -1.0) * p.level[rows])
        self._last_known = int(s.pools.known.max()) if len(s.pools.known) else -1
        waiting = np.setdiff1d(np.flatnonzero(s.pools.swept & (s.pools.second < 0)), s.shifts.pool)
        self._waiting = waiting[self._not_beyond(arrays, s.pools, waiting)]
        self._mss: dict[int, tuple[bool, float, float | None]] = {}

    def _not_beyond(self, arrays, pools: Pools, rows: Ints) -> np.ndarray:
        """Which swept ``rows`` no later bar traded beyond the sweep bar's extreme."""
        _, high, low, _ = arrays
        last = len(high) - 1
        keep = np.ones(len(rows), bool)
        for is_high, ext, above in ((True, high, 1.0), (False, low, -1.0)):
            mine = pools.is_high[rows] == is_high
            t = pools.taken[rows[mine]]
            keep[mine] = find_by_scan(ext, above, t + 1, last, above * ext[t]) < 0
        return keep

    # -- a few bars more -----------------------------------------------------------------------
    def _extend(self, open_, high, low, close, majors, n: int) -> None:
        last = len(close) - 1
        hs, ls, cs = high[n:].tolist(), low[n:].tolist(), close[n:].tolist()
        counts = tuple(len(col) for col in self._minor)
        for col, values, sign, gone in zip(self._minor, (high, low), (1.0, -1.0), self._suppressed):
            found = pivots_in(values, strength=self.minor, start=n, sign=sign)
            if len(found) and len(gone):
                found = np.setdiff1d(found, gone)
            if len(found):
                col.extend(found)
        old = self._structure
        minor = old.minor
        if counts != tuple(len(col) for col in self._minor):
            minor = Swings(*(read_only(col.view) for col in self._minor), self.minor)
        minor_pair = (minor.high_idx, minor.low_idx)

        self._gaps_through(high, low, n, last, hs, ls)
        taken = self._take_pools(close, n, hs, ls)
        added = self._add_pools(high, low, close, majors, minor_pair, counts)
        changed = np.concatenate([taken, added]) if len(taken) or len(added) else _NONE
        self._shift((open_, high, low, close), n, changed, minor_pair, (hs, ls, cs))

        tables = (self._gaps.table, self._pools.table, self._shifts.table)
        if minor is not old.minor or any(a is not b for a, b in zip(tables, (old.gaps, old.pools, old.shifts))):
            self._structure = MarketStructure(minor, *tables)

    def _gaps_through(self, high, low, n: int, last: int, hs, ls) -> None:
        """Bar by bar: the open gaps each new bar fills, then the gap it completes."""
        first = max(n, 2)
        h, lo = high[first - 2:].tolist(), low[first - 2:].tolist()
        fills: dict[int, int] = {}
        for w, hw, lw in zip(range(n, last + 1), hs, ls):
            for row in self._open_gaps.hit(hw, lw):
                fills[row] = w
            if w < first:
                continue
            i = w - first
            # the batch's gap test (gap_rows): a bullish one before a bearish one on a bar
            for bullish, made, top, bottom in ((True, h[i] < lo[i + 2], lo[i + 2], h[i]),
                                               (False, lo[i] > h[i + 2], lo[i], h[i + 2])):
                if made:
                    self._open_gaps.add_one(len(self._gaps), not bullish,
                                            math.nextafter(-bottom, -math.inf) if bullish
                                            else math.nextafter(top, -math.inf))
                    self._gaps.append_row(bar=w, bullish=bullish, top=top, bottom=bottom, fill_bar=-1)
        if fills:
            self._gaps.rewrite("fill_bar", np.fromiter(fills, np.int64, len(fills)),
                               np.fromiter(fills.values(), np.int64, len(fills)))

    def _take_pools(self, close, n: int, hs, ls) -> Ints:
        """Rows of the pools the new bars took."""
        taken: dict[int, int] = {}
        for w, (hw, lw) in enumerate(zip(hs, ls), start=n):
            for row in self._untaken.hit(hw, lw):
                taken[row] = w
        if not taken:
            return _NONE
        rows = np.fromiter(taken, np.int64, len(taken))
        bars = np.fromiter(taken.values(), np.int64, len(taken))
        p = self._pools
        p.rewrite("taken", rows, bars)
        p.rewrite("swept", rows, swept(close, p.column("is_high")[rows], p.column("level")[rows], bars))
        return rows

    def _add_pools(self, high, low, close, majors, minor_pair, counts) -> Ints:
        """Rows of the new pools: major swings known from bar n on, and equal pairs ending
        in a new minor swing."""
        pairs = False
        for m, k, values in zip(minor_pair, counts, (high, low)):
            if len(m) > k and self._may_pair(m[max(k - 1, 0):], values):
                pairs = True
        if not pairs and len(majors[0]) == len(self._majors[0]) and len(majors[1]) == len(self._majors[1]):
            return _NONE
        new_majors = tuple(m[len(o):] for m, o in zip(majors, self._majors))
        if not pairs:
            return self._add_major_pools(high, low, close, new_majors)
        pairs_from = tuple(m[max(k - 1, 0):] for m, k in zip(minor_pair, counts))
        rows = pool_rows(high, low, close, new_majors, pairs_from, major=self.major, minor=self.minor,
                         tolerance=self.tolerance, find=find_by_scan)
        if not len(rows["known"]):
            return _NONE
        start = len(self._pools)
        self._pools.append(rows)
        self._last_known = max(self._last_known, int(rows["known"].max()))
        added = start + np.arange(len(rows["known"]), dtype=np.int64)
        resting = rows["taken"] < 0
        self._untaken.add(added[resting], rows["is_high"][resting],
                          np.where(rows["is_high"][resting], 1.0, -1.0) * rows["level"][resting])
        return added

    def _add_major_pools(self, high, low, close, new_majors) -> Ints:
        """The pools of new major swings alone (the usual new pool), row by row: what
        :func:`~smtdesk.core.structure.levels.pool_rows` makes of them, in its order (by
        the bar known, then the swing bar, a high before a low)."""
        rows = sorted((int(b) + self.major, int(b), side) for side, bars in enumerate(new_majors)
                      for b in bars.tolist())
        start = len(self._pools)
        for known, b, side in rows:
            up = side == 0
            values = high if up else low
            level = float(values[b])
            taken = -1
            for k, v in enumerate(values[b + 1:].tolist(), start=b + 1):
                if (v > level) if up else (v < level):  # strictly beyond, as the range query
                    taken = k
                    break
            swept = taken >= 0 and (close[taken] <= level if up else close[taken] >= level)
            self._pools.append_row(is_high=up, level=level, first=b, second=-1, known=known,
                                   taken=taken, swept=swept)
            if taken < 0:
                self._untaken.add_one(start, up, level if up else -level)
            self._last_known = max(self._last_known, known)
            start += 1
        return np.arange(start - len(rows), start, dtype=np.int64)

    def _may_pair(self, bars: Ints, values) -> bool:
        """Whether two consecutive ``bars`` are close enough to be equal swings (the
        batch's test, in the same float operations; the rest of it is the batch's)."""
        v = values[bars].tolist()
        tol = self.tolerance
        return any(abs(a - b) <= tol * max(abs(a), abs(b)) for a, b in itertools.pairwise(v))

    def _shift(self, arrays, n: int, changed: Ints, minor_pair, new_bars) -> None:
        """Shifts after the pools swept by the new bars and those still waiting."""
        open_, high, low, close = arrays
        last = len(close) - 1
        if not len(changed) and not len(self._waiting):
            return
        p = self._pools.table
        newly, due = _NONE, False
        if len(changed):
            newly = changed[p.swept[changed] & (p.second[changed] < 0) & (p.taken[changed] >= n)]
            due = bool((p.taken[newly] < last).any())
        if not due and not self._waiting_may_end(p, n, arrays, minor_pair, new_bars):
            if len(newly):  # swept by the last bar: nothing after it to look at yet
                self._waiting = np.union1d(self._waiting, newly)
            return
        found, self._waiting = shift_rows(open_, high, low, close, p, np.union1d(self._waiting, newly),
                                          n, minor_pair, minor=self.minor, find=find_by_scan)
        self._shifts.append(found)
        waiting = set(self._waiting.tolist())
        self._mss = {row: mss for row, mss in self._mss.items() if row in waiting}

    def _waiting_may_end(self, pools: Pools, n: int, arrays, minor_pair, new_bars) -> bool:
        """Whether a new bar can shift or trade beyond a waiting sweep. Once the minor
        swings before the sweep are all known, its shift level no longer moves (see
        :func:`~smtdesk.core.structure.shift.first_shift`): a bar ends the wait only by
        trading beyond the sweep bar's extreme or closing beyond that level."""
        _, high, low, _ = arrays
        hs, ls, cs = new_bars
        for row in self._waiting.tolist():
            mss = self._mss.get(row)
            if mss is None:
                t = int(pools.taken[row])
                if n < t - 1 + self.minor:
                    return True
                bearish = bool(pools.is_high[row])
                legs, level_price, ext = ((minor_pair[1], low, high) if bearish
                                          else (minor_pair[0], high, low))
                i = int(np.searchsorted(legs, t)) - 1
                level = float(level_price[legs[i]]) if i >= 0 else None
                mss = self._mss[row] = (bearish, float(ext[t]), level)
            bearish, extreme, level = mss
            if bearish:
                if any(v > extreme for v in hs) or (level is not None and any(v < level for v in cs)):
                    return True
            elif any(v < extreme for v in ls) or (level is not None and any(v > level for v in cs)):
                return True
        return False


def _fill_levels(bullish: np.ndarray, top: np.ndarray, bottom: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A gap's fill as a :class:`Resting` level: a touch of the far edge fills, and
    "at or beyond x" is "strictly beyond the float just short of x" (as in gap_fills)."""
    return ~bullish, np.where(bullish, np.nextafter(-bottom, -np.inf), np.nextafter(top, -np.inf))


def _memory(arr: np.ndarray) -> tuple:
    """Where ``arr``'s elements are: its first one's address and its strides."""
    return arr.__array_interface__["data"][0], arr.strides


def _starts_with(new: np.ndarray, old: np.ndarray, moved: bool) -> bool:
    """Whether ``new`` begins with ``old``. A longer view of the same memory (a growing
    column's: not ``moved``) does without comparing: a change made in that memory would
    show in the ``old`` kept here as well, so comparing could not see it either."""
    if len(old) and moved:
        return _equal(new[: len(old)], old)
    return True


def _equal(a: np.ndarray, b: np.ndarray) -> bool:
    return len(a) == len(b) and (not len(a) or bool((a == b).all()))
