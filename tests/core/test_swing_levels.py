"""Swing levels kept up a few bars at a time equal the levels of the whole series."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from smtdesk.core.structure.swing_levels import (
    MAJOR,
    MANUAL,
    MINOR,
    LevelTrack,
    swing_levels,
)
from smtdesk.core.structure.swings import find_swings

FIELDS = ("bar", "is_high", "level", "rank", "taken")


def _walk(seed: int, n: int):
    rng = np.random.default_rng(seed)
    close = np.round(100 + np.cumsum(rng.normal(0, 1, n)), 0)  # ties with levels happen
    return close + rng.integers(0, 2, n), close - rng.integers(0, 2, n)


def _swings(high, low, k, strength):
    sw = find_swings(high[:k], low[:k], strength=strength)
    return sw.high_idx, sw.low_idx


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), start=st.integers(10, 120),
       steps=st.lists(st.integers(1, 4), min_size=10, max_size=50))
def test_levels_grown_bar_by_bar_equal_those_of_the_whole_series_at_every_step(seed, start, steps):
    high, low = _walk(seed, start + sum(steps))
    manual = (np.array([3], np.int64), np.array([5], np.int64))  # placed by hand, early on

    def whole(k):
        major = tuple(np.setdiff1d(m, h) for m, h in zip(_swings(high, low, k, 3), manual))
        return swing_levels(high[:k], low[:k], major=major, manual=manual, minor=_swings(high, low, k, 1))

    track = LevelTrack(whole(start))
    seen_major = tuple(len(m) for m in _swings(high, low, start, 3))
    seen_minor = tuple(len(m) for m in _swings(high, low, start, 1))
    answers, k = [], start
    for step in steps:
        k += step
        major, minor = _swings(high, low, k, 3), _swings(high, low, k, 1)
        new_major = tuple(np.setdiff1d(m[s:], h) for m, s, h in zip(major, seen_major, manual))
        got = track.extend(high[:k], low[:k], major=new_major,
                           minor=tuple(m[s:] for m, s in zip(minor, seen_minor)))
        seen_major, seen_minor = tuple(map(len, major)), tuple(map(len, minor))
        answers.append((k, got))
    for k, got in answers:  # each answer handed out stays that of its bars
        want = whole(k)
        assert got.n_bars == k
        for name in FIELDS:
            assert np.array_equal(getattr(got, name), getattr(want, name)), (k, name)
    ranks = set(answers[-1][1].rank.tolist())
    assert {MAJOR, MINOR, MANUAL} <= ranks or k < 30


def test_a_major_swing_takes_over_the_minor_level_on_its_bar():
    high = np.array([1.0, 2, 3, 9, 3, 2, 1, 1])
    low = high - 0.5
    # bar 3 is a minor swing high (strength 1) from bar 4 on, a major one (3) from bar 6 on
    track = LevelTrack(swing_levels(high[:5], low[:5], major=(np.empty(0, np.int64),) * 2,
                                    minor=(np.array([3]), np.empty(0, np.int64))))
    before = track.levels
    after = track.extend(high[:7], low[:7], major=(np.array([3]), np.empty(0, np.int64)))
    assert before.rank.tolist() == [MINOR] and after.rank.tolist() == [MAJOR]
    assert after.bar.tolist() == [3] and after.level.tolist() == [9.0] and after.taken.tolist() == [-1]
