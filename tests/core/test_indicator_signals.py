"""Indicator and derivatives signals (domain §6): one hand-built case per detector family."""

from __future__ import annotations

import numpy as np
import pytest

from smtdesk.core.signals.indicators import (
    COLUMNS,
    Derivatives,
    IndicatorSignalParams,
    Series,
)
from smtdesk.core.signal import Direction, State
from smtdesk.core.structure.swings import SwingSet, find_swings
from tests.core.scenarios import HOUR, bar_time, candles
from tests.core.scenarios import indicator_events


def columns(n: int, **given) -> dict[str, np.ndarray]:
    cols = {name: np.full(n, np.nan) for name in COLUMNS}
    cols.update({k: np.asarray(v, float) for k, v in given.items()})
    return cols


def events(cols, c=None, *, strength=2, start=0, derivatives=None, **params):
    n = len(next(iter(cols.values())))
    c = c if c is not None else candles(np.full(n, 10.0), np.full(n, 9.0))
    sw = find_swings(c.high, c.low, strength=strength)
    return indicator_events(
        cols,
        c,
        asset="A",
        timeframe="1h",
        swing_highs=SwingSet(sw.high_idx, [], strength=strength),
        swing_lows=SwingSet(sw.low_idx, [], strength=strength),
        start=start,
        params=IndicatorSignalParams(**params),
        derivatives=derivatives,
    )


