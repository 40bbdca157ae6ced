"""Candlestick item whose frame cost depends on the window's width, not the history."""

from __future__ import annotations

import numpy as np
from pyqtgraph.Qt import QtCore, QtGui

from smtdesk.core.candles import Candles
from smtdesk.ui.items._lod import Columns, Pyramid
from smtdesk.ui.items._windowed import WindowedItem, line_array, rect_array
from smtdesk.ui.theme import DARK, Palette, brush, pen

BODY_FRACTION = 0.7
"""Body width as a fraction of the bar's time slot."""

_REDUCERS = {"high": np.maximum, "low": np.minimum}


def _candle_fields(candles: Candles) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    x = candles.time / 1000.0
    return x, {"open": candles.open, "high": candles.high, "low": candles.low, "close": candles.close}


class CandleItem(WindowedItem):
    """OHLC candles at x = open time in epoch seconds, centred on x.

    Zoomed in, each candle is a wick and a body ``BODY_FRACTION`` of a bar wide; zoomed
    out past about one candle per pixel, each pixel column shows the exact high and low
    of the candles it covers (:func:`smtdesk.ui.items._lod.aggregate_columns`), coloured
    by its first open against its last close. Missing candles leave empty space.
    """

    def __init__(self, *, palette: Palette = DARK) -> None:
        super().__init__()
        self._groups: list[tuple[QtGui.QPen, QtGui.QBrush | None, object, object]] = []
        self.set_palette(palette)

    def set_palette(self, palette: Palette) -> None:
        self._palette = palette
        self._up = (pen(palette.up), brush(palette.up))
        self._down = (pen(palette.down), brush(palette.down))
        self._window = None
        self.update()

    # -- data -----------------------------------------------------------------------------
    def set_candles(self, candles: Candles, *, bar_seconds: float) -> None:
        """Show ``candles`` (a whole series); ``bar_seconds`` is the timeframe's length."""
        x, fields = _candle_fields(candles)
        self._set_pyramid(Pyramid(x, fields, reducers=_REDUCERS, bar_seconds=bar_seconds))

    def merge_candles(self, newer: Candles) -> None:
        """Live update: ``newer`` replaces every candle from its first open time on.

        Appending a candle or replacing the forming one costs O(log n), not a rebuild.
        """
        if len(newer) == 0:
            return
        if self._pyramid is None:
            raise RuntimeError("merge_candles: call set_candles first")
        x, fields = _candle_fields(newer)
        self._tail_changed(self._pyramid.merge_tail(x, fields))

    def visible_range(self, x0: float, x1: float) -> tuple[float, float]:
        """Lowest low and highest high of the candles overlapping ``[x0, x1]``.

        O(sqrt n) on the pyramid; ``(nan, nan)`` when no candle is there.
        """
        if self._pyramid is None:
            return float("nan"), float("nan")
        i, j = self.visible_slice(x0, x1)
        return self._pyramid.extreme("low", i, j), self._pyramid.extreme("high", i, j)

    def _y_range(self, x0: float, x1: float) -> tuple[float, float]:
        return self.visible_range(x0, x1)

    def _data_rect(self) -> QtCore.QRectF:
        pyr = self._pyramid
        if pyr is None or pyr.size == 0:
            return QtCore.QRectF()
        lo, hi = pyr.total("low"), pyr.total("high")
        half = pyr.bar_seconds / 2
        x0, x1 = float(pyr.x[0]) - half, float(pyr.x[-1]) + half
        return QtCore.QRectF(x0, lo, x1 - x0, hi - lo)

    # -- drawing --------------------------------------------------------------------------
    def _build_raw(self, lo: int, hi: int) -> None:
        pyr = self._pyramid
        x = pyr.x[lo:hi]
        o, h, l, c = (pyr.raw(f)[lo:hi] for f in ("open", "high", "low", "close"))
        width = pyr.bar_seconds * BODY_FRACTION
        self._groups = []
        for mask, (p, b) in ((c >= o, self._up), (c < o, self._down)):
            xm = x[mask]
            bottom = np.minimum(o[mask], c[mask])
            wicks = line_array(xm, l[mask], xm, h[mask])
            bodies = rect_array(xm - width / 2, bottom, width, np.abs(c[mask] - o[mask]))
            self._groups.append((p, b, wicks, bodies))

    def _build_columns(self, columns: Columns) -> None:
        pyr = self._pyramid
        up = pyr.raw("close")[columns.last] >= pyr.raw("open")[columns.first]
        hi, lo = columns.fields["high"], columns.fields["low"]
        self._groups = []
        for mask, (p, _b) in ((up, self._up), (~up, self._down)):
            xm = columns.x[mask]
            self._groups.append((p, None, line_array(xm, lo[mask], xm, hi[mask]), None))

    def _draw(self, painter: QtGui.QPainter) -> None:
        for p, b, lines, rects in self._groups:
            painter.setPen(p)
            painter.drawLines(*lines.drawargs())
            if rects is not None:
                painter.setBrush(b)
                painter.drawRects(*rects.drawargs())
