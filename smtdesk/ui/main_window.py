"""The main window: two synchronized chart columns, the signal sidebar, alerts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path

import numpy as np
from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from smtdesk.core.analysis import AssetAnalysis, PairAnalysis
from smtdesk.core.candles import timeframe_ms
from smtdesk.core.signal import Signal
from smtdesk.core.signals.event_table import where
from smtdesk.data.alert_log import RaisedAlert
from smtdesk.data.bar_replay import BarReplay
from smtdesk.data.demo import NO_DERIVATIVE, DemoSource
from smtdesk.data.derivatives import DerivSeries
from smtdesk.data.source import CandleUpdate
from smtdesk.data.status import Events, Level, Notice, Phase, Selection, Status
from smtdesk.data.worker import MarketWorker
from smtdesk.settings import LayoutSettings, Settings, replace_section, save_settings
from smtdesk.ui.alerting import AlertNotifier
from smtdesk.ui.chart import INITIAL_BARS, AssetChart
from smtdesk.ui.crosshair import Crosshair
from smtdesk.ui.drawings.book import DrawingBook
from smtdesk.ui.import_dialog import ImportDialog, pick_candle_file
from smtdesk.ui.items.signal_marks import is_drawn_kind
from smtdesk.ui.items.structure_layer import STRUCTURE_LAYERS
from smtdesk.ui.journal import JournalDock, JournalEntryDialog, entry_from, when_done
from smtdesk.ui.notice import NoticeStack
from smtdesk.ui.panels import OVERLAYS, PANELS
from smtdesk.ui.pickers import Pickers
from smtdesk.ui.replay import ReplayControls
from smtdesk.ui.settings_dialog import SettingsDialog
from smtdesk.ui.sidebar import SignalSidebar
from smtdesk.ui.signal_text import bar_time
from smtdesk.ui.startup_timing import CANDLES, SIGNALS, StartupTiming
from smtdesk.ui.statistics import StatisticsDock
from smtdesk.ui.status_text import describe
from smtdesk.ui.theme import DARK, LIGHT, apply_palette
from smtdesk.ui.window_menus import (
    add_alerts_menu,
    add_export_action,
    add_help_menu,
    extend_view_menu,
)

PAN_FRACTION = 0.2
FRAME_MS = 33  # at most one snapshot drawn per frame
ZOOM_FACTOR = 1.25
LAYOUT_SAVE_DELAY_MS = 1000
STATISTICS_HEIGHT = 440


def _charted(sig: Signal) -> bool:
    return _charted_kind(sig.kind)


def _charted_kind(kind: str, *_facets) -> bool:
    return kind == "smt" or is_drawn_kind(kind)


def _panel_notes(venue: str) -> dict[str, str]:
    """What the derivatives panels the demo has no recording for say instead of a plot."""
    if venue != DemoSource.name:
        return {}
    return {key: NO_DERIVATIVE.format(what=spec.title.lower()) for key, spec in PANELS.items()
            if spec.kinds and not set(spec.kinds) & DemoSource.derivative_kinds}


class MainWindow(QMainWindow):
    """Left chart = first asset, right chart = second; every pane shares one time axis."""

    def __init__(
        self,
        worker: MarketWorker,
        *,
        venues: dict[str, str] | None = None,
        settings: Settings = Settings(),
        settings_path: Path | None = None,
    ) -> None:
        super().__init__()
        self.worker = worker
        self._venues = venues or {worker.source.name: worker.source.label}
        self.settings = settings
        self.settings_path = settings_path
        """Where the settings and the layout are saved; None keeps them for this run only."""
        self._venue = worker.source.name  # the one picked, not the demo standing in for it
        self.palette_ = DARK
        self.setWindowTitle("smtdesk")
        self.resize(1600, 900)

        self.left = AssetChart(palette=self.palette_)
        self.right = AssetChart(palette=self.palette_)
        self.right.price.setXLink(self.left.price.plot)
        self.charts = QSplitter(Qt.Horizontal)
        self.charts.setChildrenCollapsible(False)
        self.charts.addWidget(self.left)
        self.charts.addWidget(self.right)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.setSpacing(4)
        self.replay = ReplayControls(worker, (self.left, self.right), lambda: self._analysis, self)
        layout.addWidget(self.replay.banner)
        layout.addWidget(self.charts, 1)
        self.setCentralWidget(central)
        # floats over the charts, outside the layout: a notice never moves them
        self.notice = NoticeStack(central)
        self.notice.signal_clicked.connect(self.show_signal)

        self.sidebar = SignalSidebar(self)
        self.addDockWidget(Qt.RightDockWidgetArea, self.sidebar)
        self.resizeDocks([self.sidebar], [400], Qt.Horizontal)
        self.sidebar.signal_activated.connect(self.show_signal)
        self.sidebar.set_policy(worker.config.alerts)
        self.sidebar.add_alerts(worker.alert_history()[::-1])
        self.sidebar.hide_ended_changed.connect(self._hide_ended)
        self._hide_ended(self.sidebar.hide_ended.isChecked())

        self.source_label = QLabel(worker.source.label)
        self.source_label.setTextFormat(Qt.PlainText)  # status lines quote exchange text
        self.progress = QProgressBar(maximumWidth=160, textVisible=True)
        self.progress.hide()
        self.last_bar_label = QLabel("")
        self.statusBar().addWidget(self.source_label)
        self.statusBar().addPermanentWidget(self.progress)
        self.statusBar().addPermanentWidget(self.last_bar_label)

        self.alert_notifier = AlertNotifier(lambda text: self.statusBar().showMessage(text, 15_000),
                                            muted=settings.alerts.muted, parent=self)
        self.log_path: Path | None = None
        """The log file Help → Open the log file shows; None when nothing is logged."""
        self.export_folder = ""

        self.crosshair = Crosshair(palette=self.palette_, parent=self)
        self.crosshair.moved.connect(self._on_crosshair)
        self._analysis: PairAnalysis | None = None
        self._revision = None  # of the signals listed and drawn
        # latest state of each signal the charts draw (SMT, divergences, failure swings)
        self._charted: dict[str, Signal] = {}
        self._drawn: tuple | None = None  # (venue, timeframe, symbols) of the charts
        # The snapshot waiting for the next frame: (analysis, reloaded, redraw whole).
        self._pending: tuple[PairAnalysis, bool, bool] | None = None
        self._frame = QTimer(self, interval=FRAME_MS)
        self._frame.timeout.connect(self._on_frame)
        # A snapshot is drawn in steps, one chart, then the other, then the signals found
        # anew, and live events after it, each in a turn of the event loop of its own, so
        # the window answers between them (a replay at 100x brings a new bar every frame).
        self._steps: list[Callable[[], None]] = []
        self._step_timer = QTimer(self, singleShot=True, interval=1)
        self._step_timer.timeout.connect(self._next_step)
        # Analyses until the one with new settings has come are drawn whole, not by tail.
        self._redraw = False
        self.panel_actions: dict[str, QAction] = {}
        self.overlay_actions: dict[str, QAction] = {}
        self.undo_stack = QUndoStack(self)
        self._build_toolbar()
        self._add_view_actions()
        self._add_file_menu()
        self._add_structure_menu()
        self._add_settings_menu()
        self._add_statistics()
        self._add_journal()
        self.addToolBar(Qt.TopToolBarArea, self.replay.toolbar)
        self.menuBar().addMenu(self.replay.menu)
        self.drawings = DrawingBook(self, (self.left, self.right), self.palette_)
        self.drawings.add_to(self)
        self.drawings.save_requested.connect(worker.save_drawings)
        self.drawings.save_requested.connect(self.replay.note_edit)
        extend_view_menu(self, self.view_menu, self._panels_menu, self._overlays_menu)
        add_alerts_menu(self)
        add_help_menu(self)
        self.restored_geometry = self._restore_layout(settings.layout)
        self._use_risk(settings)
        self.set_palette(LIGHT if settings.appearance.theme == "light" else DARK)
        self._watch_layout()
        for chart in (self.left, self.right):
            chart.panel_close_requested.connect(lambda key: self.panel_actions[key].setChecked(False))
            chart.manual_swings_changed.connect(worker.set_manual_swings)
            chart.manual.undo_stack = self.undo_stack

        self.startup_timing = StartupTiming(self)
        self._serving: Selection | None = None
        self._picked: Selection | None = None
        self._offered: tuple[str, ...] = ()
        worker.snapshot.connect(self._on_snapshot)
        worker.events.connect(self._on_events)
        worker.market.connect(self._on_market)
        worker.status.connect(self._on_status)
        worker.notice.connect(self._on_notice)
        self.replay.go_action.triggered.connect(self.focus_charts)
        self.focus_charts()

    def focus_charts(self) -> None:
        """The keyboard to the charts, where the arrow keys pan and zoom: a field in the
        toolbars (the replay's date, a symbol just typed) would keep them for itself."""
        self.left.price.setFocus(Qt.OtherFocusReason)

    # -- toolbar and actions ------------------------------------------------------------------
    def _build_toolbar(self) -> None:
        bar = QToolBar("Chart", self)
        bar.setObjectName("chart_toolbar")
        bar.setMovable(False)
        self.addToolBar(Qt.TopToolBarArea, bar)
        self.pickers = Pickers(self._venues)
        self.pickers.set_selection(self.worker.source.name, tuple(self.worker.symbols), self.worker.timeframe)
        self.pickers.selection_requested.connect(self._on_selection_requested)
        bar.addWidget(self.pickers)
        bar.addSeparator()

        panels_menu = QMenu("Indicators", self)
        for key, spec in PANELS.items():
            action = QAction(spec.title, self, checkable=True)
            action.toggled.connect(lambda on, key=key: self._toggle_panel(key, on))
            panels_menu.addAction(action)
            self.panel_actions[key] = action
        panels_menu.addSeparator()
        self.rsi_extremes_action = QAction("RSI 20/80 lines", self, checkable=True)
        self.rsi_extremes_action.toggled.connect(
            lambda on: [c.set_rsi_extremes(on) for c in (self.left, self.right)]
        )
        panels_menu.addAction(self.rsi_extremes_action)
        overlays_menu = QMenu("Overlays", self)
        for key, overlay in OVERLAYS.items():
            action = QAction(overlay.label, self, checkable=True)
            action.toggled.connect(self._apply_overlays)
            overlays_menu.addAction(action)
            self.overlay_actions[key] = action
        self._panels_menu, self._overlays_menu = panels_menu, overlays_menu
        for menu in (panels_menu, overlays_menu):
            button = QToolButton()
            button.setText(menu.title())
            button.setMenu(menu)
            button.setPopupMode(QToolButton.InstantPopup)
            button.setObjectName(f"{menu.title().lower()}_button")
            bar.addWidget(button)
        bar.addSeparator()

        self.stacked_action = QAction("Stacked", self, checkable=True, shortcut=QKeySequence("Ctrl+L"))
        self.stacked_action.setToolTip("Charts side by side or stacked (Ctrl+L)")
        self.stacked_action.toggled.connect(self.set_stacked)
        self.light_action = QAction("Light", self, checkable=True, shortcut=QKeySequence("Ctrl+T"))
        self.light_action.setToolTip("Light or dark theme (Ctrl+T)")
        self.light_action.toggled.connect(lambda on: self.set_palette(LIGHT if on else DARK, remember=False))
        bar.addAction(self.stacked_action)
        bar.addAction(self.light_action)

    def _add_view_actions(self) -> None:
        for text, keys, slot in (
            ("Show older bars", (Qt.Key_Left,), lambda: self.pan(-PAN_FRACTION)),
            # → steps a paused bar replay one bar; otherwise it pans
            ("Show newer bars (a paused replay: one bar on)", (Qt.Key_Right,),
             lambda: self.replay.step() if self.replay.active else self.pan(PAN_FRACTION)),
            ("Zoom in", (Qt.Key_Up, Qt.Key_Plus, Qt.Key_Equal), lambda: self.zoom(1 / ZOOM_FACTOR)),
            ("Zoom out", (Qt.Key_Down, Qt.Key_Minus), lambda: self.zoom(ZOOM_FACTOR)),
        ):
            action = QAction(text, self)
            action.setShortcuts([QKeySequence(k) for k in keys])
            action.setShortcutContext(Qt.WindowShortcut)
            action.triggered.connect(slot)
            self.addAction(action)

    def _add_structure_menu(self) -> None:
        """View menu: each structure layer, and every divergence and failure swing at once
        (otherwise only the one selected in the sidebar is drawn)."""
        menu = self.view_menu = self.menuBar().addMenu("&View")
        self.structure_actions: dict[str, QAction] = {}
        for key, title in STRUCTURE_LAYERS.items():
            action = QAction(title, self, checkable=True)
            action.toggled.connect(
                lambda on, key=key: [c.price.structure.set_shown(key, on) for c in (self.left, self.right)]
            )
            action.toggled.connect(self._want_structure)
            menu.addAction(action)
            self.structure_actions[key] = action
        menu.addSeparator()
        self.mark_all_action = QAction("All divergences and failure swings", self, checkable=True)
        self.mark_all_action.toggled.connect(lambda on: [c.set_mark_all(on) for c in (self.left, self.right)])
        menu.addAction(self.mark_all_action)

    def _want_structure(self) -> None:
        # the model computes the structure only while some layer shows it
        shown = any(a.isChecked() for a in self.structure_actions.values())
        if shown != self.worker.structure_shown:
            self.worker.show_structure(shown)

    def reset_zoom(self) -> None:
        self.left.show_last(INITIAL_BARS)

    def pan(self, fraction: float) -> None:
        x0, x1 = self.left.price.visible_x()
        shift = (x1 - x0) * fraction
        self.left.price.vb.setXRange(x0 + shift, x1 + shift, padding=0)

    def zoom(self, factor: float) -> None:
        """Zoom about the newest visible edge, as a trader reading the last bars expects."""
        x0, x1 = self.left.price.visible_x()
        width = max((x1 - x0) * factor, 10 * self.left.bar_seconds)
        self.left.price.vb.setXRange(x1 - width, x1, padding=0)

    def set_stacked(self, stacked: bool) -> None:
        self.charts.setOrientation(Qt.Vertical if stacked else Qt.Horizontal)
        if self.stacked_action.isChecked() != stacked:
            self.stacked_action.setChecked(stacked)
        self._attach_crosshair()

    def set_palette(self, palette, *, remember: bool = True) -> None:
        """Colour everything with ``palette``; ``remember`` keeps the theme toggle in step."""
        if remember and self.light_action.isChecked() != (palette is LIGHT):
            self.light_action.setChecked(palette is LIGHT)  # which comes back here
            return
        self.palette_ = palette
        apply_palette(QApplication.instance(), palette)
        for chart in (self.left, self.right):
            chart.set_palette(palette)
        self.crosshair.set_palette(palette)
        self.sidebar.set_palette(palette)
        self.statistics.set_palette(palette)
        self.drawings.set_palette(palette)

    def _toggle_panel(self, key: str, shown: bool) -> None:
        for chart in (self.left, self.right):
            if shown:
                chart.add_panel(key)
            else:
                chart.remove_panel(key)
        self._attach_crosshair()

    def _apply_overlays(self) -> None:
        keys = [k for k, a in self.overlay_actions.items() if a.isChecked()]
        for chart in (self.left, self.right):
            chart.set_overlays(keys)

    def _attach_crosshair(self) -> None:
        self.crosshair.attach([(self.left.panes(), self._snap(self.left)), (self.right.panes(), self._snap(self.right))])

    @staticmethod
    def _snap(chart: AssetChart):
        def snap(x: float) -> float | None:
            if chart.analysis is None:
                return None
            times = chart.bar_times
            i = int(np.searchsorted(times, x + chart.bar_seconds / 2)) - 1
            if i < 0 or x > times[-1] + chart.bar_seconds:
                return None
            return float(times[i])

        return snap

    # -- worker ----------------------------------------------------------------------------
    def _on_selection_requested(self, venue: str, symbols: tuple, timeframe: str) -> None:
        self._venue = venue
        self._picked = None  # the next status shows it, or takes it back when refused
        # what was refused before is not about the pick now; the status line tells how it goes
        self.notice.clear_warnings()
        self.statusBar().clearMessage()
        self.worker.reload(venue=venue, symbols=tuple(symbols), timeframe=timeframe)
        self.focus_charts()

    def _on_status(self, status: Status) -> None:
        self.source_label.setText(describe(status))
        fetching = status.phase is Phase.FETCHING and status.percent is not None
        if fetching:
            self.progress.setValue(status.percent)
        self.progress.setVisible(fetching and status.percent < 100)
        shown = status.pending or status.serving
        if shown is not None and shown.venue == BarReplay.name:
            shown = None  # a bar replay is no pick: the pickers keep the market it replays
        elif status.offered != self._offered:
            self._offered = status.offered
            self.pickers.set_symbols(status.offered)
        # the pickers show the selection being checked, else the one served (a refused
        # one is taken back)
        if shown is not None and shown != self._picked:
            self._picked = shown
            self.pickers.set_selection(shown.venue, shown.symbols, shown.timeframe)
        if status.serving is not None and status.serving != self._serving:
            self._serving = status.serving
            if status.serving.venue not in (BarReplay.name, getattr(self.worker.fallback, "name", None)):
                self._venue = status.serving.venue
            self._layout_timer.start()

    def _on_snapshot(self, analysis: PairAnalysis) -> None:
        """Draw a snapshot now, or at the next frame when one was drawn less than a frame
        ago: a fast market or a replay at 100x sends more than a screen shows, and only
        the newest of those is drawn."""
        if analysis.analysed and not analysis.detected:
            # a loaded history brings the drawings: shown at once, not merged away
            self.drawings.show_loaded(self.worker.source.name, analysis)
        drawn = (self.worker.source.name, analysis.timeframe, tuple(a.symbol for a in analysis.assets))
        reloaded = drawn != self._drawn
        self._drawn = drawn
        redraw, self._redraw = self._redraw, self.worker.settings_pending
        if self._pending is not None:
            reloaded, redraw = reloaded or self._pending[1], redraw or self._pending[2]
        self._pending = (analysis, reloaded, redraw)
        if not self._frame.isActive():
            self._draw_pending()
            self._frame.start()

    def _on_frame(self) -> None:
        if self._pending is None:
            self._frame.stop()
        elif not self._steps:  # the snapshot before is drawn whole first
            self._draw_pending()

    def _draw_pending(self) -> None:
        (analysis, reloaded, redraw), self._pending = self._pending, None
        previous, self._analysis = self._analysis, analysis
        # the analysis of candles drawn alone: every bar's indicators, not only the tail's
        redraw = redraw or not (previous is None or previous.analysed)
        first_found = analysis.detected and not (previous is not None and previous.detected)
        at_once = reloaded or redraw or first_found  # a new series, or its first signals
        if at_once:
            self._finish_steps()  # what was queued before, the series shown before with it
        if reloaded:
            for chart in (self.left, self.right):
                chart.clear_derivatives()
                chart.set_panel_notes(_panel_notes(self._drawn[0]))
            self.sidebar.clear_signals()
        found_anew = reloaded or analysis.revision != self._revision
        # a live candle of one asset leaves the other's chart as it is
        steps = [partial(self._draw_chart, chart, asset, analysis, reloaded, redraw)
                 for chart, asset in zip((self.left, self.right), analysis.assets)
                 if found_anew or redraw or not chart.shows(asset)]
        if found_anew:
            steps += [partial(self._list_signals, analysis), self._draw_charted]
        if at_once:
            for step in steps:
                step()
        else:
            self._queue(*steps)
        self.sidebar.set_searching(not analysis.detected, preparing=not analysis.analysed)
        self.replay.on_snapshot(analysis)
        self.startup_timing.drawn(CANDLES, self.left.price.viewport())
        if analysis.detected:
            self.statistics.set_analysis(analysis)
            self.startup_timing.drawn(SIGNALS, self.sidebar.tree.viewport())
        newest = max((a.candles.time[-1] for a in analysis.assets if len(a.candles)), default=None)
        self.last_bar_label.setText("" if newest is None else f"Last bar {bar_time(int(newest))} UTC")
        if reloaded:
            self._attach_crosshair()

    def _draw_chart(self, chart: AssetChart, asset: AssetAnalysis, analysis: PairAnalysis,
                    fresh: bool, redraw: bool) -> None:
        chart.set_analysis(asset, analysis.timeframe, fresh=fresh, redraw=redraw,
                           analysed=analysis.analysed)
        self._limit_zoom()

    def _list_signals(self, analysis: PairAnalysis) -> None:
        """Signals found anew: list them all (and draw them, the next step); live events
        come as the worker's events."""
        self._revision = analysis.revision
        self.sidebar.set_signals(analysis.latest)
        self._charted = {sig.id: sig for sig in where(analysis.latest, _charted_kind)}

    def _queue(self, *steps: Callable[[], None]) -> None:
        """Run ``steps`` after those queued before, each in its own turn of the event loop."""
        self._steps.extend(steps)
        if self._steps and not self._step_timer.isActive():
            self._step_timer.start()

    def _next_step(self) -> None:
        # never empty here: only a queued step starts the timer, and a finish stops it
        step = self._steps.pop(0)
        if self._steps:  # before the step: one that fails leaves the rest to run
            self._step_timer.start()
        step()

    def _finish_steps(self) -> None:
        """Every step queued, now."""
        self._step_timer.stop()
        steps, self._steps = self._steps, []
        for step in steps:
            step()

    def _on_market(self, data: CandleUpdate | DerivSeries) -> None:
        chart = self._chart_of(data.symbol)
        if chart is None:
            return
        if isinstance(data, CandleUpdate):
            chart.show_forming(data.candles)
        else:
            chart.set_derivatives(data)

    def _limit_zoom(self) -> None:
        """Both charts stop at the pair's first and last bars, the same for both so that
        the linked views never disagree."""
        times = [c.bar_times for c in (self.left, self.right) if len(c.bar_times)]
        if times:
            first, last = min(t[0] for t in times), max(t[-1] for t in times)
            for chart in (self.left, self.right):
                chart.limit_x(first, last)

    def _chart_of(self, symbol: str) -> AssetChart | None:
        for chart in (self.left, self.right):
            if chart.analysis is not None and chart.analysis.symbol == symbol:
                return chart
        return None

    def _on_crosshair(self, t: float | None) -> None:
        self.left.show_values_at(t)
        self.right.show_values_at(t)

    def _draw_charted(self) -> None:
        for chart in (self.left, self.right):
            chart.set_signals(self._charted.values())

    def _on_events(self, events: Events) -> None:
        # behind the steps of the snapshot before them (the signals listed anew come
        # first); the alerts in a turn of their own, as a fast market brings many
        self._queue(partial(self._show_events, events))
        if events.alerts:
            self._queue(partial(self._on_alerts_raised, events.alerts))

    def _show_events(self, events: Events) -> None:
        self.sidebar.show_signals(events.signals)
        charted = [sig for sig in events.signals if _charted(sig)]
        if charted:
            self._charted.update((sig.id, sig) for sig in charted)
            self._draw_charted()

    def _on_alerts_raised(self, alerts: tuple[RaisedAlert, ...]) -> None:
        self.notice.announce([alert.signal for alert in alerts])
        self.sidebar.add_alerts(list(alerts))
        self.alert_notifier.notify(alerts)
        QApplication.alert(self)

    def _on_notice(self, notice: Notice) -> None:
        if notice.level is Level.INFO:
            self.statusBar().showMessage(notice.text, 15_000)
        elif notice.level is Level.REFUSED:
            self._on_import_refused(notice.text)
        else:
            self.statusBar().showMessage(notice.text, 15_000)
            self.notice.warn(notice.text)

    def show_signal(self, sig: Signal) -> None:
        """Bring both charts to the bars a signal refers to."""
        if self._analysis is None:
            return
        bar = timeframe_ms(self._analysis.timeframe) / 1000.0
        times = [t / 1000.0 for t in sig.level_times.values()] or [sig.ref_time / 1000.0]
        lo = min(min(times), sig.ref_time / 1000.0) - 40 * bar
        hi = max(max(times), sig.known_time / 1000.0) + 40 * bar
        self.left.price.vb.setXRange(lo, hi, padding=0)
        self._shown_signal = sig
        for chart in (self.left, self.right):
            chart.price.smt.pick(sig)
            chart.mark_signal(sig)
            chart.mark_trade(())

    def _hide_ended(self, hidden: bool) -> None:
        for chart in (self.left, self.right):
            chart.price.smt.set_hide_ended(hidden)

    def _use_risk(self, settings: Settings) -> None:
        """The account the trade plans' sizes assume, as their labels state it."""
        for chart in (self.left, self.right):
            chart.price.smt.set_account(settings.risk.account_size, settings.risk.risk_pct)

    # -- trade journal --------------------------------------------------------------------------
    def _add_journal(self) -> None:
        """Journal menu: journal the confirmed SMT signal shown, and the journal itself."""
        self._shown_signal: Signal | None = None
        self.journal = JournalDock(self)
        self.addDockWidget(Qt.BottomDockWidgetArea, self.journal)
        self.journal.hide()
        self.journal.edit_requested.connect(self.edit_journal_entry)
        menu = self.menuBar().addMenu("&Journal")
        self.journal_trade_action = QAction("Journal this &trade…", self, shortcut=QKeySequence("Ctrl+J"))
        self.journal_trade_action.setToolTip("Keep the confirmed SMT signal you clicked as a trade, "
                                             "its plan prefilled and both charts captured")
        self.journal_trade_action.triggered.connect(self.journal_trade)
        self.journal_action = QAction("Trade &journal", self, shortcut=QKeySequence("Ctrl+Shift+J"))
        self.journal_action.triggered.connect(self.open_journal)
        menu.addAction(self.journal_trade_action)
        menu.addAction(self.journal_action)

    def journal_trade(self) -> JournalEntryDialog | None:
        """The journal entry of the signal shown, to edit and keep (None, with a word in the
        status bar, when no confirmed SMT signal with a plan is shown)."""
        sig = self._shown_signal
        if sig is None or sig.plan is None or self._analysis is None:
            self.statusBar().showMessage("Click a confirmed SMT signal with a trade plan in the sidebar "
                                         "first, then journal it.", 10_000)
            return None
        entry = entry_from(sig, self.worker.source.name, self._analysis.timeframe)
        images = {"left": self.left.grab().toImage(), "right": self.right.grab().toImage()}
        return self._edit_journal(entry, images)

    def edit_journal_entry(self, entry) -> JournalEntryDialog:
        return self._edit_journal(entry, {})

    def _edit_journal(self, entry, images: dict) -> JournalEntryDialog:
        dialog = JournalEntryDialog(entry, self)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: when_done(
            self.worker.save_journal(dialog.entry(), images), lambda _kept: self.open_journal(),
            lambda why: self.statusBar().showMessage(why, 15_000)))
        dialog.open()
        return dialog

    def open_journal(self) -> None:
        """Show the journal, its open trades followed on the candles shown first."""
        self.journal.show()
        self.journal.raise_()
        when_done(self.worker.journal(self._analysis), self.journal.set_entries,
                  lambda why: self.statusBar().showMessage(why, 15_000))

    # -- SMT statistics -------------------------------------------------------------------------
    def _add_statistics(self) -> None:
        """View menu: how the pair's confirmed SMT signals played out, in a bottom dock."""
        self.statistics = StatisticsDock(self.worker.smt_outcomes, fill_bars=self.settings.smt.entry_wait,
                                         parent=self)
        self.addDockWidget(Qt.BottomDockWidgetArea, self.statistics)
        self.statistics.hide()
        self.statistics.trade_activated.connect(self.show_trade)
        self.view_menu.addSeparator()
        self.statistics_action = QAction("SMT &statistics…", self, shortcut=QKeySequence("Ctrl+Shift+S"))
        self.statistics_action.setToolTip("How this pair's confirmed SMT signals played out")
        self.statistics_action.triggered.connect(self.open_statistics)
        self.view_menu.addAction(self.statistics_action)

    def open_statistics(self) -> None:
        self.statistics.show()
        self.statistics.raise_()
        # room for the whole table, yet the charts keep half of a small window
        height = min(STATISTICS_HEIGHT, self.height() // 2)
        self.resizeDocks([self.statistics], [height], Qt.Vertical)

    def show_trade(self, trade) -> None:
        """Bring both charts to a followed trade: its signal's bars through its exit."""
        self.show_signal(trade.signal)
        marks = []
        if trade.fill_time is not None:
            marks.append((trade.fill_time, trade.fill_price, None))
        if trade.exit_time is not None:
            marks.append((trade.exit_time, trade.exit_price, trade.r > 0))
        chart = self._chart_of(trade.signal.assets[-1])
        if chart is not None:
            chart.mark_trade(marks)
        last = max(t for t in (trade.signal.known_time, trade.fill_time, trade.exit_time) if t is not None)
        x0, x1 = self.left.price.visible_x()
        right = last / 1000.0 + 10 * self.left.bar_seconds
        if right > x1:
            self.left.price.vb.setXRange(x0, right, padding=0)

    # -- importing candles ----------------------------------------------------------------------
    def _add_file_menu(self) -> None:
        menu = self.menuBar().addMenu("&File")
        self.import_action = QAction("&Import candles…", self, shortcut=QKeySequence("Ctrl+I"))
        self.import_action.setToolTip("Chart candles from a CSV file (TradingView or exchange exports)")
        self.import_action.triggered.connect(self.import_candles)
        menu.addAction(self.import_action)
        add_export_action(self, menu)
        menu.addSeparator()
        quit_action = QAction("&Quit", self, shortcut=QKeySequence("Ctrl+Q"))
        quit_action.setMenuRole(QAction.QuitRole)
        quit_action.triggered.connect(self.close)
        menu.addAction(quit_action)
        self._import_folder = ""

    def import_candles(self) -> None:
        """Ask for a candle file, then for the series its candles are."""
        pick_candle_file(self, self._import_folder).fileSelected.connect(self._ask_series)

    def _ask_series(self, chosen: str) -> None:
        path = Path(chosen)
        self._import_folder = str(path.parent)
        symbols = tuple(self.worker.symbols)
        # a file named after one of the pair's symbols (BTCUSDT_1h.csv) is taken as that one
        named = [s for s in symbols if s.split("/")[0] in path.name.upper()]
        dialog = ImportDialog(path, symbols, symbol=(named or symbols)[0],
                              timeframe=self.worker.timeframe, parent=self)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.worker.import_candles(path, *dialog.choice()))
        dialog.open()

    def _on_import_refused(self, text: str) -> None:
        box = QMessageBox(QMessageBox.Warning, "Candles not imported", text, QMessageBox.Ok, self)
        box.setTextFormat(Qt.PlainText)
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.open()

    # -- settings and layout -------------------------------------------------------------------
    def _add_settings_menu(self) -> None:
        self.settings_action = QAction("&Settings…", self, shortcut=QKeySequence("Ctrl+,"))
        self.settings_action.setMenuRole(QAction.PreferencesRole)
        self.settings_action.triggered.connect(self.open_settings)
        edit = self.menuBar().addMenu("&Edit")
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence("Ctrl+Z"))
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcut(QKeySequence("Ctrl+Shift+Z"))
        edit.addActions([self.undo_action, self.redo_action])
        edit.addSeparator()
        edit.addAction(self.settings_action)

    def open_settings(self) -> SettingsDialog:
        """The settings dialog, open (window-modal); OK applies and saves what it holds."""
        dialog = SettingsDialog(self.current_settings(), self)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.apply_settings(dialog.settings()))
        dialog.open()
        return dialog

    def apply_settings(self, settings: Settings) -> None:
        """Use ``settings`` from now on: the theme at once, the analysis re-run, saved."""
        analysis_changed = any(getattr(settings, k) != getattr(self.settings, k)
                               for k in ("swings", "smt", "indicators", "signals", "risk", "alerts", "history"))
        self.settings = settings
        self.set_palette(LIGHT if settings.appearance.theme == "light" else DARK)
        self._use_risk(settings)
        if analysis_changed:
            self._redraw = True
            self.worker.apply_settings(settings)
            self.sidebar.set_policy(self.worker.config.alerts)
        self.statistics.set_fill_bars(settings.smt.entry_wait)
        self.mute_action.setChecked(settings.alerts.muted)
        self.save_settings()

    def current_settings(self) -> Settings:
        """The settings with the theme and the layout as the window shows them now."""
        layout = LayoutSettings(
            stacked=self.stacked_action.isChecked(),
            panels=tuple(k for k, a in self.panel_actions.items() if a.isChecked()),
            overlays=tuple(k for k, a in self.overlay_actions.items() if a.isChecked()),
            rsi_extremes=self.rsi_extremes_action.isChecked(),
            venue=self._venue,
            symbols=tuple(self.worker.symbols),
            timeframe=self.worker.timeframe,
            geometry=bytes(self.saveGeometry().toBase64()).decode("ascii"),
            window_state=bytes(self.saveState().toBase64()).decode("ascii"),
        )
        theme = "light" if self.light_action.isChecked() else "dark"
        return replace(replace_section(self.settings, "appearance", theme=theme), layout=layout)

    def save_settings(self) -> None:
        self._layout_timer.stop()
        self.settings = self.current_settings()
        if self.settings_path is not None:
            try:
                save_settings(self.settings_path, self.settings)
            except OSError as exc:
                self.statusBar().showMessage(f"Settings not saved: {exc}", 15_000)

    def _restore_layout(self, layout: LayoutSettings) -> bool:
        """Show the remembered layout; True when it held a window geometry."""
        for key, action in self.panel_actions.items():
            action.setChecked(key in layout.panels)
        for key, action in self.overlay_actions.items():
            action.blockSignals(True)
            action.setChecked(key in layout.overlays)
            action.blockSignals(False)
        self._apply_overlays()
        self.rsi_extremes_action.setChecked(layout.rsi_extremes)
        self.set_stacked(layout.stacked)
        if layout.window_state:
            self.restoreState(QByteArray.fromBase64(layout.window_state.encode("ascii")))
        return bool(layout.geometry) and self.restoreGeometry(
            QByteArray.fromBase64(layout.geometry.encode("ascii")))

    def _watch_layout(self) -> None:
        """Save the layout a moment after it changes (and on close), so a crash keeps it."""
        self._layout_timer = QTimer(self, singleShot=True, interval=LAYOUT_SAVE_DELAY_MS)
        self._layout_timer.timeout.connect(self.save_settings)
        for action in (self.stacked_action, self.light_action, self.rsi_extremes_action,
                       *self.panel_actions.values(), *self.overlay_actions.values()):
            action.toggled.connect(self._layout_timer.start)

    def closeEvent(self, event) -> None:
        self.save_settings()
        self.alert_notifier.close()
        super().closeEvent(event)
