"""Market structure of domain §4: gaps and their fill, pools and sweeps, MSS, order blocks."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from smtdesk.core.structure.levels import fair_value_gaps, liquidity_pools, order_block, structure_shifts
from smtdesk.core.structure.swings import find_swings


def open_at(gaps, k: int) -> np.ndarray:
    """Gaps known and not filled when bar ``k`` closes."""
    return (gaps.bar <= k) & ((gaps.fill_bar < 0) | (gaps.fill_bar > k))


def resting_at(pools, k: int) -> np.ndarray:
    """Pools known and not yet taken when bar ``k`` closes."""
    return (pools.known <= k) & ((pools.taken < 0) | (pools.taken > k))


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
    # The bullish gap fills when a low trades at or below 10 (domain §4a rule 2): bar 5's
    # low is exactly 10, a touch. No later high reaches a bearish gap's top.
    assert g.fill_bar.tolist() == [5, -1, -1, -1]
    assert open_at(g, 4).tolist() == [True, False, False, False]
    assert open_at(g, 5).tolist() == [False, True, False, False]
    assert open_at(g, 6).tolist() == [False, True, True, False]


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
    assert not resting_at(p, 12)[i] and resting_at(p, 11)[i]
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


def test_the_mss_level_is_the_last_swing_low_of_the_leg_even_when_known_after_the_sweep():
    # Major high 10 at bar 3; minor (strength 2) lows at bar 5 (low 5) and bar 9 (low 7).
    # Bar 10 sweeps the high (10.5, closes 9.5). The low at bar 9 is known only at bar 11,
    # after the sweep, yet it is the last low of the leg up: bar 12 closing 6.5 (below 7,
    # above 5) is the shift, as the SMT confirmation reads its level (domain §5a rule 5).
    high = [5, 6, 7, 10, 9, 8, 8.5, 9.2, 9.5, 9.4, 10.5, 9.6, 7.5]
    low = [4, 5, 6, 8, 7, 5, 6, 7.5, 8, 7, 7.8, 7.2, 6.2]
    close = [4.5, 5.5, 6.5, 9, 7.5, 6, 8, 9, 9.2, 8, 9.5, 7.5, 6.5]
    open_ = [close[0]] + close[:-1]
    s = structure_shifts(open_, high, low, close, major=2, minor=2)
    bear = np.flatnonzero(s.bearish & (s.sweep_bar == 10))
    assert len(bear) == 1
    i = int(bear[0])
    assert (s.bar[i], s.level_bar[i], s.level[i]) == (12, 9, 7)


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


def test_fvg_rule_1_an_equal_edge_is_no_gap():
    # Bar 0's high equals bar 2's low (bullish), bar 3's low equals bar 5's high (bearish).
    high = [10, 12, 13, 14, 12, 12]
    low = [9, 11, 10, 12, 11, 11]
    assert len(fair_value_gaps(high, low).bar) == 0


def test_fvg_rule_2_a_wick_touching_the_far_edge_fills_a_bearish_gap():
    #       0   1   2   3   4     5   6
    high = [20, 19, 15, 16, 17.9, 18, 17]
    low = [18, 16, 14, 15, 15, 16, 16]
    g = fair_value_gaps(high, low)
    # Bearish: bar 0's low 18 above bar 2's high 15; zone 15..18, known at bar 2.
    assert g.bar.tolist() == [2] and not g.bullish[0]
    assert (g.bottom[0], g.top[0]) == (15, 18)
    # Bar 4's wick reaches 17.9 (inside), bar 5's high is exactly 18: filled at 5, once.
    assert g.fill_bar.tolist() == [5]


def test_fvg_rule_2_a_gap_never_expires():
    n = 5000
    high = np.full(n, 12.0)
    low = np.full(n, 11.0)
    high[:3], low[:3] = [10, 12.5, 14], [9, 10, 12]  # bullish gap 10..12 known at bar 2
    high[3:], low[3:] = 14, 12.5
    low[-1] = 10  # the very last bar touches the far edge
    g = fair_value_gaps(high, low)
    assert g.bar.tolist() == [2] and g.fill_bar.tolist() == [n - 1]


def test_one_shift_per_swept_pool_each_names_its_pool():
    # Two major highs at 10 (bars 3 and 9) are both swept by bar 14, which closes back
    # inside; bar 16 closes below the last minor low (bar 12, 7): two shifts, one each.
    high = [3, 4, 5, 10, 8, 7, 6, 7, 8, 10, 8, 7.5, 7.2, 8, 10.5, 8, 6, 5]
    low = [2, 3, 4, 9, 7, 6, 5, 6, 7, 9, 7, 7.1, 7, 7.5, 8.5, 7.5, 5, 4]
    close = [(h + l) / 2 for h, l in zip(high, low)]
    open_ = [close[0]] + close[:-1]
    p = liquidity_pools(high, low, close, major=2, minor=1)
    s = structure_shifts(open_, high, low, close, major=2, minor=1, pools=p)
    bear = np.flatnonzero(s.bearish)
    assert s.bar[bear].tolist() == [16, 16] and s.sweep_bar[bear].tolist() == [14, 14]
    assert sorted(p.first[s.pool[bear]].tolist()) == [3, 9]
    assert (p.taken[s.pool[bear]] == 14).all() and p.swept[s.pool[bear]].all()
    rows = set(zip(s.pool.tolist(), s.bearish.tolist(), s.sweep_bar.tolist(), s.bar.tolist()))
    assert len(rows) == len(s.bar)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), k=st.integers(20, 400))
def test_shifts_of_a_prefix_are_the_shifts_known_then(seed, k):
    rng = np.random.default_rng(seed)
    n = 400
    close = np.round(100 + np.cumsum(rng.normal(0, 1, n)), 1)
    open_ = np.r_[close[0], close[:-1]]
    high = np.maximum(open_, close) + rng.integers(0, 3, n) / 10
    low = np.minimum(open_, close) - rng.integers(0, 3, n) / 10

    def rows(o, h, lo, c):
        p = liquidity_pools(h, lo, c, major=3, minor=1)
        s = structure_shifts(o, h, lo, c, major=3, minor=1, pools=p)
        # a pool is named by its swing, the same in the prefix and the full series
        return {(int(p.first[q]), bool(p.is_high[q]), bool(b), int(t), int(lb), int(br), int(ob))
                for q, b, t, lb, br, ob in zip(s.pool, s.bearish, s.sweep_bar, s.level_bar, s.bar,
                                               s.order_block)}

    full = rows(open_, high, low, close)
    part = rows(open_[:k], high[:k], low[:k], close[:k])
    assert part == {r for r in full if r[5] < k}
