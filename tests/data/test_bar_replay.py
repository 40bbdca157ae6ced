"""Bar replay through the real worker and pair model: from bar k it raises exactly the
engine's events after bar k, in order and at the same bars; it waits while paused and a
step is one bar."""

from __future__ import annotations

import asyncio
import time

import pandas as pd
import pytest

from smtdesk.core.candles import Candles
from smtdesk.core.signals.engine import SignalEngine
from smtdesk.data.bar_replay import BarReplay
from smtdesk.data.demo import DEMO_SYMBOLS, load_demo_series
from smtdesk.resources import resources_dir
from smtdesk.data.worker import MarketWorker
from tests.data.conftest import Seen, until

BTC, ETH = DEMO_SYMBOLS


def demo_series() -> dict[str, Candles]:
    return {s: load_demo_series(resources_dir() / "demo" / f"{name}_1h.csv.gz")
            for s, name in DEMO_SYMBOLS.items()}


def engine_events_after(series: dict[str, Candles], cursor: int) -> list[tuple]:
    """What a batch run over the whole series found after the bar at ``cursor``."""
    events = SignalEngine("1h", (BTC, ETH)).run(series[BTC], series[ETH])
    return [(e.id, e.state.value, e.known_time) for e in events if e.known_time > cursor]


async def replayed(series: dict[str, Candles], cursor: int) -> list[tuple]:
    worker = MarketWorker(BarReplay(series, "1h", cursor, origin="demo", speed=100),
                          symbols=(BTC, ETH))
    seen = Seen(worker)
    worker.start()
    await until(lambda: seen.of("analysis"), 30)
    worker.replay.play()
    await until(lambda: "Bar replay: replay finished" in seen.of("status"), 60)
    await worker.stop()
    assert not seen.of("problem")
    return [(e.id, e.state.value, e.known_time) for batch in seen.of("signals") for e in batch]


def test_a_replay_from_bar_k_raises_the_engines_events_after_k(on_qt_loop):
    series = demo_series()
    cursor = int(series[BTC].time[-300])
    got = on_qt_loop(replayed(series, cursor))
    want = engine_events_after(series, cursor)
    assert len(want) > 5, "the last 300 demo bars hold signals"
    assert got == want


def test_the_same_on_the_real_perpetual_candles(on_qt_loop, shared_data):
    folder = shared_data / "candles" / "binance_usdm_perp"
    series = {}
    for symbol, name in DEMO_SYMBOLS.items():
        rows = pd.read_csv(folder / f"{name}_1h.csv").to_numpy()[-3000:]
        series[symbol] = Candles.from_rows(rows)
    cursor = int(series[BTC].time[-250])
    got = on_qt_loop(replayed(series, cursor))
    want = engine_events_after(series, cursor)
    assert len(want) > 5
    assert got == want


def test_paused_it_sends_nothing_and_a_step_is_one_bar(on_qt_loop):
    async def body():
        series = demo_series()
        cursor = int(series[BTC].time[-50])
        worker = MarketWorker(BarReplay(series, "1h", cursor, origin="demo"), symbols=(BTC, ETH))
        seen = Seen(worker)
        worker.start()
        await until(lambda: seen.of("analysis"), 30)
        shown = len(seen.of("analysis")[-1].assets[0].candles)
        assert int(seen.of("analysis")[-1].assets[0].candles.time[-1]) == cursor
        await asyncio.sleep(0.3)
        assert len(seen.of("analysis")[-1].assets[0].candles) == shown, "paused: nothing comes"
        worker.replay.step()
        await until(lambda: len(seen.of("analysis")[-1].assets[0].candles) == shown + 1)
        await until(lambda: len(seen.of("analysis")[-1].assets[1].candles) == shown + 1)
        await asyncio.sleep(0.3)
        assert len(seen.of("analysis")[-1].assets[0].candles) == shown + 1, "one bar per step"
        assert worker.replay.remaining == 48  # 49 bars came after the cursor
        await worker.stop()

    on_qt_loop(body())


def test_a_cursor_before_the_first_bar_is_refused():
    with pytest.raises(Exception, match="Pick a bar"):
        BarReplay(demo_series(), "1h", 0, origin="demo")


def test_bars_due_while_the_window_was_busy_come_together_in_order(on_qt_loop):
    async def body():
        series = demo_series()
        cursor = int(series[BTC].time[-120])
        replay = BarReplay(series, "1h", cursor, origin="demo", speed=100)
        replay.play()
        got = {BTC: [], ETH: []}
        sizes = []
        async for update in replay.stream((BTC, ETH), "1h"):
            got[update.symbol].extend(update.candles.time.tolist())
            sizes.append(len(update.candles))
            await asyncio.sleep(0.05)  # a busy window: five bars fall due meanwhile
        return got, sizes

    got, sizes = on_qt_loop(body())
    for symbol in (BTC, ETH):
        c = demo_series()[symbol]
        assert got[symbol] == c.time[c.time > int(c.time[-120])].tolist()
    assert max(sizes) > 1, "the bars due meanwhile came as one update"


def test_a_slow_analysis_gets_bars_in_batches_and_raises_the_same_events(on_qt_loop, monkeypatch):
    from smtdesk.core.pair_model import PairModel
    append = PairModel.append
    sizes = []

    def slow_append(self, symbol, candles):
        sizes.append(len(candles))
        time.sleep(0.02)
        return append(self, symbol, candles)

    monkeypatch.setattr(PairModel, "append", slow_append)
    series = demo_series()
    cursor = int(series[BTC].time[-150])
    got = on_qt_loop(replayed(series, cursor))
    assert max(sizes) > 1
    assert got == engine_events_after(series, cursor)
