"""The candle array type shared by every layer, and pair alignment."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

_TIMEFRAME_UNITS_MS = {"m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}

FIELDS = ("open", "high", "low", "close", "volume")

TIMEFRAMES = ("1m", "5m", "15m", "1h", "4h", "1d", "1w")
"""Timeframes the charts offer; a venue lacking one gets it resampled."""


def timeframe_ms(timeframe: str) -> int:
    """Length of one candle of ``timeframe`` ("1m", "4h", "1d", "1w") in milliseconds."""
    try:
        count, unit = int(timeframe[:-1]), timeframe[-1]
        return count * _TIMEFRAME_UNITS_MS[unit]
    except (ValueError, KeyError, IndexError):
        raise ValueError(f"timeframe: unknown timeframe {timeframe!r}") from None


def _frozen(values: npt.ArrayLike, dtype: type) -> np.ndarray:
    arr = np.array(values, dtype=dtype, copy=True)
    arr.flags.writeable = False
    return arr


@dataclass(frozen=True, slots=True)
class Candles:
    """OHLCV candles of one series, sorted by open time with unique timestamps.

    ``time`` is the UTC open time in milliseconds; prices are float64, volume is in
    base units. Arrays are read-only so a ``Candles`` can be shared between threads.
    """

    time: npt.NDArray[np.int64]
    open: npt.NDArray[np.float64]
    high: npt.NDArray[np.float64]
    low: npt.NDArray[np.float64]
    close: npt.NDArray[np.float64]
    volume: npt.NDArray[np.float64]

    def __post_init__(self) -> None:
        object.__setattr__(self, "time", _frozen(self.time, np.int64))
        n = len(self.time)
        for name in FIELDS:
            arr = _frozen(getattr(self, name), np.float64)
            if arr.shape != (n,):
                raise ValueError(f"{name}: expected {n} values, got shape {arr.shape}")
            object.__setattr__(self, name, arr)
        if n > 1 and not np.all(np.diff(self.time) > 0):
            raise ValueError("time: timestamps must be strictly increasing")

    @classmethod
    def empty(cls) -> Candles:
        return cls(np.empty(0, np.int64), *(np.empty(0) for _ in FIELDS))

    @classmethod
    def from_rows(cls, rows: npt.ArrayLike) -> Candles:
        """Build from rows of ``[time_ms, open, high, low, close, volume]``."""
        arr = np.asarray(rows, dtype=np.float64).reshape(-1, 6)
        return cls(arr[:, 0].astype(np.int64), *(arr[:, i] for i in range(1, 6)))

    def __len__(self) -> int:
        return len(self.time)

    def __getitem__(self, index: slice) -> Candles:
        if not isinstance(index, slice):
            raise TypeError("Candles supports slicing only; use .row(i) for one candle")
        return Candles(self.time[index], *(getattr(self, f)[index] for f in FIELDS))

    def row(self, i: int) -> tuple[int, float, float, float, float, float]:
        return (int(self.time[i]), *(float(getattr(self, f)[i]) for f in FIELDS))

    def take(self, index: npt.ArrayLike) -> Candles:
        """Candles at the given sorted integer positions."""
        return Candles(self.time[index], *(getattr(self, f)[index] for f in FIELDS))

    def merge(self, newer: Candles) -> Candles:
        """This series updated with ``newer``: on an equal timestamp the newer candle wins."""
        if len(newer) == 0:
            return self
        if len(self) == 0:
            return newer
        if newer.time[0] > self.time[-1]:
            keep = len(self)
        else:
            keep = int(np.searchsorted(self.time, newer.time[0], side="left"))
            if not np.all(np.isin(self.time[keep:], newer.time)):
                stitched = np.union1d(self.time, newer.time)
                old_pos = np.searchsorted(stitched, self.time)
                new_pos = np.searchsorted(stitched, newer.time)
                cols = []
                for f in FIELDS:
                    col = np.empty(len(stitched))
                    col[old_pos] = getattr(self, f)
                    col[new_pos] = getattr(newer, f)
                    cols.append(col)
                return Candles(stitched, *cols)
        return Candles(
            np.concatenate([self.time[:keep], newer.time]),
            *(np.concatenate([getattr(self, f)[:keep], getattr(newer, f)]) for f in FIELDS),
        )


def align_pair(a: Candles, b: Candles) -> tuple[Candles, Candles]:
    """The two series restricted to the timestamps both have (an inner join).

    A candle only one side has is dropped, never filled: comparing an asset with an
    invented candle of the other would create divergences that never happened.
    """
    common, ia, ib = np.intersect1d(a.time, b.time, assume_unique=True, return_indices=True)
    return a.take(ia), b.take(ib)
