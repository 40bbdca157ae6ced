"""Domain §5a, one hand-built scenario per rule and state transition."""

from __future__ import annotations

import pytest

from smtdesk.core.signals.engine import SmtEngine
from smtdesk.core.signal import Direction, State
from tests.core.scenarios import (
    A_HI,
    A_LO,
    B_CL,
    B_HI,
    B_LO,
    bar_time,
    base_pair,
    candles,
    extend,
    mirror,
    with_values,
)


def run(a, b, **kw):
    return SmtEngine("1h", ("A", "B"), major=2, minor=1, **kw).run(a, b)


def story(events, sig_id):
    return [e for e in events if e.id == sig_id]


BEAR_A = f"smt:bearish:A:{bar_time(7)}"


def test_bearish_a_sweeps_forming_divergence_confirmed():
    events = story(run(*base_pair()), BEAR_A)
    assert [e.state for e in events] == [State.FORMING, State.DIVERGENCE, State.CONFIRMED]
    forming, div, conf = events
    assert forming.known_time == bar_time(7) and forming.ref_time == bar_time(7)
    assert forming.provisional and not div.provisional
    assert forming.levels == {"A.swept": 10, "A.new": 11, "B.prior": 20, "B.new": 18.5}
    assert forming.level_times == {
        "A.swept": bar_time(3),
        "A.new": bar_time(7),
        "B.prior": bar_time(3),
        "B.new": bar_time(7),
    }
    assert div.known_time == bar_time(10)
    assert div.levels == {"A.swept": 10, "A.new": 12, "B.prior": 20, "B.new": 19, "mss": 15}
    assert div.level_times == {
        "A.swept": bar_time(3),
        "A.new": bar_time(8),
        "B.prior": bar_time(3),
        "B.new": bar_time(8),
        "mss": bar_time(5),
    }
    assert conf.known_time == bar_time(13)
    assert conf.levels["mss"] == 15 and conf.assets == ("A", "B")
    assert all(e.direction is Direction.BEARISH and e.kind == "smt" for e in events)


def test_bullish_mirror_gives_mirrored_levels():
    a, b = base_pair()
    events = story(run(mirror(a), mirror(b)), f"smt:bullish:A:{bar_time(7)}")
    assert [e.state for e in events] == [State.FORMING, State.DIVERGENCE, State.CONFIRMED]
    assert events[1].levels == {"A.swept": 90, "A.new": 88, "B.prior": 80, "B.new": 81, "mss": 85}
    assert events[1].level_times["mss"] == bar_time(5)
    assert events[2].known_time == bar_time(13)


@pytest.mark.parametrize("mirrored", [False, True])
def test_b_sweeping_swaps_roles(mirrored):
    a, b = base_pair()
    if mirrored:
        a, b = mirror(a), mirror(b)
    direction = "bullish" if mirrored else "bearish"
    events = story(run(b, a), f"smt:{direction}:B:{bar_time(7)}")
    assert [e.state for e in events] == [State.FORMING, State.DIVERGENCE, State.CONFIRMED]
    assert set(events[1].levels) == {"B.swept", "B.new", "A.prior", "A.new", "mss"}
    assert events[1].assets == ("B", "A")


def test_no_signal_when_other_asset_broke_before_the_sweep():
    a, b = base_pair()
    b = candles(with_values(B_HI, b6=20.5), B_LO, B_CL)
    assert story(run(a, b), BEAR_A) == []


@pytest.mark.parametrize("mirrored", [False, True])
@pytest.mark.parametrize("bar", [8, 9, 10])
def test_cancelled_when_other_asset_breaks_up_to_the_divergence_bar(bar, mirrored):
    a, _ = base_pair()
    b = candles(with_values(B_HI, **{f"b{bar}": 20.5}), B_LO, B_CL)
    direction = "bearish"
    if mirrored:
        a, b, direction = mirror(a), mirror(b), "bullish"
    events = story(run(a, b), f"smt:{direction}:A:{bar_time(7)}")
    assert [e.state for e in events] == [State.FORMING, State.CANCELLED]
    cancelled = events[1]
    assert cancelled.known_time == bar_time(bar) and cancelled.reason and cancelled.provisional
    # Rule 4, levels as of the cancel bar: A's running extreme since the sweep is 12 at
    # bar 8 on every cancel bar; B's window around bar 8 reaches the cancel bar, and its
    # extreme so far is the 20.5 that broke the prior level.
    expected = {"A.swept": 10, "A.new": 12, "B.prior": 20, "B.new": 20.5}
    if mirrored:
        expected = {k: 100 - v for k, v in expected.items()}
    assert cancelled.levels == expected
    assert cancelled.level_times == {
        "A.swept": bar_time(3),
        "A.new": bar_time(8),
        "B.prior": bar_time(3),
        "B.new": bar_time(bar),
    }


