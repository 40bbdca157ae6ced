"""The market structure of a growing series, kept up to date a candle at a time.

:func:`~smtdesk.core.structure.levels.market_structure` over the whole history costs tens
of milliseconds at 10^5 bars. Everything in it is causal: what bars ``[:n]`` decided stays
decided, and only what was still open (a gap not yet filled, a pool not yet taken, a
sweep not yet shifted) can change with a new bar. :class:`StructureTrack` keeps the last
answer and looks at the new bars for the new items and the open ones, with the same
row builders the batch uses, so the two agree exactly.
"""

from __future__ import annotations

import numpy as np

from smtdesk.core.structure.levels import (
    POOL_COLUMNS,
    SHIFT_COLUMNS,
    Gaps,
    Ints,
    MarketStructure,
    Pools,
    Shifts,
    find_by_scan,
    gap_fills,
    gap_rows,
    market_structure,
    pool_rows,
    shift_rows,
    swept,
)
from smtdesk.core.structure.swings import Swings, pivots_in


_NONE = np.empty(0, np.int64)


class StructureTrack:
    """Minor swings, gaps, pools and shifts of one growing series (domain §4)."""

    def __init__(self, *, major: int, minor: int, tolerance: float = 0.001) -> None:
        self.major, self.minor, self.tolerance = major, minor, tolerance
        self._n = 0
        self._structure: MarketStructure | None = None
        self._majors: tuple[Ints, Ints] | None = None
        self._suppressed: tuple[Ints, Ints] = (_NONE, _NONE)
        self._waiting = np.empty(0, np.int64)  # swept pools neither shifted nor traded beyond

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
        same_deleted = all(np.array_equal(a, b) for a, b in zip(suppressed, self._suppressed))
        if self._structure is not None and grown == n and same_deleted and self._same(majors):
            return self._structure
        if self._structure is None or grown < n or not same_deleted or not self._extends(majors, n):
            self._suppressed = suppressed
            self._structure = market_structure(*arrays, major_swings=majors, major=self.major,
                                               minor=self.minor, tolerance=self.tolerance,
                                               suppressed=suppressed)
            pools, shifts = self._structure.pools, self._structure.shifts
            waiting = np.flatnonzero(pools.swept & (pools.second < 0))
            self._waiting = np.setdiff1d(waiting, shifts.pool)
            self._waiting = self._waiting[self._not_beyond(arrays, pools, self._waiting)]
        else:
            self._structure = self._extend(*arrays, majors, n)
        self._n, self._majors = grown, majors
        return self._structure

    def _same(self, majors) -> bool:
        return all(np.array_equal(a, b) for a, b in zip(majors, self._majors))

    def _extends(self, majors, n: int) -> bool:
        """Whether ``majors`` are the earlier swings plus swings known from bar ``n`` on,
        and every earlier pool was known before it (a hand-placed swing near the end is
        "known" later: then the pools' order may change)."""
        known = self._structure.pools.known
        if len(known) and known.max() >= n:
            return False
        for new, old in zip(majors, self._majors):
            if len(new) < len(old) or not np.array_equal(new[: len(old)], old):
                return False
            if len(new) > len(old) and new[len(old)] + self.major < n:
                return False
        return True

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

    def _extend(self, open_, high, low, close, majors, n: int) -> MarketStructure:
        old = self._structure
        last = len(close) - 1
        new_highs = np.setdiff1d(pivots_in(high, strength=self.minor, start=n), self._suppressed[0])
        new_lows = np.setdiff1d(pivots_in(low, strength=self.minor, start=n, sign=-1.0), self._suppressed[1])
        minor = Swings(np.concatenate([old.minor.high_idx, new_highs]),
                       np.concatenate([old.minor.low_idx, new_lows]), self.minor)
        minor_pair = (minor.high_idx, minor.low_idx)

        g = old.gaps
        fill = g.fill_bar.copy()
        open_gaps = np.flatnonzero(fill < 0)
        fill[open_gaps] = gap_fills(high, low, g.bullish[open_gaps], g.top[open_gaps],
                                    g.bottom[open_gaps], np.full(len(open_gaps), n), last, find_by_scan)
        bar, bullish, top, bottom = gap_rows(high, low, n)
        new_fill = gap_fills(high, low, bullish, top, bottom, bar + 1, last, find_by_scan)
        gaps = Gaps(**_joined(g, dict(bar=bar, bullish=bullish, top=top, bottom=bottom, fill_bar=new_fill),
                              fill_bar=fill))

        p = old.pools
        taken = p.taken.copy()
        untaken = np.flatnonzero(taken < 0)
        for is_high, values, s in ((True, high, 1.0), (False, low, -1.0)):
            mine = untaken[p.is_high[untaken] == is_high]
            taken[mine] = find_by_scan(values, s, np.full(len(mine), n), last, s * p.level[mine])
        # new pools: major swings known from bar n on, and equal pairs ending in a new minor swing
        new_majors = tuple(m[len(o):] for m, o in zip(majors, self._majors))
        pairs_from = tuple(mn[max(len(om) - 1, 0):] for mn, om in
                           zip(minor_pair, (old.minor.high_idx, old.minor.low_idx)))
        rows = pool_rows(high, low, close, new_majors, pairs_from, major=self.major, minor=self.minor,
                         tolerance=self.tolerance, find=find_by_scan)
        columns = {name: getattr(p, name) for name in POOL_COLUMNS}
        columns["taken"] = taken
        columns["swept"] = p.swept.copy()
        columns["swept"][untaken] = swept(close, p.is_high[untaken], p.level[untaken], taken[untaken])
        pools = Pools(**_frozen({k: np.concatenate([columns[k], rows[k]]) for k in POOL_COLUMNS}))

        newly_swept = np.flatnonzero(pools.swept & (pools.second < 0) & (pools.taken >= n))
        looked_at = np.union1d(self._waiting, newly_swept)
        found, self._waiting = shift_rows(open_, high, low, close, pools, looked_at, n, minor_pair,
                                          minor=self.minor, find=find_by_scan)
        s = old.shifts
        shifts = Shifts(**_frozen({k: np.concatenate([getattr(s, k), found[k]]) for k in SHIFT_COLUMNS}))
        return MarketStructure(minor, gaps, pools, shifts)


def _joined(old, new: dict, **replaced) -> dict:
    columns = {k: replaced.get(k, getattr(old, k)) for k in new}
    return _frozen({k: np.concatenate([columns[k], new[k]]) for k in new})


def _frozen(columns: dict) -> dict:
    for arr in columns.values():
        arr.flags.writeable = False
    return columns
