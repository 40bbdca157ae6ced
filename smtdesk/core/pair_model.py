"""The model of the watched pair: commands in, a frozen snapshot and the new events out.

``PairModel`` owns everything the window shows of a pair and knows nothing of Qt: each
asset's candles, indicators and swings, every signal of domain §5–§6, and the alert
policy. A live closed candle advances incremental state (indicator states, swing tails,
the signal engine's update) instead of recomputing the history; loading a history,
changing manual swings or the configuration re-runs the whole analysis.

Typical use::

    model = PairModel(("BTC", "ETH"), "1h")
    model.load(btc, eth)                  # snapshot with candles and indicators
    result = model.detect()               # every signal of the history
    result = model.append("BTC", candle)  # after each closed candle
    for sig in result.alerts: ...         # to raise on screen
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass, replace
from types import MappingProxyType
from typing import Any, overload

import numpy as np

from smtdesk.core.analysis import AssetAnalysis, PairAnalysis, analyze_asset, marked_bars
from smtdesk.core.arrays import GrowingArray, read_only
from smtdesk.core.candles import FIELDS, Candles, align_pair
from smtdesk.core.signals.columns import INDICATOR_CONFIG
from smtdesk.core.signals.engine import SignalEngine
from smtdesk.core.signals.event_table import LatestSignals
from smtdesk.core.signals.indicators import Derivatives, IndicatorSignalParams
from smtdesk.core.indicators import IndicatorConfig, IndicatorSet, compute_indicators
from smtdesk.core.indicators._common import Bar
from smtdesk.core.signal import Signal, State
from smtdesk.core.smt.rules import SmtParams
from smtdesk.core.smt.context import COUNTER_TREND, WEAK_PAIR
from smtdesk.core.structure.swing_levels import LevelTrack, SwingLevels, swing_levels
from smtdesk.core.structure.swings import ManualSwing, SuppressedSwing, Swings, pivots_in
from smtdesk.core.structure.track import StructureTrack


_FAMILIES = (
    ("smt", lambda k: k == "smt"),
    ("divergences", lambda k: k.endswith("_divergence")),
    ("failure_swings", lambda k: k == "rsi_failure_swing"),
    ("overheat", lambda k: k.startswith("overheat_")),
    ("bands", lambda k: k.startswith("bb_")),
    ("open_interest", lambda k: k.startswith("oi_")),
    ("whales", lambda k: k.startswith("whale_")),
)
FAMILIES = tuple(name for name, _ in _FAMILIES) + ("crosses",)
"""The families of signal kinds an alert policy switches on or off."""


def signal_family(kind: str) -> str:
    """The family of a signal kind; every kind not named otherwise is a cross."""
    return next((name for name, match in _FAMILIES if match(kind)), "crosses")


@dataclass(frozen=True, slots=True)
class AlertPolicy:
    """Which events are raised as alerts; the rest are listed, muted (domain §5).

    SMT events alert in the ``states`` given; the one-shot readings of §6 (state
    ``triggered``) alert when their family is on.
    """

    states: frozenset[State] = frozenset({State.FORMING, State.DIVERGENCE, State.CONFIRMED, State.TRIGGERED})
    families: frozenset[str] = frozenset({"smt", "failure_swings", "overheat"})
    """Families of signal kinds (:data:`FAMILIES`) that alert."""
    muting_tags: frozenset[str] = frozenset({COUNTER_TREND, WEAK_PAIR})
    min_reward_risk: float = 0.0
    """A confirmed signal whose trade plan promises less than this is not raised."""

    def mutes(self, sig: Signal) -> bool:
        """Whether the signal's kind or tags keep it from alerting in any state."""
        return bool(sig.tags & self.muting_tags) or signal_family(sig.kind) not in self.families

    def alerts(self, sig: Signal) -> bool:
        if sig.state not in self.states or self.mutes(sig):
            return False
        return sig.plan is None or sig.plan.reward_risk >= self.min_reward_risk


