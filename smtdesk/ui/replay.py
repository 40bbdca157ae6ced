"""Bar replay controls: pick a bar on either chart (or a date), then play, pause, step one
bar, change speed, jump back and leave; a banner keeps the mode impossible to miss.

The replay itself runs in the worker (:class:`~smtdesk.data.bar_replay.BarReplay`); this
only asks for it and shows where it stands.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QDateTime, QEvent, QObject, Qt, QTimeZone, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QDateTimeEdit, QLabel, QMenu, QMessageBox, QToolBar, QWidget

from smtdesk.core.analysis import PairAnalysis
from smtdesk.data.bar_replay import SPEEDS
from smtdesk.data.worker import MarketWorker
from smtdesk.ui.signal_text import bar_time


class ReplayControls(QObject):
    """The Replay toolbar, menu and banner of a window showing ``charts``."""

    started = Signal()
    """The user asked for a replay (the charts cut at the picked bar soon)."""

    def __init__(self, worker: MarketWorker, charts, analysis, parent: QWidget) -> None:
        super().__init__(parent)
        self.worker, self._charts, self._analysis = worker, charts, analysis
        self._picking = False
        self._marked = False  # swings or drawings edited during this replay
        self._build_actions(parent)
        self.banner = QLabel(objectName="replay_banner", alignment=Qt.AlignCenter)
        self.banner.setStyleSheet("QLabel#replay_banner { background: #8a5a00; color: #fff4dc;"
                                  " font-weight: 600; padding: 3px 8px; border-radius: 3px; }")
        self.banner.hide()
        for chart in charts:
            chart.price.viewport().installEventFilter(self)
            chart.manual_swings_changed.connect(self.note_edit)

    # -- actions ------------------------------------------------------------------------------
    def _build_actions(self, window: QWidget) -> None:
        def action(text: str, slot, shortcut: str | None = None, tip: str = "") -> QAction:
            a = QAction(text, window)
            if shortcut:
                a.setShortcut(QKeySequence(shortcut))
            a.setToolTip(f"{tip or text} ({shortcut})" if shortcut else tip or text)
            a.triggered.connect(slot)
            return a

        self.start_action = action("Replay", self.pick_bar, "Shift+R",
                                   "Replay both charts from a bar you click")
        self.play_action = action("Play", self.toggle_play, "Space", "Play or pause the replay")
        self.step_action = action("Step", self.step, tip="One bar forward while paused (→)")
        self.back_action = action("Jump back", self.pick_bar, tip="Replay again from an earlier bar")
        self.exit_action = action("Exit replay", self.leave, "Shift+Esc", "Back to the live charts")
        self.speed = QComboBox(objectName="replay_speed")
        for s in SPEEDS:
            self.speed.addItem(f"{s}×", s)
        self.speed.setCurrentIndex(SPEEDS.index(10))
        self.speed.setToolTip("Bars per second while playing (this replay or the next)")
        self.speed.currentIndexChanged.connect(self._set_speed)
        self.date = QDateTimeEdit(objectName="replay_date", displayFormat="yyyy-MM-dd HH:mm")
        self.date.setTimeZone(QTimeZone.utc())
        self.date.setCalendarPopup(True)
        self.date.setToolTip("A date (UTC) to replay from with Go")
        self.go_action = action("Go", self._from_date, tip="Replay from the date beside it")

        self.toolbar = QToolBar("Replay", window, objectName="replay_toolbar")
        self.toolbar.setMovable(False)
        self.toolbar.addAction(self.start_action)
        self.toolbar.addWidget(self.date)
        self.toolbar.addAction(self.go_action)
        self.toolbar.addSeparator()
        for a in (self.play_action, self.step_action, self.back_action):
            self.toolbar.addAction(a)
        self.toolbar.addWidget(self.speed)
        self.toolbar.addAction(self.exit_action)
        self.menu = QMenu("Re&play", window)
        for a in (self.start_action, self.play_action, self.step_action, self.back_action,
                  self.exit_action):
            self.menu.addAction(a)
        self._show_state()

    @property
    def active(self) -> bool:
        return self.worker.replay is not None

    def pick_bar(self) -> None:
        """The next left click on a chart picks the bar to replay from."""
        self._picking = True
        for chart in self._charts:
            chart.price.viewport().setCursor(Qt.CrossCursor)
        self._say("Click the bar to replay from (Esc cancels).")

    def start(self, cursor_ms: int) -> None:
        self._stop_picking()
        self.parent().statusBar().clearMessage()
        analysis: PairAnalysis | None = self._analysis()
        if analysis is None:
            return
        if not self.active:
            self._marked = False
        self.worker.start_replay(cursor_ms, {a.symbol: a.candles for a in analysis.assets},
                                 speed=self.speed.currentData())
        self.started.emit()

    def toggle_play(self) -> None:
        replay = self.worker.replay
        if replay is None:
            return
        replay.pause() if replay.playing else replay.play()
        self._show_state()

    def step(self) -> None:
        replay = self.worker.replay
        if replay is not None:
            replay.pause()
            replay.step()
            self._show_state()

    def leave(self) -> None:
        if not self.active:
            return
        keep = False
        if self._marked:
            answer = QMessageBox.question(
                self.parent(), "Leave the replay",
                "Keep the swings and drawings you placed or moved during the replay?",
                QMessageBox.Yes | QMessageBox.No | QMessageBox.Cancel, QMessageBox.No)
            if answer == QMessageBox.Cancel:
                return
            keep = answer == QMessageBox.Yes
        self.worker.end_replay(keep=keep)
        self.banner.hide()

    def _set_speed(self) -> None:
        replay = self.worker.replay
        if replay is not None:
            replay.set_speed(self.speed.currentData())
        self._show_state()

    def _from_date(self) -> None:
        self.start(int(self.date.dateTime().toMSecsSinceEpoch()))

    def note_edit(self, *_args) -> None:
        """A swing or a drawing was placed, moved or removed."""
        if self.active:
            self._marked = True

    # -- what the window shows ------------------------------------------------------------------
    def on_snapshot(self, analysis: PairAnalysis) -> None:
        """Keep the banner and the buttons in step with the replay shown."""
        if not self.active:
            self.banner.hide()
            if len(analysis.assets[0].candles):
                last = int(analysis.assets[0].candles.time[-1])
                self.date.setDateTime(QDateTime.fromMSecsSinceEpoch(last, QTimeZone.utc()))
        self._show_state()

    def _show_state(self) -> None:
        replay = self.worker.replay
        on = replay is not None
        for a in (self.play_action, self.step_action, self.back_action, self.exit_action):
            a.setEnabled(on)
        if not on:
            self.play_action.setText("Play")
            return
        self.play_action.setText("Pause" if replay.playing else "Play")
        state = "playing" if replay.playing else "paused"
        if not replay.remaining:
            state = "end of the data"
        self.banner.setText(f"REPLAY · {bar_time(replay.cursor)} UTC · {state} · {replay.speed}× · "
                            f"{replay.remaining} bars to go · Shift+Esc leaves")
        self.banner.show()

    def _say(self, text: str) -> None:
        window = self.parent()
        window.statusBar().showMessage(text, 10_000)

    def _stop_picking(self) -> None:
        self._picking = False
        for chart in self._charts:
            chart.price.viewport().unsetCursor()

    def eventFilter(self, watched, event) -> bool:
        if not self._picking:
            return False
        if event.type() == QEvent.KeyPress and event.key() == Qt.Key_Escape:
            self._stop_picking()
            return True
        if event.type() == QEvent.MouseButtonPress and event.button() == Qt.LeftButton:
            for chart in self._charts:
                if chart.price.viewport() is watched:
                    t = _bar_at(chart, chart.price.vb.mapSceneToView(
                        chart.price.mapToScene(event.position().toPoint())).x())
                    if t is not None:
                        self.start(t)
                    return True
        return False


def _bar_at(chart, x: float) -> int | None:
    """Epoch ms of the bar under chart x ``x`` (seconds), if a bar is there."""
    times = chart.bar_times
    if chart.analysis is None or not len(times):
        return None
    i = int(np.searchsorted(times, x + chart.bar_seconds / 2)) - 1
    if i < 0:
        return None
    return int(round(float(times[min(i, len(times) - 1)]) * 1000))

