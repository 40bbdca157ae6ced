"""The one engine: two aligned candle series in, signal events out, batch or live.

``SmtEngine.run`` scans a whole history; ``SmtEngine.update`` takes the same series
grown by one or more closed bars and returns only the new events. Both produce the
same events in the same order: a live update resolves the still-open signals with the
same rule functions (:mod:`smtdesk.core.smt.rules`) over the longer series, and every rule
answer about a bar never depends on later bars. ``SignalEngine`` adds each asset's
indicator and derivatives signals (domain §6) to the same stream.

Typical use::

    engine = SmtEngine("1h", ("BTC", "ETH"))
    history = engine.run(btc, eth, align=True)        # every event so far
    ...
    for event in engine.update(btc, eth, align=True):  # after each closed candle
        raise_on_screen(event)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields, replace
from typing import Any

import numpy as np

from smtdesk.core.candles import Candles, align_pair
from smtdesk.core.signals.event_table import STATE_ORDER, Block, EventTable, records
from smtdesk.core.signals.indicators import (
    Derivatives,
    IndicatorColumns,
    IndicatorSignalParams,
    indicator_sink,
)
from smtdesk.core.signal import Direction, Signal
from smtdesk.core.signals.sink import Sink
from smtdesk.core.smt.rules import SmtParams, Space, TableSeek, find_sweeps, resolve, scan_seek
from smtdesk.core.smt.context import PairContext
from smtdesk.core.smt.events import Side, build_blocks
from smtdesk.core.structure.swings import (
    ManualSwing,
    SuppressedSwing,
    SwingSet,
    find_swing_sets,
    pivots_in,
)

_DIRECTIONS = (Direction.BEARISH, Direction.BULLISH)


class _Group:
    """Sweeps of one asset (X) in one direction, and their still-open signals."""

    __slots__ = ("xi", "direction", "ref_bar", "swept", "alive_j0", "alive_t")

    def __init__(self, xi: int, direction: Direction) -> None:
        self.xi = xi
        self.direction = direction
        self.ref_bar = -1
        self.swept = False
        self.alive_j0 = np.empty(0, np.int64)
        self.alive_t = np.empty(0, np.int64)

    @property
    def yi(self) -> int:
        return 1 - self.xi


class SmtEngine:
    """SMT divergence signals (domain §5, rules §5a) on a pair of aligned candle series.

    Parameters
    ----------
    timeframe:
        Candle timeframe of both series ("1h", "4h", ...), carried by every signal.
    assets:
        Names of the two assets; they prefix the level keys ("A.swept", "B.prior", ...).
    params:
        Thresholds; keyword overrides such as ``major=3`` replace single fields.

    Feed closed candles only: the last bar of each series must be final.
    """

    def __init__(
        self,
        timeframe: str,
        assets: tuple[str, str] = ("A", "B"),
        *,
        params: SmtParams | None = None,
        **overrides: float,
    ) -> None:
        known = {f.name for f in fields(SmtParams)}
        unknown = set(overrides) - known
        if unknown:
            raise TypeError(f"unknown SMT parameter(s): {sorted(unknown)}")
        self.timeframe = timeframe
        self.assets = tuple(assets)
        self.params = replace(params or SmtParams(), **overrides)
        self._manual: dict[str, tuple[ManualSwing, ...]] = {}
        self._suppressed: dict[str, tuple[SuppressedSwing, ...]] = {}
        p = self.params
        self._context = PairContext(
            timeframe,
            major=p.major,
            atr_period=p.atr_period,
            corr_window=p.corr_window,
            corr_min=p.corr_min,
        )
        self._reset(Candles.empty(), Candles.empty())

    # public API -------------------------------------------------------------------------

    @property
    def events(self) -> list[Signal]:
        """Every event emitted since the last :meth:`run`, in order."""
        time = self._a.time
        out: list[Signal] = []
        for blocks in self._emitted:
            out.extend(EventTable.build(blocks, time=time, timeframe=self.timeframe))
        return out

    def run(
        self,
        a: Candles,
        b: Candles,
        *,
        manual: Mapping[str, Iterable[ManualSwing]] | None = None,
        suppressed: Mapping[str, Iterable[SuppressedSwing]] | None = None,
        align: bool = False,
    ) -> EventTable:
        """All events of a full history, ordered by the bar they became known.

        ``manual`` maps an asset name to the swings placed by hand on it, ``suppressed``
        to the automatic swings deleted on it (None keeps those of the previous call,
        ``{}`` clears them); after either changes, call ``run`` again. With ``align=True`` the series are first
        inner-joined on their timestamps. The events come as a read-only sequence whose
        records are built when read.
        """
        if align:
            a, b = align_pair(a, b)
        blocks = self._run(a, b, manual, suppressed)
        return EventTable.build(blocks, time=a.time, timeframe=self.timeframe)

    def update(self, a: Candles, b: Candles, *, align: bool = False) -> list[Signal]:
        """Only the events new since the previous call, after the series grew.

        ``a`` and ``b`` are the full aligned series, extended by one or more closed bars;
        bars already seen are taken as final (only timestamps are checked). If the series
        is not an extension of the held one (other first or last-held timestamp),
        everything is recomputed and the events after the previous last bar are returned;
        after revising old candles or changing manual swings, call :meth:`run`.
        """
        if align:
            a, b = align_pair(a, b)
        self._check_tail_aligned(a, b)
        if not self._extends(a):
            return self._rerun(lambda: self.run(a, b))
        return _in_stream_order(self._grow(a, b), a.time, self.timeframe)

    # internals --------------------------------------------------------------------------

    def _run(
        self,
        a: Candles,
        b: Candles,
        manual: Mapping[str, Iterable[ManualSwing]] | None,
        suppressed: Mapping[str, Iterable[SuppressedSwing]] | None = None,
    ) -> list[Block]:
        """Blocks of every event of a full history; the live state is set from it."""
        if manual is not None:
            self._manual = {name: tuple(m) for name, m in manual.items()}
        if suppressed is not None:
            self._suppressed = {name: tuple(m) for name, m in suppressed.items()}
        self._check_aligned(a, b)
        self._reset(a, b)
        self._context.run(a, b)
        n_bars = len(a)
        seek = TableSeek()
        blocks: list[Block] = []
        for g in self._groups:
            x, y, x_major, y_minor = self._group_inputs(g)
            j0, t = find_sweeps(x, x_major, seek, n_bars)
            res = resolve(x, y, x_major, y_minor, j0, t, n_bars, self.params, seek)
            blocks.extend(self._blocks_of(g, res, from_bar=0))
            bars, _ = x_major.known_by(n_bars - 1)
            g.ref_bar = int(bars.max()) if len(bars) else -1
            g.swept = bool(np.any(j0 == g.ref_bar))
            keep = ~res.terminal()
            g.alive_j0, g.alive_t = j0[keep], t[keep]
        self._emitted.append(blocks)
        return blocks

    def _grow(self, a: Candles, b: Candles) -> list[Block]:
        """Blocks of the events new in ``a``, ``b`` (an extension of the held series)."""
        n_old = len(self._a)
        if len(a) == n_old:
            return []
        self._a, self._b = a, b
        self._context.update(a, b)
        n_bars = len(a)
        for ai, c in enumerate((a, b)):
            name = self.assets[ai]
            if not self._manual.get(name) and not self._suppressed.get(name):
                continue
            tail = self._bars_of(self._manual.get(name, ()), c[n_old:])
            gone = self._bars_of(self._suppressed.get(name, ()), c[n_old:])
            for (aj, kind, _), ss in self._swings.items():
                if aj == ai:
                    ss.add_manual(tail[kind] + n_old, gone[kind] + n_old)
        for (ai, kind, _), ss in self._swings.items():
            c = self._candles(ai)
            values = c.high if kind == "high" else c.low
            ss.extend(
                pivots_in(
                    values, strength=ss.strength, start=n_old, sign=1.0 if kind == "high" else -1.0
                )
            )
        blocks: list[Block] = []
        for g in self._groups:
            x, y, x_major, y_minor = self._group_inputs(g)
            j0_new, t_new = self._sweeps_live(g, x, x_major, n_old, n_bars)
            if not len(j0_new) and not len(g.alive_j0):
                continue
            j0 = np.concatenate([g.alive_j0, j0_new])
            t = np.concatenate([g.alive_t, t_new])
            res = resolve(x, y, x_major, y_minor, j0, t, n_bars, self.params, scan_seek)
            blocks.extend(self._blocks_of(g, res, from_bar=n_old))
            keep = ~res.terminal()
            g.alive_j0, g.alive_t = j0[keep], t[keep]
        if blocks:
            self._emitted.append(blocks)
        return blocks

    def _rerun(self, run) -> list[Signal]:
        """``run()`` from scratch; only its events after the previously held last bar."""
        last = int(self._a.time[-1]) if len(self._a) else None
        events = run()
        if last is None:
            return list(events)
        return list(events.select(events.known_time > last))

    def _check_tail_aligned(self, a: Candles, b: Candles) -> None:
        # The held history was checked when it arrived; only the new bars need it.
        self._check_aligned(a, b, from_bar=max(len(self._a) - 1, 0))

    def _reset(self, a: Candles, b: Candles) -> None:
        self._a, self._b = a, b
        self._emitted: list[list[Block]] = []  # the run's blocks, then each update's
        self._groups = [_Group(xi, d) for xi in (0, 1) for d in _DIRECTIONS]
        p = self.params
        self._swings: dict[tuple[int, str, str], SwingSet] = {}
        for ai, c in enumerate((a, b)):
            name = self.assets[ai]
            manual = self._bars_of(self._manual.get(name, ()), c)
            gone = self._bars_of(self._suppressed.get(name, ()), c)
            swings = find_swing_sets(c.high, c.low, strengths=(p.major, p.minor))
            for cls, strength, sw in zip(("major", "minor"), (p.major, p.minor), swings):
                for kind, auto in (("high", sw.high_idx), ("low", sw.low_idx)):
                    self._swings[(ai, kind, cls)] = SwingSet(
                        auto, manual[kind], strength=strength, suppressed=gone[kind]
                    )

    @staticmethod
    def _bars_of(
        marks: Iterable[ManualSwing | SuppressedSwing], c: Candles
    ) -> dict[str, np.ndarray]:
        """Bars of ``c`` of the marked swings, by kind; marks off its bars are dropped."""
        out = {}
        for kind in ("high", "low"):
            times = np.array([m.time for m in marks if m.kind == kind], np.int64)
            pos = np.searchsorted(c.time, times)
            inside = pos < len(c.time)
            inside[inside] = c.time[pos[inside]] == times[inside]
            out[kind] = pos[inside]
        return out

    def _candles(self, ai: int) -> Candles:
        return self._a if ai == 0 else self._b

    def _group_inputs(self, g: _Group) -> tuple[Space, Space, SwingSet, SwingSet]:
        bearish = g.direction is Direction.BEARISH
        x = Space(self._candles(g.xi), g.direction)
        y = Space(self._candles(g.yi), g.direction)
        x_major = self._swings[(g.xi, "high" if bearish else "low", "major")]
        y_minor = self._swings[(g.yi, "low" if bearish else "high", "minor")]
        return x, y, x_major, y_minor

    @staticmethod
    def _check_aligned(a: Candles, b: Candles, *, from_bar: int = 0) -> None:
        if len(a) != len(b) or not (a.time[from_bar:] == b.time[from_bar:]).all():
            raise ValueError("a, b: series must be aligned (same timestamps); use align=True")

    def _extends(self, a: Candles) -> bool:
        n_old = len(self._a)
        if n_old == 0:
            return False
        return (
            len(a) >= n_old
            and a.time[n_old - 1] == self._a.time[-1]
            and a.time[0] == self._a.time[0]
        )

    @staticmethod
    def _sweeps_live(
        g: _Group, x: Space, x_major: SwingSet, n_old: int, n_bars: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Rule 1 bar by bar over the new bars, continuing the reference-swing state."""
        j0, t = [], []
        for k in range(n_old, n_bars):
            for bar in x_major.known_at(k):
                if bar > g.ref_bar:
                    g.ref_bar, g.swept = int(bar), False
            if g.ref_bar >= 0 and not g.swept and x.high(k) > x.high(g.ref_bar):
                j0.append(g.ref_bar)
                t.append(k)
                g.swept = True
        return np.array(j0, np.int64), np.array(t, np.int64)

    def _blocks_of(self, g: _Group, res, *, from_bar: int) -> list[Block]:
        bearish = g.direction is Direction.BEARISH
        side = Side(
            direction=g.direction,
            x_name=self.assets[g.xi],
            y_name=self.assets[g.yi],
            x=self._candles(g.xi),
            y=self._candles(g.yi),
            yi=g.yi,
            y_target_swings=self._swings[(g.yi, "low" if bearish else "high", "major")],
            y_target_minor=self._swings[(g.yi, "low" if bearish else "high", "minor")],
        )
        return build_blocks(side, res, from_bar=from_bar, params=self.params, context=self._context)


