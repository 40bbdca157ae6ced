"""Derivatives data as plain frozen records: funding, open interest, ratios, liquidations."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FUNDING = "funding"
OPEN_INTEREST = "open_interest"
GLOBAL_ACCOUNT_RATIO = "global_account_ratio"
TOP_ACCOUNT_RATIO = "top_account_ratio"
TOP_POSITION_RATIO = "top_position_ratio"
RATIO_KINDS = (GLOBAL_ACCOUNT_RATIO, TOP_ACCOUNT_RATIO, TOP_POSITION_RATIO)


@dataclass(frozen=True, slots=True)
class DerivSeries:
    """One derivatives time series, sorted by time with unique timestamps.

    ``kind`` is :data:`FUNDING`, :data:`OPEN_INTEREST` or one of :data:`RATIO_KINDS`; ``period`` is the sampling period ("8h" for
    funding settlements, "1h" ...). Funding is a fraction per settlement (0.0001 =
    0.01 %), open interest is in base units, ratios are longs / shorts.
    """

    symbol: str
    kind: str
    period: str
    time: npt.NDArray[np.int64]
    value: npt.NDArray[np.float64]

    def __post_init__(self) -> None:
        order = np.argsort(np.asarray(self.time, dtype=np.int64), kind="stable")
        time = np.asarray(self.time, dtype=np.int64)[order]
        value = np.asarray(self.value, dtype=np.float64)[order]
        # on a repeated timestamp the later answer wins, as for candles
        keep = np.ones(len(time), bool)
        keep[:-1] = time[1:] != time[:-1]
        for name, arr in (("time", time[keep]), ("value", value[keep])):
            arr = arr.copy()
            arr.flags.writeable = False
            object.__setattr__(self, name, arr)

    def __len__(self) -> int:
        return len(self.time)

    @classmethod
    def from_points(cls, symbol: str, kind: str, period: str,
                    points: list[tuple[int, float]]) -> DerivSeries:
        time = np.array([p[0] for p in points], dtype=np.int64)
        value = np.array([p[1] for p in points], dtype=np.float64)
        return cls(symbol, kind, period, time, value)


@dataclass(frozen=True, slots=True)
class Liquidation:
    """A public liquidation event: ``side`` is the liquidated position, "long" or "short";
    ``amount`` is in base units."""

    symbol: str
    time: int
    side: str
    price: float
    amount: float
