"""The one seam between market data and the UI.

``MarketWorker`` lives on the Qt thread; its coroutines run on the Qt event loop
through qasync. It owns the source and the pair analysis, moves the number crunching
to a thread, and hands the UI only frozen data through its Qt signals.

With an exchange source and a store it shows the cached candles at once, fetches only
what is missing, and falls back to a replay source (the demo) when the exchange does
not answer within ``connect_timeout`` seconds.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime, timezone
from concurrent.futures import ThreadPoolExecutor
from typing import Awaitable, Callable

from PySide6.QtCore import QObject, Signal

from smtdesk.core.analysis import PairAnalyzer
from smtdesk.data.exchange import ExchangeSource
from smtdesk.data.retry import UnknownSymbol
from smtdesk.data.source import Source, SourceError
from smtdesk.data.store import CandleStore
from smtdesk.data.sync import record, sync_candles

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
    source_changed(str)
        The label of the source now live (emitted when falling back to the demo).
    progress(int)
        Backfill progress, 0 to 100 percent, while missing candles are fetched.
    forming_candle(CandleUpdate)
        The still-forming candle of a symbol (``closed`` False); never analysed.
    derivatives_ready(DerivSeries)
        Funding, open interest or a long/short ratio series of one symbol.
    liquidations_ready(tuple[Liquidation, ...])
        Public liquidation events just received (also recorded in the store).
    notice(str)
        Information worth a line in the UI that is not a failure, such as a venue not
        publishing some derivatives data.
    """

    analysis_ready = Signal(object)
    signals_raised = Signal(object)
    status_changed = Signal(str)
    failed = Signal(str)
    source_changed = Signal(str)
    progress = Signal(int)
    forming_candle = Signal(object)
    derivatives_ready = Signal(object)
    liquidations_ready = Signal(object)
    notice = Signal(str)

    def __init__(
        self,
        source: Source,
        *,
        symbols: tuple[str, str] = DEFAULT_SYMBOLS,
        timeframe: str = "1h",
        store: CandleStore | None = None,
        fallback: Source | None = None,
        connect_timeout: float = 5.0,
        history_bars: int = 1000,
        derivatives_period: str = "1h",
        resume_delay: float = 60.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.source = source
        self.symbols = symbols
        self.timeframe = timeframe
        self.store = store
        self.fallback = fallback
        self.connect_timeout = connect_timeout
        self.history_bars = history_bars
        self.derivatives_period = derivatives_period
        self.resume_delay = resume_delay
        self._sleep = sleep
        self._side_tasks: list[asyncio.Task] = []
        self._sources = [source] + ([fallback] if fallback is not None else [])
        self._fallback_reason: str | None = None
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
        for task in self._side_tasks:
            task.cancel()
        await asyncio.gather(*self._side_tasks, return_exceptions=True)
        for source in self._sources:
            await source.close()
        self._executor.shutdown(wait=True)

    async def _run(self) -> None:
        if isinstance(self.source, ExchangeSource) and self.store is not None:
            try:
                if await self._run_exchange(self.source, self.store):
                    return
            except Exception as exc:  # the window must outlive any data failure
                log.exception("market worker failed")
                self.failed.emit(f"Market data stopped unexpectedly: {exc}")
                self.status_changed.emit(f"{self.source.label}: stopped")
                return
            self.source = self.fallback
            self.source_changed.emit(self.source.label)
        await self._run_replay()

    async def _follow(self, updates) -> None:
        """Analyse closed candles as they come; pass forming ones straight to the chart."""
        loop = asyncio.get_running_loop()
        async for update in updates:
            if not update.closed:
                self.forming_candle.emit(update)
                continue
            analysis, new = await loop.run_in_executor(
                self._executor, self._analyzer.append, update.symbol, update.candles
            )
            self.analysis_ready.emit(analysis)
            if new:
                self.signals_raised.emit(new)

    async def _run_exchange(self, source: ExchangeSource, store: CandleStore) -> bool:
        """Cached candles, the missing ones, then live; False to fall back to the demo."""
        loop = asyncio.get_running_loop()
        label = source.label
        source.on_status = self.status_changed.emit
        if store.notice:
            self.failed.emit(store.notice)
        cached = [store.load_candles(source.name, s, self.timeframe) for s in self.symbols]
        if all(len(c) for c in cached):
            analysis = await loop.run_in_executor(self._executor, self._analyzer.load, *cached)
            self.analysis_ready.emit(analysis)
            self.status_changed.emit(f"{label}: showing {len(cached[0])} cached candles, "
                                     "connecting for the rest")
        else:
            self.status_changed.emit(f"{label}: connecting")
        try:
            await asyncio.wait_for(source.markets(), self.connect_timeout)
        except (asyncio.TimeoutError, SourceError) as exc:
            reason = (f"no answer within {self.connect_timeout:g} s"
                      if isinstance(exc, asyncio.TimeoutError) else str(exc))
            if self.fallback is None:
                self.failed.emit(f"{label} is not reachable ({reason}).")
                self.status_changed.emit(f"{label}: offline, showing cached candles")
                return True
            self.failed.emit(f"{label} is not reachable ({reason}); showing the demo market.")
            self._fallback_reason = f"{label} not reachable: {reason}"
            return False
        while True:
            try:
                await self._sync_and_follow(source, store)
                return True
            except UnknownSymbol as exc:
                self.failed.emit(str(exc))
                self.status_changed.emit(f"{label}: stopped ({exc})")
                return True
            except Exception as exc:
                # keep what is shown; the store remembers how far we got. Anything else
                # (a full disk, a reply ccxt could not parse) may pass too, so it is retried
                message = str(exc)
                if not isinstance(exc, SourceError):
                    log.exception("market data failed")
                    message = f"{label} data stopped unexpectedly: {exc}"
                wait = max(self.resume_delay, source.seconds_blocked())
                self.failed.emit(message)
                resume = datetime.fromtimestamp(time.time() + wait, timezone.utc)
                self.status_changed.emit(f"{label}: offline, trying again at "
                                         f"{resume:%H:%M:%S} UTC ({message})")
                await self._sleep(wait)

    async def _sync_and_follow(self, source: ExchangeSource, store: CandleStore) -> None:
        loop = asyncio.get_running_loop()
        label = source.label
        n = len(self.symbols)
        histories = []
        for i, symbol in enumerate(self.symbols):
            self.status_changed.emit(f"{label}: fetching missing {symbol} {self.timeframe} candles")
            histories.append(await sync_candles(
                source, store, symbol, self.timeframe, bars=self.history_bars,
                on_progress=lambda f, i=i: self._on_progress(label, (i + f) / n),
            ))
        analysis = await loop.run_in_executor(self._executor, self._analyzer.load, *histories)
        self.analysis_ready.emit(analysis)
        if not self._side_tasks:
            self._side_tasks.append(asyncio.ensure_future(self._derivatives(source, store)))
            self._side_tasks.append(asyncio.ensure_future(self._liquidations(source, store)))
        self.status_changed.emit(f"{label}: live")
        since = {s: int(h.time[-1]) for s, h in zip(self.symbols, histories) if len(h)}
        await self._follow(record(source.stream(self.symbols, self.timeframe, since=since),
                                  store, source.name))

    def _on_progress(self, label: str, fraction: float) -> None:
        percent = int(round(100 * fraction))
        self.progress.emit(percent)
        self.status_changed.emit(f"{label}: fetching missing candles, {percent} %")

    async def _derivatives(self, source: ExchangeSource, store: CandleStore) -> None:
        """Funding, open interest and ratios of each symbol; a missing kind is not fatal."""
        period = self.derivatives_period
        for symbol in self.symbols:
            fetches = (
                lambda: source.funding_history(symbol),
                lambda: source.open_interest_history(symbol, period),
                lambda: source.long_short_ratios(symbol, period),
            )
            for fetch in fetches:
                try:
                    result = await fetch()
                except SourceError as exc:
                    self.notice.emit(str(exc))
                    continue
                except Exception as exc:  # a record ccxt could not parse must not end the rest
                    log.exception("derivatives fetch failed")
                    self.notice.emit(f"{source.label} derivatives data of {symbol} unreadable: {exc}")
                    continue
                for series in result.values() if isinstance(result, dict) else (result,):
                    store.save_series(source.name, series)
                    self.derivatives_ready.emit(series)

    async def _liquidations(self, source: ExchangeSource, store: CandleStore) -> None:
        try:
            async for events in source.liquidations(self.symbols):
                store.save_liquidations(source.name, events)
                self.liquidations_ready.emit(tuple(events))
        except SourceError as exc:
            self.notice.emit(str(exc))
        except Exception as exc:  # candles go on without liquidations
            log.exception("liquidation stream failed")
            self.notice.emit(f"{source.label} liquidation recording stopped: {exc}")

    async def _run_replay(self) -> None:
        loop = asyncio.get_running_loop()
        label = self.source.label
        suffix = f" ({self._fallback_reason})" if self._fallback_reason else ""
        try:
            self.status_changed.emit(f"{label}: loading {self.timeframe} history{suffix}")
            histories = [await self.source.history(s, self.timeframe) for s in self.symbols]
            analysis = await loop.run_in_executor(self._executor, self._analyzer.load, *histories)
            self.analysis_ready.emit(analysis)
            self.status_changed.emit(f"{label}: live{suffix}")
            await self._follow(self.source.stream(self.symbols, self.timeframe))
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
