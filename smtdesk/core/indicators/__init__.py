"""Technical indicators of domain §3: vectorised over a history, and incremental.

Every vectorised function returns read-only float64 arrays with NaN for TA-Lib's
warm-up bars; every ``*State`` reproduces the same values one candle at a time.
"""

from smtdesk.core.indicators._common import Bar
from smtdesk.core.indicators.bollinger import Bollinger, BollingerState, BollingerValue, bollinger
from smtdesk.core.indicators.cci import CCIState, cci
from smtdesk.core.indicators.indicator_set import IndicatorConfig, IndicatorSet, compute_indicators
from smtdesk.core.indicators.kdj import KDJ, KDJState, KDJValue, kdj
from smtdesk.core.indicators.macd import MACD, MACDState, MACDValue, macd
from smtdesk.core.indicators.moving import (
    CrossValue,
    EMAState,
    MACross,
    MACrossState,
    SMAState,
    ema,
    ma_cross,
    sma,
)
from smtdesk.core.indicators.rsi import RSIState, rsi
from smtdesk.core.indicators.trend import ADX, ADXState, ADXValue, ATRState, adx, atr
from smtdesk.core.indicators.volume import MFIState, OBVState, mfi, obv

__all__ = [
    "ADX",
    "ADXState",
    "ADXValue",
    "ATRState",
    "Bar",
    "Bollinger",
    "BollingerState",
    "BollingerValue",
    "CCIState",
    "CrossValue",
    "EMAState",
    "IndicatorConfig",
    "IndicatorSet",
    "KDJ",
    "KDJState",
    "KDJValue",
    "MACD",
    "MACDState",
    "MACDValue",
    "MACross",
    "MACrossState",
    "MFIState",
    "OBVState",
    "RSIState",
    "SMAState",
    "adx",
    "atr",
    "bollinger",
    "cci",
    "compute_indicators",
    "ema",
    "kdj",
    "ma_cross",
    "macd",
    "mfi",
    "obv",
    "rsi",
    "sma",
]
