"""Base for chart items that draw from a level-of-detail pyramid through a cached window.

A paint either replays primitives built for a window three screens wide, or rebuilds
them when the view left that window or the zoom changed the pixel-column width. Zoomed
in, subclasses draw raw samples; zoomed out, per-pixel-column aggregates. Either way the
work per frame is proportional to the window's width in pixels, not the history.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from pyqtgraph.Qt import QtCore, QtGui

from smtdesk.ui.items._lod import Columns, Pyramid, aggregate_columns, window_slice

# pyqtgraph's array-of-primitives wrapper hands numpy memory straight to QPainter's
# drawLines/drawRects; one place imports it so a pyqtgraph change touches one line.
from pyqtgraph.Qt.internals import PrimitiveArray  # noqa: E402

_SCREENS_EACH_SIDE = 1.0
_PX_TOLERANCE = 1e-6


def line_array(
    x0: np.ndarray, y0, x1, y1, *, reuse: PrimitiveArray | None = None
) -> PrimitiveArray:
    """QLineF array from endpoint coordinates (arrays or scalars), written into ``reuse``
    when given: an item drawing new lines every frame keeps one buffer."""
    arr = PrimitiveArray(QtCore.QLineF, 4) if reuse is None else reuse
    arr.resize(max(np.size(v) for v in (x0, y0, x1, y1)))
    nd = arr.ndarray()
    nd[:, 0], nd[:, 1], nd[:, 2], nd[:, 3] = x0, y0, x1, y1
    return arr


def rect_array(x: np.ndarray, y: np.ndarray, w: np.ndarray | float, h: np.ndarray) -> PrimitiveArray:
    """QRectF array from corner, width and height."""
    arr = PrimitiveArray(QtCore.QRectF, 4)
    arr.resize(len(x))
    nd = arr.ndarray()
    nd[:, 0], nd[:, 1], nd[:, 2], nd[:, 3] = x, y, w, h
    return arr


def pixel_size(item: pg.GraphicsObject) -> tuple[float, float]:
    """Data units per screen pixel of ``item``'s view, from its range and size (cheap)."""
    vb = item.getViewBox()
    if vb is None or not hasattr(vb, "viewRange"):
        return 0.0, 0.0
    (x0, x1), (y0, y1) = vb.viewRange()
    w, h = vb.width(), vb.height()
    return (abs(x1 - x0) / w if w > 0 else 0.0), (abs(y1 - y0) / h if h > 0 else 0.0)


@dataclass(frozen=True, slots=True)
class _Window:
    detailed: bool
    column_seconds: float
    x0: float
    x1: float

    def serves(self, detailed: bool, column_seconds: float, x0: float, x1: float) -> bool:
        if detailed != self.detailed or x0 < self.x0 or x1 > self.x1:
            return False
        return detailed or abs(column_seconds / self.column_seconds - 1) <= _PX_TOLERANCE


class WindowedItem(pg.GraphicsObject):
    """Shared machinery; subclasses implement ``_build_raw``, ``_build_columns``, ``_draw``.

    ``detail_min_px``: a bar slot at least this many pixels wide is drawn from raw
    samples, a narrower one from column aggregates.
    """

    detail_min_px = 3.0

    def __init__(self) -> None:
        super().__init__()
        self._pyramid: Pyramid | None = None
        self._window: _Window | None = None
        self._bounds = QtCore.QRectF()
        self._bounding_rect: QtCore.QRectF | None = None
        self.drawn_columns: Columns | None = None
        """Aggregates behind the primitives now cached (None while drawing raw samples)."""

    # -- data -------------------------------------------------------------------------
    def _set_pyramid(self, pyramid: Pyramid | None) -> None:
        self.prepareGeometryChange()
        self._pyramid = pyramid
        self._invalidate()

    def _tail_changed(self, first_changed: int) -> None:
        self.prepareGeometryChange()
        window = self._window
        x = self._pyramid.x
        if window is not None and first_changed < len(x) and x[first_changed] > window.x1 + self._pyramid.bar_seconds:
            # the change lies beyond the cached window: primitives stay valid
            self._bounds = self._data_rect()
            self._bounding_rect = None
            self.informViewBoundsChanged()
            self.update()
            return
        self._invalidate()

    def _invalidate(self) -> None:
        self._window = None
        self.drawn_columns = None
        self._bounds = self._data_rect()
        self._bounding_rect = None
        self.informViewBoundsChanged()
        self.update()

    def bar_count(self) -> int:
        return 0 if self._pyramid is None else self._pyramid.size

    def _data_rect(self) -> QtCore.QRectF:
        """Rectangle of everything the data could draw, in data coordinates."""
        raise NotImplementedError

    # -- Qt / pyqtgraph protocol ----------------------------------------------------------
    def boundingRect(self) -> QtCore.QRectF:
        if self._bounding_rect is None:
            rect = QtCore.QRectF(self._bounds)
            px, py = pixel_size(self)
            if not rect.isNull():
                # cosmetic pens reach about a pixel beyond the geometry
                rect.adjust(-2 * px, -2 * py, 2 * px, 2 * py)
            self._bounding_rect = rect
        return self._bounding_rect

    def viewTransformChanged(self) -> None:
        super().viewTransformChanged()
        self._bounding_rect = None
        self.prepareGeometryChange()

    def dataBounds(self, ax: int, frac: float = 1.0, orthoRange=None):
        if self._pyramid is None or self._pyramid.size == 0:
            return None, None
        if ax == 0:
            return self._bounds.left(), self._bounds.right()
        if orthoRange is None:
            return self._bounds.top(), self._bounds.bottom()
        lo, hi = self._y_range(orthoRange[0], orthoRange[1])
        if not (np.isfinite(lo) and np.isfinite(hi)):
            return None, None
        return lo, hi

    def _y_range(self, x0: float, x1: float) -> tuple[float, float]:
        raise NotImplementedError

    def visible_slice(self, x0: float, x1: float) -> tuple[int, int]:
        """Raw indices ``i:j`` of the bars whose slot overlaps ``[x0, x1]``."""
        x, half = self._pyramid.x, self._pyramid.bar_seconds / 2
        return (int(np.searchsorted(x, x0 - half, side="left")),
                int(np.searchsorted(x, x1 + half, side="right")))

    def paint(self, painter: QtGui.QPainter, *args) -> None:
        pyr = self._pyramid
        if pyr is None or pyr.size == 0:
            return
        scale = painter.transform().m11()
        view = self.viewRect()
        if scale <= 0 or view is None:
            return
        column_seconds = 1.0 / scale
        x0, x1 = view.left(), view.right()
        detailed = pyr.bar_seconds * scale >= self.detail_min_px
        if self._window is None or not self._window.serves(detailed, column_seconds, x0, x1):
            margin = (x1 - x0) * _SCREENS_EACH_SIDE
            lo_x, hi_x = x0 - margin, x1 + margin
            if detailed:
                self.drawn_columns = None
                lo, hi = window_slice(pyr, lo_x - pyr.bar_seconds, hi_x + pyr.bar_seconds)
                self._build_raw(lo, hi)
            else:
                self.drawn_columns = aggregate_columns(pyr, lo_x, hi_x, column_seconds)
                self._build_columns(self.drawn_columns)
            self._window = _Window(detailed, column_seconds, lo_x, hi_x)
        self._draw(painter)

    def _build_raw(self, lo: int, hi: int) -> None:
        raise NotImplementedError

    def _build_columns(self, columns: Columns) -> None:
        raise NotImplementedError

    def _draw(self, painter: QtGui.QPainter) -> None:
        raise NotImplementedError
