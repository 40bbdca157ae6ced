"""Trade plans (domain §5) worked out by hand on small candle sets.

Each scenario lists its candles; the comments give the reading a trader would make and
the expected numbers are written out. Swings are found with major strength 2 and minor
strength 1; the stop buffer is 0.1 ATR, the account 10 000 with 1 % at risk.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from smtdesk.core.smt.plan import _gap_entries, trade_plans
from smtdesk.core.structure.levels import fair_value_gaps
from smtdesk.core.structure.swings import SwingSet, find_swings
from tests.core.test_engine_fastpaths import walk


def open_at(gaps, k: int) -> np.ndarray:
    """Gaps known and not filled when bar ``k`` closes."""
    return (gaps.bar <= k) & ((gaps.fill_bar < 0) | (gaps.fill_bar > k))



def plan(high, low, close, *, bearish, new_bar, confirm, mss, atr, manual=()):
    """The plan of one signal confirmed at ``confirm`` whose new swing is ``new_bar``;
    ``manual`` swing bars join the major ones."""
    high, low, close = (np.asarray(v, float) for v in (high, low, close))
    major = find_swings(high, low, strength=2)
    minor = find_swings(high, low, strength=1)
    pick = (lambda s: s.low_idx) if bearish else (lambda s: s.high_idx)
    plans = trade_plans(
        high,
        low,
        close,
        bearish=bearish,
        target_swings=SwingSet(pick(major), list(manual), strength=2),
        target_minor=SwingSet(pick(minor), [], strength=1),
        confirm=np.array([confirm]),
        new_bar=np.array([new_bar]),
        mss_level=np.array([mss]),
        swing_level=np.array([(high if bearish else low)[new_bar]]),
        atr=np.array([atr]),
        target_lookback=1000,
        pool_tolerance=0.001,
        stop_atr=0.1,
        account_size=10_000.0,
        risk_pct=1.0,
    )
    return {name: getattr(plans, name)[0].item() for name in plans.__dataclass_fields__}


def mirrored(values, around):
    return [around - v for v in values]


# Short. The rally peaks at bar 8 (high 110); the MSS close is bar 10 (100 below the MSS
# level 101). Bar 10's high 105.5 is below bar 8's low 106: a bearish gap 105.5..106,
# still open. Major swing lows: 91 at bar 2 and 94 at bar 5, neither traded below since.
SHORT_HIGH = [100, 99, 97, 99, 101, 100, 103, 106, 110, 108, 105.5]
SHORT_LOW = [97, 95, 91, 95, 96, 94, 97, 101, 106, 104, 99]
SHORT_CLOSE = [98, 96, 92, 98, 100, 95, 102, 105, 107, 104.5, 100]


def test_short_enters_at_the_open_gap():
    got = plan(
        SHORT_HIGH, SHORT_LOW, SHORT_CLOSE, bearish=True, new_bar=8, confirm=10, mss=101, atr=5
    )
    # Entry at the gap's near edge 105.5; stop 110 + 0.1 * 5 = 110.5, risk 5; target
    # the nearer resting low 94 (not 91), reward 11.5: 2.3 R; size 1 % of 10 000 / 5.
    assert got == {
        "ok": True,
        "entry": 105.5,
        "stop": 110.5,
        "target": 94.0,
        "reward_risk": pytest.approx(2.3, rel=1e-12),
        "position_size": 20.0,
        "fvg": True,
    }


def test_long_enters_at_the_open_gap_mirrored():
    got = plan(
        mirrored(SHORT_LOW, 200),
        mirrored(SHORT_HIGH, 200),
        mirrored(SHORT_CLOSE, 200),
        bearish=False,
        new_bar=8,
        confirm=10,
        mss=99,
        atr=5,
    )
    # The same reading mirrored around 100: gap 94..94.5, entry 94.5, stop 90 - 0.5,
    # target the nearer resting high 106 (not 109).
    assert (got["entry"], got["stop"], got["target"], got["fvg"]) == (94.5, 89.5, 106.0, True)
    assert got["reward_risk"] == pytest.approx(2.3, rel=1e-12) and got["position_size"] == 20.0


def test_a_manual_swing_is_a_pool_from_its_own_bar():
    # A swing low marked by hand at bar 6 (97) is known at once and untouched since:
    # the nearest target, reward 8.5 on risk 5.
    got = plan(
        SHORT_HIGH,
        SHORT_LOW,
        SHORT_CLOSE,
        bearish=True,
        new_bar=8,
        confirm=10,
        mss=101,
        atr=5,
        manual=[6],
    )
    assert got["target"] == 97.0 and got["reward_risk"] == pytest.approx(1.7, rel=1e-12)
    # Marked at bar 9 instead (low 104, below the entry): bar 10 trades through it, so
    # the target stays at 94.
    got = plan(
        SHORT_HIGH,
        SHORT_LOW,
        SHORT_CLOSE,
        bearish=True,
        new_bar=8,
        confirm=10,
        mss=101,
        atr=5,
        manual=[9],
    )
    assert got["target"] == 94.0


def test_a_gap_filled_before_the_confirmation_is_no_entry():
    # Bar 11 trades 106.5, through the gap's far edge 106, and closes at 100.5 below the
    # MSS level: the gap is filled, bar 9..11 leaves no other gap, so entry at the MSS
    # retest 101. Stop 110.5, risk 9.5; target 94: reward 7.
    got = plan(
        [*SHORT_HIGH, 106.5],
        [*SHORT_LOW, 100],
        [*SHORT_CLOSE, 100.5],
        bearish=True,
        new_bar=8,
        confirm=11,
        mss=101,
        atr=5,
    )
    assert (got["entry"], got["stop"], got["target"], got["fvg"]) == (101.0, 110.5, 94.0, False)
    assert got["reward_risk"] == pytest.approx(7 / 9.5, rel=1e-12)
    assert got["position_size"] == pytest.approx(100 / 9.5, rel=1e-12)


# Long. The decline bottoms at bar 11 (low 116); bar 9 is the last minor swing high
# before it (125.5, the MSS level), and bar 13 closes at 126 above it. Bar 13's low
# 120.5 is below bar 11's high 121: no gap, so the entry is the MSS retest. Above it
# rest two equal minor highs, 130 at bar 5 and 129.95 at bar 7 (within 0.1 %), a pool
# at 130 known at bar 8, and the major swing high 134 at bar 3.
LONG_HIGH = [131, 130, 132, 134, 129, 130, 128, 129.95, 124, 125.5, 122, 121, 124, 127]
LONG_LOW = [127, 126, 127, 129, 125, 126, 124, 125, 121, 120, 117, 116, 118, 120.5]
LONG_CLOSE = [128, 127, 131, 133, 126, 129, 125, 129, 122, 121, 118, 120, 123, 126]


def test_long_enters_at_the_mss_retest_and_targets_equal_highs():
    got = plan(
        LONG_HIGH, LONG_LOW, LONG_CLOSE, bearish=False, new_bar=11, confirm=13, mss=125.5, atr=5
    )
    # Stop 116 - 0.5 = 115.5, risk 10; target the equal highs 130: reward 4.5, 0.45 R.
    assert got == {
        "ok": True,
        "entry": 125.5,
        "stop": 115.5,
        "target": 130.0,
        "reward_risk": pytest.approx(0.45, rel=1e-12),
        "position_size": 10.0,
        "fvg": False,
    }


def test_short_enters_at_the_mss_retest_mirrored():
    got = plan(
        mirrored(LONG_LOW, 260),
        mirrored(LONG_HIGH, 260),
        mirrored(LONG_CLOSE, 260),
        bearish=True,
        new_bar=11,
        confirm=13,
        mss=134.5,
        atr=5,
    )
    # Mirrored around 130: entry 134.5, stop 144 + 0.5, the equal lows 130 and 130.05.
    assert (got["entry"], got["stop"], got["target"], got["fvg"]) == (134.5, 144.5, 130.0, False)
    assert got["reward_risk"] == pytest.approx(0.45, rel=1e-12) and got["position_size"] == 10.0


def test_a_taken_pool_is_no_target():
    # Bar 13 trades up to 130.5, through the equal highs at 130: the next resting pool
    # is the swing high 134, reward 8.5.
    high = [*LONG_HIGH[:13], 130.5]
    got = plan(high, LONG_LOW, LONG_CLOSE, bearish=False, new_bar=11, confirm=13, mss=125.5, atr=5)
    assert got["target"] == 134.0
    assert got["reward_risk"] == pytest.approx(0.85, rel=1e-12)


def test_no_pool_beyond_the_entry_leaves_the_target_open():
    # Looking back only 4 bars from bar 13, no pool lies above the entry.
    high, low, close = (np.asarray(v, float) for v in (LONG_HIGH, LONG_LOW, LONG_CLOSE))
    plans = trade_plans(
        high,
        low,
        close,
        bearish=False,
        target_swings=SwingSet(find_swings(high, low, strength=2).high_idx, [], strength=2),
        target_minor=SwingSet(find_swings(high, low, strength=1).high_idx, [], strength=1),
        confirm=np.array([13]),
        new_bar=np.array([11]),
        mss_level=np.array([125.5]),
        swing_level=np.array([116.0]),
        atr=np.array([5.0]),
        target_lookback=4,
        pool_tolerance=0.001,
        stop_atr=0.1,
        account_size=10_000.0,
        risk_pct=1.0,
    )
    assert plans.ok[0] and math.isnan(plans.target[0]) and math.isnan(plans.reward_risk[0])


def test_without_atr_the_stop_is_at_the_swing():
    got = plan(
        LONG_HIGH, LONG_LOW, LONG_CLOSE, bearish=False, new_bar=11, confirm=13, mss=125.5,
        atr=math.nan,
    )
    # Stop 116, risk 9.5, reward 4.5.
    assert got["stop"] == 116.0
    assert got["reward_risk"] == pytest.approx(4.5 / 9.5, rel=1e-12)


def test_an_entry_beyond_the_stop_gives_no_plan():
    # An MSS level below the swing low (only possible with levels placed by hand): the
    # risk is negative, and no plan is offered.
    got = plan(
        LONG_HIGH, LONG_LOW, LONG_CLOSE, bearish=False, new_bar=11, confirm=13, mss=115, atr=5
    )
    assert got["ok"] is False


@pytest.mark.parametrize("bearish", [True, False])
def test_gap_entries_are_the_latest_open_gaps_of_the_whole_series(bearish):
    # Plans read each displacement's bars only; the answer must be the one read off the
    # gaps of the whole series (structure.fair_value_gaps) by their plain definition.
    c = walk(4, 3000)
    rng = np.random.default_rng(4)
    k = np.sort(rng.choice(np.arange(50, 3000), 300, replace=False))
    start = k - rng.integers(0, 30, len(k))
    gaps = fair_value_gaps(c.high, c.low)
    expected = []
    for s, ki in zip(start.tolist(), k.tolist(), strict=True):
        ok = (gaps.bullish != bearish) & open_at(gaps, ki) & (gaps.bar - 2 >= s)
        ok &= gaps.bar <= ki
        edge = gaps.bottom if bearish else gaps.top
        expected.append(edge[ok][-1] if ok.any() else math.nan)
    got = _gap_entries(c.high, c.low, bearish, start, k)
    np.testing.assert_array_equal(got, expected)
    assert 0 < np.isnan(got).sum() < len(k)
