"""Left running, the worker's charts keep a bounded history while the store keeps every candle."""

from __future__ import annotations

import asyncio

import numpy as np
import qasync

from smtdesk.data.worker import MarketWorker
from smtdesk.settings import Settings, replace_section
from tests.data.conftest import BTC, ETH, Seen, market, until
from tests.data.fake_binance import HOUR_MS

BOUND = 1000
LIVE = 105


def test_streamed_candles_stay_within_the_bound_and_the_store_keeps_them_all(tmp_path, qapp):
    async def body():
        async with market(tmp_path, closed=1000) as m:
            settings = replace_section(Settings(), "history", bars_kept=BOUND)
            worker = MarketWorker(m.source, store=m.store, settings=settings)
            seen = Seen(worker)
            worker.start()
            await until(lambda: any(s == "Binance USD-M: live" for s in seen.of("status")))
            await m.fake.wait_subscribed()
            for _ in range(LIVE):
                shown = len(seen.of("analysis"))
                m.fake.now_ms += HOUR_MS
                while len(seen.of("analysis")) < shown + 2:  # a snapshot per symbol
                    for ex_id in ("BTCUSDT", "ETHUSDT"):
                        await m.fake.push_kline(ex_id, m.fake.forming(ex_id), closed=False)
                    await asyncio.sleep(0.02)
            await worker.stop()

            lengths = [len(a.assets[0].candles) for a in seen.of("analysis")]
            assert max(lengths) == BOUND
            last = seen.of("analysis")[-1]
            # the 1st live bar trims 1001 bars to 900, the 102nd again; 3 bars came since
            assert [len(a.candles) for a in last.assets] == [903, 903]
            for asset, ex_id in zip(last.assets, ("BTCUSDT", "ETHUSDT")):
                truth = m.truth(ex_id)
                assert len(truth) == 1000 + LIVE
                np.testing.assert_array_equal(asset.candles.time, truth[-len(asset.candles):, 0])
            m.assert_stored_is_truth(BTC, ETH)

    # over a hundred candles, each fetched and analysed: longer than ``on_qt_loop`` waits
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(asyncio.wait_for(body(), 120))
    finally:
        loop.close()
        asyncio.set_event_loop(None)
