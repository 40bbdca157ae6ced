"""UTC-aligned resampling, higher-timeframe trend, and the pair correlation."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smtdesk.core.candles import Candles, timeframe_ms
from smtdesk.core.smt.correlation import RollingCorrelation
from smtdesk.core.resample import (
    HtfTrend,
    _bucket_extremes,
    _bucket_offset,
    bucket_start,
    resample,
)

HOUR = 3_600_000


def ms(*args) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp() * 1000)


def test_buckets_are_utc_aligned_and_weeks_start_monday():
    t = ms(2025, 1, 1, 13, 30)  # a Wednesday
    assert bucket_start([t], "4h")[0] == ms(2025, 1, 1, 12)
    assert bucket_start([t], "1d")[0] == ms(2025, 1, 1)
    assert bucket_start([t], "1w")[0] == ms(2024, 12, 30)
    assert bucket_start([ms(2024, 12, 30)], "1w")[0] == ms(2024, 12, 30)
    assert bucket_start([ms(2024, 12, 29, 23)], "1w")[0] == ms(2024, 12, 23)


def test_resample_uses_only_existing_candles():
    t0 = ms(2025, 1, 1)
    times = t0 + HOUR * np.array([0, 1, 3, 4, 5, 7])  # 02:00 and 06:00 missing
    c = Candles(
        times,
        [1, 2, 3, 4, 5, 6],
        [2, 9, 4, 5, 6, 7],
        [0.5, 1, 2, 3, 1, 5],
        [2, 3, 4, 5, 6, 7],
        [1, 1, 1, 1, 1, 1],
    )
    r = resample(c, "4h")
    assert r.time.tolist() == [t0, t0 + 4 * HOUR]
    assert r.open.tolist() == [1, 4] and r.close.tolist() == [4, 7]
    assert r.high.tolist() == [9, 7] and r.low.tolist() == [0.5, 1]
    assert r.volume.tolist() == [3, 3]


def _zigzag_candles(n: int, slope: float) -> Candles:
    t = np.arange(n)
    mid = 100 + slope * t + 3 * np.sin(2 * np.pi * t / 48)
    return Candles(HOUR * t, mid, mid + 0.5, mid - 0.5, mid, np.ones(n))


def test_trend_up_down_and_unknown():
    for slope, code in ((0.1, 1), (-0.1, -1)):
        c = _zigzag_candles(400, slope)
        tr = HtfTrend("1h", "4h", strength=2)
        tr.update(c)
        assert tr.at(c.time[-1:])[0] == code
        assert tr.at(c.time[:5]).tolist() == [0] * 5  # no swings known yet


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), cuts=st.lists(st.integers(1, 60), min_size=1, max_size=20))
def test_trend_read_live_equals_trend_read_at_once(seed, cuts):
    rng = np.random.default_rng(seed)
    n = 600
    mid = 100 + np.cumsum(rng.normal(0, 1, n))
    # Missing candles now and then: buckets hold only the candles that exist.
    time = HOUR * np.cumsum(rng.choice([1, 1, 1, 2, 5], n))
    c = Candles(time, mid, mid + 1, mid - 1, mid, np.ones(n))
    once = HtfTrend("1h", "4h", strength=2)
    once.update(c)
    live = HtfTrend("1h", "4h", strength=2)
    k = 0
    for step in cuts:
        k = min(n, k + step)
        live.update(c[:k])
        assert live.at(c.time[:k]).tolist() == once.at(c.time[:k]).tolist()
        # The per-bar table kept while feeding reads the same.
        assert live.at_bars(np.arange(k)).tolist() == once.at(c.time[:k]).tolist()
    assert once.at_bars(np.arange(n)).tolist() == once.at(c.time).tolist()


@pytest.mark.parametrize("htf", ["4h", "1d", "1w"])
def test_trend_buckets_equal_the_resampled_candles(htf):
    rng = np.random.default_rng(4)
    n = 5000
    mid = 100 + np.cumsum(rng.normal(0, 1, n))
    time = HOUR * np.cumsum(rng.choice([1, 1, 1, 2, 30], n))
    c = Candles(time, mid, mid + rng.random(n), mid - rng.random(n), mid, np.ones(n))
    size = timeframe_ms(htf)
    start, high, low, first = _bucket_extremes(c.time, c.high, c.low, size, _bucket_offset(size))
    r = resample(c, htf)
    assert start.tolist() == r.time.tolist()
    assert high.tolist() == r.high.tolist() and low.tolist() == r.low.tolist()
    opens = np.flatnonzero(np.r_[True, np.diff(bucket_start(c.time, htf)) != 0])
    assert first.tolist() == opens.tolist()


def test_correlation_matches_pandas_and_is_the_same_one_bar_at_a_time():
    rng = np.random.default_rng(0)
    a = np.exp(np.cumsum(rng.normal(0, 0.01, 700)))
    b = np.exp(0.5 * np.log(a) + np.cumsum(rng.normal(0, 0.01, 700)))
    whole = RollingCorrelation(window=200)
    whole.update(a, b)
    full = whole.at(np.arange(700))
    ref = pd.Series(np.diff(np.log(a))).rolling(200).corr(pd.Series(np.diff(np.log(b)))).to_numpy()
    assert np.isnan(full[:200]).all()
    np.testing.assert_allclose(full[200:], ref[199:], rtol=1e-9)
    live = RollingCorrelation(window=200)
    for k in range(150, 701, 37):  # grown a few bars at a time
        live.update(a[:k], b[:k])
    live.update(a, b)
    for k in (200, 431, 699):
        assert live.at([k])[0] == full[k]
