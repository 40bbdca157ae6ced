"""The window's Alerts and Help menus, the View menu's layout items, and Export signals."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QToolBar

from smtdesk.data.signal_csv import write_signals_csv
from smtdesk.settings import replace_section
from smtdesk.ui.alert_history import AlertHistoryDialog
from smtdesk.ui.help_dialogs import ShortcutsDialog, about_box
from smtdesk.ui.signal_text import short_symbol

CSV_FILTER = "CSV files (*.csv);;All files (*)"


def extend_view_menu(win, menu: QMenu, panels: QMenu, overlays: QMenu) -> None:
    """Layout, theme, panels, overlays, the sidebar and the zoom, above the structure layers."""
    first = menu.actions()[0] if menu.actions() else None
    win.sidebar_action = win.sidebar.toggleViewAction()
    win.sidebar_action.setText("Signals &sidebar")
    win.sidebar_action.setIconText("Sidebar")
    win.sidebar_action.setShortcut(QKeySequence("F9"))
    win.sidebar_action.setToolTip("Show or hide the signals sidebar (F9)")
    win.reset_zoom_action = QAction("&Reset zoom", win)
    win.reset_zoom_action.setShortcuts([QKeySequence(Qt.Key_End), QKeySequence("Ctrl+0")])
    win.reset_zoom_action.setToolTip("Show the newest bars at the usual zoom (End)")
    win.reset_zoom_action.triggered.connect(win.reset_zoom)
    for item in (win.stacked_action, win.light_action, win.sidebar_action, win.reset_zoom_action):
        menu.insertAction(first, item)
    menu.insertSeparator(first)
    menu.insertMenu(first, panels)
    menu.insertMenu(first, overlays)
    menu.insertSeparator(first)
    toolbar = win.findChild(QToolBar, "chart_toolbar")
    toolbar.addAction(win.sidebar_action)


def add_export_action(win, file_menu: QMenu) -> None:
    win.export_action = QAction("&Export signals…", win, shortcut=QKeySequence("Ctrl+E"))
    win.export_action.setToolTip("Write the signals the sidebar lists to a CSV file (Ctrl+E)")
    win.export_action.triggered.connect(lambda: export_signals(win))
    file_menu.addAction(win.export_action)
    win.sidebar.export_requested.connect(win.export_action.trigger)


def export_signals(win) -> QFileDialog:
    """Ask where to write the signals the sidebar lists; write them there."""
    symbols = "-".join(short_symbol(s) for s in win.worker.symbols)
    name = str(Path(win.export_folder) / f"signals-{symbols}-{win.worker.timeframe}.csv")
    dialog = QFileDialog(win, "Export signals to a CSV file", name, CSV_FILTER)
    dialog.setObjectName("export_signals_dialog")
    dialog.setAcceptMode(QFileDialog.AcceptSave)
    dialog.setDefaultSuffix("csv")
    dialog.setAttribute(Qt.WA_DeleteOnClose)
    signals = win.sidebar.listed()
    dialog.fileSelected.connect(lambda chosen: _write(win, Path(chosen), signals))
    dialog.open()
    return dialog


def _write(win, path: Path, signals) -> None:
    win.export_folder = str(path.parent)
    try:
        n = write_signals_csv(path, signals)
    except OSError as exc:
        win.statusBar().showMessage(f"Signals not exported: {exc}", 15_000)
        return
    win.statusBar().showMessage(f"{n} signals written to {path}", 15_000)


def add_alerts_menu(win) -> None:
    menu = win.menuBar().addMenu("&Alerts")
    win.mute_action = QAction("&Mute alerts", win, checkable=True, shortcut=QKeySequence("Ctrl+M"))
    win.mute_action.setToolTip("No sound and no system-tray message for new alerts (Ctrl+M)")
    win.mute_action.setIconText("Mute")
    win.mute_action.setChecked(win.settings.alerts.muted)
    win.mute_action.toggled.connect(lambda on: set_muted(win, on))
    menu.addAction(win.mute_action)
    win.history_action = QAction("Alert &history…", win, shortcut=QKeySequence("Ctrl+H"))
    win.history_action.setToolTip("Every alert raised so far (Ctrl+H)")
    win.history_action.triggered.connect(lambda: open_history(win))
    menu.addAction(win.history_action)
    win.findChild(QToolBar, "chart_toolbar").addAction(win.mute_action)


def set_muted(win, muted: bool) -> None:
    win.alert_notifier.muted = muted
    if win.settings.alerts.muted != muted:
        win.settings = replace_section(win.settings, "alerts", muted=muted)
        win.save_settings()


def open_history(win) -> AlertHistoryDialog:
    dialog = AlertHistoryDialog(win.worker.alert_history(), win)
    dialog.setAttribute(Qt.WA_DeleteOnClose)
    dialog.signal_activated.connect(win.show_signal)
    dialog.open()
    return dialog


def add_help_menu(win) -> None:
    menu = win.menuBar().addMenu("&Help")
    shortcuts = QAction("&Keyboard shortcuts", win, shortcut=QKeySequence("F1"))
    shortcuts.triggered.connect(lambda: _open(ShortcutsDialog(win.findChildren(QAction), win)))
    win.open_log_action = QAction("Open the &log file", win)
    win.open_log_action.setToolTip("What smtdesk did and every problem it met, with the details")
    win.open_log_action.triggered.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(win.log_path))))
    about = QAction("&About smtdesk", win)
    about.setMenuRole(QAction.AboutRole)
    about.triggered.connect(lambda: _open(about_box(win)))
    for action in (shortcuts, win.open_log_action, about):
        menu.addAction(action)
    menu.aboutToShow.connect(lambda: win.open_log_action.setEnabled(win.log_path is not None))


def _open(dialog) -> None:
    dialog.setAttribute(Qt.WA_DeleteOnClose)
    dialog.open()
