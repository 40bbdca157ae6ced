"""Level-of-detail pyramid over a time series and per-pixel-column aggregation.

Pure numpy, no Qt: the chart items draw what these functions return, and tests check
the aggregates against a brute-force reduction over the raw samples.

The pyramid buckets samples by *time*, not by index: the bucket key of a sample at
level ``k`` is ``floor(x / bar_seconds) >> k``. A bucket therefore never spans more than
``2**k`` bars of time, so a missing candle stays a hole at every zoom instead of being
pulled next to its neighbour.

Live updates write the raw samples only; the levels above are brought up to date when a
zoomed-out paint or a wide extreme reads them. Zoomed in, a chart taking a candle after
another never pays for the levels it does not draw.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

_MIN_CAPACITY = 16
_DIRECT_REDUCE = 4096
"""Below this many samples a plain reduce beats walking the pyramid."""


class _Level:
    """One pyramid level: bucket keys, first raw index per bucket, aggregated fields.

    Arrays are over-allocated so appending at the live edge is amortised O(1).
    """

    def __init__(self, key: np.ndarray, first: np.ndarray, fields: dict[str, np.ndarray]):
        self.size = len(key)
        cap = max(_MIN_CAPACITY, self.size)
        self._key = _with_capacity(key, cap)
        self._first = _with_capacity(first, cap)
        self._fields = {name: _with_capacity(v, cap) for name, v in fields.items()}

    @property
    def key(self) -> np.ndarray:
        return self._key[: self.size]

    @property
    def first(self) -> np.ndarray:
        return self._first[: self.size]

    def field(self, name: str) -> np.ndarray:
        return self._fields[name][: self.size]

    def write(self, at: int, key: np.ndarray, first: np.ndarray, fields: Mapping[str, np.ndarray]):
        """Replace everything from bucket ``at`` on with the given buckets."""
        end = at + len(key)
        if end > len(self._key):
            cap = max(end, 2 * len(self._key))
            self._key = _with_capacity(self._key[:at], cap)
            self._first = _with_capacity(self._first[:at], cap)
            self._fields = {n: _with_capacity(v[:at], cap) for n, v in self._fields.items()}
        self._key[at:end] = key
        self._first[at:end] = first
        for name, values in fields.items():
            self._fields[name][at:end] = values
        self.size = end


def _with_capacity(values: np.ndarray, capacity: int) -> np.ndarray:
    out = np.empty(capacity, dtype=values.dtype)
    out[: len(values)] = values
    return out


def _fold(ufunc: np.ufunc, acc: float | None, values: np.ndarray) -> float | None:
    """``acc`` reduced further by ``values`` (None: nothing reduced yet)."""
    if not len(values):
        return acc
    value = float(ufunc.reduce(values))
    return value if acc is None else float(ufunc(acc, value))


def _bucket(level: _Level, reducers: Mapping[str, np.ufunc], start: int):
    """Buckets of the next level built from ``level``'s entries ``start:``."""
    key = level.key[start:] >> 1
    if len(key) == 0:
        return key, key, {name: np.empty(0) for name in reducers}
    starts = np.flatnonzero(np.diff(key)) + 1
    starts = np.concatenate(([0], starts))
    fields = {name: ufunc.reduceat(level.field(name)[start:], starts) for name, ufunc in reducers.items()}
    return key[starts], level.first[start:][starts], fields


