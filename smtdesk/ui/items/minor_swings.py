"""Minor swing markers: small triangles over minor highs and under minor lows."""

from __future__ import annotations

import numpy as np

from smtdesk.core.candles import Candles
from smtdesk.core.structure.swings import Swings
from smtdesk.ui.items._annotations import AnnotationItem, Shapes, Style
from smtdesk.ui.theme import DARK, Palette, brush, pen

MINOR_ALPHA = "b0"
"""Minor markers are smaller and a little fainter than the major ones they sit beside."""
MIN_PX_PER_BAR = 3.0
"""Zoomed out further, a marker could not tell which bar it marks: none is drawn."""


class MinorSwingItem(AnnotationItem):
    """Minor swings (strength 2) of one series; bars that are also major swings are left
    to the major markers."""

    def __init__(self, *, palette: Palette = DARK) -> None:
        super().__init__()
        self._palette = palette
        self._data: tuple[Candles, Swings, Swings, float] | None = None
        self._bar_seconds = 3600.0

    def set_palette(self, palette: Palette) -> None:
        self._palette = palette
        if self._data is not None:
            self.set_swings(*self._data)

    def set_swings(self, candles: Candles, minor: Swings, major: Swings, bar_seconds: float) -> None:
        self._data = (candles, minor, major, bar_seconds)
        self._bar_seconds = bar_seconds
        x = candles.time / 1000.0
        hi = np.setdiff1d(minor.high_idx, major.high_idx)
        lo = np.setdiff1d(minor.low_idx, major.low_idx)
        markers = (
            np.concatenate([x[hi], x[lo]]),
            np.concatenate([candles.high[hi], candles.low[lo]]),
            np.concatenate([np.zeros(len(hi)), np.ones(len(lo))]),
            np.concatenate([np.zeros(len(hi)), np.ones(len(lo))]),
        )
        p = self._palette
        styles = [
            Style(pen(p.swing_color(kind)), brush(p.swing_color(kind) + MINOR_ALPHA))
            for kind in ("high", "low")
        ]
        self._set_shapes(Shapes(markers=markers), styles)

    def paint(self, painter, *args) -> None:
        if painter.transform().m11() * self._bar_seconds >= MIN_PX_PER_BAR:
            super().paint(painter, *args)
