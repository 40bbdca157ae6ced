"""Market structure of domain §4: gaps and their fill, pools and sweeps, MSS, order blocks."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from smtdesk.core.structure import fair_value_gaps, liquidity_pools, order_block, structure_shifts
from smtdesk.core.swings import find_swings


def test_bullish_and_bearish_gaps_and_their_fill():
    #          0    1    2    3    4    5    6    7    8
    high = [10, 13, 14, 13.5, 12, 11, 9, 8.5, 9]
    low = [9, 11, 12, 12.5, 10.5, 10, 8, 7, 6]
    g = fair_value_gaps(high, low)
    bars = g.bar.tolist()
    # Bullish: bar 0 high 10 below bar 2 low 12. Bearish: bar 3 low 12.5 above bar 5 high 11,
    # bar 4 low 10.5 above bar 6 high 9, bar 5 low 10 above bar 7 high 8.5.
    assert bars == [2, 5, 6, 7]
    assert g.bullish.tolist() == [True, False, False, False]
    assert (g.bottom[0], g.top[0]) == (10, 12)
    assert (g.bottom[2], g.top[2]) == (9, 10.5)
    # The bullish gap fills when a low trades below 10: bar 5's low is 10 (equal, not
    # through), bar 6's is 8. No later high trades above a bearish gap's top.
    assert g.fill_bar.tolist() == [6, -1, -1, -1]
    assert g.open_at(5).tolist() == [True, True, False, False]
    assert g.open_at(6).tolist() == [False, True, True, False]


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(3, 120), k=st.integers(3, 120))
def test_gaps_of_a_prefix_are_the_gaps_known_then(seed, n, k):
    rng = np.random.default_rng(seed)
    mid = np.round(np.cumsum(rng.normal(0, 2, n)))
    high, low = mid + rng.integers(0, 3, n), mid - rng.integers(0, 3, n)
    k = min(k, n)
    full, part = fair_value_gaps(high, low), fair_value_gaps(high[:k], low[:k])
    known = full.bar < k
    assert part.bar.tolist() == full.bar[known].tolist()
    assert (
        part.fill_bar.tolist()
        == np.where(full.fill_bar[known] < k, full.fill_bar[known], -1).tolist()
    )


def test_pools_major_swings_and_equal_highs():
    #        0  1  2  3   4  5  6  7   8  9 10 11  12  13 14
    high = [1, 2, 3, 10, 4, 3, 5, 9.995, 6, 4, 3, 2, 11, 4, 3]
    low = [h - 1 for h in high]
    close = [h - 0.5 for h in high]
    close[12] = 9.5  # bar 12 trades above both highs and closes back below: a sweep
    p = liquidity_pools(high, low, close, major=2, minor=1, tolerance=0.001)
    highs = p.is_high & (p.second < 0)
    assert 3 in p.first[highs].tolist() and 7 in p.first[highs].tolist()
    pair = p.is_high & (p.second >= 0)
    assert p.first[pair].tolist() == [3] and p.second[pair].tolist() == [7]
    assert p.level[pair].tolist() == [10] and p.known[pair].tolist() == [8]
    i = int(np.flatnonzero(pair)[0])
    assert p.taken[i] == 12 and p.swept[i]
    assert not p.resting_at(12)[i] and p.resting_at(11)[i]
    # Outside the tolerance there is no equal-highs pool.
    q = liquidity_pools(high, low, close, major=2, minor=1, tolerance=0.0001)
    assert not (q.is_high & (q.second >= 0)).any()


def test_break_is_not_a_sweep():
    high = [1, 2, 3, 10, 4, 3, 2, 12, 13]
    low = [h - 1 for h in high]
    close = [h - 0.2 for h in high]  # bar 7 closes at 11.8, beyond 10
    p = liquidity_pools(high, low, close, major=2, minor=1)
    i = int(np.flatnonzero(p.is_high & (p.first == 3) & (p.second < 0))[0])
    assert p.taken[i] == 7 and not p.swept[i]


def test_order_block_is_last_opposite_candle_before_the_displacement():
    open_ = np.array([1, 2, 3, 4, 3.5, 3.0, 2.5])
    close = np.array([2, 3, 4, 3.6, 3.0, 2.5, 2.0])  # up, up, up, down, down, down, down
    assert order_block(open_, close, 6, bearish=True) == 2
    assert order_block(open_, close, 4, bearish=True) == 2
    # An up-move from the first bar has no down candle before it.
    assert order_block(open_, close, 2, bearish=False) == -1
    # A doji before the displacement is not an opposite-colour candle.
    doji_open, doji_close = open_.copy(), close.copy()
    doji_close[2] = doji_open[2]
    assert order_block(doji_open, doji_close, 6, bearish=True) == -1


def test_mss_after_a_sweep_of_a_high():
    # Major high 10 at bar 7; bar 12 trades 10.5 and closes 9 (a sweep). The last minor
    # swing low known by then is bar 10 (low 7); bar 13 closes 5.5 below it: the MSS, by a
    # down candle right after the up candle at bar 12 (the order block).
    high = [3, 4, 5, 6, 5.5, 7, 8, 10, 9, 8.5, 8, 8.6, 10.5, 8, 6, 5]
    low = [2, 3, 4, 5, 4, 6, 7, 9, 8, 7.5, 7, 7.6, 8.5, 5, 3, 3]
    close = [2.5, 3.5, 4.5, 5.5, 4.5, 6.5, 7.5, 9.5, 8.5, 8, 7.5, 8.2, 9, 5.5, 3.5, 4]
    open_ = [2, 3, 4, 5, 5.2, 6, 7, 9, 9.5, 8.5, 8, 7.7, 8.5, 8.8, 5.5, 3.5]
    s = structure_shifts(open_, high, low, close, major=2, minor=1)
    bear = np.flatnonzero(s.bearish & (s.sweep_bar == 12))
    assert len(bear) == 1
    i = int(bear[0])
    assert s.level_bar[i] == 10 and s.level[i] == 7
    assert s.bar[i] == 13
    assert s.order_block[i] == 12


def test_given_swings_give_the_same_structure_as_detected_ones():
    rng = np.random.default_rng(3)
    close = np.round(100 + np.cumsum(rng.normal(0, 1, 3000)), 1)
    open_ = np.r_[close[0], close[:-1]]
    high = np.maximum(open_, close) + rng.integers(0, 3, 3000) / 10
    low = np.minimum(open_, close) - rng.integers(0, 3, 3000) / 10
    major, minor = find_swings(high, low, strength=5), find_swings(high, low, strength=2)
    pools = liquidity_pools(
        high,
        low,
        close,
        major_swings=(major.high_idx, major.low_idx),
        minor_swings=(minor.high_idx, minor.low_idx),
    )
    shared = structure_shifts(
        open_, high, low, close, pools=pools, minor_swings=(minor.high_idx, minor.low_idx)
    )
    detected = structure_shifts(open_, high, low, close)
    assert len(detected.bar) > 5
    for name in ("bearish", "sweep_bar", "level_bar", "level", "bar", "order_block"):
        assert np.array_equal(getattr(shared, name), getattr(detected, name))
    assert [
        order_block(open_, close, int(k), bearish=bool(b))
        for k, b in zip(shared.bar, shared.bearish)
    ] == shared.order_block.tolist()
