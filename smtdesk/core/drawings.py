"""The user's chart drawings as plain data, and the geometry they need.

A drawing is anchored at candle open times (epoch milliseconds) and prices, never at bar
indices, so it stays on its bars when the history grows or is loaded again. Fibonacci
levels follow domain §3; Elliott labels are placed by hand (no automatic count).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

HLINE, TREND, RECT, FIB_RETRACEMENT, FIB_EXTENSION, ELLIOTT = (
    "hline", "trend", "rect", "fib_retracement", "fib_extension", "elliott")

ELLIOTT_LABELS = ("1", "2", "3", "4", "5", "A", "B", "C")
"""An impulse then its correction, in the order the user clicks them."""

POINTS = {HLINE: (1, 1), TREND: (2, 2), RECT: (2, 2), FIB_RETRACEMENT: (2, 2), FIB_EXTENSION: (2, 2),
          ELLIOTT: (1, len(ELLIOTT_LABELS))}
"""(fewest, most) anchor points of each kind of drawing."""

RETRACEMENT_RATIOS = (0.0, 0.236, 0.382, 0.5, 0.618, 0.786, 1.0)
EXTENSION_RATIOS = (0.0, 1.0, 1.618, 2.618, 4.236)
"""Domain §3's extensions, with the move itself (0 and 100 %) they are measured on."""

Point = tuple[int, float]
"""(candle open time in ms, price)."""


@dataclass(frozen=True, slots=True)
class Drawing:
    """One drawing on one chart; ``id`` stays the same when it is moved."""

    id: str
    kind: str
    points: tuple[Point, ...]

    def is_valid(self) -> bool:
        """Whether this could have been drawn: a known kind, its number of points, real prices."""
        if self.kind not in POINTS or not isinstance(self.id, str) or not self.id:
            return False
        fewest, most = POINTS[self.kind]
        return fewest <= len(self.points) <= most and all(
            isinstance(t, int) and not isinstance(t, bool) and isinstance(p, float) and np.isfinite(p)
            for t, p in self.points)


def retracement_levels(start: float, end: float) -> npt.NDArray[np.float64]:
    """Price of each of ``RETRACEMENT_RATIOS`` for the move ``start`` → ``end``.

    0 % sits at the end of the move and 100 % back at its start: a 61.8 % retracement of
    a rise from 100 to 200 is at 138.2.
    """
    ratios = np.asarray(RETRACEMENT_RATIOS)
    return end - ratios * (end - start)


def extension_levels(start: float, end: float) -> npt.NDArray[np.float64]:
    """Price of each of ``EXTENSION_RATIOS`` for the move ``start`` → ``end``, projected
    past its end: 161.8 % of a rise from 100 to 200 is at 261.8."""
    ratios = np.asarray(EXTENSION_RATIOS)
    return start + ratios * (end - start)


def nearest_within(x: float, y: float, xs: npt.ArrayLike, ys: npt.ArrayLike, *,
                   x_per_px: float, y_per_px: float, radius_px: float) -> int | None:
    """Index of the point of (``xs``, ``ys``) nearest to (``x``, ``y``) on screen, when it
    is at most ``radius_px`` pixels away; None otherwise.

    ``x_per_px`` and ``y_per_px`` are the data units one pixel spans on each axis, so a
    point one bar away and one a few ticks away are compared as the eye sees them.
    """
    xs, ys = np.asarray(xs, np.float64), np.asarray(ys, np.float64)
    if not len(xs) or x_per_px <= 0 or y_per_px <= 0:
        return None
    distance = np.hypot((xs - x) / x_per_px, (ys - y) / y_per_px)
    i = int(np.argmin(distance))
    return i if distance[i] <= radius_px else None
