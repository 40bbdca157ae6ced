"""The mouse on one chart's price pane while drawing: place, select, drag, delete.

A filter on the pane's viewport sees each press first. With a tool chosen, clicks place
the drawing's points (click, click; or press, drag, release); with none, a press on a
drawing selects and drags it, and a press anywhere else goes on to the chart as usual
(panning, the crosshair, right-click swing marking). Every finished gesture reports the
chart's drawings before and after it (``edited``); the book turns that into one undo step.
"""

from __future__ import annotations

import uuid

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtCore import Signal as QtSignal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from smtdesk.core.drawings import (
    ELLIOTT,
    FIB_EXTENSION,
    FIB_RETRACEMENT,
    POINTS,
    Drawing,
    Point,
    nearest_within,
)
from smtdesk.ui.drawings.item import BODY, DrawingItem
from smtdesk.ui.drawings.tools import TOOLS
from smtdesk.ui.theme import DARK, Palette

SNAP_PX = 20
"""A Fibonacci point clicked this near a swing extreme lands on it."""
DRAG_PX = 5
"""A press moved further than this before its release drew the second point there."""
SeriesKey = tuple[str, str, str]
PRESS = (QEvent.MouseButtonPress, QEvent.MouseButtonDblClick)
"""Two quick clicks (Elliott labels on neighbouring bars) come as a press and a double click."""


