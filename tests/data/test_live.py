"""Live candles: the forming candle is never stored, and a dropped stream is repaired
from the exchange's record before anything live is passed on."""

from __future__ import annotations

import asyncio
import contextlib

import numpy as np
import pytest

from smtdesk.data.sync import record, sync_candles
from tests.data.conftest import BTC, market, run
from tests.data.fake_binance import HOUR_MS


async def until(condition, timeout: float = 5.0) -> None:
    async def poll():
        while not condition():
            await asyncio.sleep(0.005)

    await asyncio.wait_for(poll(), timeout)


@contextlib.asynccontextmanager
async def consuming(m, updates: list):
    since = {BTC: m.store.last_time("binanceusdm", BTC, "1h")}

    async def consume():
        async for u in record(m.source.stream((BTC,), "1h", since=since), m.store, "binanceusdm"):
            updates.append(u)

    task = asyncio.create_task(consume())
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def test_websocket_drop_is_backfilled_before_live_candles(tmp_path):
    async def body():
        async with market(tmp_path) as m:
            await sync_candles(m.source, m.store, BTC, "1h", bars=1000)
            updates = []
            async with consuming(m, updates) as task:
                await m.fake.wait_subscribed()
                forming = m.fake.forming("BTCUSDT")
                await m.fake.push_kline("BTCUSDT", forming, closed=False)
                await until(lambda: updates)
                assert updates[-1].closed is False
                assert updates[-1].candles.row(0) == tuple(forming)
                assert len(m.stored()) == 1000  # forming: not stored

                m.fake.now_ms += HOUR_MS  # candle 1000 closes, 1001 forms
                await m.fake.push_kline("BTCUSDT", m.fake.forming("BTCUSDT"), closed=False)
                await until(lambda: len(m.stored()) == 1001)

                await m.fake.drop_websockets()
                m.fake.now_ms += 3 * HOUR_MS  # three candles close while we are away
                await m.fake.wait_subscribed()
                seen = len(updates)
                live = m.fake.forming("BTCUSDT")
                await m.fake.push_kline("BTCUSDT", live, closed=False)
                await until(lambda: any(not u.closed and u.candles.time[0] == live[0]
                                        for u in updates[seen:]))
                assert not task.done()

            after = updates[seen:]
            first_live = next(i for i, u in enumerate(after) if not u.closed)
            backfilled = np.concatenate([u.candles.time for u in after[:first_live]])
            np.testing.assert_array_equal(backfilled, m.truth()[-3:, 0])
            np.testing.assert_array_equal(m.stored(), m.truth())
            assert len(m.stored()) == 1004
            assert any("connection lost; reconnecting" in s for s in m.statuses), m.statuses
            assert any("candles back" in s for s in m.statuses), m.statuses

    run(body())


def test_polling_takes_over_when_the_websocket_is_refused(tmp_path):
    async def body():
        async with market(tmp_path, ws_attempts=3) as m:
            m.fake.refuse_websockets = True
            await sync_candles(m.source, m.store, BTC, "1h", bars=1000)
            updates = []
            async with consuming(m, updates):
                await until(lambda: any("polling every" in s for s in m.statuses))
                await until(lambda: any(not u.closed for u in updates))
                m.fake.now_ms += 2 * HOUR_MS
                await until(lambda: len(m.stored()) == 1002)
            np.testing.assert_array_equal(m.stored(), m.truth())
            forming_times = {int(u.candles.time[0]) for u in updates if not u.closed}
            stored_times = set(m.stored()[:, 0].astype(np.int64).tolist())
            # every forming candle seen was stored only after it closed, with final values
            last = m.fake.forming("BTCUSDT")[0]
            assert last in forming_times and last not in stored_times

    run(body())


def test_history_is_closed_candles_only_and_a_fresh_close_waits_to_settle(tmp_path):
    async def body():
        async with market(tmp_path) as m:
            h = await m.source.history(BTC, "1h")
            assert len(h) == 1000
            np.testing.assert_array_equal(h.time, m.truth()[:, 0])
            # two seconds after candle 1000 closes: the exchange may still be finishing it
            m.fake.now_ms += HOUR_MS // 2 + 2_000
            h = await m.source.history(BTC, "1h")
            assert int(h.time[-1]) == int(m.truth()[-2, 0])
            m.fake.now_ms += 5_000
            h = await m.source.history(BTC, "1h")
            assert int(h.time[-1]) == int(m.truth()[-1, 0])

    run(body())


@pytest.mark.parametrize("ahead_ms", [45 * 60_000, -2 * HOUR_MS], ids=["ahead 45 min", "behind 2 h"])
def test_the_exchange_clock_decides_what_has_closed(tmp_path, ahead_ms):
    async def body():
        async with market(tmp_path, local_clock_ahead_ms=ahead_ms) as m:
            await sync_candles(m.source, m.store, BTC, "1h", bars=1000)
            # ahead: the forming candle is not stored; behind: the newest closed ones are
            np.testing.assert_array_equal(m.stored(), m.truth())
            assert m.fake.count("time") == 1

    run(body())


def test_an_unexpected_failure_ends_the_stream_instead_of_stalling_it(tmp_path):
    async def body():
        async with market(tmp_path) as m:
            async def broken(symbol, timeframe):
                raise TypeError("unparseable kline")

            m.source._ex.watch_ohlcv = broken
            with pytest.raises(TypeError, match="unparseable kline"):
                async for _ in m.source.stream((BTC,), "1h"):
                    pass

    run(asyncio.wait_for(body(), 5))
