"""Commodity Channel Index: typical price against its mean and mean absolute deviation."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from smtdesk.core.indicators._common import (
    Array,
    Bar,
    as_series,
    blocks,
    check_period,
    frozen,
    same_length,
)
from smtdesk.core.indicators._state import IndicatorState, last_or_nan
from smtdesk.core.indicators._window import ValueRing

_CONSTANT = 0.015
_EPS = float(np.finfo(np.float64).eps)


def _finish(
    deviation: Array | float, mad: Array | float, mean: Array | float, period: int
) -> Array | float:
    """CCI from (typical - mean), the mean absolute deviation and the mean.

    A window whose deviation is only the rounding of its own mean is flat: 0, not the
    +-66.7 that dividing two rounding errors would give.
    """
    rounding = 4 * period * _EPS
    if isinstance(mad, float):
        flat = mad <= rounding * abs(mean)
        return 0.0 if flat or deviation == 0 else deviation / (_CONSTANT * mad)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = deviation / (_CONSTANT * mad)
    out[(mad <= rounding * np.abs(mean)) | (deviation == 0)] = 0.0
    return out


def _block(typical: Array, period: int) -> Array:
    """CCI for every full window of ``typical``, summing each window left to right."""
    m = len(typical) - period + 1
    total = typical[:m].copy()
    for k in range(1, period):
        total += typical[k : k + m]
    mean = total / period
    scratch = np.empty(m)
    mad = np.abs(np.subtract(typical[:m], mean, out=scratch))
    for k in range(1, period):
        np.subtract(typical[k : k + m], mean, out=scratch)
        mad += np.abs(scratch, out=scratch)
    mad /= period
    return _finish(typical[period - 1 :] - mean, mad, mean, period)


def _kernel(high: Array, low: Array, close: Array, period: int) -> tuple[Array, Array | None]:
    n = len(close)
    out = np.empty(n)
    out[: period - 1] = np.nan
    if n < period:
        return out, None
    for begin, end in blocks(period - 1, n):
        lookback = begin - period + 1
        typical = (high[lookback:end] + low[lookback:end] + close[lookback:end]) / 3
        out[begin:end] = _block(typical, period)
    tail = n - period + 1
    return out, (high[tail:] + low[tail:] + close[tail:]) / 3


def cci(
    high: npt.ArrayLike, low: npt.ArrayLike, close: npt.ArrayLike, period: int = 20
) -> Array:
    """CCI = (typical - mean) / (0.015 * mean absolute deviation) over ``period`` bars.

    Typical price is (high + low + close) / 3. The first ``period - 1`` values are NaN;
    a flat window gives 0 (as TA-Lib does when the deviation is exactly zero).
    """
    period = check_period("period", period)
    high, low, close = as_series("high", high), as_series("low", low), as_series("close", close)
    same_length(high=high, low=low, close=close)
    out, _ = _kernel(high, low, close, period)
    frozen(out)
    return out


class CCIState(IndicatorState):
    """Incremental :func:`cci`, O(period) per bar."""

    inputs = ("high", "low", "close")

    def _kernel(self, arrays: dict[str, Any]) -> tuple[Any, Any]:
        period = check_period("period", self._params.get("period", 20))
        high, low, close = (as_series(k, arrays[k]) for k in self.inputs)
        same_length(high=high, low=low, close=close)
        return _kernel(high, low, close, period)

    def _last(self, outputs: Array, n: int) -> float:
        return last_or_nan(outputs, n)

    def _load(self, warm: Array) -> None:
        self._period = int(self._params.get("period", 20))
        self._typical = ValueRing(warm, self._period - 1)

    def _step(self, bar: Bar, *, commit: bool) -> float:
        typical = (bar.high + bar.low + bar.close) / 3
        window = [*self._typical.values(), typical]
        total = window[0]
        for value in window[1:]:
            total += value
        mean = total / self._period
        mad = abs(window[0] - mean)
        for value in window[1:]:
            mad += abs(value - mean)
        mad /= self._period
        if commit:
            self._typical.push(typical)
        return float(_finish(typical - mean, mad, mean, self._period))