@dataclass(frozen=True, slots=True)
class ModelConfig:
    """Every threshold the model uses, as plain values (the app builds it from its settings)."""

    smt: SmtParams = SmtParams()
    indicators: IndicatorConfig = IndicatorConfig()
    signals: IndicatorSignalParams = IndicatorSignalParams()
    alerts: AlertPolicy = AlertPolicy()
    max_bars: int = 10_000
    """Bars of each asset kept in memory; older ones are dropped (see :class:`PairModel`)."""


def kept_window(a: Candles, b: Candles, keep: int) -> tuple[Candles, Candles]:
    """The pair from the first bar on which neither series holds more than ``keep`` bars.

    Both are cut at one open time, so the bars of the two assets still line up.
    """
    starts = [int(c.time[len(c) - keep]) for c in (a, b) if len(c) > keep]
    if not starts:
        return a, b
    cut = max(starts)
    return tuple(c[int(c.time.searchsorted(cut)):] for c in (a, b))


@dataclass(frozen=True, slots=True)
class ModelResult:
    """What a command changed: the snapshot after it, and the events it made known."""

    snapshot: PairAnalysis
    events: tuple[Signal, ...] = ()
    """Events new with this command (live candles only; a re-run lists them in the snapshot)."""
    alerts: tuple[Signal, ...] = ()
    """Of ``events``, those the alert policy raises, each (id, state) once."""


class EventLog(Sequence[Signal]):
    """The events of a full scan followed by those of live candles, read without copying."""

    __slots__ = ("_history", "_live", "_n")

    def __init__(self, history: Sequence[Signal], live: list[Signal], n_live: int) -> None:
        # ``live`` only grows; ``n_live`` freezes this view at its length now.
        self._history, self._live, self._n = history, live, n_live

    def __len__(self) -> int:
        return len(self._history) + self._n

    @overload
    def __getitem__(self, i: int) -> Signal: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Signal]: ...

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        h = len(self._history)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self._history[i] if i < h else self._live[i - h]

    def __iter__(self) -> Iterator[Signal]:
        yield from self._history
        yield from self._live[: self._n]

    @property
    def live(self) -> Sequence[Signal]:
        """The events of live candles since the full scan (``latest`` has the scan's)."""
        return self._live[: self._n]


class _CandleBuffer:
    """One series' candles in growing columns; :meth:`view` shares them without copying."""

    def __init__(self, candles: Candles) -> None:
        self._cols = {name: GrowingArray(np.int64 if name == "time" else np.float64)
                      for name in ("time", *FIELDS)}
        self.extend(candles)

    def __len__(self) -> int:
        return len(self._cols["time"])

    def extend(self, candles: Candles) -> None:
        if len(candles) == 1:  # a live candle
            for name, col in self._cols.items():
                col.append(getattr(candles, name)[0])
            return
        for name, col in self._cols.items():
            col.extend(getattr(candles, name))

    def copy_rows(self, source: _CandleBuffer, at: list[int]) -> None:
        """Rows ``at`` of ``source`` appended, in that order."""
        for name, col in self._cols.items():
            values = source._cols[name].view
            for i in at:
                col.append(values[i])

    def reserve(self, n: int) -> None:
        for col in self._cols.values():
            col.reserve(n)

    @property
    def time(self) -> np.ndarray:
        return self._cols["time"].view

    def column(self, name: str) -> np.ndarray:
        return read_only(self._cols[name].view)

    def view(self) -> Candles:
        # Rows already written never change (new ones go past the end), so read-only
        # views of the filled part are as frozen as a copy, and checked when they came in.
        out = object.__new__(Candles)
        for name, col in self._cols.items():
            object.__setattr__(out, name, read_only(col.view))
        return out


_RECENT = 8
"""Rows of indicator values an indicator track keeps for the signal engine."""


