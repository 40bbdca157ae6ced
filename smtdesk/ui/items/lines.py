"""Indicator and overlay lines (SMA, EMA, Bollinger, oscillators) over long histories."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg
from pyqtgraph.Qt import QtCore, QtGui

from smtdesk.ui.items._lod import Columns, Pyramid
from smtdesk.ui.items._windowed import WindowedItem

_REDUCERS = {"max": np.fmax, "min": np.fmin}
_GAP_BARS = 1.5
"""Consecutive points further apart than this many bars are not joined (missing candles)."""


class LineItem(WindowedItem):
    """A line through (x, y) with x in epoch seconds; NaN and missing bars are gaps.

    Zoomed out past one point per pixel, each pixel column draws the minimum and maximum
    of the points it covers, so peaks survive any zoom (min/max-preserving downsampling).
    """

    detail_min_px = 1.0

    def __init__(self, *, pen: QtGui.QPen | str = "w") -> None:
        super().__init__()
        self._pen = pg.mkPen(pen)
        self._path = QtGui.QPainterPath()

    def set_pen(self, pen: QtGui.QPen | str) -> None:
        self._pen = pg.mkPen(pen)
        self.update()

    def set_data(self, x: npt.ArrayLike, y: npt.ArrayLike, *, bar_seconds: float) -> None:
        """Show the line; ``x`` strictly increasing seconds, ``y`` with NaN for no value."""
        y = np.asarray(y, dtype=np.float64)
        self._set_pyramid(Pyramid(x, {"max": y, "min": y}, reducers=_REDUCERS, bar_seconds=bar_seconds))

    def merge_tail(self, x: npt.ArrayLike, y: npt.ArrayLike) -> None:
        """Live update: the points given replace every point from ``x[0]`` on."""
        if len(x) == 0:
            return
        if self._pyramid is None:
            raise RuntimeError("merge_tail: call set_data first")
        y = np.asarray(y, dtype=np.float64)
        self._tail_changed(self._pyramid.merge_tail(x, {"max": y, "min": y}))

    def visible_range(self, x0: float, x1: float) -> tuple[float, float]:
        """Min and max of the finite values with x in ``[x0, x1]`` (nan when none)."""
        if self._pyramid is None:
            return float("nan"), float("nan")
        i, j = self.visible_slice(x0, x1)
        return self._pyramid.extreme("min", i, j), self._pyramid.extreme("max", i, j)

    def _y_range(self, x0: float, x1: float) -> tuple[float, float]:
        return self.visible_range(x0, x1)

    def _data_rect(self) -> QtCore.QRectF:
        pyr = self._pyramid
        if pyr is None or pyr.size == 0:
            return QtCore.QRectF()
        lo, hi = pyr.total("min"), pyr.total("max")
        if not (np.isfinite(lo) and np.isfinite(hi)):
            return QtCore.QRectF()
        x0, x1 = float(pyr.x[0]), float(pyr.x[-1])
        return QtCore.QRectF(x0, lo, x1 - x0, hi - lo)

    def _build_raw(self, lo: int, hi: int) -> None:
        pyr = self._pyramid
        x, y = pyr.x[lo:hi], pyr.raw("max")[lo:hi]
        joined = np.isfinite(y)
        joined[1:] &= joined[:-1] & (np.diff(x) <= _GAP_BARS * pyr.bar_seconds)
        if len(joined):
            joined[0] = False
        self._path = _path(x, y, joined)

    def _build_columns(self, columns: Columns) -> None:
        lo, hi = columns.fields["min"], columns.fields["max"]
        x = np.repeat(columns.x, 2)
        y = np.column_stack((lo, hi)).ravel()
        finite = np.isfinite(y)
        # a column joins its own min to max, and the previous column unless bars are missing
        gap = max(_GAP_BARS * self._pyramid.bar_seconds, 1.5 * columns.column_seconds)
        joined = finite.copy()
        joined[1:] &= finite[:-1]
        joined[2::2] &= np.diff(columns.x) <= gap
        if len(joined):
            joined[0] = False
        self._path = _path(x, y, joined)

    def _draw(self, painter: QtGui.QPainter) -> None:
        painter.setPen(self._pen)
        painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
        painter.drawPath(self._path)


def _path(x: np.ndarray, y: np.ndarray, joined: np.ndarray) -> QtGui.QPainterPath:
    """Path through the finite points; ``joined[i]`` links point i to point i - 1."""
    keep = np.isfinite(y)
    if not keep.any():
        return QtGui.QPainterPath()
    # arrayToQPath's connect[i] links point i to point i + 1
    links = np.append(joined[keep][1:], False).astype(np.int32)
    return pg.arrayToQPath(x[keep], y[keep], connect=links)
