"""Order blocks and the structure shift that made each (domain §4)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from smtdesk.core.candles import Candles
from smtdesk.core.structure.levels import Shifts
from smtdesk.ui.items._annotations import AnnotationItem, Shapes, Style
from smtdesk.ui.theme import DARK, Palette, brush, pen


class OrderBlockItem(AnnotationItem):
    """Each order block as a box over its candle's range, running to the bar whose close
    made the shift, and the broken MSS level from its swing to that bar, labelled.

    A bar that sweeps two pools makes one shift per pool (same bar, level and order
    block): each is drawn once.
    """

    def __init__(self, *, palette: Palette = DARK) -> None:
        super().__init__()
        self._palette = palette
        self._data: tuple[Candles, Shifts, float] | None = None

    def set_palette(self, palette: Palette) -> None:
        self._palette = palette
        if self._data is not None:
            self.set_shifts(*self._data)

    def set_shifts(self, candles: Candles, shifts: Shifts, bar_seconds: float) -> None:
        self._data = (candles, shifts, bar_seconds)
        x = candles.time / 1000.0
        half = bar_seconds / 2
        rows = np.unique(
            np.column_stack((shifts.bar, shifts.bearish, shifts.order_block, shifts.level_bar)), axis=0
        ).reshape(-1, 4)
        bar, bearish, ob, level_bar = rows.T
        style = np.where(bearish > 0, 1, 0).astype(np.float64)  # 0 bullish, 1 bearish
        has = ob >= 0
        o = ob[has]
        rects = (x[o] - half, candles.low[o], x[bar[has]] + half, candles.high[o], style[has])
        # the MSS level is the low (bearish) or high (bullish) of its minor swing
        level = np.where(bearish > 0, candles.low[level_bar], candles.high[level_bar])
        segments = (x[level_bar], level, x[bar], level, style + 2)
        labels = tuple(
            (float(x[o_]), float(candles.high[o_]), "OB", int(s))
            for o_, s in zip(o.tolist(), style[has].tolist())
        ) + tuple(
            (float(x[b]), float(lv), "MSS", int(s) + 2)
            for b, lv, s in zip(bar.tolist(), level.tolist(), style.tolist())
        )
        p = self._palette
        styles = [Style(pen(c + "a0", style=Qt.DashLine), brush(c + "26")) for c in (p.up, p.down)]
        styles += [Style(pen(c, 1.2), text=None) for c in (p.up, p.down)]
        self._set_shapes(
            Shapes(rects=rects, segments=segments, labels=labels), styles, label_fill=p.background + "b0"
        )
