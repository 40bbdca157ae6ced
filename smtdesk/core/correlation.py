"""Pair quality: rolling Pearson correlation of log returns (domain §5, seed 000)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def correlation_at(
    close_a: npt.ArrayLike, close_b: npt.ArrayLike, bars: npt.ArrayLike, *, window: int = 200
) -> npt.NDArray[np.float64]:
    """Correlation of the ``window`` log returns ending at each of ``bars``.

    NaN where fewer than ``window`` returns exist or a side is flat. The same rows give
    the same floats whether asked for one bar or many, so a live update and a full scan
    agree exactly.
    """
    close_a = np.asarray(close_a, np.float64)
    close_b = np.asarray(close_b, np.float64)
    bars = np.asarray(bars, np.int64)
    out = np.full(len(bars), np.nan)
    ok = bars >= window
    if not ok.any():
        return out
    idx = bars[ok][:, None] + np.arange(-window, 1)
    ra = np.diff(np.log(close_a[idx]), axis=1)
    rb = np.diff(np.log(close_b[idx]), axis=1)
    ra -= ra.mean(axis=1, keepdims=True)
    rb -= rb.mean(axis=1, keepdims=True)
    den = np.sqrt((ra * ra).sum(axis=1) * (rb * rb).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        out[ok] = np.where(den > 0, (ra * rb).sum(axis=1) / den, np.nan)
    return out


def rolling_correlation(close_a: npt.ArrayLike, close_b: npt.ArrayLike, *, window: int = 200) -> npt.NDArray[np.float64]:
    """:func:`correlation_at` at every bar (for charting), computed in chunks."""
    n = len(np.asarray(close_a))
    out = np.full(n, np.nan)
    for lo in range(window, n, 4096):
        bars = np.arange(lo, min(n, lo + 4096))
        out[bars] = correlation_at(close_a, close_b, bars, window=window)
    out.flags.writeable = False
    return out
