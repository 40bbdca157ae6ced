"""The one engine: two aligned candle series in, signal events out, batch or live.

``SmtEngine.run`` scans a whole history; ``SmtEngine.update`` takes the same series
grown by one or more closed bars and returns only the new events. Both produce the
same events in the same order: a live update resolves the still-open signals with the
same rule functions (:mod:`smtdesk.core.smt`) over the longer series, and every rule
answer about a bar never depends on later bars. ``SignalEngine`` adds each asset's
indicator and derivatives signals (domain §6) to the same stream.

Typical use::

    engine = SmtEngine("1h", ("BTC", "ETH"))
    history = engine.run(btc, eth, align=True)        # every event so far
    ...
    for event in engine.update(btc, eth, align=True):  # after each closed candle
        if event.alert_key not in seen: ...
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import fields, replace
from itertools import chain, pairwise

import numpy as np

from smtdesk.core.candles import Candles, align_pair
from smtdesk.core.indicator_signals import (
    Derivatives,
    IndicatorColumns,
    IndicatorSignalParams,
    indicator_sink,
)
from smtdesk.core.signal import Direction, Signal, State, bulk_build
from smtdesk.core.signal_sink import Built, Sink
from smtdesk.core.smt import SmtParams, Space, TableSeek, find_sweeps, resolve, scan_seek
from smtdesk.core.smt_context import PairContext
from smtdesk.core.smt_events import Side, build_events
from smtdesk.core.swings import ManualSwing, SwingSet, find_swings, pivots_in

_DIRECTIONS = (Direction.BEARISH, Direction.BULLISH)
_STATE_ORDER = {s: i for i, s in enumerate(State)}


def _event_key(sig: Signal) -> tuple:
    return (sig.known_time, sig.ref_time, sig.id, _STATE_ORDER[sig.state])


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
        return list(self._events)

    def run(
        self,
        a: Candles,
        b: Candles,
        *,
        manual: Mapping[str, Iterable[ManualSwing]] | None = None,
        align: bool = False,
    ) -> list[Signal]:
        """All events of a full history, ordered by the bar they became known.

        ``manual`` maps an asset name to the swings placed by hand on it (None keeps
        those of the previous call, ``{}`` clears them); after a manual swing is added,
        moved or deleted, call ``run`` again. With ``align=True`` the series are first
        inner-joined on their timestamps.
        """
        if align:
            a, b = align_pair(a, b)
        if manual is not None:
            self._manual = {name: tuple(m) for name, m in manual.items()}
        self._check_aligned(a, b)
        self._reset(a, b)
        self._context.run(a, b)
        n_bars = len(a)
        seek = TableSeek()
        out: list[Signal] = []
        for g in self._groups:
            x, y, x_major, y_minor = self._group_inputs(g)
            j0, t = find_sweeps(x, x_major, seek, n_bars)
            res = resolve(x, y, x_major, y_minor, j0, t, n_bars, self.params, seek)
            with bulk_build():
                out.extend(self._events_of(g, res, from_bar=0))
            bars, _ = x_major.known_by(n_bars - 1)
            g.ref_bar = int(bars.max()) if len(bars) else -1
            g.swept = bool(np.any(j0 == g.ref_bar))
            keep = ~res.terminal()
            g.alive_j0, g.alive_t = j0[keep], t[keep]
        out.sort(key=_event_key)
        self._events = out
        return list(out)

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
        n_old = len(self._a)
        # The held history was checked when it arrived; only the new bars need it.
        tail = max(n_old - 1, 0)
        if len(a) != len(b) or not np.array_equal(a.time[tail:], b.time[tail:]):
            raise ValueError("a, b: series must be aligned (same timestamps); use align=True")
        if not self._extends(a):
            last = int(self._a.time[-1]) if n_old else None
            events = self.run(a, b)
            return [e for e in events if last is None or e.known_time > last]
        if len(a) == n_old:
            return []
        self._a, self._b = a, b
        self._context.update(a, b)
        n_bars = len(a)
        for ai, c in enumerate((a, b)):
            if not self._manual.get(self.assets[ai]):
                continue
            tail = self._manual_bars(ai, c[n_old:])
            for (aj, kind, _), ss in self._swings.items():
                if aj == ai:
                    ss.add_manual(tail[kind] + n_old)
        for (ai, kind, _), ss in self._swings.items():
            c = self._candles(ai)
            values = c.high if kind == "high" else c.low
            ss.extend(
                pivots_in(
                    values, strength=ss.strength, start=n_old, sign=1.0 if kind == "high" else -1.0
                )
            )
        new: list[Signal] = []
        for g in self._groups:
            x, y, x_major, y_minor = self._group_inputs(g)
            j0_new, t_new = self._sweeps_live(g, x, x_major, n_old, n_bars)
            if not len(j0_new) and not len(g.alive_j0):
                continue
            j0 = np.concatenate([g.alive_j0, j0_new])
            t = np.concatenate([g.alive_t, t_new])
            res = resolve(x, y, x_major, y_minor, j0, t, n_bars, self.params, scan_seek)
            new.extend(self._events_of(g, res, from_bar=n_old))
            keep = ~res.terminal()
            g.alive_j0, g.alive_t = j0[keep], t[keep]
        new.sort(key=_event_key)
        self._events.extend(new)
        return new

    # internals --------------------------------------------------------------------------

    def _reset(self, a: Candles, b: Candles) -> None:
        self._a, self._b = a, b
        self._events: list[Signal] = []
        self._groups = [_Group(xi, d) for xi in (0, 1) for d in _DIRECTIONS]
        p = self.params
        self._swings: dict[tuple[int, str, str], SwingSet] = {}
        for ai, c in enumerate((a, b)):
            manual = self._manual_bars(ai, c)
            for cls, strength in (("major", p.major), ("minor", p.minor)):
                sw = find_swings(c.high, c.low, strength=strength)
                self._swings[(ai, "high", cls)] = SwingSet(
                    sw.high_idx, manual["high"], strength=strength
                )
                self._swings[(ai, "low", cls)] = SwingSet(
                    sw.low_idx, manual["low"], strength=strength
                )

    def _manual_bars(self, ai: int, c: Candles) -> dict[str, np.ndarray]:
        """Bars of the manual swings on asset ``ai``; others are dropped."""
        marks = self._manual.get(self.assets[ai], ())
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
    def _check_aligned(a: Candles, b: Candles) -> None:
        if len(a) != len(b) or not np.array_equal(a.time, b.time):
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

    def _events_of(self, g: _Group, res, *, from_bar: int) -> list[Signal]:
        bearish = g.direction is Direction.BEARISH
        side = Side(
            direction=g.direction,
            x_name=self.assets[g.xi],
            y_name=self.assets[g.yi],
            x=self._candles(g.xi),
            y=self._candles(g.yi),
            yi=g.yi,
            y_target_swings=self._swings[(g.yi, "low" if bearish else "high", "major")],
        )
        return build_events(
            side,
            res,
            from_bar=from_bar,
            timeframe=self.timeframe,
            params=self.params,
            context=self._context,
        )


def _any_event_key(sig: Signal) -> tuple:
    return (sig.known_time, sig.kind != "smt", sig.ref_time, sig.id, _STATE_ORDER[sig.state])


_FEW = 64


def _merge(smt: list[Signal], sinks: list[Built]) -> list[Signal]:
    """``smt`` (already in :func:`_event_key` order) and the sinks' events, in
    :func:`_any_event_key` order, without a Python key per event.

    Indicator events are all TRIGGERED, and two with the same referred time differ in
    id only by their prefix ("kind:direction:asset:"), so ranking the few distinct
    prefixes ranks the ids. That holds unless one prefix starts another one; then the
    ids are compared one by one.
    """
    events = [*smt, *chain.from_iterable(b.events for b in sinks)]
    prefixes = sorted({p for b in sinks for p in b.prefixes})
    # A live bar brings a handful of events: sorting them directly is cheaper.
    if len(events) <= _FEW or any(q.startswith(p) for p, q in pairwise(prefixes)):
        events.sort(key=_any_event_key)
        return events
    rank = {p: i for i, p in enumerate(prefixes)}
    n_smt = len(smt)
    known = np.concatenate(
        [np.fromiter((e.known_time for e in smt), np.int64, n_smt)] + [b.known_time for b in sinks]
    )
    is_indicator = np.ones(len(events), bool)
    is_indicator[:n_smt] = False
    # SMT events keep their own order: equal keys here, and lexsort is stable.
    ref = np.concatenate([np.zeros(n_smt, np.int64)] + [b.ref_time for b in sinks])
    prefix = np.concatenate(
        [np.zeros(n_smt, np.int64)]
        + [np.array([rank[p] for p in b.prefixes], np.int64)[b.batch] for b in sinks]
    )
    order = np.lexsort((prefix, ref, is_indicator, known))
    return [events[i] for i in order.tolist()]


class SignalEngine:
    """Every signal of domain §5–§6 on a pair: SMT events plus each asset's indicator and
    derivatives events, in one ordered stream; same batch/live contract as :class:`SmtEngine`.

    ``derivatives`` maps an asset name to its :class:`~smtdesk.core.indicator_signals.Derivatives`.
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
        derivatives: Mapping[str, Derivatives] | None = None,
        align: bool = False,
    ) -> list[Signal]:
        """All events of a full history, ordered by the bar they became known."""
        if align:
            a, b = align_pair(a, b)
        events = self.smt.run(a, b, manual=manual)
        sinks = []
        for ai, c in enumerate((a, b)):
            self._columns[ai].run(c)
            sinks.append(self._indicator_sink(ai, c, 0, derivatives).build())
        self._n = len(a)
        return _merge(events, sinks)

    def update(
        self,
        a: Candles,
        b: Candles,
        *,
        derivatives: Mapping[str, Derivatives] | None = None,
        align: bool = False,
    ) -> list[Signal]:
        """Only the events new since the previous call (see :meth:`SmtEngine.update`)."""
        if align:
            a, b = align_pair(a, b)
        n_old = self._n
        if not self.smt._extends(a):
            last = int(self.smt._a.time[-1]) if len(self.smt._a) else None
            events = self.run(a, b, derivatives=derivatives)
            return [e for e in events if last is None or e.known_time > last]
        events = self.smt.update(a, b)
        sinks = []
        for ai, c in enumerate((a, b)):
            self._columns[ai].update(c)
            sinks.append(self._indicator_sink(ai, c, n_old, derivatives).build())
        self._n = len(a)
        return _merge(events, sinks)

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