def test_cancelled_reports_a_extreme_before_the_cancel_bar():
    # A peaks at bar 8 (13) then eases; B breaks its prior level at bar 9 while its
    # highest bar of the window around bar 8 so far is that break.
    a = candles(with_values(A_HI, b8=13, b9=12.5), with_values(A_LO, b8=12, b9=11.5))
    b = candles(with_values(B_HI, b8=19.8, b9=20.2), B_LO, B_CL)
    events = story(run(a, b), BEAR_A)
    assert [e.state for e in events] == [State.FORMING, State.CANCELLED]
    assert events[0].levels["A.new"] == 11 and events[0].levels["B.new"] == 18.5
    assert events[1].levels == {"A.swept": 10, "A.new": 13, "B.prior": 20, "B.new": 20.2}
    assert events[1].level_times["A.new"] == bar_time(8)
    assert events[1].level_times["B.new"] == bar_time(9)


def test_equal_is_never_beyond():
    a, _ = base_pair()
    b = candles(with_values(B_HI, b9=20), B_LO, B_CL)
    assert [e.state for e in story(run(a, b), BEAR_A)][:2] == [State.FORMING, State.DIVERGENCE]
    a_eq = candles(with_values(A_HI, b7=10), A_LO)
    assert story(run(a_eq, b), BEAR_A) == []


def test_swing_is_swept_once():
    a = candles(with_values(A_HI, b9=10.5), A_LO)  # a second poke above 10 after the sweep
    sweeps = {e.id for e in run(a, base_pair()[1]) if e.id.startswith("smt:bearish:A:")}
    assert sweeps == {BEAR_A}


def test_reference_is_most_recent_swing_even_if_lower():
    # Swing 10 at bar 3, then a lower swing 9 at bar 8 (known at 10); bar 12 trades 9.5:
    # above the reference 9 but not above the older 10.
    a_hi = [5, 6, 7, 10, 8, 7, 6, 7, 9, 8, 7, 8, 9.5, 8, 7]
    b_hi = [15, 16, 17, 20, 18, 17, 16, 17, 19, 18, 17, 17, 17.5, 17, 16]
    a = candles(a_hi, [h - 1 for h in a_hi])
    b = candles(b_hi, [h - 1 for h in b_hi])
    events = [e for e in run(a, b) if e.id.startswith("smt:bearish:A:")]
    assert events[0].id == f"smt:bearish:A:{bar_time(12)}"
    assert events[0].levels["A.swept"] == 9 and events[0].level_times["A.swept"] == bar_time(8)
    assert events[0].levels["B.prior"] == 19


def test_invalidated_by_price_after_divergence():
    a, _ = base_pair()
    b = candles(with_values(B_HI, b12=19.5), B_LO, B_CL)
    events = story(run(a, b), BEAR_A)
    assert [e.state for e in events] == [State.FORMING, State.DIVERGENCE, State.INVALIDATED]
    assert events[2].known_time == bar_time(12)
    assert events[2].levels["B.break"] == 19.5


def test_price_invalidation_is_checked_before_mss_on_the_same_bar():
    a, _ = base_pair()
    b = candles(with_values(B_HI, b13=19.5), B_LO, B_CL)
    events = story(run(a, b), BEAR_A)
    assert events[-1].state is State.INVALIDATED and events[-1].known_time == bar_time(13)


def test_invalidated_by_timeout():
    a, _ = base_pair()
    flat = 25
    a = candles(extend(A_HI[:13], [7] * flat), extend(A_LO[:13], [6] * flat))
    b = candles(
        extend(B_HI[:13], [16.5] * flat),
        extend(B_LO[:13], [15.5] * flat),
        extend(B_CL[:13], [16] * flat),
    )
    events = story(run(a, b, mss_timeout=20), BEAR_A)
    assert [e.state for e in events] == [State.FORMING, State.DIVERGENCE, State.INVALIDATED]
    assert events[2].known_time == bar_time(10 + 20)
    assert "20" in events[2].reason
    short = story(run(a, b, mss_timeout=5), BEAR_A)
    assert short[2].known_time == bar_time(15)


def test_confirmed_on_the_last_bar_of_the_timeout():
    a, b = base_pair()
    events = story(run(a, b, mss_timeout=3), BEAR_A)
    assert events[-1].state is State.CONFIRMED and events[-1].known_time == bar_time(13)
    events = story(run(a, b, mss_timeout=2), BEAR_A)
    assert events[-1].state is State.INVALIDATED and events[-1].known_time == bar_time(12)


def test_without_minor_swing_before_the_new_level_it_cannot_confirm():
    a, _ = base_pair()
    rising = [14, 15, 16, 16.5, 17, 17.1, 17.2, 17.3, 18, 17, 16, 16, 15.5, 14, 14]
    b = candles(B_HI, rising, B_CL)
    events = story(run(a, b), BEAR_A)
    assert events[1].state is State.DIVERGENCE and "mss" not in events[1].levels
    assert State.CONFIRMED not in [e.state for e in events]


