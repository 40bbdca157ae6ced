"""Markets, symbol search and derivatives data through real ccxt against the fake."""

from __future__ import annotations

import asyncio
import contextlib

import numpy as np
import pytest

from smtdesk.data import derivatives as dv
from smtdesk.errors import SourceError
from tests.data.conftest import BTC, ETH, market, recorded_liquidations, run
from tests.data.test_live import until


def test_markets_and_search(tmp_path):
    async def body():
        async with market(tmp_path) as m:
            symbols = [x.symbol for x in await m.source.markets()]
            assert symbols == [BTC, ETH]  # the dated BTC future is not a perpetual
            assert [x.symbol for x in await m.source.search("eth")] == [ETH]
            assert await m.source.search("doge") == []

    run(body())


def test_funding_history_matches_the_exchange(tmp_path):
    async def body():
        async with market(tmp_path) as m:
            truth = m.fake.funding
            s = await m.source.funding_history(BTC, since=truth[0]["fundingTime"], limit=1000)
            assert s.kind == dv.FUNDING
            assert s.time.tolist() == [r["fundingTime"] for r in truth]
            np.testing.assert_array_equal(s.value, [float(r["fundingRate"]) for r in truth])
            m.store.save_series("binanceusdm", s)
            back = m.store.load_series("binanceusdm", BTC, dv.FUNDING, "8h")
            np.testing.assert_array_equal(back.value, s.value)

    run(body())


def test_open_interest_and_the_three_ratios(tmp_path):
    async def body():
        async with market(tmp_path) as m:
            stats = m.fake.stats
            oi = await m.source.open_interest_history(BTC, "1h", limit=100)
            want = stats["openInterestHist"][-100:]
            assert oi.time.tolist() == [int(r["timestamp"]) for r in want]
            np.testing.assert_array_equal(oi.value, [float(r["sumOpenInterest"]) for r in want])
            ratios = await m.source.long_short_ratios(BTC, "1h", limit=50)
            assert set(ratios) == set(dv.RATIO_KINDS)
            for kind, endpoint in [(dv.GLOBAL_ACCOUNT_RATIO, "globalLongShortAccountRatio"),
                                   (dv.TOP_ACCOUNT_RATIO, "topLongShortAccountRatio"),
                                   (dv.TOP_POSITION_RATIO, "topLongShortPositionRatio")]:
                rows = stats[endpoint][-50:]
                assert ratios[kind].time.tolist() == [int(r["timestamp"]) for r in rows]
                np.testing.assert_array_equal(ratios[kind].value,
                                              [float(r["longShortRatio"]) for r in rows])

    run(body())


def test_derivatives_survive_faults(tmp_path):
    async def body():
        async with market(tmp_path) as m:
            m.fake.fail("fundingRate", "503", "timeout")
            m.fake.fail("topLongShortPositionRatio", "malformed")
            s = await m.source.funding_history(BTC, limit=1000)
            assert len(s) == len(m.fake.funding)
            ratios = await m.source.long_short_ratios(BTC, "1h", limit=10)
            assert len(ratios[dv.TOP_POSITION_RATIO]) == 10
            assert sum("retrying" in x for x in m.statuses) >= 2

    run(body())


def test_unknown_symbol_for_derivatives(tmp_path):
    async def body():
        async with market(tmp_path) as m:
            with pytest.raises(SourceError):
                await m.source.funding_history("XRP/USDT:USDT")

    run(body())


def test_liquidations_are_recorded_across_a_dropped_stream(tmp_path):
    async def body():
        async with market(tmp_path) as m:
            got = []

            async def consume():
                async for events in m.source.liquidations((BTC, ETH)):
                    m.store.save_liquidations("binanceusdm", events)
                    got.extend(events)

            task = asyncio.create_task(consume())
            await m.fake.wait_subscribed()
            await m.fake.push_liquidation("BTCUSDT", order_side="SELL", qty="0.5",
                                          price="95000.1", time_ms=1_739_919_600_000)
            await until(lambda: len(got) == 1)
            await m.fake.drop_websockets()
            await m.fake.wait_subscribed()
            await m.fake.push_liquidation("ETHUSDT", order_side="BUY", qty="3",
                                          price="2700.5", time_ms=1_739_919_601_000)
            await until(lambda: len(got) == 2)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            assert recorded_liquidations(m.store, BTC) == [(1_739_919_600_000, "long", 95000.1, 0.5)]
            assert recorded_liquidations(m.store, ETH) == [(1_739_919_601_000, "short", 2700.5, 3.0)]
            assert any("liquidation stream lost" in s for s in m.statuses), m.statuses

    run(body())


def test_a_venue_without_a_liquidation_stream_says_so(tmp_path):
    async def body():
        async with market(tmp_path) as m:
            m.source._ex.has["watchLiquidationsForSymbols"] = False
            m.source._ex.has["watchLiquidations"] = False
            with pytest.raises(SourceError, match="publishes no public liquidation stream"):
                async for _ in m.source.liquidations((BTC,)):
                    pass

    run(body())
