"""Lean price and time axes: nice ticks in a few numpy operations, drawn straight.

pyqtgraph's AxisItem is general and re-lays out its text on every range change, which
costs milliseconds per axis per frame; a chart window has ten or more axes panning at
once. These subclasses keep AxisItem's layout and view linking and replace only the
painting. The time axis labels in UTC and reads well from minutes to decades.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timezone
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pyqtgraph as pg
from pyqtgraph.Qt import QtCore, QtGui

from smtdesk.ui.items._windowed import PrimitiveArray, line_array
from smtdesk.ui.theme import DARK, Palette, pen, qcolor

_MINUTE, _HOUR, _DAY = 60, 3600, 86400
_TIME_STEPS = (
    60, 120, 300, 600, 900, 1800,
    _HOUR, 2 * _HOUR, 3 * _HOUR, 4 * _HOUR, 6 * _HOUR, 12 * _HOUR,
    _DAY, 2 * _DAY, 7 * _DAY, 14 * _DAY,
)
_MONTH_STEPS = (1, 2, 3, 6, 12, 24, 60, 120, 240, 600)
_AVG_MONTH = 30.44 * _DAY


def nice_ticks(lo: float, hi: float, *, max_ticks: float) -> tuple[np.ndarray, float]:
    """Round values (1, 2, 2.5, 5 x 10^k apart) inside ``[lo, hi]``, at most ``max_ticks``,
    and the step between them."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo or max_ticks < 1:
        return np.empty(0), 0.0
    raw = (hi - lo) / max_ticks
    mag = 10.0 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step)
    last = math.floor(hi / step)
    return np.arange(first, last + 1) * step, step


@lru_cache(maxsize=4096)  # a pan relabels mostly the same values frame after frame
def format_number(value: float, step: float, *, compact: bool = False) -> str:
    """``value`` with as many decimals as the tick ``step`` needs; K/M/B when compact."""
    if compact and step > 0:
        for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
            if abs(step) >= size / 10 and (abs(value) >= size or value == 0):
                return f"{value / size:.{_decimals(step / size)}f}{suffix}" if value else "0"
    return f"{value:,.{_decimals(step)}f}"


def format_price(value: float) -> str:
    """A last-price tag: the precision quotes usually carry at that magnitude."""
    size = abs(value)
    decimals = 1 if size >= 10_000 else 2 if size >= 10 else 4
    return f"{value:,.{decimals}f}"


def _decimals(step: float) -> int:
    if step <= 0 or not math.isfinite(step):
        return 2
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    if round(step / 10.0 ** -decimals, 6) % 1:  # 2.5 x 10^k needs one more
        decimals += 1
    return decimals


