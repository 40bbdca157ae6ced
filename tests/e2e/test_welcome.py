"""The first-run welcome: shown on a new data folder, dismissed with its button, not again."""

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QPushButton

from smtdesk.ui.welcome import WelcomeDialog


def welcome_of(win) -> WelcomeDialog:
    return win.findChild(WelcomeDialog)


def help_action(win, text: str):
    menu = next(a.menu() for a in win.menuBar().actions() if a.text() == "&Help")
    return next(a for a in menu.actions() if a.text() == text)


def test_welcome_shows_once_per_data_folder_and_again_from_help(app, qtbot):
    win = app.open(keep_welcome=True)
    welcome = welcome_of(win)
    qtbot.waitUntil(welcome.isVisible, timeout=5_000)
    assert not welcome.isModal()
    shown = welcome.findChild(QLabel).text()
    for words in ("demo market", "venue", "Mark a swing", "Drag it", "Click a signal"):
        assert words in shown
    win.grab().save("/tmp/bundle-welcome-window.png")
    welcome.grab().save("/tmp/bundle-welcome.png")
    QTest.mouseClick(welcome.findChild(QPushButton, "start_charting"), Qt.LeftButton)
    assert not welcome.isVisible()
    app.close(win)

    win = app.open()
    QTest.qWait(300)  # the welcome would show as soon as the window is up
    assert not welcome_of(win).isVisible()
    help_action(win, "&Welcome…").trigger()
    assert welcome_of(win).isVisible()
