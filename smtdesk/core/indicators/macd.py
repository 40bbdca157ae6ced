"""MACD: DIF = EMA(fast) - EMA(slow), DEA = EMA(signal) of DIF, histogram = DIF - DEA."""

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
)
from smtdesk.core.indicators._state import IndicatorState


@dataclass(frozen=True, slots=True)
class MACD:
    """DIF, DEA and histogram (DIF - DEA, not doubled); NaN for the first
    ``slow + signal - 2`` bars, like TA-Lib."""

    dif: Array
    dea: Array
    hist: Array


class MACDValue(NamedTuple):
    dif: float
    dea: float
    hist: float


def _check(fast: Any, slow: Any, signal: Any) -> tuple[int, int, int]:
    fast = check_period("fast", fast)
    slow = check_period("slow", slow)
    if fast >= slow:
        raise ValueError(f"fast: must be less than slow ({slow}), got {fast}")
    return fast, slow, check_period("signal", signal)


def _kernel(x: Array, fast: int, slow: int, signal: int) -> tuple[MACD, tuple | None]:
    n = len(x)
    dif, dea, hist = np.empty(n), np.empty(n), np.empty(n)
    first = slow + signal - 2
    for arr in (dif, dea, hist):
        arr[:first] = np.nan
    if n <= first:
        check_inputs(close=x)
        return MACD(dif, dea, hist), None
    # TA-Lib starts both EMAs on the slow one's first bar, each seeded with the mean of
    # its own period of closes ending there; DEA is seeded with the mean of `signal` DIFs.
    *warm, probe = _kernels.macd_loop(x, fast, slow, signal, dif, dea, hist)
    require_finite(probe, close=x)
    return MACD(dif, dea, hist), tuple(warm)


def macd(close: npt.ArrayLike, *, fast: int = 12, slow: int = 26, signal: int = 9) -> MACD:
    """MACD of ``close`` with TA-Lib's seeding (see :class:`MACD`)."""
    fast, slow, signal = _check(fast, slow, signal)
    result, _ = _kernel(as_array("close", close), fast, slow, signal)
    frozen(result.dif, result.dea, result.hist)
    return result


class MACDState(IndicatorState):
    """Incremental :func:`macd`; ``value`` is a :class:`MACDValue`."""

    inputs = ("close",)

    def _periods(self) -> tuple[int, int, int]:
        p = self._params
        return _check(p.get("fast", 12), p.get("slow", 26), p.get("signal", 9))

    def _kernel(self, arrays: dict[str, Any]) -> tuple[Any, Any]:
        return _kernel(as_array("close", arrays["close"]), *self._periods())

    def _last(self, outputs: MACD, n: int) -> MACDValue:
        if n == 0:
            return MACDValue(np.nan, np.nan, np.nan)
        return MACDValue(float(outputs.dif[-1]), float(outputs.dea[-1]), float(outputs.hist[-1]))

    def _load(self, warm: tuple[float, float, float]) -> None:
        fast, slow, signal = self._periods()
        self._weights = (2.0 / (fast + 1), 2.0 / (slow + 1), 2.0 / (signal + 1))
        self._fast, self._slow, self._dea = warm

    def _step(self, bar: Bar) -> MACDValue:
        w_fast, w_slow, w_signal = self._weights
        fast = recursive_step(bar.close, w_fast, self._fast)
        slow = recursive_step(bar.close, w_slow, self._slow)
        dif = fast - slow
        dea = recursive_step(dif, w_signal, self._dea)
        self._fast, self._slow, self._dea = fast, slow, dea
        return MACDValue(dif, dea, dif - dea)
