"""The main window: two synchronized charts, the signal sidebar, alerts."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QSplitter, QVBoxLayout, QWidget

from smtdesk.core.analysis import PairAnalysis
from smtdesk.core.candles import timeframe_ms
from smtdesk.core.signal import Signal, State
from smtdesk.data.worker import MarketWorker
from smtdesk.ui.chart import ChartWidget
from smtdesk.ui.notice import NoticeBanner
from smtdesk.ui.sidebar import MUTING_TAGS, SignalSidebar
from smtdesk.ui.signal_text import bar_time

ALERT_STATES = frozenset({State.FORMING, State.DIVERGENCE, State.CONFIRMED})


class MainWindow(QMainWindow):
    """Left chart = first asset, right chart = second; both share one time axis."""

    def __init__(self, worker: MarketWorker) -> None:
        super().__init__()
        self.worker = worker
        self.setWindowTitle("smtdesk")
        self.resize(1600, 900)

        self.left = ChartWidget()
        self.right = ChartWidget()
        self.right.price.setXLink(self.left.price)
        self.splitter = QSplitter(Qt.Horizontal)
        self.splitter.addWidget(self.left)
        self.splitter.addWidget(self.right)
        self.notice = NoticeBanner()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.setSpacing(4)
        layout.addWidget(self.notice)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        self.sidebar = SignalSidebar(self)
        self.addDockWidget(Qt.RightDockWidgetArea, self.sidebar)
        self.resizeDocks([self.sidebar], [400], Qt.Horizontal)
        self.sidebar.signal_activated.connect(self.show_signal)

        self.source_label = QLabel(worker.source.label)
        self.last_bar_label = QLabel("")
        self.statusBar().addWidget(self.source_label)
        self.statusBar().addPermanentWidget(self.last_bar_label)

        self._alerted: set[tuple[str, State]] = set()
        self._analysis: PairAnalysis | None = None
        self._add_actions()

        worker.analysis_ready.connect(self._on_analysis_ready)
        worker.signals_raised.connect(self._on_signals_raised)
        worker.status_changed.connect(self.source_label.setText)
        worker.failed.connect(self._on_failed)

    def _add_actions(self) -> None:
        latest = QAction("Go to newest bar", self, shortcut=QKeySequence(Qt.Key_End))
        latest.triggered.connect(lambda: self.left.show_last(150))
        self.addAction(latest)

    def _on_analysis_ready(self, analysis: PairAnalysis) -> None:
        self._analysis = analysis
        self.left.set_analysis(analysis.assets[0], analysis.timeframe)
        self.right.set_analysis(analysis.assets[1], analysis.timeframe)
        self.sidebar.show_signals(analysis.signals)
        newest = max(a.candles.time[-1] for a in analysis.assets if len(a.candles))
        self.last_bar_label.setText(f"Last bar {bar_time(int(newest))} UTC")

    def _on_signals_raised(self, events: tuple[Signal, ...]) -> None:
        self.sidebar.show_signals(events)
        for sig in events:
            if sig.alert_key in self._alerted:
                continue
            self._alerted.add(sig.alert_key)
            if sig.state in ALERT_STATES and not sig.tags & MUTING_TAGS:
                self.notice.announce(sig)
                QApplication.alert(self)

    def _on_failed(self, message: str) -> None:
        self.statusBar().showMessage(message, 15_000)
        self.notice.setStyleSheet(
            "QLabel#notice_banner { background: #5d4a1f; color: #ffffff; border-radius: 4px; }"
        )
        self.notice.setText(message)
        self.notice.show()

    def show_signal(self, sig: Signal) -> None:
        """Bring both charts to the bars a signal refers to."""
        if self._analysis is None:
            return
        bar = timeframe_ms(self._analysis.timeframe) / 1000.0
        times = [t / 1000.0 for t in sig.level_times.values()] or [sig.ref_time / 1000.0]
        lo = min(min(times), sig.ref_time / 1000.0) - 40 * bar
        hi = max(max(times), sig.known_time / 1000.0) + 40 * bar
        self.left.price.setXRange(lo, hi, padding=0)
