"""Moving averages (SMA, EMA) and the golden/death cross of two of them."""

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
    as_series,
    as_volume,
    check_bar,
    check_period,
    frozen,
    recursive_step,
    require_finite,
    same_length,
)
from smtdesk.core.indicators._state import IndicatorState, last_or_nan
from smtdesk.core.indicators._window import PrefixRing


def _sma_kernel(x: Array, period: int, name: str = "close") -> tuple[Array, Array | None]:
    n = len(x)
    out = np.empty(n)
    tail, probe = _kernels.window_sums(x, period, out, float(period))
    require_finite(probe, **{name: x})
    out[: period - 1] = np.nan
    return out, (tail if n >= period else None)


def _ema_kernel(x: Array, period: int) -> tuple[Array, float | None]:
    n = len(x)
    out = np.empty(n)
    out[: period - 1] = np.nan
    if n < period:
        check_inputs(close=x)
        return out, None
    last, probe = _kernels.ema_loop(x, period, out)
    require_finite(probe, close=x)
    return out, last


def sma(close: npt.ArrayLike, period: int = 20) -> Array:
    """Simple moving average; the first ``period - 1`` values are NaN (TA-Lib's warm-up).

    Raises ValueError naming the argument for a period < 1 or non-finite input; a
    series shorter than ``period`` gives all NaN.
    """
    period = check_period("period", period)
    out, _ = _sma_kernel(as_array("close", close), period)
    frozen(out)
    return out


def ema(close: npt.ArrayLike, period: int = 20) -> Array:
    """Exponential moving average, weight ``2 / (period + 1)``, seeded like TA-Lib.

    The value at bar ``period - 1`` is the simple mean of the first ``period`` closes;
    earlier values are NaN.
    """
    period = check_period("period", period)
    out, _ = _ema_kernel(as_array("close", close), period)
    frozen(out)
    return out


class SMAState(IndicatorState):
    """Incremental :func:`sma` of the close."""

    inputs = ("close",)

    def _kernel(self, arrays: dict[str, Any]) -> tuple[Any, Any]:
        period = check_period("period", self._params.get("period", 20))
        return _sma_kernel(as_array("close", arrays["close"]), period)

    def _last(self, outputs: Array, n: int) -> float:
        return last_or_nan(outputs, n)

    def _load(self, warm: Array) -> None:
        self._period = int(self._params.get("period", 20))
        self._ring = PrefixRing(warm, self._period)

    def _step(self, bar: Bar) -> float:
        total, window = self._ring.next(bar.close)
        self._ring.push(total)
        return window / self._period


class EMAState(IndicatorState):
    """Incremental :func:`ema` of the close."""

    inputs = ("close",)

    def _kernel(self, arrays: dict[str, Any]) -> tuple[Any, Any]:
        period = check_period("period", self._params.get("period", 20))
        return _ema_kernel(as_array("close", arrays["close"]), period)

    def _last(self, outputs: Array, n: int) -> float:
        return last_or_nan(outputs, n)

    def _load(self, warm: float) -> None:
        self._weight = 2.0 / (int(self._params.get("period", 20)) + 1)
        self._ema = warm

    def _step(self, bar: Bar) -> float:
        value = recursive_step(bar.close, self._weight, self._ema)
        self._ema = value
        return value


@dataclass(frozen=True, slots=True)
class MACross:
    """Golden/death crosses of a fast over a slow moving average.

    ``cross`` is +1 on the bar the fast MA closes above the slow one (golden), -1 on
    the bar it closes below (death), else 0; there is no cross on the first bar both
    MAs exist. ``volume_confirmed`` marks crosses on a bar whose volume is above its
    ``volume_period`` mean (that mean includes the bar).
    """

    fast: Array
    slow: Array
    cross: npt.NDArray[np.int8]
    volume_confirmed: npt.NDArray[np.bool_]


class CrossValue(NamedTuple):
    fast: float
    slow: float
    cross: int
    volume_confirmed: bool


def _check_cross_params(
    fast: Any, slow: Any, kind: Any, volume_period: Any
) -> tuple[int, int, int]:
    fast = check_period("fast", fast)
    slow = check_period("slow", slow)
    if fast >= slow:
        raise ValueError(f"fast: must be less than slow ({slow}), got {fast}")
    if kind not in ("sma", "ema"):
        raise ValueError(f"kind: must be 'sma' or 'ema', got {kind!r}")
    return fast, slow, check_period("volume_period", volume_period)