class _IndicatorTrack:
    """Every indicator of one asset as growing columns, advanced one closed candle at a time."""

    def __init__(self, candles: Candles, config: IndicatorConfig) -> None:
        # Computed when first read: a model made before any history (a worker's, on the
        # window's thread) runs no compiled loop. The incremental states rerun the kernels
        # over the history: only a live candle needs them, so a history that is only
        # loaded (or re-run) does not pay for them.
        self._history, self._config = candles, config
        self._n = len(candles)
        self._recent: deque[dict[str, Any]] = deque(maxlen=_RECENT)
        self._state: IndicatorSet | None = None
        self._shapes: dict[str, tuple[type, tuple[str, ...]] | None] | None = None
        self._cols: dict[tuple[str, str], GrowingArray] = {}
        self._room = 0  # rows each column is made with room for (see :meth:`reserve`)

    def _compute(self) -> dict[str, tuple[type, tuple[str, ...]] | None]:
        if self._shapes is not None:
            return self._shapes
        c = self._history
        full = compute_indicators(c.high, c.low, c.close, c.volume, config=self._config)
        self._shapes = {}
        for name, value in full.items():
            if isinstance(value, np.ndarray):
                self._shapes[name] = None
                self._grow(name, "", value)
            else:
                names = tuple(f.name for f in fields(value)) if is_dataclass(value) else value._fields
                self._shapes[name] = (type(value), names)
                for f in names:
                    self._grow(name, f, getattr(value, f))
        # each indicator's columns in the order of its values, for a live row
        self._targets = {name: [col for (of, _), col in self._cols.items() if of == name]
                         for name in self._shapes}
        return self._shapes

    def _grow(self, name: str, f: str, values: np.ndarray) -> None:
        col = GrowingArray(values.dtype)
        col.reserve(self._room)
        col.extend(values)
        self._cols[(name, f)] = col

    def append(self, c: Candles) -> None:
        shapes = self._compute()
        if self._state is None:
            self._state = IndicatorSet.from_candles(self._history, config=self._config)
        for i in range(len(c)):
            # plain floats, as the signal engine's own set is fed: the two sets then give
            # the same values, and the engine may take them (see :meth:`recent`)
            row = self._state.update(Bar(high=float(c.high[i]), low=float(c.low[i]),
                                         close=float(c.close[i]), volume=float(c.volume[i])))
            self._recent.append(row)
            self._n += 1
            for name, value in row.items():
                cols = self._targets[name]
                if shapes[name] is None:
                    cols[0].append(value)
                else:
                    for col, v in zip(cols, value):
                        col.append(v)

    def reserve(self, n: int) -> None:
        self._room = max(self._room, n)
        for col in self._cols.values():
            col.reserve(n)

    def recent(self, count: int) -> list[dict[str, Any]] | None:
        """Every indicator's values at each of the last ``count`` bars appended, if kept."""
        if count > len(self._recent):
            return None
        return list(self._recent)[len(self._recent) - count:]

    def view(self) -> Mapping[str, Any]:
        return _IndicatorView(self._cols, self._compute(), self._n)


class _IndicatorView(Mapping[str, Any]):
    """The indicators over a track's first ``n`` bars, each made when first read.

    A snapshot is made for every live candle and its indicators are read only when a
    chart draws them. Rows already written never change (new ones go past the end), so
    a view made later holds what one made now would.
    """

    __slots__ = ("_cols", "_made", "_n", "_shapes")

    def __init__(self, cols: Mapping[tuple[str, str], GrowingArray],
                 shapes: Mapping[str, tuple[type, tuple[str, ...]] | None], n: int) -> None:
        self._cols, self._shapes, self._n = cols, shapes, n
        self._made: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        made = self._made.get(name)
        if made is None:
            shape = self._shapes[name]
            if shape is None:
                made = self._column(name, "")
            else:
                cls, names = shape
                made = cls(*(self._column(name, f) for f in names))
            self._made[name] = made
        return made

    def _column(self, name: str, f: str) -> np.ndarray:
        return read_only(self._cols[(name, f)].view[: self._n])

    def __iter__(self) -> Iterator[str]:
        return iter(self._shapes)

    def __len__(self) -> int:
        return len(self._shapes)


