"""Alerts → History: every alert raised so far, this run's and earlier ones."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtCore import Signal as QtSignal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from smtdesk.data.alert_log import RaisedAlert
from smtdesk.ui import signal_text
from smtdesk.ui.sidebar import assets_text

COLUMNS = ("Raised (local)", "Bar (UTC)", "Signal", "Assets", "Detail")


class AlertHistoryDialog(QDialog):
    """The alert log, newest first; double-clicking an alert asks to show its bars."""

    signal_activated = QtSignal(object)

    def __init__(self, alerts: list[RaisedAlert], parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Alert history")
        self.resize(820, 420)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        for column, width in enumerate((130, 120, 200, 80)):
            self.tree.setColumnWidth(column, width)
        for alert in alerts:
            sig = alert.signal
            raised = datetime.fromtimestamp(alert.raised_at / 1000).strftime("%Y-%m-%d %H:%M:%S")
            item = QTreeWidgetItem([raised, signal_text.bar_time(sig.known_time), signal_text.title(sig),
                                    assets_text(sig), signal_text.summary(sig)])
            item.setData(0, Qt.UserRole, sig)
            item.setToolTip(4, signal_text.summary(sig))
            self.tree.addTopLevelItem(item)
        self.tree.itemActivated.connect(lambda item, _c: self.signal_activated.emit(item.data(0, Qt.UserRole)))
        count = QLabel(f"{len(alerts)} alerts raised on this venue, newest first. "
                       "Double-click one to show its bars." if alerts else "No alert raised yet.")
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(count)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)
