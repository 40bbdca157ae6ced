"""The window as a desktop app: its menus and dialogs, a 1366×768 screen, Ctrl+C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

import PySide6
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QFont, QPainter, QTextDocument
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from smtdesk.ui.chart import X_LIMIT_MARGIN_BARS
from smtdesk.ui.help_dialogs import ShortcutsDialog
from smtdesk.ui.pane import AXIS_WIDTH
from tests.ui.drive import drag
from tests.ui.probes import alert_count

REPO = Path(__file__).resolve().parents[2]


def menus(win) -> dict:
    return {a.text().replace("&", ""): a.menu() for a in win.menuBar().actions()}


def titles(menu) -> list[str]:
    return [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]


def modal(qtbot, kind):
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), kind), timeout=5_000)
    return QApplication.activeModalWidget()


def test_the_menu_bar_has_what_a_desktop_app_has(app, qtbot, artifacts):
    win = app.open()
    win.resize(1366, 768)
    bar = menus(win)
    assert {"File", "Edit", "View", "Alerts", "Help"} <= set(bar)
    assert titles(bar["File"])[:3] == ["Import candles…", "Export signals…", "Quit"]
    quit_action = next(a for a in bar["File"].actions() if a.text() == "&Quit")
    assert quit_action.shortcut().toString() == "Ctrl+Q"
    view = titles(bar["View"])
    for wanted in ("Stacked", "Light", "Signals sidebar", "Reset zoom", "Indicators", "Overlays",
                   "Fair value gaps", "All divergences and failure swings"):
        assert wanted in view, wanted
    assert titles(bar["Alerts"]) == ["Mute alerts", "Alert history…"]
    assert titles(bar["Help"]) == ["Welcome…", "Keyboard shortcuts", "Open the log file", "About smtdesk"]

    # the View menu open, the way a trader sees it, at 1366×768
    qtbot.wait(200)
    rect = win.menuBar().actionGeometry(bar["View"].menuAction())
    QTest.mouseClick(win.menuBar(), Qt.LeftButton, pos=rect.center())
    qtbot.waitUntil(bar["View"].isVisible, timeout=3_000)
    shot = win.grab()
    painter = QPainter(shot)
    painter.drawPixmap(win.mapFromGlobal(bar["View"].pos()), bar["View"].grab())
    painter.end()
    shot.save(str(artifacts / "menu_bar_open_1366.png"))
    bar["View"].close()


def test_help_lists_the_shortcuts_and_the_versions_and_opens_the_log(app, qtbot, monkeypatch):
    win = app.open()
    help_menu = menus(win)["Help"]
    next(a for a in help_menu.actions() if a.text() == "&Keyboard shortcuts").trigger()
    shortcuts = modal(qtbot, ShortcutsDialog)
    rows = {shortcuts.tree.topLevelItem(r).text(0): shortcuts.tree.topLevelItem(r).text(1)
            for r in range(shortcuts.tree.topLevelItemCount())}
    assert rows["Ctrl+Q"] == "Quit" and rows["F9"] == "Show or hide the signals sidebar"
    assert rows["Ctrl+M"].startswith("No sound") and "Down, -" in rows and rows["Down, -"] == "Zoom out"
    shortcuts.reject()

    next(a for a in help_menu.actions() if a.text() == "&About smtdesk").trigger()
    about = modal(qtbot, QMessageBox)
    installed = {"PySide6": PySide6.__version__, **{n: metadata.version(n) for n in ("pyqtgraph", "numpy", "pandas", "ccxt")}}
    for name, version in installed.items():
        assert f"<td style='padding-right:12px'>{name}</td><td>{version}</td>" in about.text()
    assert "Python" in about.text() and "Qt" in about.text()
    about.accept()

    opened = []
    monkeypatch.setattr("smtdesk.ui.window_menus.QDesktopServices.openUrl", opened.append)
    help_menu.aboutToShow.emit()
    log = next(a for a in help_menu.actions() if a.text() == "Open the &log file")
    assert log.isEnabled()
    log.trigger()
    assert [Path(u.toLocalFile()) for u in opened] == [app.data_dir / "logs" / "smtdesk.log"]
    assert opened and Path(opened[0].toLocalFile()).is_file()


def test_the_alert_history_lists_the_alert_log(app, qtbot):
    win = app.open("--replay-seconds", "0.05")
    qtbot.waitUntil(lambda: alert_count(win.sidebar) >= 3, timeout=60_000)
    win.history_action.trigger()
    dialog = modal(qtbot, QDialog)
    raised = win.worker.alert_history()
    assert dialog.tree.topLevelItemCount() >= len(raised) >= 3
    newest = dialog.tree.topLevelItem(0).data(0, Qt.UserRole)
    assert (newest.id, newest.state) in {(a.signal.id, a.signal.state) for a in win.worker.alert_history()}
    dialog.reject()


def test_the_sidebar_collapses_with_f9_and_resizes_by_its_edge(app, qtbot):
    win = app.open()
    win.resize(1366, 768)
    qtbot.wait(100)
    width = win.left.width()
    QTest.keyClick(win, Qt.Key_F9)
    qtbot.waitUntil(lambda: not win.sidebar.isVisible(), timeout=3_000)
    qtbot.waitUntil(lambda: win.left.width() > width + 100, timeout=3_000)
    QTest.keyClick(win, Qt.Key_F9)
    qtbot.waitUntil(win.sidebar.isVisible, timeout=3_000)
    qtbot.wait(100)
    before = win.sidebar.width()
    edge = win.sidebar.mapTo(win, QPoint(0, win.sidebar.height() // 2)) - QPoint(2, 0)
    drag(win, edge, edge + QPoint(120, 0))
    qtbot.waitUntil(lambda: win.sidebar.width() < before - 60, timeout=3_000)


def test_zooming_out_stops_at_the_data(app, qtbot):
    win = app.open()
    times = win.left.bar_times
    margin = X_LIMIT_MARGIN_BARS * win.left.bar_seconds
    win.setFocus()
    for _ in range(60):
        QTest.keyClick(win, Qt.Key_Down)
    for chart in (win.left, win.right):
        x0, x1 = chart.price.visible_x()
        assert x0 >= times[0] - margin - 1 and x1 <= times[-1] + margin + 1, "no years of empty space"
    assert x1 - x0 > 0.9 * (times[-1] - times[0]), "zoomed out as far as the data goes"
    win.reset_zoom_action.trigger()
    x0, x1 = win.left.price.visible_x()
    assert x1 - x0 < 0.2 * (times[-1] - times[0])


def test_legends_elide_before_the_price_axis_at_1366(app, qtbot, artifacts):
    win = app.open()
    for action in win.overlay_actions.values():
        if not action.isChecked():
            action.trigger()  # View → Overlays → each line, so the legend is long
    win.resize(1366, 768)
    qtbot.wait(200)
    for chart in (win.left, win.right):
        pane = chart.price
        doc = QTextDocument()
        font = QFont(pane.legend.font())
        font.setPixelSize(11)
        doc.setDefaultFont(font)
        doc.setDocumentMargin(0)
        doc.setHtml(pane.legend.text())
        room = pane.width() - AXIS_WIDTH - pane.legend.x()
        assert doc.idealWidth() > room, "the legend is longer than the room (else this proves nothing)"
        assert pane.legend.width() <= room, "it stops before the price axis"
    win.grab().save(str(artifacts / "window_1366.png"))


def test_ctrl_c_in_the_terminal_quits_cleanly(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen([sys.executable, "-m", "smtdesk", "--exchange", "demo", "--data-dir", str(tmp_path)],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    log = tmp_path / "logs" / "smtdesk.log"
    deadline = time.monotonic() + 90
    while not (log.exists() and ": live" in log.read_text()):
        assert proc.poll() is None and time.monotonic() < deadline, "the app did not come up"
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError("Ctrl+C did not end the app") from None
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
