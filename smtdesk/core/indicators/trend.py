"""Average True Range and the directional movement system (+DI, -DI, ADX), Wilder style."""

from __future__ import annotations

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
    frozen,
    recursive_step,
    require_finite,
    same_length,
    wilder_sum_step,
)
from smtdesk.core.indicators._state import IndicatorState, last_or_nan


def _true_range_step(bar: Bar, previous_close: float) -> float:
    return max(bar.high - bar.low, abs(bar.high - previous_close), abs(bar.low - previous_close))


def _checked(high: Any, low: Any, close: Any) -> tuple[Array, Array, Array]:
    high, low, close = as_array("high", high), as_array("low", low), as_array("close", close)
    same_length(high=high, low=low, close=close)
    return high, low, close


def _inputs(arrays: dict[str, Any]) -> tuple[Array, Array, Array]:
    return _checked(arrays["high"], arrays["low"], arrays["close"])


def _atr_kernel(high: Array, low: Array, close: Array, period: int) -> tuple[Array, Any]:
    n = len(close)
    out = np.empty(n)
    if n <= period:
        out[:] = np.nan
        check_inputs(high=high, low=low, close=close)
        return out, None
    average, probe = _kernels.atr_loop(high, low, close, period, out)
    require_finite(probe, high=high, low=low, close=close)
    return out, (float(close[-1]), average)


def atr(
    high: npt.ArrayLike, low: npt.ArrayLike, close: npt.ArrayLike, period: int = 14
) -> Array:
    """Average True Range, Wilder smoothing; the first ``period`` values are NaN."""
    period = check_period("period", period)
    out, _ = _atr_kernel(*_checked(high, low, close), period)
    frozen(out)
    return out


class ATRState(IndicatorState):
    """Incremental :func:`atr`."""

    inputs = ("high", "low", "close")

    def _kernel(self, arrays: dict[str, Any]) -> tuple[Any, Any]:
        period = check_period("period", self._params.get("period", 14))
        return _atr_kernel(*_inputs(arrays), period)

    def _last(self, outputs: Array, n: int) -> float:
        return last_or_nan(outputs, n)

    def _load(self, warm: tuple[float, float]) -> None:
        self._weight = 1.0 / int(self._params.get("period", 14))
        self._keep = 1.0 - self._weight
        self._close, self._atr = warm

    def _step(self, bar: Bar) -> float:
        value = _kernels.wilder_fma_step(
            _true_range_step(bar, self._close), self._weight, self._keep, self._atr
        )
        self._close, self._atr = bar.close, value
        return value


@dataclass(frozen=True, slots=True)
class ADX:
    """ADX with +DI and -DI. The DIs are NaN for the first ``period`` bars, ADX for the
    first ``2 * period - 1`` (TA-Lib's warm-up). A DI is 0 while the smoothed true range
    is 0, and DX is 0 while both DIs are."""

    adx: Array
    plus_di: Array
    minus_di: Array


class ADXValue(NamedTuple):
    adx: float
    plus_di: float
    minus_di: float


def _di(movement: float, true_range: float) -> float:
    return 100.0 * (movement / true_range) if true_range != 0 else 0.0


def _dx(plus_di: float, minus_di: float) -> float:
    total = minus_di + plus_di
    return 100.0 * (abs(minus_di - plus_di) / total) if total != 0 else 0.0


def _adx_kernel(high: Array, low: Array, close: Array, period: int) -> tuple[ADX, Any]:
    n = len(close)
    adx, plus_di, minus_di = np.empty(n), np.empty(n), np.empty(n)
    adx[: 2 * period - 1] = np.nan
    plus_di[:period] = minus_di[:period] = np.nan
    if n <= period:
        check_inputs(high=high, low=low, close=close)
        return ADX(adx, plus_di, minus_di), None
    *sums, average, probe = _kernels.adx_loop(high, low, close, period, adx, plus_di, minus_di)
    require_finite(probe, high=high, low=low, close=close)
    if n < 2 * period:
        return ADX(adx, plus_di, minus_di), None
    warm = (float(high[-1]), float(low[-1]), float(close[-1]), *sums, average)
    return ADX(adx, plus_di, minus_di), warm


def adx(
    high: npt.ArrayLike, low: npt.ArrayLike, close: npt.ArrayLike, period: int = 14
) -> ADX:
    """Wilder's ADX, +DI and -DI over ``period`` bars (see :class:`ADX`); period >= 2."""
    period = check_period("period", period, minimum=2)
    result, _ = _adx_kernel(*_inputs({"high": high, "low": low, "close": close}), period)
    frozen(result.adx, result.plus_di, result.minus_di)
    return result


class ADXState(IndicatorState):
    """Incremental :func:`adx`; ``value`` is an :class:`ADXValue`."""

    inputs = ("high", "low", "close")

    def _kernel(self, arrays: dict[str, Any]) -> tuple[Any, Any]:
        period = check_period("period", self._params.get("period", 14), minimum=2)
        return _adx_kernel(*_inputs(arrays), period)

    def _last(self, outputs: ADX, n: int) -> ADXValue:
        if n == 0:
            return ADXValue(np.nan, np.nan, np.nan)
        return ADXValue(
            float(outputs.adx[-1]), float(outputs.plus_di[-1]), float(outputs.minus_di[-1])
        )

    def _load(self, warm: tuple[float, ...]) -> None:
        self._period = int(self._params.get("period", 14))
        self._state = warm

    def _step(self, bar: Bar) -> ADXValue:
        high, low, close, plus_sum, minus_sum, tr_sum, adx_prev = self._state
        period = self._period
        up, down = bar.high - high, low - bar.low
        plus = up if up > down and up > 0 else 0.0
        minus = down if down > up and down > 0 else 0.0
        plus_sum = wilder_sum_step(plus, period, plus_sum)
        minus_sum = wilder_sum_step(minus, period, minus_sum)
        tr_sum = wilder_sum_step(_true_range_step(bar, close), period, tr_sum)
        plus_di = _di(plus_sum, tr_sum)
        minus_di = _di(minus_sum, tr_sum)
        value = recursive_step(_dx(plus_di, minus_di), 1.0 / period, adx_prev)
        self._state = (bar.high, bar.low, bar.close, plus_sum, minus_sum, tr_sum, value)
        return ADXValue(value, plus_di, minus_di)
