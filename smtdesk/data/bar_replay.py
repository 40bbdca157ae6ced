"""Bar replay of the pair: the charts cut at a chosen bar, then the bars after it arrive as
live candles, played, paused or stepped one at a time.

:class:`BarReplay` is a source like any other: the worker loads its history (the bars up
to the cursor) into a new pair model and follows its stream, so signals, alerts and the
sidebar run exactly as live, on bars up to the cursor only. Nothing after the cursor is
handed out before its turn.
"""

from __future__ import annotations

import asyncio
from typing import AsyncIterator

import numpy as np

from smtdesk.core.candles import Candles
from smtdesk.data.source import LIVE, CandleUpdate
from smtdesk.errors import SourceError

SPEEDS = (1, 2, 5, 10, 25, 50, 100)
"""Bars per second at each speed a trader can pick."""


class BarReplay:
    """The shown candles of both symbols, replayed from the bar opening at ``cursor``.

    ``origin`` is the venue the candles came from: leaving the replay goes back to it.
    It starts paused; :meth:`play`, :meth:`pause`, :meth:`step` and :meth:`set_speed`
    drive it.
    """

    name = "replay"
    label = "Bar replay"
    capabilities: frozenset[str] = frozenset({LIVE})

    def __init__(self, series: dict[str, Candles], timeframe: str, cursor: int, *,
                 origin: str, speed: int = 10) -> None:
        self._series = dict(series)
        self.timeframes = (timeframe,)
        self.origin = origin
        self.speed = speed
        self.playing = False
        self._wake = asyncio.Event()
        self._steps = 0
        self._due: float | None = None  # when the last bar played fell due (loop time)
        times = np.unique(np.concatenate([c.time for c in self._series.values()]))
        shown = times[times <= cursor]
        if not len(shown):
            raise SourceError("Pick a bar on the chart to replay from.")
        self.cursor = int(shown[-1])
        self._later = times[times > self.cursor]

    @property
    def symbols(self) -> tuple[str, ...]:
        return tuple(self._series)

    @property
    def series(self) -> dict[str, Candles]:
        """Every candle replayed, the ones still to come too (for a jump back)."""
        return dict(self._series)

    @property
    def remaining(self) -> int:
        """Bars still to come."""
        return len(self._later)

    async def check_symbol(self, symbol: str) -> None:
        if symbol not in self._series:
            raise SourceError(f"The replay has no {symbol}; it replays {', '.join(self._series)}.")

    async def history(self, symbol: str, timeframe: str) -> Candles:
        await self.check_symbol(symbol)
        c = self._series[symbol]
        return c[: int(np.searchsorted(c.time, self.cursor, side="right"))]

    def play(self) -> None:
        self.playing = True
        self._wake.set()

    def pause(self) -> None:
        self.playing = False

    def step(self) -> None:
        """One bar, while paused."""
        self._steps += 1
        self._wake.set()

    def set_speed(self, bars_per_second: int) -> None:
        self.speed = bars_per_second
        self._wake.set()

    async def _turn(self) -> int:
        """Until bars are due: a step (one bar), or their time while playing (how many).
        Bars fall due on a clock, one every 1/speed seconds, so a window busy drawing is
        caught up with (the bars due since, analysed and drawn as one) rather than
        slowing the replay down."""
        loop = asyncio.get_running_loop()
        while True:
            if self._steps:
                self._steps -= 1
                self._due = None
                return 1
            if self.playing:
                now = loop.time()
                # at most a second behind: a pause in the window is not made up in a burst
                due = max(self._due if self._due is not None else now, now - 1.0) + 1.0 / self.speed
                if due <= now:
                    late = min(int((now - due) * self.speed), self.remaining - 1)
                    self._due = due + late / self.speed
                    return 1 + late
                try:
                    await asyncio.wait_for(self._wake.wait(), due - now)
                except TimeoutError:
                    self._due = due
                    return 1
                self._wake.clear()
                self._due = None
                continue  # a pause, a step or another speed came first
            self._due = None
            self._wake.clear()
            await self._wake.wait()

    async def stream(self, symbols: tuple[str, ...], timeframe: str) -> AsyncIterator[CandleUpdate]:
        """The bars after the cursor in time order; both symbols' candles of a time together."""
        while len(self._later):
            due = await self._turn()
            times, self._later = self._later[:due], self._later[due:]
            self.cursor = int(times[-1])
            for symbol in symbols:
                c = self._series[symbol]
                i, j = np.searchsorted(c.time, (times[0], times[-1] + 1))
                if j > i:
                    yield CandleUpdate(symbol, timeframe, c[i:j], closed=True)

    async def close(self) -> None:
        self.playing = False
        self._wake.set()
