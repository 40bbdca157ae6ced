"""Higher-timeframe candles and trend, for the SMT alignment check (domain §5).

Buckets are aligned to UTC: hours and days on the epoch, weeks starting Monday 00:00
UTC. A bucket is built from the candles that exist (a missing candle is not invented)
and counts only once it is complete, i.e. once the lower-timeframe bar closing at or
after its end has closed. The trend is read from the major swings of the completed
buckets: up = higher high and higher low, down = lower high and lower low, else range.
"""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt

from smtdesk.core.candles import Candles, timeframe_ms
from smtdesk.core.arrays import GrowingArray
from smtdesk.core.structure.swings import find_swings, pivots_in

# One and two timeframes up (domain §5).
HIGHER_TIMEFRAMES: dict[str, tuple[str, str]] = {
    "15m": ("1h", "4h"),
    "1h": ("4h", "1d"),
    "4h": ("1d", "1w"),
}

_WEEK_MS = 604_800_000
_MONDAY_OFFSET_MS = 4 * 86_400_000  # 1970-01-01 was a Thursday

def bucket_start(time: npt.ArrayLike, timeframe: str) -> npt.NDArray[np.int64]:
    """Open time of the ``timeframe`` bucket holding each time (UTC; weeks from Monday)."""
    time = np.asarray(time, np.int64)
    size = timeframe_ms(timeframe)
    offset = _bucket_offset(size)
    return (time - offset) // size * size + offset


def _bucket_offset(size_ms: int) -> int:
    """Where buckets of ``size_ms`` start, past the epoch: weeks start on Monday."""
    return _MONDAY_OFFSET_MS if size_ms % _WEEK_MS == 0 else 0


def resample(c: Candles, timeframe: str) -> Candles:
    """``c`` aggregated into ``timeframe`` buckets; the last bucket may be incomplete."""
    if not len(c):
        return Candles.empty()
    start = bucket_start(c.time, timeframe)
    first = np.flatnonzero(np.r_[True, start[1:] != start[:-1]])
    last = np.r_[first[1:] - 1, len(c) - 1]
    return Candles(
        start[first],
        c.open[first],
        np.maximum.reduceat(c.high, first),
        np.minimum.reduceat(c.low, first),
        c.close[last],
        np.add.reduceat(c.volume, first),
    )


def trend_codes(
    high_idx: np.ndarray,
    low_idx: np.ndarray,
    high: np.ndarray,
    low: np.ndarray,
    strength: int,
    n_known: npt.ArrayLike,
) -> npt.NDArray[np.int8]:
    """Trend (+1 up, -1 down, 0 range) once the first ``n_known`` bars have closed."""
    n_known = np.asarray(n_known, np.int64)
    # A swing at bar i is known after bar i + strength, i.e. with i + strength + 1 bars.
    ch = np.searchsorted(high_idx + strength + 1, n_known, side="right")
    cl = np.searchsorted(low_idx + strength + 1, n_known, side="right")
    ok = (ch >= 2) & (cl >= 2)
    if len(high_idx) < 2 or len(low_idx) < 2:
        return np.zeros(len(n_known), np.int8)
    h1, h0 = (high[high_idx[np.clip(ch - back, 0, None)]] for back in (1, 2))
    l1, l0 = (low[low_idx[np.clip(cl - back, 0, None)]] for back in (1, 2))
    up = ok & (h1 > h0) & (l1 > l0)
    down = ok & (h1 < h0) & (l1 < l0)
    return up.astype(np.int8) - down.astype(np.int8)


@numba.njit(cache=True, nogil=True)
def _bucket_extremes(time, high, low, size, offset):
    """Open time, high and low of each bucket of ``size`` ms over the bars given, and the
    first bar of each bucket (what :func:`resample` gives, for the trend's needs)."""
    n = len(time)
    start = np.empty(n, np.int64)
    hi = np.empty(n)
    lo = np.empty(n)
    first = np.empty(n, np.int64)
    m = -1
    end = 0
    for i in range(n):
        if m < 0 or time[i] >= end:  # times ascend: a new bucket starts past the last end
            m += 1
            start[m] = (time[i] - offset) // size * size + offset
            end = start[m] + size
            hi[m], lo[m], first[m] = high[i], low[i], i
        else:
            # As np.maximum / np.minimum reduce: a NaN stays.
            if high[i] > hi[m] or np.isnan(high[i]):
                hi[m] = high[i]
            if low[i] < lo[m] or np.isnan(low[i]):
                lo[m] = low[i]
    m += 1
    return start[:m], hi[:m], lo[:m], first[:m]


