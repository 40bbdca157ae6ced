"""The one seam between market data and the UI.

``MarketWorker`` lives on the Qt thread; its coroutines run on the Qt event loop
through qasync. It owns the source and the pair analysis, moves the number crunching
to a thread, and hands the UI only frozen data through its Qt signals.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import QObject, Signal

from smtdesk.core.analysis import PairAnalyzer
from smtdesk.data.source import Source, SourceError

log = logging.getLogger(__name__)

DEFAULT_SYMBOLS = ("BTC/USDT:USDT", "ETH/USDT:USDT")


class MarketWorker(QObject):
    """Loads a pair's history, follows its live candles and reports signal events.

    Signals
    -------
    analysis_ready(PairAnalysis)
        The full picture to draw, after the history loads and after every live candle.
    signals_raised(tuple[Signal, ...])
        Signal events that became known from live candles (the history's events come
        inside the analysis and are not raised as alerts).
    status_changed(str)
        Which source is live and what it is doing, for the status bar.
    failed(str)
        A problem worded for the user; the worker keeps what it already has.
    """

    analysis_ready = Signal(object)
    signals_raised = Signal(object)
    status_changed = Signal(str)
    failed = Signal(str)

    def __init__(
        self,
        source: Source,
        *,
        symbols: tuple[str, str] = DEFAULT_SYMBOLS,
        timeframe: str = "1h",
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.source = source
        self.symbols = symbols
        self.timeframe = timeframe
        self._analyzer = PairAnalyzer(symbols, timeframe)
        self._task: asyncio.Task | None = None
        # One thread: analysis steps run in arrival order and never overlap.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="analysis")

    def start(self) -> None:
        self._task = asyncio.ensure_future(self._run())

    async def stop(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        await self.source.close()
        self._executor.shutdown(wait=True)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        label = self.source.label
        try:
            self.status_changed.emit(f"{label}: loading {self.timeframe} history")
            histories = [await self.source.history(s, self.timeframe) for s in self.symbols]
            analysis = await loop.run_in_executor(self._executor, self._analyzer.load, *histories)
            self.analysis_ready.emit(analysis)
            self.status_changed.emit(f"{label}: live")
            async for update in self.source.stream(self.symbols, self.timeframe):
                analysis, new = await loop.run_in_executor(
                    self._executor, self._analyzer.append, update.symbol, update.candles
                )
                self.analysis_ready.emit(analysis)
                if new:
                    self.signals_raised.emit(new)
            self.status_changed.emit(f"{label}: replay finished")
        except SourceError as exc:
            self.failed.emit(str(exc))
            self.status_changed.emit(f"{label}: stopped")
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the window must outlive any data failure
            log.exception("market worker failed")
            self.failed.emit(f"Market data stopped unexpectedly: {exc}")
            self.status_changed.emit(f"{label}: stopped")
