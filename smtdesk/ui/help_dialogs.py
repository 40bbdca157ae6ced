"""Help → Keyboard shortcuts and Help → About."""

from __future__ import annotations

import platform
from importlib import metadata

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from smtdesk import __version__

LIBRARIES = ("pyqtgraph", "numpy", "pandas", "ccxt")
"""Read from their installed metadata: importing ccxt here would load it for nothing."""


def shortcut_rows(actions: list[QAction]) -> list[tuple[str, str]]:
    """(keys, what they do) of every action that has a shortcut, sorted by what they do."""
    rows = {}
    for action in actions:
        keys = ", ".join(k.toString(QKeySequence.NativeText) for k in action.shortcuts())
        what = (action.toolTip() or action.text()).replace("&", "")
        if keys and what:
            rows[keys] = what.split(" (")[0]
    return sorted(((k, w) for k, w in rows.items()), key=lambda r: r[1].lower())


class ShortcutsDialog(QDialog):
    def __init__(self, actions: list[QAction], parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(480, 460)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Keys", "Does"])
        self.tree.setRootIsDecorated(False)
        self.tree.setColumnWidth(0, 150)
        for keys, what in shortcut_rows(actions):
            self.tree.addTopLevelItem(QTreeWidgetItem([keys, what]))
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Drag a chart to pan it, turn the wheel over it to zoom."))
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)


def versions() -> list[tuple[str, str]]:
    """smtdesk, Python, Qt and every library it runs on, as installed."""
    rows = [("smtdesk", __version__), ("Python", platform.python_version()), ("Qt", qVersion()),
            ("PySide6", PySide6.__version__)]
    for name in LIBRARIES:
        try:
            rows.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            rows.append((name, "not installed"))
    return rows


def about_box(parent) -> QMessageBox:
    cells = "".join(f"<tr><td style='padding-right:12px'>{k}</td><td>{v}</td></tr>" for k, v in versions())
    box = QMessageBox(QMessageBox.Information, "About smtdesk",
                      "<b>smtdesk</b>: SMT divergence charts for crypto perpetual futures."
                      f"<table>{cells}</table>", QMessageBox.Ok, parent)
    box.setTextFormat(Qt.RichText)
    box.setObjectName("about_box")
    return box
