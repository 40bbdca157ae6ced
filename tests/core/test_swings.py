import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from smtdesk.core.structure.swings import find_swing_sets, find_swings, pivots_in


def test_swing_high_and_low_on_hand_made_bars():
    high = np.array([1, 2, 3, 9, 3, 2, 1, 2, 3, 4, 5], dtype=float)
    low = high - 1
    sw = find_swings(high, low, strength=2)
    assert sw.high_idx.tolist() == [3]
    assert sw.low_idx.tolist() == [6]
    assert sw.known_at(sw.high_idx).tolist() == [5]


def test_equal_highs_first_is_the_swing_second_is_not():
    high = np.array([1, 2, 5, 3, 5, 2, 1], dtype=float)
    sw = find_swings(high, high - 1, strength=2)
    # Bar 2 is not below bar 4 (equal), so it stands; bar 4 is not above bar 2.
    assert sw.high_idx.tolist() == [2]


def test_equal_high_inside_the_left_window_blocks_the_later_bar():
    high = np.array([1, 5, 2, 5, 2, 1, 0], dtype=float)
    sw = find_swings(high, high - 1, strength=2)
    assert 3 not in sw.high_idx.tolist()


def test_no_swing_without_n_bars_each_side():
    high = np.array([1, 2, 9, 2], dtype=float)
    assert find_swings(high, high - 1, strength=2).high_idx.size == 0


def test_strength_must_be_positive():
    with pytest.raises(ValueError, match="strength"):
        find_swings([1.0, 2.0], [0.0, 1.0], strength=0)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 6), min_size=1, max_size=80),
    st.integers(1, 5),
)
def test_swings_are_causal_for_every_prefix(values, n):
    # Few distinct values make equal highs and lows common.
    high = np.asarray(values, dtype=float)
    low = high - np.asarray(values[::-1], dtype=float) % 3
    full = find_swings(high, low, strength=n)
    for k in range(1, len(high) + 1):
        part = find_swings(high[:k], low[:k], strength=n)
        known_hi = full.high_idx[full.known_at(full.high_idx) <= k - 1]
        known_lo = full.low_idx[full.known_at(full.low_idx) <= k - 1]
        assert part.high_idx.tolist() == known_hi.tolist()
        assert part.low_idx.tolist() == known_lo.tolist()


@pytest.mark.parametrize("n", [1, 2, 5])
def test_swings_follow_the_definition_with_ties_and_gaps_in_the_data(n):
    rng = np.random.default_rng(n)
    high = np.round(np.cumsum(rng.normal(0, 1, 3000)), 0)
    high[rng.choice(3000, 20, replace=False)] = np.nan  # a NaN window never holds a swing
    low = high - 1

    def plain(values, sign):
        v = sign * values
        return [
            i
            for i in range(n, len(v) - n)
            if all(v[i] > v[j] for j in range(i - n, i))
            and all(v[i] >= v[j] for j in range(i + 1, i + n + 1))
        ]

    sw = find_swings(high, low, strength=n)
    assert sw.high_idx.tolist() == plain(high, 1.0)
    assert sw.low_idx.tolist() == plain(low, -1.0)


@pytest.mark.parametrize("strengths", [(5, 2), (2, 5), (3, 3), (1, 4, 7)])
def test_swing_sets_equal_separate_detection(strengths):
    rng = np.random.default_rng(sum(strengths))
    high = np.round(np.cumsum(rng.normal(0, 1, 4000)), 0)
    high[rng.choice(4000, 10, replace=False)] = np.nan
    low = high - rng.integers(0, 3, 4000)
    for sw, n in zip(find_swing_sets(high, low, strengths=strengths), strengths):
        alone = find_swings(high, low, strength=n)
        assert sw.strength == n and len(alone.high_idx) > 10
        assert sw.high_idx.tolist() == alone.high_idx.tolist()
        assert sw.low_idx.tolist() == alone.low_idx.tolist()


@pytest.mark.parametrize("strength", [1, 2, 3])
def test_live_bars_one_at_a_time_find_the_swings_of_the_whole_series_with_gaps_in_the_data(strength):
    # A missing price (NaN) in a swing's window makes it no swing; the live test on a new
    # bar or two must agree, whatever the NaN's place in the window.
    rng = np.random.default_rng(strength)
    values = np.round(rng.normal(0, 1, 2000), 0)
    values[rng.random(2000) < 0.1] = np.nan
    whole = find_swings(values, values, strength=strength)
    for sign, bars in ((1.0, whole.high_idx), (-1.0, whole.low_idx)):
        one = [pivots_in(values[:k], strength=strength, start=k - 1, sign=sign) for k in range(1, 2001)]
        two = [pivots_in(values[:k], strength=strength, start=k - 2, sign=sign) for k in range(2, 2001, 2)]
        assert np.array_equal(np.concatenate(one), bars)
        assert np.array_equal(np.concatenate(two), bars)
        # the case the test is for: swings whose window holds a NaN next to a lower value
        window_nan = [b for b in range(strength, 2000 - strength)
                      if np.isnan(values[b - strength : b + strength + 1]).any()
                      and not np.isnan(values[b])]
        assert window_nan and not set(window_nan) & set(bars.tolist())
