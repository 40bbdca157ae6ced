"""The signal sidebar: every signal of the pair, newest first, latest state each."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal as QtSignal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QDockWidget, QTreeWidget, QTreeWidgetItem

from smtdesk.core.signal import Direction, Signal
from smtdesk.ui import signal_text
from smtdesk.ui.theme import DARK, Palette

MUTING_TAGS = frozenset({"counter-trend", "weak pair"})


class SignalSidebar(QDockWidget):
    """A dock listing signals; activating a row asks to show that signal's bars."""

    signal_activated = QtSignal(object)

    def __init__(self, parent=None) -> None:
        super().__init__("Signals", parent)
        self.setObjectName("signal_sidebar")
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Known", "Signal", "Detail"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setColumnWidth(0, 118)
        self.tree.setColumnWidth(1, 190)
        self.tree.itemActivated.connect(self._on_item_activated)
        self.tree.itemClicked.connect(self._on_item_activated)
        self.setWidget(self.tree)
        self._items: dict[str, QTreeWidgetItem] = {}
        self._palette = DARK

    def set_palette(self, palette: Palette) -> None:
        self._palette = palette
        for item in self._items.values():
            self._fill(item, item.data(0, Qt.UserRole))

    def count(self) -> int:
        return self.tree.topLevelItemCount()

    def signal_at(self, row: int) -> Signal:
        return self.tree.topLevelItem(row).data(0, Qt.UserRole)

    def show_signals(self, signals: tuple[Signal, ...]) -> None:
        """Show the latest state of every signal id among ``signals`` (events in order)."""
        for sig in signals:
            item = self._items.get(sig.id)
            if item is None:
                item = QTreeWidgetItem()
                self._items[sig.id] = item
                self.tree.insertTopLevelItem(0, item)
            elif item.data(0, Qt.UserRole) == sig:
                continue
            self._fill(item, sig)

    def _fill(self, item: QTreeWidgetItem, sig: Signal) -> None:
        item.setData(0, Qt.UserRole, sig)
        item.setText(0, signal_text.bar_time(sig.known_time))
        item.setText(1, signal_text.title(sig))
        item.setText(2, signal_text.summary(sig))
        item.setToolTip(2, signal_text.summary(sig))
        muted = bool(sig.tags & MUTING_TAGS) or sig.state.value in ("cancelled", "invalidated")
        p = self._palette
        colour = p.text_muted if muted else (p.up if sig.direction is Direction.BULLISH else p.down)
        item.setForeground(1, QBrush(QColor(colour)))
        for col in (0, 2):
            item.setForeground(col, QBrush(QColor(p.text_muted if muted else p.text)))

    def _on_item_activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        self.signal_activated.emit(item.data(0, Qt.UserRole))
