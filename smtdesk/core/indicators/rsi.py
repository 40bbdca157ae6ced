"""Relative Strength Index with Wilder smoothing."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.signal import lfilter


def rsi(close: npt.ArrayLike, period: int = 14) -> npt.NDArray[np.float64]:
    """RSI of ``close``; the first ``period`` values are NaN (TA-Lib's warm-up)."""
    if period < 1:
        raise ValueError(f"period: must be at least 1, got {period}")
    close = np.asarray(close, dtype=np.float64)
    out = np.full(len(close), np.nan)
    if len(close) <= period:
        return out
    delta = np.diff(close)
    gain = np.where(delta > 0, delta, 0.0)
    loss = np.where(delta < 0, -delta, 0.0)
    alpha = 1.0 / period
    # Wilder's average seeded with the simple mean of the first `period` changes.
    seed_g, seed_l = gain[:period].mean(), loss[:period].mean()
    avg_g = lfilter([alpha], [1.0, alpha - 1.0], gain[period:], zi=[seed_g * (1 - alpha)])[0]
    avg_l = lfilter([alpha], [1.0, alpha - 1.0], loss[period:], zi=[seed_l * (1 - alpha)])[0]
    avg_g = np.concatenate([[seed_g], avg_g])
    avg_l = np.concatenate([[seed_l], avg_l])
    total = avg_g + avg_l
    with np.errstate(invalid="ignore", divide="ignore"):
        out[period:] = np.where(total > 0, 100.0 * avg_g / total, 0.0)
    return out
