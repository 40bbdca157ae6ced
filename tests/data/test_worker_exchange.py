"""The worker on an exchange: cached candles first, only the missing ones fetched,
progress, derivatives and live candles as signals, every cache write off the window's
thread, and the demo when nobody answers;
a history analysis that keeps the charts empty for long is explained."""

from __future__ import annotations

import asyncio
import threading
import time

import numpy as np
import pytest

from smtdesk.core.candles import Candles
from smtdesk.core.structure.swings import ManualSwing
from smtdesk.data import derivatives as dv
from smtdesk.data.demo import DemoSource
from smtdesk.data.worker import MarketWorker
from tests.data.conftest import BTC, ETH, Seen, market, recorded_liquidations, until
from tests.data.fake_binance import HOUR_MS


def test_cached_first_then_missing_then_live(tmp_path, on_qt_loop):
    async def body():
        async with market(tmp_path) as m:
            # an earlier session cached the first 900 candles of each symbol
            for sym, ex_id in ((BTC, "BTCUSDT"), (ETH, "ETHUSDT")):
                m.store.save_candles("binanceusdm", sym, "1h",
                                     Candles.from_rows(m.fake.truth(ex_id)[:900]))
            worker = MarketWorker(m.source, store=m.store, history_bars=1000)
            seen = Seen(worker)
            writers = set()  # the threads the cache is written on
            for name in ("save_candles", "save_series", "save_liquidations"):
                def written(*args, _write=getattr(m.store, name)):
                    writers.add(threading.current_thread().name)
                    return _write(*args)
                setattr(m.store, name, written)
            worker.start()
            await until(lambda: any(s == "Binance USD-M: live" for s in seen.of("status")))
            first = seen.of("analysis")[0]
            assert len(first.assets[0].candles) == 900  # the cache, before any request
            klines = [q for e, q in m.fake.requests if e == "klines"]
            assert all(int(q["startTime"]) > int(m.fake.truth("BTCUSDT")[899][0]) for q in klines)
            latest = seen.of("analysis")[-1]
            np.testing.assert_array_equal(latest.assets[0].candles.time, m.truth("BTCUSDT")[:, 0])
            np.testing.assert_array_equal(latest.assets[1].candles.close, m.truth("ETHUSDT")[:, 4])
            progress = seen.of("progress")
            assert progress[-1] == 100 and progress == sorted(progress)

            await until(lambda: len(seen.of("derivatives")) >= 5)
            kinds = {s.kind for s in seen.of("derivatives") if s.symbol == BTC}
            assert kinds == {dv.FUNDING, dv.OPEN_INTEREST, *dv.RATIO_KINDS}

            # the liquidation stream subscribes too: push until the kline stream has it
            async def push_until(condition):
                while not condition():
                    await m.fake.push_kline("BTCUSDT", m.fake.forming("BTCUSDT"), closed=False)
                    await asyncio.sleep(0.05)

            await asyncio.wait_for(push_until(lambda: seen.of("forming")), 8)
            assert seen.of("forming")[-1].closed is False
            m.fake.now_ms += HOUR_MS
            # the derivatives' re-runs may come in between: wait for the closed candle's
            await asyncio.wait_for(push_until(
                lambda: len(seen.of("analysis")[-1].assets[0].candles) == 1001), 8)
            m.assert_stored_is_truth(BTC)
            while not recorded_liquidations(m.store, BTC):
                await m.fake.push_liquidation("BTCUSDT", order_side="SELL", qty="1.5",
                                              price="95000", time_ms=m.fake.now_ms)
                await asyncio.sleep(0.05)
            assert recorded_liquidations(m.store, BTC)[0][3] == 1.5
            await worker.stop()
            assert not seen.of("problem") and not seen.of("info")
            assert writers and all(w.startswith("store") for w in writers), writers

    on_qt_loop(body())


def test_falls_back_to_the_demo_when_the_exchange_is_silent(tmp_path, on_qt_loop):
    async def body():
        async with market(tmp_path) as m:
            m.fake.fail("exchangeInfo", *["timeout"] * 10)
            m.fake.stall_s = 0.6
            demo = DemoSource(live_bars=3, seconds_per_bar=0.01)
            worker = MarketWorker(m.source, store=m.store, fallback=demo, connect_timeout=0.5)
            seen = Seen(worker)
            worker.start()
            await until(lambda: seen.of("source"))
            assert seen.of("source") == ["Demo (recorded data)"]
            # shown at once; the venue's silence is reported when its connect gives up
            await until(lambda: seen.of("problem"))
            assert "not reachable" in seen.of("problem")[0]
            await until(lambda: any(s.startswith("Demo (recorded data): live (")
                                    and "Binance USD-M" in s for s in seen.of("status")))
            await until(lambda: seen.of("analysis"))
            await worker.stop()

    on_qt_loop(body())


