"""Window sums for the incremental states, rounded exactly like the vectorised ones."""

from __future__ import annotations

from collections import deque

import numpy as np
import numpy.typing as npt


class PrefixRing:
    """The last ``period`` running totals of a series (``np.cumsum`` values).

    The sum of the window ending at a new value is ``total_new - total[t + 1 - period]``,
    the same additions and subtraction as
    :func:`~smtdesk.core.indicators._kernels.window_sums`.
    """

    __slots__ = ("_ring",)

    def __init__(self, prefix_tail: npt.NDArray[np.float64], period: int) -> None:
        self._ring: deque[float] = deque(prefix_tail.tolist(), maxlen=period)

    def next(self, x: float) -> tuple[float, float]:
        """(running total, window sum) after appending ``x``; nothing is stored."""
        total = self._ring[-1] + x
        return total, total - self._ring[0]

    def push(self, total: float) -> None:
        self._ring.append(total)


class ValueRing:
    """The last ``size`` raw values, for windows recomputed in O(period)."""

    __slots__ = ("_ring",)

    def __init__(self, tail: npt.NDArray[np.float64], size: int) -> None:
        self._ring: deque[float] = deque(tail.tolist(), maxlen=size)

    def values(self) -> deque[float]:
        return self._ring

    def push(self, x: float) -> None:
        self._ring.append(x)
