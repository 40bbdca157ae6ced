"""One pane of a chart column: a plot with a right value axis and a time axis.

Panes of a column share x (open time in epoch seconds). Each fits its own y to what
is visible whenever x changes, so panning never leaves a pane scaled for other bars.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPalette,
    QPixmap,
    QTextDocument,
)
from PySide6.QtWidgets import QWidget

from smtdesk.ui.items.axes import PriceAxisItem, TimeAxisItem
from smtdesk.ui.items.guide_line import GuideLine
from smtdesk.ui.theme import DARK, Palette, pen, style_plot

AXIS_WIDTH = 78
"""Every pane's value axis is this wide so the panes of a column line up bar for bar."""

Y_MARGIN = 0.06
MAX_LEGEND_SHARE = 0.5
"""In a very short pane the legend may cover data rather than squash it flat."""
GRID_Z = -200
"""Axes (which paint the grid) sit under every view box, including overlays at -150."""


class FittedViewBox(pg.ViewBox):
    """A view box whose y range follows its x range within the same range update.

    ``fit(x0, x1)`` gives the y range for a new x range (None: keep y). Refitting from
    a range-changed signal instead would update every linked pane twice per pan frame,
    each update re-announcing the range to every item and axis.
    """

    def __init__(self, *args, **kwargs) -> None:
        self.fit: Callable[[float, float], tuple[float, float] | None] | None = None
        super().__init__(*args, **kwargs)

    def updateViewRange(self, forceX: bool = False, forceY: bool = False) -> None:
        # pyqtgraph applies ``state["targetRange"]`` here; a new x target gets its y target.
        target = self.state["targetRange"]
        if self.fit is not None and target[0] != self.state["viewRange"][0]:
            y = self.fit(*target[0])
            if y is not None:
                target[1] = [float(y[0]), float(y[1])]
        super().updateViewRange(forceX, forceY)
        # pyqtgraph applies a new range to the items as the view paints; the items then
        # ask for another paint of the whole view. Applied now, one paint shows it.
        self.updateMatrix()

    def refit(self) -> None:
        """Apply ``fit`` to the x range shown now (after new data or a resize)."""
        if self.fit is None:
            return
        y = self.fit(*self.viewRange()[0])
        if y is not None:
            self.setYRange(*y, padding=0)


class Legend(QWidget):
    """Rich-text legend rendered once per text into a pixmap.

    A pan repaints every pane of both charts; replaying a pixmap costs a fraction of
    laying out and drawing the rich text again, and the text changes only when the
    crosshair moves or a bar arrives. A line longer than ``max_width`` ends in an
    ellipsis there instead of running under the price axis.
    """

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WA_TransparentForMouseEvents)
        self._html = ""
        self._colour = QColor("#ffffff")
        self._pixmap = QPixmap()
        self.max_width = 10_000

    def set_max_width(self, width: int) -> None:
        width = max(width, 40)
        if width != self.max_width:
            self.max_width = width
            self._render()

    def text(self) -> str:
        return self._html

    def set_colour(self, colour: str) -> None:
        self._colour = QColor(colour)
        self._render()

    def setText(self, html: str) -> None:
        if html == self._html:  # the crosshair moving within a bar, a replayed live step
            return
        self._html = html
        self._render()

    def _render(self) -> None:
        doc = QTextDocument()
        font = QFont(self.font())
        font.setPixelSize(11)
        doc.setDefaultFont(font)
        doc.setDocumentMargin(0)
        doc.setHtml(self._html)
        ratio = self.devicePixelRatioF()
        size = doc.size().toSize()
        pixmap = QPixmap(max(size.width(), 1) * ratio, max(size.height(), 1) * ratio)
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.transparent)
        painter = QPainter(pixmap)
        context = QAbstractTextDocumentLayout.PaintContext()
        context.palette.setColor(QPalette.Text, self._colour)
        doc.documentLayout().draw(painter, context)
        if size.width() > self.max_width:
            self._elide(painter, doc, font)
            size.setWidth(self.max_width)
        painter.end()
        self._pixmap = pixmap
        self.resize(size)
        self.update()

    def _elide(self, painter: QPainter, doc: QTextDocument, font: QFont) -> None:
        """Cover each line's part past ``max_width`` and end it with an ellipsis."""
        metrics = QFontMetrics(font)
        dots = "…"
        cut = self.max_width - metrics.horizontalAdvance(dots) - 2
        painter.setFont(font)
        painter.setPen(self._colour)
        block = doc.begin()
        while block.isValid():
            layout, top = block.layout(), doc.documentLayout().blockBoundingRect(block).top()
            for i in range(layout.lineCount()):
                line = layout.lineAt(i)
                if line.naturalTextWidth() > self.max_width:
                    y = top + line.y()
                    painter.setCompositionMode(QPainter.CompositionMode_Clear)
                    painter.fillRect(QRectF(cut, y, 100_000, line.height()), Qt.transparent)
                    painter.setCompositionMode(QPainter.CompositionMode_SourceOver)
                    painter.drawText(QPointF(cut, y + line.ascent()), dots)
            block = block.next()

    def paintEvent(self, event) -> None:
        QPainter(self).drawPixmap(QPointF(0, 0), self._pixmap)


