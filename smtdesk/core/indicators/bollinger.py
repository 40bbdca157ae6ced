"""Bollinger Bands (population sigma), bandwidth and the squeeze."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from smtdesk.core.indicators import _kernels
from smtdesk.core.indicators._common import (
    Array,
    Bar,
    check_inputs,
    as_array,
    check_period,
    check_positive,
    frozen,
    require_finite,
)
from smtdesk.core.indicators._state import IndicatorState
from smtdesk.core.indicators._window import ValueRing


@dataclass(frozen=True, slots=True)
class Bollinger:
    """Middle (SMA), upper and lower bands at ``stddev`` population standard deviations,
    bandwidth = (upper - lower) / middle, and ``squeeze``: the bandwidth is at its lowest
    of the last ``squeeze_period`` bars (False until that many bandwidths exist).

    Bands and bandwidth are NaN for the first ``period - 1`` bars; the bandwidth is also
    NaN where the middle band is 0.
    """

    middle: Array
    upper: Array
    lower: Array
    bandwidth: Array
    squeeze: npt.NDArray[np.bool_]


class BollingerValue(NamedTuple):
    middle: float
    upper: float
    lower: float
    bandwidth: float
    squeeze: bool


def _bands(
    total: float, square_total: float, period: int, origin: float, stddev: float
) -> tuple[float, float, float]:
    """Middle, upper and lower band from the window sums of (x - origin) and its square,
    with the operations of :func:`~smtdesk.core.indicators._kernels.bollinger_bands_loop`."""
    scale = 1.0 / period
    mean_offset = total * scale
    variance = square_total * scale - mean_offset * mean_offset
    width = stddev * (math.sqrt(variance) if variance > 0.0 else 0.0)
    middle = origin + mean_offset
    return middle, middle + width, middle - width


def _bandwidth(middle: float, upper: float, lower: float) -> float:
    return (upper - lower) / middle if middle != 0 else math.nan


def _params(period: Any, stddev: Any, squeeze_period: Any) -> tuple[int, float, int]:
    return (
        check_period("period", period),
        check_positive("stddev", stddev),
        check_period("squeeze_period", squeeze_period),
    )


def _band_rows(x: Array, period: int, stddev: float, rows: int) -> tuple[np.ndarray, Any]:
    """``rows`` x n array whose first three rows are the bands, NaN for the first
    ``period - 1`` bars, and the window state after the last bar (None if too short)."""
    bands = np.empty((rows, len(x)))
    if len(x) < period:
        check_inputs(close=x)
        bands[:] = np.nan
        return bands, None
    window, probe = _kernels.bollinger_bands_loop(x, period, stddev, bands)
    require_finite(probe, close=x)
    bands[:, : period - 1] = np.nan
    return bands, window


def _kernel(
    x: Array, period: int, stddev: float, squeeze_period: int
) -> tuple[Bollinger, Any]:
    n = len(x)
    bands, warm = _band_rows(x, period, stddev, 4)
    squeeze = np.zeros(n, dtype=np.bool_)
    result = Bollinger(*bands, squeeze)
    if warm is None:
        return result, None
    _kernels.bollinger_squeeze_loop(bands, period - 1, squeeze_period, squeeze)
    recent = bands[3, max(period - 1, n - squeeze_period + 1) :]
    return result, (warm, n % period, recent)


def bollinger(
    close: npt.ArrayLike,
    *,
    period: int = 20,
    stddev: float = 2.0,
    squeeze_period: int = 120,
) -> Bollinger:
    """Bollinger Bands of ``close`` (see :class:`Bollinger`)."""
    period, stddev, squeeze_period = _params(period, stddev, squeeze_period)
    result, _ = _kernel(as_array("close", close), period, stddev, squeeze_period)
    frozen(result.middle, result.upper, result.lower, result.bandwidth, result.squeeze)
    return result


class BollingerState(IndicatorState):
    """Incremental :func:`bollinger`; ``value`` is a :class:`BollingerValue`."""

    inputs = ("close",)

    def _settings(self) -> tuple[int, float, int]:
        p = self._params
        return _params(p.get("period", 20), p.get("stddev", 2.0), p.get("squeeze_period", 120))

    def _kernel(self, arrays: dict[str, Any]) -> tuple[Any, Any]:
        return _kernel(as_array("close", arrays["close"]), *self._settings())

    def _last(self, outputs: Bollinger, n: int) -> BollingerValue:
        if n == 0:
            return BollingerValue(np.nan, np.nan, np.nan, np.nan, False)
        return BollingerValue(
            *(float(a[-1]) for a in (outputs.middle, outputs.upper, outputs.lower)),
            float(outputs.bandwidth[-1]),
            bool(outputs.squeeze[-1]),
        )

    def _load(self, warm: tuple) -> None:
        self._period, self._stddev, squeeze_period = self._settings()
        window, self._slot, recent = warm
        origin, suffix, square_suffix, prefix, square_prefix, block = window
        self._origin, self._prefix, self._square_prefix = origin, prefix, square_prefix
        self._suffix, self._square_suffix = suffix.tolist(), square_suffix.tolist()
        self._block = block.tolist()
        self._bandwidths = ValueRing(recent, squeeze_period - 1)
        self._squeeze_period = squeeze_period

    def _step(self, bar: Bar) -> BollingerValue:
        # The operations of _kernels.bollinger_bands_loop for one bar.
        j, close = self._slot, bar.close
        if j < self._period - 1:
            origin = self._origin
            d = close - origin
            prefix = self._prefix + d
            square_prefix = self._square_prefix + d * d
            total = self._suffix[j + 1] + prefix
            square_total = self._square_suffix[j + 1] + square_prefix
        else:
            origin, prefix, square_prefix = close, 0.0, 0.0
            suffix, square_suffix = self._suffix.copy(), self._square_suffix.copy()
            total = square_total = 0.0
            for t, value in zip(range(j, -1, -1), [close, *reversed(self._block[:j])], strict=True):
                d = value - origin
                total += d
                square_total += d * d
                suffix[t], square_suffix[t] = total, square_total
        middle, upper, lower = _bands(total, square_total, self._period, origin, self._stddev)
        bandwidth = _bandwidth(middle, upper, lower)
        previous = self._bandwidths.values()
        squeeze = len(previous) == self._squeeze_period - 1 and all(
            bandwidth <= b for b in previous
        )
        self._block[j] = close
        self._origin, self._prefix, self._square_prefix = origin, prefix, square_prefix
        if j == self._period - 1:
            self._suffix, self._square_suffix = suffix, square_suffix
        self._slot = (j + 1) % self._period
        self._bandwidths.push(bandwidth)
        return BollingerValue(middle, upper, lower, bandwidth, squeeze)
