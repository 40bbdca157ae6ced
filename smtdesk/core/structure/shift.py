"""Market structure shift (domain §4, §5a rule 5): the one definition both the chart's
structure and the SMT confirmation use.

After an extreme at bar ``e`` (a high; lows mirrored through ``sign``), the MSS level at
a later bar ``w`` is the low of the latest minor swing before ``e`` known when ``w``
closes: the last swing low of the leg into the extreme. The shift is the first close
strictly beyond that level. A swing of strength ``s`` at bar ``b`` is known at ``b + s``;
a manual one at once.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def latest_swing_before(auto, manual, strength, limit, known_by):
    """Bar of the latest swing before ``limit`` known by bar ``known_by`` (automatic bars
    ``auto`` of ``strength``, ``manual`` ones known at once); -1 if none."""
    i = np.searchsorted(auto, min(limit, known_by - strength + 1)) - 1
    a_bar = auto[i] if 0 <= i < len(auto) else -1
    j = np.searchsorted(manual, min(limit, known_by + 1)) - 1
    m_bar = manual[j] if 0 <= j < len(manual) else -1
    return max(a_bar, m_bar)


@numba.njit(cache=True, nogil=True)
def first_shift(close, level_price, sign, minor, extreme_bar, lo, hi):
    """First bar in [lo, hi] whose close is strictly beyond (``sign`` -1: below) the MSS
    level of that bar, or -1. ``minor`` is (automatic bars, manual bars, strength);
    ``level_price`` the series the level is read from (the lows after a high).

    A swing before ``extreme_bar`` is known by ``extreme_bar - 1 + strength`` at the
    latest, so from that bar on the level no longer moves.
    """
    auto, manual, strength = minor
    settled = extreme_bar - 1 + strength
    level_bar = -1
    for w in range(lo, hi + 1):
        if w == lo or w <= settled:
            level_bar = latest_swing_before(auto, manual, strength, extreme_bar, w)
        if level_bar >= 0 and sign * close[w] < sign * level_price[level_bar]:
            return w
    return -1


@numba.njit(cache=True, nogil=True)
def shifts_after(close, level_price, sign, swing_bars, strength, extreme_bars, first_bars, last_bars):
    """:func:`first_shift` after each of ``extreme_bars``, looking from ``first_bars`` to
    ``last_bars``, on automatic swings only: (shift bar, its level bar), -1 when none."""
    manual = np.empty(0, np.int64)
    minor = (swing_bars, manual, strength)
    q = len(extreme_bars)
    bar = np.full(q, -1, np.int64)
    level_bar = np.full(q, -1, np.int64)
    for i in range(q):
        e = extreme_bars[i]
        bar[i] = first_shift(close, level_price, sign, minor, e, first_bars[i], last_bars[i])
        if bar[i] >= 0:
            level_bar[i] = latest_swing_before(swing_bars, manual, strength, e, bar[i])
    return bar, level_bar
