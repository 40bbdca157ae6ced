"""Every indicator of domain §3 at once: over a history, and one candle at a time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from smtdesk.core.candles import Candles
from smtdesk.core.indicators._common import Bar, as_series, as_volume, check_bar, same_length
from smtdesk.core.indicators.bollinger import BollingerState, bollinger
from smtdesk.core.indicators.cci import CCIState, cci
from smtdesk.core.indicators.kdj import KDJState, kdj
from smtdesk.core.indicators.macd import MACDState, macd
from smtdesk.core.indicators.moving import EMAState, MACrossState, SMAState, ema, ma_cross, sma
from smtdesk.core.indicators.rsi import RSIState, rsi
from smtdesk.core.indicators.trend import ADXState, ATRState, adx, atr
from smtdesk.core.indicators.volume import MFIState, OBVState, mfi, obv


@dataclass(frozen=True, slots=True)
class IndicatorConfig:
    """Periods and levels of every indicator (domain §3 defaults)."""

    sma_periods: tuple[int, ...] = (5, 10, 20, 50, 200)
    ema_periods: tuple[int, ...] = (20,)
    cross_fast: int = 5
    cross_slow: int = 20
    cross_kind: str = "sma"
    cross_volume_period: int = 20
    macd_fast: int = 12
    macd_slow: int = 26
    macd_signal: int = 9
    rsi_period: int = 14
    kdj_period: int = 9
    kdj_k_period: int = 3
    kdj_d_period: int = 3
    cci_period: int = 20
    adx_period: int = 14
    atr_period: int = 14
    mfi_period: int = 14
    bb_period: int = 20
    bb_stddev: float = 2.0
    bb_squeeze_period: int = 120


def _plan(config: IndicatorConfig) -> dict[str, tuple[Any, Any, dict[str, Any]]]:
    """name -> (vectorised function, state class, keyword parameters)."""
    plan: dict[str, tuple[Any, Any, dict[str, Any]]] = {}
    for p in config.sma_periods:
        plan[f"sma{p}"] = (sma, SMAState, {"period": p})
    for p in config.ema_periods:
        plan[f"ema{p}"] = (ema, EMAState, {"period": p})
    plan["ma_cross"] = (
        ma_cross,
        MACrossState,
        {
            "fast": config.cross_fast,
            "slow": config.cross_slow,
            "kind": config.cross_kind,
            "volume_period": config.cross_volume_period,
        },
    )
    plan["macd"] = (
        macd,
        MACDState,
        {"fast": config.macd_fast, "slow": config.macd_slow, "signal": config.macd_signal},
    )
    plan["rsi"] = (rsi, RSIState, {"period": config.rsi_period})
    plan["kdj"] = (
        kdj,
        KDJState,
        {
            "period": config.kdj_period,
            "k_period": config.kdj_k_period,
            "d_period": config.kdj_d_period,
        },
    )
    plan["cci"] = (cci, CCIState, {"period": config.cci_period})
    plan["adx"] = (adx, ADXState, {"period": config.adx_period})
    plan["atr"] = (atr, ATRState, {"period": config.atr_period})
    plan["obv"] = (obv, OBVState, {})
    plan["mfi"] = (mfi, MFIState, {"period": config.mfi_period})
    plan["bollinger"] = (
        bollinger,
        BollingerState,
        {
            "period": config.bb_period,
            "stddev": config.bb_stddev,
            "squeeze_period": config.bb_squeeze_period,
        },
    )
    return plan


def _columns(
    high: npt.ArrayLike, low: npt.ArrayLike, close: npt.ArrayLike, volume: npt.ArrayLike
) -> dict[str, npt.NDArray[np.float64]]:
    columns = {
        "high": as_series("high", high),
        "low": as_series("low", low),
        "close": as_series("close", close),
        "volume": as_volume("volume", volume),
    }
    same_length(**columns)
    return columns


def compute_indicators(
    high: npt.ArrayLike,
    low: npt.ArrayLike,
    close: npt.ArrayLike,
    volume: npt.ArrayLike,
    *,
    config: IndicatorConfig = IndicatorConfig(),
) -> dict[str, Any]:
    """Every indicator over the whole history, keyed like :class:`IndicatorSet`."""
    columns = _columns(high, low, close, volume)
    out = {}
    for name, (function, state, params) in _plan(config).items():
        args = [columns[k] for k in state.inputs]
        out[name] = function(*args, **params)
    return out


class IndicatorSet:
    """One incremental state per indicator, all advanced by one candle at a time.

    ``update`` commits a closed candle and returns every indicator's values at it.
    Values equal the vectorised functions' last elements bit for bit.
    """

    def __init__(self, states: dict[str, Any]) -> None:
        self._states = states

    @classmethod
    def from_history(
        cls,
        high: npt.ArrayLike,
        low: npt.ArrayLike,
        close: npt.ArrayLike,
        volume: npt.ArrayLike,
        *,
        config: IndicatorConfig = IndicatorConfig(),
    ) -> IndicatorSet:
        """The set after the last bar of the given history (which may be empty)."""
        columns = _columns(high, low, close, volume)
        states = {}
        for name, (_, state, params) in _plan(config).items():
            arrays = {k: columns[k] for k in state.inputs}
            states[name] = state.from_history(**arrays, **params)
        return cls(states)

    @classmethod
    def from_candles(
        cls, candles: Candles, *, config: IndicatorConfig = IndicatorConfig()
    ) -> IndicatorSet:
        """The set after the last of ``candles``."""
        return cls.from_history(
            candles.high, candles.low, candles.close, candles.volume, config=config
        )

    @property
    def values(self) -> dict[str, Any]:
        """Every indicator's values at the last committed bar."""
        return {name: state.value for name, state in self._states.items()}

    def update(self, bar: Bar) -> dict[str, Any]:
        check_bar(bar, Bar._fields)
        return {name: state.commit_checked(bar) for name, state in self._states.items()}

