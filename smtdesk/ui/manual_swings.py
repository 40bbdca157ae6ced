"""Swings the user edits: right-click to mark or remove, drag any swing's marker or
level to move it, delete one (context menu, or click its level and press Del).

While dragged, a swing snaps to the most extreme bar within ±3 bars of the mouse
(the highest high for a swing high), so it always lands on a real bar extreme
(domain §8); an automatic swing dragged or deleted is suppressed, and a dragged one
becomes a manual swing where it lands. Each change is one step of the window's undo
stack. The layer only reports the new sets of swings; the worker re-runs detection
and the chart redraws from the analysis it sends back.
"""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, Qt, Signal as QtSignal
from PySide6.QtGui import QAction, QUndoStack
from PySide6.QtWidgets import QMenu

from smtdesk.core.analysis import AssetAnalysis
from smtdesk.core.structure.swing_levels import MANUAL
from smtdesk.core.structure.swings import ManualSwing, SuppressedSwing
from smtdesk.ui.items.swing_levels import SwingLevelItem
from smtdesk.ui.pane import Pane
from smtdesk.ui.swing_edits import SwingEditCommand, SwingEdits
from smtdesk.ui.theme import DARK, Palette, pen

SNAP_BARS = 3
MARKER_SIZE = 15


class SwingMarker(pg.TargetItem):
    """One hand-placed swing; dragging moves it bar to bar along the extremes."""

    def __init__(self, swing: ManualSwing, layer: ManualSwingLayer, pos: tuple[float, float], palette: Palette):
        colour = palette.swing_color(swing.kind)
        super().__init__(
            pos=pos,
            size=MARKER_SIZE,
            symbol="t" if swing.kind == "high" else "t1",
            pen=pen(palette.text, 1.5),
            brush=colour,
            hoverPen=pen(palette.text, 2.5),
            hoverBrush=colour,
            movable=True,
        )
        self.swing = swing
        self._layer = layer
        self.setToolTip(f"Manual swing {swing.kind}: drag to move, right-click to remove")

    def mouseDragEvent(self, ev) -> None:
        if ev.button() != Qt.LeftButton:
            ev.ignore()
            return
        ev.accept()
        snapped = self._layer.drag(self.swing.kind, self._layer.bar_of(self.swing.time), True,
                                   self.mapToView(ev.pos()).x(), ev.isFinish())
        if snapped is not None:
            self.setPos(*self._layer.marker_pos(self.swing.kind, snapped))


