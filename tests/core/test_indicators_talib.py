"""Parity with TA-Lib (the reference; a test-only dependency) to 1e-9 after warm-up."""

from __future__ import annotations

import numpy as np
import pytest

from smtdesk.core import indicators as ind

talib = pytest.importorskip("talib")

RTOL = 1e-9


def assert_parity(ours: np.ndarray, ref: np.ndarray, *, scale: float) -> None:
    """Same warm-up (NaN) bars, and every value within 1e-9 relative.

    ``scale`` is the size of the quantity (price level, 100 for oscillators): for
    values crossing zero (MACD, CCI) relative error is measured against it.
    """
    ours, ref = np.asarray(ours), np.asarray(ref)
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(ref))
    assert (~np.isnan(ref)).any(), "the comparison would be empty"
    np.testing.assert_allclose(ours, ref, rtol=RTOL, atol=RTOL * scale, equal_nan=True)


def price_scale(c: dict[str, np.ndarray]) -> float:
    return float(np.median(c["close"]))


@pytest.mark.parametrize("period", [5, 10, 20, 50, 200])
def test_sma(candles, period):
    assert_parity(ind.sma(candles["close"], period), talib.SMA(candles["close"], period),
                  scale=price_scale(candles))


@pytest.mark.parametrize("period", [2, 12, 20, 26])
def test_ema(candles, period):
    assert_parity(ind.ema(candles["close"], period), talib.EMA(candles["close"], period),
                  scale=price_scale(candles))


@pytest.mark.parametrize(("fast", "slow", "signal"), [(12, 26, 9), (5, 35, 5), (3, 4, 1)])
def test_macd(candles, fast, slow, signal):
    ours = ind.macd(candles["close"], fast=fast, slow=slow, signal=signal)
    dif, dea, hist = talib.MACD(candles["close"], fast, slow, signal)
    # MACD is in price units but hovers around zero: measure against the price level.
    scale = price_scale(candles)
    assert_parity(ours.dif, dif, scale=scale)
    assert_parity(ours.dea, dea, scale=scale)
    assert_parity(ours.hist, hist, scale=scale)


@pytest.mark.parametrize("period", [2, 14, 30])
def test_rsi(candles, period):
    assert_parity(ind.rsi(candles["close"], period), talib.RSI(candles["close"], period),
                  scale=100.0)


@pytest.mark.parametrize("period", [5, 20])
def test_cci(candles, period):
    h, l, c = candles["high"], candles["low"], candles["close"]
    assert_parity(ind.cci(h, l, c, period), talib.CCI(h, l, c, period), scale=100.0)


@pytest.mark.parametrize("period", [2, 14, 28])
def test_adx_and_directional_indicators(candles, period):
    h, l, c = candles["high"], candles["low"], candles["close"]
    ours = ind.adx(h, l, c, period)
    assert_parity(ours.adx, talib.ADX(h, l, c, period), scale=100.0)
    assert_parity(ours.plus_di, talib.PLUS_DI(h, l, c, period), scale=100.0)
    assert_parity(ours.minus_di, talib.MINUS_DI(h, l, c, period), scale=100.0)


@pytest.mark.parametrize("period", [1, 14, 30])
def test_atr(candles, period):
    h, l, c = candles["high"], candles["low"], candles["close"]
    assert_parity(ind.atr(h, l, c, period), talib.ATR(h, l, c, period),
                  scale=float(np.median(h - l)))


def test_obv_differences(candles):
    ours = ind.obv(candles["close"], candles["volume"])
    ref = talib.OBV(candles["close"], candles["volume"])
    assert ours[0] == 0.0
    assert_parity(np.diff(ours), np.diff(ref), scale=float(np.abs(ref).max()))


@pytest.mark.parametrize("period", [3, 14])
def test_mfi(candles, period):
    h, l, c, v = candles["high"], candles["low"], candles["close"], candles["volume"]
    assert_parity(ind.mfi(h, l, c, v, period), talib.MFI(h, l, c, v, period), scale=100.0)


@pytest.mark.parametrize(("period", "stddev"), [(20, 2.0), (10, 1.5)])
def test_bollinger_bands(candles, period, stddev):
    ours = ind.bollinger(candles["close"], period=period, stddev=stddev)
    upper, middle, lower = talib.BBANDS(candles["close"], period, stddev, stddev)
    scale = price_scale(candles)
    assert_parity(ours.upper, upper, scale=scale)
    assert_parity(ours.middle, middle, scale=scale)
    assert_parity(ours.lower, lower, scale=scale)


def test_kdj_against_stoch(candles):
    """K and D are TA-Lib's STOCH with EMA(5) smoothing (weight 1/3) wherever the
    high-low range is not zero; the seeds differ (50 vs a mean of the first values),
    and that difference has decayed below 1e-12 after 100 bars."""
    h, l, c = candles["high"], candles["low"], candles["close"]
    span = talib.MAX(h, 9) - talib.MIN(l, 9)
    rows = np.arange(len(c)) >= 100
    if not (span[rows] > 0).all():
        # Flat windows: our RSV is 50 there (seed 001), TA-Lib's is 0; compare up to them.
        rows &= np.arange(len(c)) < np.argmax(rows & (span == 0))
    assert rows.sum() > 500
    ours = ind.kdj(h, l, c)
    slow_k, slow_d = talib.STOCH(h, l, c, 9, 5, talib.MA_Type.EMA, 5, talib.MA_Type.EMA)
    assert_parity(ours.k[rows], slow_k[rows], scale=100.0)
    assert_parity(ours.d[rows], slow_d[rows], scale=100.0)


def test_flat_stretch_is_covered():
    """The synthetic data really has the awkward stretches the parity tests rely on."""
    from tests.core.conftest import synthetic_candles

    c = synthetic_candles(4000, 0)
    assert (np.diff(c["close"]) == 0).sum() >= 30
    assert (c["volume"] == 0).sum() >= 30


def tick_walk(level: float, n: int, seed: int) -> np.ndarray:
    """Closes of a random walk around ``level`` on a 0.01 tick: log steps of 0.2 %,
    folded back into ±30 % of the level so a million bars stay around it."""
    rng = np.random.default_rng(seed)
    walk = np.cumsum(rng.normal(0.0, 0.002, n))
    span = 0.3
    folded = np.abs((walk + span) % (4 * span) - 2 * span) - span
    return np.round(level * np.exp(folded), 2)


@pytest.mark.parametrize("level", [3_000.0, 100_000.0])
def test_bollinger_bands_over_a_million_bars(level):
    close = tick_walk(level, 1_000_000, seed=int(level))
    assert abs(np.log(close.max() / close.min())) > 0.5  # the walk does wander
    ours = ind.bollinger(close)
    upper, middle, lower = talib.BBANDS(close, 20, 2.0, 2.0)
    for got, ref in ((ours.upper, upper), (ours.middle, middle), (ours.lower, lower)):
        assert_parity(got, ref, scale=level)
        valid = ~np.isnan(ref)
        assert np.max(np.abs(got[valid] - ref[valid]) / ref[valid]) < RTOL
    # Exact at any history length: the last bars come out bit for bit as from a short
    # history starting on the same 20-bar boundary.
    tail = ind.bollinger(close[-1000:])
    np.testing.assert_array_equal(ours.upper[-900:], tail.upper[-900:])
    np.testing.assert_array_equal(ours.lower[-900:], tail.lower[-900:])
