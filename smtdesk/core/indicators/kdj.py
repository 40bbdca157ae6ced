"""KDJ stochastic oscillator with the seed-001 smoothing (K and D start at 50)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from smtdesk.core.indicators import _kernels
from smtdesk.core.indicators._common import (
    Array,
    Bar,
    as_array,
    check_period,
    frozen,
    recursive_step,
    require_finite,
    same_length,
)
from smtdesk.core.indicators._state import IndicatorState
from smtdesk.core.indicators._window import ValueRing

# K and D before the first bar (seed 001).
_START = 50.0


@dataclass(frozen=True, slots=True)
class KDJ:
    """K, D and J = 3K - 2D; NaN for the first ``period - 1`` bars.

    RSV = (close - lowest low) / (highest high - lowest low) * 100 over ``period`` bars,
    50 when the range is zero; K = RSV smoothed with weight 1/``k_period`` from 50, D
    = K smoothed with weight 1/``d_period`` from 50.
    """

    k: Array
    d: Array
    j: Array


class KDJValue(NamedTuple):
    k: float
    d: float
    j: float


def _rsv(close: float, lowest: float, span: float) -> float:
    return (close - lowest) / span * 100.0 if span != 0 else 50.0


def _kernel(
    high: Array, low: Array, close: Array, period: int, k_period: int, d_period: int
) -> tuple[KDJ, tuple | None]:
    n = len(close)
    out = np.empty((3, n))
    out[:, : period - 1] = np.nan
    k, d, j = out
    k_last, d_last, probe = _kernels.kdj_loop(
        high, low, close, period, k_period, d_period, _START, out
    )
    require_finite(probe, high=high, low=low, close=close)
    if n < period:
        return KDJ(k, d, j), None
    tail = n - period + 1
    return KDJ(k, d, j), (high[tail:], low[tail:], k_last, d_last)


def _periods(period: Any, k_period: Any, d_period: Any) -> tuple[int, int, int]:
    return (
        check_period("period", period),
        check_period("k_period", k_period),
        check_period("d_period", d_period),
    )


def kdj(
    high: npt.ArrayLike,
    low: npt.ArrayLike,
    close: npt.ArrayLike,
    *,
    period: int = 9,
    k_period: int = 3,
    d_period: int = 3,
) -> KDJ:
    """KDJ over ``period`` bars (see :class:`KDJ`)."""
    periods = _periods(period, k_period, d_period)
    high, low, close = as_array("high", high), as_array("low", low), as_array("close", close)
    same_length(high=high, low=low, close=close)
    result, _ = _kernel(high, low, close, *periods)
    frozen(result.k, result.d, result.j)
    return result


class KDJState(IndicatorState):
    """Incremental :func:`kdj`; ``value`` is a :class:`KDJValue`."""

    inputs = ("high", "low", "close")

    def _periods(self) -> tuple[int, int, int]:
        p = self._params
        return _periods(p.get("period", 9), p.get("k_period", 3), p.get("d_period", 3))

    def _kernel(self, arrays: dict[str, Any]) -> tuple[Any, Any]:
        high, low, close = (as_array(k, arrays[k]) for k in self.inputs)
        same_length(high=high, low=low, close=close)
        return _kernel(high, low, close, *self._periods())

    def _last(self, outputs: KDJ, n: int) -> KDJValue:
        if n == 0:
            return KDJValue(np.nan, np.nan, np.nan)
        return KDJValue(float(outputs.k[-1]), float(outputs.d[-1]), float(outputs.j[-1]))

    def _load(self, warm: tuple) -> None:
        period, k_period, d_period = self._periods()
        self._highs = ValueRing(warm[0], period - 1)
        self._lows = ValueRing(warm[1], period - 1)
        self._k, self._d = warm[2], warm[3]
        self._wk, self._wd = 1.0 / k_period, 1.0 / d_period

    def _step(self, bar: Bar) -> KDJValue:
        highest = max(bar.high, *self._highs.values()) if self._highs.values() else bar.high
        lowest = min(bar.low, *self._lows.values()) if self._lows.values() else bar.low
        rsv = _rsv(bar.close, lowest, highest - lowest)
        k = recursive_step(rsv, self._wk, self._k)
        d = recursive_step(k, self._wd, self._d)
        self._highs.push(bar.high)
        self._lows.push(bar.low)
        self._k, self._d = k, d
        return KDJValue(k, d, 3.0 * k - 2.0 * d)
