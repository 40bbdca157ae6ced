"""Reloading the worker on the fake exchange: a venue switch from the demo, a timeframe the
venue lacks built from its 1h candles (history and live), a symbol it does not list."""

from __future__ import annotations

import asyncio

import numpy as np

from smtdesk.core.candles import Candles
from smtdesk.core.resample import resample
from smtdesk.data.demo import DemoSource
from smtdesk.data.worker import MarketWorker
from tests.candle_asserts import assert_same_candles
from tests.data.conftest import BTC, ETH, Seen, market, until
from tests.data.fake_binance import HOUR_MS

LIVE = "Binance USD-M: live"


def selections(worker) -> list[tuple]:
    """The selections the worker serves, in order, each once while it lasts."""
    seen = []
    def served(status) -> None:
        s = status.serving
        if not seen or seen[-1] != (s.venue, s.symbols, s.timeframe):
            seen.append((s.venue, s.symbols, s.timeframe))

    worker.status.connect(served)
    return seen


def complete_4h(rows: np.ndarray) -> Candles:
    """The 4h candles of closed 1h ``rows`` whose four hours have all closed."""
    hours = Candles.from_rows(rows)
    built = resample(hours, "4h")
    if int(hours.time[-1]) + HOUR_MS < int(built.time[-1]) + 4 * HOUR_MS:
        built = built[:-1]
    return built


def test_switching_from_the_demo_to_the_exchange_loads_its_series(tmp_path, on_qt_loop):
    async def body():
        async with market(tmp_path) as m:
            demo = DemoSource(live_bars=3, seconds_per_bar=3600)
            asked = []
            worker = MarketWorker(demo, store=m.store, fallback=demo,
                                  sources=lambda venue: asked.append(venue) or m.source)
            seen = Seen(worker)
            chosen = selections(worker)
            worker.start()
            await until(lambda: seen.of("analysis"))
            demo_btc = seen.of("analysis")[-1].assets[0].candles

            worker.reload("binanceusdm", (BTC, ETH), "1h")
            await until(lambda: LIVE in seen.of("status"))
            assert asked == ["binanceusdm"]
            assert seen.of("source") == ["Binance USD-M"]
            assert chosen == [("demo", (BTC, ETH), "1h"), ("binanceusdm", (BTC, ETH), "1h")]
            latest = seen.of("analysis")[-1]
            np.testing.assert_array_equal(latest.assets[0].candles.time, m.truth("BTCUSDT")[:, 0])
            np.testing.assert_array_equal(latest.assets[1].candles.close, m.truth("ETHUSDT")[:, 4])
            assert len(demo_btc) > 9000 and len(latest.assets[0].candles) == 1000
            m.assert_stored_is_truth(BTC)
            await worker.stop()
            assert not seen.of("problem")

    on_qt_loop(body())


def test_a_timeframe_the_venue_lacks_is_built_from_its_1h_candles_and_kept_live(tmp_path, on_qt_loop):
    async def body():
        async with market(tmp_path, closed=1001) as m:
            m.source._ex.timeframes = {"1h": "1h"}  # a venue with nothing longer than 1h
            worker = MarketWorker(m.source, store=m.store, history_bars=1001)
            seen = Seen(worker)
            worker.start()
            await until(lambda: LIVE in seen.of("status"))
            n_status = len(seen.of("status"))

            worker.reload("binanceusdm", (BTC, ETH), "4h")
            await until(lambda: LIVE in seen.of("status")[n_status:])
            assert any("built from 1h candles" in s for s in seen.of("status")[n_status:])
            assert {q["interval"] for e, q in m.fake.requests if e == "klines"} == {"1h"}
            built = [a for a in seen.of("analysis") if a.timeframe == "4h"][-1]
            assert_same_candles(built.assets[0].candles, complete_4h(m.truth("BTCUSDT")))
            assert_same_candles(built.assets[1].candles, complete_4h(m.truth("ETHUSDT")))
            assert len(built.assets[0].candles) == 1001 // 4
            # the hour after the last complete bucket is the forming 4h candle
            forming = [u for u in seen.of("forming") if u.symbol == BTC][-1]
            assert forming.timeframe == "4h" and not forming.closed
            assert forming.candles.row(0) == resample(
                Candles.from_rows(m.truth("BTCUSDT")[-1:]), "4h").row(0)

            # live: hours close one by one; the 4h candle closes with the last of its four
            async def push_until(condition):
                while not condition():
                    await m.fake.push_kline("BTCUSDT", m.fake.forming("BTCUSDT"), closed=False)
                    await asyncio.sleep(0.05)

            closes = []
            for _ in range(4):
                n_4h = len(seen.of("analysis")[-1].assets[0].candles)
                closing = int(m.fake.forming("BTCUSDT")[0])
                m.fake.now_ms += HOUR_MS
                await asyncio.wait_for(push_until(
                    lambda closing=closing: m.store.last_time("binanceusdm", BTC, "1h") == closing), 8)
                # a forming candle after the closed hour: the closed one has been handled
                k = len(seen.of("forming"))
                await asyncio.wait_for(push_until(lambda k=k: len(seen.of("forming")) > k), 8)
                closes.append(len(seen.of("analysis")[-1].assets[0].candles) - n_4h)
                assert seen.of("forming")[-1].timeframe == "4h"
            # the history ended one hour into a bucket: its fourth hour closes it
            assert closes == [0, 0, 1, 0]
            latest = seen.of("analysis")[-1]
            assert_same_candles(latest.assets[0].candles, complete_4h(m.truth("BTCUSDT")))
            m.assert_stored_is_truth(BTC)
            await worker.stop()
            assert not seen.of("problem")

    on_qt_loop(body())


