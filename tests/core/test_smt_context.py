"""Trade plan, higher-timeframe and pair-quality tags, and manual swings on SMT signals."""

from __future__ import annotations

import math

import numpy as np
import pytest

from smtdesk.core.signals.engine import SmtEngine
from smtdesk.core.indicators import atr
from smtdesk.core.signal import Direction, State
from smtdesk.core.structure.swings import ManualSwing
from tests.core.scenarios import A_HI, A_LO, B_CL, B_HI, B_LO, bar_time, base_pair, candles

BEAR_A = f"smt:bearish:A:{bar_time(7)}"


def run(a, b, **kw):
    manual = kw.pop("manual", None)
    return SmtEngine("1h", ("A", "B"), major=2, minor=1, **kw).run(a, b, manual=manual)


def story(events, sig_id):
    return [e for e in events if e.id == sig_id]


# --- trade plan -----------------------------------------------------------------------

# Six bars before the base scenario: B dips to a swing low of 10 (a resting pool, the
# short's first target), A stays below its later swing high.
PRE_A_HI, PRE_A_LO = [5, 4, 3, 4, 5, 5.5], [4, 3, 2, 3, 4, 4.5]
PRE_B_HI, PRE_B_LO = [16, 15, 11, 14, 15, 15.5], [15, 14, 10, 13, 14, 14.5]


def test_plan_on_confirmation_uses_gap_entry_swing_stop_and_resting_pool():
    a = candles(PRE_A_HI + A_HI, PRE_A_LO + A_LO)
    b = candles(
        PRE_B_HI + B_HI, PRE_B_LO + B_LO, [(h + lo) / 2 for h, lo in zip(PRE_B_HI, PRE_B_LO)] + B_CL
    )
    events = story(
        run(a, b, atr_period=3, stop_atr=0.1, account_size=5_000, risk_pct=2),
        f"smt:bearish:A:{bar_time(13)}",
    )
    assert [e.state for e in events] == [State.FORMING, State.DIVERGENCE, State.CONFIRMED]
    assert all(e.plan is None for e in events[:2])
    plan = events[2].plan
    assert plan.direction is Direction.BEARISH
    # Latest open bearish gap of the drop from B's new high (bar 14): bar 15's low 17
    # above bar 17's high 16.5; a pull-back meets its lower edge first.
    assert plan.entry_reason == "fvg" and plan.entry == 16.5
    buffer = 0.1 * atr(b.high, b.low, b.close, 3)[19]
    assert buffer > 0
    assert plan.stop == pytest.approx(19 + buffer)
    assert plan.target == 10
    risk = plan.stop - plan.entry
    assert plan.reward_risk == pytest.approx((16.5 - 10) / risk)
    assert plan.position_size == pytest.approx(5_000 * 0.02 / risk)


def test_plan_enters_at_mss_retest_without_a_gap():
    a, _ = base_pair()
    # Overlapping candles on the way down: no three-candle gap.
    b_hi = B_HI[:9] + [18, 18.1, 17, 16.5, 16.2, 15.5]
    b_lo = B_LO[:9] + [16.9, 16.4, 16.1, 15.4, 14, 14]
    b = candles(b_hi, b_lo, B_CL)
    events = story(run(a, b), BEAR_A)
    assert events[-1].state is State.CONFIRMED
    assert events[-1].plan.entry_reason == "mss retest" and events[-1].plan.entry == 15
    assert math.isnan(events[-1].plan.target)


# --- higher-timeframe and pair-quality tags -------------------------------------------


def _zigzag(n: int, start: float, slope: float, noise_seed: int | None = None):
    t = np.arange(n)
    mid = start + slope * t + 2 * np.sin(2 * np.pi * t / 48)
    if noise_seed is not None:
        mid = mid + np.cumsum(np.random.default_rng(noise_seed).normal(0, 0.8, n))
    return list(mid + 0.5), list(mid - 0.5)


