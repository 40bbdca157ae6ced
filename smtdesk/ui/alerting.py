"""Alerts for a trader looking elsewhere: a system-tray message and a short sound."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QStyle, QSystemTrayIcon

from smtdesk.data.alert_log import RaisedAlert
from smtdesk.ui import signal_text
from smtdesk.ui.alert_sound import AlertSound

TRAY_MS = 10_000
NO_TRAY = "This desktop has no system tray: alerts show in the window and play a sound."


class AlertNotifier(QObject):
    """Raises each batch of alerts once outside the window: one tray message and one
    sound, unless muted. Where the desktop has no tray, ``say`` tells the user so, once."""

    def __init__(self, say: Callable[[str], None], *, muted: bool = False, parent=None) -> None:
        super().__init__(parent)
        self.muted = muted
        self._say = say
        self._told_no_tray = False
        self.tray = QSystemTrayIcon(_icon(), self)
        self.tray.setToolTip("smtdesk")
        self.sound = AlertSound()

    def notify(self, alerts: Sequence[RaisedAlert]) -> None:
        if not alerts or self.muted:
            return
        self._tray_message(alerts)
        self.sound.play()

    def _tray_message(self, alerts: Sequence[RaisedAlert]) -> None:
        if not QSystemTrayIcon.isSystemTrayAvailable():
            if not self._told_no_tray:
                self._told_no_tray = True
                self._say(NO_TRAY)
            return
        if not self.tray.isVisible():
            self.tray.show()
        newest = alerts[-1].signal
        title = signal_text.title(newest)
        if len(alerts) > 1:
            title = f"{title} (+{len(alerts) - 1} more)"
        body = f"{signal_text.bar_time(newest.known_time)} UTC · {signal_text.summary(newest)}"
        self.tray.showMessage(title, body, QSystemTrayIcon.Information, TRAY_MS)

    def close(self) -> None:
        """Take the tray icon away with the window."""
        self.tray.hide()


def _icon() -> QIcon:
    icon = QApplication.windowIcon()
    return icon if not icon.isNull() else QApplication.style().standardIcon(QStyle.SP_MessageBoxInformation)
