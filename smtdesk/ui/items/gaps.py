"""Fair value gaps as boxes from candle 2 to the bar that filled them (domain §4a)."""

from __future__ import annotations

import numpy as np

from smtdesk.core.candles import Candles
from smtdesk.core.structure.levels import Gaps
from smtdesk.ui.items._annotations import AnnotationItem, Shapes, Style
from smtdesk.ui.theme import DARK, Palette, brush, pen

FILLED_ALPHA, OPEN_ALPHA = "1c", "38"
"""A filled gap is history; one still open is where price may return."""


class GapItem(AnnotationItem):
    """Boxes between each gap's edges, from candle 2 to the fill bar; a gap still open
    runs to the newest bar, with an outline."""

    def __init__(self, *, palette: Palette = DARK) -> None:
        super().__init__()
        self._palette = palette
        self._data: tuple[Candles, Gaps, float] | None = None

    def set_palette(self, palette: Palette) -> None:
        self._palette = palette
        if self._data is not None:
            self.set_gaps(*self._data)

    def set_gaps(self, candles: Candles, gaps: Gaps, bar_seconds: float) -> None:
        self._data = (candles, gaps, bar_seconds)
        x = candles.time / 1000.0
        half = bar_seconds / 2
        filled = gaps.fill_bar >= 0
        end = np.where(filled, gaps.fill_bar, len(x) - 1)
        x0 = x[gaps.bar - 1] - half
        x1 = x[end] + half
        # styles: 0/1 filled bullish/bearish, 2/3 open bullish/bearish
        style = np.where(gaps.bullish, 0, 1) + np.where(filled, 0, 2)
        rects = (x0, gaps.bottom, x1, gaps.top, style.astype(np.float64))
        p = self._palette
        styles = [Style(None, brush(c + FILLED_ALPHA)) for c in (p.up, p.down)]
        styles += [Style(pen(c + "90"), brush(c + OPEN_ALPHA)) for c in (p.up, p.down)]
        self._set_shapes(Shapes(rects=rects), styles)
