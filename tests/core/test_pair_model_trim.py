"""The pair model's bounded history: the oldest bars are dropped at one bar boundary and
the kept bars analysed as a history loaded from there."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest

from smtdesk.core.analysis import analyze_asset
from smtdesk.core.pair_model import ModelConfig, PairModel
from smtdesk.data.demo import load_demo_series, resources_dir
from tests.core.test_pair_model import BTC, ETH, assert_same_snapshot, snapshot

BOUND = 600
KEPT_AFTER_TRIM = BOUND - BOUND // 10


@pytest.fixture(scope="module")
def pair():
    demo = resources_dir() / "demo"
    return (load_demo_series(demo / "BTCUSDT_1h.csv.gz")[:1100],
            load_demo_series(demo / "ETHUSDT_1h.csv.gz")[:1100])


def model_with(bound: int) -> PairModel:
    return PairModel((BTC, ETH), "1h", config=ModelConfig(max_bars=bound))


def stream(model: PairModel, a, b, start: int):
    """Every bar from ``start`` on, both assets; the kept lengths and the events."""
    lengths, events = [], []
    for k in range(start, len(a)):
        for symbol, c in ((BTC, a), (ETH, b)):
            result = model.append(symbol, c[k : k + 1])
            events.extend(result.events)
            lengths.append(tuple(len(x.candles) for x in result.snapshot.assets))
    return lengths, events


@pytest.fixture(scope="module")
def streamed(pair):
    a, b = pair
    model = model_with(BOUND)
    model.load(a[:500], b[:500])
    model.detect()
    lengths, events = stream(model, a, b, 500)
    return model, lengths, events


def test_loading_a_longer_history_keeps_the_newest_bars(pair):
    a, b = pair
    kept = model_with(BOUND).load(a, b).snapshot.assets
    for asset, c in zip(kept, (a, b)):
        assert np.array_equal(asset.candles.time, c.time[-BOUND:])


def test_streaming_never_holds_more_than_the_bound_and_keeps_the_newest_bar(pair, streamed):
    a, _ = pair
    model, lengths, _ = streamed
    assert max(max(n) for n in lengths) == BOUND
    # BTC's 601st bar trims both to BTC's newest 540; ETH's newest bar is still to come
    trims = [n for before, n in itertools.pairwise(lengths) if n[0] < before[0]]
    assert trims == [(KEPT_AFTER_TRIM, KEPT_AFTER_TRIM - 1)] * 9, \
        "the first after 101 bars, then one each 61 bars of the 600 streamed"
    assert min(n for pair_n in lengths[200:] for n in pair_n) == KEPT_AFTER_TRIM - 1
    kept = snapshot(model).assets[0].candles.time
    assert kept[-1] == a.time[-1]
    assert np.array_equal(kept, a.time[len(a) - len(kept):]), "no bar lost inside the window"


def test_after_trimming_everything_equals_a_batch_run_on_the_kept_bars(pair, streamed):
    a, b = pair
    model, _, _ = streamed
    kept = snapshot(model).assets[0].candles.time
    start = len(a) - len(kept)
    batch = model_with(BOUND)
    batch.load(a[start:], b[start:])
    batch.detect()
    assert_same_snapshot(snapshot(model), snapshot(batch))


def test_live_events_across_trims_are_those_of_the_untrimmed_history(pair, streamed):
    """The same events in the same states at the same bars, so the same alerts; what
    they quote of a long-memory series (OBV's running sum, the daily trend read from 22
    kept days) comes from the kept bars."""
    a, b = pair
    _, _, trimmed_events = streamed
    full = model_with(10_000)
    full.load(a[:500], b[:500])
    full.detect()
    _, full_events = stream(full, a, b, 500)

    def key(s):
        return s.id, s.state, s.known_time, s.ref_time

    assert trimmed_events and list(map(key, trimmed_events)) == list(map(key, full_events))


def test_long_memory_indicators_differ_only_in_the_warm_up_at_the_oldest_kept_bar(pair, streamed):
    a, b = pair
    model, _, _ = streamed
    kept = snapshot(model).assets[0]
    full = model_with(10_000).load(a, b).snapshot.assets[0]
    offset = len(a) - len(kept.candles)
    warm_up = 300  # over ten times MACD's slow EMA and signal (26 + 9), twenty times the 14 of RSI, ATR, ADX
    for name, field in (("ema20", None), ("rsi", None), ("atr", None), ("macd", "dea"), ("adx", "adx")):
        ours, theirs = kept.indicators[name], full.indicators[name]
        if field is not None:
            ours, theirs = getattr(ours, field), getattr(theirs, field)
        # relative to the series' scale: MACD crosses zero
        scale = np.nanmax(np.abs(theirs))
        np.testing.assert_allclose(ours[warm_up:], theirs[offset + warm_up:], rtol=0, atol=1e-9 * scale,
                                   err_msg=name)
        assert not np.allclose(ours[:5], theirs[offset:offset + 5], equal_nan=True), \
            f"{name}: the first kept bars start a warm-up of their own"


def test_a_smaller_bound_applied_trims_at_once(pair):
    a, b = pair
    model = model_with(BOUND)
    model.load(a[:500], b[:500])
    model.detect()
    result = model.apply(dataclasses.replace(model.config, max_bars=300))
    assert [len(x.candles) for x in result.snapshot.assets] == [300, 300]
    assert result.snapshot.detected


def _same_arrays(x, y, where) -> None:
    for f in dataclasses.fields(x):
        assert np.array_equal(getattr(x, f.name), getattr(y, f.name), equal_nan=True), (where, f.name)


def test_with_the_structure_shown_each_snapshot_across_trims_is_that_of_its_bars(pair):
    a, b = pair
    model = model_with(300)
    model.show_structure(True)
    model.load(a[:250], b[:250])
    model.detect()
    handed = []
    for k in range(250, 480):
        model.append(BTC, a[k : k + 1])
        snap = model.append(ETH, b[k : k + 1]).snapshot
        if k % 17 == 0 or k == 479:
            handed.append(snap)
    starts = [int(np.searchsorted(a.time, s.assets[0].candles.time[0])) for s in handed]
    assert starts[0] == 0 and len(set(starts)) >= 3, "several trims happened on the way"
    # read after all of them were handed out: none changed with the candles that followed
    for snap in handed:
        for asset, c in zip(snap.assets, (a, b)):
            start = int(np.searchsorted(c.time, asset.candles.time[0]))
            bars = c[start : start + len(asset.candles)]
            assert np.array_equal(asset.candles.time, bars.time)
            want = analyze_asset(asset.symbol, bars, with_structure=True)
            for name in ("minor", "gaps", "pools", "shifts"):
                _same_arrays(getattr(asset.structure, name), getattr(want.structure, name), name)
            _same_arrays(asset.levels, want.levels, "levels")
            _same_arrays(asset.swings, want.swings, "swings")
            assert set(asset.indicators) == set(want.indicators)
            for name, value in want.indicators.items():
                if isinstance(value, np.ndarray):
                    assert np.array_equal(asset.indicators[name], value, equal_nan=True), name
                else:
                    _same_arrays(asset.indicators[name], value, name)


def test_below_the_bound_live_events_are_kept_as_a_table_every_tenth_of_it(pair):
    a, b = pair
    folding, plain = model_with(3000), model_with(100_000)  # a tenth: 300 bars, 10,000
    for model in (folding, plain):
        model.load(a[:500], b[:500])
        model.detect()
    revisions, lives = [], []
    events = {id(folding): [], id(plain): []}
    for k in range(500, len(a)):
        for symbol, c in ((BTC, a), (ETH, b)):
            for model in (folding, plain):
                result = model.append(symbol, c[k : k + 1])
                events[id(model)].extend(result.events)
        revisions.append(result.snapshot.revision)
        lives.append(len(snapshot(folding).signals.live))
    assert len(set(revisions)) == 1  # the plain model never ran again
    folded = snapshot(folding)
    assert folded.revision > snapshot(plain).revision
    assert lives[299] == lives[-1] == 0 < max(lives) < len(events[id(plain)]) * 0.6  # folded at 300, 600
    assert events[id(folding)] == events[id(plain)]
    assert list(folded.signals) == list(snapshot(plain).signals)
    assert dict(folded.latest) | {s.id: s for s in folded.signals.live} == {
        s.id: s for s in snapshot(plain).signals}