def time_ticks(lo: float, hi: float, *, max_ticks: float) -> tuple[np.ndarray, float]:
    """UTC-aligned tick times in seconds inside ``[lo, hi]`` and the step used (seconds)."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo or max_ticks < 1:
        return np.empty(0), 0.0
    raw = (hi - lo) / max_ticks
    for step in _TIME_STEPS:
        if step >= raw:
            first, last = math.ceil(lo / step), math.floor(hi / step)
            return np.arange(first, last + 1, dtype=np.float64) * step, float(step)
    months = next((m for m in _MONTH_STEPS if m * _AVG_MONTH >= raw), _MONTH_STEPS[-1])
    lo_m = np.datetime64(int(lo), "s").astype("datetime64[M]").astype(np.int64)
    hi_m = np.datetime64(int(hi), "s").astype("datetime64[M]").astype(np.int64)
    first = -(-lo_m // months) * months
    ms = np.arange(first, hi_m + 1, months).astype("datetime64[M]")
    values = ms.astype("datetime64[s]").astype(np.int64).astype(np.float64)
    return values[(values >= lo) & (values <= hi)], months * _AVG_MONTH


def format_time(value: float, step: float) -> str:
    """A tick label that says as much as the zoom needs: 14:00, 22 Nov, Nov, 2024."""
    t = datetime.fromtimestamp(value, tz=timezone.utc)
    midnight = t.hour == 0 and t.minute == 0
    if step < _DAY and not midnight:
        return t.strftime("%H:%M")
    if step >= 365 * _DAY:
        return t.strftime("%Y")
    if t.day == 1 and midnight:
        return t.strftime("%Y") if t.month == 1 else t.strftime("%b")
    return f"{t.day} {t:%b}"


_LABEL_CACHE_SIZE = 1024
_LABEL_GAP_PX = 2.0
_MARKER_HALF_PX = 9.0
_MIN_VALUE_TICKS = 2.0
"""Even a short pane gets a couple of candidate labels; overlap rules drop what does not fit."""


class _LeanAxis(pg.AxisItem):
    """AxisItem whose paint computes and draws its ticks directly (no QPicture).

    Labels are QStaticText laid out once per string; a label that would overlap its
    neighbour, cross the axis' end or sit under the value marker is left out.
    """

    label_spacing_px = 40.0

    def __init__(self, orientation: str, *, palette: Palette = DARK, **kwargs) -> None:
        self._layout_cache: tuple[QtCore.QRectF, QtCore.QRectF, QtCore.QRectF | None] | None = None
        self._labels: dict[str, tuple[QtGui.QStaticText, float, float]] = {}
        self._grid_lines = PrimitiveArray(QtCore.QLineF, 4)
        self._label_font: QtGui.QFont | None = None
        self._drawn: list[tuple[str, float, float, float, float]] = []
        self._cursor: float | None = None
        super().__init__(orientation, **kwargs)
        self.enableAutoSIPrefix(False)
        self.geometryChanged.connect(self._forget_layout)
        self.set_palette(palette)

    def set_palette(self, palette: Palette) -> None:
        self._palette = palette
        self.setPen(pen(palette.axis))
        self.setTextPen(pen(palette.text_muted))
        self._grid_pen = pen(palette.grid)
        self._marker_text_pen = pen(palette.last_price_text)
        self._tag_pen = pen(palette.tag_text)
        self._tag_colour = qcolor(palette.tag)
        self.update()

    def set_cursor(self, value: float | None) -> None:
        """Tag the crosshair's ``value`` (a price, or a time in seconds) on the axis;
        None removes the tag."""
        if value is not None and not math.isfinite(value):
            value = None
        if value != self._cursor:
            self._cursor = value
            self.update()

    def _cursor_text(self, value: float) -> str:
        raise NotImplementedError

    def cursor_tag(self, font: QtGui.QFont | None = None) -> tuple[str, QtCore.QRectF] | None:
        """The crosshair's tag as the axis draws it in ``font`` (default: the labels'
        last font): text and box (item coordinates), or None while none is in range."""
        lo, hi = min(self.range), max(self.range)
        if self._cursor is None or not lo <= self._cursor <= hi or hi <= lo:
            return None
        _bounds, rect, _view = self._layout()
        frac = (self._cursor - lo) / (hi - lo)
        text = self._cursor_text(self._cursor)
        _label, width, height = self._static(text, font or self._label_font or QtGui.QFont())
        if self.orientation in ("left", "right"):
            y = rect.bottom() - frac * rect.height()
            return text, QtCore.QRectF(rect.left() + 1, y - _MARKER_HALF_PX, rect.width() - 1, 2 * _MARKER_HALF_PX)
        x = rect.left() + frac * rect.width()
        w = width + 10
        left = min(max(x - w / 2, rect.left()), rect.right() - w)
        return text, QtCore.QRectF(left, rect.top() + 1, w, max(rect.height() - 2, height + 2))

    def _paint_cursor(self, p: QtGui.QPainter) -> None:
        """The crosshair's tag, over the ticks and the last-value marker."""
        tag = self.cursor_tag(p.font())
        if tag is None:
            return
        text, box = tag
        label, width, height = self._static(text, p.font())
        if self.orientation in ("left", "right"):
            self._fit_width(width)
        p.fillRect(box, self._tag_colour)
        p.setPen(self._tag_pen)
        p.drawStaticText(QtCore.QPointF(box.left() + 5, box.center().y() - height / 2), label)

    def updateAutoSIPrefix(self) -> None:
        # no axis title and no SI prefix: skip re-rendering a hidden title on every pan
        self.autoSIPrefixScale = 1.0
        self.labelUnitPrefix = ""

    # Qt asks for the bounds several times per frame and pyqtgraph recomputes them from
    # the style and both geometries each time; they change only when a geometry does.
    def _forget_layout(self) -> None:
        self.prepareGeometryChange()
        self._layout_cache = None

    def _linkToView_internal(self, view) -> None:
        super()._linkToView_internal(view)
        view.geometryChanged.connect(self._forget_layout)
        self._forget_layout()

    def unlinkFromView(self) -> None:
        view = self.linkedView()
        if view is not None:
            view.geometryChanged.disconnect(self._forget_layout)
        super().unlinkFromView()
        self._forget_layout()

    def setGrid(self, grid) -> None:
        super().setGrid(grid)
        self._forget_layout()

    def _layout(self) -> tuple[QtCore.QRectF, QtCore.QRectF, QtCore.QRectF | None]:
        """(bounding rect, own rect, linked view's rect), all in item coordinates."""
        if self._layout_cache is None:
            view = self.linkedView()
            view_rect = None if view is None else view.mapRectToItem(self, view.boundingRect())
            self._layout_cache = (super().boundingRect(), self.mapRectFromParent(self.geometry()), view_rect)
        return self._layout_cache

    def boundingRect(self) -> QtCore.QRectF:
        return self._layout()[0]

    def ticks(self, lo: float, hi: float, length_px: float, *, labelled: bool = True) -> tuple[np.ndarray, Sequence[str]]:
        """Tick values in ``[lo, hi]`` and, when ``labelled``, their labels (else none)."""
        raise NotImplementedError

    def paint(self, p: QtGui.QPainter, *args) -> None:
        _bounds, rect, view = self._layout()
        vertical = self.orientation in ("left", "right")
        length = rect.height() if vertical else rect.width()
        lo, hi = min(self.range), max(self.range)
        if length <= 0 or hi <= lo:
            return
        # a pane whose time labels are hidden still draws the grid: values only
        values, labels = self.ticks(lo, hi, length, labelled=self.style["showValues"])
        frac = (values - lo) / (hi - lo)
        pos = rect.bottom() - frac * rect.height() if vertical else rect.left() + frac * rect.width()
        p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, False)
        if self.grid is not False and view is not None:
            p.setPen(self._grid_pen)
            if len(pos):
                if vertical:
                    grid = line_array(view.left(), pos, view.right(), pos, reuse=self._grid_lines)
                else:
                    grid = line_array(pos, view.top(), pos, view.bottom(), reuse=self._grid_lines)
                p.drawLines(*grid.drawargs())
            self._paint_grid_extra(p, view)
        p.setPen(self._pen)
        edge = {"left": (rect.topRight(), rect.bottomRight()), "right": (rect.topLeft(), rect.bottomLeft()),
                "bottom": (rect.topLeft(), rect.topRight()), "top": (rect.bottomLeft(), rect.bottomRight())}
        p.drawLine(*edge[self.orientation])
        if self.style["tickFont"] is not None:
            p.setFont(self.style["tickFont"])
        self._drawn = []
        if labels:
            font = p.font()
            texts = [self._static(t, font) for t in labels]
            p.setPen(self._textPen)
            if vertical:
                self._fit_width(max(width for _, width, _ in texts))
                self._draw_vertical(p, rect, pos, labels, texts)
            else:
                self._draw_horizontal(p, rect, pos, labels, texts)
        self._paint_extra(p, rect)
        self._paint_cursor(p)

    def _static(self, text: str, font: QtGui.QFont) -> tuple[QtGui.QStaticText, float, float]:
        """The laid-out label and its width and height."""
        if font != self._label_font or len(self._labels) > _LABEL_CACHE_SIZE:
            self._labels.clear()
            self._label_font = QtGui.QFont(font)
        label = self._labels.get(text)
        if label is None:
            static = QtGui.QStaticText(text)
            static.setTextFormat(QtCore.Qt.TextFormat.PlainText)
            static.prepare(QtGui.QTransform(), font)
            size = static.size()
            label = self._labels[text] = (static, size.width(), size.height())
        return label

    def _draw_vertical(self, p: QtGui.QPainter, rect: QtCore.QRectF, pos: np.ndarray, labels: list, texts: list) -> None:
        blocked = self._reserved(rect)
        free_below = rect.bottom()  # labels go bottom to top (values ascend)
        rect_top, left, right = rect.top(), rect.left() + 6, rect.right() - 6
        for y, text, (label, width, height) in zip(pos.tolist(), labels, texts):
            top, bottom = y - height / 2, y + height / 2
            if top < rect_top or bottom > free_below:
                continue
            if blocked is not None and top < blocked[1] and bottom > blocked[0]:
                continue
            x = left if self.orientation == "right" else right - width
            p.drawStaticText(QtCore.QPointF(x, top), label)
            self._drawn.append((text, x, top, width, height))
            free_below = top - _LABEL_GAP_PX

    def _draw_horizontal(self, p: QtGui.QPainter, rect: QtCore.QRectF, pos: np.ndarray, labels: list, texts: list) -> None:
        free_from = rect.left()
        top, right = rect.top() + 4, rect.right()
        for x, text, (label, width, height) in zip(pos.tolist(), labels, texts):
            left = x - width / 2
            if left < free_from or left + width > right:
                continue
            p.drawStaticText(QtCore.QPointF(left, top), label)
            self._drawn.append((text, left, top, width, height))
            free_from = left + width + 4 * _LABEL_GAP_PX

    def _reserved(self, rect: QtCore.QRectF) -> tuple[float, float] | None:
        """Pixel span (top, bottom) that labels must leave free, e.g. for a marker."""
        return None

    def _paint_extra(self, p: QtGui.QPainter, rect: QtCore.QRectF) -> None:
        """Hook for markers drawn over the axis."""

    def _paint_grid_extra(self, p: QtGui.QPainter, view: QtCore.QRectF) -> None:
        """Hook for more grid lines across the linked view, in the grid pen."""

    def _fit_width(self, text_width: float) -> None:
        # grow only: a width that follows every label would re-lay out the window per frame
        needed = text_width + 16
        if needed > self.width():
            self.setWidth(needed)


