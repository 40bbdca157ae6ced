import asyncio
import gzip

import numpy as np
import pytest

from smtdesk.data import derivatives as dv
from smtdesk.data.demo import DemoSource, load_demo_funding, load_demo_series
from smtdesk.errors import DemoDataError, SourceError

BTC, ETH = "BTC/USDT:USDT", "ETH/USDT:USDT"


def collect(source, n):
    async def run():
        out = []
        async for update in source.stream((BTC, ETH), "1h"):
            out.append(update)
            if len(out) == n:
                break
        return out

    return asyncio.run(run())


def test_history_then_held_back_candles_in_time_order():
    src = DemoSource(live_bars=5, seconds_per_bar=0.001)
    hist = asyncio.run(src.history(BTC, "1h"))
    updates = collect(src, 10)
    times = [int(u.candles.time[0]) for u in updates]
    assert [u.symbol for u in updates] == [BTC, ETH] * 5
    assert times[0] > hist.time[-1]
    assert times[::2] == times[1::2]
    assert np.all(np.diff(times[::2]) == 3_600_000)
    assert all(u.closed for u in updates)


def test_demo_is_real_recorded_perpetual_data():
    src = DemoSource()
    btc = asyncio.run(src.history(BTC, "1h"))
    eth = asyncio.run(src.history(ETH, "1h"))
    assert len(btc) > 5000 and len(eth) > 5000
    # Recorded prices: BTC in tens of thousands, ETH in thousands, consistent OHLC.
    assert 10_000 < np.median(btc.close) < 200_000
    assert 500 < np.median(eth.close) < 10_000
    for c in (btc, eth):
        assert np.all(c.high >= np.maximum(c.open, c.close))
        assert np.all(c.low <= np.minimum(c.open, c.close))


def test_unknown_symbol_and_timeframe_are_explained():
    src = DemoSource()
    with pytest.raises(SourceError, match="no SOL"):
        asyncio.run(src.history("SOL/USDT:USDT", "1h"))
    with pytest.raises(SourceError, match="1h"):
        asyncio.run(src.history(BTC, "5m"))


def test_missing_demo_file_is_a_clear_error(tmp_path):
    (tmp_path / "demo").mkdir()
    with pytest.raises(DemoDataError, match="missing"):
        DemoSource(root=tmp_path).validate()


@pytest.mark.parametrize(
    "content",
    [b"not gzip at all", gzip.compress(b"timestamp_ms,open\n1,2\n"), gzip.compress(b"")],
    ids=["not-gzip", "wrong-columns", "empty"],
)
def test_damaged_demo_file_is_a_clear_error(tmp_path, content):
    path = tmp_path / "BTCUSDT_1h.csv.gz"
    path.write_bytes(content)
    with pytest.raises(DemoDataError, match="damaged"):
        load_demo_series(path)


def test_truncated_gzip_is_damaged(tmp_path):
    good = (DemoSource()._root / "BTCUSDT_1h.csv.gz").read_bytes()
    path = tmp_path / "BTCUSDT_1h.csv.gz"
    path.write_bytes(good[: len(good) // 2])
    with pytest.raises(DemoDataError, match="damaged"):
        load_demo_series(path)


def test_demo_funding_is_the_recorded_binance_history_up_to_the_replay(shared_data):
    src = DemoSource(live_bars=5, seconds_per_bar=0.001)
    for symbol, name in ((BTC, "BTCUSDT"), (ETH, "ETHUSDT")):
        recorded = np.loadtxt(shared_data / "funding" / f"binance_usdm_{name}_funding_rate.csv",
                              delimiter=",", skiprows=1)
        newest = int(asyncio.run(src.history(symbol, "1h")).time[-1])
        funding = asyncio.run(src.funding_history(symbol))
        known = recorded[recorded[:, 0] <= newest]
        assert (funding.symbol, funding.kind, funding.period) == (symbol, dv.FUNDING, "8h")
        assert funding.time.tolist() == known[:, 0].astype(np.int64).tolist()
        assert funding.value.tolist() == known[:, 1].tolist()
        # the demo period is covered from its first candle to the live start
        assert len(funding) > 1000 and newest - funding.time[-1] < 8 * 3_600_000


def test_demo_funding_grows_with_the_replay():
    src = DemoSource(live_bars=30, seconds_per_bar=0.001)
    before = asyncio.run(src.funding_history(BTC))
    updates = collect(src, 2 * 24)  # 24 replayed hours hold three settlements
    after = asyncio.run(src.funding_history(BTC))
    replayed = int(updates[-1].candles.time[0])
    assert after.time[-1] <= replayed
    assert len(after) - len(before) == 3
    assert np.all(np.diff(after.time) == 8 * 3_600_000)


def test_demo_serves_no_open_interest_or_ratios():
    src = DemoSource()
    assert len(asyncio.run(src.open_interest_history(BTC, "1h"))) == 0
    assert asyncio.run(src.long_short_ratios(ETH, "1h")) == {}
    with pytest.raises(SourceError, match="no SOL"):
        asyncio.run(src.open_interest_history("SOL/USDT:USDT", "1h"))


@pytest.mark.parametrize(
    "content",
    [b"not gzip", gzip.compress(b"timestamp_ms,funding_rate\n2,0.1\n1,0.2\n"),
     gzip.compress(b"timestamp_ms,funding_rate\n1,nan\n")],
    ids=["not-gzip", "unordered", "not-a-number"],
)
def test_damaged_demo_funding_is_a_clear_error(tmp_path, content):
    path = tmp_path / "BTCUSDT_funding.csv.gz"
    path.write_bytes(content)
    with pytest.raises(DemoDataError, match="damaged"):
        load_demo_funding(path, BTC)
