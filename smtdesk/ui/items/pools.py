"""Liquidity pools of equal highs and lows: where stops rest (domain §4)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from smtdesk.core.candles import Candles
from smtdesk.core.structure.levels import Pools
from smtdesk.ui.items._annotations import AnnotationItem, Shapes, Style
from smtdesk.ui.theme import DARK, Palette, pen


class PoolItem(AnnotationItem):
    """Each pair of equal highs (lows) as a dashed line at its level, from the first of
    the two swings to the bar that took it (the newest bar while it rests), labelled
    EQH (EQL) at the second swing."""

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
        eq = np.flatnonzero(pools.second >= 0)
        first, second, taken = pools.first[eq], pools.second[eq], pools.taken[eq]
        end = np.where(taken >= 0, taken, len(x) - 1)
        style = np.where(pools.is_high[eq], 0, 1).astype(np.float64)
        level = pools.level[eq]
        segments = (x[first], level, x[end], level, style)
        labels = tuple(
            (float(x[s]), float(lv), "EQH" if st == 0 else "EQL", int(st))
            for s, lv, st in zip(second.tolist(), level.tolist(), style.tolist())
        )
        p = self._palette
        styles = [Style(pen(p.swing_color(k), 1.2, style=Qt.DashLine)) for k in ("high", "low")]
        self._set_shapes(Shapes(segments=segments, labels=labels), styles, label_fill=p.background + "b0")
