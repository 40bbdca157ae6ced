"""Lean price and time axes: nice ticks in a few numpy operations, drawn straight.

pyqtgraph's AxisItem is general and re-lays out its text on every range change, which
costs milliseconds per axis per frame; a chart window has ten or more axes panning at
once. These subclasses keep AxisItem's layout and view linking and replace only the
painting. The time axis labels in UTC and reads well from minutes to decades.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone

import numpy as np
import pyqtgraph as pg
from pyqtgraph.Qt import QtCore, QtGui

from smtdesk.ui.theme import DARK, Palette, pen

_MINUTE, _HOUR, _DAY = 60, 3600, 86400
_TIME_STEPS = (
    60, 120, 300, 600, 900, 1800,
    _HOUR, 2 * _HOUR, 3 * _HOUR, 4 * _HOUR, 6 * _HOUR, 12 * _HOUR,
    _DAY, 2 * _DAY, 7 * _DAY, 14 * _DAY,
)
_MONTH_STEPS = (1, 2, 3, 6, 12, 24, 60, 120, 240, 600)
_AVG_MONTH = 30.44 * _DAY


def nice_ticks(lo: float, hi: float, *, max_ticks: float) -> np.ndarray:
    """Round values (1, 2, 2.5, 5 x 10^k apart) inside ``[lo, hi]``, at most ``max_ticks``."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo or max_ticks < 1:
        return np.empty(0)
    raw = (hi - lo) / max_ticks
    mag = 10.0 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step)
    last = math.floor(hi / step)
    return np.arange(first, last + 1) * step


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


class _LeanAxis(pg.AxisItem):
    """AxisItem whose paint computes and draws its ticks directly (no QPicture)."""

    label_spacing_px = 40.0

    def __init__(self, orientation: str, *, palette: Palette = DARK, **kwargs) -> None:
        super().__init__(orientation, **kwargs)
        self.enableAutoSIPrefix(False)
        self.set_palette(palette)

    def set_palette(self, palette: Palette) -> None:
        self._palette = palette
        self.setPen(pen(palette.axis))
        self.setTextPen(pen(palette.text_muted))
        self._grid_pen = pen(palette.grid)
        self.update()

    def updateAutoSIPrefix(self) -> None:
        # no axis title and no SI prefix: skip re-rendering a hidden title on every pan
        self.autoSIPrefixScale = 1.0
        self.labelUnitPrefix = ""

    def ticks(self, lo: float, hi: float, length_px: float, *, labelled: bool = True) -> tuple[np.ndarray, list[str]]:
        """Tick values in ``[lo, hi]`` and, when ``labelled``, their labels (else none)."""
        raise NotImplementedError

    def paint(self, p: QtGui.QPainter, *args) -> None:
        rect = self.mapRectFromParent(self.geometry())
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
        if self.grid is not False and self.linkedView() is not None:
            view = self.linkedView().mapRectToItem(self, self.linkedView().boundingRect())
            p.setPen(self._grid_pen)
            for v in pos:
                if vertical:
                    p.drawLine(QtCore.QPointF(view.left(), v), QtCore.QPointF(view.right(), v))
                else:
                    p.drawLine(QtCore.QPointF(v, view.top()), QtCore.QPointF(v, view.bottom()))
        p.setPen(self.pen())
        edge = {"left": (rect.topRight(), rect.bottomRight()), "right": (rect.topLeft(), rect.bottomLeft()),
                "bottom": (rect.topLeft(), rect.topRight()), "top": (rect.bottomLeft(), rect.bottomRight())}
        p.drawLine(*edge[self.orientation])
        if self.style["tickFont"] is not None:
            p.setFont(self.style["tickFont"])
        if vertical and labels:
            self._fit_width(p.fontMetrics(), labels)
        p.setPen(self.textPen())
        half = 9.0
        for v, text in zip(pos, labels):
            if vertical:
                if v - half < rect.top() or v + half > rect.bottom():
                    continue
                box = QtCore.QRectF(rect.left() + 6, v - half, rect.width() - 8, 2 * half)
                align = QtCore.Qt.AlignmentFlag.AlignVCenter | (
                    QtCore.Qt.AlignmentFlag.AlignLeft if self.orientation == "right" else QtCore.Qt.AlignmentFlag.AlignRight)
            else:
                width = 8.0 * len(text) + 8
                if v - width / 2 < rect.left() or v + width / 2 > rect.right():
                    continue
                box = QtCore.QRectF(v - width / 2, rect.top() + 3, width, rect.height() - 3)
                align = QtCore.Qt.AlignmentFlag.AlignHCenter | QtCore.Qt.AlignmentFlag.AlignTop
            p.drawText(box, int(align.value), text)
        self._paint_extra(p, rect)

    def _paint_extra(self, p: QtGui.QPainter, rect: QtCore.QRectF) -> None:
        """Hook for markers drawn over the axis."""

    def _fit_width(self, metrics: QtGui.QFontMetrics, labels: list[str]) -> None:
        # grow only: a width that follows every label would re-lay out the window per frame
        needed = max(metrics.horizontalAdvance(t) for t in labels) + 16
        if needed > self.width():
            self.setWidth(needed)


