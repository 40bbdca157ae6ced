"""Swing highs and lows of strength n (domain §4)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view


@dataclass(frozen=True, slots=True)
class Swings:
    """Confirmed swing points as ascending indices into the input arrays.

    A swing at bar ``i`` is known when bar ``i + strength`` closes.
    """

    high_idx: npt.NDArray[np.int64]
    low_idx: npt.NDArray[np.int64]
    strength: int

    def known_at(self, idx: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """Bar index at which each swing in ``idx`` became known."""
        return idx + self.strength


def _pivots(values: np.ndarray, strength: int, sign: float) -> npt.NDArray[np.int64]:
    # sign=+1 finds highs; lows are highs of the negated series.
    n = strength
    if len(values) < 2 * n + 1:
        return np.empty(0, np.int64)
    win = sliding_window_view(sign * values, 2 * n + 1)
    centre = win[:, n]
    before = win[:, :n].max(axis=1) if n else np.full(len(win), -np.inf)
    after = win[:, n + 1 :].max(axis=1) if n else np.full(len(win), -np.inf)
    # Strictly above the bars before, not below the bars after: of two equal highs
    # only the first is the swing, so a double top is one liquidity level.
    is_pivot = (centre > before) & (centre >= after)
    idx = np.flatnonzero(is_pivot).astype(np.int64) + n
    idx.flags.writeable = False
    return idx


def find_swings(high: npt.ArrayLike, low: npt.ArrayLike, *, strength: int = 5) -> Swings:
    """Swing highs and lows of ``strength`` bars each side.

    Bar ``i`` is a swing high when ``high[i]`` is greater than each of the ``strength``
    highs before it and not less than any of the ``strength`` highs after it; lows
    mirrored. Bars without ``strength`` bars on both sides are never swings, so the
    result for bars ``[:k]`` is exactly the swings of the full series known by bar k.
    """
    if strength < 1:
        raise ValueError(f"strength: must be at least 1, got {strength}")
    high = np.asarray(high, dtype=np.float64)
    low = np.asarray(low, dtype=np.float64)
    return Swings(_pivots(high, strength, 1.0), _pivots(low, strength, -1.0), strength)
