"""Relative Strength Index with Wilder smoothing."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from smtdesk.core.indicators._common import (
    Array,
    Bar,
    as_series,
    check_period,
    frozen,
    nan_array,
    recursive_mean,
    recursive_step,
)
from smtdesk.core.indicators._state import IndicatorState, last_or_nan


def _ratio(gain: Array | float, loss: Array | float) -> Array | float:
    total = gain + loss
    if isinstance(total, float):
        return 100.0 * gain / total if total > 0 else 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, 100.0 * gain / total, 0.0)


def _kernel(x: Array, period: int) -> tuple[Array, tuple[float, float, float] | None]:
    out = nan_array(len(x))
    if len(x) <= period:
        return out, None
    delta = np.diff(x)
    gain = np.where(delta > 0, delta, 0.0)
    loss = np.where(delta < 0, -delta, 0.0)
    weight = 1.0 / period
    # Wilder's average starts from the plain mean of the first `period` changes.
    seed_gain = float(np.cumsum(gain[:period])[-1]) / period
    seed_loss = float(np.cumsum(loss[:period])[-1]) / period
    avg_gain = np.concatenate([[seed_gain], recursive_mean(gain[period:], weight, seed_gain)])
    avg_loss = np.concatenate([[seed_loss], recursive_mean(loss[period:], weight, seed_loss)])
    out[period:] = _ratio(avg_gain, avg_loss)
    return out, (float(avg_gain[-1]), float(avg_loss[-1]), float(x[-1]))


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
