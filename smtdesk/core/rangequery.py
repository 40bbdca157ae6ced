"""'First bar in a range beyond a level' queries, batched over many ranges.

Every SMT rule is of the form "the first bar from here to there where price trades
strictly beyond a level". A full-history scan asks this for thousands of ranges at
once; a live update asks it for a handful of short ranges. Both give identical answers:
they compare the same float values, only the search differs.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


class FirstAbove:
    """Batched ``first i in [lo, hi] with values[i] > level`` over one fixed array.

    A sparse table of range maxima (log2 N levels) lets each query skip blocks whose
    maximum is not above the level, so a batch of Q queries costs O(Q log N) in numpy.
    """

    def __init__(self, values: npt.ArrayLike) -> None:
        self._values = np.asarray(values, dtype=np.float64)
        levels = [self._values]
        step = 1
        while 2 * step <= len(self._values):
            prev = levels[-1]
            levels.append(np.maximum(prev[:-step], prev[step:]))
            step *= 2
        self._levels = levels

    def __call__(self, lo: npt.ArrayLike, hi: npt.ArrayLike, level: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """First index in ``[lo, hi]`` (inclusive) whose value is strictly above ``level``; -1 if none."""
        lo = np.asarray(lo, dtype=np.int64)
        hi = np.minimum(np.asarray(hi, dtype=np.int64), len(self._values) - 1)
        level = np.asarray(level, dtype=np.float64)
        lo, hi, level = np.broadcast_arrays(lo, hi, level)
        pos = lo.copy()
        live = lo <= hi
        for k in range(len(self._levels) - 1, -1, -1):
            step = 1 << k
            table = self._levels[k]
            can = live & (pos + step - 1 <= hi)
            idx = np.where(can, pos, 0)
            skip = can & (table[idx] <= level)
            pos = np.where(skip, pos + step, pos)
        found = live & (pos <= hi)
        found &= self._values[np.where(found, pos, 0)] > level
        return np.where(found, pos, -1)


def first_above_scan(
    values: npt.NDArray[np.float64], lo: npt.ArrayLike, hi: npt.ArrayLike, level: npt.ArrayLike, *, sign: float = 1.0
) -> npt.NDArray[np.int64]:
    """Same answer as :class:`FirstAbove` on ``sign * values``, by scanning each range.

    Meant for a few short ranges (a live update), where building a table would cost more.
    """
    lo, hi, level = np.broadcast_arrays(
        np.asarray(lo, dtype=np.int64), np.asarray(hi, dtype=np.int64), np.asarray(level, dtype=np.float64)
    )
    out = np.full(lo.shape, -1, np.int64)
    last = len(values) - 1
    for q in range(lo.size):
        a, b = int(lo.flat[q]), min(int(hi.flat[q]), last)
        if a > b:
            continue
        hits = np.flatnonzero(sign * values[a : b + 1] > level.flat[q])
        if len(hits):
            out.flat[q] = a + hits[0]
    return out
