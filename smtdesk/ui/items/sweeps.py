"""Sweeps: a pool traded through and closed back inside (domain §4)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from smtdesk.core.candles import Candles
from smtdesk.core.structure.levels import Pools
from smtdesk.ui.items._annotations import Shapes, Style
from smtdesk.ui.items.pools import PoolItem
from smtdesk.ui.theme import pen


class SweepItem(PoolItem):
    """Each swept pool as a dotted line at its level from its (last) swing to the sweep
    bar, with a marker on the sweep bar's wick: above a swept high, below a swept low."""

    def set_pools(self, candles: Candles, pools: Pools) -> None:
        self._data = (candles, pools)
        x = candles.time / 1000.0
        sw = np.flatnonzero(pools.swept)
        start = np.maximum(pools.first[sw], pools.second[sw])
        t, level = pools.taken[sw], pools.level[sw]
        high = pools.is_high[sw]
        # A swept high is bearish liquidity taken (down colour), a swept low bullish.
        style = np.where(high, 1, 0).astype(np.float64)
        segments = (x[start], level, x[t], level, style)
        wick = np.where(high, candles.high[t], candles.low[t])
        markers = (x[t], wick, np.where(high, 0.0, 1.0), style)
        p = self._palette
        styles = [Style(pen(c, 1.0, style=Qt.DotLine)) for c in (p.up, p.down)]
        self._set_shapes(Shapes(segments=segments, markers=markers), styles)
