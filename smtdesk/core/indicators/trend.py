"""Average True Range and the directional movement system (+DI, -DI, ADX), Wilder style."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from smtdesk.core.indicators._common import (
    Array,
    Bar,
    Recursion,
    WilderSum,
    as_series,
    blocks,
    check_period,
    frozen,
    recursive_step,
    same_length,
    wilder_sum_step,
)
from smtdesk.core.indicators._state import IndicatorState, last_or_nan


def _true_range(high: Array, low: Array, previous_close: Array) -> Array:
    """True range of bars given their high, low and the close of the bar before."""
    out = high - low
    np.maximum(out, np.abs(high - previous_close), out=out)
    np.maximum(out, np.abs(low - previous_close), out=out)
    return out


def _true_range_step(bar: Bar, previous_close: float) -> float:
    return max(bar.high - bar.low, abs(bar.high - previous_close), abs(bar.low - previous_close))


def _inputs(arrays: dict[str, Any]) -> tuple[Array, Array, Array]:
    high, low, close = (as_series(k, arrays[k]) for k in ("high", "low", "close"))
    same_length(high=high, low=low, close=close)
    return high, low, close


def _atr_kernel(high: Array, low: Array, close: Array, period: int) -> tuple[Array, Any]:
    n = len(close)
    out = np.empty(n)
    out[:period] = np.nan
    if n <= period:
        return out, None
    head = _true_range(high[1 : period + 1], low[1 : period + 1], close[:period])
    average = Recursion(1.0 / period, float(np.cumsum(head)[-1]) / period)
    out[period] = average.last
    for begin, end in blocks(period + 1, n):
        tr = _true_range(high[begin:end], low[begin:end], close[begin - 1 : end - 1])
        out[begin:end] = average.run(tr)
    return out, (float(close[-1]), average.last)


def atr(
    high: npt.ArrayLike, low: npt.ArrayLike, close: npt.ArrayLike, period: int = 14
) -> Array:
    """Average True Range, Wilder smoothing; the first ``period`` values are NaN."""
    period = check_period("period", period)
    out, _ = _atr_kernel(*_inputs({"high": high, "low": low, "close": close}), period)
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
        self._close, self._atr = warm

    def _step(self, bar: Bar, *, commit: bool) -> float:
        value = recursive_step(_true_range_step(bar, self._close), self._weight, self._atr)
        if commit:
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


def _directional(high: Array, low: Array) -> tuple[Array, Array]:
    """+DM and -DM of bars 1.. of the given (bar 0 only supplies the previous bar)."""
    up = high[1:] - high[:-1]
    down = low[:-1] - low[1:]
    plus = np.where((up > down) & (up > 0), up, 0.0)
    minus = np.where((down > up) & (down > 0), down, 0.0)
    return plus, minus


def _di(movement: Array | float, true_range: Array | float) -> Array | float:
    if isinstance(true_range, float):
        return 100.0 * (movement / true_range) if true_range != 0 else 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(true_range != 0, 100.0 * (movement / true_range), 0.0)


def _dx(plus_di: Array | float, minus_di: Array | float) -> Array | float:
    total = minus_di + plus_di
    if isinstance(total, float):
        return 100.0 * (abs(minus_di - plus_di) / total) if total != 0 else 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total != 0, 100.0 * (np.abs(minus_di - plus_di) / total), 0.0)


def _adx_kernel(high: Array, low: Array, close: Array, period: int) -> tuple[ADX, Any]:
    n = len(close)
    adx, plus_di, minus_di = np.empty(n), np.empty(n), np.empty(n)
    adx[: 2 * period - 1] = np.nan
    plus_di[:period] = minus_di[:period] = np.nan
    if n <= period:
        return ADX(adx, plus_di, minus_di), None
    # Wilder's sums start from the plain sum of the first `period - 1` movements.
    plus, minus = _directional(high[:period], low[:period])
    tr = _true_range(high[1:period], low[1:period], close[: period - 1])
    sums = [WilderSum(period, float(np.cumsum(x)[-1])) for x in (plus, minus, tr)]

    def directional(begin: int, end: int) -> Array:
        """Write the DIs of bars [begin, end) and return their DX."""
        plus, minus = _directional(high[begin - 1 : end], low[begin - 1 : end])
        tr = _true_range(high[begin:end], low[begin:end], close[begin - 1 : end - 1])
        tr_sum = sums[2].run(tr)
        plus_di[begin:end] = bar_plus = _di(sums[0].run(plus), tr_sum)
        minus_di[begin:end] = bar_minus = _di(sums[1].run(minus), tr_sum)
        return _dx(bar_plus, bar_minus)

    head = directional(period, min(2 * period, n))
    if n < 2 * period:
        return ADX(adx, plus_di, minus_di), None
    average = Recursion(1.0 / period, float(np.cumsum(head)[-1]) / period)
    adx[2 * period - 1] = average.last
    for begin, end in blocks(2 * period, n):
        adx[begin:end] = average.run(directional(begin, end))
    warm = (float(high[-1]), float(low[-1]), float(close[-1]), *(s.last for s in sums))
    return ADX(adx, plus_di, minus_di), (*warm, average.last)


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

    def _step(self, bar: Bar, *, commit: bool) -> ADXValue:
        high, low, close, plus_sum, minus_sum, tr_sum, adx_prev = self._state
        period = self._period
        up, down = bar.high - high, low - bar.low
        plus = up if up > down and up > 0 else 0.0
        minus = down if down > up and down > 0 else 0.0
        plus_sum = wilder_sum_step(plus, period, plus_sum)
        minus_sum = wilder_sum_step(minus, period, minus_sum)
        tr_sum = wilder_sum_step(_true_range_step(bar, close), period, tr_sum)
        plus_di = float(_di(plus_sum, tr_sum))
        minus_di = float(_di(minus_sum, tr_sum))
        value = recursive_step(float(_dx(plus_di, minus_di)), 1.0 / period, adx_prev)
        if commit:
            self._state = (bar.high, bar.low, bar.close, plus_sum, minus_sum, tr_sum, value)
        return ADXValue(value, plus_di, minus_di)
