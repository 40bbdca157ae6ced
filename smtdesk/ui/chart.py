"""One asset's chart column: the price pane and its sub-panels, on one time axis.

x is the candle open time in epoch seconds everywhere, so panes (and the two charts)
linked on x line up by time and a missing candle leaves a visible gap.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtCore import Signal as QtSignal
from PySide6.QtWidgets import QLabel, QSplitter, QToolButton, QVBoxLayout, QWidget

from smtdesk.core.analysis import AssetAnalysis
from smtdesk.core.candles import Candles, timeframe_ms
from smtdesk.core.signal import Signal
from smtdesk.data.derivatives import DerivSeries
from smtdesk.ui.items.candles import CandleItem
from smtdesk.ui.items.guide_line import GuideLine
from smtdesk.ui.items.histogram import HistogramItem
from smtdesk.ui.items.lines import LineItem
from smtdesk.ui.items.signal_marks import PRICE, SignalMarkItem, is_drawn
from smtdesk.ui.items.structure_layer import StructureLayer
from smtdesk.ui.items.volume import VolumeItem
from smtdesk.ui.manual_swings import ManualSwingLayer
from smtdesk.ui.pane import AXIS_WIDTH, FittedViewBox, Pane
from smtdesk.ui.panels import (
    HISTOGRAM,
    OVERLAYS,
    PANELS,
    RSI_EXTREMES,
    VOLUME,
    PanelInput,
    PanelSpec,
)
from smtdesk.ui.signal_text import display_symbol
from smtdesk.ui.smt_layer import SmtLayer
from smtdesk.ui.theme import DARK, Palette, pen

VOLUME_SHARE = 0.18
"""Bottom share of the price pane given to the volume overlay."""
INITIAL_BARS = 150
RIGHT_MARGIN_BARS = 3
MARKER_MIN_PX_PER_BAR = 2.0
X_LIMIT_MARGIN_BARS = 30
"""How far past the first and last bar the view may go: zooming out stops at the data."""
SUBPANEL_MIN_HEIGHT = 48
PREPARING = "Preparing analysis…"
"""Room for the legend and two value labels; every sub-panel at once still fits a 900 px window."""


class _PriceVolumeItems:
    """Volume overlay in its own ViewBox under the candles, sized to the bottom share."""

    def __init__(self, pane: Pane, palette: Palette) -> None:
        self.box = FittedViewBox(enableMouse=False, enableMenu=False)
        self.box.fit = self.y_range_for
        self.box.setXLink(pane.vb)
        pane.plot.scene().addItem(self.box)
        # pyqtgraph hands a drag to the item with the highest summed z first; the
        # price ViewBox sits at -100, so the volume box must be lower or it eats pans,
        # yet above the axes that paint the grid.
        self.box.setZValue(-150)
        self.box.setAcceptedMouseButtons(Qt.NoButton)
        self.item = VolumeItem(palette=palette)
        self.box.addItem(self.item)
        self._pane = pane
        pane.vb.sigResized.connect(self._follow_geometry)

    def _follow_geometry(self) -> None:
        self.box.setGeometry(self._pane.vb.sceneBoundingRect())

    def y_range_for(self, x0: float, x1: float) -> tuple[float, float] | None:
        top = self.item.visible_volume_max(x0, x1)
        return (0.0, top / VOLUME_SHARE) if np.isfinite(top) and top > 0 else None


class PricePane(Pane):
    """Candles, volume overlay, moving-average overlays, swings and SMT lines."""

    def __init__(self, palette: Palette) -> None:
        super().__init__("price", palette=palette)
        self.setMinimumHeight(220)
        self.candles = CandleItem(palette=palette)
        self.plot.addItem(self.candles)
        self.fitted.append(self.candles)
        self.volume = _PriceVolumeItems(self, palette)
        self.overlays: dict[str, list[LineItem]] = {}
        self.swing_highs = pg.ScatterPlotItem(symbol="t", size=9, pen=None)
        self.swing_lows = pg.ScatterPlotItem(symbol="t1", size=9, pen=None)
        for item in (self.swing_highs, self.swing_lows):
            self.plot.addItem(item, ignoreBounds=True)
        self.structure = StructureLayer(self.plot, palette)
        self.marks = SignalMarkItem(PRICE, palette=palette)
        self.plot.addItem(self.marks, ignoreBounds=True)
        self.smt = SmtLayer(self, palette)
        self.trade_marks: list = []  # a followed trade's fill and exit (statistics)
        self.style_markers(palette)
        # An empty pane has no scale to label; the legend says what is coming.
        self.price_axis.setStyle(showValues=False)
        self.set_legend("Loading the history…")

    def style_markers(self, palette: Palette) -> None:
        self.swing_highs.setBrush(pg.mkBrush(palette.swing_color("high")))
        self.swing_lows.setBrush(pg.mkBrush(palette.swing_color("low")))

    def y_range_for(self, x0: float, x1: float) -> tuple[float, float] | None:
        lo, hi = self.visible_y_range(x0, x1)
        if not (np.isfinite(lo) and np.isfinite(hi)):
            return None
        # the volume overlay keeps the bottom share; the margin leaves room for swing markers
        return self.padded(lo, hi, margin=0.05, floor=VOLUME_SHARE)


class SubPanel(Pane):
    """A removable indicator or derivatives pane built from a :class:`PanelSpec`."""

    close_requested = QtSignal(str)

    def __init__(self, spec: PanelSpec, palette: Palette) -> None:
        super().__init__(spec.key, palette=palette, compact=spec.compact, y_range=spec.y_range)
        self.setMinimumHeight(SUBPANEL_MIN_HEIGHT)
        self.spec = spec
        self.marks = SignalMarkItem(spec.key, palette=palette)
        self.plot.addItem(self.marks, ignoreBounds=True)
        self.series_items: list = []
        for i, series in enumerate(spec.series):
            if series.style == VOLUME:
                item = VolumeItem(palette=palette)
            elif series.style == HISTOGRAM:
                item = HistogramItem(palette=palette)
            else:
                item = LineItem(pen=pen(palette.series_color(i)))
            self.plot.addItem(item)
            self.series_items.append(item)
        self.fitted.extend(self.series_items)
        self._series_data: list[tuple[np.ndarray, np.ndarray] | None] = [None] * len(self.series_items)
        self.price_axis.setStyle(showValues=False)  # until data arrives
        for level in spec.levels:
            self.add_level(level)
        self._extremes: list[GuideLine] = []
        if spec.y_range is not None:
            self.price_axis.set_fixed_ticks(spec.levels)
        self.close_button = QToolButton(self)
        self.close_button.setText("×")
        self.close_button.setToolTip(f"Remove {spec.title}")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(lambda: self.close_requested.emit(spec.key))
        # Why a derivatives panel stays empty, said in the panel rather than a blank plot.
        self.note = QLabel(self)
        self.note.setAlignment(Qt.AlignCenter)
        self.note.setWordWrap(True)
        self.note.setAttribute(Qt.WA_TransparentForMouseEvents)
        self.note.hide()
        self._note_text = ""
        self._style_note(palette)
        # said over an indicator pane while the candles are drawn without their analysis
        self.preparing = QLabel(PREPARING, self)
        self.preparing.setAlignment(Qt.AlignCenter)
        self.preparing.setAttribute(Qt.WA_TransparentForMouseEvents)
        self.preparing.hide()
        self._computed = not spec.derivatives and any(s.style != VOLUME for s in spec.series)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        button = getattr(self, "close_button", None)  # pyqtgraph resizes during __init__
        if button is not None:
            button.move(self.width() - button.sizeHint().width() - 80, 2)
        note = getattr(self, "note", None)
        if note is not None:
            note.setGeometry(8, 0, max(self.width() - AXIS_WIDTH - 16, 0), self.height())
        label = getattr(self, "preparing", None)
        if label is not None:
            label.setGeometry(self.rect())

    def set_note(self, text: str) -> None:
        """What the panel says while it has no data (empty: nothing)."""
        self._note_text = text
        self._show_note()

    def _show_note(self) -> None:
        self.note.setText(self._note_text)
        self.note.setVisible(bool(self._note_text) and not self.has_data())

    def _style_note(self, palette: Palette) -> None:
        self.note.setStyleSheet(f"color: {palette.text_muted}; background: transparent;")

    def set_preparing(self, preparing: bool) -> None:
        """Say the pane's indicator is still being computed (not for volume or derivatives,
        which need no analysis)."""
        self.preparing.setVisible(preparing and self._computed)

    def set_palette(self, palette: Palette) -> None:
        super().set_palette(palette)
        if getattr(self, "note", None) is not None:
            self._style_note(palette)
        for i, item in enumerate(getattr(self, "series_items", ())):
            if isinstance(item, LineItem):
                item.set_pen(pen(palette.series_color(i)))
            else:
                item.set_palette(palette)

    def show_extremes(self, shown: bool) -> None:
        """RSI's optional 20/80 lines."""
        for line in self._extremes:
            self.remove_level(line)
        self._extremes = [self.add_level(v) for v in RSI_EXTREMES] if shown else []
        self.price_axis.set_fixed_ticks(self.spec.levels + (RSI_EXTREMES if shown else ()))

    def has_data(self) -> bool:
        return any(d is not None for d in self._series_data)

    def set_input(self, data: PanelInput, bar_seconds: float, tail_from: int | None) -> None:
        """Show the panel's series; ``tail_from`` = first changed candle when only the tail changed."""
        for i, (series, item) in enumerate(zip(self.spec.series, self.series_items)):
            values = series.values(data)
            self._series_data[i] = values
            if values is None:
                if item.bar_count():  # another symbol's series must not linger
                    item.set_data(np.empty(0), np.empty(0), bar_seconds=bar_seconds)
                continue
            x, y = values
            if isinstance(item, VolumeItem):
                candles = data.analysis.candles
                if tail_from is not None and item.bar_count():
                    item.merge_candles(candles[tail_from:])
                else:
                    item.set_candles(candles, bar_seconds=bar_seconds)
            elif tail_from is not None and not self.spec.derivatives and item.bar_count():
                item.merge_tail(x[tail_from:], y[tail_from:])
            else:
                spacing = _series_bar_seconds(x, bar_seconds) if self.spec.derivatives else bar_seconds
                item.set_data(x, y, bar_seconds=spacing)
        # an empty pane has no scale to label
        if self.price_axis.style["showValues"] != self.has_data():
            self.price_axis.setStyle(showValues=self.has_data())
        self._show_note()
        self.fit_y()

    def values_at(self, t: float) -> list[tuple[str, float]]:
        """(label, value) of each series at the bar open at ``t`` (NaN when none)."""
        out = []
        for series, values in zip(self.spec.series, self._series_data):
            out.append((series.label, _value_at(values, t, as_of=self.spec.derivatives)))
        return out


