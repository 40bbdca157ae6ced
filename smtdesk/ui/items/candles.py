"""Candlesticks drawn from arrays, visible range only."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QLineF, QRectF
from PySide6.QtGui import QColor, QPen

from smtdesk.core.candles import Candles

UP = QColor("#26a69a")
DOWN = QColor("#ef5350")


class CandleItem(pg.GraphicsObject):
    """Candles at x = open time in seconds, y = price."""

    def __init__(self) -> None:
        super().__init__()
        self._candles = Candles.empty()
        self._x = np.empty(0)
        self._bar = 1.0
        self._bounds = QRectF()

    def set_candles(self, candles: Candles, *, bar_seconds: float) -> None:
        self.prepareGeometryChange()
        self._candles = candles
        self._x = candles.time / 1000.0
        self._bar = bar_seconds
        if len(candles):
            lo, hi = float(candles.low.min()), float(candles.high.max())
            self._bounds = QRectF(
                self._x[0] - bar_seconds, lo, self._x[-1] - self._x[0] + 2 * bar_seconds, hi - lo
            )
        else:
            self._bounds = QRectF()
        self.informViewBoundsChanged()
        self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def _visible(self) -> slice:
        vb = self.getViewBox()
        if vb is None or not len(self._x):
            return slice(0, len(self._x))
        x0, x1 = vb.viewRange()[0]
        lo = max(int(np.searchsorted(self._x, x0 - self._bar)) - 1, 0)
        hi = int(np.searchsorted(self._x, x1 + self._bar)) + 1
        return slice(lo, hi)

    def visible_price_range(self, x0: float, x1: float) -> tuple[float, float] | None:
        lo = int(np.searchsorted(self._x, x0))
        hi = int(np.searchsorted(self._x, x1, side="right"))
        if hi <= lo:
            return None
        return float(self._candles.low[lo:hi].min()), float(self._candles.high[lo:hi].max())

    def paint(self, p, *args) -> None:
        sl = self._visible()
        c = self._candles
        x = self._x[sl]
        o, h, l, cl = c.open[sl], c.high[sl], c.low[sl], c.close[sl]
        half = 0.35 * self._bar
        for up, colour in ((True, UP), (False, DOWN)):
            m = (cl >= o) if up else (cl < o)
            pen = QPen(colour)
            pen.setCosmetic(True)
            p.setPen(pen)
            p.setBrush(colour)
            p.drawLines([QLineF(xi, li, xi, hi_) for xi, li, hi_ in zip(x[m], l[m], h[m])])
            p.drawRects(
                [
                    QRectF(xi - half, min(oi, ci), 2 * half, abs(ci - oi))
                    for xi, oi, ci in zip(x[m], o[m], cl[m])
                ]
            )
