"""The first-run welcome: what the trader is looking at and the three gestures that matter.

Shown once per data folder, beside the window rather than over it (non-modal), so nothing
waits for it; dismissing it is remembered by a marker file in the data folder. Help →
Welcome shows it again.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMainWindow,
    QVBoxLayout,
)

SEEN_MARKER = "welcome-seen"

TEXT = """
<h3>Welcome to smtdesk</h3>
<p>smtdesk charts two perpetuals side by side and tells you when one sweeps a swing level
the other fails to confirm (an SMT divergence).</p>
<p><b>The demo market.</b> When the venue does not answer (or with
<nobr><code>--exchange demo</code></nobr>) you see <b>Demo (recorded data)</b>: real Binance
BTC and ETH perpetual candles and funding rates from Dec 2024 to Feb 2026, replayed live at
one 1h candle every 2 seconds.</p>
<p><b>Live data.</b> Pick a venue (Binance USD-M, Bybit, OKX, HTX, Gate) in the first box of
the toolbar, then the pair and the timeframe beside it. Public market data only: no account,
no API key.</p>
<p><b>Three gestures.</b></p>
<ol>
<li><b>Mark a swing</b>: right-click a candle and choose <i>Mark swing high/low at …</i>.</li>
<li><b>Drag it</b>: the marker snaps to the bar extreme within ±3 bars; right-click it to
remove it.</li>
<li><b>Click a signal</b> in the sidebar: both charts go to its bars and draw it, and its
details are read below the list.</li>
</ol>
"""


class WelcomeDialog(QDialog):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to smtdesk")
        self.setModal(False)
        text = QLabel(TEXT)
        text.setWordWrap(True)
        text.setTextFormat(Qt.RichText)
        text.setMinimumWidth(460)
        buttons = QDialogButtonBox()
        start = buttons.addButton("Start charting", QDialogButtonBox.AcceptRole)
        start.setObjectName("start_charting")
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(buttons)


def install_welcome(window: QMainWindow, folder: Path, *, first_run: bool = True) -> WelcomeDialog:
    """Add Help → Welcome to ``window`` and, once per data ``folder`` (and when
    ``first_run``), show the welcome beside it as soon as it is up."""
    dialog = WelcomeDialog(window)
    marker = folder / SEEN_MARKER

    def remember() -> None:
        try:
            marker.touch()
        except OSError:  # not remembered: it shows again next time, nothing worse
            pass

    dialog.finished.connect(remember)
    action = QAction("&Welcome…", window)
    action.triggered.connect(dialog.show)
    help_menu = next((a.menu() for a in window.menuBar().actions() if a.text() == "&Help"), None)
    if help_menu is None:
        help_menu = window.menuBar().addMenu("&Help")
    first = help_menu.actions()[0] if help_menu.actions() else None
    help_menu.insertAction(first, action)
    if first_run and not marker.exists():
        QTimer.singleShot(0, dialog.show)
    return dialog
