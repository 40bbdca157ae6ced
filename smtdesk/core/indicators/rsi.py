"""Relative Strength Index with Wilder smoothing."""

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
    recursive_step,
    require_finite,
)
from smtdesk.core.indicators._state import IndicatorState, last_or_nan


def _ratio(gain: float, loss: float) -> float:
    total = gain + loss
    return 100.0 * gain / total if total > 0 else 0.0


def _kernel(x: Array, period: int) -> tuple[Array, tuple[float, float, float] | None]:
    n = len(x)
    out = np.empty(n)
    out[:period] = np.nan
    if n <= period:
        check_inputs(close=x)
        return out, None
    gain, loss, probe = _kernels.rsi_loop(x, period, out)
    require_finite(probe, close=x)
    return out, (gain, loss, float(x[-1]))


def rsi(close: npt.ArrayLike, period: int = 14) -> Array:
    """RSI of ``close``; the first ``period`` values are NaN (TA-Lib's warm-up).

    With no movement at all over the averaging (average gain + loss = 0) the value is
    0, as in TA-Lib.
    """
    period = check_period("period", period)
    out, _ = _kernel(as_array("close", close), period)
    frozen(out)
    return out


class RSIState(IndicatorState):
    """Incremental :func:`rsi`."""

    inputs = ("close",)

    def _kernel(self, arrays: dict[str, Any]) -> tuple[Any, Any]:
        period = check_period("period", self._params.get("period", 14))
        return _kernel(as_array("close", arrays["close"]), period)

    def _last(self, outputs: Array, n: int) -> float:
        return last_or_nan(outputs, n)

    def _load(self, warm: tuple[float, float, float]) -> None:
        self._weight = 1.0 / int(self._params.get("period", 14))
        self._gain, self._loss, self._close = warm

    def _step(self, bar: Bar) -> float:
        delta = bar.close - self._close
        gain = recursive_step(delta if delta > 0 else 0.0, self._weight, self._gain)
        loss = recursive_step(-delta if delta < 0 else 0.0, self._weight, self._loss)
        self._gain, self._loss, self._close = gain, loss, bar.close
        return _ratio(gain, loss)
