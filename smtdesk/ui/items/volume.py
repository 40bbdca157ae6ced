"""Volume bars drawn the same windowed, column-aggregated way as the candles."""

from __future__ import annotations

import numpy as np
from pyqtgraph.Qt import QtCore, QtGui

from smtdesk.core.candles import Candles
from smtdesk.ui.items._lod import Columns, Pyramid
from smtdesk.ui.items._windowed import WindowedItem, line_array, rect_array
from smtdesk.ui.items.candles import BODY_FRACTION
from smtdesk.ui.theme import DARK, Palette, bar_styles

_REDUCERS = {"volume": np.maximum}


def _volume_fields(candles: Candles) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    return candles.time / 1000.0, {"open": candles.open, "close": candles.close, "volume": candles.volume}


class VolumeItem(WindowedItem):
    """Volume bars from zero, teal for up candles and red for down ones.

    Zoomed out, a pixel column shows the largest volume among the candles it covers,
    so a spike never disappears and the bar heights keep their scale at every zoom.
    Meant for its own ViewBox overlaid on the price pane's bottom or for a sub-panel.
    """

    def __init__(self, *, palette: Palette = DARK) -> None:
        super().__init__()
        self._groups: list[tuple[QtGui.QPen, QtGui.QBrush, object, bool]] = []
        self.set_palette(palette)

    def set_palette(self, palette: Palette) -> None:
        self._up, self._down = bar_styles(palette)
        self._window = None
        self.update()

    def set_candles(self, candles: Candles, *, bar_seconds: float) -> None:
        x, fields = _volume_fields(candles)
        self._set_pyramid(Pyramid(x, fields, reducers=_REDUCERS, bar_seconds=bar_seconds))

    def merge_candles(self, newer: Candles) -> None:
        """Live update: ``newer`` replaces every candle from its first open time on."""
        if len(newer) == 0:
            return
        if self._pyramid is None:
            raise RuntimeError("merge_candles: call set_candles first")
        x, fields = _volume_fields(newer)
        self._tail_changed(self._pyramid.merge_tail(x, fields))

    def visible_volume_max(self, x0: float, x1: float) -> float:
        """Largest volume of the candles overlapping ``[x0, x1]`` (nan when none)."""
        if self._pyramid is None:
            return float("nan")
        i, j = self.visible_slice(x0, x1)
        return self._pyramid.extreme("volume", i, j)

    def visible_range(self, x0: float, x1: float) -> tuple[float, float]:
        """Zero and the largest visible volume (nan when no candle is there)."""
        top = self.visible_volume_max(x0, x1)
        return (0.0, top) if np.isfinite(top) else (float("nan"), float("nan"))

    def _y_range(self, x0: float, x1: float) -> tuple[float, float]:
        return self.visible_range(x0, x1)

    def _data_rect(self) -> QtCore.QRectF:
        pyr = self._pyramid
        if pyr is None or pyr.size == 0:
            return QtCore.QRectF()
        top = pyr.total("volume")
        half = pyr.bar_seconds / 2
        x0, x1 = float(pyr.x[0]) - half, float(pyr.x[-1]) + half
        return QtCore.QRectF(x0, 0.0, x1 - x0, top)

    def _build_raw(self, lo: int, hi: int) -> None:
        pyr = self._pyramid
        x, v = pyr.x[lo:hi], pyr.raw("volume")[lo:hi]
        up = pyr.raw("close")[lo:hi] >= pyr.raw("open")[lo:hi]
        width = pyr.bar_seconds * BODY_FRACTION
        self._groups = [
            (p, b, rect_array(x[m] - width / 2, np.zeros(int(m.sum())), width, v[m]), True)
            for m, (p, b) in ((up, self._up), (~up, self._down))
        ]

    def _build_columns(self, columns: Columns) -> None:
        pyr = self._pyramid
        up = pyr.raw("close")[columns.last] >= pyr.raw("open")[columns.first]
        v = columns.fields["volume"]
        self._groups = [
            (p, b, line_array(columns.x[m], np.zeros(int(m.sum())), columns.x[m], v[m]), False)
            for m, (p, b) in ((up, self._up), (~up, self._down))
        ]

    def _draw(self, painter: QtGui.QPainter) -> None:
        for p, b, prims, rects in self._groups:
            if rects:
                painter.setPen(QtCore.Qt.PenStyle.NoPen)
                painter.setBrush(b)
                painter.drawRects(*prims.drawargs())
            else:
                painter.setPen(p)
                painter.drawLines(*prims.drawargs())
