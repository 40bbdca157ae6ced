"""Relative Strength Index with Wilder smoothing."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from smtdesk.core.indicators._common import (
    Array,
    Bar,
    Recursion,
    as_series,
    blocks,
    check_period,
    frozen,
    recursive_step,
)
from smtdesk.core.indicators._state import IndicatorState, last_or_nan


def _ratio(gain: Array | float, loss: Array | float) -> Array | float:
    total = gain + loss
    if isinstance(total, float):
        return 100.0 * gain / total if total > 0 else 0.0
    # Where total is 0 so is gain, and 100 * gain is already the answer 0.
    out = np.multiply(gain, 100.0)
    np.divide(out, total, out=out, where=total > 0)
    return out


def _kernel(x: Array, period: int) -> tuple[Array, tuple[float, float, float] | None]:
    n = len(x)
    out = np.empty(n)
    out[:period] = np.nan
    if n <= period:
        return out, None
    delta = np.diff(x[: period + 1])
    weight = 1.0 / period
    # Wilder's average starts from the plain mean of the first `period` changes.
    gain = Recursion(weight, float(np.cumsum(np.maximum(delta, 0.0))[-1]) / period)
    loss = Recursion(weight, float(np.cumsum(np.maximum(-delta, 0.0))[-1]) / period)
    out[period] = _ratio(gain.last, loss.last)
    for begin, end in blocks(period + 1, n):
        delta = x[begin:end] - x[begin - 1 : end - 1]
        up = gain.run(np.maximum(delta, 0.0))
        np.negative(delta, out=delta)
        out[begin:end] = _ratio(up, loss.run(np.maximum(delta, 0.0, out=delta)))
    return out, (gain.last, loss.last, float(x[-1]))


def rsi(close: npt.ArrayLike, period: int = 14) -> Array:
    """RSI of ``close``; the first ``period`` values are NaN (TA-Lib's warm-up).

    With no movement at all over the averaging (average gain + loss = 0) the value is
    0, as in TA-Lib.
    """
    period = check_period("period", period)
    out, _ = _kernel(as_series("close", close), period)
    frozen(out)
    return out


class RSIState(IndicatorState):
    """Incremental :func:`rsi`."""

    inputs = ("close",)

    def _kernel(self, arrays: dict[str, Any]) -> tuple[Any, Any]:
        period = check_period("period", self._params.get("period", 14))
        return _kernel(as_series("close", arrays["close"]), period)

    def _last(self, outputs: Array, n: int) -> float:
        return last_or_nan(outputs, n)

    def _load(self, warm: tuple[float, float, float]) -> None:
        self._weight = 1.0 / int(self._params.get("period", 14))
        self._gain, self._loss, self._close = warm

    def _step(self, bar: Bar, *, commit: bool) -> float:
        delta = bar.close - self._close
        gain = recursive_step(delta if delta > 0 else 0.0, self._weight, self._gain)
        loss = recursive_step(-delta if delta < 0 else 0.0, self._weight, self._loss)
        if commit:
            self._gain, self._loss, self._close = gain, loss, bar.close
        return float(_ratio(gain, loss))