def test_an_outage_during_the_backfill_is_waited_out(tmp_path, on_qt_loop):
    async def body():
        async with market(tmp_path) as m:
            m.fake.fail("klines", None, None, *["503"] * 5)
            worker = MarketWorker(m.source, store=m.store, resume_delay=0.05)
            seen = Seen(worker)
            worker.start()
            await until(lambda: any(s == "Binance USD-M: live" for s in seen.of("status")))
            assert "gave up after 5 tries" in seen.of("problem")[0]
            assert any("offline, trying again at" in s for s in seen.of("status"))
            m.assert_stored_is_truth(BTC, ETH)
            await worker.stop()

    on_qt_loop(body())


@pytest.mark.parametrize("seconds, compiling, said", [
    (0.6, True, "analysing the history (the first start also prepares"),
    (0.6, False, "analysing the history"),
    (0.0, False, None),
])
def test_a_slow_history_analysis_is_explained_in_the_status_bar(on_qt_loop, monkeypatch, seconds, compiling, said):
    if compiling:  # the loops compile meanwhile, as on the first start: numba misses its cache
        misses = iter(range(1_000))
        monkeypatch.setattr("smtdesk.data.worker.compiled_so_far", lambda: next(misses))

    async def body():
        worker = MarketWorker(DemoSource(live_bars=3, seconds_per_bar=3600),
                              slow_analysis_seconds=0.2)
        detect = worker._model.detect

        def timed_detect():
            time.sleep(seconds)  # 0.6 s: longer than the 0.2 s the window waits before saying so
            return detect()

        worker._model.detect = timed_detect
        seen = Seen(worker)
        worker.start()
        await until(lambda: seen.of("analysis"))
        statuses = seen.of("status")
        notes = [s for s in statuses if "analysing" in s]
        if said is None:  # quick: whether it was said depends on the machine, never a first start
            assert not any("first start" in n for n in notes)
        else:
            assert len(notes) == 1 and notes[0].startswith(f"Demo (recorded data): {said}")
            assert ("first start" in notes[0]) == compiling
        assert statuses[-1] == "Demo (recorded data): live"
        await worker.stop()

    on_qt_loop(body())


def test_the_candles_come_before_the_indicators_and_those_before_the_signals(on_qt_loop):
    async def body():
        worker = MarketWorker(DemoSource(live_bars=3, seconds_per_bar=3600))
        seen = Seen(worker)
        worker.start()
        await until(lambda: seen.of("analysis"))
        names = [n for n, _ in seen.events if n in ("charts", "analysis")]
        assert names[:3] == ["charts", "charts", "analysis"]
        (candles, charts), full = seen.of("charts")[:2], seen.of("analysis")[0]
        assert not candles.analysed and charts.analysed and full.analysed
        for alone, late in zip(candles.assets, full.assets):
            assert alone.symbol == late.symbol
            assert np.array_equal(alone.candles.close, late.candles.close)
            assert not alone.indicators and len(alone.swings.high_idx) == 0
        assert len(charts.signals) == 0 and len(full.signals) > 0
        for early, late in zip(charts.assets, full.assets):
            assert early.symbol == late.symbol
            assert np.array_equal(early.candles.time, late.candles.time)
            assert np.array_equal(early.indicators["rsi"], late.indicators["rsi"], equal_nan=True)
        await worker.stop()

    on_qt_loop(body())


def test_a_swing_marked_while_the_history_loads_leaves_the_derivatives_to_come(tmp_path, on_qt_loop):
    """A command of the window is not one of the live source's side tasks."""
    async def body():
        async with market(tmp_path) as m:
            for sym, ex_id in ((BTC, "BTCUSDT"), (ETH, "ETHUSDT")):
                m.store.save_candles("binanceusdm", sym, "1h", Candles.from_rows(m.fake.truth(ex_id)[:900]))
            worker = MarketWorker(m.source, store=m.store, history_bars=1000)
            seen = Seen(worker)
            worker.start()
            await until(lambda: seen.of("analysis"))  # the cached candles, before the sync
            mark = ManualSwing(int(m.fake.truth("BTCUSDT")[850][0]), "high")
            worker.set_manual_swings(BTC, (mark,))
            await until(lambda: any(s == "Binance USD-M: live" for s in seen.of("status")))
            await until(lambda: {s.kind for s in seen.of("derivatives")} >= {"funding"})
            assert seen.of("analysis")[-1].assets[0].manual == (mark,)
            await worker.stop()

    on_qt_loop(body())
