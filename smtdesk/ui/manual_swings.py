"""Swings the user places by hand: right-click to mark or remove, drag to move.

While dragged, a marker snaps to the most extreme bar within ±3 bars of the mouse
(the highest high for a swing high), so it always lands on a real bar extreme
(domain §8). The layer only reports the new set of swings; the worker re-runs
detection and the chart redraws from the analysis it sends back.
"""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, Signal as QtSignal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from smtdesk.core.analysis import AssetAnalysis
from smtdesk.core.structure.swings import ManualSwing
from smtdesk.ui.pane import Pane
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
        snapped = self._layer.snap(self.swing.kind, self.mapToView(ev.pos()).x())
        if snapped is not None:
            self.setPos(*self._layer.marker_pos(self.swing.kind, snapped))
        if ev.isFinish() and snapped is not None:
            self._layer.move(self.swing, snapped)


class ManualSwingLayer(QObject):
    """The manual swings of one chart's asset, drawn on its price pane."""

    changed = QtSignal(str, tuple)
    """(symbol, every manual swing of it) after the user placed, moved or removed one."""

    def __init__(self, pane: Pane, *, palette: Palette = DARK) -> None:
        super().__init__(pane)
        self._pane = pane
        self._palette = palette
        self._analysis: AssetAnalysis | None = None
        self._pad = 0.0
        self.markers: list[SwingMarker] = []
        pane.scene().sigMouseClicked.connect(self._on_click)

    @property
    def swings(self) -> tuple[ManualSwing, ...]:
        return () if self._analysis is None else self._analysis.manual

    def set_palette(self, palette: Palette) -> None:
        self._palette = palette
        self._redraw()

    def set_analysis(self, analysis: AssetAnalysis, pad: float) -> None:
        if self._analysis is not None and analysis.manual == self._analysis.manual and pad == self._pad:
            self._analysis = analysis
            return
        self._analysis, self._pad = analysis, pad
        self._redraw()

    def _redraw(self) -> None:
        for marker in self.markers:
            self._pane.plot.removeItem(marker)
        self.markers = []
        if self._analysis is None:
            return
        times = self._analysis.candles.time
        for swing in self._analysis.manual:
            i = int(np.searchsorted(times, swing.time))
            marker = SwingMarker(swing, self, self.marker_pos(swing.kind, i), self._palette)
            marker.setZValue(20)
            self._pane.plot.addItem(marker, ignoreBounds=True)
            self.markers.append(marker)

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

    def place(self, kind: str, i: int) -> None:
        t = int(self._analysis.candles.time[i])
        kept = tuple(s for s in self.swings if not (s.time == t and s.kind == kind))
        self._emit(kept + (ManualSwing(t, kind),))

    def move(self, swing: ManualSwing, i: int) -> None:
        moved = ManualSwing(int(self._analysis.candles.time[i]), swing.kind)
        if moved == swing:
            return
        self._emit(tuple(s for s in self.swings if s not in (swing, moved)) + (moved,))

    def remove(self, swing: ManualSwing) -> None:
        self._emit(tuple(s for s in self.swings if s != swing))

    def _emit(self, swings: tuple[ManualSwing, ...]) -> None:
        self.changed.emit(self._analysis.symbol, tuple(sorted(swings, key=lambda s: (s.time, s.kind))))

    def menu_at(self, x: float) -> QMenu | None:
        """The right-click menu for the bar under ``x``: mark a swing there, or remove one."""
        i = self.bar_at(x)
        if i is None:
            return None
        when = _when(int(self._analysis.candles.time[i]))
        menu = QMenu(self._pane)
        for kind in ("high", "low"):
            action = QAction(f"Mark swing {kind} at {when} UTC", menu)
            action.triggered.connect(lambda _=False, kind=kind: self.place(kind, i))
            menu.addAction(action)
        for swing in self.swings:
            j = int(np.searchsorted(self._analysis.candles.time, swing.time))
            if abs(j - i) <= 1:
                action = QAction(f"Remove manual swing {swing.kind} at {_when(swing.time)} UTC", menu)
                action.triggered.connect(lambda _=False, swing=swing: self.remove(swing))
                menu.addAction(action)
        return menu

    def _on_click(self, ev) -> None:
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
