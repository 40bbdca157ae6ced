"""Volume indicators: On-Balance Volume and the Money Flow Index."""

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
from smtdesk.core.indicators._window import PrefixRing


def _obv_kernel(close: Array, volume: Array) -> tuple[Array, Any]:
    n = len(close)
    out = np.empty(n)
    if n == 0:
        return out, None
    last, probe = _kernels.obv_loop(close, volume, out)
    require_finite(probe, close=close, volume=volume)
    return out, (last, float(close[-1]))


def obv(close: npt.ArrayLike, volume: npt.ArrayLike) -> Array:
    """On-Balance Volume from 0 at the first bar: + volume on an up close, - on a down
    close, unchanged on an equal one. (TA-Lib starts at the first bar's volume, so its
    values differ from ours by that constant.)"""
    close, volume = as_array("close", close), as_array("volume", volume)
    same_length(close=close, volume=volume)
    out, _ = _obv_kernel(close, volume)
    frozen(out)
    return out


class OBVState(IndicatorState):
    """Incremental :func:`obv`."""

    inputs = ("close", "volume")

    def _kernel(self, arrays: dict[str, Any]) -> tuple[Any, Any]:
        close, volume = as_array("close", arrays["close"]), as_array("volume", arrays["volume"])
        same_length(close=close, volume=volume)
        return _obv_kernel(close, volume)

    def _last(self, outputs: Array, n: int) -> float:
        return last_or_nan(outputs, n)

    def _load(self, warm: tuple[float, float]) -> None:
        self._obv, self._close = warm

    def _step(self, bar: Bar) -> float:
        direction = 1.0 if bar.close > self._close else -1.0 if bar.close < self._close else 0.0
        value = self._obv + direction * bar.volume
        self._obv, self._close = value, bar.close
        return value


# Typical prices this close (relative) differ only by the rounding of (h + l + c) / 3,
# e.g. two candles whose h + l + c are equal in decimal: no money flow, as in TA-Lib.
_SAME_TYPICAL = 1e-14


def _direction(typical: float, previous: float) -> tuple[bool, bool]:
    """(rising, falling) of the typical price against the previous bar's."""
    delta = typical - previous
    tolerance = _SAME_TYPICAL * (abs(typical) + abs(previous))
    return delta > tolerance, delta < -tolerance


def _mfi_ratio(positive: float, negative: float) -> float:
    total = positive + negative
    return 100.0 * (positive / total) if total != 0 else 0.0


def _mfi_kernel(
    high: Array, low: Array, close: Array, volume: Array, period: int
) -> tuple[Array, Any]:
    n = len(close)
    out = np.empty(n)
    if n <= period:
        out[:] = np.nan
        check_inputs(high=high, low=low, close=close, volume=volume)
        return out, None
    typical, positive, negative, probe = _kernels.mfi_loop(
        high, low, close, volume, period, _SAME_TYPICAL, out
    )
    require_finite(probe, high=high, low=low, close=close, volume=volume)
    out[:period] = np.nan
    return out, (typical, positive, negative)


def mfi(
    high: npt.ArrayLike,
    low: npt.ArrayLike,
    close: npt.ArrayLike,
    volume: npt.ArrayLike,
    period: int = 14,
) -> Array:
    """Money Flow Index over ``period`` bars; the first ``period`` values are NaN.

    Money flow is typical price x volume, positive when the typical price rose, negative
    when it fell (typical prices within 1e-14 relative of each other count as unchanged).
    A window without any money flow (zero volume) gives 0, as TA-Lib does.
    """
    period = check_period("period", period)
    high, low, close = as_array("high", high), as_array("low", low), as_array("close", close)
    volume = as_array("volume", volume)
    same_length(high=high, low=low, close=close, volume=volume)
    out, _ = _mfi_kernel(high, low, close, volume, period)
    frozen(out)
    return out


class MFIState(IndicatorState):
    """Incremental :func:`mfi`."""

    inputs = ("high", "low", "close", "volume")

    def _kernel(self, arrays: dict[str, Any]) -> tuple[Any, Any]:
        period = check_period("period", self._params.get("period", 14))
        high, low, close = (as_array(k, arrays[k]) for k in ("high", "low", "close"))
        volume = as_array("volume", arrays["volume"])
        same_length(high=high, low=low, close=close, volume=volume)
        return _mfi_kernel(high, low, close, volume, period)

    def _last(self, outputs: Array, n: int) -> float:
        return last_or_nan(outputs, n)

    def _load(self, warm: tuple[float, Array, Array]) -> None:
        period = int(self._params.get("period", 14))
        self._typical = warm[0]
        self._positive = PrefixRing(warm[1], period)
        self._negative = PrefixRing(warm[2], period)

    def _step(self, bar: Bar) -> float:
        typical = (bar.high + bar.low + bar.close) / 3
        flow = typical * bar.volume
        rising, falling = _direction(typical, self._typical)
        positive = self._positive.next(flow if rising else 0.0)
        negative = self._negative.next(flow if falling else 0.0)
        self._typical = typical
        self._positive.push(positive[0])
        self._negative.push(negative[0])
        return _mfi_ratio(positive[1], negative[1])