class PriceAxisItem(_LeanAxis):
    """Value axis (price or indicator) with an optional last-value marker.

    ``compact`` writes large values as 1.2K / 3.4M / 5B (volume, open interest).
    """

    def __init__(self, orientation: str = "right", *, compact: bool = False, palette: Palette = DARK, **kw):
        self._compact = compact
        self._fixed: np.ndarray | None = None
        self._marker: tuple[float, str] | None = None
        super().__init__(orientation, palette=palette, **kw)

    def set_fixed_ticks(self, values: tuple[float, ...] | None) -> None:
        """Label these values (an oscillator's levels) instead of computed steps."""
        self._fixed = None if values is None else np.sort(np.asarray(values, dtype=np.float64))
        self.update()

    def ticks(self, lo: float, hi: float, length_px: float, *, labelled: bool = True) -> tuple[np.ndarray, list[str]]:
        if self._fixed is not None:
            values = self._fixed[(self._fixed >= lo) & (self._fixed <= hi)]
            return values, [f"{v:g}" for v in values] if labelled else []
        values = nice_ticks(lo, hi, max_ticks=length_px / self.label_spacing_px)
        step = float(values[1] - values[0]) if len(values) > 1 else (hi - lo)
        return values, [format_number(v, step, compact=self._compact) for v in values] if labelled else []

    def set_marker(self, value: float | None, color: str | None = None) -> None:
        """Mark ``value`` (e.g. the last price) with a filled tag in ``color``; None hides it."""
        self._marker = None if value is None or not math.isfinite(value) else (float(value), color or self._palette.text)
        self.update()

    def marker(self) -> tuple[float, str] | None:
        return self._marker

    def _paint_extra(self, p: QtGui.QPainter, rect: QtCore.QRectF) -> None:
        if self._marker is None:
            return
        value, color = self._marker
        lo, hi = min(self.range), max(self.range)
        if not lo <= value <= hi:
            return
        y = rect.bottom() - (value - lo) / (hi - lo) * rect.height()
        text = format_number(value, abs(value) / 1000, compact=True) if self._compact else format_price(value)
        self._fit_width(p.fontMetrics(), [text])
        box = QtCore.QRectF(rect.left() + 1, y - 9, rect.width() - 1, 18)
        p.fillRect(box, pg.mkColor(color))
        p.setPen(pen(self._palette.last_price_text))
        p.drawText(box.adjusted(5, 0, 0, 0), int((QtCore.Qt.AlignmentFlag.AlignVCenter | QtCore.Qt.AlignmentFlag.AlignLeft).value), text)


class TimeAxisItem(_LeanAxis):
    """Time axis for x in epoch seconds, labelled in UTC."""

    label_spacing_px = 90.0

    def __init__(self, orientation: str = "bottom", *, palette: Palette = DARK, **kw):
        super().__init__(orientation, palette=palette, **kw)

    def ticks(self, lo: float, hi: float, length_px: float, *, labelled: bool = True) -> tuple[np.ndarray, list[str]]:
        values, step = time_ticks(lo, hi, max_ticks=length_px / self.label_spacing_px)
        return values, [format_time(v, step) for v in values] if labelled else []
