"""What a widget shows, read the way the tests check it (not used by the app itself)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt


def notice_cards(notices) -> list:
    """The notices a notice stack shows, newest first."""
    return list(notices._cards)


def alert_count(sidebar) -> int:
    return sidebar.alerts.topLevelItemCount()


def signal_at(sidebar, row: int):
    return sidebar.tree.topLevelItem(row).data(0, Qt.UserRole)


def visible_count(sidebar) -> int:
    tree = sidebar.tree
    return sum(not tree.topLevelItem(r).isHidden() for r in range(tree.topLevelItemCount()))


def segment_count(marks) -> int:
    return len(marks.shapes.segments[0])


def visible_rects(item) -> np.ndarray:
    """(x0, y0, x1, y1) rows of the boxes a paint of the current view draws."""
    x0, y0, x1, y1, _ = item.shapes.rects
    return np.column_stack((x0, y0, x1, y1))[item._visible(x0, x1)]


def drawn_labels(axis) -> list[tuple[str, QRectF]]:
    """Each label the axis's last paint drew and its box, in item coordinates."""
    return [(text, QRectF(x, y, w, h)) for text, x, y, w, h in axis._drawn]


def candle_x(item) -> np.ndarray:
    """Open times in seconds of the candles a candle item holds."""
    return item._pyramid.x if item._pyramid is not None else np.empty(0)


def last_close(item) -> float | None:
    if item._pyramid is None or item._pyramid.size == 0:
        return None
    return float(item._pyramid.raw("close")[-1])


def group_figure(dock, row_title: str, group: str) -> str:
    """The text of one figure of the statistics dock's group table."""
    t = dock.groups
    rows = [t.verticalHeaderItem(r).text() for r in range(t.rowCount())]
    cols = [t.horizontalHeaderItem(c).text().replace("-\n", "-").replace("\n", " ") for c in range(t.columnCount())]
    return t.item(rows.index(row_title), cols.index(group)).text()


def trade_marks(chart) -> list[tuple[float, float]]:
    """(x, price) of the fill and exit points drawn over a chart's trade plan."""
    points = []
    for item in chart.price.trade_marks:
        if isinstance(item, pg.ScatterPlotItem):
            x, y = item.getData()
            points += zip(x.tolist(), y.tolist())
    return points


def drawing_labels(item) -> list[tuple[str, QRectF]]:
    """Each price label a drawing item's last paint drew and its box, in viewport pixels."""
    return list(item._drawn)


def smt_lines(chart, role: str, owner: str | None = None) -> list[tuple[float, float, float, float]]:
    """(x0, y0, x1, y1) of the lines of ``role`` ("smt", "mss", "entry", "stop",
    "target") a chart's SMT layer draws, of signal ``owner`` (an id) or of any."""
    return [(ln.x0, ln.y0, ln.x1, ln.y1) for ln in _lines(chart, role, owner)]


def smt_line_styles(chart, role: str, owner: str | None = None) -> list[tuple[str, bool]]:
    """(colour, dashed) of those lines."""
    return [(ln.colour, ln.dashed) for ln in _lines(chart, role, owner)]


def _lines(chart, role, owner):
    return [ln for ln in chart.price.smt.item.drawing.lines
            if ln.role == role and owner in (None, ln.owner)]


def plan_zones(chart) -> dict[str, tuple[tuple[float, float, float, float], str]]:
    """Role ("stop", "target") -> ((x0, y0, x1, y1), fill colour) of the plan's zones."""
    return {z.role: ((z.x0, z.y0, z.x1, z.y1), z.fill) for z in chart.price.smt.item.drawing.zones}


def painted_labels(chart, owner: str | None = None) -> list[tuple[str, list[str], QRectF]]:
    """Paint the price pane now; (role, text rows, box in the pane's pixels) of each
    label of its SMT layer that paint drew (of signal ``owner`` only, when given)."""
    chart.price.grab()
    return [(lab.role, [text for text, _ in lab.rows], QRectF(box))
            for lab, box in chart.price.smt.item.placed if owner in (None, lab.owner)]


def label_colours(chart, owner: str | None = None) -> list[tuple[str, str, list[str]]]:
    """(fill, border, row colours) of each label of the chart's SMT layer (of signal
    ``owner`` only, when given)."""
    return [(lab.fill, lab.border, [c for _, c in lab.rows])
            for lab in chart.price.smt.item.drawing.labels if owner in (None, lab.owner)]


def cursor_tag(axis) -> tuple[str, QRectF] | None:
    """Paint the axis's view now; the crosshair tag it draws (text, box) or None."""
    axis.getViewWidget().grab()
    return axis.cursor_tag()


def drawn_levels(item) -> np.ndarray:
    """(x0, x1, price, rank, is_high) of each swing level a paint of the current view draws."""
    rows = item.drawn_rows()
    x0, y, x1, _, _ = item.shapes.segments
    lv = item.levels
    return np.column_stack((x0[rows], x1[rows], y[rows], lv.rank[rows], lv.is_high[rows]))


def drag_preview(layer) -> tuple[tuple[float, float] | None, tuple[np.ndarray, np.ndarray] | None]:
    """((x, y) of the marker, (xs, ys) of the level) a swing drag shows now; None when hidden."""
    marker = layer._preview_marker
    line = layer._preview
    at = None
    if marker.isVisible() and len(marker.data):
        at = (float(marker.data["x"][0]), float(marker.data["y"][0]))
    return at, (line.getData() if line.isVisible() else None)


def panel_note(panel) -> str | None:
    """The text an empty panel shows in place of a plot; None when it shows none."""
    return panel.note.text() if panel.note.isVisible() else None
