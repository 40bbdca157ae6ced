"""The log's record of how long the start took.

From launch (``smtdesk`` imported) to the first candles painted and to the first signals
shown, and the longest the window did not answer before each (from its making to the
candles, then from the candles to the signals, while the analysis runs). Each line carries the system's
monotonic clock too, so another process (``bench/startup.py``) can time the start against
its own clock.
"""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QWidget

from smtdesk import LAUNCHED

log = logging.getLogger("smtdesk.startup")

CANDLES = "first candles painted"
SIGNALS = "first signals shown"
_TICK_MS = 10


class StartupTiming(QObject):
    """Logs, once each, when the candles and the signals first reach the screen."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pending = {CANDLES, SIGNALS}
        self._watched: dict[QWidget, str] = {}
        self._longest = 0.0
        self._last = time.monotonic()
        # a tick that comes late is a time the window could not answer
        self._ticker = QTimer(self, interval=_TICK_MS, timerType=Qt.TimerType.PreciseTimer)
        self._ticker.timeout.connect(self._tick)
        self._ticker.start()

    def _tick(self) -> None:
        now = time.monotonic()
        self._longest = max(self._longest, now - self._last - _TICK_MS / 1000)
        self._last = now

    def drawn(self, what: str, widget: QWidget) -> None:
        """``what`` was just handed to ``widget``: logged when it has been painted."""
        if what not in self._pending or widget in self._watched:
            return
        self._watched[widget] = what
        widget.installEventFilter(self)
        widget.update()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and watched in self._watched:
            what = self._watched.pop(watched)
            watched.removeEventFilter(self)
            # logged once the paint this event starts has finished
            QTimer.singleShot(0, lambda: self._log(what))
        return False

    def _log(self, what: str) -> None:
        if what not in self._pending:
            return
        self._pending.discard(what)
        now = time.monotonic()
        self._tick()
        since = "since it was made" if what == CANDLES else "since the candles"
        log.info("start-up: %s %.2f s after launch (monotonic %.3f); the window waited "
                 "at most %.0f ms %s", what, now - LAUNCHED, now, self._longest * 1000, since)
        self._longest = 0.0
        if not self._pending:
            self._ticker.stop()
