"""Placing label boxes in a pane so they stay inside it and clear of each other."""

from __future__ import annotations

from collections.abc import Sequence

from pyqtgraph.Qt import QtCore

GAP_PX = 2.0


def clamp(box: QtCore.QRectF, bounds: QtCore.QRectF) -> QtCore.QRectF:
    """``box`` moved (not resized) to lie inside ``bounds`` where it fits; a box larger
    than the bounds keeps its top-left corner inside."""
    x = min(max(box.left(), bounds.left()), max(bounds.right() - box.width(), bounds.left()))
    y = min(max(box.top(), bounds.top()), max(bounds.bottom() - box.height(), bounds.top()))
    return QtCore.QRectF(x, y, box.width(), box.height())


def _free(box: QtCore.QRectF, taken: Sequence[QtCore.QRectF]) -> bool:
    grown = box.adjusted(-GAP_PX, -GAP_PX, GAP_PX, GAP_PX)
    return not any(grown.intersects(t) for t in taken)


def place_one(candidates: Sequence[QtCore.QRectF], bounds: QtCore.QRectF,
              taken: Sequence[QtCore.QRectF]) -> QtCore.QRectF:
    """The first candidate clear of ``taken`` once moved inside ``bounds`` by at most
    half its height (a nudge off the edge keeps it by what it labels); else the first
    one clear once moved inside however far; else the first one slid up or down to
    the nearest clear place; else (no room anywhere) the first one moved inside."""
    inside = [clamp(box, bounds) for box in candidates]
    for box, moved in zip(candidates, inside):
        shift = abs(moved.top() - box.top()) + abs(moved.left() - box.left())
        if shift <= box.height() / 2 and _free(moved, taken):
            return moved
    for box in inside:
        if _free(box, taken):
            return box
    # The nearest clear places above or below lie flush against some taken box.
    start = inside[0]
    tops = [t.bottom() + GAP_PX + 0.5 for t in taken] + [t.top() - GAP_PX - 0.5 - start.height() for t in taken]
    for top in sorted(tops, key=lambda y: abs(y - start.top())):
        moved = QtCore.QRectF(start.left(), top, start.width(), start.height())
        if bounds.contains(moved) and _free(moved, taken):
            return moved
    return start


def place(wanted: Sequence[Sequence[QtCore.QRectF]], bounds: QtCore.QRectF,
          reserved: Sequence[QtCore.QRectF] = ()) -> list[QtCore.QRectF]:
    """A box for each label from its candidate boxes, in order: each clear of the
    ``reserved`` areas and of the boxes placed before it where there is room."""
    taken = list(reserved)
    out = []
    for candidates in wanted:
        box = place_one(candidates, bounds, taken)
        taken.append(box)
        out.append(box)
    return out
