"""Fibonacci retracement and extension levels between two swing points."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

RETRACEMENTS = (0.0, 0.236, 0.382, 0.5, 0.618, 0.786, 1.0)
EXTENSIONS = (1.618, 2.618, 4.236)


@dataclass(frozen=True, slots=True)
class FibLevels:
    """Price levels of a move from ``start`` to ``end`` as ``(ratio, price)`` pairs.

    A retracement of r gives back r of the move: ``end - r * (end - start)`` (0 sits at
    ``end``, 1 at ``start``). An extension of e carries the move on to e times its length
    measured from ``start``: ``start + e * (end - start)`` (the farther targets).
    """

    start: float
    end: float
    retracements: tuple[tuple[float, float], ...]
    extensions: tuple[tuple[float, float], ...]


def _ratios(name: str, ratios: Sequence[float]) -> tuple[float, ...]:
    values = tuple(float(r) for r in ratios)
    if not all(math.isfinite(r) for r in values):
        raise ValueError(f"{name}: every ratio must be finite, got {ratios!r}")
    return values


def fib_levels(
    start: float,
    end: float,
    *,
    retracements: Sequence[float] = RETRACEMENTS,
    extensions: Sequence[float] = EXTENSIONS,
) -> FibLevels:
    """Retracement and extension levels between the swing prices ``start`` and ``end``."""
    for name, value in (("start", start), ("end", end)):
        if not math.isfinite(value):
            raise ValueError(f"{name}: must be a finite price, got {value!r}")
    move = end - start
    return FibLevels(
        float(start),
        float(end),
        tuple((r, end - r * move) for r in _ratios("retracements", retracements)),
        tuple((e, start + e * move) for e in _ratios("extensions", extensions)),
    )
