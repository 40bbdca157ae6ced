"""Fixtures for the data-layer tests: a fake Binance and a real ccxt client aimed at it."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from pathlib import Path

import ccxt.pro
import numpy as np
import pytest
import qasync

from smtdesk.data.exchange import ExchangeSource
from smtdesk.data.retry import RetryPolicy
from smtdesk.data.source import CandleUpdate
from smtdesk.data.status import Level, Phase
from smtdesk.data.store import CandleStore
from tests.data.fake_binance import HOUR_MS, FakeBinance, load_rows
from smtdesk.ui.status_text import describe

BTC = "BTC/USDT:USDT"
ETH = "ETH/USDT:USDT"
FAST = RetryPolicy(attempts=5, base_delay=0.001, max_delay=0.004, max_wait=5.0)


@dataclass
class Market:
    """One test's world: the fake exchange, a source on it, a store and what the user saw."""

    fake: FakeBinance
    source: ExchangeSource
    store: CandleStore
    statuses: list[str] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)

    def stored(self, symbol: str = BTC) -> np.ndarray:
        c = self.store.load_candles("binanceusdm", symbol, "1h")
        return np.column_stack([c.time, c.open, c.high, c.low, c.close, c.volume])

    def truth(self, exchange_id: str = "BTCUSDT") -> np.ndarray:
        return np.array(self.fake.truth(exchange_id), dtype=np.float64).reshape(-1, 6)

    def assert_stored_is_truth(self, *symbols: str) -> None:
        """The store holds exactly the fake exchange's candles of each of ``symbols``:
        none lost, none repeated, none invented."""
        for symbol in symbols:
            exchange_id = symbol.split(":")[0].replace("/", "")
            np.testing.assert_array_equal(self.stored(symbol), self.truth(exchange_id))


@contextlib.asynccontextmanager
async def market(tmp_path: Path, *, closed: int = 1000, page_limit: int = 200,
                 local_clock_ahead_ms: int = 0, **source_kw):
    rows = {"BTCUSDT": load_rows("BTCUSDT_1h.csv"), "ETHUSDT": load_rows("ETHUSDT_1h.csv")}
    # half an hour into candle ``closed``: that many candles are closed, the next is forming
    fake = FakeBinance(rows, now_ms=int(rows["BTCUSDT"][closed][0]) + HOUR_MS // 2, stall_s=1.0)
    await fake.start()
    # ccxt's limiter stays on (as in the app) but with a 1 ms budget per weight unit;
    # close() would otherwise linger 250 ms per test
    ex = ccxt.pro.binanceusdm({"enableRateLimit": True, "rateLimit": 1, "timeout": 300,
                               "timeout_on_exit": 0})
    fake.point(ex)
    world = Market(fake, None, CandleStore(tmp_path / "cache.sqlite"))

    async def sleep(seconds: float) -> None:
        world.sleeps.append(seconds)
        await asyncio.sleep(0)

    world.source = ExchangeSource(
        exchange=ex, policy=source_kw.pop("policy", FAST), sleep=sleep,
        clock_ms=lambda: fake.now_ms + local_clock_ahead_ms, page_limit=page_limit,
        on_status=world.statuses.append, **source_kw,
    )
    try:
        yield world
    finally:
        await world.source.close()
        await fake.stop()
        world.store.close()


def run(coro) -> None:
    """Run a test coroutine on a fresh event loop."""
    asyncio.run(coro)


@pytest.fixture
def shared_data() -> Path:
    root = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
    if not root.is_dir():
        pytest.skip(f"shared market data not found at {root}")
    return root


@pytest.fixture
def on_qt_loop(qapp):
    """Run a coroutine to completion on a qasync loop, as the app does."""
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)

    def run(coro):
        return loop.run_until_complete(asyncio.wait_for(coro, 20))

    yield run
    loop.close()
    asyncio.set_event_loop(None)


class Seen:
    """Everything a worker told, by kind; statuses in the words the window shows.

    Kinds: ``charts`` (a snapshot before its signals are found), ``analysis``, ``signals``
    (live events), ``forming`` (candles), ``derivatives`` (series), ``problem`` and ``info``
    (notices), ``status``, ``progress`` (percent), ``source`` (the label of the source
    served, each time it changes).
    """

    def __init__(self, worker) -> None:
        self.events: list[tuple[str, object]] = []
        self._venue = None
        worker.snapshot.connect(lambda a: self.events.append(("analysis" if a.detected else "charts", a)))
        worker.events.connect(lambda e: self.events.append(("signals", e.signals)))
        worker.market.connect(lambda m: self.events.append(
            ("forming" if isinstance(m, CandleUpdate) else "derivatives", m)))
        worker.notice.connect(lambda n: self.events.append(
            ("info" if n.level is Level.INFO else "problem", n.text)))
        worker.status.connect(self._status)

    def _status(self, s) -> None:
        if s.phase is Phase.FETCHING and s.percent is not None:
            self.events.append(("progress", s.percent))
        if s.serving is not None and s.serving.venue != self._venue:
            if self._venue is not None:
                self.events.append(("source", s.source))
            self._venue = s.serving.venue
        self.events.append(("status", describe(s)))

    def of(self, name: str) -> list:
        return [v for n, v in self.events if n == name]


async def until(condition, timeout: float = 8.0) -> None:
    async def poll():
        while not condition():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), timeout)


def recorded_liquidations(store, symbol: str) -> list[tuple]:
    """The liquidation rows the store recorded for ``symbol``, oldest first."""
    return store._conn.execute(
        "SELECT time, side, price, amount FROM liquidations WHERE symbol=? ORDER BY time",
        (symbol,)).fetchall()
