"""The level-of-detail pyramid and per-pixel-column aggregation, against brute force."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smtdesk.ui.items._lod import Pyramid, aggregate_columns

BAR = 3600.0
T0 = 1_600_000_000.0
REDUCERS = {"high": np.maximum, "low": np.minimum}


def series(n: int, seed: int, *, gap_rate: float = 0.05):
    """Hourly samples with random gaps (some long) and random-walk highs/lows."""
    rng = np.random.default_rng(seed)
    steps = np.where(rng.random(n) < gap_rate, rng.integers(2, 200, n), 1)
    steps[0] = 0
    x = T0 + np.cumsum(steps) * BAR
    high = 100 + np.cumsum(rng.normal(0, 1, n)) + rng.random(n)
    low = high - 2 * rng.random(n)
    return x, high, low


def pyramid(x, high, low) -> Pyramid:
    return Pyramid(x, {"high": high, "low": low}, reducers=REDUCERS, bar_seconds=BAR)


def check_columns(x, high, low, cols, x0, x1):
    """Every drawn column's high/low is the max/min of exactly the candles it covers."""
    px = cols.column_seconds
    assert len(cols) > 0
    for c in range(len(cols)):
        f, l = cols.first[c], cols.last[c]
        assert f <= l
        assert cols.fields["high"][c] == high[f : l + 1].max()
        assert cols.fields["low"][c] == low[f : l + 1].min()
        left = cols.x[c] - px / 2
        # each covered candle lies in its column or at most one column to its right
        assert x[f] >= left - 1e-6 * px
        assert x[l] < left + 2 * px
    # columns tile the candles: contiguous, ordered, one column per pixel at most
    assert np.all(cols.first[1:] == cols.last[:-1] + 1)
    assert np.all(np.diff(cols.x) >= px * (1 - 1e-9))
    inside = np.flatnonzero((x >= x0) & (x <= x1))
    assert cols.first[0] <= inside[0] and cols.last[-1] >= inside[-1]


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 3000),
    seed=st.integers(0, 10_000),
    zoom=st.floats(0.3, 5000.0),
    start=st.floats(0.0, 1.0),
    width_cols=st.integers(1, 900),
)
def test_columns_are_exact_at_every_zoom(n, seed, zoom, start, width_cols):
    x, high, low = series(n, seed)
    px = zoom * BAR
    x0 = x[0] + start * (x[-1] - x[0])
    x1 = x0 + width_cols * px
    inside = (x >= x0) & (x <= x1)
    cols = aggregate_columns(pyramid(x, high, low), x0, x1, px)
    if not inside.any():
        return
    check_columns(x, high, low, cols, x0, x1)


@pytest.mark.parametrize("zoom", [0.5, 1.0, 1.7, 8.0, 100.0, 3000.0])
def test_columns_exact_on_long_history(zoom):
    x, high, low = series(200_000, 3)
    px = zoom * BAR
    x0, x1 = x[50_000], x[50_000] + 1500 * px
    check_columns(x, high, low, aggregate_columns(pyramid(x, high, low), x0, x1, px), x0, x1)


def test_columns_do_not_move_while_panning():
    x, high, low = series(20_000, 5, gap_rate=0.0)
    pyr = pyramid(x, high, low)
    px = 13.3 * BAR
    a = aggregate_columns(pyr, x[1000], x[1000] + 800 * px, px)
    b = aggregate_columns(pyr, x[1000] + 123.4 * px, x[1000] + 923.4 * px, px)
    common = np.intersect1d(a.x, b.x)
    assert len(common) > 500
    ia, ib = np.searchsorted(a.x, common[1:-1]), np.searchsorted(b.x, common[1:-1])
    assert np.array_equal(a.first[ia], b.first[ib])
    assert np.array_equal(a.fields["high"][ia], b.fields["high"][ib])


