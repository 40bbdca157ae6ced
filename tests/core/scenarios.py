"""Hand-built candle series for the SMT rule tests.

Prices are small round numbers so a reader can check every level by eye. ``mirror``
turns a bearish scenario into the bullish one (prices reflected around 100).
"""

from __future__ import annotations

import numpy as np

from smtdesk.core.candles import Candles
from smtdesk.core.signals.indicators import indicator_sink

HOUR = 3_600_000
T0 = 1_700_000_000_000 - 1_700_000_000_000 % HOUR


def candles(high, low, close=None) -> Candles:
    high = np.asarray(high, float)
    low = np.asarray(low, float)
    close = (high + low) / 2 if close is None else np.asarray(close, float)
    time = T0 + HOUR * np.arange(len(high))
    return Candles(time, close, high, low, close, np.ones(len(high)))


def mirror(c: Candles) -> Candles:
    return Candles(c.time, 100 - c.open, 100 - c.low, 100 - c.high, 100 - c.close, c.volume)


def bar_time(i: int) -> int:
    return int(T0 + HOUR * i)


# Bearish, A sweeps, major n=2, minor m=1.
#   A: swing high 10 at bar 3 (known at 5); bar 7 trades 11 (sweep); new swing 12 at bar 8
#      (known at 10: the divergence bar).
#   B: prior level 20 at bar 3; new level 19 at bar 8 (a lower high); minor swing low 15
#      at bar 5 is the MSS level; the close 14.5 at bar 13 confirms.
A_HI = [5, 6, 7, 10, 8, 7, 8, 11, 12, 9, 8, 7, 7, 6, 6]
A_LO = [4, 5, 6, 9, 7, 6, 7, 10, 11, 8, 7, 6, 6, 5, 5]
B_HI = [15, 16, 17, 20, 18, 17, 18, 18.5, 19, 18, 17, 16.5, 16.5, 16, 15.5]
B_LO = [14, 15, 16, 19, 17, 15, 17, 17.5, 18, 17, 16, 16, 15.5, 14, 14]
B_CL = [14.5, 15.5, 16.5, 19.5, 17.5, 16, 17.5, 18, 18.5, 17.5, 16.5, 16.2, 16, 14.5, 14.5]


def base_pair() -> tuple[Candles, Candles]:
    return candles(A_HI, A_LO), candles(B_HI, B_LO, B_CL)


def with_values(values, **changes) -> list[float]:
    """``values`` with some bars replaced: ``with_values(B_HI, b9=21)``."""
    out = list(values)
    for key, v in changes.items():
        out[int(key[1:])] = v
    return out


def extend(values, extra) -> list[float]:
    return list(values) + list(extra)


def indicator_events(*args, **kwargs) -> list:
    """Every §6 event of one asset, built and ordered by known bar."""
    return indicator_sink(*args, **kwargs).signals()
