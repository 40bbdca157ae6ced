"""Timeframes a source lacks, built from a lower one it has.

The aggregation itself is core's :func:`~smtdesk.core.resample.resample` (UTC buckets,
weeks from Monday). Here the base candles of a live stream are folded into the wanted
timeframe: a candle goes out closed only once its bucket is complete, the bucket still
filling goes out as a forming candle (``closed=False``), which is never analysed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable

import numpy as np

from smtdesk.core.candles import Candles, timeframe_ms
from smtdesk.core.resample import bucket_start, resample
from smtdesk.data.source import CandleUpdate
from smtdesk.errors import SourceError


def base_timeframe(available: Iterable[str], wanted: str) -> str | None:
    """``wanted`` when ``available`` has it, else the largest timeframe it has that builds it.

    A base builds ``wanted`` when its candles tile every ``wanted`` bucket: its length
    divides the bucket length and the bucket starts (a week starts on Monday, not on the
    epoch's Thursday). None when nothing available does.
    """
    available = list(available)
    if wanted in available:
        return wanted
    size = timeframe_ms(wanted)
    first_start = int(bucket_start([0], wanted)[0])
    best: tuple[int, str] | None = None
    for tf in available:
        try:
            ms = timeframe_ms(tf)
        except ValueError:  # months, seconds: not something we build from
            continue
        if ms < size and size % ms == 0 and first_start % ms == 0 and (best is None or ms > best[0]):
            best = (ms, tf)
    return best[1] if best else None


def require_base(available: Iterable[str], wanted: str, label: str) -> str:
    """:func:`base_timeframe`, or a :class:`SourceError` saying why ``wanted`` cannot be shown."""
    available = list(available)
    base = base_timeframe(available, wanted)
    if base is None:
        listed = ", ".join(available) or "none"
        raise SourceError(f"{label} has no {wanted} candles and no shorter ones to build them "
                          f"from (it has {listed}); a shorter timeframe cannot be made up "
                          "from longer candles.")
    return base


class BucketFold:
    """Base-timeframe candles of one symbol folded into ``timeframe`` candles as they close."""

    def __init__(self, symbol: str, timeframe: str, base: str) -> None:
        self.symbol, self.timeframe, self.base = symbol, timeframe, base
        self._size = timeframe_ms(timeframe)
        self._base_size = timeframe_ms(base)
        self._pending = Candles.empty()  # closed base candles of the bucket still filling

    def history(self, base: Candles) -> Candles:
        """The complete buckets of ``base``; the rest waits for the next candles.

        A first bucket opening before the first candle is left out: the candles before
        may well exist, only not fetched, and its open would be another candle's.
        """
        self._pending = Candles.empty()
        if not len(base):
            return Candles.empty()
        first = int(base.time[0])
        start = int(bucket_start([first], self.timeframe)[0])
        if start != first:
            base = base[int(np.searchsorted(base.time, start + self._size)) :]
            if not len(base):
                return Candles.empty()
        return self._complete(base, int(base.time[-1]) + self._base_size)

    def forming(self) -> CandleUpdate | None:
        """The bucket still filling, as a forming candle; None when none is."""
        return self._forming(self._pending)

    def fold(self, update: CandleUpdate) -> list[CandleUpdate]:
        """What ``update`` (base candles) means in ``timeframe``: closed candles, then the forming one."""
        out = []
        if update.closed:
            closed = self._complete(self._pending.merge(update.candles),
                                    int(update.candles.time[-1]) + self._base_size)
            forming = self._forming(self._pending)
        else:
            # a candle opening in a later bucket means the earlier buckets have ended
            candle = update.candles[-1:]
            closed = self._complete(self._pending, int(candle.time[0]))
            forming = self._forming(self._pending.merge(candle))
        if len(closed):
            out.append(CandleUpdate(self.symbol, self.timeframe, closed, closed=True))
        if forming is not None:
            out.append(forming)
        return out

    def _complete(self, candles: Candles, horizon: int) -> Candles:
        """Resample the buckets of ``candles`` that end by ``horizon``; keep the others pending."""
        if not len(candles):
            self._pending = candles
            return Candles.empty()
        ends = bucket_start(candles.time, self.timeframe) + self._size
        cut = int(np.searchsorted(ends, horizon, side="right"))
        self._pending = candles[cut:]
        return resample(candles[:cut], self.timeframe)

    def _forming(self, candles: Candles) -> CandleUpdate | None:
        if not len(candles):
            return None
        return CandleUpdate(self.symbol, self.timeframe, resample(candles, self.timeframe)[-1:],
                            closed=False)


async def fold_stream(updates: AsyncIterator[CandleUpdate],
                      folds: dict[str, BucketFold]) -> AsyncIterator[CandleUpdate]:
    """``updates`` of base candles as updates of each symbol's fold timeframe."""
    async for update in updates:
        for folded in folds[update.symbol].fold(update):
            yield folded
