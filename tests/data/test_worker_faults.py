"""The fault matrix through the whole app data path (worker + store on the Qt loop):
whatever the exchange does mid-backfill, the worker stays up, the user is told what
happened, and once it behaves both stored series equal the exchange's candles."""

from __future__ import annotations

import asyncio
import sqlite3

import numpy as np
import pytest

from smtdesk.data import derivatives as dv
from smtdesk.data.worker import MarketWorker
from tests.data.conftest import BTC, ETH, Seen, market, until
from tests.data.fake_binance import HOUR_MS, Fault

LIVE = "Binance USD-M: live"

# fault on the third candle request (mid-way through BTC's backfill) -> words the user sees;
# None: nothing to tell (ccxt sorts every page, so the user never meets the disorder)
MATRIX = {
    "timeout": "timed out; retrying",
    "429": "is rate limiting us; waiting 2 s",
    "418": "banned this IP for too many requests; next try after",
    "500": "is unreachable or unavailable; retrying",
    "503": "is unreachable or unavailable; retrying",
    "malformed": "sent an unreadable answer; retrying",
    "bad_symbol": 'answered "invalid symbol" for BTC/USDT:USDT, which it lists; trying again later',
    "reset": "dropped the connection; retrying",
    "duplicate": "sent 34 repeated 1h candle(s) of BTC/USDT:USDT; kept one of each",
    "out_of_order": None,
    "gap": "left out 6 1h candle(s) of BTC/USDT:USDT; asked again and got them",
    "empty": "sent an empty page of candles; retrying",
}
RETRY_AFTER = {"429": 2, "418": 7200}


async def run_worker(m, seen_events: list | None = None, **worker_kw):
    """A started worker whose waits pass at once but move the exchange's clock on."""

    async def sleep(seconds: float) -> None:
        m.fake.now_ms += int(seconds * 1000)
        await asyncio.sleep(0)

    worker = MarketWorker(m.source, store=m.store, history_bars=1000, resume_delay=0.05,
                          sleep=sleep, **worker_kw)
    seen = Seen(worker)
    worker.start()
    return worker, seen


async def still_live(m, seen: Seen) -> None:
    """The worker still passes on live candles: push a forming one until it shows."""
    shown = len(seen.of("forming"))
    while len(seen.of("forming")) == shown:
        await m.fake.push_kline("BTCUSDT", m.fake.forming("BTCUSDT"), closed=False)
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("kind", list(MATRIX))
def test_every_fault_mid_backfill(tmp_path, on_qt_loop, kind):
    async def body():
        async with market(tmp_path) as m:
            m.fake.fail("klines", None, None, Fault(kind, RETRY_AFTER.get(kind, 1)))
            worker, seen = await run_worker(m)
            await until(lambda: LIVE in seen.of("status"))
            told = seen.of("status") + seen.of("problem")
            if MATRIX[kind] is None:
                assert not seen.of("problem")
            else:
                assert any(MATRIX[kind] in t for t in told), told
            await asyncio.wait_for(still_live(m, seen), 8)
            m.assert_stored_is_truth(BTC)
            # the two-hour ban was waited out, during which two more candles closed; ETH's
            # fresh series then starts 1000 candles back from that later moment
            assert len(m.stored(BTC)) == (1002 if kind == "418" else 1000)
            np.testing.assert_array_equal(m.stored(ETH), m.truth("ETHUSDT")[-1000:])
            latest = seen.of("analysis")[-1]
            np.testing.assert_array_equal(latest.assets[0].candles.time, m.truth("BTCUSDT")[:, 0])
            assert not any("stopped" in t for t in seen.of("status"))
            await worker.stop()

    on_qt_loop(body())


def test_a_full_disk_during_a_store_write_is_retried(tmp_path, on_qt_loop):
    async def body():
        async with market(tmp_path) as m:
            save = m.store.save_candles
            calls = []

            def failing_once(*args):
                calls.append(args)
                if len(calls) == 2:
                    raise sqlite3.OperationalError("database or disk is full")
                save(*args)

            m.store.save_candles = failing_once
            worker, seen = await run_worker(m)
            await until(lambda: LIVE in seen.of("status"))
            assert seen.of("problem") == [
                "Binance USD-M data stopped unexpectedly: database or disk is full"]
            await asyncio.wait_for(still_live(m, seen), 8)
            m.assert_stored_is_truth(BTC, ETH)
            await worker.stop()

    on_qt_loop(body())


def test_a_dropped_websocket_is_backfilled_through_the_worker(tmp_path, on_qt_loop):
    async def body():
        async with market(tmp_path) as m:
            worker, seen = await run_worker(m)
            await until(lambda: LIVE in seen.of("status"))
            await asyncio.wait_for(still_live(m, seen), 8)
            await m.fake.drop_websockets()
            m.fake.now_ms += 3 * HOUR_MS
            await until(lambda: any("connection lost; reconnecting" in s
                                    for s in seen.of("status")))
            await asyncio.wait_for(still_live(m, seen), 8)
            await until(lambda: len(seen.of("analysis")[-1].assets[0].candles) == 1003)
            m.assert_stored_is_truth(BTC)
            await worker.stop()

    on_qt_loop(body())


def test_a_corrupt_cache_is_reported_and_rebuilt_by_the_worker(tmp_path, on_qt_loop):
    (tmp_path / "cache.sqlite").write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 16)

    async def body():
        async with market(tmp_path) as m:
            worker, seen = await run_worker(m)
            await until(lambda: LIVE in seen.of("status"))
            notice = seen.of("problem")[0]
            assert notice.startswith("The market data cache could not be read")
            assert "being rebuilt from the exchange" in notice
            m.assert_stored_is_truth(BTC, ETH)
            await worker.stop()

    on_qt_loop(body())


def test_unparseable_derivatives_are_reported_and_the_rest_goes_on(tmp_path, on_qt_loop):
    async def body():
        async with market(tmp_path) as m:
            funding = m.source.funding_history

            async def funding_or_fail(symbol, **kw):
                if symbol == BTC:
                    raise KeyError("fundingRate")
                return await funding(symbol, **kw)

            def unparseable(event):
                raise KeyError("price")

            m.source.funding_history = funding_or_fail
            m.source._liquidation = unparseable
            worker, seen = await run_worker(m)
            await until(lambda: len(seen.of("derivatives")) == 9)
            assert [n for n in seen.of("info") if "derivatives" in n] == [
                "Binance USD-M derivatives data of BTC/USDT:USDT unreadable: 'fundingRate'"]
            assert {(s.symbol, s.kind) for s in seen.of("derivatives")} == {
                (sym, kind) for sym in (BTC, ETH) for kind in (dv.FUNDING, dv.OPEN_INTEREST, *dv.RATIO_KINDS)} - {(BTC, dv.FUNDING)}
            while not any("liquidation" in n for n in seen.of("info")):
                await m.fake.push_liquidation("BTCUSDT", order_side="SELL", qty="1", price="95000",
                                              time_ms=m.fake.now_ms)
                await asyncio.sleep(0.05)
            assert "Binance USD-M liquidation recording stopped: 'price'" in seen.of("info")
            await asyncio.wait_for(still_live(m, seen), 8)
            assert not seen.of("problem")
            await worker.stop()

    on_qt_loop(body())
