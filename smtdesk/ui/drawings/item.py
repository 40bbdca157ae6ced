"""One drawing on a price pane: lines a pixel wide, labels a fixed size, whatever the zoom.

The anchors are in view coordinates (open time in seconds, price); everything is drawn in
device pixels from them, so lines stay thin and labels readable as the chart pans and
zooms. The same pixel geometry answers which part of the drawing the mouse is on.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

from smtdesk.core.drawings import (
    ELLIOTT,
    ELLIOTT_LABELS,
    EXTENSION_RATIOS,
    FIB_EXTENSION,
    FIB_RETRACEMENT,
    HLINE,
    RECT,
    RETRACEMENT_RATIOS,
    Drawing,
    extension_levels,
    retracement_levels,
)
from smtdesk.ui.theme import DARK, Palette

HANDLE_PX = 7
"""Side of the square handle drawn on each anchor of the selected drawing."""
GRAB_PX = 6
"""How near a line or an anchor the mouse must be to take it."""
LABEL_GAP_PX = 4
FIB_REACH_PX = 48
"""Fibonacci levels run this far right of the later point, their labels after them."""
BAND_ALPHA = 22
LINE_PX = 1.5
FONT_PX = 11
BODY = -1
"""What :meth:`DrawingItem.hit` returns for the drawing itself (anchors are 0, 1, ...)."""


def price_text(price: float) -> str:
    return f"{price:,.2f}" if abs(price) >= 100 else f"{price:,.4f}"


def _font(bold: bool = False) -> QFont:
    font = QFont()
    font.setPixelSize(FONT_PX)
    font.setBold(bold)
    return font


class DrawingItem(pg.GraphicsObject):
    """Paints one :class:`Drawing`; ``selected`` shows its anchors as handles."""

    def __init__(self, drawing: Drawing, palette: Palette = DARK) -> None:
        super().__init__()
        self.drawing = drawing
        self.selected = False
        self._palette = palette
        self._drawn: list[tuple[str, QRectF]] = []  # each label of the last paint, in device pixels
        self.setZValue(30)  # over candles and overlays, under the crosshair

    def set_drawing(self, drawing: Drawing) -> None:
        self.drawing = drawing
        self.update()

    def set_selected(self, selected: bool) -> None:
        self.selected = selected
        self.update()

    def set_palette(self, palette: Palette) -> None:
        self._palette = palette
        self.update()

    # -- Qt and pyqtgraph hooks ---------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        # Lines run to the view's edge and labels have a pixel size: the visible area bounds them.
        view = self.viewRect()
        return QRectF() if view is None else view

    def viewTransformChanged(self) -> None:
        super().viewTransformChanged()
        self.prepareGeometryChange()

    def dataBounds(self, ax: int, frac: float = 1.0, orthoRange=None):
        return None, None  # a drawing never widens the pane's range

    def paint(self, p: QPainter, *args) -> None:
        view = self.viewRect()
        if view is None:
            return
        to_device = p.transform()
        anchors = [to_device.map(QPointF(t / 1000.0, price)) for t, price in self.drawing.points]
        box = to_device.mapRect(view)
        self._drawn = []
        p.save()
        p.resetTransform()
        p.setRenderHint(QPainter.Antialiasing)
        self._draw(p, anchors, box)
        if self.selected:
            self._draw_handles(p, anchors)
        p.restore()

    # -- geometry in device pixels ------------------------------------------------------------
    def lines(self, anchors: list[QPointF], box: QRectF) -> list[QLineF]:
        """The straight lines the drawing is made of, in device pixels."""
        kind = self.drawing.kind
        if kind == HLINE:
            y = anchors[0].y()
            return [QLineF(box.left(), y, box.right(), y)]
        if kind in (FIB_RETRACEMENT, FIB_EXTENSION):
            left, right = sorted((anchors[0].x(), anchors[1].x()))
            return [QLineF(left, y, right + FIB_REACH_PX, y) for _, _, y in self._levels(anchors)]
        if kind == RECT:
            r = QRectF(anchors[0], anchors[1]).normalized()
            return [QLineF(r.topLeft(), r.topRight()), QLineF(r.topRight(), r.bottomRight()),
                    QLineF(r.bottomRight(), r.bottomLeft()), QLineF(r.bottomLeft(), r.topLeft())]
        return [QLineF(a, b) for a, b in pairwise(anchors)]

    def hit(self, pos: QPointF, anchors: list[QPointF], box: QRectF, *, inside: bool = False) -> int | None:
        """The anchor (0, 1, ...) or ``BODY`` the device point ``pos`` is on; None when off it.

        ``inside`` also takes a point within a rectangle or between Fibonacci levels, which
        the caller asks only when no drawing has a line or an anchor there.
        """
        for i, a in enumerate(anchors):
            if abs(a.x() - pos.x()) <= GRAB_PX and abs(a.y() - pos.y()) <= GRAB_PX:
                return i
        if any(_distance(pos, line) <= GRAB_PX for line in self.lines(anchors, box)):
            return BODY
        if not inside:
            return None
        if self.drawing.kind == RECT and QRectF(anchors[0], anchors[1]).normalized().contains(pos):
            return BODY
        if self.drawing.kind in (FIB_RETRACEMENT, FIB_EXTENSION) and len(anchors) == 2:
            x0, x1 = sorted((anchors[0].x(), anchors[1].x()))
            ys = [y for _, _, y in self._levels(anchors)]
            if x0 - GRAB_PX <= pos.x() <= x1 + FIB_REACH_PX and min(ys) - GRAB_PX <= pos.y() <= max(ys) + GRAB_PX:
                return BODY
        return None

    def _levels(self, anchors: list[QPointF]) -> list[tuple[float, float, float]]:
        """(ratio, price, device y) of each Fibonacci level."""
        (_, start), (_, end) = self.drawing.points[:2]
        if self.drawing.kind == FIB_RETRACEMENT:
            ratios, prices = RETRACEMENT_RATIOS, retracement_levels(start, end)
        else:
            ratios, prices = EXTENSION_RATIOS, extension_levels(start, end)
        # device y is linear in price: interpolate between the two anchors
        y0, y1 = anchors[0].y(), anchors[1].y()
        span = end - start
        ys = np.full(len(prices), y0) if span == 0 else y0 + (prices - start) / span * (y1 - y0)
        return list(zip(ratios, prices.tolist(), ys.tolist()))

    # -- painting -----------------------------------------------------------------------------
    def _colour(self) -> QColor:
        return QColor(self._palette.series_color(1))

    def _draw(self, p: QPainter, anchors: list[QPointF], box: QRectF) -> None:
        kind, colour = self.drawing.kind, self._colour()
        line_pen = QPen(colour, LINE_PX)
        if kind in (FIB_RETRACEMENT, FIB_EXTENSION):
            self._draw_fib(p, anchors, box)
            return
        p.setPen(line_pen)
        if kind == RECT:
            fill = QColor(colour)
            fill.setAlpha(36)
            p.setBrush(fill)
            p.drawRect(QRectF(anchors[0], anchors[1]).normalized())
            return
        for line in self.lines(anchors, box):
            p.drawLine(line)
        if kind == HLINE:
            self._label(p, price_text(self.drawing.points[0][1]), QPointF(box.right() - LABEL_GAP_PX,
                        anchors[0].y()), colour, box, right_aligned=True, above=True)
        elif kind == ELLIOTT:
            self._draw_wave_labels(p, anchors, colour)

    def _draw_fib(self, p: QPainter, anchors: list[QPointF], box: QRectF) -> None:
        levels = self._levels(anchors)
        lines = self.lines(anchors, box)
        p.setPen(Qt.NoPen)
        for n, (upper, lower) in enumerate(pairwise(lines)):
            # each band tinted faintly in its lower level's colour, as trading tools do
            fill = QColor(self._level_colour(n + 1, levels[n + 1][0]))
            fill.setAlpha(BAND_ALPHA)
            p.setBrush(fill)
            p.drawRect(QRectF(upper.p1(), lower.p2()).normalized())
        diagonal = QPen(QColor(self._palette.text_muted), 1.0, Qt.DashLine)
        p.setPen(diagonal)
        p.drawLine(anchors[0], anchors[1])
        for n, (line, (ratio, price, y)) in enumerate(zip(lines, levels)):
            colour = QColor(self._level_colour(n, ratio))
            p.setPen(QPen(colour, 1.0))
            p.drawLine(line)
            self._label(p, f"{ratio * 100:g}%  {price_text(price)}", QPointF(line.x2() + LABEL_GAP_PX, y),
                        colour, box)

    def _level_colour(self, n: int, ratio: float) -> str:
        if ratio in (0.0, 1.0):
            return self._palette.text_muted
        return self._palette.series_color(n)

    def _draw_wave_labels(self, p: QPainter, anchors: list[QPointF], colour: QColor) -> None:
        font = _font(bold=True)
        metrics = QFontMetricsF(font)
        p.setFont(font)
        p.setPen(colour)
        ys = [a.y() for a in anchors]
        for i, (a, text) in enumerate(zip(anchors, ELLIOTT_LABELS)):
            neighbours = [ys[j] for j in (i - 1, i + 1) if 0 <= j < len(ys)]
            # a peak (smaller device y than its neighbours) is labelled above, a trough below
            above = not neighbours or a.y() <= sum(neighbours) / len(neighbours)
            w, h = metrics.horizontalAdvance(text), metrics.height()
            y = a.y() - LABEL_GAP_PX - h if above else a.y() + LABEL_GAP_PX
            p.drawText(QRectF(a.x() - w / 2 - 2, y, w + 4, h), Qt.AlignCenter, text)

    def _label(self, p: QPainter, text: str, at: QPointF, colour: QColor, box: QRectF, *,
               right_aligned: bool = False, above: bool = False) -> None:
        """``text`` beside ``at`` on a backing the chart's colour, kept inside the view box
        (never over the price axis)."""
        font = _font()
        metrics = QFontMetricsF(font)
        w, h = metrics.horizontalAdvance(text) + 6, metrics.height() + 2
        x = at.x() - w if right_aligned else at.x()
        x = min(max(x, box.left() + 2), box.right() - w - 2)
        y = at.y() - h - 1 if above else at.y() - h / 2
        rect = QRectF(x, y, w, h)
        backing = QColor(self._palette.background)
        backing.setAlpha(200)
        p.setPen(Qt.NoPen)
        p.setBrush(backing)
        p.drawRect(rect)
        p.setFont(font)
        p.setPen(colour)
        p.drawText(rect, Qt.AlignCenter, text)
        self._drawn.append((text, rect))

    def _draw_handles(self, p: QPainter, anchors: list[QPointF]) -> None:
        p.setPen(QPen(self._colour(), 1.0))
        p.setBrush(QColor(self._palette.background))
        half = HANDLE_PX / 2
        for a in anchors:
            p.drawRect(QRectF(a.x() - half, a.y() - half, HANDLE_PX, HANDLE_PX))


def _distance(pos: QPointF, line: QLineF) -> float:
    """Pixels from ``pos`` to the segment ``line``."""
    a, b = np.array([line.x1(), line.y1()]), np.array([line.x2(), line.y2()])
    q = np.array([pos.x(), pos.y()])
    ab = b - a
    t = 0.0 if not ab.any() else float(np.clip(np.dot(q - a, ab) / np.dot(ab, ab), 0.0, 1.0))
    return float(np.hypot(*(a + t * ab - q)))
