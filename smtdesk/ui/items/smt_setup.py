"""Paints a :class:`~smtdesk.ui.smt_drawing.Drawing`: lines and zones in data
coordinates, labels in boxes laid out each paint so they stay inside the pane and
clear of each other and of the pane's legend."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from pyqtgraph.Qt import QtCore, QtGui

from smtdesk.ui.items._annotations import AnnotationItem, Shapes, Style
from smtdesk.ui.items._label_layout import place
from smtdesk.ui.smt_drawing import Drawing, Label, Spot
from smtdesk.ui.theme import brush, pen, qcolor

FONT_PX = 11
PAD_X, PAD_Y = 5.0, 3.0
EDGE_PX = 3.0
"""Labels keep this far from the pane's edges."""


def _cols(rows: list[tuple]) -> tuple[np.ndarray, ...]:
    return tuple(np.asarray(c, np.float64) for c in (zip(*rows) if rows else ([],) * 5))


class SmtSetupItem(AnnotationItem):
    """One pane's drawing; ``reserved`` gives areas (device pixels) labels leave free."""

    def __init__(self) -> None:
        super().__init__()
        self.drawing = Drawing()
        self.reserved: Callable[[], list[QtCore.QRectF]] = list
        self.placed: list[tuple[Label, QtCore.QRectF]] = []
        """Each label the last paint drew and its box, in device pixels."""
        self._font = QtGui.QFont()
        self._font.setPixelSize(FONT_PX)
        self._bold = QtGui.QFont(self._font)
        self._bold.setBold(True)
        self._sizes: dict[tuple, tuple[float, float]] = {}

    def set_drawing(self, drawing: Drawing) -> None:
        self.drawing = drawing
        styles: list[Style] = []
        index: dict[tuple, int] = {}

        def style_of(key: tuple, make: Callable[[], Style]) -> int:
            if key not in index:
                index[key] = len(styles)
                styles.append(make())
            return index[key]

        rects = [
            (z.x0, z.y0, z.x1, z.y1, style_of(("zone", z.fill), lambda z=z: Style(None, brush(z.fill))))
            for z in drawing.zones
        ]
        segments = [
            (ln.x0, ln.y0, ln.x1, ln.y1, style_of(
                ("line", ln.colour, ln.width, ln.dashed),
                lambda ln=ln: Style(pen(ln.colour, ln.width, style=QtCore.Qt.DashLine if ln.dashed else None)),
            ))
            for ln in drawing.lines
        ]
        self._set_shapes(Shapes(rects=_cols(rects), segments=_cols(segments)), styles)

    def visible_range(self, x0: float, x1: float) -> tuple[float, float]:
        """Prices the zones between ``x0`` and ``x1`` span, so the pane's fit shows a
        plan's stop and target whole (lines are at prices the candles reach)."""
        ys = [y for z in self.drawing.zones if z.x1 >= x0 and z.x0 <= x1 for y in (z.y0, z.y1)]
        return (min(ys), max(ys)) if ys else (np.nan, np.nan)

    # -- Qt / pyqtgraph protocol ------------------------------------------------------
    def boundingRect(self) -> QtCore.QRectF:
        rect = super().boundingRect()
        view = self.viewRect()
        if self.drawing.labels and view is not None:
            rect = rect.united(view)  # labels are kept inside the view, wherever their lines are
        return rect

    def _paint_device(self, painter: QtGui.QPainter) -> None:
        super()._paint_device(painter)
        view = self.viewRect()
        labels = [lab for lab in self.drawing.labels if lab.x1 >= view.left() and lab.x0 <= view.right()]
        self.placed = []
        if not labels:
            return
        t = painter.transform()
        bounds = t.mapRect(view).adjusted(EDGE_PX, EDGE_PX, -EDGE_PX, -EDGE_PX)
        painter.save()
        painter.resetTransform()
        metrics = QtGui.QFontMetricsF(self._font)
        wanted = []
        for lab in labels:
            w, h = self._size(lab, metrics)
            wanted.append([self._box(t, spot, w, h) for spot in lab.spots])
        boxes = place(wanted, bounds, self.reserved())
        line_height = metrics.height()
        for lab, box in zip(labels, boxes):
            painter.setPen(pen(lab.border))
            painter.setBrush(QtGui.QBrush(qcolor(lab.fill)))
            painter.drawRect(box)
            y = box.top() + PAD_Y + metrics.ascent()
            for i, (text, colour) in enumerate(lab.rows):
                painter.setFont(self._bold if i == 0 and len(lab.rows) > 1 else self._font)
                painter.setPen(qcolor(colour))
                painter.drawText(QtCore.QPointF(box.left() + PAD_X, y), text)
                y += line_height
            self.placed.append((lab, box))
        painter.restore()

    def _size(self, lab: Label, metrics: QtGui.QFontMetricsF) -> tuple[float, float]:
        size = self._sizes.get(lab.rows)
        if size is None:
            bold = QtGui.QFontMetricsF(self._bold)
            widths = [(bold if i == 0 and len(lab.rows) > 1 else metrics).horizontalAdvance(text)
                      for i, (text, _) in enumerate(lab.rows)]
            size = (max(widths) + 2 * PAD_X, len(lab.rows) * metrics.height() + 2 * PAD_Y)
            if len(self._sizes) > 256:
                self._sizes.clear()
            self._sizes[lab.rows] = size
        return size

    @staticmethod
    def _box(t: QtGui.QTransform, spot: Spot, w: float, h: float) -> QtCore.QRectF:
        p = t.map(QtCore.QPointF(spot.x, spot.y))
        return QtCore.QRectF(p.x() - spot.ax * w + spot.dx, p.y() - spot.ay * h + spot.dy, w, h)