def kinds(evs, kind):
    return [(e.direction, int((e.known_time - bar_time(0)) // HOUR)) for e in evs if e.kind == kind]


def test_rsi_level_crosses_ignore_touches():
    evs = events(columns(6, rsi=[60, 69, 70, 71, 65, 49]))
    assert kinds(evs, "rsi_cross_70") == [(Direction.BULLISH, 3), (Direction.BEARISH, 4)]
    assert kinds(evs, "rsi_cross_50") == [(Direction.BEARISH, 5)]
    assert all(e.state is State.TRIGGERED and e.assets == ("A",) for e in evs)
    first = [e for e in evs if e.kind == "rsi_cross_70"][0]
    assert first.levels["rsi"] == 71 and first.ref_time == bar_time(3)


def test_line_crosses_j_extremes_cci_and_adx_start():
    cols = columns(
        5,
        k=[40, 45, 55, 50, 40],
        d=[50, 50, 50, 50, 50],
        j=[90, 99, 101, 102, -1],
        dif=[-1, -0.5, 0.5, 0.2, -0.1],
        dea=[0, 0, 0, 0.3, 0.3],
        cci=[50, 99, 120, 80, -20],
        adx=[20, 24, 26, 24, 27],
        pdi=[10, 10, 30, 30, 10],
        mdi=[20, 20, 20, 20, 20],
    )
    evs = events(cols)
    assert kinds(evs, "kdj_cross") == [(Direction.BULLISH, 2), (Direction.BEARISH, 4)]
    assert kinds(evs, "kdj_j_extreme") == [(Direction.BEARISH, 2), (Direction.BULLISH, 4)]
    assert kinds(evs, "macd_cross") == [(Direction.BULLISH, 2), (Direction.BEARISH, 3)]
    assert kinds(evs, "macd_zero") == [(Direction.BULLISH, 2), (Direction.BEARISH, 4)]
    assert kinds(evs, "cci_cross_100") == [(Direction.BULLISH, 2), (Direction.BEARISH, 3)]
    assert kinds(evs, "cci_cross_0") == [(Direction.BEARISH, 4)]
    # ADX crosses 25 at bar 2 with +DI leading, again at bar 4 with -DI leading.
    assert kinds(evs, "adx_trend_start") == [(Direction.BULLISH, 2), (Direction.BEARISH, 4)]


def test_bollinger_squeeze_and_close_outside_and_ma_cross():
    c = candles([11, 11, 13, 11, 7], [9, 9, 11, 9, 5], [10, 10, 12.5, 10, 6])
    cols = columns(
        5,
        bb_upper=[12] * 5,
        bb_lower=[8] * 5,
        bb_squeeze=[0, 1, 1, 0, 1],
        ma_cross=[0, 1, 0, -1, 0],
        ma_confirmed=[0, 1, 0, 0, 0],
    )
    evs = events(cols, c)
    assert kinds(evs, "bb_squeeze") == [(Direction.NEUTRAL, 1), (Direction.NEUTRAL, 4)]
    assert kinds(evs, "bb_outside") == [(Direction.BULLISH, 2), (Direction.BEARISH, 4)]
    ma = [e for e in evs if e.kind == "ma_cross"]
    assert [(e.direction, "volume-confirmed" in e.reason) for e in ma] == [
        (Direction.BULLISH, True),
        (Direction.BEARISH, False),
    ]


def test_regular_divergence_at_confirmed_price_swings():
    #        0  1  2   3  4  5  6   7  8  9
    high = [5, 6, 7, 10, 8, 7, 9, 12, 9, 8]
    c = candles(high, [h - 1 for h in high])
    rsi = [50, 55, 60, 75, 60, 55, 60, 70, 50, 45]  # lower at the higher high
    obv = [1, 2, 3, 4, 3, 2, 3, 5, 4, 3]  # higher: no OBV divergence
    evs = events(columns(10, rsi=rsi, obv=obv), c)
    div = [e for e in evs if e.kind == "rsi_divergence"]
    assert len(div) == 1 and div[0].direction is Direction.BEARISH
    assert div[0].ref_time == bar_time(7) and div[0].known_time == bar_time(9)
    assert div[0].levels == {"price.prior": 10, "price": 12, "rsi.prior": 75, "rsi": 70}
    assert not [e for e in evs if e.kind == "obv_divergence"]
    vol = candles(high, [h - 1 for h in high])
    vol = type(vol)(
        vol.time, vol.open, vol.high, vol.low, vol.close, [1, 1, 1, 9, 1, 1, 1, 3, 1, 1]
    )
    assert kinds(events(columns(10), vol), "volume_divergence") == [(Direction.BEARISH, 9)]


def test_rsi_failure_swing_top_and_bottom():
    top = [50, 60, 75, 65, 55, 62, 68, 60, 54, 50]
    evs = events(columns(10, rsi=top), failure_strength=1, failure_window=5)
    fs = [e for e in evs if e.kind == "rsi_failure_swing"]
    assert [(e.direction, e.known_time) for e in fs] == [(Direction.BEARISH, bar_time(8))]
    assert fs[0].levels["rsi.failure"] == 55
    bottom = [100 - v for v in top]
    fs = [
        e
        for e in events(columns(10, rsi=bottom), failure_strength=1, failure_window=5)
        if e.kind == "rsi_failure_swing"
    ]
    assert [(e.direction, e.known_time) for e in fs] == [(Direction.BULLISH, bar_time(8))]
    # A new RSI high above the first pivot before the break: no failure swing.
    spoiled = top[:7] + [76, 54, 50]
    assert not [
        e
        for e in events(columns(10, rsi=spoiled), failure_strength=1, failure_window=5)
        if e.kind == "rsi_failure_swing"
    ]


def _series(values):
    """One observation during each bar (just before it closes)."""
    return Series(bar_time(0) + HOUR * np.arange(len(values)) + HOUR - 1, np.asarray(values, float))


def test_overheat_tiers_need_funding_and_ratio():
    rsi = [60, 72, 81, 91, 85, 60]
    hot = Derivatives(funding=_series([0.0004] * 6), account_ratio=_series([2.5] * 6))
    evs = [e for e in events(columns(6, rsi=rsi), derivatives=hot) if e.kind == "overheat_long"]
    assert [(int(e.levels["tier"]), e.known_time) for e in evs] == [
        (1, bar_time(1)),
        (2, bar_time(2)),
        (3, bar_time(3)),
    ]
    assert all(e.direction is Direction.BEARISH for e in evs)
    cool = Derivatives(funding=_series([0.0001] * 6), account_ratio=_series([2.5] * 6))
    assert not [
        e for e in events(columns(6, rsi=rsi), derivatives=cool) if e.kind.startswith("overheat")
    ]
    squeeze = Derivatives(funding=_series([-0.0002] * 6), account_ratio=_series([0.5] * 6))
    evs = [
        e
        for e in events(columns(6, rsi=[40, 28, 19, 25, 9, 50]), derivatives=squeeze)
        if e.kind == "overheat_short"
    ]
    assert [(int(e.levels["tier"]), e.known_time) for e in evs] == [
        (1, bar_time(1)),
        (2, bar_time(2)),
        (3, bar_time(4)),
    ]


def test_open_interest_with_price_and_whale_ratios():
    close = [10, 11, 12, 11, 10, 10.5]
    c = candles([v + 0.5 for v in close], [v - 0.5 for v in close], close)
    der = Derivatives(
        open_interest=_series([100, 101, 102, 103, 102, 101]),
        top_position_ratio=_series([1.0, 1.1, 1.2, 1.1, 1.0, 1.1]),
        top_account_ratio=_series([1.0, 1.1, 1.0, 0.9, 0.8, 0.9]),
    )
    evs = events(columns(6), c, derivatives=der, flow_lookback=1)
    assert kinds(evs, "oi_trend_backed") == [(Direction.BULLISH, 1)]
    assert kinds(evs, "oi_shorts_building") == [(Direction.BEARISH, 3)]
    assert kinds(evs, "oi_positions_closing") == [(Direction.NEUTRAL, 4)]
    assert kinds(evs, "whale_consensus") == [
        (Direction.BULLISH, 1),
        (Direction.BEARISH, 3),
        (Direction.BULLISH, 5),
    ]
    assert kinds(evs, "whale_split") == [(Direction.NEUTRAL, 2)]


def test_derivative_reading_uses_only_observations_known_by_the_bar_close():
    late = Series(np.array([bar_time(3) + 1]), np.array([0.0004]))  # lands during bar 3
    der = Derivatives(funding=late, account_ratio=_series([2.5] * 6))
    evs = [
        e for e in events(columns(6, rsi=[75] * 6), derivatives=der) if e.kind == "overheat_long"
    ]
    assert [e.known_time for e in evs] == [bar_time(3)]


@pytest.mark.parametrize("start", [0, 3, 7])
def test_start_reports_only_events_known_from_there(start):
    rsi = [60, 69, 71, 65, 72, 60, 75, 65, 80, 60]
    full = events(columns(10, rsi=rsi))
    assert events(columns(10, rsi=rsi), start=start) == [
        e for e in full if e.known_time >= bar_time(start)
    ]


def test_kinds_filter_keeps_only_the_chosen_kinds():
    cols = columns(6, rsi=[60, 69, 70, 71, 65, 49], k=[40, 45, 55, 50, 40, 45], d=[50] * 6)
    every = events(cols)
    chosen = events(cols, kinds=frozenset({"kdj_cross"}))
    assert {e.kind for e in every} >= {"rsi_cross_70", "rsi_cross_50", "kdj_cross"}
    assert chosen == [e for e in every if e.kind == "kdj_cross"]


def _tagged(evs, kind):
    return [(e.direction, int((e.known_time - bar_time(0)) // HOUR), "exit" in e.tags)
            for e in evs if e.kind == kind]


def test_6a_rule_2_leaving_an_extreme_zone_is_tagged_exit():
    #      0   1   2   3   4   5   6   7
    rsi = [60, 71, 69, 50, 29, 31, 49, 51]
    evs = events(columns(8, rsi=rsi))
    B, S = Direction.BULLISH, Direction.BEARISH
    assert _tagged(evs, "rsi_cross_70") == [(B, 1, False), (S, 2, True)]
    assert _tagged(evs, "rsi_cross_30") == [(S, 4, False), (B, 5, True)]
    # Bar 3 only touches 50; the cross below it is at bar 4.
    assert _tagged(evs, "rsi_cross_50") == [(S, 4, False), (B, 7, False)]
    cci = [50, 120, 90, 10, -110, -90, -5, 5]
    evs = events(columns(8, cci=cci))
    assert _tagged(evs, "cci_cross_100") == [(B, 1, False), (S, 2, True)]
    assert _tagged(evs, "cci_cross_-100") == [(S, 4, False), (B, 5, True)]
    assert _tagged(evs, "cci_cross_0") == [(S, 4, False), (B, 7, False)]
    # The one-bar live path tags the same way.
    live = events(columns(3, rsi=[60, 71, 69]), start=2)
    assert _tagged(live, "rsi_cross_70") == [(S, 2, True)]


def test_6a_rule_1_both_bars_need_values():
    nan = float("nan")
    evs = events(columns(5, rsi=[nan, 75, nan, 65, 75]))
    assert kinds(evs, "rsi_cross_70") == [(Direction.BULLISH, 4)]


def test_6a_rule_5_no_trend_start_when_the_dis_are_equal():
    cols = columns(3, adx=[20, 26, 27], pdi=[10, 20, 30], mdi=[10, 20, 20])
    assert kinds(events(cols), "adx_trend_start") == []


def test_6c_every_comparison_strict_and_levels_at_their_own_bars():
    #        0  1  2   3  4  5  6   7  8  9
    high = [5, 6, 7, 10, 8, 7, 9, 12, 9, 8]
    c = candles(high, [h - 1 for h in high])
    rsi = [50, 55, 60, 75, 60, 55, 60, 70, 50, 45]
    (div,) = [e for e in events(columns(10, rsi=rsi), c) if e.kind == "rsi_divergence"]
    assert {k: bar_time(b) for k, b in (("price.prior", 3), ("rsi.prior", 3), ("price", 7),
                                        ("rsi", 7))} == dict(div.level_times)
    # An equal indicator value, an equal high, or an undefined value: no divergence.
    for given, h in (({"rsi": rsi[:7] + [75] + rsi[8:]}, high),
                     ({"rsi": rsi}, high[:7] + [10] + high[8:]),
                     ({"rsi": rsi[:3] + [float("nan")] + rsi[4:]}, high)):
        c2 = candles(h, [x - 1 for x in h])
        assert not [e for e in events(columns(10, **given), c2) if e.kind == "rsi_divergence"]


def test_6c_bullish_mirror_carries_both_lows():
    low = [10 - h for h in [5, 6, 7, 10, 8, 7, 9, 12, 9, 8]]
    c = candles([x + 1 for x in low], low)
    rsi = [50, 45, 40, 25, 40, 45, 40, 30, 50, 55]  # higher at the lower low
    (div,) = [e for e in events(columns(10, rsi=rsi), c) if e.kind == "rsi_divergence"]
    assert div.direction is Direction.BULLISH
    assert dict(div.levels) == {"price.prior": 0, "price": -2, "rsi.prior": 25, "rsi": 30}
    assert div.level_times["price.prior"] == bar_time(3) and div.level_times["rsi"] == bar_time(7)


def test_6a_rule_4_volume_above_a_mean_that_includes_the_cross_bar():
    from smtdesk.core.indicators import moving

    close = np.array([10, 10, 10, 10, 9, 8, 8, 12, 13], dtype=float)  # golden cross at bar 7
    # Bars 4..7 average exactly 4, bar 7's own volume: equal is not above. (Without bar 7
    # the mean of the four bars before it is 3.25, which 4 would exceed.)
    volume = np.array([1, 1, 1, 1, 1, 1, 10, 4, 1], dtype=float)
    result = moving.ma_cross(close, volume, fast=2, slow=4, volume_period=4)
    assert result.cross[7] == 1 and not result.volume_confirmed[7]
    volume[7] = 4.01  # now above the mean (4.0025) that includes it
    assert moving.ma_cross(close, volume, fast=2, slow=4, volume_period=4).volume_confirmed[7]
