"""The one seam between market data and the UI.

``MarketWorker`` lives on the Qt thread; its coroutines run on the Qt event loop
through qasync. It owns the source and the pair analysis, moves the number crunching
to a thread, and hands the UI only frozen data through its Qt signals.

With an exchange source and a store it shows the cached candles at once and fetches only
what is missing; with nothing cached a replay source (the demo) stands in at once while
the exchange connects, for as long as it does not answer. A history's candles are shown
before any analysis of them runs.

:meth:`MarketWorker.reload` switches venue, symbols or timeframe: the new selection is
checked while the current one keeps running, then the current one is stopped and the new
one started. A timeframe the source lacks is built from the longest shorter one it has.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
import logging
import time
from pathlib import Path
from concurrent.futures import ThreadPoolExecutor
from typing import Awaitable, Callable

from PySide6.QtCore import QObject, Signal

from smtdesk.core.analysis import PairAnalysis, candles_only
from smtdesk.core.candles import Candles, timeframe_ms
from smtdesk.core.drawings import Drawing
from smtdesk.core.journal import JournalEntry, follow
from smtdesk.core.signals.derivatives import Derivatives, Series
from smtdesk.core.pair_model import ModelResult, PairModel
from smtdesk.core.smt.outcome_stats import outcome_report
from smtdesk.core.structure.swings import ManualSwing, SuppressedSwing
from smtdesk.data import derivatives as dv
from smtdesk.data.derivatives import DerivSeries
from smtdesk.data.alert_log import HISTORY_LIMIT, AlertLog, RaisedAlert
from smtdesk.data.bar_replay import BarReplay
from smtdesk.data.compiled import compiled_so_far
from smtdesk.data.csv_import import import_csv
from smtdesk.data.imported import IMPORTED
from smtdesk.data.qt_gc import collect_on_qt_thread, freeze_long_lived
from smtdesk.data.resampled import BucketFold, fold_stream, require_base
from smtdesk.data.source import DERIVATIVES, HISTORY_SINCE, LIQUIDATIONS, LIVE, MARKETS, Source
from smtdesk.data.status import Events, Level, Notice, Phase, Selection, Status
from smtdesk.data.store import CandleStore
from smtdesk.data.userstore import ManualSwing as StoredSwing
from smtdesk.data.userstore import UserStore
from smtdesk.data.sync import record, sync_candles
from smtdesk.errors import SmtdeskError, SourceError, StorageError, UnknownSymbol, elide
from smtdesk.kernel_cache import kernels_ready
from smtdesk.settings import Settings, model_config

log = logging.getLogger(__name__)

DEFAULT_SYMBOLS = ("BTC/USDT:USDT", "ETH/USDT:USDT")
# A built timeframe needs ``history_bars`` times as many base candles; past this many the
# backfill would take minutes (1w from 1m), so the history is shorter instead.
MAX_BASE_BARS = 10_000

# Which input of the §6 rules each derivatives series is.
_MODEL_FIELD = {
    "funding": "funding",
    "open_interest": "open_interest",
    "global_account_ratio": "account_ratio",
    "top_account_ratio": "top_account_ratio",
    "top_position_ratio": "top_position_ratio",
}

SourceFactory = Callable[[str], Source]


def _model_input(series: list[DerivSeries]) -> Derivatives:
    return Derivatives(**{_MODEL_FIELD[s.kind]: Series(s.time, s.value) for s in series})


def _ms_from_now(seconds: float) -> int:
    return int((time.time() + seconds) * 1000)
"""The source serving a venue id of the pickers (``"demo"`` or a ccxt id)."""


class MarketWorker(QObject):
    """Loads a pair's history, follows its live candles and reports signal events.

    Signals
    -------
    snapshot(PairAnalysis)
        The pair model's snapshot to draw: after a history loads (first with its
        candles and indicators, ``detected`` False, then with its signals), after every
        live candle, a manual swing or other settings. Its ``revision`` changes when its
        signals were found anew. The first one of a loaded history brings the user's
        drawings of each symbol (``drawings``).
    events(Events)
        Signal events that became known from live candles (the history's events come
        inside the snapshot), and the alerts they raise.
    market(CandleUpdate | DerivSeries)
        Drawn but not analysed here: the still-forming candle of a symbol (``closed``
        False), or a funding, open interest or long/short ratio series of one symbol.
    status(Status)
        Which source is live, what it is doing and which selection it serves: after a
        reload, a fall back to the demo, or a refused reload (then the one still shown).
    notice(Notice)
        A problem, a refused file or information worded for the user; the worker keeps
        what it already has.
    """

    snapshot = Signal(object)
    events = Signal(object)
    market = Signal(object)
    status = Signal(object)
    notice = Signal(object)

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
        sources: SourceFactory | None = None,
        slow_analysis_seconds: float = 1.5,
        user_store: UserStore | None = None,
        settings: Settings = Settings(),
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
        self.slow_analysis_seconds = slow_analysis_seconds
        self._sleep = sleep
        self._side_tasks: list[asyncio.Task] = []  # the live source's derivatives and liquidations
        self._commands: set[asyncio.Task] = set()  # the window's commands, until each is done
        self._make_source = sources
        self._fallback_reason: str | None = None
        self.user_store = user_store
        self.alert_log = self._alert_log = AlertLog(user_store, venue=source.name)
        self._replay_origin: Selection | None = None  # what a bar replay goes back to
        self.settings = settings
        self.config = model_config(settings)
        self._structure_shown = False
        self._model = self._new_model()
        self._analysed: PairModel | None = None  # the model whose analysis is drawn
        self._settings_task: asyncio.Task | None = None
        self._task: asyncio.Task | None = None
        self._reload_task: asyncio.Task | None = None
        self._retiring: list[asyncio.Task] = []
        self._status: Status | None = None
        self._offered: tuple[str, ...] = ()
        self._pending: Selection | None = None
                # One thread: analysis steps run in arrival order and never overlap.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="analysis")
        # Another for the candle cache: one connection, never on two threads, never on
        # the window's thread.
        self._store_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")
        # The analysis thread allocates the most: it must never be the one to collect.
        collect_on_qt_thread()

    def start(self) -> None:
        if self.store is not None:
            # whatever the cache had to set aside, for any venue (the demo's too)
            for message in self.store.notices:
                self.report(message)
            self.store.on_notice = self.report
        self._task = asyncio.ensure_future(self._run())

    async def stop(self) -> None:
        tasks = [t for t in (self._reload_task, self._task, self._settings_task) if t is not None]
        tasks += [*self._side_tasks, *self._commands]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, *self._retiring, return_exceptions=True)
        self._side_tasks.clear()
        for source in {id(s): s for s in (self.source, self.fallback) if s is not None}.values():
            await source.close()
        self._executor.shutdown(wait=True)
        self._store_executor.shutdown(wait=True)

    # -- switching ---------------------------------------------------------------------------
    def reload(self, venue: str, symbols: tuple[str, str], timeframe: str, *,
               source: Source | None = None) -> None:
        """Show ``symbols`` at ``timeframe`` from ``venue`` instead.

        Returns at once; the last of several quick requests wins. A selection the venue
        cannot serve is refused with a notice and the status names the one
        still shown, which keeps running.
        """
        previous = self._reload_task
        if previous is not None:
            previous.cancel()
        if source is None:
            self._replay_origin = None  # another selection ends a bar replay
        self._pending = Selection(venue, tuple(symbols), timeframe)
        self._reload_task = asyncio.ensure_future(
            self._reload(previous, venue, tuple(symbols), timeframe, source))

    async def _reload(self, previous: asyncio.Task | None, venue: str,
                      symbols: tuple[str, str], timeframe: str, given: Source | None) -> None:
        if previous is not None:
            await asyncio.gather(previous, return_exceptions=True)
        what = f"{' / '.join(symbols)} {timeframe}"
        try:
            source = given or self._source_for(venue)
        except SourceError as exc:
            self._refuse(str(exc), self._status)
            return
        shown_status = self._status
        self._tell(Status(source.label, Phase.CHECKING, what=what))
        still = f"Still showing {' / '.join(self.symbols)} {self.timeframe}."
        try:
            unreachable = await self._check(source, symbols, timeframe)
        except SourceError as exc:
            await self._discard(source)
            self._refuse(f"{str(exc).rstrip('.')}. {still}", shown_status)
            return
        except Exception as exc:  # a failed check must not end the selection shown
            log.exception("selection check failed")
            await self._discard(source)
            self._refuse(f"{source.label}: could not check {what} ({elide(exc)}). {still}", shown_status)
            return
        except BaseException:
            await self._discard(source)
            raise
        # From here to the new run nothing awaits: the old run cannot emit in between.
        dying = [t for t in (self._task, *self._side_tasks) if t is not None]
        for task in dying:
            task.cancel()
        self._side_tasks = []
        old = self.source
        self.source, self.symbols, self.timeframe = source, symbols, timeframe
        self._pending = None
        self._model = self._new_model()
        self._fallback_reason = None
        self._tell(Status(source.label, Phase.LOADING, what=what))
        self._task = asyncio.ensure_future(self._run(unreachable=unreachable, connected=True))
        self._retiring = [t for t in self._retiring if not t.done()]
        self._retiring.append(asyncio.ensure_future(self._retire(dying, old)))

    def _source_for(self, venue: str) -> Source:
        for source in (self.source, self.fallback):
            if source is not None and source.name == venue:
                return source
        if self._make_source is None:
            raise SourceError(f"Cannot switch to {venue}: only {self.source.label} is set up.")
        return self._make_source(venue)

    async def _check(self, source: Source, symbols: tuple[str, str], timeframe: str) -> str | None:
        """Raise :class:`SourceError` when ``source`` cannot serve the selection.

        Returns why an exchange did not answer (None when it did): unchecked then, it
        gets the startup treatment, cached candles and the demo.
        """
        if symbols[0] == symbols[1]:
            raise SourceError(f"{symbols[0]} is on both charts; pick two different symbols.")
        require_base(source.timeframes, timeframe, source.label)
        if MARKETS in source.capabilities:
            unreachable = await self._connect(source)
            if unreachable is not None:
                if self.fallback is not None and self.fallback is not source:
                    try:
                        await self._check(self.fallback, symbols, timeframe)
                    except SourceError as exc:
                        raise SourceError(f"{source.label} is not reachable ({unreachable}), "
                                          f"and the stand-in cannot show it: {exc}") from exc
                return unreachable
        for symbol in symbols:
            await source.check_symbol(symbol)
        return None

    async def _connect(self, source: Source) -> str | None:
        prepare = getattr(source, "prepare", None)
        if prepare is not None:
            # a client made on first use (seconds of imports on a slow computer) is not
            # the venue's silence: the timeout counts from the first request
            await prepare()
        try:
            await asyncio.wait_for(source.markets(), self.connect_timeout)
        except TimeoutError:
            return f"no answer within {self.connect_timeout:g} s"
        except SourceError as exc:
            return str(exc)
        return None

    def _refuse(self, message: str, status: Status | None) -> None:
        """Say why a selection was refused; the status names the one still shown."""
        self._pending = None
        self.report(message)
        self._tell(status or Status(self.source.label, Phase.LOADING))

    def _tell(self, status: Status) -> None:
        self._status = replace(status, offered=self._offered, pending=self._pending,
                               serving=Selection(self.source.name, tuple(self.symbols), self.timeframe))
        self.status.emit(self._status)

    def report(self, text: str) -> None:
        """A problem worded for the user (a store that set something aside, say)."""
        self.notice.emit(Notice(text, Level.PROBLEM))

    def _inform(self, text: str) -> None:
        self.notice.emit(Notice(text, Level.INFO))

    async def _discard(self, source: Source) -> None:
        """Close ``source`` unless the worker still uses it."""
        if source is not self.source and source is not self.fallback:
            await source.close()

    async def _retire(self, tasks: list[asyncio.Task], source: Source) -> None:
        await asyncio.gather(*tasks, return_exceptions=True)
        await self._discard(source)

    # -- running -----------------------------------------------------------------------------
    async def _run(self, *, unreachable: str | None = None, connected: bool = False) -> None:
        if HISTORY_SINCE in self.source.capabilities and self.store is not None:
            try:
                await self._run_exchange(self.source, self.store, unreachable, connected)
            except Exception as exc:  # the window must outlive any data failure
                log.exception("market worker failed")
                self.report(f"Market data stopped unexpectedly: {elide(exc)}")
                self._tell(Status(self.source.label, Phase.STOPPED))
            return
        await self._run_replay()

    def _base(self) -> tuple[str, dict[str, BucketFold]]:
        """The timeframe to ask the source for, and a fold per symbol into the shown one."""
        base = require_base(self.source.timeframes, self.timeframe, self.source.label)
        return base, {s: BucketFold(s, self.timeframe, base) for s in self.symbols}

    def _built(self, base: str) -> str:
        """The base timeframe a shown one is built from; empty when served as such."""
        return "" if base == self.timeframe else base

    def _folded(self, updates, folds: dict[str, BucketFold], base: str):
        return updates if base == self.timeframe else fold_stream(updates, folds)

    def _show_forming(self, folds: dict[str, BucketFold]) -> None:
        """The part of a bucket the history ends inside, as the forming candle."""
        for fold in folds.values():
            forming = fold.forming()
            if forming is not None:
                self.market.emit(forming)

    def _new_model(self) -> PairModel:
        return PairModel(self.symbols, self.timeframe, config=self.config,
                         structure_shown=self._structure_shown)

    def _key(self, symbol: str) -> tuple[str, str, str]:
        return (self.source.name, symbol, self.timeframe)

    def _saved_swings(self) -> dict[str, tuple[ManualSwing, ...]]:
        if self.user_store is None:
            return {}
        return {s: tuple(ManualSwing(m.time, m.kind) for m in self.user_store.swings(self._key(s)))
                for s in self.symbols}

    async def _stored(self, call, *args):
        """``call(*args)`` on the store thread, after every store call made before it."""
        return await asyncio.get_running_loop().run_in_executor(self._store_executor, call, *args)

    def _saved_drawings(self) -> dict[str, tuple[Drawing, ...]]:
        if self.user_store is None:
            return {}
        return {s: tuple(self.user_store.drawings(self._key(s))) for s in self.symbols}

    def _suppressed_swings(self) -> dict[str, tuple[SuppressedSwing, ...]]:
        if self.user_store is None:
            return {}
        return {s: tuple(SuppressedSwing(t, kind)
                         for t, kind in self.user_store.suppressed_swings(self._key(s)))
                for s in self.symbols}

    async def _in_model(self, step, *args):
        """``step(*args)`` on the analysis thread, after every command sent before it."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, step, *args)

    def _spawn(self, command) -> asyncio.Task:
        """Run a command of the window; it outlives a reload (it checks which model it
        ran on) and ends with the worker."""
        task = asyncio.ensure_future(command)
        self._commands.add(task)
        task.add_done_callback(self._commands.discard)
        return task

    async def _command(self, command, *args) -> None:
        """A pair model ``command`` (``PairModel.apply``, ...), its result shown unless the
        pair changed meanwhile (a reload makes a new model)."""
        model = self._model
        result = await self._in_model(command, model, *args)
        if model is self._model:
            await self._show(result)

    async def _load(self, label: str, histories,
                    derivatives: dict[str, Derivatives] | None = None) -> PairAnalysis:
        """The analysis of whole histories (with ``derivatives`` by symbol), on the analysis
        thread. The candles are shown at once (a snapshot not yet ``analysed``), then with
        their indicators (not yet ``detected``), then with their signals. When that keeps
        the window waiting for a while (on the very first start the compiled analysis loops
        are built for this machine first, in another process), the status bar says so."""
        model = self._model
        if model is not self._analysed:
            self.snapshot.emit(candles_only(self.timeframe, self.symbols, histories))
        loop = asyncio.get_running_loop()
        said = loop.time() + self.slow_analysis_seconds  # when to say so, once
        compiled = compiled_so_far()
        # a replay's alerts are its own, kept only while it runs: a period replayed
        # again alerts again, and the alert history holds what the market did
        replaying = self.source.name == BarReplay.name
        self.alert_log = AlertLog(None, venue=BarReplay.name) if replaying else self._alert_log
        self.alert_log.venue = self.source.name

        def load(a, b) -> PairAnalysis:
            # the user store is read here too, off the window's thread
            model.mark_seen(self.alert_log.seen())
            snapshot = model.load(a, b, manual=self._saved_swings(), suppressed=self._suppressed_swings(),
                                  derivatives=derivatives).snapshot
            return replace(snapshot, drawings=self._saved_drawings())

        async def run(step, *args):
            nonlocal said
            job = loop.run_in_executor(self._executor, step, *args)
            if said is not None:
                # asyncio.wait, not wait_for: wait_for drops a cancellation that arrives
                # as the job finishes, and a reload's cancelled run would go on.
                done, _ = await asyncio.wait({job}, timeout=max(said - loop.time(), 0.0))
                if not done:
                    said = None
                    self._tell(Status(label, Phase.ANALYSING, compiling=compiled_so_far() > compiled))
            return await job

        await run(kernels_ready)
        self.snapshot.emit(await run(load, *histories))
        self._analysed = model
        detected = (await run(model.detect)).snapshot
        freeze_long_lived()
        return detected

    async def _follow(self, updates) -> None:
        """Analyse closed candles as they come; pass forming ones straight to the chart."""
        async for update in updates:
            if not update.closed:
                self.market.emit(update)
                continue
            await self._show(await self._in_model(self._model.append, update.symbol, update.candles))

    async def _show(self, result: ModelResult) -> None:
        """Emit a command's result; its alerts are kept in the history first (off this thread)."""
        self.snapshot.emit(result.snapshot)
        if result.events:
            raised = await self._in_model(self.alert_log.record, result.alerts) if result.alerts else ()
            self.events.emit(Events(result.events, tuple(raised)))

    # -- commands from the window ------------------------------------------------------------
    def set_manual_swings(self, symbol: str, swings: tuple[ManualSwing, ...],
                          suppressed: tuple[SuppressedSwing, ...] = ()) -> None:
        """The user placed, moved or removed a swing of ``symbol``, or deleted an automatic
        one: re-run and save them."""
        if symbol not in self.symbols:
            return
        self._spawn(self._set_manual(symbol, tuple(swings), tuple(suppressed)))

    async def _set_manual(self, symbol: str, swings: tuple[ManualSwing, ...],
                          suppressed: tuple[SuppressedSwing, ...]) -> None:
        model, key = self._model, self._key(symbol)

        def command() -> ModelResult:
            result = model.set_manual(symbol, swings, suppressed)
            if self.user_store is not None:
                self._save_swings(key, result.snapshot.assets[self.symbols.index(symbol)])
            return result

        try:
            result = await self._in_model(command)
        except Exception as exc:  # the swing is still shown; only saving it failed
            log.exception("saving manual swings failed")
            self.report(f"Your swings of {symbol} could not be saved: {exc}")
            return
        if model is self._model:
            await self._show(result)

    def _save_swings(self, key, asset) -> None:
        stored = {(m.time, m.kind) for m in self.user_store.swings(key)}
        wanted = {(m.time, m.kind) for m in asset.manual}
        for t, kind in stored - wanted:
            self.user_store.delete_swing(key, t, kind)
        c = asset.candles
        for t, kind in wanted - stored:
            i = int(c.time.searchsorted(t))
            price = float(c.high[i] if kind == "high" else c.low[i])
            self.user_store.set_swing(key, StoredSwing(t, kind, price))
        stored = set(self.user_store.suppressed_swings(key))
        wanted = {(m.time, m.kind) for m in asset.suppressed}
        for t, kind in stored - wanted:
            self.user_store.restore_swing(key, t, kind)
        for t, kind in wanted - stored:
            self.user_store.suppress_swing(key, t, kind)

    def save_drawings(self, key: tuple[str, str, str], drawings: tuple[Drawing, ...]) -> None:
        """Keep ``drawings`` as every drawing of the (venue, symbol, timeframe) ``key``; written
        on the analysis thread, after every command sent before, so a reload reads them back."""
        if self.user_store is not None:
            self._spawn(self._save_drawings(key, tuple(drawings)))

    async def _save_drawings(self, key, drawings: tuple[Drawing, ...]) -> None:
        try:
            await self._in_model(self.user_store.set_drawings, key, drawings)
        except Exception as exc:  # the drawing is still shown; only saving it failed
            log.exception("saving drawings failed")
            self.report(f"Your drawings on {key[1]} {key[2]} could not be saved: {exc}")

    # -- settings ----------------------------------------------------------------------------
    def apply_settings(self, settings: Settings) -> None:
        """Analyse with ``settings`` from now on; the pair shown is analysed again at once
        (``snapshot``) when a threshold changed. Returns at once; the last of several
        quick calls wins."""
        self.settings = settings
        config = model_config(settings)
        if config == self.config:
            return
        self.config = config
        if self._settings_task is not None:
            self._settings_task.cancel()
        self._settings_task = asyncio.ensure_future(self._command(PairModel.apply, config))

    @property
    def settings_pending(self) -> bool:
        """Whether the analysis with the settings last applied is still to come."""
        return self._settings_task is not None and not self._settings_task.done()

    def show_structure(self, shown: bool) -> None:
        """Whether the snapshots carry the market structure a chart layer shows."""
        self._structure_shown = shown
        self._spawn(self._command(PairModel.show_structure, shown))

    @property
    def structure_shown(self) -> bool:
        return self._structure_shown

    def import_candles(self, path: Path, symbol: str, timeframe: str) -> None:
        """Keep the candles of a CSV file as ``symbol`` at ``timeframe`` among the imported
        candles. A notice says what was stored, or why nothing was; with two symbols at
        that timeframe stored the imported pair is shown."""
        self._spawn(self._import(path, symbol, timeframe))

    async def _import(self, path: Path, symbol: str, timeframe: str) -> None:
        if self.store is None:
            self.notice.emit(Notice("There is no candle cache to import into.", Level.REFUSED))
            return
        try:
            summary = await self._stored(import_csv, path, IMPORTED, symbol, timeframe, self.store)
        except SmtdeskError as exc:
            self.notice.emit(Notice(str(exc), Level.REFUSED))
            return
        held = tuple(s for s, tf in await self._stored(self.store.series, IMPORTED) if tf == timeframe)
        if len(held) < 2:
            self._inform(f"{summary} Import a second symbol at this timeframe to chart them as a pair.")
            return
        self._inform(str(summary))
        shown = tuple(s for s in self.symbols if s in held)
        pair = shown if len(shown) == 2 else (summary.symbol, next(s for s in held if s != summary.symbol))
        self.reload(summary.venue, pair, summary.timeframe)

    def smt_outcomes(self, analysis: PairAnalysis, fill_bars: int) -> asyncio.Task:
        """How the trade plans of ``analysis``'s confirmed SMT signals played out, found on
        the analysis thread, with the journaled trades among them; the task's result is an
        :class:`OutcomeReport`."""
        venue = self.source.name

        def report():
            return outcome_report(analysis, fill_bars=fill_bars, journal=self._journal(analysis, venue))

        return self._spawn(self._in_model(report))

    def alert_history(self, *, limit: int = HISTORY_LIMIT) -> list[RaisedAlert]:
        return self.alert_log.history(limit=limit)

    # -- trade journal -------------------------------------------------------------------------
    def journal(self, analysis: PairAnalysis | None = None) -> asyncio.Task:
        """Every journaled trade, newest first (a task). The open ones of ``analysis``'s
        venue and timeframe are followed on its candles first, and kept with the result
        the candles give them."""
        return self._spawn(self._in_model(self._journal, analysis, self.source.name))

    def _journal(self, analysis: PairAnalysis | None, venue: str) -> list[JournalEntry]:
        if self.user_store is None:
            return []
        entries = self.user_store.journal()
        if analysis is None:
            return entries
        candles = {a.symbol: a.candles for a in analysis.assets}
        followed = []
        for e in entries:
            if e.venue == venue and e.timeframe == analysis.timeframe and e.symbol in candles:
                now = follow(e, candles[e.symbol])
                if now != e:
                    e = self.user_store.save_journal(now)
            followed.append(e)
        return followed

    def save_journal(self, entry: JournalEntry, images: dict[str, object] | None = None) -> asyncio.Task:
        """Keep a journaled trade (a task giving it back with its id), with ``images`` of
        the charts (name -> a QImage) written beside the user store first."""
        return self._spawn(self._in_model(self._save_journal, entry, dict(images or {})))

    def _save_journal(self, entry: JournalEntry, images: dict[str, object]) -> JournalEntry:
        if self.user_store is None:
            raise StorageError("There is no user store to keep the journal in.")
        if images:
            folder = self.user_store.path.parent / "journal"
            folder.mkdir(parents=True, exist_ok=True)
            stamp = time.strftime("%Y%m%d-%H%M%S")
            paths = []
            for name, image in images.items():
                path = folder / f"{stamp}-{entry.symbol.split('/')[0]}-{name}.png"
                if image.save(str(path), "PNG"):
                    paths.append(str(path))
            entry = replace(entry, screenshots=(*entry.screenshots, *paths))
        return self.user_store.save_journal(entry)

    def delete_journal(self, entry_id: int) -> asyncio.Task:
        return self._spawn(self._in_model(self.user_store.delete_journal, entry_id))

    # -- bar replay --------------------------------------------------------------------------
    @property
    def replay(self) -> BarReplay | None:
        """The bar replay running, if any (its controls: play, pause, step, speed)."""
        return self.source if self.source.name == BarReplay.name else None

    def start_replay(self, cursor: int, series: dict[str, Candles] | None = None, *,
                     speed: int = 10) -> None:
        """Replay the pair from the bar opening at ``cursor`` (epoch ms) on, ``speed`` bars
        a second: ``series`` are the candles shown (during a replay, the replay's own).
        The manual swings come along; :meth:`end_replay` says whether those placed
        meanwhile are kept."""
        running = self.replay
        if running is not None:
            series = running.series
        if self._replay_origin is None:
            self._replay_origin = Selection(self.source.name, tuple(self.symbols), self.timeframe)
        try:
            source = BarReplay(series, self.timeframe, cursor, origin=self._replay_origin.venue,
                               speed=speed)
        except SourceError as exc:
            self.report(str(exc))
            return
        fresh = running is None
        self._spawn(self._start_replay(source, fresh))

    async def _start_replay(self, source: BarReplay, fresh: bool) -> None:
        if fresh and self.user_store is not None:
            await self._in_model(self._copy_swings, self._replay_origin.venue, BarReplay.name)
        self.reload(BarReplay.name, tuple(self.symbols), self.timeframe, source=source)

    def end_replay(self, *, keep: bool) -> None:
        """Back to the market the replay started from; the swings placed during the
        replay are kept there when ``keep``."""
        origin, self._replay_origin = self._replay_origin, None
        if origin is None:
            return
        self._spawn(self._end_replay(origin, keep))

    async def _end_replay(self, origin: Selection, keep: bool) -> None:
        if self.user_store is not None:
            await self._in_model(self._finish_swings, origin.venue, keep)
        self.reload(origin.venue, origin.symbols, origin.timeframe)

    def _copy_swings(self, venue: str, to: str) -> None:
        """The swings (placed and deleted) and drawings of the pair on ``venue`` become
        those on ``to``."""
        for symbol in self.symbols:
            src, dst = (venue, symbol, self.timeframe), (to, symbol, self.timeframe)
            for m in self.user_store.swings(dst):
                self.user_store.delete_swing(dst, m.time, m.kind)
            for m in self.user_store.swings(src):
                self.user_store.set_swing(dst, m)
            for t, kind in self.user_store.suppressed_swings(dst):
                self.user_store.restore_swing(dst, t, kind)
            for t, kind in self.user_store.suppressed_swings(src):
                self.user_store.suppress_swing(dst, t, kind)
            self.user_store.set_drawings(dst, self.user_store.drawings(src))

    def _finish_swings(self, venue: str, keep: bool) -> None:
        if keep:
            self._copy_swings(BarReplay.name, venue)
        for symbol in self.symbols:
            key = (BarReplay.name, symbol, self.timeframe)
            for m in self.user_store.swings(key):
                self.user_store.delete_swing(key, m.time, m.kind)
            for t, kind in self.user_store.suppressed_swings(key):
                self.user_store.restore_swing(key, t, kind)
            self.user_store.set_drawings(key, ())

    async def _run_exchange(self, source: Source, store: CandleStore,
                            unreachable: str | None, connected: bool) -> None:
        """Cached candles, the missing ones, then live. With nothing cached the demo
        stands in at once until the venue answers.

        ``connected`` says the market list was already asked for (by a reload), and
        ``unreachable`` why it did not come.
        """
        label = source.label
        source.on_status = lambda text: self._tell(Status(label, Phase.NOTE, reason=text))
        source.on_problem = self.report
        try:
            base, folds = self._base()
        except SourceError as exc:
            self.report(str(exc))
            self._tell(Status(label, Phase.STOPPED))
            return
        cached = [folds[s].history(await self._stored(store.load_candles, source.name, s, base))
                  for s in self.symbols]
        has_cache = all(len(c) for c in cached)
        if has_cache:
            analysis = await self._load(label, cached)
            self.snapshot.emit(analysis)
            await self._cached_derivatives(source.name, store)
            self._tell(Status(label, Phase.CACHED, count=len(cached[0])))
        else:
            self._tell(Status(label, Phase.CONNECTING))
        reason = unreachable if connected else None
        if not has_cache and self.fallback is not None:
            if not connected or reason is not None:
                await self._stand_in(source, reason)
                reason = None
        elif not connected:
            reason = await self._connect(source)
        if reason is not None and not has_cache:
            self.report(f"{label} is not reachable ({reason}).")
            self._tell(Status(label, Phase.STOPPED, reason=reason))
            return
        if reason is not None:
            self.report(f"{label} is not reachable ({reason}); showing the cached candles "
                             "while it keeps trying.")
        while reason is not None:
            # the cached candles stay on screen; the venue is asked again now and then
            self._tell(Status(label, Phase.OFFLINE, cached=True, reason=reason,
                                            resume_at=_ms_from_now(self.resume_delay)))
            await self._sleep(self.resume_delay)
            reason = await self._connect(source)
        markets = await source.markets()  # loaded by the connect: no request
        self._offered = tuple(m.symbol for m in markets if m.active)
        while True:
            try:
                await self._sync_and_follow(source, store, base, folds)
                return
            except UnknownSymbol as exc:
                self.report(str(exc))
                self._tell(Status(label, Phase.STOPPED, reason=elide(exc)))
                return
            except Exception as exc:
                # keep what is shown; the store remembers how far we got. Anything else
                # (a full disk, a reply ccxt could not parse) may pass too, so it is retried
                message = str(exc)
                if not isinstance(exc, SmtdeskError):
                    log.exception("market data failed")
                    message = f"{label} data stopped unexpectedly: {elide(exc)}"
                wait = max(self.resume_delay, source.seconds_blocked())
                self.report(message)
                self._tell(Status(label, Phase.OFFLINE, reason=message,
                                                resume_at=_ms_from_now(wait)))
                await self._sleep(wait)

    async def _stand_in(self, source: Source, reason: str | None) -> None:
        """The demo market, shown at once while ``source`` connects, which is asked again
        every ``resume_delay`` seconds while it does not answer (``reason``: why it did not
        the first time). Returns when it answers, the demo stopped and a new pair model
        ready for the venue's candles."""
        label, venue, noted = source.label, self.source, source.on_status
        self.source = self.fallback
        self._fallback_reason = f"while {label} connects"
        # the venue's retries are told as what the demo stands in for, not instead of it
        source.on_status = lambda text: self._tell(replace(
            self._status, reason=f"while {label} connects: {text.rstrip('.')}"))
        demo = asyncio.ensure_future(self._run_replay())
        try:
            told = False
            if reason is None:
                reason = await self._connect(source)
            while reason is not None:
                if not told:
                    told = True
                    self.report(f"{label} is not reachable ({reason}); showing the demo market "
                                "while it keeps trying.")
                self._fallback_reason = f"{label} not reachable: {reason}; trying again"
                if self._status is not None and self._status.phase is Phase.LIVE:
                    self._tell(Status(self.source.label, Phase.LIVE, reason=self._fallback_reason))
                await self._sleep(self.resume_delay)
                reason = await self._connect(source)
        except (asyncio.CancelledError, Exception):
            # a reload or stop: the source it set (or none) stays, the venue is closed
            await self._end(demo)
            await self._discard(venue)
            raise
        await self._end(demo)
        self.source, source.on_status = venue, noted
        self._fallback_reason = None
        self._inform(f"{label} answered: showing its candles instead of the demo market.")
        self._model = self._new_model()
        self._tell(Status(label, Phase.CONNECTING))

    @staticmethod
    async def _end(task: asyncio.Task) -> None:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    async def _sync_and_follow(self, source: Source, store: CandleStore,
                               base: str, folds: dict[str, BucketFold]) -> None:
        label = source.label
        n = len(self.symbols)
        ratio = timeframe_ms(self.timeframe) // timeframe_ms(base)
        bars = min(self.history_bars * ratio, max(self.history_bars, MAX_BASE_BARS))
        stored = []
        for i, symbol in enumerate(self.symbols):
            self._tell(Status(label, Phase.FETCHING, what=f"{symbol} {self.timeframe}",
                                            built_from=self._built(base)))
            stored.append(await sync_candles(
                source, store, symbol, base, bars=bars,
                on_progress=lambda f, i=i: self._on_progress(label, (i + f) / n), run=self._stored,
            ))
        histories = [folds[s].history(c) for s, c in zip(self.symbols, stored)]
        analysis = await self._load(label, histories)
        self.snapshot.emit(analysis)
        self._show_forming(folds)
        if not self._side_tasks:
            if DERIVATIVES in source.capabilities:
                self._side_tasks.append(asyncio.ensure_future(self._derivatives(source, store)))
            if LIQUIDATIONS in source.capabilities:
                self._side_tasks.append(asyncio.ensure_future(self._liquidations(source, store)))
        self._tell(Status(label, Phase.LIVE))
        since = {s: int(c.time[-1]) for s, c in zip(self.symbols, stored) if len(c)}
        updates = record(source.stream(self.symbols, base, since=since), store, source.name, self._stored)
        await self._follow(self._folded(updates, folds, base))

    def _on_progress(self, label: str, fraction: float) -> None:
        percent = int(round(100 * fraction))
        self._tell(Status(label, Phase.FETCHING, percent=percent))

    async def _derivatives(self, source: Source, store: CandleStore) -> None:
        """Funding, open interest and ratios of each symbol, kept and shown."""
        for symbol in self.symbols:
            fetched = await self._fetch_derivatives(source, symbol)
            for series in fetched:
                await self._stored(store.save_series, source.name, series)
                self.market.emit(series)
            if fetched:
                # the §6 rules that read derivatives (overheat, OI with price) re-run
                await self._command(PairModel.set_derivatives, symbol, _model_input(fetched))

    async def _fetch_derivatives(self, source: Source, symbol: str) -> list[DerivSeries]:
        """The derivatives series ``source`` has for ``symbol``; a missing kind is not fatal."""
        period = self.derivatives_period
        fetches = (
            lambda: source.funding_history(symbol),
            lambda: source.open_interest_history(symbol, period),
            lambda: source.long_short_ratios(symbol, period),
        )
        fetched = []
        for fetch in fetches:
            try:
                result = await fetch()
            except SourceError as exc:
                self._inform(str(exc))
                continue
            except Exception as exc:  # a record ccxt could not parse must not end the rest
                log.exception("derivatives fetch failed")
                self._inform(f"{source.label} derivatives data of {symbol} unreadable: {elide(exc)}")
                continue
            fetched += result.values() if isinstance(result, dict) else (result,)
        return fetched

    async def _cached_derivatives(self, venue: str, store: CandleStore) -> None:
        """The derivatives series kept from an earlier run, shown with the cached candles."""
        p = self.derivatives_period
        wanted = ((dv.FUNDING, "8h"), (dv.OPEN_INTEREST, p), *((k, p) for k in dv.RATIO_KINDS))
        for symbol in self.symbols:
            got: dict[str, Series] = {}
            for kind, period in wanted:
                series = await self._stored(store.load_series, venue, symbol, kind, period)
                if len(series.time):
                    self.market.emit(series)
                    got[_MODEL_FIELD[kind]] = Series(series.time, series.value)
            if got:
                await self._command(PairModel.set_derivatives, symbol, Derivatives(**got))

    async def _liquidations(self, source: Source, store: CandleStore) -> None:
        try:
            async for events in source.liquidations(self.symbols):
                await self._stored(store.save_liquidations, source.name, events)
        except SourceError as exc:
            self._inform(str(exc))
        except Exception as exc:  # candles go on without liquidations
            log.exception("liquidation stream failed")
            self._inform(f"{source.label} liquidation recording stopped: {elide(exc)}")

    async def _run_replay(self) -> None:
        label = self.source.label
        try:
            if MARKETS not in self.source.capabilities:
                self._offered = tuple(self.source.symbols)
            base, folds = self._base()
            self._tell(Status(
                label, Phase.LOADING, what=f"{' / '.join(self.symbols)} {self.timeframe} history",
                built_from=self._built(base), reason=self._fallback_reason or ""))
            histories = [folds[s].history(await self.source.history(s, base))
                         for s in self.symbols]
            # a recording's derivatives are at hand: analysed with the history, not after it
            recorded = ({s: await self._fetch_derivatives(self.source, s) for s in self.symbols}
                        if DERIVATIVES in self.source.capabilities else {})
            analysis = await self._load(label, histories, {s: _model_input(got)
                                                           for s, got in recorded.items() if got})
            self.snapshot.emit(analysis)
            for series in (x for got in recorded.values() for x in got):
                self.market.emit(series)
            self._show_forming(folds)
            if LIVE not in self.source.capabilities:
                self._tell(Status(label, Phase.NO_LIVE, count=len(histories[0])))
                return
            self._tell(Status(label, Phase.LIVE, reason=self._fallback_reason or ""))
            await self._follow(self._folded(self.source.stream(self.symbols, base), folds, base))
            self._tell(Status(label, Phase.FINISHED))
        except SourceError as exc:
            self.report(str(exc))
            self._tell(Status(label, Phase.STOPPED))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the window must outlive any data failure
            log.exception("market worker failed")
            self.report(f"Market data stopped unexpectedly: {elide(exc)}")
            self._tell(Status(label, Phase.STOPPED))
