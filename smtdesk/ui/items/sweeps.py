"""Sweeps: a pool traded through and closed back inside (domain §4)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from smtdesk.core.candles import Candles
from smtdesk.core.structure.levels import Pools
from smtdesk.ui.items._annotations import AnnotationItem, Shapes, Style
from smtdesk.ui.theme import DARK, Palette, pen


class SweepItem(AnnotationItem):
    """Each swept pool as a dotted line at its level from its (last) swing to the sweep
    bar, with a marker on the sweep bar's wick: above a swept high, below a swept low."""

    def __init__(self, *, palette: Palette = DARK) -> None:
        super().__init__()
        self._palette = palette
        self._data: tuple[Candles, Pools] | None = None

    def set_palette(self, palette: Palette) -> None:
        self._palette = palette
        if self._data is not None:
            self.set_pools(*self._data)

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