class AssetChart(QWidget):
    """Price pane over any number of sub-panels, resizable with a splitter."""

    panel_close_requested = QtSignal(str)
    manual_swings_changed = QtSignal(str, tuple, tuple)
    """(symbol, its hand-placed swings, its deleted automatic swings) after the user
    placed, moved, removed or deleted one."""

    def __init__(self, *, palette: Palette = DARK, parent=None) -> None:
        super().__init__(parent)
        self.palette_ = palette
        self.splitter = QSplitter(Qt.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setHandleWidth(3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self.price = PricePane(palette)
        self.splitter.addWidget(self.price)
        self.manual = ManualSwingLayer(self.price, palette=palette)
        self.manual.changed.connect(self.manual_swings_changed)
        self.manual.hiding.connect(self._hide_swing_marker)
        minor = self.price.structure.items["minor_swings"]
        minor.visibleChanged.connect(lambda: self.manual.levels.set_minor_shown(minor.isVisible()))
        self.panels: dict[str, SubPanel] = {}
        self._rsi_extremes = False
        self._overlays: tuple[str, ...] = ()
        self._analysis: AssetAnalysis | None = None
        self._swing_pad = 0.0  # how far a swing marker sits beyond its bar's extreme
        self._x = np.empty(0)
        self._timeframe = ""
        self._bar_seconds = 3600.0
        self._derivatives: dict[str, DerivSeries] = {}
        self._notes: dict[str, str] = {}  # panel key -> why it has no data
        self._drawable: tuple[Signal, ...] = ()  # this asset's divergences and failure swings
        self._marked: Signal | None = None
        self._mark_all = False
        self._x_limits: dict[str, float] = {}
        self._update_time_labels()
        # every redraw re-shows the legend at this time, so it stays where the crosshair is
        self._legend_time: float | None = None
        self._analysed = True
        self.price.vb.sigXRangeChanged.connect(self._on_zoom)

    # -- structure ------------------------------------------------------------------------
    @property
    def analysis(self) -> AssetAnalysis | None:
        return self._analysis

    @property
    def bar_seconds(self) -> float:
        return self._bar_seconds

    @property
    def bar_times(self) -> np.ndarray:
        """Open time of each candle in seconds, the x of every pane (read-only)."""
        return self._x

    def panes(self) -> list[Pane]:
        return [self.price, *self.panels.values()]

    def add_panel(self, key: str) -> SubPanel:
        if key in self.panels:
            return self.panels[key]
        panel = SubPanel(PANELS[key], self.palette_)
        panel.vb.setLimits(**self._x_limits)
        panel.setXLink(self.price.plot)
        panel.close_requested.connect(self.panel_close_requested)
        if key == "rsi":
            panel.show_extremes(self._rsi_extremes)
        panel.set_note(self._notes.get(key, ""))
        self.panels[key] = panel
        panel.marks.set_signals(self._marks())
        self.splitter.addWidget(panel)
        self._share_heights()
        self._update_time_labels()
        if self._analysis is not None:
            panel.set_input(self._panel_input(), self._bar_seconds, None)
            panel.set_preparing(not self._analysed)
            self.show_values_at(self._legend_time)
        return panel

    def remove_panel(self, key: str) -> None:
        panel = self.panels.pop(key, None)
        if panel is None:
            return
        panel.hide()
        panel.setParent(None)
        panel.deleteLater()
        self._share_heights()
        self._update_time_labels()

    def set_rsi_extremes(self, shown: bool) -> None:
        self._rsi_extremes = shown
        if "rsi" in self.panels:
            self.panels["rsi"].show_extremes(shown)

    def set_overlays(self, keys: Iterable[str]) -> None:
        keys = tuple(k for k in OVERLAYS if k in set(keys))
        for key in set(self.price.overlays) - set(keys):
            for item in self.price.overlays.pop(key):
                self.price.plot.removeItem(item)
        self._overlays = keys
        self._draw_overlays(None)
        self.show_values_at(self._legend_time)

    def set_palette(self, palette: Palette) -> None:
        self.palette_ = palette
        for pane in self.panes():
            pane.set_palette(palette)
        self.price.candles.set_palette(palette)
        self.price.volume.item.set_palette(palette)
        self.price.style_markers(palette)
        self.price.structure.set_palette(palette)
        self.price.smt.set_palette(palette)
        for pane in self.panes():
            pane.marks.set_palette(palette)
        self.manual.set_palette(palette)
        self._draw_overlays(None)
        if self._analysis is not None:
            self._update_last_price()
            self.show_values_at(self._legend_time)

    def _share_heights(self) -> None:
        n = len(self.panels)
        total = max(self.splitter.height(), 600)
        sub = int(total * min(0.22, 0.55 / max(n, 1))) if n else 0
        self.splitter.setSizes([total - n * sub] + [sub] * n)

    def _update_time_labels(self) -> None:
        panes = self.panes()
        for pane in panes:
            pane.show_time_labels(pane is panes[-1])

    # -- data -----------------------------------------------------------------------------
    def set_analysis(
        self, analysis: AssetAnalysis, timeframe: str, *, fresh: bool = False, redraw: bool = False,
        analysed: bool = True,
    ) -> None:
        """Draw ``analysis``; keep following the newest bar unless the user scrolled back.

        ``fresh`` redraws everything from the start: another venue's candles for the same
        symbol and timeframe share their timestamps, so only the caller can tell.
        ``redraw`` draws every bar again where the view is (the candles analysed with
        other settings). Without ``analysed`` the candles come alone: the indicator panes
        say their analysis is being prepared.
        """
        c = analysis.candles
        if not len(c):
            return
        previous = self._analysis
        first = (
            fresh
            or previous is None
            or timeframe != self._timeframe
            or previous.symbol != analysis.symbol
        )
        following = first or self.is_following()
        tail = None if first or redraw else _tail_start(previous.candles, c)
        if first:
            self._marked = None  # a signal of the series shown before
            self.manual.new_series()
        self._analysis, self._timeframe = analysis, timeframe
        self.price.price_axis.setStyle(showValues=True)
        self._x = c.time / 1000.0
        self._x.flags.writeable = False
        self._bar_seconds = timeframe_ms(timeframe) / 1000.0
        if tail is None:
            self.price.candles.set_candles(c, bar_seconds=self._bar_seconds)
            self.price.volume.item.set_candles(c, bar_seconds=self._bar_seconds)
        else:
            self.price.candles.merge_candles(c[tail:])
            self.price.volume.item.merge_candles(c[tail:])
        self._draw_overlays(tail)
        self._draw_swings(tail)
        self.price.structure.set_analysis(analysis, self._bar_seconds)
        self.price.smt.set_asset(analysis.symbol, self._bar_seconds, float(self._x[-1]), fresh=first)
        self._analysed = analysed
        for panel in self.panels.values():
            panel.set_input(self._panel_input(), self._bar_seconds, tail)
            panel.set_preparing(not analysed)
        self._update_last_price()
        self.show_values_at(self._legend_time)
        if first:
            self.limit_x(float(self._x[0]), float(self._x[-1]))  # not the last timeframe's
            self.show_last(INITIAL_BARS)
            # the range may be the one the other chart's new bars gave already: no change
            # signal then, and the markers would keep the visibility of the old timeframe
            self._on_zoom()
        elif following:
            self.scroll_to_newest()
        self.price.fit_y()
        self.price.volume.box.refit()

    def shows(self, analysis: AssetAnalysis) -> bool:
        """Whether ``analysis`` has the bars, hand-placed swings and layers drawn now
        (the indicators and swings of the same bars are the same)."""
        old = self._analysis
        return (
            old is not None
            and old.symbol == analysis.symbol
            and len(old.candles) == len(analysis.candles)
            and old.candles.time[-1] == analysis.candles.time[-1]
            and old.manual == analysis.manual
            and (old.structure is None) == (analysis.structure is None)
        )

    def show_forming(self, candles: Candles) -> None:
        """A still-forming candle: drawn at once, replaced when the closed one arrives."""
        if self._analysis is None or not len(candles):
            return
        self.price.candles.merge_candles(candles)
        self.price.volume.item.merge_candles(candles)
        self.price.price_axis.set_marker(float(candles.close[-1]), self._last_colour(candles))

    def set_derivatives(self, series: DerivSeries) -> None:
        self._derivatives[series.kind] = series
        if self._analysis is None:
            return
        for panel in self.panels.values():
            if panel.spec.derivatives:
                panel.set_input(self._panel_input(), self._bar_seconds, None)
        self.show_values_at(self._legend_time)

    def clear_derivatives(self) -> None:
        self._derivatives.clear()

    def set_panel_notes(self, notes: dict[str, str]) -> None:
        """Per panel key, what an empty panel says about why (a source without that data)."""
        self._notes = dict(notes)
        for key, panel in self.panels.items():
            panel.set_note(self._notes.get(key, ""))

    def _panel_input(self) -> PanelInput:
        return PanelInput(self._analysis, self._x, self._derivatives)

    def _draw_overlays(self, tail: int | None) -> None:
        if self._analysis is None:
            return
        data = self._panel_input()
        for key in self._overlays:
            overlay = OVERLAYS[key]
            items = self.price.overlays.get(key)
            colour = self._overlay_colour(key)
            if items is None:
                items = [LineItem() for _ in overlay.values]
                for item in items:
                    self.price.plot.addItem(item, ignoreBounds=True)
                self.price.overlays[key] = items
                self._layer_overlays()
                tail = None
            for item, values in zip(items, overlay.values):
                item.set_pen(pen(colour, 1.0))
                x, y = values(data)
                if tail is not None:
                    item.merge_tail(x[tail:], y[tail:])
                else:
                    item.set_data(x, y, bar_seconds=self._bar_seconds)

    def _overlay_colour(self, key: str) -> str:
        """One colour per overlay, whichever others are on, so a line keeps its colour."""
        if key == "bollinger":
            return self.palette_.band
        return self.palette_.series_color(list(OVERLAYS).index(key))

    def _draw_swings(self, tail: int | None) -> None:
        c = self._analysis.candles
        if tail is None:  # a candle more leaves the markers where they were
            self._swing_pad = float(np.mean(c.high - c.low)) * 0.6
        self._hide_swing_marker("", -1)
        self.manual.set_analysis(self._analysis, self._swing_pad, self._bar_seconds)

    def _hide_swing_marker(self, kind: str, bar: int) -> None:
        """Major swing markers, less the (``kind``, ``bar``) one being dragged."""
        if self._analysis is None:
            return
        c, x = self._analysis.candles, self._x
        sw, pad = self._analysis.swings, self._swing_pad
        hi = sw.high_idx[sw.high_idx != bar] if kind == "high" else sw.high_idx
        lo = sw.low_idx[sw.low_idx != bar] if kind == "low" else sw.low_idx
        for item, xs, ys in ((self.price.swing_highs, x[hi], c.high[hi] + pad),
                             (self.price.swing_lows, x[lo], c.low[lo] - pad)):
            # most candles confirm no swing: the scatter is costly to fill again
            if not (np.array_equal(item.data["x"], xs) and np.array_equal(item.data["y"], ys)):
                item.setData(x=xs, y=ys)

    def mark_trade(self, marks: Iterable[tuple[int, float, bool | None]]) -> None:
        """Points of a followed trade over its plan, each (time ms, price, won): the fill
        (won None) a ring, the exit a dot in the colour of its outcome; those of the trade
        marked before are cleared."""
        for item in self.price.trade_marks:
            self.price.plot.removeItem(item)
        self.price.trade_marks = []
        p = self.palette_
        for t, price, won in marks:
            if won is None:
                dot = pg.ScatterPlotItem([t / 1000.0], [price], size=11, pen=pen(p.text, 2), brush=None)
            else:
                colour = p.up if won else p.down
                dot = pg.ScatterPlotItem([t / 1000.0], [price], size=11, pen=pen(p.background), brush=colour)
            self.price.plot.addItem(dot, ignoreBounds=True)
            self.price.trade_marks.append(dot)

    def _px_per_bar(self) -> float:
        x0, x1 = self.price.visible_x()
        return self.price.vb.width() * self._bar_seconds / max(x1 - x0, 1e-9)

    def _on_zoom(self) -> None:
        """Swing markers only while candles are wide enough to tell which bar they mark."""
        shown = bool(self._px_per_bar() >= MARKER_MIN_PX_PER_BAR)
        self.price.swing_highs.setVisible(shown)
        self.price.swing_lows.setVisible(shown)
        self._layer_overlays()

    def _layer_overlays(self) -> None:
        """Moving averages over candles drawn one by one, but under the columns of a
        zoomed-out view, where a line's per-column min/max would paint over them. The
        Bollinger envelope always stays under the candles it surrounds."""
        over = self._px_per_bar() >= CandleItem.detail_min_px
        for key, items in self.price.overlays.items():
            z = 1 if over and key != "bollinger" else -1
            for item in items:
                if item.zValue() != z:
                    item.setZValue(z)

    def _last_colour(self, c: Candles) -> str:
        return self.palette_.up if c.close[-1] >= c.open[-1] else self.palette_.down

    def _update_last_price(self) -> None:
        c = self._analysis.candles
        self.price.price_axis.set_marker(float(c.close[-1]), self._last_colour(c))

    def set_signals(self, signals: Iterable[Signal]) -> None:
        """The latest state of every charted signal of the pair: SMT signals go to the
        SMT layer, this asset's divergences and failure swings are kept for
        :meth:`mark_signal`."""
        if self._analysis is None:
            return
        signals = tuple(signals)
        me = self._analysis.symbol
        self.price.smt.set_signals(signals)
        drawable = tuple(s for s in signals if is_drawn(s) and s.assets == (me,))
        old, self._drawable = self._drawable, drawable
        # a batch of SMT events leaves the divergence marks (every one of them, when all are
        # marked) as they were
        if len(old) != len(drawable) or any(a is not b for a, b in zip(old, drawable)):
            self._draw_marks()

    # -- divergence and failure-swing marks -----------------------------------------------
    def mark_signal(self, sig: Signal | None) -> None:
        """Draw ``sig`` (a divergence or failure swing of this asset; anything else clears)."""
        mine = self._analysis is not None and sig is not None and sig.assets == (self._analysis.symbol,)
        self._marked = sig if mine and is_drawn(sig) else None
        self._draw_marks()

    def set_mark_all(self, shown: bool) -> None:
        """Draw every divergence and failure swing of this asset, not only the selected one."""
        self._mark_all = shown
        self._draw_marks()

    def _marks(self) -> tuple[Signal, ...]:
        if self._mark_all:
            return self._drawable
        return () if self._marked is None else (self._marked,)

    def _draw_marks(self) -> None:
        shown = self._marks()
        for pane in self.panes():
            pane.marks.set_signals(shown)

    # -- legend ---------------------------------------------------------------------------
    def show_values_at(self, t: float | None) -> None:
        """Legends of every pane at the bar open at ``t`` seconds (None: the newest bar)."""
        if self._analysis is None:
            return
        self._legend_time = t
        c, x = self._analysis.candles, self._x
        i = len(c) - 1 if t is None else int(np.searchsorted(x, t, side="right")) - 1
        p = self.palette_
        head = f"<b>{display_symbol(self._analysis.symbol)}</b> · {self._timeframe}"
        if i < 0 or (t is not None and x[i] + self._bar_seconds <= t):
            self.price.set_legend(f"{head} &nbsp; <span style='color:{p.text_muted}'>no candle</span>")
            for panel in self.panels.values():
                panel.set_legend(_panel_legend(panel, None, p))
            return
        colour = p.up if c.close[i] >= c.open[i] else p.down
        change = c.close[i] / c.open[i] - 1
        when = datetime.fromtimestamp(x[i], tz=timezone.utc)
        local = when.astimezone()
        ohlc = " ".join(
            f"{k} <span style='color:{colour}'>{_price(v)}</span>"
            for k, v in (("O", c.open[i]), ("H", c.high[i]), ("L", c.low[i]), ("C", c.close[i]))
        )
        overlays = self._overlay_values(i)
        self.price.set_legend(
            f"{head} &nbsp; <span style='color:{p.text_muted}'>{when:%Y-%m-%d %H:%M} UTC"
            f" ({local:%H:%M} local)</span><br>{ohlc} <span style='color:{colour}'>{change:+.2%}</span>"
            f" &nbsp; V {_compact(c.volume[i])}{overlays}"
        )
        for panel in self.panels.values():
            panel.set_legend(_panel_legend(panel, x[i], p))

    def _overlay_values(self, i: int) -> str:
        parts = []
        for key in self._overlays:
            overlay = OVERLAYS[key]
            colour = self._overlay_colour(key)
            data = self._panel_input()
            values = [f(data)[1][i] for f in overlay.values]
            text = " / ".join(_price(v) for v in values)
            parts.append(f"<span style='color:{colour}'>{overlay.label} {text}</span>")
        return ("<br>" + " &nbsp; ".join(parts)) if parts else ""

    # -- view -----------------------------------------------------------------------------
    def limit_x(self, first: float, last: float) -> None:
        """Keep every pane's view within ``first``..``last`` (bar times, seconds) and a margin."""
        margin = X_LIMIT_MARGIN_BARS * self._bar_seconds
        lo, hi = first - margin, last + margin
        self._x_limits = {"xMin": lo, "xMax": hi, "maxXRange": hi - lo}
        for pane in self.panes():
            pane.vb.setLimits(**self._x_limits)

    def show_last(self, bars: int) -> None:
        if self._analysis is None:
            return
        x = self._x
        lo = x[max(len(x) - bars, 0)]
        self.price.vb.setXRange(lo, x[-1] + RIGHT_MARGIN_BARS * self._bar_seconds, padding=0)

    def is_following(self) -> bool:
        if self._analysis is None:
            return True
        return self.price.visible_x()[1] >= self._analysis.candles.time[-1] / 1000.0

    def scroll_to_newest(self) -> None:
        x0, x1 = self.price.visible_x()
        newest = self._analysis.candles.time[-1] / 1000.0
        shift = newest + RIGHT_MARGIN_BARS * self._bar_seconds - x1
        if shift > 0:
            self.price.vb.setXRange(x0 + shift, x1 + shift, padding=0)


def _tail_start(old: Candles, new: Candles) -> int | None:
    """First candle index to redraw when ``new`` only extends ``old``; None for a full redraw."""
    n = len(old)
    if n == 0 or len(new) < n or new.time[0] != old.time[0] or new.time[n - 1] != old.time[n - 1]:
        return None
    return n - 1


def _series_bar_seconds(x: np.ndarray, candle_seconds: float) -> float:
    """Derivatives come at their own period (funding every 8h), not the candles'."""
    if len(x) < 2:
        return candle_seconds
    # the middle spacing; np.median would import numpy.ma on the first chart drawn (tens
    # of ms on the window's thread at start-up)
    spacing = np.diff(x)
    middle = len(spacing) // 2
    return float(np.partition(spacing, middle)[middle])


def _value_at(values: tuple[np.ndarray, np.ndarray] | None, t: float | None, *, as_of: bool) -> float:
    if values is None or t is None:
        return float("nan")
    x, y = values
    i = int(np.searchsorted(x, t, side="right")) - 1
    if i < 0 or (not as_of and x[i] != t):
        return float("nan")
    return float(y[i])


def _panel_legend(panel: SubPanel, t: float | None, p: Palette) -> str:
    spec = panel.spec
    if spec.derivatives and not panel.has_data():
        return f"<b>{spec.title}</b> &nbsp; <span style='color:{p.text_muted}'>no data from this source</span>"
    parts = []
    for n, (label, value) in enumerate(panel.values_at(t)):
        colour = p.series_color(n) if spec.series[n].style not in (HISTOGRAM, VOLUME) else p.text_muted
        text = "–" if not np.isfinite(value) else (_compact(value) if spec.compact else f"{value:,.4g}") + spec.suffix
        parts.append(f"<span style='color:{colour}'>{label} {text}</span>")
    return f"<b>{spec.title}</b> &nbsp; " + " &nbsp; ".join(parts)


def _price(v: float) -> str:
    if not np.isfinite(v):
        return "–"
    return f"{v:,.2f}" if abs(v) >= 100 else f"{v:,.4f}"


def _compact(v: float) -> str:
    a = abs(v)
    for div, unit in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if a >= div:
            return f"{v / div:,.2f}{unit}"
    return f"{v:,.2f}"

