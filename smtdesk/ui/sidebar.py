"""The signal sidebar: every signal of the pair (latest state each) and the alert history."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtCore import Signal as QtSignal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from smtdesk.core.pair_model import AlertPolicy
from smtdesk.core.signal import Direction, Signal, State
from smtdesk.data.alert_log import RaisedAlert
from smtdesk.ui import signal_text
from smtdesk.ui.theme import DARK, Palette

NO_SIGNAL = "No signal yet."
SEARCHING = "Finding the signals of the history…"
PREPARING = "Preparing analysis… (the candles are shown; indicators and signals follow)"
ENDED = frozenset({State.CANCELLED, State.INVALIDATED})
ALL_KINDS = "All kinds"


def kind_group(kind: str) -> str:
    """The family a signal kind is listed under in the kind filter."""
    if kind == "smt":
        return "SMT"
    if kind.endswith("_divergence"):
        return "Divergences"
    head = kind.split("_", 1)[0]
    return {"bb": "Bollinger", "ma": "MA crosses", "oi": "Open interest"}.get(head, head.upper() if len(head) <= 4 else head.capitalize())


def _tree(first_column: str) -> QTreeWidget:
    tree = QTreeWidget()
    # The summary column fills what is left and ends in an ellipsis (the detail view
    # reads it in full), so the list needs no sideways scrolling. The stretched last
    # column never shrinks below the default section size, hence a small one.
    header = tree.header()
    header.setMinimumSectionSize(40)
    header.setDefaultSectionSize(40)
    tree.setHeaderLabels([first_column, "Signal", "Detail"])
    tree.setRootIsDecorated(False)
    tree.setUniformRowHeights(True)
    tree.setColumnWidth(0, 118)
    tree.setColumnWidth(1, 190)
    tree.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
    tree.setTextElideMode(Qt.ElideRight)
    return tree


class SignalSidebar(QDockWidget):
    """A dock with two lists: every signal of the pair, and the alerts raised so far
    (kept across restarts). Activating a row asks to show that signal's bars."""

    signal_activated = QtSignal(object)

    def __init__(self, parent=None) -> None:
        super().__init__("Signals", parent)
        self.setObjectName("signal_sidebar")
        self.tree = _tree("Known")
        self.alerts = _tree("Raised")
        self.tabs = QTabWidget()
        self.tabs.addTab(self.tree, "Signals")
        self.tabs.addTab(self.alerts, "Alerts")
        self.hide_ended = QCheckBox("Hide ended")
        self.hide_ended.setToolTip("Hide cancelled and invalidated signals")
        self.hide_ended.toggled.connect(self._apply_filter)
        self.kind_filter = QComboBox()
        self.kind_filter.setToolTip("Which signals the list shows")
        self.kind_filter.addItems(["SMT", ALL_KINDS])
        self.kind_filter.currentTextChanged.connect(self._rebuild)
        filters = QWidget()
        row = QHBoxLayout(filters)
        row.setContentsMargins(4, 4, 4, 0)
        row.addWidget(self.kind_filter, 1)
        row.addWidget(self.hide_ended)
        for tree in (self.tree, self.alerts):
            tree.itemActivated.connect(self._on_item_activated)
            tree.itemClicked.connect(self._on_item_activated)
            tree.currentItemChanged.connect(self._show_detail)
        # The rows are one line each; the selected signal reads in full below them.
        self.detail = QLabel(NO_SIGNAL)
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.RichText)
        self.detail.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.detail.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.detail.setMargin(6)
        scroll = QScrollArea()
        scroll.setWidget(self.detail)
        scroll.setWidgetResizable(True)
        top = QWidget()
        column = QVBoxLayout(top)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(filters)
        column.addWidget(self.tabs, 1)
        split = QSplitter(Qt.Vertical)
        split.addWidget(top)
        split.addWidget(scroll)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([480, 320])
        self.setWidget(split)
        self._items: dict[str, QTreeWidgetItem] = {}
        self._latest: dict[str, Signal] = {}
        self._policy = AlertPolicy()
        self._palette = DARK

    def set_policy(self, policy: AlertPolicy) -> None:
        """Signals this policy does not raise are listed greyed."""
        self._policy = policy
        self._rebuild()

    def set_palette(self, palette: Palette) -> None:
        self._palette = palette
        for item in self._items.values():
            self._fill(item, item.data(0, Qt.UserRole))
        for row in range(self.alerts.topLevelItemCount()):
            item = self.alerts.topLevelItem(row)
            self._fill(item, item.data(0, Qt.UserRole), first=item.text(0))

    def add_alerts(self, alerts: list[RaisedAlert]) -> None:
        """Put alerts at the top of the history, given newest last."""
        for alert in alerts:
            item = QTreeWidgetItem()
            raised = datetime.fromtimestamp(alert.raised_at / 1000).strftime("%Y-%m-%d %H:%M")
            self._fill(item, alert.signal, first=raised)
            item.setToolTip(0, f"Raised {raised} (local time); bar {signal_text.bar_time(alert.signal.known_time)} UTC")
            self.alerts.insertTopLevelItem(0, item)

    def _apply_filter(self) -> None:
        for item in self._items.values():
            item.setHidden(self._hidden(item.data(0, Qt.UserRole)))

    def _hidden(self, sig: Signal) -> bool:
        return self.hide_ended.isChecked() and sig.state in ENDED

    def count(self) -> int:
        return self.tree.topLevelItemCount()

    def clear_signals(self) -> None:
        """Forget every listed signal (another pair, timeframe or venue has its own);
        the alert history stays."""
        self.tree.clear()
        self._items.clear()
        self._latest.clear()

    def _shown_kind(self, sig: Signal) -> bool:
        wanted = self.kind_filter.currentText()
        return wanted == ALL_KINDS or kind_group(sig.kind) == wanted

    def _rebuild(self) -> None:
        """List the latest state of every signal the kind filter lets through, anew."""
        current = self.tree.currentItem()
        picked = None if current is None else current.data(0, Qt.UserRole).id
        self.tree.clear()
        self._items.clear()
        items = []
        for sig in self._latest.values():
            if self._shown_kind(sig):
                item = self._items[sig.id] = QTreeWidgetItem()
                self._fill(item, sig)
                items.append(item)
        # newest first, inserted at once: one insertion per row would move every row
        self.tree.insertTopLevelItems(0, items[::-1])
        for item in items:
            item.setHidden(self._hidden(item.data(0, Qt.UserRole)))
        self.show_signals((), remember=False)
        if picked in self._items:
            self.tree.setCurrentItem(self._items[picked])

    def set_signals(self, latest: Mapping[str, Signal]) -> None:
        """The signals of the pair, found anew: the latest state of each, by id."""
        self._latest = dict(latest)
        groups = sorted({kind_group(s.kind) for s in self._latest.values()} | {"SMT"})
        wanted = self.kind_filter.currentText()
        self.kind_filter.blockSignals(True)
        self.kind_filter.clear()
        self.kind_filter.addItems(["SMT", *[g for g in groups if g != "SMT"], ALL_KINDS])
        self.kind_filter.setCurrentText(wanted)
        self.kind_filter.blockSignals(False)
        self._rebuild()

    def show_signals(self, signals, *, remember: bool = True) -> None:
        """Show the latest state of every signal id among ``signals`` (events in order)."""
        for sig in signals:
            if remember:
                self._latest[sig.id] = sig
                if self.kind_filter.findText(kind_group(sig.kind)) < 0:
                    self.kind_filter.insertItem(self.kind_filter.count() - 1, kind_group(sig.kind))
            if not self._shown_kind(sig):
                continue
            item = self._items.get(sig.id)
            if item is None:
                item = QTreeWidgetItem()
                self._items[sig.id] = item
                self.tree.insertTopLevelItem(0, item)
            elif item.data(0, Qt.UserRole) == sig:
                continue
            self._fill(item, sig)
            item.setHidden(self._hidden(sig))
            if item is self.tree.currentItem():
                self._show_detail(item)
        if self.tree.currentItem() is None:
            # Until the user picks a row, the detail view reads the newest signal.
            newest = next((i for i in map(self.tree.topLevelItem, range(self.count())) if not i.isHidden()), None)
            self._show_detail(newest)

    def _fill(self, item: QTreeWidgetItem, sig: Signal, *, first: str | None = None) -> None:
        item.setData(0, Qt.UserRole, sig)
        item.setText(0, signal_text.bar_time(sig.known_time) if first is None else first)
        item.setText(1, signal_text.title(sig))
        item.setText(2, signal_text.summary(sig))
        item.setToolTip(2, signal_text.summary(sig))
        muted = sig.state in ENDED or self._policy.mutes(sig)
        p = self._palette
        colour = p.text_muted if muted else (p.up if sig.direction is Direction.BULLISH else p.down)
        item.setForeground(1, QBrush(QColor(colour)))
        for col in (0, 2):
            item.setForeground(col, QBrush(QColor(p.text_muted if muted else p.text)))

    def set_searching(self, searching: bool, *, preparing: bool = False) -> None:
        """Say that the history's signals are still being found (the charts show first),
        or that its analysis is still being ``preparing`` (the candles show first)."""
        if self.count() == 0:
            self.detail.setText(PREPARING if preparing else SEARCHING if searching else NO_SIGNAL)

    def _show_detail(self, item: QTreeWidgetItem | None, _previous=None) -> None:
        if item is not None:
            self.detail.setText(signal_text.detail(item.data(0, Qt.UserRole)))

    def _on_item_activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        self.signal_activated.emit(item.data(0, Qt.UserRole))
