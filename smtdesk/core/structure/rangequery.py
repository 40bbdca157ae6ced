"""'First bar in a range beyond a level' queries, batched over many ranges.

Every SMT rule is of the form "the first bar from here to there where price trades
strictly beyond a level". A full-history scan asks this for thousands of ranges at
once; a live update asks it for a handful of short ranges. Both give identical answers:
they compare the same float values (``sign * value > level``; NaN is never beyond
anything), only the search differs.
"""

from __future__ import annotations

import bisect
import math

import numba
import numpy as np
import numpy.typing as npt

_SMALL, _LARGE = 32, 1024  # block sizes of the two tables of maxima


@numba.njit(cache=True, nogil=True)
def _block_max(values, sign, size):
    n = len(values)
    out = np.empty((n + size - 1) // size)
    for b in range(len(out)):
        m = -np.inf
        for i in range(b * size, min(b * size + size, n)):
            x = sign * values[i]
            if x > m:  # NaN is never beyond anything, so it never raises a block's maximum
                m = x
        out[b] = m
    return out


@numba.njit(cache=True, nogil=True)
def seek_one(values, sign, small, large, lo, hi, level):
    """First i in [lo, hi] with ``sign * values[i] > level``, else -1.

    ``small`` and ``large`` are the block maxima of :class:`FirstAbove` (see
    :attr:`FirstAbove.tables`), or empty arrays to scan bar by bar (a short range).
    """
    i, end = max(lo, 0), min(hi, len(values) - 1)
    tables = len(small) > 0
    while i <= end:
        # A whole block at or below the level is passed over; blocks are entered only
        # at their first bar, so a range costs O(block sizes + length / 1024).
        if tables and i % _LARGE == 0 and large[i // _LARGE] <= level:
            i += _LARGE
        elif tables and i % _SMALL == 0 and small[i // _SMALL] <= level:
            i += _SMALL
        elif sign * values[i] > level:
            return i
        else:
            i += 1
    return -1


@numba.njit(cache=True, nogil=True)
def _first_above(values, sign, small, large, lo, hi, level):
    out = np.empty(len(lo), np.int64)
    for q in range(len(lo)):
        out[q] = seek_one(values, sign, small, large, lo[q], hi[q], level[q])
    return out


def _queries(lo, hi, level) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, ...]]:
    """The query arrays broadcast together and flattened, and their common shape."""
    arrays = (
        np.asarray(lo, dtype=np.int64),
        np.asarray(hi, dtype=np.int64),
        np.asarray(level, dtype=np.float64),
    )
    shape = arrays[0].shape
    if arrays[1].shape != shape or arrays[2].shape != shape:
        shape = np.broadcast_shapes(*(x.shape for x in arrays))
    # a live update asks a handful of queries, where numpy's general broadcasting
    # costs more than the scans: a scalar is spread with ``full``
    flat = (
        np.ascontiguousarray(x).ravel() if x.shape == shape
        else np.full(shape, x, x.dtype).ravel() if x.ndim == 0
        else np.broadcast_to(x, shape).copy().ravel()
        for x in arrays
    )
    return (*flat, shape)


class FirstAbove:
    """Batched ``first i in [lo, hi] with sign * values[i] > level`` over one fixed array.

    Tables of block maxima (blocks of 32 and 1024 bars) let a query pass over stretches
    that stay at or below its level, so each costs at most a few dozen steps plus one per
    1024 bars of its range, and building the tables is one pass over the array.
    """

    def __init__(self, values: npt.ArrayLike, *, sign: float = 1.0) -> None:
        self._values = np.ascontiguousarray(values, dtype=np.float64)
        self._sign = float(sign)
        self._small = _block_max(self._values, self._sign, _SMALL)
        self._large = _block_max(self._small, 1.0, _LARGE // _SMALL)
        # Read-only like NO_TABLE, so compiled callers see one array type with or without tables.
        self._small.flags.writeable = self._large.flags.writeable = False

    def __call__(
        self, lo: npt.ArrayLike, hi: npt.ArrayLike, level: npt.ArrayLike
    ) -> npt.NDArray[np.int64]:
        """First index in ``[lo, hi]`` (inclusive) with a value above ``level``, else -1."""
        lo, hi, level, shape = _queries(lo, hi, level)
        found = _first_above(self._values, self._sign, self._small, self._large, lo, hi, level)
        return found.reshape(shape)

    @property
    def tables(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """The block maxima, for compiled callers of :func:`seek_one`."""
        return self._small, self._large


def first_above_scan(
    values: npt.NDArray[np.float64],
    lo: npt.ArrayLike,
    hi: npt.ArrayLike,
    level: npt.ArrayLike,
    *,
    sign: float = 1.0,
) -> npt.NDArray[np.int64]:
    """Same answer as :class:`FirstAbove` by scanning each range, without tables.

    Meant for a few short ranges (a live update), where building tables would cost more.
    """
    lo, hi, level, shape = _queries(lo, hi, level)
    values = np.ascontiguousarray(values, dtype=np.float64)
    found = _first_above(values, float(sign), NO_TABLE, NO_TABLE, lo, hi, level)
    return found.reshape(shape)


class Resting:
    """Levels still waiting for their first bar beyond, tested a bar at a time (a live
    update's): row ``rows[i]`` waits for a bar whose high (``up[i]``) or negated low is
    strictly above ``level[i]``, as :func:`first_above_scan` tests it.

    Each side is kept sorted by level, so the rows a bar reaches are the lowest ones of a
    side, found by a binary search: a bar costs the same with ten levels or ten thousand.
    """

    def __init__(self, rows: npt.NDArray[np.int64], up: np.ndarray, level: np.ndarray) -> None:
        self._levels: tuple[list[float], list[float]] = ([], [])  # (up, down), ascending
        self._rows: tuple[list[int], list[int]] = ([], [])
        self.add(rows, up, level)

    def add(self, rows: npt.NDArray[np.int64], up: np.ndarray, level: np.ndarray) -> None:
        for row, is_up, lvl in zip(np.asarray(rows).tolist(), np.asarray(up).tolist(),
                                   np.asarray(level, np.float64).tolist()):
            self.add_one(row, is_up, lvl)

    def add_one(self, row: int, up: bool, level: float) -> None:
        if math.isnan(level):
            return  # never passed: it rests for good
        side = 0 if up else 1
        at = bisect.bisect_left(self._levels[side], level)
        self._levels[side].insert(at, level)
        self._rows[side].insert(at, row)

    def hit(self, high: float, low: float) -> list[int]:
        """The rows a bar with this high and low reaches, which rest no more."""
        out: list[int] = []
        for side, x in ((0, high), (1, -low)):
            if not math.isnan(x):  # a NaN reaches nothing
                k = bisect.bisect_left(self._levels[side], x)  # the levels strictly below x
                if k:
                    out += self._rows[side][:k]
                    del self._levels[side][:k], self._rows[side][:k]
        return out


# Block maxima of "no tables": :func:`seek_one` then scans bar by bar.
NO_TABLE = np.empty(0)
NO_TABLE.flags.writeable = False