class Pyramid:
    """Aggregates of a time series at bucket widths of 1, 2, 4, ... bars.

    Parameters
    ----------
    x
        Sample positions in seconds, strictly increasing.
    fields
        Raw values per field name; the same length as ``x``.
    reducers
        Field name -> ufunc whose ``reduceat`` aggregates it; fields without a reducer
        are kept at level 0 only.
    bar_seconds
        Length of one bar; sets the bucket grid.
    """

    def __init__(
        self,
        x: npt.ArrayLike,
        fields: Mapping[str, npt.ArrayLike],
        *,
        reducers: Mapping[str, np.ufunc],
        bar_seconds: float,
    ):
        if bar_seconds <= 0:
            raise ValueError(f"bar_seconds: must be positive, got {bar_seconds}")
        self.bar_seconds = float(bar_seconds)
        self.reducers = dict(reducers)
        x = np.asarray(x, dtype=np.float64)
        raw = {name: np.asarray(v, dtype=np.float64) for name, v in fields.items()}
        for name, v in raw.items():
            if v.shape != x.shape:
                raise ValueError(f"{name}: expected {len(x)} values, got shape {v.shape}")
        self._x = _with_capacity(x, max(_MIN_CAPACITY, len(x)))
        self._raw_names = list(raw)
        self._levels = [_Level(self._keys(x), np.arange(len(x), dtype=np.int64), raw)]
        self._stale_from: int | None = 0  # raw samples from here on are not in the levels above
        # each reduced field over the samples [0, upto): all but the newest, which a live
        # candle replaces again and again
        self._head: tuple[int, dict[str, float | None]] = (0, dict.fromkeys(self.reducers))

    @property
    def levels(self) -> list[_Level]:
        """Level 0 (the raw samples) and the levels of wider buckets, up to date."""
        if self._stale_from is not None:
            self._grow_from(self._stale_from)
            self._stale_from = None
        return self._levels

    def _keys(self, x: np.ndarray) -> np.ndarray:
        return np.floor(x / self.bar_seconds).astype(np.int64)

    def _grow_from(self, start: int) -> None:
        """Bring the levels above 0 up to date after raw samples ``start:`` changed."""
        changed, k = start, 0
        while True:
            below = self._levels[k]
            if k + 1 == len(self._levels):
                if below.size <= 1:
                    break
                self._levels.append(_Level(*_bucket(below, self.reducers, 0)))
            else:
                above = self._levels[k + 1]
                parent = int(below.key[changed]) >> 1
                at = int(np.searchsorted(above.key, parent, side="left"))
                child = int(np.searchsorted(below.key, parent << 1, side="left"))
                above.write(at, *_bucket(below, self.reducers, child))
                changed = at
            k += 1
        # replacing the tail can shrink the series; drop levels that became redundant
        while len(self._levels) > 1 and self._levels[-2].size <= 1:
            self._levels.pop()

    def level(self, k: int) -> _Level:
        """Level ``k``; the levels above 0 are brought up to date only when one of them is
        asked for (a live candle at a zoom of under two bars a column reads level 0 alone)."""
        return self._levels[0] if k == 0 else self.levels[k]

    def level_for(self, column_seconds: float) -> int:
        """Widest level whose buckets are no wider than one column."""
        ratio = column_seconds / self.bar_seconds
        if ratio < 2:
            return 0
        return min(int(np.floor(np.log2(ratio))), len(self.levels) - 1)

    @property
    def size(self) -> int:
        return self._levels[0].size

    @property
    def x(self) -> np.ndarray:
        return self._x[: self.size]

    def raw(self, name: str) -> np.ndarray:
        return self._levels[0].field(name)

    def total(self, name: str) -> float:
        """Field ``name`` reduced over every sample (NaN when there is none)."""
        upto, head = self._head
        newest = max(self.size - 1, 0)
        if newest > upto:
            head = {n: _fold(f, head[n], self.raw(n)[upto:newest]) for n, f in self.reducers.items()}
            self._head = newest, head
        total = _fold(self.reducers[name], head[name], self.raw(name)[newest:])
        return np.nan if total is None else total

    def merge_tail(self, x: npt.ArrayLike, fields: Mapping[str, npt.ArrayLike]) -> int:
        """Replace samples at or after ``x[0]`` with the given ones (live updates).

        Returns the first raw index that changed. Cost is O(len(x) + log n) per level.
        """
        x = np.asarray(x, dtype=np.float64)
        if len(x) == 0:
            return self.size
        at = int(np.searchsorted(self.x, x[0], side="left"))
        end = at + len(x)
        if end > len(self._x):
            self._x = _with_capacity(self._x[:at], max(end, 2 * len(self._x)))
        self._x[at:end] = x
        raw = {name: np.asarray(fields[name], dtype=np.float64) for name in self._raw_names}
        self._levels[0].write(at, self._keys(x), np.arange(at, end, dtype=np.int64), raw)
        self._stale_from = at if self._stale_from is None else min(self._stale_from, at)
        if at < self._head[0]:
            self._head = (0, dict.fromkeys(self.reducers))
        return at

    def extreme(self, name: str, i: int, j: int) -> float:
        """Reduce field ``name`` over raw samples ``i:j`` with its reducer, exactly.

        Whole buckets of a level about ``sqrt(j - i)`` wide cover the middle; the two
        ragged ends come from the raw samples, so the cost is O(sqrt(j - i)).
        """
        ufunc = self.reducers[name]
        i, j = max(i, 0), min(j, self.size)
        if j <= i:
            return float("nan")
        raw = self.raw(name)
        if j - i <= _DIRECT_REDUCE:
            return float(ufunc.reduce(raw[i:j]))
        k = min(int(np.log2(j - i)) // 2, len(self.levels) - 1)
        level = self.level(k)
        b0 = int(np.searchsorted(level.first, i, side="left"))
        b1 = int(np.searchsorted(level.first, j, side="right")) - 1
        # bucket b1 may run past j; only buckets b0..b1-1 are known to lie inside
        if b1 <= b0:
            return float(ufunc.reduce(raw[i:j]))
        mid_start, mid_end = int(level.first[b0]), int(level.first[b1])
        parts = [level.field(name)[b0:b1], raw[i:mid_start], raw[mid_end:j]]
        return float(ufunc.reduce(np.concatenate(parts)))


@dataclass(frozen=True, slots=True)
class Columns:
    """Per-pixel-column aggregates of the samples in an x window.

    ``first[c]..last[c]`` (inclusive) are the raw samples column ``c`` covers; together the
    columns cover every sample of the window exactly once, in order. ``x`` is the column
    centre; ``fields`` holds each reduced field.
    """

    x: np.ndarray
    first: np.ndarray
    last: np.ndarray
    fields: dict[str, np.ndarray]
    column_seconds: float

    def __len__(self) -> int:
        return len(self.x)


def window_slice(pyramid: Pyramid, x0: float, x1: float, *, level: int = 0) -> tuple[int, int]:
    """Bucket range of ``level`` whose samples may fall in ``[x0, x1]``."""
    lv = pyramid.level(level)
    bar = pyramid.bar_seconds
    lo = int(np.searchsorted(lv.key, int(np.floor(x0 / bar)) >> level, side="left"))
    hi = int(np.searchsorted(lv.key, int(np.floor(x1 / bar)) >> level, side="right"))
    return lo, hi


def aggregate_columns(pyramid: Pyramid, x0: float, x1: float, column_seconds: float) -> Columns:
    """Aggregate the samples in ``[x0, x1]`` into columns ``column_seconds`` wide.

    Columns sit on a global grid (column ``c`` spans ``[c, c + 1) * column_seconds``) so they
    do not shimmer while panning. A sample belongs to the column holding the start of its
    level bucket, at most one column left of its own: the work is proportional to the
    number of columns, whatever the history's length, and every sample's value counts.
    """
    k = pyramid.level_for(column_seconds)
    level = pyramid.level(k)
    lo, hi = window_slice(pyramid, x0, x1, level=k)
    if hi <= lo:
        empty = np.empty(0)
        return Columns(empty, empty.astype(np.int64), empty.astype(np.int64),
                       {n: empty for n in pyramid.reducers}, column_seconds)
    first = level.first[lo:hi]
    col = np.floor(pyramid.x[first] / column_seconds)
    starts = np.concatenate(([0], np.flatnonzero(np.diff(col)) + 1))
    col_first = first[starts]
    after = int(level.first[hi]) if hi < level.size else pyramid.size
    col_last = np.append(col_first[1:], after) - 1
    fields = {
        name: ufunc.reduceat(level.field(name)[lo:hi], starts)
        for name, ufunc in pyramid.reducers.items()
    }
    return Columns((col[starts] + 0.5) * column_seconds, col_first, col_last, fields, column_seconds)
