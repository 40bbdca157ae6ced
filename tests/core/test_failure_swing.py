"""Wilder failure swings, domain §6b rule by rule, and against a direct reading of it."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from smtdesk.core.signals.indicators import COLUMNS, IndicatorSignalParams
from smtdesk.core.signal import Direction
from smtdesk.core.structure.swings import SwingSet
from tests.core.scenarios import HOUR, bar_time, candles, indicator_events


def swings_of(rsi, *, m=1, w=5, start=0):
    """The failure-swing events of an RSI column (flat candles: no other swing events)."""
    n = len(rsi)
    cols = {name: np.full(n, np.nan) for name in COLUMNS}
    cols["rsi"] = np.asarray(rsi, float)
    c = candles(np.full(n, 10.0), np.full(n, 9.0))
    none = SwingSet([], [], strength=2)
    evs = indicator_events(
        cols, c, asset="A", timeframe="1h", swing_highs=none, swing_lows=none, start=start,
        params=IndicatorSignalParams(failure_strength=m, failure_window=w,
                                     kinds=frozenset({"rsi_failure_swing"})),
    )
    return evs


def bar(t: int) -> int:
    return int((t - bar_time(0)) // HOUR)


def reference(rsi, *, m, w, high=70.0, low=30.0):
    """§6b read literally, by brute force: {(direction, B): (P, F)}."""
    rsi = np.asarray(rsi, float)
    n = len(rsi)

    def swing(i, sign):
        if i - m < 0 or i + m >= n or np.isnan(rsi[i - m : i + m + 1]).any():
            return False
        x = sign * rsi[i]
        return all(x > sign * rsi[j] for j in range(i - m, i)) and all(
            x >= sign * rsi[j] for j in range(i + 1, i + m + 1)
        )

    out = {}
    for sign, level, d in ((1, high, Direction.BEARISH), (-1, low, Direction.BULLISH)):
        for p in range(n):
            if not (swing(p, sign) and sign * rsi[p] > sign * level):
                continue
            f = next((f for f in range(p + 1, n) if swing(f, -sign)), None)
            if f is None or f + m >= n:
                continue
            above = [j for j in range(p + 1, n) if sign * rsi[j] > sign * rsi[p]]
            b = next((b for b in range(f + m + 1, n) if sign * rsi[b] < sign * rsi[f]), None)
            if b is None or b > f + m + w or (above and above[0] <= b):
                continue
            if (d, b) not in out or out[(d, b)][0] < p:
                out[(d, b)] = (p, f)
    return out


#        0   1   2   3   4   5   6   7   8   9
TOP = [50, 60, 75, 65, 55, 62, 68, 60, 54, 50]


def test_top_refers_to_and_is_known_at_the_break_with_every_level_at_its_bar():
    # P = 2 (75), F = 4 (55, a swing low known at 5), rally high 68 at 6, break at 8 (54).
    (e,) = swings_of(TOP)
    assert e.direction is Direction.BEARISH
    assert bar(e.ref_time) == 8 and bar(e.known_time) == 8
    assert dict(e.levels) == {"rsi.peak": 75, "rsi.failure": 55, "rsi.rally": 68, "rsi": 54}
    assert {k: bar(t) for k, t in e.level_times.items()} == {
        "rsi.peak": 2, "rsi.failure": 4, "rsi.rally": 6, "rsi": 8}
    assert e.id == f"rsi_failure_swing:bearish:A:{bar_time(2)}"


def test_bottom_is_the_mirror():
    (e,) = swings_of([100 - v for v in TOP])
    assert e.direction is Direction.BULLISH and bar(e.known_time) == 8
    assert e.levels["rsi.peak"] == 25 and e.levels["rsi.rally"] == 32


def test_break_right_after_the_rally_top_is_known_at_once():
    # m = 2: P = 3 (75), F = 5 (55, confirmed at 7), the rally tops at 7 (62) and bar 8
    # (50) breaks F. Nothing waits for the rally top to confirm as a swing (it would at
    # 9): known at the break bar 8.
    (e,) = swings_of([50, 55, 60, 75, 65, 55, 58, 62, 50, 52], m=2)
    assert bar(e.known_time) == 8 and bar(e.ref_time) == 8
    assert bar(e.level_times["rsi.rally"]) == 7


def test_break_must_be_strictly_below_the_failure_point():
    assert not swings_of([50, 60, 75, 55, 62, 55, 56])
    assert [bar(e.known_time) for e in swings_of([50, 60, 75, 55, 62, 55, 54.9])] == [6]


def test_peak_must_be_above_the_level_strictly():
    assert not swings_of([50, 60, 70, 55, 62, 50, 52])


def test_equal_to_the_peak_is_not_above_it_but_higher_spoils_it():
    # The rally reaches 75 again (equal, not above): still a failure swing; 75.1 spoils it.
    assert swings_of([50, 60, 75, 55, 75, 50, 52])
    assert not swings_of([50, 60, 75, 55, 75.1, 50, 52])


def test_window_counts_from_the_failure_points_confirmation():
    # F = 3, confirmed at 4; with w = 2 the break may come at 5 or 6, not at 7.
    base = [50, 60, 75, 55, 62, 60, 58]
    assert [bar(e.known_time) for e in swings_of(base + [54], w=3)] == [7]
    assert not swings_of(base + [54], w=2)
    assert [bar(e.known_time) for e in swings_of(base[:6] + [54], w=2)] == [6]


def test_swing_ties_left_equal_is_no_swing_right_equal_is():
    # Bars 1 and 2 are both 75: bar 1 (not below the bar on its right) is the peak, bar 2
    # (not above the bar on its left) is not a swing.
    (e,) = swings_of([50, 75, 75, 55, 62, 50, 52])
    assert bar(e.level_times["rsi.peak"]) == 1 and bar(e.known_time) == 5


def test_warm_up_bars_are_neither_swings_nor_neighbours():
    # RSI starts at bar 1: bar 1 (first value, 80) has a warm-up neighbour on its left and
    # cannot be a peak; with a value at bar 0 below it, it is.
    nan = float("nan")
    assert not swings_of([nan, 80, 60, 65, 50, 52])
    (e,) = swings_of([40, 80, 60, 65, 50, 52])
    assert bar(e.level_times["rsi.peak"]) == 1


def test_patterns_breaking_on_one_bar_give_one_event_the_latest_peak():
    # P = 2 (80) with F = 3 (60), and P = 5 (78) with F = 6 (62): bar 8 (55) breaks both.
    rsi = [50, 60, 80, 60, 70, 78, 62, 66, 55, 58]
    assert set(reference(rsi, m=1, w=5)) == {(Direction.BEARISH, 8)}
    (e,) = swings_of(rsi)
    assert bar(e.level_times["rsi.peak"]) == 5 and bar(e.level_times["rsi.failure"]) == 6
    assert e.id == f"rsi_failure_swing:bearish:A:{bar_time(5)}"


def test_a_later_peak_before_the_same_failure_point_wins():
    # m = 2: swing highs 2 (80) and 5 (75) with no swing low between them share F = 7
    # (60, confirmed at 9); bar 10 (55) breaks it.
    rsi = [50, 60, 80, 70, 72, 75, 65, 60, 62, 64, 55]
    (e,) = swings_of(rsi, m=2)
    assert bar(e.known_time) == 10 and bar(e.level_times["rsi.failure"]) == 7
    assert bar(e.level_times["rsi.peak"]) == 5 and e.levels["rsi.peak"] == 75


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(5, 160), m=st.integers(1, 3),
       w=st.integers(1, 25), warm=st.integers(0, 15))
def test_agrees_with_the_literal_reading(seed, n, m, w, warm):
    rng = np.random.default_rng(seed)
    # Coarse values so ties, equal edges and level touches happen often.
    rsi = np.clip(50 + np.cumsum(rng.integers(-12, 13, n)) / 1.0, 0, 100).round(-1)
    rsi[: min(warm, n)] = np.nan
    got = {(e.direction, bar(e.known_time)): (bar(e.level_times["rsi.peak"]),
                                              bar(e.level_times["rsi.failure"]))
           for e in swings_of(rsi, m=m, w=w)}
    assert len(got) == len(swings_of(rsi, m=m, w=w))  # one per (direction, break bar)
    assert got == reference(rsi, m=m, w=w)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(5, 120))
def test_live_update_from_any_bar_reports_the_same_events(seed, n):
    rng = np.random.default_rng(seed)
    rsi = np.clip(50 + np.cumsum(rng.integers(-12, 13, n)), 0, 100).round(-1).astype(float)
    full = swings_of(rsi, m=2, w=20)
    for k in range(n):
        assert swings_of(rsi[: k + 1], m=2, w=20, start=k) == [
            e for e in full if e.known_time == bar_time(k)
        ]


def test_real_rsi_agrees_with_the_literal_reading(shared_data):
    import pandas as pd

    from smtdesk.core.indicators.rsi import rsi as rsi_of

    df = pd.read_csv(shared_data / "candles" / "binance_usdm_perp" / "ETHUSDT_1h.csv")
    values = np.asarray(rsi_of(df.close.to_numpy()[:3000], 14))
    got = {(e.direction, bar(e.known_time)): (bar(e.level_times["rsi.peak"]),
                                              bar(e.level_times["rsi.failure"]))
           for e in swings_of(values, m=2, w=20)}
    assert got and got == reference(values, m=2, w=20)
