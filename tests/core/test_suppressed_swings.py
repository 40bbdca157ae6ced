"""Automatic swings the user deleted (suppressed): gone from SMT matching, MSS and the charts."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smtdesk.core.analysis import analyze_asset
from smtdesk.core.candles import align_pair
from smtdesk.core.pair_model import PairModel
from smtdesk.core.signal import State
from smtdesk.core.signals.engine import SignalEngine, SmtEngine
from smtdesk.core.structure.swing_levels import MANUAL, MINOR
from smtdesk.core.structure.swings import ManualSwing, SuppressedSwing, find_swings
from tests.core.scenarios import bar_time, base_pair
from tests.core.test_pair_model import BTC, ETH, pair  # noqa: F401  (the demo pair fixture)
from tests.core.test_smt_causal import HOUR, grow, walk_pair

BEAR_A = f"smt:bearish:A:{bar_time(7)}"


def run(a, b, **kw):
    return SmtEngine("1h", ("A", "B"), major=2, minor=1).run(a, b, **kw)


def test_suppressing_the_swept_swing_removes_the_smt_it_formed():
    # A's only swing high before its sweep at bar 7 is the 10 at bar 3 (bar 6's 8 ties
    # bar 4's 8, so it is none): deleted, bar 7's 11 sweeps nothing, and the 12 at bar 8
    # is never traded above. B never trades above its 20, so no other bearish SMT forms.
    a, b = base_pair()
    before = {e.id for e in run(a, b)}
    assert BEAR_A in before
    after = run(a, b, suppressed={"A": [SuppressedSwing(bar_time(3), "high")]})
    assert not [e for e in after if e.id.startswith("smt:bearish:")]
    # the lows were never touched: the bullish side is as it was
    assert {e.id for e in after} == {i for i in before if not i.startswith("smt:bearish:")}


def test_suppressing_the_mss_swing_leaves_the_signal_unable_to_confirm():
    # B's MSS level is its minor swing low 15 at bar 5, the only minor low before its new
    # high at bar 8 (bar 1's 15 is above bar 0's 14). Deleted, rule 5 leaves no level: the
    # signal forms and diverges but never confirms.
    a, b = base_pair()
    states = [e.state for e in run(a, b) if e.id == BEAR_A]
    assert states == [State.FORMING, State.DIVERGENCE, State.CONFIRMED]
    after = [e for e in run(a, b, suppressed={"B": [SuppressedSwing(bar_time(5), "low")]})
             if e.id == BEAR_A]
    assert [e.state for e in after] == [State.FORMING, State.DIVERGENCE]
    assert "mss" not in after[1].levels


def test_suppressing_the_matched_swing_of_the_other_asset_changes_nothing():
    # Rule 2: Y's level is its extreme around X's swing, a swing of Y or not.
    a, b = base_pair()
    assert run(a, b, suppressed={"B": [SuppressedSwing(bar_time(3), "high")]}) == run(a, b)


suppressed_marks = st.lists(
    st.tuples(st.sampled_from(["A", "B"]), st.integers(0, 300), st.sampled_from(["high", "low"])),
    max_size=12,
).map(
    lambda marks: {
        name: [SuppressedSwing(HOUR * bar, kind) for n, bar, kind in marks if n == name]
        for name in ("A", "B")
    }
)


def engine() -> SmtEngine:
    return SmtEngine("1h", ("A", "B"), major=3, minor=2, mss_timeout=8)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(30, 260),
    start=st.integers(0, 40),
    chunks=st.lists(st.integers(1, 7), min_size=1, max_size=60),
    suppressed=suppressed_marks,
)
def test_live_updates_equal_the_full_run_with_suppressed_swings(seed, n, start, chunks, suppressed):
    a, b = walk_pair(seed, n)
    eng = engine()
    live = eng.run(a[:start], b[:start], suppressed=suppressed)
    grown, k = grow(lambda k: eng.update(a[:k], b[:k]), start, chunks, n)
    assert live + grown == engine().run(a[:k], b[:k], suppressed=suppressed)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(30, 260), suppressed=suppressed_marks,
       data=st.data())
def test_prefix_runs_with_suppressed_swings_equal_events_known_by_then(seed, n, suppressed, data):
    a, b = walk_pair(seed, n)
    full = engine().run(a, b, suppressed=suppressed)
    for k in data.draw(st.lists(st.integers(1, n), min_size=1, max_size=6)):
        assert engine().run(a[:k], b[:k], suppressed=suppressed) == [
            e for e in full if e.known_time < k * HOUR]


def test_the_pair_model_drops_a_suppressed_swing_everywhere_and_restores_it(pair):  # noqa: F811
    a, b = pair
    model = PairModel((BTC, ETH), "1h")
    model.load(a, b)
    model.show_structure(True)
    before = model.detect().snapshot
    i = int(before.assets[0].swings.high_idx[10])
    gone = SuppressedSwing(int(a.time[i]), "high")
    after = model.set_manual(BTC, [], [gone]).snapshot
    btc = after.assets[0]
    assert btc.suppressed == (gone,)
    assert i not in btc.swings.high_idx and i not in btc.structure.minor.high_idx
    assert not (btc.levels.is_high & (btc.levels.bar == i)).any()
    expected = SignalEngine("1h", (BTC, ETH)).run(*align_pair(a, b), suppressed={BTC: [gone]})
    assert list(after.signals) == list(expected)
    assert list(after.signals) != list(before.signals), "the 11th swing high mattered"
    restored = model.set_manual(BTC, [], []).snapshot
    assert list(restored.signals) == list(before.signals)
    assert i in restored.assets[0].swings.high_idx


def test_each_level_ends_at_the_first_later_bar_trading_through_it(pair):  # noqa: F811
    a, _ = pair
    lv = analyze_asset(BTC, a, with_structure=True).levels
    assert len(lv.bar) > 100 and set(lv.rank.tolist()) == {0, 1}
    for bar, is_high, level, taken in zip(lv.bar, lv.is_high, lv.level, lv.taken):
        beyond = a.high > level if is_high else a.low < level
        later = [j for j in range(bar + 1, len(a)) if beyond[j]]
        assert taken == (later[0] if later else -1)
        assert level == (a.high[bar] if is_high else a.low[bar])


def test_levels_are_causal():
    a, _ = walk_pair(7, 300)
    full = analyze_asset("A", a, with_structure=True).levels
    for k in (60, 150, 299):
        part = analyze_asset("A", a[:k], with_structure=True).levels
        known = full.bar < k
        # swings near the end of the prefix are not yet known there
        keep = np.isin(full.bar, part.bar)
        sel = known & keep
        assert np.array_equal(part.taken, np.where(full.taken[sel] < k, full.taken[sel], -1))


@pytest.mark.parametrize("structure", [False, True], ids=["major and manual", "with minor levels"])
def test_live_levels_equal_the_levels_of_the_whole_history(pair, structure):  # noqa: F811
    a, b = pair
    n = len(a) - 60
    model = PairModel((BTC, ETH), "1h", structure_shown=structure)
    model.load(a[:n], b[:n])
    i = int(find_swings(a.high[:n], a.low[:n], strength=5).high_idx[-3])
    manual = [ManualSwing(int(a.time[n - 30]), "low"),
              ManualSwing(int(a.time[n + 20]), "high")]  # on a bar still to come
    gone = [SuppressedSwing(int(a.time[i]), "high")]
    model.set_manual(BTC, manual, gone)
    for k in range(n, len(a)):
        model.append(BTC, a[k : k + 1])
        live = model.append(ETH, b[k : k + 1]).snapshot.assets[0].levels
        if k in (n, n + 20, len(a) - 1):
            full = analyze_asset(BTC, a[: k + 1], manual=manual, suppressed=gone,
                                 with_structure=structure).levels
            for name in ("bar", "is_high", "level", "rank", "taken"):
                assert np.array_equal(getattr(live, name), getattr(full, name)), (k, name)
    assert (live.rank == MANUAL).sum() == 2 and i not in live.bar[live.is_high]
    assert ((live.rank == MINOR).sum() > 0) == structure
