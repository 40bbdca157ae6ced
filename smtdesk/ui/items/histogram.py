"""Zero-based bars of a signed series (MACD histogram), windowed like the candles."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from pyqtgraph.Qt import QtCore, QtGui

from smtdesk.ui.items._lod import Columns, Pyramid
from smtdesk.ui.items._windowed import WindowedItem, line_array, rect_array
from smtdesk.ui.items.candles import BODY_FRACTION
from smtdesk.ui.theme import DARK, Palette, bar_styles

_REDUCERS = {"max": np.fmax, "min": np.fmin}


class HistogramItem(WindowedItem):
    """Bars from zero to each value: teal above zero, red below; NaN draws nothing.

    Zoomed out, a pixel column spans from its lowest to its highest value (and zero),
    so no extreme bar disappears at any zoom.
    """

    def __init__(self, *, palette: Palette = DARK) -> None:
        super().__init__()
        self._groups: list[tuple[QtGui.QPen, QtGui.QBrush, object, bool]] = []
        self.set_palette(palette)

    def set_palette(self, palette: Palette) -> None:
        self._up, self._down = bar_styles(palette)
        self._window = None
        self.update()

    def set_data(self, x: npt.ArrayLike, y: npt.ArrayLike, *, bar_seconds: float) -> None:
        y = np.asarray(y, dtype=np.float64)
        self._set_pyramid(Pyramid(x, {"max": y, "min": y}, reducers=_REDUCERS, bar_seconds=bar_seconds))

    def merge_tail(self, x: npt.ArrayLike, y: npt.ArrayLike) -> None:
        """Live update: the values given replace every value from ``x[0]`` on."""
        if len(x) == 0:
            return
        if self._pyramid is None:
            raise RuntimeError("merge_tail: call set_data first")
        y = np.asarray(y, dtype=np.float64)
        self._tail_changed(self._pyramid.merge_tail(x, {"max": y, "min": y}))

    def visible_range(self, x0: float, x1: float) -> tuple[float, float]:
        """Lowest and highest bar end in ``[x0, x1]``, zero included (nan when none)."""
        if self._pyramid is None:
            return float("nan"), float("nan")
        i, j = self.visible_slice(x0, x1)
        lo, hi = self._pyramid.extreme("min", i, j), self._pyramid.extreme("max", i, j)
        if not (np.isfinite(lo) and np.isfinite(hi)):
            return float("nan"), float("nan")
        return min(lo, 0.0), max(hi, 0.0)

    def _y_range(self, x0: float, x1: float) -> tuple[float, float]:
        return self.visible_range(x0, x1)

    def _data_rect(self) -> QtCore.QRectF:
        pyr = self._pyramid
        if pyr is None or pyr.size == 0:
            return QtCore.QRectF()
        lo, hi = min(pyr.total("min"), 0.0), max(pyr.total("max"), 0.0)
        if not (np.isfinite(lo) and np.isfinite(hi)):
            return QtCore.QRectF()
        half = pyr.bar_seconds / 2
        x0, x1 = float(pyr.x[0]) - half, float(pyr.x[-1]) + half
        return QtCore.QRectF(x0, lo, x1 - x0, hi - lo)

    def _build_raw(self, lo: int, hi: int) -> None:
        pyr = self._pyramid
        x, y = pyr.x[lo:hi], pyr.raw("max")[lo:hi]
        width = pyr.bar_seconds * BODY_FRACTION
        finite = np.isfinite(y)
        self._groups = [
            (p, b, rect_array(x[m] - width / 2, np.zeros(int(m.sum())), width, y[m]), True)
            for m, (p, b) in ((finite & (y >= 0), self._up), (finite & (y < 0), self._down))
        ]

    def _build_columns(self, columns: Columns) -> None:
        lo, hi = columns.fields["min"], columns.fields["max"]
        x = columns.x
        groups = []
        for m, top, (p, b) in ((hi > 0, hi, self._up), (lo < 0, lo, self._down)):
            m &= np.isfinite(top)
            groups.append((p, b, line_array(x[m], np.zeros(int(m.sum())), x[m], top[m]), False))
        self._groups = groups

    def _draw(self, painter: QtGui.QPainter) -> None:
        for p, b, prims, rects in self._groups:
            if rects:
                painter.setPen(QtCore.Qt.PenStyle.NoPen)
                painter.setBrush(b)
                painter.drawRects(*prims.drawargs())
            else:
                painter.setPen(p)
                painter.drawLines(*prims.drawargs())
