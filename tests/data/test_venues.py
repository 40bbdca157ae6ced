"""The app's exchange sources: made without ccxt, their client made when first asked."""

from __future__ import annotations

import subprocess
import sys
import time

import ccxt.pro

from smtdesk.core.candles import TIMEFRAMES
from smtdesk.data.exchange import URL_VARIABLE
from smtdesk.data.venues import VENUES, DeferredExchange
from tests.data.fake_binance import FakeBinance, load_rows


def test_every_venue_serves_every_timeframe_the_charts_offer():
    # what a deferred source answers before its client exists must be what ccxt says after
    for venue in VENUES:
        served = set(getattr(ccxt.pro, venue)().timeframes)
        assert set(TIMEFRAMES) <= served, venue


def test_the_app_starts_without_importing_ccxt():
    code = "import sys, smtdesk.app; assert 'ccxt' not in sys.modules and 'aiohttp' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_client_is_made_when_the_venue_is_first_asked(on_qt_loop, monkeypatch):
    async def body():
        rows = {"BTCUSDT": load_rows("BTCUSDT_1h.csv"), "ETHUSDT": load_rows("ETHUSDT_1h.csv")}
        # the source checks the venue's clock against this computer's
        fake = FakeBinance(rows, now_ms=int(time.time() * 1000))
        monkeypatch.setenv(URL_VARIABLE, await fake.start())
        try:
            source = DeferredExchange("binanceusdm")
            statuses = []
            source.on_status = statuses.append
            assert source.timeframes == TIMEFRAMES and source.seconds_blocked() == 0.0
            assert source._source is None, "no client before the venue is asked"
            await source.prepare()  # the worker's connect makes it before its timeout starts
            assert source.on_status is source._source.on_status  # handed on to the client's source
            assert not fake.requests, "made, not yet asked"
            markets = await source.markets()
            assert {m.symbol for m in markets} >= {"BTC/USDT:USDT", "ETH/USDT:USDT"}
            assert [q for e, q in fake.requests if e == "exchangeInfo"]
            await source.close()
        finally:
            await fake.stop()

    on_qt_loop(body())
