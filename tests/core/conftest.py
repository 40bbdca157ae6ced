"""Candle data for the indicator tests: synthetic with awkward stretches, and recorded."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

SHARED_CANDLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "candles"


def synthetic_candles(
    n: int, seed: int, *, scale: float = 30_000.0, volume_scale: float = 1.0, awkward: bool = True
) -> dict[str, np.ndarray]:
    """A random-walk OHLCV series; ``awkward`` adds a flat stretch, a run of zero
    volume, a gap and a spike, spread over the series."""
    rng = np.random.default_rng(seed)
    close = scale * np.exp(np.cumsum(rng.normal(0.0, 0.01, n)))
    open_ = np.concatenate([close[:1], close[:-1]])
    body_high = np.maximum(open_, close)
    body_low = np.minimum(open_, close)
    high = body_high * (1 + rng.exponential(0.004, n))
    low = body_low * (1 - rng.exponential(0.004, n))
    volume = rng.gamma(2.0, 500.0, n) * volume_scale
    if awkward and n >= 60:
        # Flat market: every price equal for a stretch longer than most windows.
        a = n // 5
        span = slice(a, a + min(40, n // 4))
        high[span] = low[span] = close[span] = close[a - 1]
        # No trades at all for a while.
        b = n // 2
        volume[b : b + min(30, n // 5)] = 0.0
        # A gap and a spike.
        c = (3 * n) // 4
        high[c:] *= 1.3
        low[c:] *= 1.3
        close[c:] *= 1.3
        high[c + 3] *= 1.5
    return {"high": high, "low": low, "close": close, "volume": volume}


def real_candles(name: str) -> dict[str, np.ndarray]:
    """A recorded candle file from shared/data, or a skip saying it is absent."""
    path = SHARED_CANDLES / name
    if not path.exists():
        pytest.skip(f"recorded candles {path} are absent (shared/data not beside the repo)")
    rows = np.loadtxt(path, delimiter=",", skiprows=1)
    return {"high": rows[:, 2], "low": rows[:, 3], "close": rows[:, 4], "volume": rows[:, 5]}


@pytest.fixture(
    params=[
        pytest.param(("synthetic", 0, (30_000.0, 1.0)), id="synthetic"),
        pytest.param(("synthetic", 1, (0.05, 1e-3)), id="synthetic-small-values"),
        pytest.param(("synthetic", 2, (3e12, 1e9)), id="synthetic-huge-values"),
        pytest.param(("real", "binance_usdm_perp/BTCUSDT_1h.csv", None), id="real-BTC-perp-1h"),
        pytest.param(("real", "binance_usdm_perp/ETHUSDT_1h.csv", None), id="real-ETH-perp-1h"),
        pytest.param(("real", "binance_spot/BTCUSDT_4h.csv", None), id="real-BTC-spot-4h"),
    ]
)
def candles(request: pytest.FixtureRequest) -> dict[str, np.ndarray]:
    kind, key, scale = request.param
    if kind == "real":
        return real_candles(key)
    price, volume = scale
    return synthetic_candles(4000, key, scale=price, volume_scale=volume)
