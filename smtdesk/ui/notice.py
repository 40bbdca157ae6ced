"""In-window notices that float over the charts: alerts and warnings, newest on top."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import UTC, datetime

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtCore import Signal as QtSignal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from smtdesk.core.signal import Direction, Signal
from smtdesk.ui import signal_text

SHOW_MS = 12_000
MAX_CARDS = 3
"""Older notices make way; the sidebar's alert history keeps every alert."""
CARD_WIDTH = 360
"""Within the left chart's older bars even on a 1366 px screen."""
TEXT_WIDTH = CARD_WIDTH - 44
"""An alert reads in two lines, its summary cut to this width (the sidebar has it whole)."""
TOP_OFFSET = 66
"""Below the price legend (name, OHLC, overlay values), so it stays readable."""
LEFT_OFFSET = 8
"""Over the left chart's older bars: the newest bars of either chart stay in view."""
# Messages carry text from outside (an exchange's error body): shown whole they could
# fill the window, so they are cut here; the status bar and log keep the start too.
MAX_WARN_CHARS = 400
BULLISH, BEARISH, WARNING = "#1b5e55", "#7f2a2a", "#5d4a1f"
FONT_PX = 13


class NoticeCard(QFrame):
    """One notice: its text, a close button, and a timer that removes it."""

    clicked = QtSignal(object)
    """This card, clicked."""
    closed = QtSignal(object)
    """This card, to be dismissed (its close button, or its time is up)."""

    def __init__(self, text: str, colour: str, *, signal: Signal | None, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("notice_card")
        self.signal = signal
        """The alert's signal; None for a warning."""
        self.setStyleSheet(
            f"QFrame#notice_card {{ background: {colour}; border-radius: 4px; }}"
            f" QLabel, QToolButton {{ color: #ffffff; background: transparent; border: none; font-size: {FONT_PX}px; }}"
        )
        self.label = QLabel()
        if signal is None:  # a warning, read whole
            self.label.setTextFormat(Qt.PlainText)
            self.label.setWordWrap(True)
        else:
            self.label.setTextFormat(Qt.RichText)
            self.setToolTip(f"{signal_text.summary(signal)}\nClick to show the signal's bars on both charts")
        self.label.setText(text)
        self.label.setAttribute(Qt.WA_TransparentForMouseEvents)
        self.close_button = QToolButton()
        self.close_button.setText("×")
        self.close_button.setToolTip("Dismiss")
        self.close_button.setCursor(Qt.PointingHandCursor)
        self.close_button.clicked.connect(self._close)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 6, 4, 6)
        row.addWidget(self.label, 1)
        row.addWidget(self.close_button, 0, Qt.AlignTop)
        if signal is not None:
            self.setCursor(Qt.PointingHandCursor)
        self._fitted = -1
        self.timer = QTimer(self, singleShot=True, interval=SHOW_MS)
        self.timer.timeout.connect(self._close)
        self.timer.start()

    def fit_width(self, width: int) -> None:
        """As tall as the text's lines at ``width``; the text never changes, so a card
        works that out once per width (a burst of alerts places the stack each time)."""
        if width == self._fitted:
            return
        self._fitted = width
        self.ensurePolished()  # the style sheet's font sets the lines
        column = self.layout()
        self.setFixedHeight(column.totalHeightForWidth(width) if column.hasHeightForWidth()
                            else column.sizeHint().height())

    def _close(self) -> None:
        self.closed.emit(self)

    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.LeftButton and self.rect().contains(event.position().toPoint()):
            self.clicked.emit(self)
        super().mouseReleaseEvent(event)


class NoticeStack(QWidget):
    """Notices floating at the top left of ``parent`` (the chart area), outside its layout
    so the charts never move. Clicking an alert emits ``signal_clicked`` and dismisses it;
    each notice also goes by itself after :data:`SHOW_MS`."""

    signal_clicked = QtSignal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notice_stack")
        self._column = QVBoxLayout(self)
        self._column.setContentsMargins(0, 0, 0, 0)
        self._column.setSpacing(4)
        self._cards: list[NoticeCard] = []  # newest first
        if parent is not None:
            parent.installEventFilter(self)
        self.hide()

    def text(self) -> str:
        """The newest notice's text; empty when none is shown."""
        return self._cards[0].label.text() if self._cards else ""

    def announce(self, signals: Sequence[Signal]) -> None:
        """Alerts raised together, oldest first. Only the newest :data:`MAX_CARDS` get a
        card: older ones would make way at once, and the sidebar's alert history lists all."""
        for sig in signals[-MAX_CARDS:]:
            self._insert(self._alert_card(sig))
        self._settle()

    def _alert_card(self, sig: Signal) -> NoticeCard:
        colour = BULLISH if sig.direction is Direction.BULLISH else BEARISH
        when = datetime.fromtimestamp(sig.known_time / 1000, tz=UTC).strftime("%d %b %H:%M")
        font = QFont(self.font())
        font.setPixelSize(FONT_PX)
        bold = QFont(font)
        bold.setBold(True)
        title = QFontMetrics(bold).elidedText(signal_text.title(sig), Qt.ElideRight, TEXT_WIDTH)
        line = QFontMetrics(font).elidedText(
            f"{when} UTC · {signal_text.summary(sig)}", Qt.ElideRight, TEXT_WIDTH)
        # asset names come from the exchange's market list: never markup
        text = f"<b>{html.escape(title)}</b><br>{html.escape(line)}"
        return NoticeCard(text, colour, signal=sig, parent=self)

    def warn(self, message: str) -> None:
        """A problem the user should know about (data source down, bad pick)."""
        if len(message) > MAX_WARN_CHARS:
            message = message[:MAX_WARN_CHARS].rstrip() + f"… ({len(message)} characters)"
        self._insert(NoticeCard(message, WARNING, signal=None, parent=self))
        self._settle()

    def clear_warnings(self) -> None:
        """Dismiss every warning (what they were about is no longer on screen)."""
        for card in [c for c in self._cards if c.signal is None]:
            self._dismiss(card)

    def _insert(self, card: NoticeCard) -> None:
        # bound methods, not lambdas holding the stack and the card: Qt drops them with either
        card.closed.connect(self._dismiss)
        card.clicked.connect(self._activate if card.signal is not None else self._dismiss)
        self._cards.insert(0, card)
        self._column.insertWidget(0, card)

    def _settle(self) -> None:
        """The stack after new cards: the oldest past :data:`MAX_CARDS` go, the rest placed."""
        for old in self._cards[MAX_CARDS:]:
            self._drop(old)
        del self._cards[MAX_CARDS:]
        self._place()
        self.show()
        self.raise_()

    def _activate(self, card: NoticeCard) -> None:
        sig = card.signal
        self._dismiss(card)
        self.signal_clicked.emit(sig)

    def _dismiss(self, card: NoticeCard) -> None:
        if card not in self._cards:
            return
        self._cards.remove(card)
        self._drop(card)
        if self._cards:
            self._place()
        else:
            self.hide()

    @staticmethod
    def _drop(card: NoticeCard) -> None:
        card.timer.stop()
        card.hide()
        card.deleteLater()

    def _place(self) -> None:
        parent = self.parentWidget()
        if parent is None:
            self.adjustSize()
            return
        width = min(CARD_WIDTH, max(parent.width() - 2 * LEFT_OFFSET, 120))
        height = 0
        for card in self._cards:
            card.fit_width(width)
            height += card.height() + self._column.spacing()
        self.setGeometry(LEFT_OFFSET, TOP_OFFSET, width, max(height - self._column.spacing(), 0))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Resize and self._cards:
            self._place()
        return False