class _SwingTrack:
    """Automatic major swings of one asset, extended by the bars a new candle confirms."""

    def __init__(self, candles: Candles, strength: int) -> None:
        self.strength = strength
        self.high = GrowingArray(np.int64)
        self.low = GrowingArray(np.int64)
        self._n = 0
        self.extend(candles.high, candles.low)

    def extend(self, high: np.ndarray, low: np.ndarray) -> None:
        """Swings confirmed by the bars of ``high``, ``low`` new since the last call."""
        start = self._n
        if len(high) == start:
            return  # no bar to confirm a swing with (an empty model runs no compiled loop)
        self._n = len(high)
        for col, values, sign in ((self.high, high, 1.0), (self.low, low, -1.0)):
            found = pivots_in(values, strength=self.strength, start=start, sign=sign)
            if len(found):
                col.extend(found)

    def swings(self) -> Swings:
        return Swings(read_only(self.high.view), read_only(self.low.view), self.strength)


class _Asset:
    """One asset's growing history and everything drawn over it."""

    def __init__(self, symbol: str, candles: Candles, config: ModelConfig) -> None:
        self.symbol = symbol
        self.buffer = _CandleBuffer(candles)
        self.indicators = _IndicatorTrack(candles, config.indicators)
        self.swings = _SwingTrack(candles, config.smt.major)
        self.structure = StructureTrack(major=config.smt.major, minor=config.smt.minor)
        self.pictured: tuple[tuple, AssetAnalysis] | None = None  # the last snapshot, and of what
        self._levels: LevelTrack | None = None
        self._levels_for: tuple = ()
        self._seen = (0, 0)
        self._seen_minor = (0, 0)

    def append(self, c: Candles) -> None:
        self.buffer.extend(c)
        self.indicators.append(c)
        self.swings.extend(self.buffer.column("high"), self.buffer.column("low"))

    def levels(self, c: Candles, sw: Swings, manual: Iterable[ManualSwing],
               suppressed: Iterable[SuppressedSwing], minor: tuple | None = None) -> SwingLevels:
        """The levels of the major and manual swings of ``c`` (its automatic swings
        ``sw``), and of the ``minor`` ``(high bars, low bars)`` while the structure is
        shown, as :func:`analyze_asset` finds them, advanced by the bars and swings new
        since the last call."""
        edits = tuple(tuple(b.tolist()) for b in (*marked_bars(c, manual), *marked_bars(c, suppressed)))
        dropped = (set(edits[0]) | set(edits[2]), set(edits[1]) | set(edits[3]))
        auto = (sw.high_idx, sw.low_idx)
        minors = minor if minor is not None else (_NO_BARS, _NO_BARS)
        made_for = (edits, minor is not None)
        if self._levels is None or self._levels_for != made_for:
            self._levels = LevelTrack(swing_levels(
                c.high, c.low, manual=(np.array(edits[0], np.int64), np.array(edits[1], np.int64)),
                major=tuple(_without(a, d) for a, d in zip(auto, dropped)), minor=minors))
        elif self._levels.levels.n_bars < len(c):
            new = (a[seen:] for a, seen in zip(auto, self._seen))
            self._levels.extend(c.high, c.low, major=tuple(_without(a, d) for a, d in zip(new, dropped)),
                                minor=tuple(m[seen:] for m, seen in zip(minors, self._seen_minor)))
        self._levels_for, self._seen = made_for, (len(auto[0]), len(auto[1]))
        self._seen_minor = (len(minors[0]), len(minors[1]))
        return self._levels.levels

    def has(self, time: int) -> int | None:
        """The row of the candle opening at ``time``, if this asset has it."""
        t = self.buffer.time
        i = int(t.searchsorted(time))
        return i if i < len(t) and t[i] == time else None