class ManualSwingLayer(QObject):
    """The swings of one chart's asset that the user edits, on its price pane: the
    hand-placed markers and every swing's level."""

    changed = QtSignal(str, tuple, tuple)
    """(symbol, every manual swing of it, every automatic swing deleted on it)."""
    hiding = QtSignal(str, int)
    """(kind, bar) of the automatic swing being dragged, whose marker the preview stands
    in for; bar -1 when none is."""

    def __init__(self, pane: Pane, *, palette: Palette = DARK) -> None:
        super().__init__(pane)
        self._pane = pane
        self._palette = palette
        self._analysis: AssetAnalysis | None = None
        self._pad = 0.0
        self.markers: list[SwingMarker] = []
        self.undo_stack: QUndoStack | None = None
        """The window's undo stack; without one an edit applies at once."""
        self._series = 0  # which series is shown: an undo step of another one is dropped
        self._edits: SwingEdits | None = None
        self.selected: tuple[int, str] | None = None
        """(time, kind) of the swing whose level the user clicked."""
        self.levels = SwingLevelItem(palette=palette)
        self.levels.setZValue(3)
        pane.plot.addItem(self.levels, ignoreBounds=True)
        self.levels.sigDragged.connect(self._on_level_dragged)
        self.levels.sigClicked.connect(self._on_level_clicked)
        self._preview = pg.PlotDataItem()
        self._preview_marker = pg.ScatterPlotItem(size=13)
        for item in (self._preview, self._preview_marker):
            item.setZValue(21)
            item.hide()
            pane.plot.addItem(item, ignoreBounds=True)
        pane.scene().sigMouseClicked.connect(self._on_click)
        pane.installEventFilter(self)

    @property
    def swings(self) -> tuple[ManualSwing, ...]:
        return () if self._analysis is None else self._analysis.manual

    def set_palette(self, palette: Palette) -> None:
        self._palette = palette
        self.levels.set_palette(palette)
        self._redraw()

    def new_series(self) -> None:
        """Another series is shown: its edits come with its analysis."""
        self._series += 1
        self._edits = None
        self.selected = None

    def set_analysis(self, analysis: AssetAnalysis, pad: float, bar_seconds: float) -> None:
        if self._edits is None:
            self._edits = SwingEdits(analysis.manual, analysis.suppressed)
        if analysis.levels is not None:
            self.levels.set_levels(analysis.candles, analysis.levels, bar_seconds)
        self._end_preview()
        same = self._analysis is not None and analysis.manual == self._analysis.manual and pad == self._pad
        self._analysis, self._pad = analysis, pad
        self._select(self.selected)
        if not same:
            self._redraw()

    def _redraw(self) -> None:
        for marker in self.markers:
            self._pane.plot.removeItem(marker)
        self.markers = []
        if self._analysis is None:
            return
        for swing in self._analysis.manual:
            i = self.bar_of(swing.time)
            marker = SwingMarker(swing, self, self.marker_pos(swing.kind, i), self._palette)
            marker.setZValue(20)
            self._pane.plot.addItem(marker, ignoreBounds=True)
            self.markers.append(marker)

    def bar_of(self, time: int) -> int:
        return int(np.searchsorted(self._analysis.candles.time, time))

    def marker_pos(self, kind: str, i: int) -> tuple[float, float]:
        c = self._analysis.candles
        y = c.high[i] + self._pad if kind == "high" else c.low[i] - self._pad
        return float(c.time[i] / 1000.0), float(y)

    def bar_at(self, x: float) -> int | None:
        """Index of the candle whose slot holds ``x`` seconds (nearest open time)."""
        if self._analysis is None or not len(self._analysis.candles):
            return None
        t = self._analysis.candles.time
        ms = x * 1000.0  # searched in milliseconds: no seconds copy of the history per move
        i = int(np.clip(np.searchsorted(t, ms), 1, len(t) - 1))
        return i - 1 if ms - t[i - 1] < t[i] - ms else i

    def snap(self, kind: str, x: float) -> int | None:
        """The most extreme bar of ``kind`` within ±SNAP_BARS of the bar under ``x``."""
        k = self.bar_at(x)
        if k is None:
            return None
        c = self._analysis.candles
        lo, hi = max(k - SNAP_BARS, 0), min(k + SNAP_BARS + 1, len(c))
        window = c.high[lo:hi] if kind == "high" else -c.low[lo:hi]
        return lo + int(np.argmax(window))

    # -- edits ------------------------------------------------------------------------------
    def _time(self, i: int) -> int:
        return int(self._analysis.candles.time[i])

    def place(self, kind: str, i: int) -> None:
        self._commit(self._edits.changed(add=[ManualSwing(self._time(i), kind)]), f"Mark swing {kind}")

    def move(self, swing: ManualSwing, i: int) -> None:
        moved = ManualSwing(self._time(i), swing.kind)
        if moved != swing:
            self._commit(self._edits.changed(drop=[swing], add=[moved]), f"Move swing {swing.kind}")

    def remove(self, swing: ManualSwing) -> None:
        self._commit(self._edits.changed(drop=[swing]), f"Remove manual swing {swing.kind}")

    def move_automatic(self, kind: str, bar: int, i: int) -> None:
        """The automatic swing on ``bar`` becomes a manual one on bar ``i``."""
        if i != bar:
            self._commit(self._edits.changed(suppress=[SuppressedSwing(self._time(bar), kind)],
                                             add=[ManualSwing(self._time(i), kind)]), f"Move swing {kind}")

    def suppress(self, kind: str, bar: int) -> None:
        self._commit(self._edits.changed(suppress=[SuppressedSwing(self._time(bar), kind)]),
                     f"Delete swing {kind}")

    def delete_selected(self) -> bool:
        if self.selected is None or self._analysis is None:
            return False
        time, kind = self.selected
        if ManualSwing(time, kind) in self._analysis.manual:
            self.remove(ManualSwing(time, kind))
        else:
            self.suppress(kind, self.bar_of(time))
        self.selected = None
        return True

    def _commit(self, after: SwingEdits, text: str) -> None:
        command = SwingEditCommand(self._apply, self._series, self._edits, after, text)
        if self.undo_stack is None:
            command.redo()
        else:
            self.undo_stack.push(command)

    def _apply(self, series: int, edits: SwingEdits) -> bool:
        if series != self._series or self._analysis is None:
            return False
        self._edits = edits
        self.changed.emit(self._analysis.symbol, edits.manual, edits.suppressed)
        return True

    # -- dragging -----------------------------------------------------------------------------
    def drag(self, kind: str, bar: int, manual: bool, x: float, finished: bool) -> int | None:
        """A swing on ``bar`` dragged to ``x``: its level (and, for an automatic swing, a
        marker) previewed on the snapped bar; on release the edit. The snapped bar."""
        snapped = self.snap(kind, x)
        if snapped is None:
            return None
        row = self.levels.row_of(bar, kind == "high")
        if self.levels.hidden_row != row:
            self.levels.hidden_row = row
            self.levels.update()
            if not manual:
                self.hiding.emit(kind, bar)
        self._show_preview(kind, snapped, with_marker=not manual)
        if finished:
            if manual:
                self.move(ManualSwing(self._time(bar), kind), snapped)
            else:
                self.move_automatic(kind, bar, snapped)
            if snapped == bar:
                self._end_preview()
        return snapped

    def _on_level_dragged(self, row: int, x: float, finished: bool) -> None:
        lv = self._analysis.levels
        kind = "high" if lv.is_high[row] else "low"
        self.drag(kind, int(lv.bar[row]), int(lv.rank[row]) == MANUAL, x, finished)

    def _show_preview(self, kind: str, i: int, *, with_marker: bool) -> None:
        c, p = self._analysis.candles, self._palette
        y = float(c.high[i] if kind == "high" else c.low[i])
        self._preview.setData([c.time[i] / 1000.0, c.time[-1] / 1000.0], [y, y],
                              pen=pen(p.text, 1.6))
        self._preview.show()
        if with_marker:
            self._preview_marker.setData(
                [self.marker_pos(kind, i)[0]], [self.marker_pos(kind, i)[1]],
                symbol="t" if kind == "high" else "t1", brush=p.swing_color(kind), pen=pen(p.text, 1.5))
            self._preview_marker.show()

    def _end_preview(self) -> None:
        if self.levels.hidden_row >= 0:
            self.levels.hidden_row = -1
            self.levels.update()
            self.hiding.emit("", -1)
        self._preview.hide()
        self._preview_marker.hide()

    # -- selection ----------------------------------------------------------------------------
    def _on_level_clicked(self, row: int) -> None:
        lv = self._analysis.levels
        self._select((self._time(int(lv.bar[row])), "high" if lv.is_high[row] else "low"))
        self._pane.setFocus()

    def _select(self, swing: tuple[int, str] | None) -> None:
        row = -1
        if swing is not None and self._analysis is not None and len(self._analysis.candles):
            i = self.bar_of(swing[0])
            if i < len(self._analysis.candles) and self._time(i) == swing[0]:
                row = self.levels.row_of(i, swing[1] == "high")
        self.selected = swing if row >= 0 else None
        if self.levels.selected_row != row:
            self.levels.selected_row = row
            self.levels.update()

    def eventFilter(self, watched, event) -> bool:
        # Del on the pane deletes the selected swing; claimed before any window shortcut
        if event.type() in (QEvent.ShortcutOverride, QEvent.KeyPress) and self.selected is not None \
                and event.key() in (Qt.Key_Delete, Qt.Key_Backspace):
            if event.type() == QEvent.KeyPress:
                self.delete_selected()
            event.accept()
            return True
        return False

    # -- context menu -------------------------------------------------------------------------
    def menu_at(self, x: float) -> QMenu | None:
        """The right-click menu for the bar under ``x``: mark a swing there, remove or
        delete one near it."""
        i = self.bar_at(x)
        if i is None:
            return None
        when = _when(self._time(i))
        menu = QMenu(self._pane)
        for kind in ("high", "low"):
            action = QAction(f"Mark swing {kind} at {when} UTC", menu)
            action.triggered.connect(lambda _=False, kind=kind: self.place(kind, i))
            menu.addAction(action)
        for swing in self.swings:
            if abs(self.bar_of(swing.time) - i) <= 1:
                action = QAction(f"Remove manual swing {swing.kind} at {_when(swing.time)} UTC", menu)
                action.triggered.connect(lambda _=False, swing=swing: self.remove(swing))
                menu.addAction(action)
        lv = self._analysis.levels
        for row in self.levels.drawn_rows().tolist() if lv is not None else ():
            bar, kind = int(lv.bar[row]), "high" if lv.is_high[row] else "low"
            if lv.rank[row] != MANUAL and abs(bar - i) <= 1:
                action = QAction(f"Delete swing {kind} at {_when(self._time(bar))} UTC", menu)
                action.triggered.connect(lambda _=False, kind=kind, bar=bar: self.suppress(kind, bar))
                menu.addAction(action)
        return menu

    def _on_click(self, ev) -> None:
        if ev.button() == Qt.LeftButton and not ev.isAccepted():
            self._select(None)  # a click off every level
        if ev.button() != Qt.RightButton or ev.isAccepted():
            return
        if not self._pane.vb.sceneBoundingRect().contains(ev.scenePos()):
            return
        menu = self.menu_at(self._pane.vb.mapSceneToView(ev.scenePos()).x())
        if menu is not None:
            ev.accept()
            menu.popup(ev.screenPos().toPoint())


def _when(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d %H:%M")
