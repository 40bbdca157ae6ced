"""Batched first-above queries equal a plain scan of each range."""

from __future__ import annotations

import numpy as np
import pytest

from smtdesk.core.structure.rangequery import FirstAbove, first_above_scan


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
