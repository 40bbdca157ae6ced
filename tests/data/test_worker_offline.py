"""A venue that does not answer, with candles in the cache: they stay on screen, marked
offline (cached), while the worker keeps trying; the demo stands in only with no cache,
until the venue answers."""

from __future__ import annotations


import ccxt.pro

from smtdesk.data.demo import DemoSource
from smtdesk.data.derivatives import FUNDING, DerivSeries
from smtdesk.data.exchange import ExchangeSource
from smtdesk.data.worker import MarketWorker
from tests.data.conftest import BTC, FAST, Seen, market, until

LIVE = "Binance USD-M: live"


def fresh_source(m) -> ExchangeSource:
    """A new client on the same fake exchange, as a restart of the app makes."""
    ex = ccxt.pro.binanceusdm({"enableRateLimit": True, "rateLimit": 1, "timeout": 300, "timeout_on_exit": 0})
    m.fake.point(ex)
    return ExchangeSource(exchange=ex, policy=FAST, clock_ms=lambda: m.fake.now_ms)


async def fill_cache(m) -> None:
    worker = MarketWorker(m.source, store=m.store, history_bars=1000)
    seen = Seen(worker)
    worker.start()
    await until(lambda: LIVE in seen.of("status"), 15)
    await worker.stop()


def test_cached_candles_stay_offline_and_go_live_when_the_venue_answers(tmp_path, on_qt_loop):
    async def body():
        async with market(tmp_path) as m:
            await fill_cache(m)
            funding = DerivSeries.from_points(BTC, FUNDING, "8h", [(1_735_603_200_000, 0.0004)])
            m.store.save_series("binanceusdm", funding)
            # the venue's market list fails for a while: three rounds of retries
            m.fake.fail("exchangeInfo", *["503"] * 15)
            source = fresh_source(m)
            worker = MarketWorker(source, store=m.store, fallback=DemoSource(live_bars=3), history_bars=1000,
                                  resume_delay=0.05, connect_timeout=2.0)
            seen = Seen(worker)
            worker.start()
            await until(lambda: any("offline (cached)" in s for s in seen.of("status")), 15)
            shown = seen.of("analysis")[-1]
            assert shown.assets[0].symbol == BTC
            assert list(shown.assets[0].candles.time) == [r[0] for r in m.truth("BTCUSDT")]
            assert any("showing the cached candles while it keeps trying" in f for f in seen.of("problem"))
            kept = [d for d in seen.of("derivatives") if d.symbol == BTC and d.kind == FUNDING]
            assert kept, "the cached funding shows too"
            at = dict(zip(kept[0].time.tolist(), kept[0].value.tolist()))
            assert at[1_735_603_200_000] == 0.0004
            await until(lambda: LIVE in seen.of("status"), 15)
            assert seen.of("source") == [], "the demo never replaced the cached candles"
            assert all(a.assets[0].symbol == BTC for a in seen.of("analysis"))
            await worker.stop()
            await source.close()

    on_qt_loop(body())


def test_with_nothing_cached_the_demo_stands_in(tmp_path, on_qt_loop):
    async def body():
        async with market(tmp_path) as m:
            m.fake.fail("exchangeInfo", *["503"] * 15)
            demo = DemoSource(live_bars=3, seconds_per_bar=3600)
            worker = MarketWorker(m.source, store=m.store, fallback=demo, history_bars=1000,
                                  resume_delay=0.05, connect_timeout=2.0)
            seen = Seen(worker)
            worker.start()
            await until(lambda: seen.of("source") == [demo.label], 15)
            await until(lambda: any("showing the demo market while it keeps trying" in f
                                    for f in seen.of("problem")), 15)
            # three rounds of retries later the venue answers: its candles replace the demo's
            await until(lambda: LIVE in seen.of("status"), 15)
            assert seen.of("source") == [demo.label, "Binance USD-M"]
            assert seen.of("analysis")[-1].assets[0].symbol == BTC
            await worker.stop()

    on_qt_loop(body())
