"""Swing levels: each swing drawn as the liquidity resting at its price.

A level runs from its swing bar to the bar that took it, marked there with a small ring,
or to the newest bar while it rests. Major, minor and hand-placed levels look different;
minor ones are drawn only while their layer is shown and the bars are wide enough to
tell them apart. Price labels go on the levels that matter most first (hand-placed,
still resting, newest) and never on top of one another.

The item also finds the level under the mouse: a drag or click there is reported
(``sigDragged``, ``sigClicked``) and anything else passes on to the view (a pan).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtCore import Signal as QtSignal
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen

from smtdesk.core.candles import Candles
from smtdesk.core.structure.swing_levels import MAJOR, MANUAL, MINOR, SwingLevels
from smtdesk.ui.items._annotations import AnnotationItem, Shapes
from smtdesk.ui.items._windowed import line_array, pixel_size
from smtdesk.ui.theme import DARK, Palette, pen

MINOR_MIN_PX_PER_BAR = 4.0
"""Zoomed out further, minor levels would hatch the chart: only major and manual ones stay."""
LABEL_MIN_PX_PER_BAR = 1.5
"""Zoomed out further, no level is labelled: the price axis reads better than a crowd."""
MAX_LABELS = 8
"""Labels per pane at most; the most important levels get them."""
HIT_PX = 5.0
"""How far from a level line (or its marker) a press still takes hold of it."""
HANDLE_PX = 40.0
"""A drag takes hold of a level this far along it from its swing bar (or anywhere along
it once selected): levels cross the whole chart, and a drag anywhere else pans."""
MARKER_REACH_PX = 16.0
"""A swing's marker sits this far (or less) beyond its level, above a high or below a low."""
RING_PX = 3.0
RING_MIN_PX_PER_BAR = 3.0
"""Zoomed out further, the rings where levels were taken would crowd every swing."""
MIN_LEVEL_PX = 12.0
"""An automatic level shorter than this on screen was taken at once: zoomed out, it is noise."""
LABEL_MIN_SPAN_PX = 40.0
"""A level shorter than this on screen gets no label."""
LEGEND_PX = 36
"""The pane's legend covers its top; no label goes under it."""


def price_text(v: float) -> str:
    return f"{v:,.2f}" if abs(v) >= 100 else f"{v:,.4f}"


