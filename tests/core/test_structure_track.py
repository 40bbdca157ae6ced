"""The market structure kept up to date a few bars at a time equals the structure of the
whole series computed at once, at every step."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from smtdesk.core.structure.levels import market_structure
from smtdesk.core.structure.swings import find_swings
from smtdesk.core.structure.track import StructureTrack


def _series(seed: int, n: int):
    rng = np.random.default_rng(seed)
    close = np.round(100 + np.cumsum(rng.normal(0, 1, n)), 1)
    open_ = np.r_[close[0], close[:-1]]
    high = np.maximum(open_, close) + rng.integers(0, 3, n) / 10
    low = np.minimum(open_, close) - rng.integers(0, 3, n) / 10
    return open_, high, low, close


def _assert_same(got, want) -> None:
    assert np.array_equal(got.minor.high_idx, want.minor.high_idx)
    assert np.array_equal(got.minor.low_idx, want.minor.low_idx)
    for part in ("gaps", "pools", "shifts"):
        g, w = getattr(got, part), getattr(want, part)
        for name in g.__dataclass_fields__:
            assert np.array_equal(getattr(g, name), getattr(w, name)), f"{part}.{name}"


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), start=st.integers(5, 300),
       steps=st.lists(st.integers(1, 4), min_size=5, max_size=40))
def test_a_growing_series_keeps_the_structure_of_the_whole(seed, start, steps):
    o, h, lo, c = _series(seed, start + sum(steps))
    track = StructureTrack(major=3, minor=1)
    k = start
    for step in [0, *steps]:
        k += step
        major = find_swings(h[:k], lo[:k], strength=3)
        majors = (major.high_idx, major.low_idx)
        got = track.update(o[:k], h[:k], lo[:k], c[:k], majors)
        _assert_same(got, market_structure(o[:k], h[:k], lo[:k], c[:k], major_swings=majors,
                                           major=3, minor=1))


def test_the_default_strengths_over_a_long_series_a_bar_at_a_time():
    o, h, lo, c = _series(7, 3000)
    track = StructureTrack(major=5, minor=2)
    for k in range(2500, 3000):
        major = find_swings(h[:k], lo[:k], strength=5)
        got = track.update(o[:k], h[:k], lo[:k], c[:k], (major.high_idx, major.low_idx))
    want = market_structure(o[:k], h[:k], lo[:k], c[:k],
                            major_swings=(major.high_idx, major.low_idx))
    # shifts, fills and pools taken while streaming, and gaps still open at the end
    assert (want.shifts.bar >= 2500).sum() >= 2 and (want.gaps.fill_bar >= 2500).any()
    assert (want.pools.taken >= 2500).any() and (want.gaps.fill_bar < 0).any()
    _assert_same(got, want)


def test_a_swing_placed_by_hand_among_old_bars_recomputes_it_all():
    o, h, lo, c = _series(11, 600)
    track = StructureTrack(major=5, minor=2)
    major = find_swings(h, lo, strength=5)
    track.update(o, h, lo, c, (major.high_idx, major.low_idx))
    placed = np.union1d(major.high_idx, [100])  # a manual high at an old bar
    got = track.update(o, h, lo, c, (placed, major.low_idx))
    _assert_same(got, market_structure(o, h, lo, c, major_swings=(placed, major.low_idx)))


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), steps=st.lists(st.integers(1, 5), min_size=20, max_size=60),
       gone=st.integers(0, 4))
def test_every_answer_handed_out_stays_that_of_its_bars(seed, steps, gone):
    # From 12 bars on, the columns start small and grow past their room many times;
    # fills, takes and shifts rewrite earlier rows of later answers only. Deleted minor
    # swings stay out of the swings found while streaming too.
    o, h, lo, c = _series(seed, 12 + sum(steps))
    minor = find_swings(h, lo, strength=1)
    suppressed = (minor.high_idx[:gone], minor.low_idx[-gone:] if gone else minor.low_idx[:0])
    track = StructureTrack(major=3, minor=1)
    answers = []
    k = 12
    for step in [0, *steps]:
        k += step
        major = find_swings(h[:k], lo[:k], strength=3)
        majors = (np.setdiff1d(major.high_idx, suppressed[0]), np.setdiff1d(major.low_idx, suppressed[1]))
        answers.append((k, majors, track.update(o[:k], h[:k], lo[:k], c[:k], majors, suppressed=suppressed)))
    for k, majors, got in answers:
        _assert_same(got, market_structure(o[:k], h[:k], lo[:k], c[:k], major_swings=majors,
                                           major=3, minor=1, suppressed=suppressed))


def test_bars_with_missing_prices_stream_as_the_batch_reads_them():
    # A NaN price is beyond no level and makes no swing or gap, in both ways of computing.
    o, h, lo, c = _series(3, 600)
    rng = np.random.default_rng(3)
    h, lo = h.copy(), lo.copy()
    h[rng.random(600) < 0.03] = np.nan
    lo[rng.random(600) < 0.03] = np.nan
    track = StructureTrack(major=3, minor=1)
    for k in range(40, 600):
        major = find_swings(h[:k], lo[:k], strength=3)
        majors = (major.high_idx, major.low_idx)
        got = track.update(o[:k], h[:k], lo[:k], c[:k], majors)
        _assert_same(got, market_structure(o[:k], h[:k], lo[:k], c[:k], major_swings=majors, major=3, minor=1))
    assert np.isnan(h[:k][got.minor.high_idx]).sum() == 0 and len(got.shifts.bar) > 0
