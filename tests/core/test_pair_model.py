"""The pair model: commands in, snapshots and new events out (domain §2, §5–§8)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from smtdesk.core.analysis import analyze_asset
from smtdesk.core.candles import align_pair
from smtdesk.core.indicators import IndicatorConfig, rsi
from smtdesk.core.signals.derivatives import Derivatives, Series
from smtdesk.core.signals.engine import SignalEngine
from smtdesk.core.pair_model import FAMILIES, AlertPolicy, ModelConfig, PairModel
from smtdesk.core.signal import Direction, Signal, State
from smtdesk.core.smt.rules import SmtParams
from smtdesk.core.structure.swings import ManualSwing, find_swings
from smtdesk.data.demo import load_demo_series
from smtdesk.resources import resources_dir

BTC, ETH = "BTC/USDT:USDT", "ETH/USDT:USDT"


@pytest.fixture(scope="module")
def pair():
    demo = resources_dir() / "demo"
    a = load_demo_series(demo / "BTCUSDT_1h.csv.gz")[:1500]
    b = load_demo_series(demo / "ETHUSDT_1h.csv.gz")[:1500]
    return a, b


def loaded(a, b, **kw) -> PairModel:
    model = PairModel((BTC, ETH), "1h", **kw)
    model.load(a, b)
    model.detect()
    return model


def snapshot(model):
    return model.append(BTC, model._assets[0].buffer.view()[:0]).snapshot


def test_a_manual_swing_replaces_the_automatic_one_on_its_bar(pair):
    a, b = pair
    model = loaded(a, b)
    auto = snapshot(model).assets[0].swings
    i, j = int(auto.high_idx[3]), int(auto.low_idx[3])
    manual = [ManualSwing(int(a.time[i]), "high"), ManualSwing(int(a.time[j] + 3_600_000), "low")]
    btc = model.set_manual(BTC, manual).snapshot.assets[0]
    assert i not in btc.swings.high_idx
    assert j in btc.swings.low_idx, "a manual low on another bar leaves this automatic low alone"
    assert set(btc.manual) == set(manual)
    assert len(btc.swings.high_idx) == len(auto.high_idx) - 1


def test_manual_swings_feed_the_engine_and_clearing_them_restores_the_events(pair):
    a, b = pair
    model = loaded(a, b)
    before = list(snapshot(model).signals)
    # a low on every 40th bar: enough hand-placed levels that some sweep matches change
    manual = [ManualSwing(int(t), "low") for t in a.time[100::40]]
    revision = snapshot(model).revision
    result = model.set_manual(ETH, manual)
    assert result.snapshot.revision > revision, "found anew"
    expected = SignalEngine("1h", (BTC, ETH)).run(*align_pair(a, b), manual={BTC: (), ETH: manual})
    assert list(result.snapshot.signals) == list(expected)
    assert list(result.snapshot.signals) != before
    assert list(model.set_manual(ETH, []).snapshot.signals) == before


def test_a_manual_swing_off_the_candles_is_not_shown(pair):
    a, b = pair
    model = loaded(a, b)
    missing = ManualSwing(int(a.time[10]) + 1, "high")
    assert model.set_manual(BTC, [missing]).snapshot.assets[0].manual == ()


def assert_same_snapshot(live, full) -> None:
    assert list(live.signals) == list(full.signals)
    for x, y in zip(live.assets, full.assets):
        assert np.array_equal(x.candles.time, y.candles.time)
        assert np.array_equal(x.swings.high_idx, y.swings.high_idx)
        assert np.array_equal(x.swings.low_idx, y.swings.low_idx)
        for name, value in x.indicators.items():
            other = y.indicators[name]
            if isinstance(value, np.ndarray):
                assert np.array_equal(value, other, equal_nan=True), name
            else:
                for f in dataclasses.fields(value):
                    assert np.array_equal(getattr(value, f.name), getattr(other, f.name), equal_nan=True), (name, f.name)


def test_live_candles_one_asset_at_a_time_equal_a_full_run(pair):
    a, b = pair
    n = len(a) - 150
    model = loaded(a[:n], b[:n])
    revision = snapshot(model).revision
    events = []
    for k in range(n, len(a)):
        # the assets' candles arrive separately, sometimes ETH first
        order = ((ETH, b), (BTC, a)) if k % 3 == 0 else ((BTC, a), (ETH, b))
        for symbol, c in order:
            result = model.append(symbol, c[k : k + 1])
            assert result.snapshot.revision == revision, "live candles only add events"
            events.extend(result.events)
    full = loaded(a, b)
    assert_same_snapshot(snapshot(model), snapshot(full))
    tail = [s for s in snapshot(full).signals if s.known_time >= a.time[n]]
    assert events == tail and events, "exactly the new events, in order"


def test_a_candle_only_one_asset_has_is_charted_but_never_compared(pair):
    a, b = pair
    gap = len(a) - 20  # ETH misses this candle
    model = loaded(a[: gap - 50], b[: gap - 50])
    for k in range(gap - 50, len(a)):
        model.append(BTC, a[k : k + 1])
        if k != gap:
            model.append(ETH, b[k : k + 1])
    live = snapshot(model)
    assert len(live.assets[0].candles) == len(a) and len(live.assets[1].candles) == len(a) - 1
    b_gap = b.take(np.r_[0:gap, gap + 1 : len(b)])
    expected = SignalEngine("1h", (BTC, ETH)).run(a, b_gap, align=True)
    assert list(live.signals) == list(expected)


def test_a_revised_candle_reruns_everything(pair):
    a, b = pair
    model = loaded(a, b)
    revision = snapshot(model).revision
    result = model.append(BTC, a[len(a) - 1 :])
    assert result.snapshot.revision > revision and result.events == ()


def smt(state: State, *, tags=frozenset(), kind="smt", rr=3.0) -> Signal:
    from smtdesk.core.signal import TradePlan

    plan = TradePlan(Direction.BEARISH, 100.0, 101.0, 97.0, rr, 1.0, "mss retest") if state is State.CONFIRMED else None
    return Signal(id="x", kind=kind, direction=Direction.BEARISH, state=state, assets=(BTC, ETH),
                  timeframe="1h", ref_time=0, known_time=0, tags=frozenset(tags), plan=plan)


def test_the_default_alert_policy_follows_domain_section_5():
    policy = AlertPolicy()
    assert policy.alerts(smt(State.FORMING)) and policy.alerts(smt(State.DIVERGENCE))
    assert policy.alerts(smt(State.CONFIRMED))
    assert not policy.alerts(smt(State.CANCELLED)) and not policy.alerts(smt(State.INVALIDATED))
    assert not policy.alerts(smt(State.FORMING, tags={"counter-trend"}))
    assert not policy.alerts(smt(State.FORMING, tags={"weak pair"}))
    assert not AlertPolicy(min_reward_risk=4.0).alerts(smt(State.CONFIRMED, rr=3.0))
    assert not policy.alerts(smt(State.TRIGGERED, kind="rsi_divergence")), "divergences are listed, not raised"
    assert policy.alerts(smt(State.TRIGGERED, kind="rsi_failure_swing"))
    assert not policy.alerts(smt(State.TRIGGERED, kind="kdj_cross"))
    assert AlertPolicy(families=frozenset(FAMILIES)).alerts(smt(State.TRIGGERED, kind="kdj_cross"))


def test_live_alerts_are_raised_once_per_id_and_state_and_never_when_seen_before(pair):
    a, b = pair
    n = len(a) - 300
    everything = AlertPolicy(families=frozenset(FAMILIES), muting_tags=frozenset(),
                             states=frozenset(State))
    model = loaded(a[:n], b[:n], config=ModelConfig(alerts=everything))
    first_half = []
    for k in range(n, n + 150):
        for symbol, c in ((BTC, a), (ETH, b)):
            result = model.append(symbol, c[k : k + 1])
            assert all(s in result.events for s in result.alerts)
            first_half.extend(result.alerts)
    keys = [(s.id, s.state.value) for s in first_half]
    assert keys and len(keys) == len(set(keys))
    # a restart replays the same candles: what was raised is not raised again
    again = loaded(a[:n], b[:n], config=ModelConfig(alerts=everything))
    again.mark_seen(keys)
    replayed = []
    for k in range(n, n + 150):
        for symbol, c in ((BTC, a), (ETH, b)):
            replayed.extend(again.append(symbol, c[k : k + 1]).alerts)
    assert replayed == []


def test_applying_a_config_reruns_with_its_thresholds(pair):
    a, b = pair
    model = loaded(a, b)
    revision = snapshot(model).revision
    result = model.apply(ModelConfig(smt=SmtParams(major=8)))
    assert result.snapshot.revision > revision
    expected = find_swings(a.high, a.low, strength=8)
    assert np.array_equal(result.snapshot.assets[0].swings.high_idx, expected.high_idx)
    assert list(result.snapshot.signals) == list(SignalEngine("1h", (BTC, ETH), major=8).run(a, b, align=True))


def test_the_structure_is_computed_only_while_shown_and_equals_a_full_run(pair):
    a, b = pair
    n = len(a) - 20
    model = loaded(a[:n], b[:n])
    assert all(asset.structure is None for asset in snapshot(model).assets)
    model.show_structure(True)
    for k in range(n, len(a)):
        model.append(BTC, a[k : k + 1])
        result = model.append(ETH, b[k : k + 1])
    live = result.snapshot.assets[0].structure
    full = analyze_asset(BTC, a).structure
    for name in ("minor", "gaps", "pools", "shifts"):
        x, y = getattr(live, name), getattr(full, name)
        for f in dataclasses.fields(x):
            assert np.array_equal(getattr(x, f.name), getattr(y, f.name)), (name, f.name)
    assert model.show_structure(False).snapshot.assets[0].structure is None


def test_swings_given_with_the_history_are_in_its_first_snapshot(pair):
    a, b = pair
    mark = ManualSwing(int(a.time[700]), "high")
    model = PairModel((BTC, ETH), "1h")
    charts = model.load(a, b, manual={BTC: [mark]}).snapshot
    assert charts.assets[0].manual == (mark,) and 700 not in charts.assets[0].swings.high_idx
    found = model.detect().snapshot
    expected = SignalEngine("1h", (BTC, ETH)).run(*align_pair(a, b), manual={BTC: (mark,), ETH: ()})
    assert list(found.signals) == list(expected)
    assert found.latest == {sig.id: sig for sig in expected}


def test_another_alert_policy_alone_does_not_rerun(pair):
    a, b = pair
    model = loaded(a, b)
    revision = snapshot(model).revision
    quiet = ModelConfig(alerts=AlertPolicy(families=frozenset()))
    assert model.apply(quiet).snapshot.revision == revision
    assert model.config.alerts.families == frozenset()


def test_derivatives_given_with_the_history_are_the_same_as_set_after_it(pair):
    a, b = pair
    every_8h = a.time[::8]
    # funding and the account ratio both crowded long throughout: overheat wherever RSI > 70
    hot = Derivatives(funding=Series(every_8h, np.full(len(every_8h), 0.0005)),
                      account_ratio=Series(every_8h, np.full(len(every_8h), 3.0)))
    given = PairModel((BTC, ETH), "1h")
    given.load(a, b, derivatives={BTC: hot})
    with_history = given.detect().snapshot.signals
    later = loaded(a, b)
    after = later.set_derivatives(BTC, hot).snapshot.signals
    assert any(s.kind == "overheat_long" for s in with_history)
    assert [(s.id, s.state) for s in with_history] == [(s.id, s.state) for s in after]


@pytest.mark.parametrize("rsi_period", [14, 9], ids=["the engine's periods", "other chart periods"])
def test_live_signals_read_the_engine_periods_whatever_the_charts_show(pair, rsi_period):
    # With the engine's periods the model hands its live indicator values to the engine;
    # with others the engine computes its own. The events are a full run's either way.
    a, b = pair
    n = len(a) - 40
    model = PairModel((BTC, ETH), "1h", config=ModelConfig(indicators=IndicatorConfig(rsi_period=rsi_period)))
    model.load(a[:n], b[:n])
    model.detect()
    events = []
    for k in range(n, len(a)):
        for symbol, c in ((BTC, a), (ETH, b)):
            events.extend(model.append(symbol, c[k : k + 1]).events)
    expected = SignalEngine("1h", (BTC, ETH)).run(a, b, align=True)
    assert events and events == [s for s in expected if s.known_time >= a.time[n]]
    shown = snapshot(model).assets[0].indicators["rsi"]
    assert np.array_equal(shown, rsi(a.close, rsi_period), equal_nan=True)
    assert np.array_equal(shown, rsi(a.close, 14), equal_nan=True) == (rsi_period == 14)