class SwingLevelItem(AnnotationItem):
    """Every swing level of one price pane."""

    sigDragged = QtSignal(int, float, bool)
    """(row of the level, x where the mouse is, whether the drag finished)."""
    sigClicked = QtSignal(int)
    """Row of the level clicked."""

    def __init__(self, *, palette: Palette = DARK) -> None:
        super().__init__()
        self._palette = palette
        self.levels: SwingLevels | None = None
        self._x0 = self._x1 = self._y = np.empty(0)
        self._by_end, self._ends = np.empty(0, np.int64), np.empty(0)
        self._bar_seconds = 3600.0
        self.minor_shown = False
        self.hidden_row = -1  # the level being dragged: its preview stands in for it
        self.selected_row = -1
        self._dragging = -1
        self.drawn_labels: list[tuple[str, QRectF]] = []  # the last paint's, in pixels
        self._pens: dict[tuple[int, bool], QPen] = {}
        self.set_palette(palette)

    # -- data -------------------------------------------------------------------------
    def set_palette(self, palette: Palette) -> None:
        self._palette = palette
        p = palette
        self._fill = QColor(p.background)
        self._fill.setAlpha(200)
        manual = p.text  # no overlay, indicator or swing uses it
        self._pens = {
            (MAJOR, True): pen(p.swing_color("high") + "d0", 1.0),
            (MAJOR, False): pen(p.swing_color("low") + "d0", 1.0),
            (MINOR, True): pen(p.swing_color("high") + "80", 1.0, style=Qt.DotLine),
            (MINOR, False): pen(p.swing_color("low") + "80", 1.0, style=Qt.DotLine),
            (MANUAL, True): pen(manual, 1.6),
            (MANUAL, False): pen(manual, 1.6),
        }
        self._rings = {key: pen(style.color().name(), 1.2) for key, style in self._pens.items()}
        # zoomed far out the candles are thin: fainter automatic levels leave them in front
        self._faint = dict(self._pens)
        for kind in ("high", "low"):
            self._faint[(MAJOR, kind == "high")] = pen(p.swing_color(kind) + "70", 1.0)
        self.update()

    def set_levels(self, candles: Candles, levels: SwingLevels, bar_seconds: float) -> None:
        x = candles.time / 1000.0
        self.levels, self._bar_seconds = levels, bar_seconds
        self._x0 = x[levels.bar]
        self._x1 = np.where(levels.taken >= 0, x[np.maximum(levels.taken, 0)], x[-1])
        self._y = levels.level
        # rows by where they end, so a paint finds those reaching into view by a search
        self._by_end = np.argsort(self._x1, kind="stable")
        self._ends = self._x1[self._by_end]
        # the shapes give the bounds the base item keeps; this item paints them itself
        self._set_shapes(Shapes(segments=(self._x0, self._y, self._x1, self._y, np.zeros(len(self._x0)))), [])

    def set_minor_shown(self, shown: bool) -> None:
        self.minor_shown = shown
        self.update()

    def row_of(self, bar: int, is_high: bool) -> int:
        """The row of the level of the swing on ``bar``, -1 if none."""
        if self.levels is None:
            return -1
        rows = np.flatnonzero((self.levels.bar == bar) & (self.levels.is_high == is_high))
        return int(rows[0]) if len(rows) else -1

    # -- what is drawn ------------------------------------------------------------------
    def _px_per_bar(self) -> float:
        px, _ = pixel_size(self)
        return self._bar_seconds / px if px > 0 else 0.0

    def _in_view(self) -> np.ndarray:
        """Rows meeting the visible range, ascending, found by search: a long history
        holds a hundred thousand levels and a pan paints every frame."""
        view = self.viewRect()
        if view is None:
            return np.empty(0, np.int64)
        left, right = view.left(), view.right()
        started = int(np.searchsorted(self._x0, right, side="right"))  # rows [0, started) begin by the right edge
        first_end = int(np.searchsorted(self._ends, left))  # _by_end[first_end:] end by the left edge
        if started <= len(self._ends) - first_end:
            rows = np.flatnonzero(self._x1[:started] >= left)
        else:
            rows = self._by_end[first_end:]
            rows = np.sort(rows[self._x0[rows] <= right])
        # the liquidity resting far above or below the prices on screen is not in view either
        y = self._y[rows]
        return rows[(y >= view.top()) & (y <= view.bottom())]

    def drawn_rows(self) -> np.ndarray:
        """Rows of the levels drawn at this zoom that meet the visible range."""
        if self.levels is None or not len(self._x0):
            return np.empty(0, np.int64)
        rows = self._in_view()
        px, _ = pixel_size(self)
        rank = self.levels.rank[rows]
        keep = rows != self.hidden_row
        if not self.minor_shown or px <= 0 or self._bar_seconds / px < MINOR_MIN_PX_PER_BAR:
            keep &= rank != MINOR
        if px > 0:
            keep &= ((self._x1[rows] - self._x0[rows]) / px >= MIN_LEVEL_PX) | (rank == MANUAL)
        return rows[keep]

    def paint(self, painter: QPainter, *args) -> None:
        if self.viewRect() is None:
            return
        rows = self.drawn_rows()
        if not len(rows):
            return
        lv = self.levels
        pens = self._pens if self._px_per_bar() >= RING_MIN_PX_PER_BAR else self._faint
        for (rank, high), style_pen in pens.items():
            sel = rows[(lv.rank[rows] == rank) & (lv.is_high[rows] == high)]
            if len(sel):
                painter.setPen(style_pen)
                painter.drawLines(*line_array(self._x0[sel], self._y[sel], self._x1[sel], self._y[sel]).drawargs())
        if 0 <= self.selected_row and self.selected_row in rows:
            r = self.selected_row
            painter.setPen(pen(self._palette.text, 2.5))
            painter.drawLine(QPointF(self._x0[r], self._y[r]), QPointF(self._x1[r], self._y[r]))
        self._paint_marks(painter, rows)

    def _paint_marks(self, painter: QPainter, rows: np.ndarray) -> None:
        """Rings where levels were taken, and price labels, at a fixed pixel size."""
        lv = self.levels
        t = painter.transform()
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        taken = rows[lv.taken[rows] >= 0] if self._px_per_bar() >= RING_MIN_PX_PER_BAR else rows[:0]
        for r in taken.tolist():
            p = t.map(QPointF(self._x1[r], self._y[r]))
            painter.setPen(self._rings[(int(lv.rank[r]), bool(lv.is_high[r]))])
            painter.drawEllipse(p, RING_PX, RING_PX)
        self.drawn_labels = []
        if self._px_per_bar() >= LABEL_MIN_PX_PER_BAR:
            self._paint_labels(painter, t, rows)
        painter.restore()

    def _paint_labels(self, painter: QPainter, t, rows: np.ndarray) -> None:
        lv = self.levels
        font = painter.font()
        font.setPixelSize(10)
        painter.setFont(font)
        metrics = QFontMetricsF(font)
        view = self.viewRect()
        left = t.map(QPointF(view.left(), view.top())).x()
        right = t.map(QPointF(view.right(), view.top())).x()
        # a level shorter on screen than a label is taken soon after: its ring says enough
        span = (np.minimum(self._x1[rows], view.right()) - np.maximum(self._x0[rows], view.left())) * t.m11()
        rows = rows[span >= LABEL_MIN_SPAN_PX]
        if self._px_per_bar() < 2 * MINOR_MIN_PX_PER_BAR:
            rows = rows[lv.rank[rows] != MINOR]
        # most important first: hand-placed, then still resting, then the newest
        order = np.lexsort((-lv.bar[rows], lv.taken[rows] >= 0, lv.rank[rows] != MANUAL))
        for r in rows[order][: 3 * MAX_LABELS].tolist():  # the rest would rarely find room
            if len(self.drawn_labels) >= MAX_LABELS:
                break
            a = t.map(QPointF(self._x0[r], self._y[r]))
            b = t.map(QPointF(self._x1[r], self._y[r]))
            text = price_text(float(self._y[r]))
            box = metrics.boundingRect(text).adjusted(-2, -1, 2, 1)
            if lv.taken[r] < 0:  # resting liquidity: read at the right, beside the price axis
                x = min(b.x(), right) - box.width() - 6
            else:
                x = max(a.x(), left) + 6
            if x < max(a.x(), left) or x + box.width() > b.x() + 40:
                continue  # no room beside the swing bar or the axis
            # over a high's line, under a low's, so the label never hides the level
            y = a.y() - 3 if lv.is_high[r] else a.y() + box.height() - 1
            rect = box.translated(x, y)
            if rect.top() < LEGEND_PX or any(rect.intersects(o) for _, o in self.drawn_labels):
                continue
            self.drawn_labels.append((text, rect))
            colour = self._pens[(int(lv.rank[r]), bool(lv.is_high[r]))].color()
            colour.setAlpha(255)
            painter.fillRect(rect, self._fill)
            painter.setPen(colour)
            painter.drawText(QPointF(x, y), text)

    # -- mouse ---------------------------------------------------------------------------
    def row_at(self, pos: QPointF, *, to_drag: bool = False) -> int:
        """The drawn level nearest ``pos`` (item coordinates) within reach, -1 if none;
        ``to_drag`` reaches only its handle (see :data:`HANDLE_PX`) unless selected."""
        rows = self.drawn_rows()
        px, py = pixel_size(self)
        if not len(rows) or px <= 0 or py <= 0:
            return -1
        lv = self.levels
        x, y = pos.x(), pos.y()
        dx_before = (self._x0[rows] - x) / px  # pixels from the swing bar to the right
        along = (dx_before <= HIT_PX * 2) & ((x - self._x1[rows]) / px <= HIT_PX)
        dy = (y - self._y[rows]) / py  # pixels, up positive
        if to_drag:
            along &= (-dx_before <= HANDLE_PX) | (rows == self.selected_row)
        on_line = along & (np.abs(dy) <= HIT_PX)
        # the marker: over a high (up in data), under a low, at the swing bar
        side = np.where(lv.is_high[rows], dy, -dy)
        on_marker = (np.abs(dx_before) <= HIT_PX * 2) & (side >= 0) & (side <= MARKER_REACH_PX)
        hit = on_line | on_marker
        if not hit.any():
            return -1
        cand = np.flatnonzero(hit)
        return int(rows[cand[np.argmin(np.abs(dy[cand]))]])

    def mouseDragEvent(self, ev) -> None:
        if ev.button() != Qt.LeftButton:
            ev.ignore()
            return
        if ev.isStart():
            self._dragging = self.row_at(ev.buttonDownPos(), to_drag=True)
        if self._dragging < 0:
            ev.ignore()
            return
        ev.accept()
        row = self._dragging
        if ev.isFinish():
            self._dragging = -1
        self.sigDragged.emit(row, float(ev.pos().x()), bool(ev.isFinish()))

    def mouseClickEvent(self, ev) -> None:
        if ev.button() != Qt.LeftButton:
            ev.ignore()
            return
        row = self.row_at(ev.pos())
        if row < 0:
            ev.ignore()
            return
        ev.accept()
        self.sigClicked.emit(row)
