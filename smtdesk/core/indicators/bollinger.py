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
from smtdesk.core.indicators._window import PrefixRing, ValueRing


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
    mean_offset: float, mean_square: float, origin: float, stddev: float
) -> tuple[float, float, float, float]:
    """Middle, upper, lower and bandwidth from the window means of (x - origin) and its
    square.

    Sums are taken about the series' first value so the variance does not come from
    subtracting two numbers of the size of price squared.
    """
    variance = mean_square - mean_offset * mean_offset
    sigma = math.sqrt(variance) if variance > 0 else 0.0
    middle = origin + mean_offset
    width = stddev * sigma
    upper, lower = middle + width, middle - width
    bandwidth = (upper - lower) / middle if middle != 0 else math.nan
    return middle, upper, lower, bandwidth


def _params(period: Any, stddev: Any, squeeze_period: Any) -> tuple[int, float, int]:
    return (
        check_period("period", period),
        check_positive("stddev", stddev),
        check_period("squeeze_period", squeeze_period),
    )


def _kernel(
    x: Array, period: int, stddev: float, squeeze_period: int
) -> tuple[Bollinger, Any]:
    n = len(x)
    bands = np.empty((4, n))
    middle, upper, lower, bandwidth = bands
    squeeze = np.zeros(n, dtype=np.bool_)
    if n < period:
        check_inputs(close=x)
        bands[:] = np.nan
        return Bollinger(middle, upper, lower, bandwidth, squeeze), None
    sums, squares, probe = _kernels.bollinger_loop(
        x, period, stddev, squeeze_period, bands, squeeze
    )
    require_finite(probe, close=x)
    bands[:, : period - 1] = np.nan
    recent = bandwidth[max(period - 1, n - squeeze_period + 1) :]
    return Bollinger(middle, upper, lower, bandwidth, squeeze), (float(x[0]), sums, squares, recent)


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
        self._origin = warm[0]
        self._sums = PrefixRing(warm[1], self._period)
        self._squares = PrefixRing(warm[2], self._period)
        self._bandwidths = ValueRing(warm[3], squeeze_period - 1)
        self._squeeze_period = squeeze_period

    def _step(self, bar: Bar, *, commit: bool) -> BollingerValue:
        offset = bar.close - self._origin
        total, window = self._sums.next(offset)
        square_total, square_window = self._squares.next(offset * offset)
        middle, upper, lower, bandwidth = _bands(
            window / self._period, square_window / self._period, self._origin, self._stddev
        )
        previous = self._bandwidths.values()
        squeeze = len(previous) == self._squeeze_period - 1 and all(
            bandwidth <= b for b in previous
        )
        if commit:
            self._sums.push(total)
            self._squares.push(square_total)
            self._bandwidths.push(bandwidth)
        return BollingerValue(middle, upper, lower, bandwidth, squeeze)
