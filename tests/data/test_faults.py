"""Each exchange fault: the backfill keeps going or stops cleanly with a clear message,
and once the exchange behaves the store holds exactly the exchange's candles."""

from __future__ import annotations

import numpy as np
import pytest

from smtdesk.data.sync import sync_candles
from smtdesk.errors import RateLimited, SourceError, UnknownSymbol
from tests.data.conftest import BTC, market, run
from tests.data.fake_binance import HOUR_MS, Fault

# fault -> words the user must see in a status line
RECOVERED_IN_PLACE = {
    "timeout": "timed out",
    "500": "unavailable",
    "503": "unavailable",
    "malformed": "unreadable",
    "reset": "dropped the connection",
    "empty": "empty page",
}
SILENTLY_REPAIRED = ("duplicate", "out_of_order", "gap")


@pytest.mark.parametrize("kind", list(RECOVERED_IN_PLACE))
def test_transient_fault_mid_backfill_is_retried(tmp_path, kind):
    async def body():
        async with market(tmp_path) as m:
            m.fake.fail("klines", None, None, kind)  # the third page goes wrong
            await sync_candles(m.source, m.store, BTC, "1h", bars=1000)
            assert any(RECOVERED_IN_PLACE[kind] in s and "retrying" in s for s in m.statuses), m.statuses
            np.testing.assert_array_equal(m.stored(), m.truth())
            assert len(m.stored()) == 1000

    run(body())


@pytest.mark.parametrize("kind", SILENTLY_REPAIRED)
def test_bad_page_content_is_repaired(tmp_path, kind):
    async def body():
        async with market(tmp_path) as m:
            m.fake.fail("klines", None, kind, None, kind)
            await sync_candles(m.source, m.store, BTC, "1h", bars=1000)
            stored = m.stored()
            np.testing.assert_array_equal(stored, m.truth())
            assert np.all(np.diff(stored[:, 0]) == HOUR_MS)

    run(body())


def test_rate_limit_waits_as_long_as_retry_after_says(tmp_path):
    async def body():
        async with market(tmp_path) as m:
            m.fake.fail("klines", None, Fault("429", retry_after=3))
            await sync_candles(m.source, m.store, BTC, "1h", bars=1000)
            assert 3.0 in m.sleeps
            assert any("rate limiting" in s and "3 s" in s for s in m.statuses), m.statuses
            np.testing.assert_array_equal(m.stored(), m.truth())

    run(body())


def test_ban_stops_requests_until_it_ends_then_resumes(tmp_path):
    async def body():
        async with market(tmp_path) as m:
            m.fake.fail("klines", None, Fault("418", retry_after=7200))
            with pytest.raises(RateLimited, match="banned this IP"):
                await sync_candles(m.source, m.store, BTC, "1h", bars=1000)
            kept = len(m.stored())
            assert kept == 200  # the page before the ban stays stored
            asked = m.fake.count("klines")
            with pytest.raises(RateLimited, match="pause requests until"):
                await sync_candles(m.source, m.store, BTC, "1h", bars=1000)
            assert m.fake.count("klines") == asked  # nothing sent while banned
            m.fake.now_ms += 7200 * 1000
            await sync_candles(m.source, m.store, BTC, "1h", bars=1000)
            np.testing.assert_array_equal(m.stored(), m.truth())
            assert len(m.stored()) == 1002

    run(body())


def test_invalid_symbol_answer_for_a_listed_market_is_not_final(tmp_path):
    async def body():
        async with market(tmp_path) as m:
            m.fake.fail("klines", None, None, "bad_symbol")
            with pytest.raises(SourceError, match='answered "invalid symbol" for BTC/USDT:USDT, '
                                                  "which it lists") as info:
                await sync_candles(m.source, m.store, BTC, "1h", bars=1000)
            assert not isinstance(info.value, UnknownSymbol)  # the worker tries again later
            assert m.fake.count("exchangeInfo") == 2  # the market list was asked afresh
            assert len(m.stored()) == 400
            await sync_candles(m.source, m.store, BTC, "1h", bars=1000)
            np.testing.assert_array_equal(m.stored(), m.truth())

    run(body())


def test_invalid_symbol_answer_for_a_delisted_market_is_final(tmp_path):
    async def body():
        async with market(tmp_path) as m:
            await sync_candles(m.source, m.store, BTC, "1h", bars=300)
            m.fake.delisted.add("BTCUSDT")
            m.fake.now_ms += 3 * HOUR_MS
            m.fake.fail("klines", "bad_symbol")
            with pytest.raises(UnknownSymbol, match="no longer lists BTC/USDT:USDT"):
                await sync_candles(m.source, m.store, BTC, "1h")
            assert len(m.stored()) == 300

    run(body())


def test_unknown_symbol_is_named(tmp_path):
    async def body():
        async with market(tmp_path) as m:
            with pytest.raises(SourceError, match="has no market DOGE/USDT:USDT"):
                await sync_candles(m.source, m.store, "DOGE/USDT:USDT", "1h")

    run(body())


def test_outage_longer_than_the_retries_gives_up_then_resumes(tmp_path):
    async def body():
        async with market(tmp_path) as m:
            m.fake.fail("klines", None, *["503"] * 5)
            with pytest.raises(SourceError, match="gave up after 5 tries"):
                await sync_candles(m.source, m.store, BTC, "1h", bars=1000)
            assert len(m.stored()) == 200
            before = m.fake.count("klines")
            await sync_candles(m.source, m.store, BTC, "1h", bars=1000)
            np.testing.assert_array_equal(m.stored(), m.truth())
            # resumed: the first 200 candles were not asked for again
            assert m.fake.count("klines") - before == 4

    run(body())


def test_real_gap_at_the_exchange_stays_a_gap(tmp_path):
    async def body():
        async with market(tmp_path) as m:
            rows = m.fake.candles["BTCUSDT"]
            del rows[500:505]  # the exchange itself never had these candles
            await sync_candles(m.source, m.store, BTC, "1h", bars=1005)
            np.testing.assert_array_equal(m.stored(), m.truth())
            assert any("no data for 5 1h candle(s)" in s for s in m.statuses), m.statuses

    run(body())


def test_unreachable_exchange(tmp_path):
    async def body():
        async with market(tmp_path) as m:
            await m.fake.stop()
            with pytest.raises(SourceError, match="unreachable"):
                await m.source.markets()

    run(body())