class PriceAxisItem(_LeanAxis):
    """Value axis (price or indicator) with an optional last-value marker.

    ``compact`` writes large values as 1.2K / 3.4M / 5B (volume, open interest).
    """

    def __init__(self, orientation: str = "right", *, compact: bool = False, palette: Palette = DARK, **kw):
        self._compact = compact
        self._fixed: np.ndarray | None = None
        self._marker: tuple[float, QtGui.QColor] | None = None
        self._time_grid = False
        self._time_grid_lines = PrimitiveArray(QtCore.QLineF, 4)
        super().__init__(orientation, palette=palette, **kw)

    def set_time_grid(self, shown: bool) -> None:
        """Also draw the time grid (vertical lines at the time axis' ticks) across the
        view: a pane whose time axis is hidden keeps its grid without a second axis."""
        self._time_grid = shown
        self.update()

    def _linkToView_internal(self, view) -> None:
        super()._linkToView_internal(view)
        view.sigXRangeChanged.connect(self._on_x_range)

    def unlinkFromView(self) -> None:
        view = self.linkedView()
        if view is not None:
            view.sigXRangeChanged.disconnect(self._on_x_range)
        super().unlinkFromView()

    def _on_x_range(self) -> None:
        if self._time_grid:
            self.update()

    def _paint_grid_extra(self, p: QtGui.QPainter, view: QtCore.QRectF) -> None:
        linked = self.linkedView()
        if not self._time_grid or linked is None or view.width() <= 0:
            return
        lo, hi = linked.viewRange()[0]
        values, _ = time_axis_ticks(lo, hi, view.width(), labelled=False)
        if not len(values):
            return
        x = view.left() + (values - lo) / (hi - lo) * view.width()
        lines = line_array(x, view.top(), x, view.bottom(), reuse=self._time_grid_lines)
        p.drawLines(*lines.drawargs())

    def set_fixed_ticks(self, values: tuple[float, ...] | None) -> None:
        """Label these values (an oscillator's levels) instead of computed steps."""
        self._fixed = None if values is None else np.sort(np.asarray(values, dtype=np.float64))
        self.update()

    def ticks(self, lo: float, hi: float, length_px: float, *, labelled: bool = True) -> tuple[np.ndarray, Sequence[str]]:
        if self._fixed is not None:
            values = self._fixed[(self._fixed >= lo) & (self._fixed <= hi)]
            return values, [f"{v:g}" for v in values] if labelled else []
        values, step = nice_ticks(lo, hi, max_ticks=max(length_px / self.label_spacing_px, _MIN_VALUE_TICKS))
        return values, [format_number(v, step, compact=self._compact) for v in values] if labelled else []

    def set_marker(self, value: float | None, color: str | None = None) -> None:
        """Mark ``value`` (e.g. the last price) with a filled tag in ``color``; None hides it."""
        if value is None or not math.isfinite(value):
            self._marker = None
        else:
            self._marker = (float(value), QtGui.QColor(color or self._palette.text))
        self.update()

    def marker(self) -> tuple[float, QtGui.QColor] | None:
        return self._marker

    def _cursor_text(self, value: float) -> str:
        if self._compact:
            return format_number(value, abs(value) / 1000 or 1.0, compact=True)
        return format_price(value)

    def _marker_y(self, rect: QtCore.QRectF) -> float | None:
        if self._marker is None:
            return None
        lo, hi = min(self.range), max(self.range)
        if not lo <= self._marker[0] <= hi or hi <= lo:
            return None
        return rect.bottom() - (self._marker[0] - lo) / (hi - lo) * rect.height()

    def _reserved(self, rect: QtCore.QRectF) -> tuple[float, float] | None:
        y = self._marker_y(rect)
        return None if y is None else (y - _MARKER_HALF_PX - _LABEL_GAP_PX, y + _MARKER_HALF_PX + _LABEL_GAP_PX)

    def _paint_extra(self, p: QtGui.QPainter, rect: QtCore.QRectF) -> None:
        y = self._marker_y(rect)
        if y is None:
            return
        value, color = self._marker
        text = format_number(value, abs(value) / 1000, compact=True) if self._compact else format_price(value)
        label, width, height = self._static(text, p.font())
        self._fit_width(width)
        box = QtCore.QRectF(rect.left() + 1, y - _MARKER_HALF_PX, rect.width() - 1, 2 * _MARKER_HALF_PX)
        p.fillRect(box, color)
        p.setPen(self._marker_text_pen)
        p.drawStaticText(QtCore.QPointF(box.left() + 5, y - height / 2), label)


class TimeAxisItem(_LeanAxis):
    """Time axis for x in epoch seconds, labelled in UTC."""

    label_spacing_px = 90.0

    def __init__(self, orientation: str = "bottom", *, palette: Palette = DARK, **kw):
        super().__init__(orientation, palette=palette, **kw)

    def ticks(self, lo: float, hi: float, length_px: float, *, labelled: bool = True) -> tuple[np.ndarray, Sequence[str]]:
        return time_axis_ticks(lo, hi, length_px, labelled=labelled)

    def _cursor_text(self, value: float) -> str:
        return datetime.fromtimestamp(value, tz=UTC).strftime("%a %Y-%m-%d %H:%M")


@lru_cache(maxsize=8)
def time_axis_ticks(lo: float, hi: float, length_px: float, *, labelled: bool) -> tuple[np.ndarray, Sequence[str]]:
    """A time axis' tick values and labels; every pane of a window asks for the same
    ones each frame, so they are computed once. The arrays are read-only."""
    values, step = time_ticks(lo, hi, max_ticks=length_px / TimeAxisItem.label_spacing_px)
    values.flags.writeable = False
    return values, tuple(format_time(v, step) for v in values) if labelled else ()
