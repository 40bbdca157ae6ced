"""What the followed SMT trade plans add up to, per direction and per tag (domain §5).

The groups are set side by side so a trader sees whether the filters of §5 (trading
with the higher timeframe's trend, on a well-correlated pair) help on the pair.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from smtdesk.core.analysis import PairAnalysis
from smtdesk.core.journal import JournalEntry
from smtdesk.core.pair_model import EventLog
from smtdesk.core.signal import Direction, Signal, State
from smtdesk.core.signals.event_table import where
from smtdesk.core.smt.context import ALIGNED, COUNTER_TREND, WEAK_PAIR
from smtdesk.core.smt.outcomes import Outcome, Trade, follow_plans


def _aligned(t: Trade) -> bool:
    return ALIGNED in t.signal.tags


def _strong(t: Trade) -> bool:
    return WEAK_PAIR not in t.signal.tags


GROUPS: tuple[tuple[str, Callable[[Trade], bool]], ...] = (
    ("All", lambda t: True),
    ("Bullish", lambda t: t.signal.direction is Direction.BULLISH),
    ("Bearish", lambda t: t.signal.direction is Direction.BEARISH),
    ("Aligned", _aligned),
    ("Counter-trend", lambda t: COUNTER_TREND in t.signal.tags),
    ("Strong pair", _strong),
    ("Weak pair", lambda t: not _strong(t)),
    ("Aligned, strong", lambda t: _aligned(t) and _strong(t)),
)
"""Name and membership of each group, in the order they are shown. "Aligned, strong"
is what the default alert policy raises."""


@dataclass(frozen=True, slots=True)
class GroupStats:
    """One group's outcome figures; R figures are over its won and lost trades."""

    name: str
    signals: int
    filled: int
    won: int
    lost: int
    open: int
    not_filled: int
    no_target: int
    win_rate: float
    """Won / (won + lost); NaN with no closed trade, like every average here."""
    mean_r: float
    median_r: float
    expectancy: float
    """Win rate x average win - loss rate x average loss, in R per closed trade."""
    total_r: float
    max_drawdown: float
    """Deepest fall of the equity curve in R from its highest point (0 at the start)."""
    mean_mae: float
    winners_mae: float
    """Mean maximum adverse excursion of the winning trades: the heat a winner takes."""
    mean_bars: float
    median_bars: float
    """Bars from the confirmation to the exit of a closed trade."""
    losing_streak: int
    """Most losses in a row, trades in the order they closed."""


@dataclass(frozen=True, slots=True)
class EquityCurve:
    """Cumulative R after each closed trade, at its exit bar's open time (ms)."""

    time: npt.NDArray[np.int64]
    r: npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class OutcomeReport:
    """Every trade, each group's figures and equity curve, for one pair and timeframe."""

    trades: tuple[Trade, ...]
    groups: tuple[GroupStats, ...]
    curves: dict[str, EquityCurve]
    fill_bars: int


def _by_close(trades: Iterable[Trade]) -> list[Trade]:
    return sorted((t for t in trades if t.closed), key=lambda t: (t.exit_time, t.signal.known_time))


def _mean(values: Sequence[float]) -> float:
    return float(np.mean(values)) if len(values) else np.nan


def longest_losing_streak(trades: Iterable[Trade]) -> int:
    longest = run = 0
    for t in _by_close(trades):
        run = run + 1 if t.outcome is Outcome.LOST else 0
        longest = max(longest, run)
    return longest


def equity_curve(trades: Iterable[Trade]) -> EquityCurve:
    closed = _by_close(trades)
    time = np.array([t.exit_time for t in closed], np.int64)
    return EquityCurve(time, np.cumsum([t.r for t in closed], dtype=np.float64))