_NO_BARS = np.empty(0, np.int64)


def _without(bars: np.ndarray, dropped: set[int]) -> np.ndarray:
    """``bars`` less the ``dropped`` ones (a handful: a set beats numpy's set operations)."""
    if not dropped:
        return bars
    return bars[[b not in dropped for b in bars.tolist()]] if len(bars) else bars


def _in_order(swings: Iterable[ManualSwing | SuppressedSwing]) -> tuple:
    return tuple(sorted(set(swings), key=lambda m: (m.time, m.kind)))


class PairModel:
    """The watched pair: two assets on one timeframe, their analysis and their signals.

    Every command returns a :class:`ModelResult`. Signals are found on the candles both
    assets have (domain §2); a candle only one side has is charted, never compared.

    At most ``config.max_bars`` bars of each asset are kept. When a live candle takes an
    asset past that bound, the oldest tenth is dropped at one bar boundary and the kept
    bars are analysed again as a history loaded from there: after a trim the snapshot is
    exactly that of :meth:`load` and :meth:`detect` on the kept bars. Series with a long
    memory restart at the first kept bar, as on a start with that history: EMA, Wilder's
    RSI and ATR differ from their values over the longer history only in a warm-up that
    fades geometrically (below 1e-9 relative after ten times the longest period); OBV, a
    running sum, is shifted by a constant; the higher-timeframe trend is read from the
    kept bars only. Events keep their ids (the time they refer to), so one still open at
    the cut is found again on the kept bars and not raised a second time.

    Below the bound, the signals of every tenth of it in live candles are found again
    over the whole history, which gives the events the live candles gave (the engine's
    full and incremental runs agree): they are then kept as a table, not a record each.
    """

    def __init__(self, symbols: tuple[str, str], timeframe: str, *,
                 config: ModelConfig = ModelConfig(), structure_shown: bool = False) -> None:
        self.symbols = tuple(symbols)
        self.timeframe = timeframe
        self.config = config
        self._manual: dict[str, tuple[ManualSwing, ...]] = {s: () for s in self.symbols}
        self._suppressed: dict[str, tuple[SuppressedSwing, ...]] = {s: () for s in self.symbols}
        self._derivatives: dict[str, Derivatives] = {}
        self._revision = 0
        self._structure_shown = structure_shown  # as :meth:`show_structure` sets it
        self._seen: set[tuple[str, str]] = set()
        # Made empty when first needed: a model made before any history (a worker's, on
        # the window's thread) runs no compiled loop.
        self._assets: list[_Asset] | None = None

    # -- commands -----------------------------------------------------------------------------
    def load(self, a: Candles, b: Candles, *,
             manual: Mapping[str, Iterable[ManualSwing]] | None = None,
             suppressed: Mapping[str, Iterable[SuppressedSwing]] | None = None,
             derivatives: Mapping[str, Derivatives] | None = None) -> ModelResult:
        """Take whole histories (and the hand-placed and deleted swings saved for them, and
        the derivatives at hand with them). The snapshot has candles, indicators and swings
        but no signals yet: over a long history :meth:`detect` takes longer."""
        for symbol, swings in (manual or {}).items():
            self._manual[symbol] = _in_order(swings)
        for symbol, swings in (suppressed or {}).items():
            self._suppressed[symbol] = _in_order(swings)
        self._derivatives.update(derivatives or {})
        self._reset(*kept_window(a, b, self.config.max_bars))
        return ModelResult(self._snapshot())

    def detect(self) -> ModelResult:
        """Every signal of the loaded histories (none is raised as an alert)."""
        self._ready()
        self._run_engine()
        return ModelResult(self._snapshot())

    def append(self, symbol: str, candles: Candles) -> ModelResult:
        """Closed candles of ``symbol``; the events they make known, and which alert."""
        self._ready()
        asset = self._assets[self.symbols.index(symbol)]
        last = asset.buffer.time
        if len(candles) == 0:
            return ModelResult(self._snapshot())
        if len(last) and candles.time[0] <= last[-1]:
            # A revised candle: history changed under the incremental state.
            merged = [a.buffer.view() for a in self._assets]
            merged[self.symbols.index(symbol)] = asset.buffer.view().merge(candles)
            self._reset(*kept_window(*merged, self.config.max_bars))
            self._run_engine()
            return ModelResult(self._snapshot())
        asset.append(candles)
        other = self._assets[1 - self.symbols.index(symbol)]
        rows = [(i, other.has(int(t))) for i, t in enumerate(candles.time)]
        both = [(i, j) for i, j in rows if j is not None]
        new: list[Signal] = []
        if both:
            # the rows both assets have, copied from their buffers (this one's are last)
            start = len(asset.buffer) - len(candles)
            mine = (asset.buffer, [start + i for i, _ in both])
            theirs = (other.buffer, [j for _, j in both])
            pair = (mine, theirs) if symbol == self.symbols[0] else (theirs, mine)
            for side, (source, at) in zip(self._aligned, pair):
                side.copy_rows(source, at)
            if self._engine_ran:
                new = self._engine.update(*(side.view() for side in self._aligned),
                                          derivatives=self._derivatives,
                                          indicator_values=self._indicator_values(len(both)))
                self._live.extend(new)
                self._live_bars += len(both)
        if len(asset.buffer) > self.config.max_bars:
            self._trim()
        elif self._live_bars >= self._fold_bars:
            # the live events become rows of a table again, as after a trim: a record
            # per event would otherwise pile up until the bound is reached
            self._run_engine()
        return ModelResult(self._snapshot(), tuple(new), self._raise(new))

    def set_manual(self, symbol: str, swings: Iterable[ManualSwing],
                   suppressed: Iterable[SuppressedSwing] = ()) -> ModelResult:
        """Replace the hand-placed swings of ``symbol`` and the automatic ones deleted on
        it; signals are re-run at once (§8)."""
        self._manual[symbol] = _in_order(swings)
        self._suppressed[symbol] = _in_order(suppressed)
        return self._rerun()

    def set_derivatives(self, symbol: str, derivatives: Derivatives) -> ModelResult:
        """Funding, open interest and ratios of ``symbol`` for the §6 rules; re-runs."""
        self._derivatives[symbol] = derivatives
        return self._rerun()

    def apply(self, config: ModelConfig) -> ModelResult:
        """Other thresholds: the whole analysis is re-run with them (another alert policy
        alone changes only what the next events raise)."""
        if replace(config, alerts=self.config.alerts) == self.config:
            self.config = config
            return ModelResult(self._snapshot())
        self.config = config
        self._ready()
        ran = self._engine_ran
        self._reset(*kept_window(*(asset.buffer.view() for asset in self._assets), config.max_bars))
        if ran:
            self._run_engine()
        return ModelResult(self._snapshot())

    def show_structure(self, shown: bool) -> ModelResult:
        """Whether snapshots carry the market structure (minor swings, gaps, pools, shifts).

        Computed over the whole history when first shown, then kept up to date a candle
        at a time; nothing is computed while no chart shows it."""
        self._structure_shown = shown
        return ModelResult(self._snapshot())

    def mark_seen(self, keys: Iterable[tuple[str, str]]) -> None:
        """(signal id, state) pairs already raised, in an earlier run: never raised again."""
        self._seen.update(keys)

    # -- internals ----------------------------------------------------------------------------
    def _ready(self) -> None:
        if self._assets is None:
            self._reset(Candles.empty(), Candles.empty())

    def _reset(self, a: Candles, b: Candles) -> None:
        self._assets = [_Asset(s, c, self.config) for s, c in zip(self.symbols, (a, b))]
        self._aligned = [_CandleBuffer(c) for c in align_pair(a, b)]
        # room up to the bound: a column that doubled past it would hold twice the bars kept
        bound = self.config.max_bars + 1
        for asset in self._assets:
            asset.buffer.reserve(bound)
            asset.indicators.reserve(bound)
        for side in self._aligned:
            side.reserve(bound)
        c = self.config
        self._engine = SignalEngine(self.timeframe, self.symbols, params=c.smt,
                                    indicator_params=c.signals)
        self._engine_ran = False
        self._shares_indicators = replace(c.indicators, sma_periods=(), ema_periods=()) == INDICATOR_CONFIG
        self._revision += 1
        self._history: Sequence[Signal] = ()
        self._latest: Mapping[str, Signal] = MappingProxyType({})
        self._live: list[Signal] = []
        self._live_bars = 0
        self._fold_bars = max(self.config.max_bars // 10, 1)

    def _run_engine(self) -> None:
        a, b = (side.view() for side in self._aligned)
        self._history = self._engine.run(a, b, manual=self._manual, suppressed=self._suppressed,
                                         derivatives=self._derivatives)
        self._latest = LatestSignals(self._history)
        self._live = []
        self._live_bars = 0
        self._engine_ran = True
        self._revision += 1

    def _indicator_values(self, count: int) -> tuple:
        """For each side of the pair, its assets' indicators at the ``count`` bars just
        aligned, when the engine would compute the same: the same periods, and every bar
        of the asset is one of the pair's (the two series are then one)."""
        if not self._shares_indicators:
            return None, None
        return tuple(asset.indicators.recent(count) if len(side) == len(asset.buffer) else None
                     for asset, side in zip(self._assets, self._aligned))

    def _trim(self) -> None:
        """Keep the newest nine tenths of the bound; a trim costs a full run now and then
        instead of a little on every candle."""
        keep = self.config.max_bars - self.config.max_bars // 10
        ran = self._engine_ran
        self._reset(*kept_window(*(asset.buffer.view() for asset in self._assets), keep))
        if ran:
            self._run_engine()

    def _rerun(self) -> ModelResult:
        self._ready()
        if self._engine_ran:
            self._run_engine()
        return ModelResult(self._snapshot())

    def _raise(self, events: Iterable[Signal]) -> tuple[Signal, ...]:
        raised = []
        for sig in events:
            key = (sig.id, sig.state.value)
            if key not in self._seen and self.config.alerts.alerts(sig):
                self._seen.add(key)
                raised.append(sig)
        return tuple(raised)

    def _snapshot(self) -> PairAnalysis:
        self._ready()
        assets = tuple(self._asset_snapshot(a) for a in self._assets)
        signals = EventLog(self._history, self._live, len(self._live))
        return PairAnalysis(self.timeframe, assets, signals, self._revision, self._latest,
                            detected=self._engine_ran)

    def _asset_snapshot(self, asset: _Asset) -> AssetAnalysis:
        manual, suppressed = self._manual[asset.symbol], self._suppressed[asset.symbol]
        # the other asset's candle leaves this one's picture as it was: not made again
        key = (len(asset.buffer.time), manual, suppressed, self._structure_shown, self.config.smt.minor)
        if asset.pictured is not None and asset.pictured[0] == key:
            return asset.pictured[1]
        c, swings = asset.buffer.view(), asset.swings.swings()
        picture = analyze_asset(
            asset.symbol,
            c,
            indicators=asset.indicators.view(),
            swings=swings,
            manual=manual,
            suppressed=suppressed,
            minor_strength=self.config.smt.minor,
            with_structure=self._structure_shown,
            structure_track=asset.structure,
            levels_of=lambda minor: asset.levels(c, swings, manual, suppressed,
                                                 minor if self._structure_shown else None),
        )
        asset.pictured = (key, picture)
        return picture
