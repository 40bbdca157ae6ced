"""Hand-placed swings flow through the pair analysis into the engine (domain §8)."""

from __future__ import annotations

import numpy as np
import pytest

from smtdesk.core.analysis import CHART_KINDS, PairAnalyzer
from smtdesk.core.candles import align_pair
from smtdesk.core.engine import SignalEngine, SmtEngine
from smtdesk.core.indicator_signals import IndicatorSignalParams
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
    aligned, hand = align_pair(a, b), {BTC: (), ETH: manual}
    expected = SignalEngine(
        "1h", (BTC, ETH), indicator_params=IndicatorSignalParams(kinds=CHART_KINDS), major=5
    ).run(*aligned, manual=hand)
    assert list(with_manual) == expected
    smt = SmtEngine(timeframe="1h", assets=(BTC, ETH), major=5).run(*aligned, manual=hand)
    assert [e for e in with_manual if e.kind == "smt"] == smt
    assert {e.kind for e in with_manual} - {"smt"} <= CHART_KINDS
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