def test_work_is_bounded_by_columns_not_history():
    # the level used never has buckets wider than a column, and the buckets scanned
    # for a window are at most about two per column whatever the history's length
    x, high, low = series(300_000, 9, gap_rate=0.0)
    pyr = pyramid(x, high, low)
    for zoom in (2.0, 7.5, 64.0, 1000.0):
        k = pyr.level_for(zoom * BAR)
        assert 2**k <= zoom < 2 ** (k + 1)
        lv = pyr.levels[k]
        x0, x1 = x[1000], x[1000] + 1000 * zoom * BAR
        lo = np.searchsorted(lv.key, int(x0 // BAR) >> k)
        hi = np.searchsorted(lv.key, int(x1 // BAR) >> k, side="right")
        assert hi - lo <= 2 * 1000 + 2


def test_columns_narrower_than_two_bars_leave_the_levels_above_unbuilt():
    x, high, low = series(5000, 3)
    pyr = pyramid(x, high, low)
    for zoom in (0.3, 1.0, 1.9):  # 3.3, 1 and 0.5 pixels a bar
        x0, x1 = x[100], x[100] + 400 * zoom * BAR
        check_columns(x, high, low, aggregate_columns(pyr, x0, x1, zoom * BAR), x0, x1)
    assert len(pyr._levels) == 1, "the raw samples alone were read"
    x0, x1 = x[100], x[100] + 400 * 2.0 * BAR
    check_columns(x, high, low, aggregate_columns(pyr, x0, x1, 2.0 * BAR), x0, x1)
    assert len(pyr._levels) > 1


def test_gaps_stay_gaps_when_zoomed_out():
    x = np.concatenate([T0 + np.arange(1000) * BAR, T0 + (np.arange(1000) + 5000) * BAR])
    high = np.arange(2000.0)
    pyr = pyramid(x, high, high - 1)
    px = 10 * BAR
    cols = aggregate_columns(pyr, x[0], x[-1], px)
    hole = (cols.x > x[999] + px) & (cols.x < x[1000] - px)
    assert not hole.any()
    assert np.max(np.diff(cols.x)) >= (x[1000] - x[999]) - 2 * px


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(2, 2000), chunks=st.lists(st.integers(1, 40), min_size=1, max_size=30))
def test_tail_merges_equal_a_rebuild(seed, n, chunks):
    x, high, low = series(n + sum(chunks), seed)
    live = pyramid(x[:n], high[:n], low[:n])
    end = n
    rng = np.random.default_rng(seed)
    for size in chunks:
        # replace the forming candle (a new high) and append the next ones
        back = 1 if rng.random() < 0.7 else 0
        start = end - back
        h = high[start : end + size].copy()
        live.merge_tail(x[start : end + size], {"high": h, "low": low[start : end + size]})
        end += size
        if rng.random() < 0.3:  # a paint zoomed out reads the levels between merges
            assert len(live.levels) >= 1
        if rng.random() < 0.5:  # the item's bounds read the totals between merges
            assert live.total("high") == high[:end].max()
            assert live.total("low") == low[:end].min()
    full = pyramid(x[:end], high[:end], low[:end])
    assert len(live.levels) == len(full.levels)
    for a, b in zip(live.levels, full.levels):
        assert np.array_equal(a.key, b.key)
        assert np.array_equal(a.first, b.first)
        assert np.array_equal(a.field("high"), b.field("high"))
        assert np.array_equal(a.field("low"), b.field("low"))


def test_replacing_the_last_sample_lowers_the_extremes():
    x, high, low = series(5000, 1, gap_rate=0.0)
    high[-1] = 10_000.0
    pyr = pyramid(x, high, low)
    assert pyr.extreme("high", 0, len(x)) == 10_000.0
    pyr.merge_tail(x[-1:], {"high": np.array([1.0]), "low": low[-1:]})
    assert pyr.extreme("high", 0, len(x)) == high[:-1].max()
    assert np.max(pyr.levels[-1].field("high")) == high[:-1].max()
    assert pyr.total("high") == high[:-1].max()


def test_totals_follow_corrections_and_appends():
    x, high, low = series(3000, 4, gap_rate=0.0)
    pyr = pyramid(x[:2000], high[:2000], low[:2000])
    assert pyr.total("high") == high[:2000].max()
    top = int(np.argmax(high[:2000]))
    # a revised history from before the highest bar on: the old extreme is gone
    revised = high[top:2000] * 0 + high[:top].min()
    pyr.merge_tail(x[top:2000], {"high": revised, "low": low[top:2000]})
    assert pyr.total("high") == max(high[:top].max(), revised.max())
    pyr.merge_tail(x[2000:], {"high": high[2000:], "low": low[2000:]})
    assert pyr.total("low") == min(low[:3000].min(), low[top:2000].min())
    assert pyr.total("high") == max(high[:top].max(), high[2000:].max(), revised.max())


def test_extreme_matches_slices():
    x, high, low = series(100_000, 4)
    pyr = pyramid(x, high, low)
    rng = np.random.default_rng(0)
    for _ in range(300):
        i, j = sorted(rng.integers(0, len(x) + 1, 2))
        if j == i:
            assert np.isnan(pyr.extreme("high", i, j))
            continue
        assert pyr.extreme("high", i, j) == high[i:j].max()
        assert pyr.extreme("low", i, j) == low[i:j].min()


def test_nan_aware_reducers_skip_gaps_in_values():
    x = (T0 // (8 * BAR)) * 8 * BAR + np.arange(64) * BAR  # columns align with the NaN runs
    y = np.where(np.arange(64) % 8 < 4, np.nan, np.arange(64.0))
    pyr = Pyramid(x, {"max": y, "min": y}, reducers={"max": np.fmax, "min": np.fmin}, bar_seconds=BAR)
    cols = aggregate_columns(pyr, x[0], x[-1], 8 * BAR)
    for c in range(len(cols)):
        chunk = y[cols.first[c] : cols.last[c] + 1]
        assert cols.fields["max"][c] == np.nanmax(chunk)
        assert cols.fields["min"][c] == np.nanmin(chunk)
    cols = aggregate_columns(pyr, x[0], x[-1], 2 * BAR)
    assert np.isnan(cols.fields["max"]).sum() == 16
