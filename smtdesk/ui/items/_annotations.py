"""Base for items that annotate a pane: boxes, segments, markers and labels.

Shapes are kept as columns in data coordinates (x in epoch seconds) with a style index
each. A paint draws only the shapes whose x extent meets the visible range, one batched
``drawRects``/``drawLines`` call per style; markers and labels keep their pixel size
whatever the zoom, so they are drawn in device coordinates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyqtgraph as pg
from pyqtgraph.Qt import QtCore, QtGui

from smtdesk.ui.items._windowed import line_array, pixel_size, rect_array
from smtdesk.ui.theme import qcolor

LABEL_PX = (90, 18)
"""Room a label or marker may take beyond the shapes' data bounds, in pixels."""


@dataclass(frozen=True, slots=True)
class Style:
    """How one group of shapes looks; None draws no outline (pen) or no fill (brush)."""

    pen: QtGui.QPen | None
    brush: QtGui.QBrush | None = None
    text: QtGui.QColor | None = None


def _cols(*arrays) -> tuple[np.ndarray, ...]:
    return tuple(np.asarray(a, np.float64) for a in arrays)


@dataclass(frozen=True, slots=True)
class Shapes:
    """Every shape of an item; each family is columns plus a style index per row.

    ``rects`` and ``segments`` are (x0, y0, x1, y1, style); ``markers`` are (x, y, below,
    style): a small triangle a few pixels under (x, y) pointing up at it (``below`` > 0,
    a low) or over it pointing down (a high); ``labels`` are (x, y, text, style), text
    left-aligned just above (x, y).
    """

    rects: tuple[np.ndarray, ...] = field(default_factory=lambda: _cols(*([()] * 5)))
    segments: tuple[np.ndarray, ...] = field(default_factory=lambda: _cols(*([()] * 5)))
    markers: tuple[np.ndarray, ...] = field(default_factory=lambda: _cols(*([()] * 4)))
    labels: tuple[tuple[float, float, str, int], ...] = ()

    def bounds(self) -> QtCore.QRectF:
        xs, ys = [], []
        for x0, y0, x1, y1, _ in (self.rects, self.segments):
            xs += [x0, x1]
            ys += [y0, y1]
        xs.append(self.markers[0])
        ys.append(self.markers[1])
        xs.append(np.array([lab[0] for lab in self.labels]))
        ys.append(np.array([lab[1] for lab in self.labels]))
        x = np.concatenate([np.ravel(v) for v in xs])
        y = np.concatenate([np.ravel(v) for v in ys])
        ok = np.isfinite(x) & np.isfinite(y)
        if not ok.any():
            return QtCore.QRectF()
        x, y = x[ok], y[ok]
        return QtCore.QRectF(x.min(), y.min(), x.max() - x.min(), y.max() - y.min())


MARKER_PX = 3.5
"""Half the width of a marker triangle."""
MARKER_GAP_PX = 3.0
"""Space between a marker's tip and the price it marks."""


