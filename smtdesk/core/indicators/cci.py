"""Commodity Channel Index: typical price against its mean and mean absolute deviation."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from smtdesk.core.indicators import _kernels
from smtdesk.core.indicators._common import (
    Array,
    Bar,
    check_inputs,
    as_array,
    check_period,
    frozen,
    require_finite,
    same_length,
)
from smtdesk.core.indicators._state import IndicatorState, last_or_nan
from smtdesk.core.indicators._window import ValueRing

_CONSTANT = 0.015
_EPS = float(np.finfo(np.float64).eps)


def _finish(deviation: float, mad: float, mean: float, period: int) -> float:
    """CCI from (typical - mean), the mean absolute deviation and the mean.

    A window whose deviation is only the rounding of its own mean is flat: 0, not the
    +-66.7 that dividing two rounding errors would give.
    """
    flat = mad <= _rounding(period) * abs(mean)
    return 0.0 if flat or deviation == 0 else deviation / (_CONSTANT * mad)


def _rounding(period: int) -> float:
    return 4 * period * _EPS


def _kernel(high: Array, low: Array, close: Array, period: int) -> tuple[Array, Array | None]:
    n = len(close)
    out = np.empty(n)
    out[: period - 1] = np.nan
    if n < period:
        check_inputs(high=high, low=low, close=close)
        return out, None
    tail, probe = _kernels.cci_loop(
        high, low, close, period, _CONSTANT, _rounding(period), out, np.empty(n)
    )
    require_finite(probe, high=high, low=low, close=close)
    return out, tail


def cci(
    high: npt.ArrayLike, low: npt.ArrayLike, close: npt.ArrayLike, period: int = 20
) -> Array:
    """CCI = (typical - mean) / (0.015 * mean absolute deviation) over ``period`` bars.

    Typical price is (high + low + close) / 3. The first ``period - 1`` values are NaN;
    a flat window gives 0 (as TA-Lib does when the deviation is exactly zero).
    """
    period = check_period("period", period)
    high, low, close = as_array("high", high), as_array("low", low), as_array("close", close)
    same_length(high=high, low=low, close=close)
    out, _ = _kernel(high, low, close, period)
    frozen(out)
    return out


class CCIState(IndicatorState):
    """Incremental :func:`cci`, O(period) per bar."""

    inputs = ("high", "low", "close")

    def _kernel(self, arrays: dict[str, Any]) -> tuple[Any, Any]:
        period = check_period("period", self._params.get("period", 20))
        high, low, close = (as_array(k, arrays[k]) for k in self.inputs)
        same_length(high=high, low=low, close=close)
        return _kernel(high, low, close, period)

    def _last(self, outputs: Array, n: int) -> float:
        return last_or_nan(outputs, n)

    def _load(self, warm: Array) -> None:
        self._period = int(self._params.get("period", 20))
        self._typical = ValueRing(warm, self._period - 1)

    def _step(self, bar: Bar) -> float:
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
        self._typical.push(typical)
        return _finish(typical - mean, mad, mean, self._period)
