"""``MarketWorker.apply_settings``: the pair shown is analysed again with the new settings."""

from __future__ import annotations

import numpy as np

from smtdesk.data.demo import DemoSource
from smtdesk.data.worker import MarketWorker
from smtdesk.settings import Settings, replace_section
from tests.data.conftest import Seen, until


def _brute_swing_highs(high, n: int) -> list[int]:
    """Domain §4 read literally: above each of the n highs before, not below any of the n after."""
    return [i for i in range(n, len(high) - n)
            if all(high[i] > high[i - k] for k in range(1, n + 1))
            and all(high[i] >= high[i + k] for k in range(1, n + 1))]


def _strong(strength: int) -> Settings:
    s = replace_section(Settings(), "swings", major_strength=strength, minor_strength=2)
    return replace_section(s, "indicators", rsi_period=7)


def test_applied_settings_rerun_the_history_shown(on_qt_loop):
    async def body():
        worker = MarketWorker(DemoSource(live_bars=3, seconds_per_bar=3600))
        seen = Seen(worker)
        worker.start()
        await until(lambda: seen.of("analysis"), timeout=15)
        before = seen.of("analysis")[-1]
        assert before.assets[0].swings.strength == 5

        worker.apply_settings(_strong(9))
        assert worker.settings_pending
        await until(lambda: len(seen.of("analysis")) == 2, timeout=15)
        after = seen.of("analysis")[-1]
        assert not worker.settings_pending
        btc = after.assets[0]
        assert np.array_equal(btc.candles.time, before.assets[0].candles.time), \
            "the candles held, analysed again"
        assert list(btc.swings.high_idx) == _brute_swing_highs(btc.candles.high, 9)
        assert len(btc.swings.high_idx) < len(before.assets[0].swings.high_idx)
        assert btc.indicators["rsi"] is not before.assets[0].indicators["rsi"]
        assert after.signals != before.signals
        await worker.stop()
        assert not seen.of("problem")

    on_qt_loop(body())


def test_settings_applied_before_the_history_arrives_are_used_for_it(on_qt_loop):
    async def body():
        worker = MarketWorker(DemoSource(live_bars=3, seconds_per_bar=3600))
        seen = Seen(worker)
        worker.apply_settings(_strong(3))
        worker.start()
        await until(lambda: seen.of("analysis"), timeout=15)
        assert {a.swings.strength for a in seen.of("analysis")[-1].assets} == {3}
        await worker.stop()

    on_qt_loop(body())


def test_the_settings_given_at_start_are_used(on_qt_loop):
    async def body():
        worker = MarketWorker(DemoSource(live_bars=3, seconds_per_bar=3600), settings=_strong(4))
        seen = Seen(worker)
        worker.start()
        await until(lambda: seen.of("analysis"), timeout=15)
        assert {a.swings.strength for a in seen.of("analysis")[-1].assets} == {4}
        await worker.stop()

    on_qt_loop(body())
