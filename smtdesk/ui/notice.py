"""An in-window alert banner that needs no attention to dismiss."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel

from smtdesk.core.signal import Direction, Signal
from smtdesk.ui import signal_text

SHOW_MS = 12_000
# Messages carry text from outside (an exchange's error body): shown whole they could
# fill the window, so they are cut here; the status bar and log keep the start too.
MAX_WARN_CHARS = 400


class NoticeBanner(QLabel):
    """Shows the newest alert across the top of the charts; click to dismiss."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("notice_banner")
        self.setWordWrap(True)
        self.setTextFormat(Qt.RichText)
        self.setMargin(8)
        self.hide()
        self._timer = QTimer(self, singleShot=True, interval=SHOW_MS)
        self._timer.timeout.connect(self.hide)

    def announce(self, sig: Signal) -> None:
        colour = "#1b5e55" if sig.direction is Direction.BULLISH else "#7f2a2a"
        self.setStyleSheet(
            f"QLabel#notice_banner {{ background: {colour}; color: #ffffff; font-size: 13px;"
            " border-radius: 4px; }"
        )
        self.setTextFormat(Qt.RichText)
        # asset names come from the exchange's market list: never markup
        self.setText(
            f"<b>{html.escape(signal_text.title(sig))}</b> &nbsp; "
            f"{signal_text.bar_time(sig.known_time)} UTC<br>{html.escape(signal_text.summary(sig))}"
        )
        self.show()
        self._timer.start()

    def warn(self, message: str) -> None:
        """A problem the user should know about (data source down, bad pick)."""
        self.setStyleSheet(
            "QLabel#notice_banner { background: #5d4a1f; color: #ffffff; font-size: 13px; border-radius: 4px; }"
        )
        self.setTextFormat(Qt.PlainText)
        if len(message) > MAX_WARN_CHARS:
            message = message[:MAX_WARN_CHARS].rstrip() + f"… ({len(message)} characters)"
        self.setText(message)
        self.show()
        self._timer.start()

    def mousePressEvent(self, event) -> None:
        self.hide()
        super().mousePressEvent(event)
