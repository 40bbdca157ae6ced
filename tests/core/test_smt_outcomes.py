"""Following SMT trade plans bar by bar, on candles built by hand.

Each case lists the traded asset's bars after the confirmation bar (bar 0) with the
reading a trader would make; bars are an hour apart, so bar i opens at i hours.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from smtdesk.core.analysis import AssetAnalysis, PairAnalysis
from smtdesk.core.candles import Candles
from smtdesk.core.pair_model import EventLog
from smtdesk.core.signal import Direction, Signal, State, TradePlan
from smtdesk.core.smt.outcome_stats import confirmed_smt, outcome_report
from smtdesk.core.smt.outcomes import Outcome, follow_plans, walk_plans
from smtdesk.core.structure.swings import Swings

HOUR = 3_600_000
ETH = "ETH/USDT:USDT"
BTC = "BTC/USDT:USDT"


def candles(bars: list[tuple[float, float]]) -> Candles:
    """(high, low) per bar, bar 0 first."""
    high = np.array([h for h, _ in bars], float)
    low = np.array([lo for _, lo in bars], float)
    mid = (high + low) / 2
    return Candles(np.arange(len(bars), dtype=np.int64) * HOUR, mid, high, low, mid, np.ones(len(bars)))


def signal(direction: Direction, entry: float, stop: float, target: float, *, known_bar: int = 0,
           tags: frozenset[str] = frozenset(), state: State = State.CONFIRMED, kind: str = "smt") -> Signal:
    reward_risk = abs(target - entry) / abs(entry - stop)
    plan = TradePlan(direction, entry, stop, target, reward_risk, 1.0, "mss retest")
    return Signal(
        id=f"{kind}:{direction.value}:{BTC}:{known_bar}:{entry}", kind=kind, direction=direction, state=state,
        assets=(BTC, ETH), timeframe="1h", ref_time=0, known_time=known_bar * HOUR, tags=tags,
        plan=plan if state is State.CONFIRMED else None,
    )


def follow(sig: Signal, bars, *, fill_bars: int = 20):
    (trade,) = follow_plans([sig], {ETH: candles(bars)}, fill_bars=fill_bars)
    return trade


LONG = Direction.BULLISH
SHORT = Direction.BEARISH


def test_long_reaches_its_target():
    # entry 100, stop 95 (risk 5), target 110: 2 R
    trade = follow(signal(LONG, 100, 95, 110), [
        (104, 101),  # 0: the confirmation bar, not traded
        (106, 102),  # 1: above the entry, no fill
        (103, 99),   # 2: filled at 100, 1 point against: 0.2 R
        (104, 97),   # 3: 3 points against: 0.6 R
        (110, 101),  # 4: the target, touched exactly
        (90, 80),    # 5: after the exit, never read
    ])
    assert trade.outcome is Outcome.WON
    assert (trade.fill_time, trade.fill_price) == (2 * HOUR, 100)
    assert (trade.exit_time, trade.exit_price) == (4 * HOUR, 110)
    assert trade.r == pytest.approx(2.0)
    assert trade.mae == pytest.approx(0.6)
    assert trade.bars == 4


def test_short_stopped_out():
    # entry 200, stop 210 (risk 10), target 180
    trade = follow(signal(SHORT, 200, 210, 180), [
        (199, 190),
        (201, 195),  # 1: filled at 200; 1 point against: 0.1 R
        (205, 190),  # 2: 0.5 R against
        (210, 199),  # 3: the stop, touched exactly
    ])
    assert trade.outcome is Outcome.LOST
    assert (trade.fill_time, trade.exit_time, trade.exit_price) == (HOUR, 3 * HOUR, 210)
    assert trade.r == -1.0
    assert trade.mae == 1.0
    assert trade.bars == 3


def test_bar_reaching_stop_and_target_is_a_loss():
    trade = follow(signal(LONG, 100, 95, 110), [
        (104, 101),
        (101, 99),   # 1: filled
        (111, 94),   # 2: both the target and the stop: the stop
    ])
    assert trade.outcome is Outcome.LOST
    assert trade.exit_time == 2 * HOUR
    assert trade.r == -1.0


def test_entry_and_stop_on_one_bar_is_a_loss():
    trade = follow(signal(SHORT, 200, 210, 180), [
        (199, 190),
        (212, 199),  # 1: up through the entry into the stop
    ])
    assert trade.outcome is Outcome.LOST
    assert trade.fill_time == trade.exit_time == HOUR
    assert trade.bars == 1


def test_target_on_the_fill_bar_does_not_count():
    trade = follow(signal(LONG, 100, 95, 110), [
        (104, 101),
        (112, 99),   # 1: filled, but the target may have come first: not won here
        (105, 101),  # 2: nothing
        (110, 102),  # 3: the target
    ])
    assert trade.outcome is Outcome.WON
    assert (trade.fill_time, trade.exit_time) == (HOUR, 3 * HOUR)
    assert trade.mae == pytest.approx(0.2)


def test_entry_never_touched_within_the_wait():
    trade = follow(signal(LONG, 100, 95, 110), [
        (104, 101),
        (105, 101), (106, 102), (104, 100.5),  # 1-3: the wait of 3 bars, never at 100
        (103, 90),                             # 4: too late
    ], fill_bars=3)
    assert trade.outcome is Outcome.NOT_FILLED
    assert trade.fill_time is None and trade.exit_time is None and trade.bars is None
    assert math.isnan(trade.r) and math.isnan(trade.mae)
    # the wait ends on the last bar: not filled, though no later bar exists
    ends = follow(signal(LONG, 100, 95, 110), [(104, 101), (105, 101), (106, 102), (104, 100.5)], fill_bars=3)
    assert ends.outcome is Outcome.NOT_FILLED


def test_unresolved_when_the_candles_end():
    filled = follow(signal(LONG, 100, 95, 110), [
        (104, 101),
        (102, 100),  # 1: filled at exactly the entry, nothing against
        (108, 101), (107, 103),
    ])
    assert filled.outcome is Outcome.OPEN
    assert filled.fill_time == HOUR and filled.exit_time is None
    assert filled.mae == 0.0 and math.isnan(filled.r)
    # still waiting for the entry when the candles end (2 of 5 bars waited)
    waiting = follow(signal(LONG, 100, 95, 110), [(104, 101), (105, 101), (106, 102)], fill_bars=5)
    assert waiting.outcome is Outcome.OPEN and waiting.fill_time is None


def test_plan_without_a_target_is_not_followed():
    sig = signal(LONG, 100, 95, 110)
    sig = Signal(**{f: getattr(sig, f) for f in Signal.__slots__ if f != "plan"},
                 plan=TradePlan(LONG, 100, 95, math.nan, math.nan, 1.0, "fvg"))
    assert follow(sig, [(104, 101), (101, 90)]).outcome is Outcome.NO_TARGET


def test_each_plan_starts_after_its_own_confirmation_bar():
    bars = [(104, 101), (101, 99), (111, 101), (104, 101)]
    early, late = follow_plans(
        [signal(LONG, 100, 95, 110, known_bar=0), signal(LONG, 100, 95, 110, known_bar=1)],
        {ETH: candles(bars)}, fill_bars=20,
    )
    assert early.outcome is Outcome.WON and early.exit_time == 2 * HOUR
    # bar 1 confirmed the second: it waits from bar 2 on and never sees 100 again
    assert late.outcome is Outcome.OPEN and late.fill_time is None


def _reference(high, low, start, entry, stop, target, long, fill_bars):
    """The rules read one bar at a time, in plain Python, on prices flipped for a short."""
    out = []
    for s, e, st, tg, lg in zip(start, entry, stop, target, long):
        f = 1.0 if lg else -1.0
        lows = [f * v for v in (low if lg else high)]
        highs = [f * v for v in (high if lg else low)]
        e, st, tg = f * e, f * st, f * tg
        fill = next((j for j in range(s, min(s + fill_bars, len(lows))) if lows[j] <= e), None)
        if fill is None:
            out.append(("not filled" if s + fill_bars <= len(lows) else "open", -1, -1, math.nan))
            continue
        worst, result = 0.0, ("open", fill, -1)
        for k in range(fill, len(lows)):
            worst = max(worst, (e - lows[k]) / (e - st))
            if lows[k] <= st:
                result = ("lost", fill, k)
                break
            if k > fill and highs[k] >= tg:
                result = ("won", fill, k)
                break
        out.append((*result, min(worst, 1.0)))
    return out


def test_compiled_walk_matches_a_plain_reading_on_random_candles():
    rng = np.random.default_rng(7)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, 3000)))
    high = close * (1 + np.abs(rng.normal(0, 0.005, 3000)))
    low = close * (1 - np.abs(rng.normal(0, 0.005, 3000)))
    n = 400
    start = rng.integers(0, 3000, n)
    long = rng.random(n) < 0.5
    sign = np.where(long, 1.0, -1.0)
    entry = close[np.maximum(start - 1, 0)] * (1 - sign * rng.uniform(0, 0.02, n))
    risk = entry * rng.uniform(0.002, 0.03, n)
    stop, target = entry - sign * risk, entry + sign * risk * rng.uniform(0.5, 4, n)
    w = walk_plans(high, low, start, entry, stop, target, long, fill_bars=15)
    ref = _reference(high, low, start, entry, stop, target, long, 15)
    codes = {0: "open", 1: "won", 2: "lost", 3: "not filled"}
    got = [(codes[o], f, x) for o, f, x in zip(w.outcome, w.fill, w.exit)]
    assert got == [r[:3] for r in ref]
    np.testing.assert_allclose(w.mae, [r[3] for r in ref], rtol=1e-12)
    assert {r[0] for r in ref} == {"open", "won", "lost", "not filled"}


def _asset(symbol: str, c: Candles) -> AssetAnalysis:
    none = np.empty(0, np.int64)
    return AssetAnalysis(symbol, c, {}, Swings(none, none, 5))


def test_report_groups_by_direction_and_tag():
    # one bar series for both plans: a long from 100 to 110 (won), a short into its stop
    eth = candles([(104, 101), (101, 99), (111, 101), (112, 105)])
    won = signal(LONG, 100, 95, 110, tags=frozenset({"aligned", "4h up"}))
    lost = signal(SHORT, 108, 111, 90, known_bar=1, tags=frozenset({"counter-trend", "weak pair"}))
    pending = signal(LONG, 100, 95, 110, known_bar=2, state=State.DIVERGENCE)
    other = signal(LONG, 100, 95, 110, kind="rsi_divergence")
    analysis = PairAnalysis(
        "1h", (_asset(BTC, eth), _asset(ETH, eth)), signals=EventLog((), [lost], 1),
        latest={s.id: s for s in (won, pending, other)},
    )
    assert confirmed_smt(analysis) == [won, lost]
    report = outcome_report(analysis, fill_bars=20)
    groups = {g.name: g for g in report.groups}
    wanted = {"All": (2, 1, 1), "Bullish": (1, 1, 0), "Bearish": (1, 0, 1), "Aligned": (1, 1, 0),
              "Counter-trend": (1, 0, 1), "Strong pair": (1, 1, 0), "Weak pair": (1, 0, 1),
              "Aligned, strong": (1, 1, 0)}
    assert {name: (g.signals, g.won, g.lost) for name, g in groups.items()} == wanted
    # the short filled at 108 on bar 2 (high 111 is its stop too): -1 R; the long won 2 R
    assert groups["All"].total_r == pytest.approx(1.0)
    curve = report.curves["All"]
    assert curve.time.tolist() == [2 * HOUR, 2 * HOUR]
    assert curve.r.tolist() == pytest.approx([2.0, 1.0])  # same exit bar: the long was known first