def test_divergence_waits_for_the_new_swing():
    a, b = base_pair()
    events = story(run(a[:10], b[:10]), BEAR_A)
    assert [e.state for e in events] == [State.FORMING]
    events = story(run(a[:11], b[:11]), BEAR_A)
    assert [e.state for e in events] == [State.FORMING, State.DIVERGENCE]


def test_update_after_a_changed_history_recomputes():
    a, b = base_pair()
    eng = SmtEngine("1h", ("A", "B"), major=2, minor=1)
    eng.run(a[3:12], b[3:12])
    # Older bars arrive in front of the held ones: not an extension, so a full rerun;
    # only events after the previous last bar count as new.
    new = eng.update(a, b)
    full = run(a, b)
    assert eng.events == full
    assert new == [e for e in full if e.known_time > bar_time(11)]
    assert new and any(e.known_time <= bar_time(11) for e in full)


def test_update_rejects_unaligned_series():
    a, b = base_pair()
    eng = SmtEngine("1h", ("A", "B"), major=2, minor=1)
    eng.run(a[:10], b[:10])
    with pytest.raises(ValueError, match="aligned"):
        eng.update(a, b[:14])


# Rule 5 with minor strength 2: B's new high is on the divergence bar (bar 10), and B's
# minor swing low at bar 9 (17) becomes known only at bar 11. At the divergence bar the
# MSS level is the older swing low 15 at bar 5; from bar 11 on it is 17.
LATE_A_HI = extend(A_HI, [5])
LATE_A_LO = extend(A_LO, [4])
LATE_B_HI = [15, 16, 17, 20, 18, 17, 18, 18.5, 18.7, 18.2, 19, 18, 18.2, 16, 15.5, 15]
LATE_B_LO = [14, 15, 16, 19, 17, 15, 17, 17.5, 17.8, 17, 18, 17.5, 16, 15, 14.5, 14]
LATE_B_CL = [14.5, 15.5, 16.5, 19.5, 17.5, 16, 17.5, 18, 18.5, 17.5]
LATE_B_CL += [18.5, 17.7, 16.5, 15.5, 14.6, 14.5]  # bar 10 on


def late_pair(*, mirrored: bool, b_low=LATE_B_LO):
    a, b = candles(LATE_A_HI, LATE_A_LO), candles(LATE_B_HI, b_low, LATE_B_CL)
    return (mirror(a), mirror(b)) if mirrored else (a, b)


def run_late(a, b):
    return SmtEngine("1h", ("A", "B"), major=2, minor=2).run(a, b)


@pytest.mark.parametrize("mirrored", [False, True])
def test_mss_level_from_a_minor_swing_known_after_the_divergence(mirrored):
    direction = "bullish" if mirrored else "bearish"
    events = story(run_late(*late_pair(mirrored=mirrored)), f"smt:{direction}:A:{bar_time(7)}")
    assert [e.state for e in events] == [State.FORMING, State.DIVERGENCE, State.CONFIRMED]
    _, div, conf = events
    price = (lambda v: 100 - v) if mirrored else (lambda v: v)
    assert div.known_time == bar_time(10)
    assert div.levels == {
        "A.swept": price(10), "A.new": price(12), "B.prior": price(20), "B.new": price(19),
        "mss": price(15),
    }
    assert div.level_times["B.new"] == bar_time(10) and div.level_times["mss"] == bar_time(5)
    # Bar 11 closes at 17.7, not beyond 17; bar 12 closes at 16.5, beyond 17 but not 15.
    assert conf.known_time == bar_time(12)
    assert conf.levels["mss"] == price(17) and conf.level_times["mss"] == bar_time(9)
    # The plan retests the level crossed (no gap: bar 12's high 18.2 is above bar 10's
    # low 18). Stop at B's new level 19 (ATR14 has no value yet on 13 bars, so no
    # buffer), risk 2; target the resting major swing low 15 at bar 5, 2 away: 1R; size
    # 1 % of 10 000 over the risk of 2.
    plan = conf.plan
    assert plan.entry_reason == "mss retest"
    assert (plan.entry, plan.stop, plan.target) == (price(17), price(19), price(15))
    assert plan.reward_risk == 1.0 and plan.position_size == 50.0


@pytest.mark.parametrize("mirrored", [False, True])
def test_divergence_without_a_known_minor_swing_confirms_once_one_is_known(mirrored):
    direction = "bullish" if mirrored else "bearish"
    no_early_swing = with_values(LATE_B_LO, b5=17)
    pair = late_pair(mirrored=mirrored, b_low=no_early_swing)
    events = story(run_late(*pair), f"smt:{direction}:A:{bar_time(7)}")
    assert [e.state for e in events] == [State.FORMING, State.DIVERGENCE, State.CONFIRMED]
    assert "mss" not in events[1].levels and "yet" in events[1].reason
    assert events[2].known_time == bar_time(12)
    assert events[2].levels["mss"] == (83 if mirrored else 17)
    assert events[2].level_times["mss"] == bar_time(9)
