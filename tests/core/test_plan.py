"""Trade plans for many confirmations at once equal the plain one-signal definitions."""

from __future__ import annotations

import math

import numpy as np
import pytest

from smtdesk.core.plan import trade_plans
from smtdesk.core.swings import SwingSet, find_swings
from tests.core.test_engine_fastpaths import walk


def gap_entry(high, low, start: int, k: int, *, bearish: bool) -> float:
    """Near edge of the latest gap of the move start..k still open at k (domain §4, §5)."""
    for i in range(k, start + 1, -1):
        if bearish and low[i - 2] > high[i]:
            if i == k or high[i + 1 : k + 1].max() <= low[i - 2]:
                return float(high[i])
        elif not bearish and high[i - 2] < low[i]:  # noqa: SIM102 (mirrors the branch above)
            if i == k or low[i + 1 : k + 1].min() >= high[i - 2]:
                return float(low[i])
    return math.nan


def nearest_pool(values, swings, k: int, entry: float, *, above: bool, lookback: int) -> float:
    """The nearest swing beyond the entry that no later price has reached through k."""
    sign = 1.0 if above else -1.0
    best = math.nan
    for j in swings:
        if not k - lookback <= j < k:
            continue
        level = sign * values[j]
        untouched = all(sign * values[q] <= level for q in range(j + 1, k + 1))
        if untouched and level > sign * entry:
            best = float(values[j])  # later swings are nearer
    return best


@pytest.mark.parametrize("bearish", [True, False])
@pytest.mark.parametrize("seed", [1, 2])
def test_plans_equal_the_plain_definitions(bearish, seed):
    c = walk(seed, 3000)
    rng = np.random.default_rng(seed)
    sw = find_swings(c.high, c.low, strength=5)
    target_side = sw.low_idx if bearish else sw.high_idx
    manual = rng.choice(np.arange(3000), 30, replace=False)
    swings = SwingSet(target_side, manual, strength=5)
    k = np.sort(rng.choice(np.arange(100, 3000), 400, replace=False))
    new_bar = k - rng.integers(3, 40, len(k))
    swing_level = (c.high if bearish else c.low)[new_bar]
    mss_level = swing_level - (1 if bearish else -1) * rng.uniform(0.5, 5, len(k))
    atr = np.where(rng.random(len(k)) < 0.1, np.nan, rng.uniform(0.1, 2, len(k)))
    bar, known = swings.by_bar()
    plans = trade_plans(
        c.high,
        c.low,
        bearish=bearish,
        swing_bar=bar,
        swing_known=known,
        confirm=k,
        new_bar=new_bar,
        mss_level=mss_level,
        swing_level=swing_level,
        atr=atr,
        target_lookback=300,
        stop_atr=0.1,
        account_size=10_000.0,
        risk_pct=1.0,
    )
    sign = 1.0 if bearish else -1.0
    found = {"fvg": 0, "target": 0, "none": 0}
    for i, ki in enumerate(k.tolist()):
        gap = gap_entry(c.high, c.low, int(new_bar[i]), ki, bearish=bearish)
        entry = mss_level[i] if math.isnan(gap) else gap
        known_by_k = bar[known <= ki]
        values = c.low if bearish else c.high
        target = nearest_pool(values, known_by_k, ki, entry, above=not bearish, lookback=300)
        buffer = 0.0 if math.isnan(atr[i]) else 0.1 * atr[i]
        stop = swing_level[i] + sign * buffer
        risk = sign * (stop - entry)
        assert bool(plans.ok[i]) == (risk > 0)
        if not risk > 0:
            found["none"] += 1
            continue
        assert bool(plans.fvg[i]) == (not math.isnan(gap))
        assert plans.entry[i] == entry and plans.stop[i] == stop
        assert plans.target[i] == target or (math.isnan(target) and math.isnan(plans.target[i]))
        rr = sign * (entry - target) / risk
        assert plans.reward_risk[i] == rr or math.isnan(rr) and math.isnan(plans.reward_risk[i])
        assert plans.position_size[i] == 10_000.0 * 1.0 / 100.0 / risk
        found["fvg"] += not math.isnan(gap)
        found["target"] += not math.isnan(target)
    # Every branch is exercised: gap and retest entries, found and missing targets.
    ok = int(plans.ok.sum())
    assert 0 < found["fvg"] < ok and 0 < found["target"] < ok and found["none"] > 0
