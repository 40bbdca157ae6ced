"""Batched first-above queries equal a plain scan of each range."""

from __future__ import annotations

import numpy as np
import pytest

from smtdesk.core.structure.rangequery import FirstAbove, Resting, first_above_scan


def plain(values, sign, lo, hi, level):
    out = []
    for a, b, x in zip(lo, hi, level):
        hits = [i for i in range(max(a, 0), min(b, len(values) - 1) + 1) if sign * values[i] > x]
        out.append(hits[0] if hits else -1)
    return out


@pytest.mark.parametrize("sign", [1.0, -1.0])
@pytest.mark.parametrize("n", [1, 31, 1024, 5000])
def test_tables_and_scan_equal_the_plain_answer(sign, n):
    rng = np.random.default_rng(n)
    # Rounded walk: ties with the level happen, and equal is never above.
    values = np.round(np.cumsum(rng.normal(0, 1, n)), 0)
    if n > 100:
        values[n // 3 : n // 3 + 2000] = values[n // 3]  # long flat run spans blocks
        values[7] = np.nan  # never above anything
    q = 600
    lo = rng.integers(-2, n + 2, q)
    hi = lo + rng.integers(-3, n, q)
    level = sign * values[np.clip(lo, 0, n - 1)] + rng.choice([-1.0, 0.0, 0.5, 3.0], q)
    level[::50] = np.inf
    level[1::50] = -np.inf
    expected = plain(values, sign, lo.tolist(), hi.tolist(), level.tolist())
    assert expected.count(-1) not in (0, q)
    assert FirstAbove(values, sign=sign)(lo, hi, level).tolist() == expected
    assert first_above_scan(values, lo, hi, level, sign=sign).tolist() == expected


def test_scalar_bounds_broadcast():
    values = np.array([1.0, 3.0, 2.0, 5.0])
    table = FirstAbove(values)
    assert table(np.array([0, 2]), 3, np.array([2.5, 4.0])).tolist() == [1, 3]
    assert first_above_scan(values, 0, np.array([0, 3]), 2.0).tolist() == [-1, 1]


def test_a_scalar_level_and_bound_spread_over_the_queries():
    values = np.array([1.0, 3.0, 2.0, 5.0])
    assert first_above_scan(values, np.array([0, 2, 3]), 3, 2.5).tolist() == [1, 3, 3]
    assert first_above_scan(values, 1, 3, np.array([2.5, 4.0, 9.0])).tolist() == [1, 3, -1]
    assert first_above_scan(values, np.array([[0], [2]]), 3, np.array([2.5, 4.0])).tolist() == [[1, 3], [3, 3]]


def test_resting_levels_end_at_the_first_bar_beyond_them_as_a_scan_finds_it():
    rng = np.random.default_rng(5)
    n, m = 400, 300
    # Rounded prices: ties with a level happen, and equal is never beyond.
    high = np.round(100 + np.cumsum(rng.normal(0, 1, n)), 0)
    low = high - rng.integers(0, 3, n)
    high[rng.random(n) < 0.02] = np.nan
    low[rng.random(n) < 0.02] = np.nan
    bar = np.sort(rng.integers(0, n - 1, m))
    up = rng.random(m) < 0.5
    price = np.where(up, high[bar], low[bar]) + rng.choice([-1.0, 0.0, 2.0], m)
    price[::40] = np.nan  # a level never passed
    level = np.where(up, price, -price)
    expected = [plain(high if u else low, 1.0 if u else -1.0, [b + 1], [n - 1], [lv])[0]
                for b, u, lv in zip(bar.tolist(), up.tolist(), level.tolist())]
    resting = Resting(np.empty(0, np.int64), np.empty(0, bool), np.empty(0))
    ended = np.full(m, -1)
    added = 0
    for k in range(n):
        for row in resting.hit(float(high[k]), float(low[k])):
            assert ended[row] == -1
            ended[row] = k
        # levels join as their bar closes, a few at a time or one by one
        mine = np.flatnonzero(bar == k)
        if k % 2:
            resting.add(mine, up[mine], level[mine])
        else:
            for row in mine.tolist():
                resting.add_one(row, bool(up[row]), float(level[row]))
        added += len(mine)
    assert added == m and 0 < (ended == -1).sum() < m
    assert ended.tolist() == expected