def trended_pair(slope: float, noise_seed: int | None = None):
    """240 hourly bars of a zigzag trend (60 four-hour buckets), then the base scenario
    lifted by 100; with major=2 the 4h swings show the trend."""
    ah, al = _zigzag(240, 80, slope)
    bh, bl = _zigzag(240, 100, slope, noise_seed)
    a = candles(ah + [v + 100 for v in A_HI], al + [v + 100 for v in A_LO])
    b = candles(
        bh + [v + 100 for v in B_HI],
        bl + [v + 100 for v in B_LO],
        [(h + lo) / 2 for h, lo in zip(bh, bl)] + [v + 100 for v in B_CL],
    )
    return a, b


def flip(c, around=400.0):
    return candles(
        [around - v for v in c.low], [around - v for v in c.high], [around - v for v in c.close]
    )


@pytest.mark.parametrize(
    "slope, trend, tag", [(0.05, "4h up", "counter-trend"), (-0.05, "4h down", "aligned")]
)
def test_first_higher_timeframe_trend_tags_the_signal(slope, trend, tag):
    a, b = trended_pair(slope)
    events = story(run(a, b), f"smt:bearish:A:{bar_time(247)}")
    assert [e.state for e in events[:2]] == [State.FORMING, State.DIVERGENCE]
    for e in events[:2]:
        assert trend in e.tags and tag in e.tags and "weak pair" not in e.tags
        assert {"aligned", "counter-trend"} & e.tags == {tag}


def test_bullish_signal_in_a_downtrend_is_counter_trend():
    a, b = trended_pair(0.05)
    events = story(run(flip(a), flip(b)), f"smt:bullish:A:{bar_time(247)}")
    assert events[0].state is State.FORMING
    assert {"4h down", "counter-trend"} <= events[0].tags


def test_weakly_correlated_pair_is_tagged():
    a, b = trended_pair(0.05, noise_seed=3)
    events = story(run(a, b), f"smt:bearish:A:{bar_time(247)}")
    assert events and all("weak pair" in e.tags for e in events)
    strict = story(run(a, b, corr_min=-1.0), f"smt:bearish:A:{bar_time(247)}")
    assert strict and all("weak pair" not in e.tags for e in strict)


def test_short_history_has_no_pair_quality_tag():
    events = run(*base_pair())
    assert events and all("weak pair" not in e.tags for e in events)


# --- manual swings ---------------------------------------------------------------------


def test_manual_swing_replaces_the_automatic_one_on_its_bar():
    a, b = base_pair()
    auto = story(run(a, b), BEAR_A)
    manual = story(run(a, b, manual={"A": [ManualSwing(bar_time(8), "high")]}), BEAR_A)
    assert auto[1].state is manual[1].state is State.DIVERGENCE
    assert auto[1].known_time == bar_time(10)
    # Confirmed at once when placed: the divergence is known at the swing's own bar.
    assert manual[1].known_time == bar_time(8)
    assert manual[1].levels == auto[1].levels
    assert manual[2].state is State.CONFIRMED and manual[2].known_time == bar_time(13)


def test_manual_swing_becomes_the_reference_to_sweep():
    a, b = base_pair()
    events = story(run(a, b, manual={"A": [ManualSwing(bar_time(6), "high")]}), BEAR_A)
    assert events[0].levels["A.swept"] == 8 and events[0].level_times["A.swept"] == bar_time(6)
    # Y's prior window stops at the sweep bar: 18.5 at bar 7, broken by 19 at bar 8.
    assert events[0].levels["B.prior"] == 18.5
    assert [e.state for e in events] == [State.FORMING, State.CANCELLED]
    assert events[1].known_time == bar_time(8)


def test_manual_minor_swing_sets_the_mss_level():
    a, b = base_pair()
    events = story(run(a, b, manual={"B": [ManualSwing(bar_time(7), "low")]}), BEAR_A)
    assert events[1].levels["mss"] == 17.5 and events[1].level_times["mss"] == bar_time(7)
    assert events[2].state is State.CONFIRMED and events[2].known_time == bar_time(11)


def test_manual_swing_on_a_missing_bar_is_ignored():
    a, b = base_pair()
    assert run(a, b, manual={"A": [ManualSwing(bar_time(8) + 1, "high")]}) == run(a, b)
