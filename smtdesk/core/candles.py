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
    _, ia, ib = np.intersect1d(a.time, b.time, assume_unique=True, return_indices=True)
    return a.take(ia), b.take(ib)


# Bitcoin's first block: no market this app charts has a candle before it.
EARLIEST_MS = 1_230_768_000_000  # 2009-01-01 00:00 UTC
_WEEK_MS = 604_800_000
_MONDAY_MS = 4 * 86_400_000  # weeks open on Monday; 1970-01-01 was a Thursday


@dataclass(frozen=True, slots=True)
class Refusal:
    """A row that is not a candle: its open time (ms, or the raw value when it is not a
    time at all) and why it was refused."""

    time: float
    reason: str


def row_problems(rows: npt.ArrayLike, timeframe: str, *,
                 now_ms: int | None = None) -> list[tuple[int, str]]:
    """``(index, reason)`` of every row of ``[time_ms, open, high, low, close, volume]``
    that is not a candle: finite positive prices, low <= open, close <= high, volume >= 0,
    an open time on the ``timeframe`` grid, from 2009 on and not after ``now_ms``."""
    arr = np.asarray(rows, dtype=np.float64).reshape(-1, 6)
    tf = timeframe_ms(timeframe)
    offset = _MONDAY_MS if tf % _WEEK_MS == 0 else 0
    t, o, h, lo, c, v = arr.T
    prices = arr[:, 1:5]
    with np.errstate(invalid="ignore"):
        not_time = ~np.isfinite(t) | (t != np.round(t)) | (np.abs(t) >= 2.0**62)
        checks = [
            (not_time, "its open time is not a time"),
            (~not_time & (t < EARLIEST_MS), "it opens before 2009"),
            (~not_time & ((t - offset) % tf != 0), f"its open time is not on the {timeframe} grid"),
            (~not_time & (t > (np.inf if now_ms is None else now_ms)),
             "it opens after the exchange's clock (a candle from the future)"),
            (~np.isfinite(prices).all(axis=1), "a price is not a number"),
            ((prices <= 0).any(axis=1), "a price is zero or negative"),
            ((h < lo) | (h < np.maximum(o, c)) | (lo > np.minimum(o, c)),
             "its high and low do not contain its open and close"),
            (~np.isfinite(v), "its volume is not a number"),
            (v < 0, "its volume is negative"),
        ]
    reasons: dict[int, str] = {}
    for bad, reason in checks:
        for i in np.flatnonzero(bad).tolist():
            reasons.setdefault(i, reason)
    return sorted(reasons.items())


def gate(rows: npt.ArrayLike, timeframe: str, *,
         now_ms: int | None = None) -> tuple[np.ndarray, tuple[Refusal, ...]]:
    """The rows that are candles (see :func:`row_problems`) and a refusal for each other."""
    arr = np.asarray(rows, dtype=np.float64).reshape(-1, 6)
    problems = row_problems(arr, timeframe, now_ms=now_ms)
    if not problems:
        return arr, ()
    keep = np.ones(len(arr), bool)
    keep[[i for i, _ in problems]] = False
    return arr[keep], tuple(Refusal(float(arr[i, 0]), why) for i, why in problems)


def describe_refusals(refused: tuple[Refusal, ...], *, limit: int = 3) -> str:
    """The first few refusals as "2024-01-02 03:00 UTC: its volume is negative; ...". """
    parts = [f"{_time_text(r.time)}: {r.reason}" for r in refused[:limit]]
    if len(refused) > limit:
        parts.append(f"and {len(refused) - limit} more")
    return "; ".join(parts)


def _time_text(time_ms: float) -> str:
    if not np.isfinite(time_ms) or not -6e16 < time_ms < 2.5e14:
        return f"open time {time_ms!r}"
    return np.datetime64(int(time_ms), "ms").astype(str).replace("T", " ")[:16] + " UTC"
