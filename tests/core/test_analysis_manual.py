"""Hand-placed swings flow through the pair analysis into the engine (domain §8)."""

from __future__ import annotations

import numpy as np
import pytest

from smtdesk.core.analysis import PairAnalyzer
from smtdesk.core.candles import align_pair
from smtdesk.core.engine import SmtEngine
from smtdesk.core.indicators import IndicatorConfig
from smtdesk.core.indicators.rsi import rsi
from smtdesk.core.smt import SmtParams
from smtdesk.core.swings import ManualSwing
from smtdesk.data.demo import load_demo_series, resources_dir

BTC, ETH = "BTC/USDT:USDT", "ETH/USDT:USDT"


@pytest.fixture(scope="module")
def pair():
    demo = resources_dir() / "demo"
    a = load_demo_series(demo / "BTCUSDT_1h.csv.gz")[:1500]
    b = load_demo_series(demo / "ETHUSDT_1h.csv.gz")[:1500]
    return a, b


def test_a_manual_swing_replaces_the_automatic_one_on_its_bar(pair):
    a, b = pair
    analyzer = PairAnalyzer((BTC, ETH), "1h")
    auto = analyzer.load(a, b).assets[0].swings
    i = int(auto.high_idx[3])
    j = int(auto.low_idx[3])
    manual = [ManualSwing(int(a.time[i]), "high"), ManualSwing(int(a.time[j] + 3_600_000), "low")]
    btc = analyzer.set_manual(BTC, manual).assets[0]
    assert i not in btc.swings.high_idx
    assert j in btc.swings.low_idx, "a manual low on another bar leaves this automatic low alone"
    assert set(btc.manual) == set(manual)
    assert len(btc.swings.high_idx) == len(auto.high_idx) - 1


def test_manual_swings_feed_the_engine_and_clearing_them_restores_the_events(pair):
    a, b = pair
    analyzer = PairAnalyzer((BTC, ETH), "1h")
    before = analyzer.load(a, b).signals
    # a low on every 40th bar: enough hand-placed levels that some sweep matches change
    manual = [ManualSwing(int(t), "low") for t in a.time[100::40]]
    with_manual = analyzer.set_manual(ETH, manual).signals
    expected = SmtEngine(timeframe="1h", assets=(BTC, ETH), major=5).run(*align_pair(a, b), manual={BTC: (), ETH: manual})
    assert list(with_manual) == expected
    assert list(with_manual) != list(before)
    assert analyzer.set_manual(ETH, []).signals == before


def test_a_manual_swing_off_the_candles_is_not_shown(pair):
    a, b = pair
    analyzer = PairAnalyzer((BTC, ETH), "1h")
    analyzer.load(a, b)
    missing = ManualSwing(int(a.time[10]) + 1, "high")
    assert analyzer.set_manual(BTC, [missing]).assets[0].manual == ()
    assert np.array_equal(analyzer.set_manual(BTC, []).assets[0].swings.high_idx,
                          analyzer.load(a, b).assets[0].swings.high_idx)


def _brute_swing_highs(high: np.ndarray, n: int) -> list[int]:
    """Domain §4 read literally: above each of the n highs before, not below any of the n after."""
    return [i for i in range(n, len(high) - n)
            if all(high[i] > high[i - k] for k in range(1, n + 1))
            and all(high[i] >= high[i + k] for k in range(1, n + 1))]


def test_configure_reruns_the_held_candles_with_the_new_strength_and_keeps_manual_swings(pair):
    a, b = pair
    analyzer = PairAnalyzer((BTC, ETH), "1h")
    assert analyzer.configure(indicators=IndicatorConfig(), smt=SmtParams(major=3)) is None, "no history yet"
    analyzer.load(a, b)
    manual = [ManualSwing(int(a.time[700]), "low")]
    analyzer.set_manual(BTC, manual)
    three = analyzer.configure(indicators=IndicatorConfig(rsi_period=7), smt=SmtParams(major=8))
    btc = three.assets[0]
    assert list(btc.swings.high_idx) == _brute_swing_highs(a.high, 8)
    assert btc.manual == tuple(manual)
    assert np.allclose(btc.indicators["rsi"][50:], rsi(a.close, 7)[50:])
    expected = SmtEngine(timeframe="1h", assets=(BTC, ETH), major=8).run(*align_pair(a, b), manual={BTC: manual, ETH: ()})
    assert list(three.signals) == expected