def test_a_symbol_the_venue_does_not_list_is_refused_and_the_pair_keeps_running(tmp_path, on_qt_loop):
    async def body():
        async with market(tmp_path) as m:
            worker = MarketWorker(m.source, store=m.store, history_bars=1000)
            seen = Seen(worker)
            chosen = selections(worker)
            worker.start()
            await until(lambda: LIVE in seen.of("status"))
            running = worker._task
            n_analyses = len(seen.of("analysis"))

            worker.reload("binanceusdm", ("NOPE/USDT:USDT", ETH), "1h")
            await until(lambda: seen.of("problem"))
            assert seen.of("problem") == [("Binance USD-M has no market NOPE/USDT:USDT. "
                                          f"Still showing {BTC} / {ETH} 1h.")]
            assert chosen == [("binanceusdm", (BTC, ETH), "1h")]
            assert seen.of("status")[-1] == LIVE
            assert worker._task is running and not running.done()
            assert len(seen.of("analysis")) == n_analyses
            # still live on the pair shown
            m.fake.now_ms += HOUR_MS
            while len(seen.of("analysis")) == n_analyses:
                await m.fake.push_kline("BTCUSDT", m.fake.forming("BTCUSDT"), closed=False)
                await asyncio.sleep(0.05)
            assert seen.of("analysis")[-1].assets[0].symbol == BTC
            await worker.stop()

    on_qt_loop(body())


def test_an_unreachable_exchange_is_refused_when_the_demo_cannot_stand_in(tmp_path, on_qt_loop):
    async def body():
        async with market(tmp_path) as m:
            m.fake.fail("exchangeInfo", *["timeout"] * 10)
            m.fake.stall_s = 0.6
            demo = DemoSource(live_bars=3, seconds_per_bar=3600)
            worker = MarketWorker(demo, store=m.store, fallback=demo, connect_timeout=0.3,
                                  sources=lambda venue: m.source)
            seen = Seen(worker)
            chosen = selections(worker)
            worker.start()
            await until(lambda: seen.of("analysis"))
            running = worker._task

            worker.reload("binanceusdm", ("SOL/USDT:USDT", ETH), "1h")
            await until(lambda: seen.of("problem"))
            # the reason is the connect timeout or the retries giving up, whichever is first
            message = seen.of("problem")[0]
            assert message.startswith("Binance USD-M is not reachable (")
            assert ("), and the stand-in cannot show it: The demo market has no SOL/USDT:USDT"
                    in message)
            assert chosen == [("demo", (BTC, ETH), "1h")]
            assert worker.source is demo and worker._task is running and not running.done()
            assert not seen.of("source")
            await worker.stop()

    on_qt_loop(body())


def test_the_same_symbol_on_both_charts_is_refused(on_qt_loop):
    async def body():
        demo = DemoSource(live_bars=3, seconds_per_bar=3600)
        worker = MarketWorker(demo)
        seen = Seen(worker)
        chosen = selections(worker)
        worker.start()
        await until(lambda: seen.of("analysis"))
        worker.reload("demo", (ETH, ETH), "1h")
        await until(lambda: seen.of("problem"))
        assert seen.of("problem") == [(f"{ETH} is on both charts; pick two different symbols. "
                                      f"Still showing {BTC} / {ETH} 1h.")]
        assert chosen == [("demo", (BTC, ETH), "1h")] and worker.symbols == (BTC, ETH)
        await worker.stop()

    on_qt_loop(body())