def group_stats(name: str, trades: Sequence[Trade]) -> GroupStats:
    count = Counter(t.outcome for t in trades)
    closed = [t for t in trades if t.closed]
    r = np.array([t.r for t in closed])
    wins, losses = r[r > 0], r[r <= 0]
    win_rate = len(wins) / len(r) if len(r) else np.nan
    expectancy = np.nan
    if len(r):
        avg_win = wins.mean() if len(wins) else 0.0
        avg_loss = -losses.mean() if len(losses) else 0.0
        expectancy = win_rate * avg_win - (1 - win_rate) * avg_loss
    curve = np.concatenate([[0.0], equity_curve(closed).r])
    bars = [t.bars for t in closed if t.bars is not None]  # a trade closed by hand has none
    return GroupStats(
        name=name,
        signals=len(trades),
        filled=sum(t.filled for t in trades),
        won=count[Outcome.WON],
        lost=count[Outcome.LOST],
        open=count[Outcome.OPEN],
        not_filled=count[Outcome.NOT_FILLED],
        no_target=count[Outcome.NO_TARGET],
        win_rate=win_rate,
        mean_r=_mean(r),
        median_r=float(np.median(r)) if len(r) else np.nan,
        expectancy=float(expectancy),
        total_r=float(r.sum()),
        max_drawdown=float(np.max(np.maximum.accumulate(curve) - curve)),
        mean_mae=_mean([t.mae for t in closed]),
        winners_mae=_mean([t.mae for t in closed if t.outcome is Outcome.WON]),
        mean_bars=_mean(bars),
        median_bars=float(np.median(bars)) if bars else np.nan,
        losing_streak=longest_losing_streak(closed),
    )


def confirmed_smt(analysis: PairAnalysis) -> list[Signal]:
    """The confirmed SMT signals of a snapshot, in the order they became known."""
    seen = {s.id: s for s in where(analysis.latest, _confirmed_facets)}
    signals = analysis.signals
    # a model's log keeps its live events apart; any other sequence is read whole
    live = signals.live if isinstance(signals, EventLog) else signals
    seen.update((s.id, s) for s in live if _confirmed(s))
    return sorted(seen.values(), key=lambda s: (s.known_time, s.id))


def _confirmed(sig: Signal) -> bool:
    return _confirmed_facets(sig.kind, sig.state, sig.direction)


def _confirmed_facets(kind: str, state: State, _direction) -> bool:
    return kind == "smt" and state is State.CONFIRMED


def outcome_report(analysis: PairAnalysis, *, fill_bars: int,
                   journal: Sequence[JournalEntry] = ()) -> OutcomeReport:
    """Follow every confirmed SMT signal of ``analysis`` on its traded asset's candles;
    with the trades the trader journaled on these signals as a group of their own."""
    candles = {a.symbol: a.candles for a in analysis.assets}
    trades = follow_plans(confirmed_smt(analysis), candles, fill_bars=fill_bars)
    groups, curves = [], {}
    for name, member in GROUPS:
        mine = [t for t in trades if member(t)]
        groups.append(group_stats(name, mine))
        curves[name] = equity_curve(mine)
    taken = journaled_trades(journal, analysis)
    if taken:
        groups.append(group_stats(JOURNALED, taken))
        curves[JOURNALED] = equity_curve(taken)
    return OutcomeReport(trades, tuple(groups), curves, fill_bars)


JOURNALED = "Journaled"


def journaled_trades(journal: Iterable[JournalEntry], analysis: PairAnalysis) -> list[Trade]:
    """The journal's trades on signals of ``analysis``, as the trader took and closed them
    (a trade closed by hand counts as won or lost by the sign of its R)."""
    signals = analysis.latest
    candles = {a.symbol: a.candles for a in analysis.assets}
    trades = []
    for e in journal:
        sig = signals.get(e.signal_id)
        if sig is None or e.symbol not in candles or e.timeframe != analysis.timeframe:
            continue
        time = candles[e.symbol].time
        r = e.r
        if r is None:
            trades.append(Trade(sig, Outcome.OPEN, e.signal_time, e.entry, None, np.nan, np.nan, np.nan, None))
            continue
        exit_time = e.exit_time if e.exit_time is not None else e.signal_time
        bars = None if e.exit_time is None else int(np.searchsorted(time, e.exit_time) - np.searchsorted(time, sig.known_time))
        outcome = Outcome.WON if r > 0 else Outcome.LOST
        trades.append(Trade(sig, outcome, e.signal_time, e.entry, exit_time, e.exit_price, r, np.nan, bars))
    return trades