def _any_event_key(sig: Signal) -> tuple:
    """The order of the merged stream: SMT events first among those known at one bar."""
    return (sig.known_time, sig.kind != "smt", sig.ref_time, sig.id, STATE_ORDER[sig.state])


_FEW_EVENTS = 256
"""Up to this many events (a live bar has a few) are built and sorted as records."""


def _in_stream_order(blocks: list[Block], time: np.ndarray, timeframe: str) -> list[Signal]:
    """The events of ``blocks`` in :func:`_any_event_key` order, as records."""
    if sum(len(b) for b in blocks) > _FEW_EVENTS:
        return list(_table(blocks, time, timeframe))
    events = records(blocks, time=time, timeframe=timeframe)
    events.sort(key=_any_event_key)
    return events


def _table(blocks: list[Block], time: np.ndarray, timeframe: str) -> EventTable:
    """The events of ``blocks`` in :func:`_any_event_key` order, as a table."""
    return EventTable.build(
        blocks, time=time, timeframe=timeframe, group=[int(b.kind != "smt") for b in blocks]
    )


def _blocks(smt: list[Block], sinks: list[Sink]) -> list[Block]:
    return smt + [blk for sink in sinks for blk in sink.blocks]


class SignalEngine:
    """Every signal of domain §5–§6 on a pair: SMT events plus each asset's indicator and
    derivatives events, in one ordered stream; same batch/live contract as :class:`SmtEngine`.

    ``derivatives`` maps an asset name to its :class:`~smtdesk.core.signals.indicators.Derivatives`.
    A full scan computes the indicator columns on a helper thread beside the SMT scan.
    """

    def __init__(
        self,
        timeframe: str,
        assets: tuple[str, str] = ("A", "B"),
        *,
        params: SmtParams | None = None,
        indicator_params: IndicatorSignalParams | None = None,
        **overrides: float,
    ) -> None:
        self.smt = SmtEngine(timeframe, assets, params=params, **overrides)
        self.timeframe, self.assets = timeframe, self.smt.assets
        self.indicator_params = indicator_params or IndicatorSignalParams()
        self._columns = [IndicatorColumns(), IndicatorColumns()]
        self._n = 0

    def run(
        self,
        a: Candles,
        b: Candles,
        *,
        manual: Mapping[str, Iterable[ManualSwing]] | None = None,
        suppressed: Mapping[str, Iterable[SuppressedSwing]] | None = None,
        derivatives: Mapping[str, Derivatives] | None = None,
        align: bool = False,
    ) -> EventTable:
        """All events of a full history, ordered by the bar they became known (a
        read-only sequence whose records are built when read)."""
        if align:
            a, b = align_pair(a, b)
        self.smt._check_aligned(a, b)  # before any work starts on another thread
        # The indicator columns need only the candles; their compiled kernels release
        # the interpreter, so they run beside the SMT scan. The detectors need the
        # SMT engine's swings (manual ones included): the helper runs B's once its
        # columns are done and the scan is over, while this thread runs A's.
        scanned = threading.Event()

        def columns_then_b_signals() -> Sink:
            self._columns[1].run(b)
            scanned.wait()
            return self._indicator_sink(1, b, 0, derivatives)

        with ThreadPoolExecutor(max_workers=1) as pool:  # runs its tasks in order
            columns_a = pool.submit(self._columns[0].run, a)
            sink_b = pool.submit(columns_then_b_signals)
            try:
                smt = self.smt._run(a, b, manual, suppressed)
            finally:
                scanned.set()  # a failed scan must not leave the helper waiting
            columns_a.result()
            sinks = [self._indicator_sink(0, a, 0, derivatives), sink_b.result()]
        self._n = len(a)
        return _table(_blocks(smt, sinks), a.time, self.timeframe)

    def update(
        self,
        a: Candles,
        b: Candles,
        *,
        derivatives: Mapping[str, Derivatives] | None = None,
        align: bool = False,
        indicator_values: tuple[Sequence[Mapping[str, Any]] | None, Sequence[Mapping[str, Any]] | None]
        = (None, None),
    ) -> list[Signal]:
        """Only the events new since the previous call (see :meth:`SmtEngine.update`).

        ``indicator_values``: for each asset, the indicators at each new bar when the
        caller has them already (see :meth:`IndicatorColumns.update`), else None."""
        if align:
            a, b = align_pair(a, b)
        self.smt._check_tail_aligned(a, b)
        if not self.smt._extends(a):
            return self.smt._rerun(lambda: self.run(a, b, derivatives=derivatives))
        n_old = self._n
        smt = self.smt._grow(a, b)
        sinks = []
        for ai, c in enumerate((a, b)):
            self._columns[ai].update(c, indicator_values[ai])
            sinks.append(self._indicator_sink(ai, c, n_old, derivatives))
        self._n = len(a)
        return _in_stream_order(_blocks(smt, sinks), a.time, self.timeframe)

    def _indicator_sink(self, ai: int, c: Candles, start: int, derivatives) -> Sink:
        name = self.assets[ai]
        return indicator_sink(
            self._columns[ai].view(),
            c,
            asset=name,
            timeframe=self.timeframe,
            swing_highs=self.smt._swings[(ai, "high", "major")],
            swing_lows=self.smt._swings[(ai, "low", "major")],
            start=start,
            params=self.indicator_params,
            derivatives=(derivatives or {}).get(name),
        )