@numba.njit(cache=True, nogil=True)
def _trend_walk(times, ltf_ms, bucket_end, high_idx, low_idx, high, low, strength):
    """:func:`trend_codes` at ascending lower-timeframe open times, in one walk.

    The trend only changes when a bucket completes, so it is worked out once per number
    of complete buckets the times see, then read off per time.
    """
    out = np.zeros(len(times), np.int8)
    if not len(times) or len(high_idx) < 2 or len(low_idx) < 2:
        return out
    nb0 = np.searchsorted(bucket_end, times[0] + ltf_ms, side="right")
    nb1 = np.searchsorted(bucket_end, times[-1] + ltf_ms, side="right")
    by_count = np.zeros(nb1 - nb0 + 1, np.int8)
    ch = np.searchsorted(high_idx, nb0 - strength - 1, side="right")
    cl = np.searchsorted(low_idx, nb0 - strength - 1, side="right")
    for nb in range(nb0, nb1 + 1):
        # A swing at bucket i is known once i + strength + 1 buckets are complete.
        while ch < len(high_idx) and high_idx[ch] + strength + 1 <= nb:
            ch += 1
        while cl < len(low_idx) and low_idx[cl] + strength + 1 <= nb:
            cl += 1
        if ch >= 2 and cl >= 2:
            h1, h0 = high[high_idx[ch - 1]], high[high_idx[ch - 2]]
            l1, l0 = low[low_idx[cl - 1]], low[low_idx[cl - 2]]
            if h1 > h0 and l1 > l0:
                by_count[nb - nb0] = 1
            elif h1 < h0 and l1 < l0:
                by_count[nb - nb0] = -1
    nb = nb0
    for i in range(len(times)):
        while nb < nb1 and bucket_end[nb] <= times[i] + ltf_ms:
            nb += 1
        out[i] = by_count[nb - nb0]
    return out


class HtfTrend:
    """Trend of one higher timeframe, read at lower-timeframe bars, updated incrementally.

    Feed the full lower-timeframe series with :meth:`update` (each call a prefix-extension
    of the last); :meth:`at` gives the trend known when given bars closed, and
    :meth:`at_bars` the same for bars of the series fed, from a table kept per bar.
    """

    def __init__(self, ltf: str, htf: str, *, strength: int = 5) -> None:
        self.ltf, self.htf, self.strength = ltf, htf, strength
        self._ltf_ms, self._htf_ms = timeframe_ms(ltf), timeframe_ms(htf)
        self._offset = _bucket_offset(self._htf_ms)
        self._used = 0  # lower-timeframe bars folded into complete buckets
        self._open_end: int | None = None  # end of the bucket holding bar ``_used``
        self._open_from = -1
        self._end = GrowingArray(np.int64)  # close time of each complete bucket
        self._high = GrowingArray(np.float64)
        self._low = GrowingArray(np.float64)
        self._high_idx = GrowingArray(np.int64)
        self._low_idx = GrowingArray(np.int64)
        self._codes = GrowingArray(np.int8)  # trend known at each lower-timeframe bar fed

    def update(self, c: Candles) -> None:
        """Fold in the buckets completed by the last bar of ``c``."""
        complete = len(self._end)
        self._fold(c)
        n_old, n = len(self._codes), len(c)
        if n <= n_old:
            return
        if n == n_old + 1 and n_old and len(self._end) == complete:
            # One new bar and no bucket completed: every complete bucket was already
            # known at the previous bar, so the trend is the previous bar's.
            codes = self._codes.view[n_old - 1 :]
        else:
            codes = _trend_walk(
                c.time[n_old:],
                self._ltf_ms,
                self._end.view,
                self._high_idx.view,
                self._low_idx.view,
                self._high.view,
                self._low.view,
                self.strength,
            )
        self._codes.extend(codes)

    def _fold(self, c: Candles) -> None:
        if len(c) <= self._used:
            return
        if self._open_end is None or self._open_from != self._used:
            # bucket_start for one time, in plain integers
            size, offset = self._htf_ms, self._offset
            self._open_end = (int(c.time[self._used]) - offset) // size * size + offset + size
            self._open_from = self._used
        if self._open_end > int(c.time[-1]) + self._ltf_ms:
            return  # the oldest open bucket is still open
        u = self._used
        start, high, low, first = _bucket_extremes(
            c.time[u:], c.high[u:], c.low[u:], self._htf_ms, self._offset
        )
        done = start + self._htf_ms <= c.time[-1] + self._ltf_ms
        k = int(done.sum())
        if not k:
            return
        old = len(self._end)
        self._end.extend(start[:k] + self._htf_ms)
        self._high.extend(high[:k])
        self._low.extend(low[:k])
        self._used = len(c) if k == len(start) else u + int(first[k])
        n = self.strength
        if old == 0:
            sw = find_swings(self._high.view, self._low.view, strength=n)
            self._high_idx.extend(sw.high_idx)
            self._low_idx.extend(sw.low_idx)
            return
        self._high_idx.extend(pivots_in(self._high.view, strength=n, start=old))
        self._low_idx.extend(pivots_in(self._low.view, strength=n, start=old, sign=-1.0))

    def at(self, ltf_time: npt.ArrayLike) -> npt.NDArray[np.int8]:
        """+1 / -1 / 0 trend known when the lower-timeframe bars opening at ``ltf_time`` closed."""
        ltf_time = np.asarray(ltf_time, np.int64)
        n_known = np.searchsorted(self._end.view, ltf_time + self._ltf_ms, side="right")
        return trend_codes(
            self._high_idx.view,
            self._low_idx.view,
            self._high.view,
            self._low.view,
            self.strength,
            n_known,
        )

    def at_bars(self, bars: npt.ArrayLike) -> npt.NDArray[np.int8]:
        """:meth:`at` the open times of ``bars`` of the series last fed."""
        return self._codes.view[bars]
