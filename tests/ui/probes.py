"""What a widget shows, read the way the tests check it (not used by the app itself)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt


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


def panel_note(panel) -> str | None:
    """The text an empty panel shows in place of a plot; None when it shows none."""
    return panel.note.text() if panel.note.isVisible() else None
