"""The one engine: two aligned candle series in, signal events out, batch or live.

``SmtEngine.run`` scans a whole history; ``SmtEngine.update`` takes the same series
grown by one or more closed bars and returns only the new events. Both produce the
same events in the same order: a live update resolves the still-open signals with the
same rule functions (:mod:`smtdesk.core.smt`) over the longer series, and every rule
answer about a bar never depends on later bars.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Iterable, Mapping

import numpy as np

from smtdesk.core.candles import Candles, align_pair
from smtdesk.core.signal import Direction, Signal, State
from smtdesk.core.smt import Outcome, SmtParams, Space, TableSeek, find_sweeps, resolve, scan_seek
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

        ``manual`` maps an asset name to the swings placed by hand on it. With
        ``align=True`` the series are first inner-joined on their timestamps.
        """
        if align:
            a, b = align_pair(a, b)
        if manual is not None:
            self._manual = {name: tuple(m) for name, m in manual.items()}
        self._check_aligned(a, b)
        self._reset(a, b)
        n_bars = len(a)
        seek = TableSeek()
        out: list[Signal] = []
        for g in self._groups:
            x, y, x_major, y_minor = self._group_inputs(g)
            j0, t = find_sweeps(x, x_major, seek, n_bars)
            res = resolve(x, y, x_major, y_minor, j0, t, n_bars, self.params, seek)
            out.extend(self._signals(g, res, from_bar=0))
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

        ``a`` and ``b`` are the full aligned series, extended by one or more closed bars.
        If the history itself changed (not a pure extension), everything is recomputed
        and the events of the bars after the previous last bar are returned.
        """
        if align:
            a, b = align_pair(a, b)
        self._check_aligned(a, b)
        n_old = len(self._a)
        if not self._extends(a):
            last = int(self._a.time[-1]) if n_old else None
            events = self.run(a, b)
            return [e for e in events if last is None or e.known_time > last]
        if len(a) == n_old:
            return []
        self._a, self._b = a, b
        n_bars = len(a)
        for (ai, kind, _), ss in self._swings.items():
            c = self._candles(ai)
            values = c.high if kind == "high" else c.low
            ss.extend(pivots_in(values, strength=ss.strength, start=n_old, sign=1.0 if kind == "high" else -1.0))
        new: list[Signal] = []
        for g in self._groups:
            x, y, x_major, y_minor = self._group_inputs(g)
            j0_new, t_new = self._sweeps_live(g, x, x_major, n_old, n_bars)
            j0 = np.concatenate([g.alive_j0, j0_new])
            t = np.concatenate([g.alive_t, t_new])
            res = resolve(x, y, x_major, y_minor, j0, t, n_bars, self.params, scan_seek)
            new.extend(self._signals(g, res, from_bar=n_old))
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
                self._swings[(ai, "high", cls)] = SwingSet(sw.high_idx, manual["high"], strength=strength)
                self._swings[(ai, "low", cls)] = SwingSet(sw.low_idx, manual["low"], strength=strength)

    def _manual_bars(self, ai: int, c: Candles) -> dict[str, np.ndarray]:
        """Bars of the manual swings on asset ``ai``; marks on bars not in the series are ignored."""
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
        return len(a) >= n_old and a.time[n_old - 1] == self._a.time[-1] and a.time[0] == self._a.time[0]

    @staticmethod
    def _sweeps_live(g: _Group, x: Space, x_major: SwingSet, n_old: int, n_bars: int) -> tuple[np.ndarray, np.ndarray]:
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

    def _signals(self, g: _Group, res: Outcome, *, from_bar: int) -> list[Signal]:
        """Events of the resolved candidates whose bar is ``from_bar`` or later."""
        out: list[Signal] = []
        xa, ya = self.assets[g.xi], self.assets[g.yi]
        xc, yc = self._candles(g.xi), self._candles(g.yi)
        bearish = g.direction is Direction.BEARISH
        x_hi = xc.high if bearish else xc.low
        y_hi, y_lo = (yc.high, yc.low) if bearish else (yc.low, yc.high)
        time = xc.time
        for i in np.flatnonzero(res.formed):
            t = int(res.t[i])
            ident = f"smt:{g.direction.value}:{xa}:{int(time[t])}"

            def event(state: State, bar: int, levels: dict, reason: str = "", provisional: bool = False) -> None:
                if bar < from_bar:
                    return
                out.append(
                    Signal(
                        id=ident, kind="smt", direction=g.direction, state=state, assets=(xa, ya),
                        timeframe=self.timeframe, ref_time=int(time[t]), known_time=int(time[bar]),
                        levels={k: v[0] for k, v in levels.items()},
                        level_times={k: int(time[v[1]]) for k, v in levels.items()},
                        reason=reason, provisional=provisional,
                    )
                )

            j0, pb = int(res.j0[i]), int(res.prior_bar[i])
            base = {f"{xa}.swept": (float(x_hi[j0]), j0), f"{ya}.prior": (float(y_hi[pb]), pb)}
            py = int(res.prov_y_bar[i])
            forming = {**base, f"{xa}.new": (float(x_hi[t]), t), f"{ya}.new": (float(y_hi[py]), py)}
            event(State.FORMING, t, forming, provisional=True)
            c = int(res.cancel[i])
            if c >= 0:
                word = "above" if bearish else "below"
                event(
                    State.CANCELLED, c, {**forming, f"{ya}.break": (float(y_hi[c]), c)},
                    reason=f"{ya} traded {word} its prior level before the divergence", provisional=True,
                )
                continue
            d = int(res.div[i])
            if d < 0:
                continue
            s, yn, mb = int(res.s[i]), int(res.y_new_bar[i]), int(res.mss_bar[i])
            div = {**base, f"{xa}.new": (float(x_hi[s]), s), f"{ya}.new": (float(y_hi[yn]), yn)}
            if mb >= 0:
                div["mss"] = (float(y_lo[mb]), mb)
            event(State.DIVERGENCE, d, div, reason="" if mb >= 0 else f"no minor swing of {ya} before its new level")
            k = int(res.confirm[i])
            if k >= 0:
                event(State.CONFIRMED, k, div, reason=f"{ya} closed beyond the MSS level")
                continue
            k = int(res.invalid[i])
            if k >= 0:
                if res.invalid_reason[i] == "price":
                    word = "above" if bearish else "below"
                    event(
                        State.INVALIDATED, k, {**div, f"{ya}.break": (float(y_hi[k]), k)},
                        reason=f"{ya} traded {word} its new level before the MSS",
                    )
                else:
                    event(State.INVALIDATED, k, div, reason=f"no MSS within {self.params.mss_timeout} bars")
        return out
