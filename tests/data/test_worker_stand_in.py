"""A venue that does not answer on the first start (nothing cached): the demo is shown at
once, marked as standing in, while the worker keeps trying; when the venue answers, the
charts switch to its candles."""

from __future__ import annotations

import socket

import ccxt.pro

from smtdesk.data.demo import DemoSource
from smtdesk.data.exchange import URL_VARIABLE, ExchangeSource, point_at
from smtdesk.data.store import CandleStore
from smtdesk.data.worker import MarketWorker
from tests.data.conftest import BTC, FAST, Seen, until
from tests.data.fake_binance import HOUR_MS, FakeBinance, load_rows

DEMO = "Demo (recorded data)"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_exchange_url_variable_sends_every_request_to_that_host(monkeypatch):
    monkeypatch.setenv(URL_VARIABLE, "http://127.0.0.1:9")
    source = ExchangeSource("binanceusdm")
    urls = []

    def walk(node):
        if isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, str) and "://" in node:
            urls.append(node)

    walk(source._ex.urls["api"])
    assert urls and all(u.startswith(("http://127.0.0.1:9/", "ws://127.0.0.1:9/")) for u in urls)
    assert "http://127.0.0.1:9/fapi/v1" in urls
    assert any(u.startswith("ws://127.0.0.1:9/") for u in urls)


def test_an_unreachable_venue_shows_the_demo_at_once_then_its_own_candles(tmp_path, on_qt_loop):
    async def body():
        port = closed_port()
        rows = {"BTCUSDT": load_rows("BTCUSDT_1h.csv"), "ETHUSDT": load_rows("ETHUSDT_1h.csv")}
        fake = FakeBinance(rows, now_ms=int(rows["BTCUSDT"][1000][0]) + HOUR_MS // 2)
        ex = ccxt.pro.binanceusdm({"enableRateLimit": True, "rateLimit": 1, "timeout": 300,
                                   "timeout_on_exit": 0})
        point_at(ex, f"http://127.0.0.1:{port}")
        source = ExchangeSource(exchange=ex, policy=FAST, clock_ms=lambda: fake.now_ms)
        store = CandleStore(tmp_path / "cache.sqlite")
        demo = DemoSource(live_bars=3, seconds_per_bar=3600)
        worker = MarketWorker(source, store=store, fallback=demo, history_bars=1000,
                              resume_delay=0.05, connect_timeout=30.0)
        seen = Seen(worker)
        worker.start()
        # at once: the demo's candles, before the venue has failed to answer even once
        await until(lambda: seen.of("charts"), 5)
        first = seen.of("charts")[0]
        assert not first.analysed and len(first.assets[0].candles) > 0
        recorded = await DemoSource(live_bars=3).history(BTC, "1h")
        assert list(first.assets[0].candles.time) == list(recorded.time), "the demo's history"
        assert any(s.startswith(f"{DEMO}: loading") and "(while Binance USD-M connects)" in s
                   for s in seen.of("status"))
        # it keeps trying, and says the demo stands in
        await until(lambda: any("showing the demo market while it keeps trying" in p
                                for p in seen.of("problem")), 10)
        await until(lambda: any(s.startswith(f"{DEMO}: live (Binance USD-M not reachable")
                                for s in seen.of("status")), 10)
        # the venue starts answering on that port: its candles replace the demo's
        await fake.start(port)
        try:
            await until(lambda: "Binance USD-M: live" in seen.of("status"), 15)
            shown = seen.of("analysis")[-1]
            assert shown.assets[0].symbol == BTC
            assert list(shown.assets[0].candles.time) == [r[0] for r in rows["BTCUSDT"][:1000]]
            assert seen.of("source")[-1] == "Binance USD-M"
            assert any("answered" in i for i in seen.of("info"))
            await worker.stop()
        finally:
            await fake.stop()
            store.close()

    on_qt_loop(body())