class AnnotationItem(pg.GraphicsObject):
    """Draws :class:`Shapes` with a list of :class:`Style`; subclasses build both."""

    def __init__(self) -> None:
        super().__init__()
        self._shapes = Shapes()
        self._styles: list[Style] = []
        self._bounds = QtCore.QRectF()
        self._label_fill: QtGui.QColor | None = None

    # -- data -------------------------------------------------------------------------
    def _set_shapes(self, shapes: Shapes, styles: list[Style], *, label_fill: str | None = None) -> None:
        """Show ``shapes``; labels sit on ``label_fill`` (a colour) when given, so they
        read over candles."""
        self.prepareGeometryChange()
        self._shapes, self._styles = shapes, styles
        self._label_fill = None if label_fill is None else qcolor(label_fill)
        self._bounds = shapes.bounds()
        self.informViewBoundsChanged()
        self.update()

    @property
    def shapes(self) -> Shapes:
        return self._shapes

    # -- Qt / pyqtgraph protocol ------------------------------------------------------
    def boundingRect(self) -> QtCore.QRectF:
        rect = QtCore.QRectF(self._bounds)
        if rect.isNull() and not len(self._shapes.markers[0]) and not self._shapes.labels:
            return rect
        px, py = pixel_size(self)
        return rect.adjusted(-LABEL_PX[0] * px, -LABEL_PX[1] * py, LABEL_PX[0] * px, LABEL_PX[1] * py)

    def viewTransformChanged(self) -> None:
        super().viewTransformChanged()
        self.prepareGeometryChange()  # the pixel margin of the bounds changed

    def dataBounds(self, ax: int, frac: float = 1.0, orthoRange=None):
        return None, None  # annotations never widen a pane's range

    def _visible(self, x0: np.ndarray, x1: np.ndarray) -> np.ndarray:
        view = self.viewRect()
        if view is None:
            return np.zeros(len(x0), bool)
        return (np.maximum(x0, x1) >= view.left()) & (np.minimum(x0, x1) <= view.right())

    def paint(self, painter: QtGui.QPainter, *args) -> None:
        s = self._shapes
        if self.viewRect() is None:
            return
        x0, y0, x1, y1, style = s.rects
        show = self._visible(x0, x1)
        for i, st in enumerate(self._styles):
            sel = show & (style == i)
            if sel.any():
                painter.setPen(st.pen if st.pen is not None else QtCore.Qt.PenStyle.NoPen)
                painter.setBrush(st.brush if st.brush is not None else QtCore.Qt.BrushStyle.NoBrush)
                rects = rect_array(x0[sel], y0[sel], x1[sel] - x0[sel], y1[sel] - y0[sel])
                painter.drawRects(*rects.drawargs())
        x0, y0, x1, y1, style = s.segments
        show = self._visible(x0, x1)
        for i, st in enumerate(self._styles):
            sel = show & (style == i)
            if sel.any() and st.pen is not None:
                painter.setPen(st.pen)
                painter.drawLines(*line_array(x0[sel], y0[sel], x1[sel], y1[sel]).drawargs())
        self._paint_device(painter)

    def _paint_device(self, painter: QtGui.QPainter) -> None:
        """Markers and labels, at a fixed pixel size."""
        s = self._shapes
        mx, my, below, mstyle = s.markers
        show = self._visible(mx, mx)
        labels = [lab for lab in s.labels if self._visible(np.array([lab[0]]), np.array([lab[0]]))[0]]
        if not show.any() and not labels:
            return
        t = painter.transform()
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
        px = t.m11() * mx + t.m21() * my + t.dx()
        py = t.m12() * mx + t.m22() * my + t.dy()
        for i, st in enumerate(self._styles):
            sel = np.flatnonzero(show & (mstyle == i))
            if not len(sel):
                continue
            painter.setPen(QtCore.Qt.PenStyle.NoPen)
            painter.setBrush(st.brush if st.brush is not None else QtGui.QBrush(st.pen.color()))
            h = MARKER_PX * 1.6
            for k in sel.tolist():
                # device y grows downward: a low's marker sits under it
                side = 1.0 if below[k] > 0 else -1.0
                tip = py[k] + side * MARKER_GAP_PX
                base = tip + side * h
                cx = px[k]
                painter.drawPolygon(QtGui.QPolygonF([
                    QtCore.QPointF(cx, tip), QtCore.QPointF(cx - MARKER_PX, base),
                    QtCore.QPointF(cx + MARKER_PX, base)]))
        font = painter.font()
        font.setPixelSize(10)
        painter.setFont(font)
        metrics = QtGui.QFontMetricsF(font)
        for x, y, text, i in labels:
            st = self._styles[i]
            colour = st.text or (st.pen.color() if st.pen is not None else QtGui.QColor("#888"))
            p = t.map(QtCore.QPointF(x, y))
            at = QtCore.QPointF(p.x() + 3, p.y() - 4)
            if self._label_fill is not None:
                box = metrics.boundingRect(text).translated(at).adjusted(-2, -1, 2, 1)
                painter.fillRect(box, self._label_fill)
            painter.setPen(colour)
            painter.drawText(at, text)
        painter.restore()
