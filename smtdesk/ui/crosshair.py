"""A crosshair shared by every pane of both charts: one time, each pane's own value."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtCore import Signal as QtSignal

from smtdesk.ui.items.guide_line import GuideLine
from smtdesk.ui.pane import Pane
from smtdesk.ui.theme import DARK, Palette, pen

Snap = Callable[[float], "float | None"]
"""Maps a mouse x (seconds) to the open time of the candle under it, or None."""


class Crosshair(QObject):
    """Vertical line at the hovered bar in every pane; horizontal line in the hovered one.

    ``moved`` carries the bar's open time in seconds, or None when the mouse left the
    charts (legends then show the newest bar).
    """

    moved = QtSignal(object)

    def __init__(self, *, palette: Palette = DARK, parent=None) -> None:
        super().__init__(parent)
        self._palette = palette
        self._panes: list[tuple[Pane, Snap, GuideLine, GuideLine]] = []
        self.time: float | None = None

    def attach(self, groups: list[tuple[list[Pane], Snap]]) -> None:
        """Follow these panes (grouped by the chart whose candles they snap to)."""
        for pane, _snap, vline, hline in self._panes:
            pane.plot.removeItem(vline)
            pane.plot.removeItem(hline)
            _tag(pane, None, None)
            pane.scene().sigMouseMoved.disconnect(self._on_moved)
            pane.viewport().removeEventFilter(self)
        self._panes = []
        style = pen(self._palette.crosshair, style=Qt.DashLine)
        for panes, snap in groups:
            for pane in panes:
                vline = GuideLine(angle=90, movable=False, pen=style)
                hline = GuideLine(angle=0, movable=False, pen=style)
                for line in (vline, hline):
                    line.setZValue(1000)
                    line.hide()
                    pane.plot.addItem(line, ignoreBounds=True)
                pane.scene().sigMouseMoved.connect(self._on_moved)
                pane.viewport().installEventFilter(self)
                self._panes.append((pane, snap, vline, hline))

    def set_palette(self, palette: Palette) -> None:
        self._palette = palette
        style = pen(palette.crosshair, style=Qt.DashLine)
        for _pane, _snap, vline, hline in self._panes:
            vline.setPen(style)
            hline.setPen(style)

    def lines(self, pane: Pane) -> tuple[GuideLine, GuideLine]:
        for p, _snap, vline, hline in self._panes:
            if p is pane:
                return vline, hline
        raise KeyError(pane.name)

    def _on_moved(self, scene_pos) -> None:
        scene = self.sender()
        for pane, snap, _vline, hline in self._panes:
            if pane.scene() is not scene:
                continue
            if not pane.vb.sceneBoundingRect().contains(scene_pos):
                self.hide()
                return
            point = pane.vb.mapSceneToView(scene_pos)
            t = snap(point.x())
            if t is None:
                self.hide()
                return
            self.show_at(t, pane, point.y())
            return

    def show_at(self, t: float, pane: Pane | None = None, y: float = np.nan) -> None:
        self.time = t
        for p, _snap, vline, hline in self._panes:
            vline.setPos(t)
            vline.show()
            here = bool(p is pane and np.isfinite(y))
            hline.setVisible(here)
            if p is pane:
                hline.setPos(y)
            _tag(p, t, y if here else None)
        self.moved.emit(t)

    def hide(self) -> None:
        if self.time is None:
            return
        self.time = None
        for pane, _snap, vline, hline in self._panes:
            vline.hide()
            hline.hide()
            _tag(pane, None, None)
        self.moved.emit(None)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Leave:
            self.hide()
        return False


def _tag(pane: Pane, t: float | None, y: float | None) -> None:
    """The crosshair's time on the pane's time axis (drawn where the pane shows one)
    and its price on the value axis of the pane under the mouse."""
    pane.time_axis.set_cursor(t)
    pane.price_axis.set_cursor(y)
