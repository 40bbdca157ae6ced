"""The whole app as ``smtdesk`` builds it, on a temporary data dir, for gesture-driven tests."""

import asyncio
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from smtdesk import app as smtdesk_app
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton

from smtdesk.ui.main_window import MainWindow
from smtdesk.ui.welcome import WelcomeDialog
from tests.ui.conftest import qloop  # noqa: F401  (the qasync loop fixture)


def open_app(qtbot, data_dir: Path, *extra: str, keep_welcome: bool = False) -> MainWindow:
    """Build the window exactly as ``smtdesk --exchange demo --data-dir DIR`` does, show it,
    start its worker and wait for the history's signals. The first-run welcome is dismissed
    with its button, as a new user does, unless ``keep_welcome``."""
    args = smtdesk_app.parse_args(["--exchange", "demo", "--replay-seconds", "3600",
                                   "--data-dir", str(data_dir), *extra])
    win = smtdesk_app.build(args)
    assert win is not None
    qtbot.addWidget(win)
    win.show()
    win.worker.start()
    # the charts come first, then the history's signals: both drawn
    qtbot.waitUntil(lambda: win._analysis is not None and win._analysis.detected, timeout=60_000)
    welcome = win.findChild(WelcomeDialog)
    if welcome is not None and welcome.isVisible() and not keep_welcome:
        QTest.mouseClick(welcome.findChild(QPushButton, "start_charting"), Qt.LeftButton)
        win.activateWindow()  # back to the charts, as closing a dialog does on a desktop
        qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=5_000)
    return win


def close_app(qtbot, win: MainWindow) -> None:
    win.close()
    stopping = asyncio.ensure_future(win.worker.stop())
    qtbot.waitUntil(stopping.done, timeout=10_000)


class AppRunner:
    """Opens the app on a data dir (a temporary one unless given) and closes it again;
    whatever a test leaves open is closed after it."""

    def __init__(self, qtbot, data_dir: Path) -> None:
        self._qtbot, self.data_dir, self._open = qtbot, data_dir, []

    def open(self, *extra: str, keep_welcome: bool = False) -> MainWindow:
        win = open_app(self._qtbot, self.data_dir, *extra, keep_welcome=keep_welcome)
        self._open.append(win)
        return win

    def close(self, win: MainWindow) -> None:
        self._open.remove(win)
        close_app(self._qtbot, win)


@pytest.fixture
def app(qtbot, qloop, tmp_path) -> Iterator[AppRunner]:  # noqa: F811
    hook = sys.excepthook  # the app installs its own; later tests get theirs back
    runner = AppRunner(qtbot, tmp_path)
    yield runner
    for win in list(runner._open):
        runner.close(win)
    sys.excepthook = hook