def ma_cross(
    close: npt.ArrayLike,
    volume: npt.ArrayLike,
    *,
    fast: int = 5,
    slow: int = 20,
    kind: str = "sma",
    volume_period: int = 20,
) -> MACross:
    """Golden and death crosses of the ``fast`` over the ``slow`` MA of ``kind`` ("sma"/"ema")."""
    fast, slow, volume_period = _check_cross_params(fast, slow, kind, volume_period)
    close = as_array("close", close)
    volume = as_array("volume", volume)
    n = same_length(close=close, volume=volume)
    fast_ma, slow_ma = np.empty(n), np.empty(n)
    # Both are written on every bar by the loops below.
    cross = np.empty(n, dtype=np.int8)
    confirmed = np.empty(n, dtype=np.bool_)
    if kind == "sma":
        probe = _kernels.ma_cross_loop(
            close, volume, fast, slow, volume_period, fast_ma, slow_ma, cross, confirmed
        )
        require_finite(probe, close=close, volume=volume)
    else:
        fast_ma, _ = _ema_kernel(close, fast)
        slow_ma, _ = _ema_kernel(close, slow)
        volume_mean, _ = _sma_kernel(volume, volume_period, "volume")
        if n and volume.min() < 0:
            raise ValueError("volume: contains negative values")
        _kernels.ma_crosses(fast_ma, slow_ma, volume, volume_mean, cross, confirmed)
    frozen(fast_ma, slow_ma, cross, confirmed)
    return MACross(fast_ma, slow_ma, cross, confirmed)


class MACrossState:
    """Incremental :func:`ma_cross`; ``value`` is a :class:`CrossValue`."""

    inputs = ("close", "volume")

    def __init__(
        self, *, fast: int = 5, slow: int = 20, kind: str = "sma", volume_period: int = 20
    ) -> None:
        fast, slow, volume_period = _check_cross_params(fast, slow, kind, volume_period)
        state = SMAState if kind == "sma" else EMAState
        self._fast = state(period=fast)
        self._slow = state(period=slow)
        self._volume_mean = SMAState(period=volume_period)
        self._above = self._below = self._valid = False
        self.value = CrossValue(np.nan, np.nan, 0, False)

    @classmethod
    def from_history(
        cls, *, close: npt.ArrayLike, volume: npt.ArrayLike, **params: Any
    ) -> MACrossState:
        state = cls(**params)
        close = as_series("close", close)
        volume = as_volume("volume", volume)
        same_length(close=close, volume=volume)
        kind = type(state._fast)
        state._fast = kind.from_history(close=close, period=state._fast._params["period"])
        state._slow = kind.from_history(close=close, period=state._slow._params["period"])
        state._volume_mean = SMAState.from_history(
            close=volume, period=state._volume_mean._params["period"]
        )
        if len(close):
            crosses = ma_cross(close, volume, **params)
            f, s = state._fast.value, state._slow.value
            state._above, state._below, state._valid = f > s, f < s, not np.isnan(s)
            state.value = CrossValue(
                f, s, int(crosses.cross[-1]), bool(crosses.volume_confirmed[-1])
            )
        return state

    def update(self, bar: Bar) -> CrossValue:
        check_bar(bar, self.inputs)
        return self.commit_checked(bar)

    def commit_checked(self, bar: Bar) -> CrossValue:
        volume_bar = Bar(bar.volume, bar.volume, bar.volume, bar.volume)
        f, s = self._fast.commit_checked(bar), self._slow.commit_checked(bar)
        self.value = self._judge(f, s, bar.volume, self._volume_mean.commit_checked(volume_bar))
        self._above, self._below, self._valid = f > s, f < s, not np.isnan(s)
        return self.value

    def _judge(
        self, f: float, s: float, volume: float, volume_mean: float
    ) -> CrossValue:
        cross = 0
        if self._valid and f > s and not self._above:
            cross = 1
        elif self._valid and f < s and not self._below:
            cross = -1
        return CrossValue(f, s, cross, cross != 0 and volume > volume_mean)