class DrawingController(QObject):
    """The drawings of the series one chart shows, and the gestures that change them."""

    edited = QtSignal(object, tuple, tuple, str)
    """(series key, drawings before, drawings after, what changed) after a finished gesture."""
    selected = QtSignal(object)
    """This controller, when the user selected one of its drawings."""
    placed = QtSignal()
    """A drawing was finished (an Elliott count at its last label): back to the pointer."""

    def __init__(self, chart, *, palette: Palette = DARK) -> None:
        super().__init__(chart)
        self.chart = chart
        self._pane = chart.price
        self._palette = palette
        self.key: SeriesKey | None = None
        self.drawings: tuple[Drawing, ...] = ()
        self.items: dict[str, DrawingItem] = {}
        self.tool: str | None = None
        self.selection: str | None = None
        self._pending: DrawingItem | None = None  # a drawing being placed
        self._press: QPointF | None = None  # where the placing press was, in pixels
        self._wave: str | None = None  # the Elliott count the next click extends
        self._drag: tuple[Drawing, int, QPointF] | None = None  # (as pressed, part, data point)
        self._pane.viewport().installEventFilter(self)

    # -- what is shown ------------------------------------------------------------------------
    def show(self, key: SeriesKey, drawings: tuple[Drawing, ...]) -> None:
        """Show ``drawings`` as the drawings of ``key``, the series this chart now shows."""
        if key != self.key:
            self.cancel()
        self.key = key
        self.drawings = tuple(drawings)
        ids = {d.id for d in self.drawings}
        for gone in set(self.items) - ids:
            self._pane.plot.removeItem(self.items.pop(gone))
        for d in self.drawings:
            if d.id in self.items:
                self.items[d.id].set_drawing(d)
            else:
                item = DrawingItem(d, self._palette)
                self._pane.plot.addItem(item, ignoreBounds=True)
                self.items[d.id] = item
        if self.selection not in ids:
            self.selection = None
        for i, item in self.items.items():
            item.set_selected(i == self.selection)

    def set_palette(self, palette: Palette) -> None:
        self._palette = palette
        for item in [*self.items.values(), *([self._pending] if self._pending else [])]:
            item.set_palette(palette)

    def set_tool(self, tool: str | None) -> None:
        """Draw with ``tool`` from now on (None: the pointer)."""
        self.cancel()
        self.tool = tool
        if tool is not None:
            self.select(None)
        self._pane.viewport().setCursor(Qt.CrossCursor if tool else Qt.ArrowCursor)

    def cancel(self) -> None:
        """Drop a drawing half placed; an Elliott count in progress ends."""
        if self._pending is not None:
            self._pane.plot.removeItem(self._pending)
            self._pending = None
        self._wave = None
        self._drag = None

    def select(self, drawing_id: str | None) -> None:
        self.selection = drawing_id
        for i, item in self.items.items():
            item.set_selected(i == drawing_id)
        if drawing_id is not None:
            self.selected.emit(self)

    def delete_selected(self) -> bool:
        if self.selection is None:
            return False
        self._edit(tuple(d for d in self.drawings if d.id != self.selection), "Delete drawing")
        return True

    def delete_all(self) -> None:
        if self.drawings:
            self._edit((), "Delete all drawings")

    # -- the mouse ----------------------------------------------------------------------------
    def eventFilter(self, watched, event) -> bool:
        kind = event.type()
        if kind not in PRESS + (QEvent.MouseMove, QEvent.MouseButtonRelease) \
                or self.key is None or self.chart.analysis is None:
            return False
        pos = event.position()
        if kind == QEvent.MouseMove:
            return self._on_move(pos)
        inside = self._pane.vb.sceneBoundingRect().contains(self._pane.mapToScene(pos.toPoint()))
        if kind in PRESS:
            return inside and self._on_press(pos, event.button())
        return self._on_release(pos, event.button())

    def _on_press(self, pos: QPointF, button) -> bool:
        if button == Qt.RightButton:
            if self._pending is not None or self._wave is not None:
                self.cancel()
                return True
            hit = self._hit(pos)
            if hit is None:
                return False
            self.select(hit[0].id)
            self._menu(hit[0]).popup(self._pane.viewport().mapToGlobal(pos.toPoint()))
            return True
        if button != Qt.LeftButton:
            return False
        if self.tool is not None:
            self._place(pos)
            return True
        hit = self._hit(pos)
        if hit is None:
            self.select(None)
            return False  # the chart pans
        drawing, part = hit
        self.select(drawing.id)
        self._drag = (drawing, part, self._data(pos))
        return True

    def _on_move(self, pos: QPointF) -> bool:
        if self._pending is not None:
            d = self._pending.drawing
            self._pending.set_drawing(Drawing(d.id, d.kind, (*d.points[:-1], self._point(pos, d.kind))))
            return False  # the crosshair follows too
        if self._drag is None:
            if self.tool is None:
                # a drawing under the pointer shows it can be taken
                over = self.drawings and self._hit(pos) is not None
                self._pane.viewport().setCursor(Qt.SizeAllCursor if over else Qt.ArrowCursor)
            return False
        self.items[self._drag[0].id].set_drawing(self._dragged(pos))
        return True

    def _on_release(self, pos: QPointF, button) -> bool:
        if self._drag is not None and button == Qt.LeftButton:
            before = self._drag[0]
            moved = self._dragged(pos)
            self._drag = None
            if moved != before:
                self._edit(tuple(moved if d.id == before.id else d for d in self.drawings), "Move drawing")
            return True
        if self._pending is not None and self._press is not None and button == Qt.LeftButton:
            pressed, self._press = self._press, None
            if (pos - pressed).manhattanLength() > DRAG_PX:
                self._place(pos)  # pressed, dragged and released: that is the second point
            return True
        return self.tool is not None and button == Qt.LeftButton

    # -- placing ------------------------------------------------------------------------------
    def _place(self, pos: QPointF) -> None:
        tool = self.tool
        if tool == ELLIOTT:
            self._place_wave(pos)
            return
        point = self._point(pos, tool)
        if self._pending is None and POINTS[tool][0] > 1:
            self._pending = DrawingItem(Drawing(uuid.uuid4().hex, tool, (point, point)), self._palette)
            self._pane.plot.addItem(self._pending, ignoreBounds=True)
            self._press = pos
            return
        if self._pending is not None:
            d = self._pending.drawing
            if point == d.points[0]:
                return  # a second click on the first point draws nothing yet
            drawing = Drawing(d.id, d.kind, (d.points[0], point))
            self.cancel()
        else:
            drawing = Drawing(uuid.uuid4().hex, tool, (point,))
        self._edit((*self.drawings, drawing), f"Draw {TOOLS[tool].noun}")
        self.select(drawing.id)
        self.placed.emit()

    def _place_wave(self, pos: QPointF) -> None:
        point = self._point(pos, ELLIOTT)
        wave = next((d for d in self.drawings if d.id == self._wave), None)
        if wave is None:
            wave = Drawing(uuid.uuid4().hex, ELLIOTT, (point,))
            self._edit((*self.drawings, wave), "Place Elliott wave label")
        else:
            wave = Drawing(wave.id, ELLIOTT, (*wave.points, point))
            self._edit(tuple(wave if d.id == wave.id else d for d in self.drawings), "Place Elliott wave label")
        self._wave = wave.id
        self.select(wave.id)
        if len(wave.points) == POINTS[ELLIOTT][1]:
            self.placed.emit()

    def _dragged(self, pos: QPointF) -> Drawing:
        """The drawing being dragged, moved to the mouse at ``pos``."""
        drawing, part, start = self._drag
        if part != BODY:
            points = list(drawing.points)
            points[part] = self._point(pos, drawing.kind)
            return Drawing(drawing.id, drawing.kind, tuple(points))
        now = self._data(pos)
        bar_ms = self.chart.bar_seconds * 1000.0
        shift = round((now.x() - start.x()) * 1000.0 / bar_ms) * int(bar_ms)
        rise = now.y() - start.y()
        return Drawing(drawing.id, drawing.kind, tuple((t + shift, p + rise) for t, p in drawing.points))

    # -- pixels, bars and prices ----------------------------------------------------------------
    def _data(self, pos: QPointF) -> QPointF:
        return self._pane.vb.mapSceneToView(self._pane.mapToScene(pos.toPoint()))

    def _point(self, pos: QPointF, kind: str) -> Point:
        """The anchor a click at ``pos`` makes: on a bar's open time; at a swing's extreme
        for a Fibonacci point near one; at the bar's high or low for an Elliott label."""
        at = self._data(pos)
        if kind in (FIB_RETRACEMENT, FIB_EXTENSION):
            swing = self._swing_near(at)
            if swing is not None:
                return swing
        t = self._bar_time(at.x())
        if kind == ELLIOTT:
            c = self.chart.analysis.candles
            i = int(np.clip(np.searchsorted(c.time, t), 0, len(c) - 1))
            high, low = float(c.high[i]), float(c.low[i])
            return t, high if abs(at.y() - high) <= abs(at.y() - low) else low
        return t, float(at.y())

    def _bar_time(self, x: float) -> int:
        """Open time (ms) of the bar nearest ``x`` seconds, past the last bar too."""
        times = self.chart.analysis.candles.time
        bar_ms = int(self.chart.bar_seconds * 1000)
        ms = x * 1000.0
        if ms >= times[-1]:
            return int(times[-1]) + round((ms - times[-1]) / bar_ms) * bar_ms
        if ms <= times[0]:
            return int(times[0]) - round((times[0] - ms) / bar_ms) * bar_ms
        i = int(np.searchsorted(times, ms))
        return int(times[i - 1] if ms - times[i - 1] < times[i] - ms else times[i])

    def _swing_near(self, at: QPointF) -> Point | None:
        a = self.chart.analysis
        c = a.candles
        manual = {kind: c.time.searchsorted([m.time for m in a.manual if m.kind == kind]) for kind in ("high", "low")}
        highs = np.union1d(a.swings.high_idx, manual["high"]).astype(np.int64)
        lows = np.union1d(a.swings.low_idx, manual["low"]).astype(np.int64)
        times = np.concatenate([c.time[highs], c.time[lows]])
        prices = np.concatenate([c.high[highs], c.low[lows]])
        x_per_px, y_per_px = self._pane.vb.viewPixelSize()
        i = nearest_within(at.x(), at.y(), times / 1000.0, prices,
                           x_per_px=x_per_px, y_per_px=y_per_px, radius_px=SNAP_PX)
        return None if i is None else (int(times[i]), float(prices[i]))

    def _hit(self, pos: QPointF) -> tuple[Drawing, int] | None:
        """The topmost drawing under ``pos`` (the selected one first) and the part of it."""
        view = self._pane.vb.viewRect()
        to_pixels = self._pane.vb.childGroup.sceneTransform() * self._pane.viewportTransform()
        box = to_pixels.mapRect(view)
        # the selected drawing first, then the latest drawn (drawn on top)
        latest_first = list(reversed(self.drawings))
        ordered = [d for d in latest_first if d.id == self.selection] + \
            [d for d in latest_first if d.id != self.selection]
        for inside in (False, True):
            for d in ordered:
                anchors = [to_pixels.map(QPointF(t / 1000.0, p)) for t, p in d.points]
                part = self.items[d.id].hit(pos, anchors, box, inside=inside)
                if part is not None:
                    return d, part
        return None

    def _menu(self, drawing: Drawing) -> QMenu:
        menu = QMenu(self._pane)
        menu.setAttribute(Qt.WA_DeleteOnClose)
        delete = QAction(f"Delete {TOOLS[drawing.kind].noun}", menu)
        delete.triggered.connect(lambda: self._edit(tuple(d for d in self.drawings if d.id != drawing.id),
                                                    "Delete drawing"))
        menu.addAction(delete)
        everything = QAction("Delete all drawings on this chart", menu)
        everything.triggered.connect(self.delete_all)
        menu.addAction(everything)
        return menu

    def _edit(self, after: tuple[Drawing, ...], text: str) -> None:
        before = self.drawings
        self.show(self.key, after)
        self.edited.emit(self.key, before, after, text)
