"""One asset's chart: price pane with volume and swing markers, RSI pane below."""

from __future__ import annotations

from typing import Iterable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from smtdesk.core.analysis import AssetAnalysis
from smtdesk.core.candles import timeframe_ms
from smtdesk.core.signal import Direction, Signal, State
from smtdesk.ui.items.candles import CandleItem
from smtdesk.ui.theme import DARK
from smtdesk.ui.signal_text import display_symbol

UP = pg.mkColor(DARK.up)
DOWN = pg.mkColor(DARK.down)
SWING_HIGH = "#f0b90b"
SWING_LOW = "#2962ff"
TEXT = "#d1d4dc"
MUTED = "#787b86"
VOLUME_SHARE = 0.2  # of the price pane's height
INITIAL_BARS = 150


class ChartWidget(pg.GraphicsLayoutWidget):
    """Candles, volume, automatic swing markers and RSI(14) of one asset.

    x is the candle open time in epoch seconds, so two charts linked on x line up by
    time and a missing candle leaves a visible gap.
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.ci.setSpacing(0)
        self.ci.layout.setContentsMargins(2, 2, 2, 2)
        self.title = self.addLabel("", row=0, col=0, justify="left", color=TEXT, size="11pt")
        self.price = self.addPlot(row=1, col=0, axisItems={"bottom": pg.DateAxisItem(utcOffset=0)})
        self.rsi_plot = self.addPlot(row=2, col=0, axisItems={"bottom": pg.DateAxisItem(utcOffset=0)})
        self.ci.layout.setRowStretchFactor(1, 4)
        self.ci.layout.setRowStretchFactor(2, 1)
        for plot in (self.price, self.rsi_plot):
            plot.showAxis("right")
            plot.hideAxis("left")
            plot.showGrid(x=True, y=True, alpha=0.12)
            plot.getAxis("right").setWidth(64)
            plot.setMouseEnabled(x=True, y=False)
        self.price.getAxis("bottom").setStyle(showValues=False)
        self.rsi_plot.setXLink(self.price)

        self.volume_box = pg.ViewBox(enableMouse=False)
        self.volume_box.setXLink(self.price.vb)
        self.price.scene().addItem(self.volume_box)
        # pyqtgraph hands a drag to the item with the highest summed z first; the
        # price ViewBox sits at -100, so the volume box must be lower or it eats pans.
        self.volume_box.setZValue(-1000)
        self.volume_box.setAcceptedMouseButtons(Qt.NoButton)
        self.price.vb.sigResized.connect(self._fit_volume_box)
        self.volume_up = pg.BarGraphItem(x=[], height=[], width=1, brush=_alpha(UP, 90), pen=None)
        self.volume_down = pg.BarGraphItem(x=[], height=[], width=1, brush=_alpha(DOWN, 90), pen=None)
        self.volume_box.addItem(self.volume_up)
        self.volume_box.addItem(self.volume_down)

        self.candles = CandleItem()
        self.price.addItem(self.candles)
        self.swing_highs = pg.ScatterPlotItem(symbol="t", size=9, brush=SWING_HIGH, pen=None)
        self.swing_lows = pg.ScatterPlotItem(symbol="t1", size=9, brush=SWING_LOW, pen=None)
        self.price.addItem(self.swing_highs)
        self.price.addItem(self.swing_lows)
        self.last_price = pg.InfiniteLine(angle=0, movable=False, pen=pg.mkPen(MUTED, style=Qt.DotLine))
        self.price.addItem(self.last_price, ignoreBounds=True)

        self.rsi_curve = self.rsi_plot.plot(pen=pg.mkPen("#b39ddb", width=1.2))
        for level, style in ((30, Qt.DashLine), (50, Qt.DotLine), (70, Qt.DashLine)):
            self.rsi_plot.addItem(
                pg.InfiniteLine(pos=level, angle=0, pen=pg.mkPen(MUTED, style=style)), ignoreBounds=True
            )
        self.rsi_plot.setYRange(0, 100, padding=0.05)
        self.rsi_plot.getAxis("right").setTicks([[(v, str(v)) for v in (30, 50, 70)]])

        self.smt_lines = {
            Direction.BULLISH: self.price.plot(pen=pg.mkPen(UP, width=2), connect="pairs"),
            Direction.BEARISH: self.price.plot(pen=pg.mkPen(DOWN, width=2), connect="pairs"),
        }

        self.price.sigXRangeChanged.connect(self._fit_prices)
        self._analysis: AssetAnalysis | None = None
        self._bar_seconds = 3600.0

    @property
    def analysis(self) -> AssetAnalysis | None:
        return self._analysis

    def set_analysis(self, analysis: AssetAnalysis, timeframe: str) -> None:
        """Draw ``analysis``; keep following the newest bar unless the user scrolled back."""
        c = analysis.candles
        if not len(c):
            return
        bar = timeframe_ms(timeframe) / 1000.0
        first = self._analysis is None
        following = first or self._is_following()
        self._analysis, self._bar_seconds = analysis, bar
        x = c.time / 1000.0

        self.candles.set_candles(c, bar_seconds=bar)
        up = c.close >= c.open
        self.volume_up.setOpts(x=x[up], height=c.volume[up], width=0.7 * bar)
        self.volume_down.setOpts(x=x[~up], height=c.volume[~up], width=0.7 * bar)
        pad = (c.high - c.low).mean() * 0.6
        sw = analysis.swings
        self.swing_highs.setData(x=x[sw.high_idx], y=c.high[sw.high_idx] + pad)
        self.swing_lows.setData(x=x[sw.low_idx], y=c.low[sw.low_idx] - pad)
        self.rsi_curve.setData(x=x, y=analysis.indicators["rsi"], connect="finite")
        self.last_price.setPos(c.close[-1])

        change = c.close[-1] / c.close[-2] - 1 if len(c) > 1 else 0.0
        colour = UP.name() if change >= 0 else DOWN.name()
        self.title.setText(
            f"<b>{display_symbol(analysis.symbol)}</b> &nbsp; {timeframe} &nbsp; "
            f"<span style='color:{colour}'>{c.close[-1]:,.2f} ({change:+.2%})</span>"
        )
        if first:
            self.show_last(INITIAL_BARS)
        elif following:
            self._scroll_to_newest()
        self._fit_prices()

    def set_signals(self, signals: Iterable[Signal]) -> None:
        """Draw each live SMT signal as the line between this asset's two swing levels.

        On the sweeping asset the line rises to the higher high (or falls to the lower
        low); on the other it shows the level that failed to follow.
        """
        if self._analysis is None:
            return
        me = self._analysis.symbol
        segments = {d: ([], []) for d in self.smt_lines}
        for sig in signals:
            if sig.kind != "smt" or sig.state in (State.CANCELLED, State.INVALIDATED):
                continue
            sweeper = sig.assets[0]
            first, second = (f"{me}.swept", f"{me}.new") if sweeper == me else (f"{me}.prior", f"{me}.new")
            if first not in sig.levels or second not in sig.levels:
                continue
            t0, t1 = sig.level_times[first], sig.level_times[second]
            # The other asset's two levels can fall on one bar; run its line to the
            # sweeper's new swing so the level that held stays visible.
            t1 = max(t1, sig.level_times.get(f"{sweeper}.new", t1))
            xs, ys = segments[sig.direction]
            xs += [t0 / 1000.0, t1 / 1000.0]
            ys += [sig.levels[first], sig.levels[second]]
        for direction, (xs, ys) in segments.items():
            self.smt_lines[direction].setData(x=xs, y=ys, connect="pairs")

    def show_last(self, bars: int) -> None:
        if self._analysis is None:
            return
        x = self._analysis.candles.time / 1000.0
        lo = x[max(len(x) - bars, 0)]
        self.price.setXRange(lo, x[-1] + 3 * self._bar_seconds, padding=0)

    def _is_following(self) -> bool:
        if self._analysis is None:
            return True
        right = self.price.vb.viewRange()[0][1]
        return right >= self._analysis.candles.time[-1] / 1000.0

    def _scroll_to_newest(self) -> None:
        (x0, x1) = self.price.vb.viewRange()[0]
        newest = self._analysis.candles.time[-1] / 1000.0
        shift = newest + 3 * self._bar_seconds - x1
        if shift > 0:
            self.price.setXRange(x0 + shift, x1 + shift, padding=0)

    def _fit_prices(self) -> None:
        if self._analysis is None:
            return
        x0, x1 = self.price.vb.viewRange()[0]
        rng = self.candles.visible_price_range(x0, x1)
        lo, hi = rng
        if not np.isfinite(lo):
            return
        span = (hi - lo) or abs(hi) * 0.01 or 1.0
        # Room below the candles for the volume overlay, above for swing markers.
        self.price.setYRange(lo - span * (VOLUME_SHARE + 0.04), hi + span * 0.08, padding=0)
        c = self._analysis.candles
        i0, i1 = np.searchsorted(c.time / 1000.0, [x0, x1])
        vmax = c.volume[i0:i1].max() if i1 > i0 else 1.0
        self.volume_box.setYRange(0, vmax / VOLUME_SHARE, padding=0)

    def _fit_volume_box(self) -> None:
        self.volume_box.setGeometry(self.price.vb.sceneBoundingRect())


def _alpha(colour, alpha: int):
    c = pg.mkColor(colour)
    c.setAlpha(alpha)
    return c