class Pane(pg.PlotWidget):
    """A plot whose y follows the visible data of its ``fitted`` items.

    ``fitted`` items implement ``visible_range(x0, x1) -> (lo, hi)``; ``y_range``
    pins the scale instead (oscillators bounded 0–100).
    """

    def __init__(
        self,
        name: str,
        *,
        palette: Palette = DARK,
        compact: bool = False,
        y_range: tuple[float, float] | None = None,
        parent=None,
    ) -> None:
        self.price_axis = PriceAxisItem("right", compact=compact, palette=palette)
        self.time_axis = TimeAxisItem("bottom", palette=palette)
        super().__init__(
            parent,
            axisItems={"right": self.price_axis, "bottom": self.time_axis},
            viewBox=FittedViewBox(),
        )
        self.setObjectName(name)
        self.name = name
        self.plot = self.getPlotItem()
        self.plot.hideAxis("left")
        self.plot.showAxis("right")
        # hidden axes would still re-render their title on every range change
        for hidden in ("left", "top"):
            self.plot.getAxis(hidden).unlinkFromView()
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        self.plot.layout.setContentsMargins(0, 0, 0, 0)
        self.price_axis.setWidth(AXIS_WIDTH)
        self.plot.showGrid(x=True, y=True)
        for axis in (self.price_axis, self.time_axis):
            axis.setZValue(GRID_Z)
        self.vb = self.plot.getViewBox()
        # right-click belongs to the app's own menus (manual swings), not pyqtgraph's
        self.vb.setMenuEnabled(False)
        self.vb.setMouseEnabled(x=True, y=False)
        self.vb.enableAutoRange(x=False, y=False)
        self.setMinimumHeight(36)
        self.fitted: list = []
        self.levels: list[GuideLine] = []
        self._y_range = y_range
        self._palette = palette
        self.legend = Legend(self)
        self.legend.move(6, 2)
        if y_range is None:
            self.vb.fit = self.y_range_for
        self.vb.sigResized.connect(self.fit_y)
        self.set_palette(palette)
        if y_range is not None:
            self.vb.setYRange(*y_range, padding=0.04)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        legend = getattr(self, "legend", None)  # pyqtgraph resizes during __init__
        if legend is not None:
            legend.set_max_width(self.width() - AXIS_WIDTH - 2 * legend.x())

    def set_palette(self, palette: Palette) -> None:
        self._palette = palette
        style_plot(self.plot, palette)
        # The grid is painted by the axes; with them under a transparent view box the
        # candles draw over the grid lines instead of being cut by them.
        self.vb.setBackgroundColor(None)
        self.setBackground(palette.background)
        self.legend.set_colour(palette.text)
        for line in self.levels:
            line.setPen(pen(palette.level, style=Qt.DashLine))

    def show_time_labels(self, shown: bool) -> None:
        """Only a column's bottom pane shows the time axis; the others keep its grid,
        drawn by their price axis."""
        self.time_axis.setStyle(showValues=shown)
        self.time_axis.setHeight(24 if shown else 0)
        self.time_axis.setVisible(shown)
        self.price_axis.set_time_grid(not shown)

    def add_level(self, value: float) -> GuideLine:
        line = GuideLine(pos=value, angle=0, movable=False, pen=pen(self._palette.level, style=Qt.DashLine))
        self.plot.addItem(line, ignoreBounds=True)
        self.levels.append(line)
        return line

    def remove_level(self, line: GuideLine) -> None:
        self.plot.removeItem(line)
        self.levels.remove(line)

    def set_legend(self, html: str) -> None:
        self.legend.setText(html)

    def visible_x(self) -> tuple[float, float]:
        (x0, x1), _ = self.vb.viewRange()
        return x0, x1

    def fit_y(self) -> None:
        """Fit the y range to the data now on screen (the view box refits on every x change)."""
        self.vb.refit()

    def y_range_for(self, x0: float, x1: float) -> tuple[float, float] | None:
        """The y range that shows the data between ``x0`` and ``x1``; None when there is none."""
        lo, hi = self.visible_y_range(x0, x1)
        if not (math.isfinite(lo) and math.isfinite(hi)):
            return None
        return self.padded(lo, hi)

    def padded(self, lo: float, hi: float, *, margin: float = Y_MARGIN, floor: float = 0.0) -> tuple[float, float]:
        """A y range showing ``[lo, hi]`` with ``margin`` (a share of its span) each side,
        above the bottom ``floor`` share of the pane and below the legend, so the legend
        covers no data unless it takes more than ``MAX_LEGEND_SHARE`` of the pane."""
        span = hi - lo or abs(hi) * 0.01 or 1.0
        legend = min((self.legend.height() + 4) / max(self.vb.height(), 1.0), MAX_LEGEND_SHARE)
        total = span * (1 + 2 * margin) / (1 - legend - floor)
        bottom = lo - span * margin - total * floor
        return bottom, bottom + total

    def visible_y_range(self, x0: float, x1: float) -> tuple[float, float]:
        ranges = np.array([item.visible_range(x0, x1) for item in self.fitted], dtype=np.float64).reshape(-1, 2)
        if not len(ranges) or np.isnan(ranges).all():
            return float("nan"), float("nan")
        return float(np.nanmin(ranges[:, 0])), float(np.nanmax(ranges[:, 1]))
