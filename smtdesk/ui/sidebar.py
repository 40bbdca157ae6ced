"""The signal sidebar: every signal of the pair (latest state each) and the alert history."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from functools import lru_cache
from datetime import UTC, datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtCore import Signal as QtSignal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDockWidget,
    QGridLayout,
    QLabel,
    QPushButton,
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
from smtdesk.core.signals.event_table import Facets, tally, where
from smtdesk.data.alert_log import HISTORY_LIMIT, RaisedAlert
from smtdesk.ui import signal_text
from smtdesk.ui.signal_filter import ANY, ENDED, SignalFilter, kind_group
from smtdesk.ui.theme import DARK, Palette

NO_SIGNAL = "No signal yet."
SEARCHING = "Finding the signals of the history…"
STATES = (State.FORMING, State.DIVERGENCE, State.CONFIRMED, State.TRIGGERED, State.CANCELLED, State.INVALIDATED)
COLUMN_WIDTHS = (94, 136, 62)
"""Known time, signal, assets; the tags take the rest. All four fit a sidebar of 340 px."""
PREPARING = "Preparing analysis… (the candles are shown; indicators and signals follow)"


ALERT_ROWS = HISTORY_LIMIT
"""Alerts listed at most: a window left open for weeks lists the newest, not every one."""


def list_time(ms: int) -> str:
    """"20 Jan 13:00": the list's short time (UTC); the tooltip and detail give the year."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%d %b %H:%M")


def list_title(sig: Signal) -> str:
    """The title without the direction's word: the arrow and the colour say it."""
    return signal_text.title(sig).replace(f" {sig.direction.value.capitalize()} ", " ", 1)


def assets_text(sig: Signal) -> str:
    return "/".join(signal_text.short_symbol(a) for a in sig.assets)


def tags_text(sig: Signal) -> str:
    return ", ".join(t.replace("_", " ") for t in sorted(sig.tags))


def _tree(first_column: str) -> QTreeWidget:
    tree = QTreeWidget()
    # The tags column fills what is left and ends in an ellipsis (the detail view reads
    # the signal in full), so the list needs no sideways scrolling. The stretched last
    # column never shrinks below the default section size, hence a small one.
    header = tree.header()
    header.setMinimumSectionSize(40)
    header.setDefaultSectionSize(40)
    tree.setHeaderLabels([first_column, "Signal", "Assets", "Tags"])
    tree.setRootIsDecorated(False)
    tree.setUniformRowHeights(True)
    for column, width in enumerate(COLUMN_WIDTHS):
        tree.setColumnWidth(column, width)
    tree.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
    tree.setTextElideMode(Qt.ElideRight)
    return tree


def _combo(tip: str, choices: list[tuple[str, str]]) -> QComboBox:
    box = QComboBox()
    box.setToolTip(tip)
    box.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(6)
    for label, key in choices:
        box.addItem(label, key)
        box.setItemData(box.count() - 1, label, Qt.UserRole + 1)  # the label without its count
    return box


RECOUNT_MS = 500
"""How long after live signals the filters' counts are made again (they read every signal)."""

class _SignalRow(QTreeWidgetItem):
    """A listed signal. Its tooltips are written when the mouse asks for one: a history
    re-run lists a thousand rows at once, and most are never hovered."""

    def data(self, column: int, role: int):
        if role == Qt.ItemDataRole.ToolTipRole and column in (0, 1, 3):
            given = super().data(column, role)
            sig = super().data(0, Qt.ItemDataRole.UserRole)
            if given is None and sig is not None:
                if column == 0:
                    return f"Known at the close of {signal_text.bar_time(sig.known_time)} UTC"
                return signal_text.summary(sig) if column == 1 else tags_text(sig)
            return given
        return super().data(column, role)


@lru_cache(maxsize=64)
def _brush(colour: str) -> QBrush:
    return QBrush(QColor(colour))


class SignalSidebar(QDockWidget):
    """A dock with two lists: every signal of the pair, and the alerts raised so far
    (kept across restarts). Activating a row asks to show that signal's bars; the detail
    view below reads the row last picked in either list."""

    signal_activated = QtSignal(object)
    hide_ended_changed = QtSignal(bool)
    export_requested = QtSignal()

    def __init__(self, parent=None) -> None:
        super().__init__("Signals", parent)
        self.setObjectName("signal_sidebar")
        self.tree = _tree("Known")
        self.alerts = _tree("Raised")
        self._recount = QTimer(self, singleShot=True, interval=RECOUNT_MS)
        self._recount.timeout.connect(self._update_counts)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.tree, "Signals")
        self.tabs.addTab(self.alerts, "Alerts")
        self.kind_filter = _combo("Which kinds of signal the list shows (how many each)",
                                  [("SMT", "SMT"), ("All kinds", ANY)])
        self.state_filter = _combo("Which states the list shows (how many each)", [("Any state", ANY)] + [
            (s.value.capitalize(), s.value) for s in STATES])
        self.direction_filter = _combo("Bullish, bearish or both (how many each)", [
            ("▲▼ Both", ANY), ("▲ Bullish", Direction.BULLISH.value), ("▼ Bearish", Direction.BEARISH.value)])
        self.hide_ended = QCheckBox("Hide ended")
        self.hide_ended.setToolTip("Hide cancelled and invalidated signals")
        self.hide_ended.setChecked(True)
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Write the signals the list shows to a CSV file")
        self.export_button.clicked.connect(self.export_requested)
        for box in (self.kind_filter, self.state_filter, self.direction_filter):
            box.currentIndexChanged.connect(self._rebuild)
        self.hide_ended.toggled.connect(self._rebuild)
        self.hide_ended.toggled.connect(self.hide_ended_changed)
        filters = QWidget()
        grid = QGridLayout(filters)
        grid.setContentsMargins(4, 4, 4, 0)
        grid.setSpacing(4)
        grid.addWidget(self.kind_filter, 0, 0, 1, 2)
        grid.addWidget(self.state_filter, 0, 2, 1, 2)
        grid.addWidget(self.direction_filter, 1, 0, 1, 2)
        grid.addWidget(self.hide_ended, 1, 2)
        grid.addWidget(self.export_button, 1, 3)
        for column in range(4):
            grid.setColumnStretch(column, 1)
        for tree in (self.tree, self.alerts):
            tree.itemActivated.connect(self._on_item_activated)
            tree.itemClicked.connect(self._on_item_activated)
            tree.currentItemChanged.connect(self._on_current_changed)
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
        # The latest state of every signal: those found with the history (read from it
        # when listed), and the live events since, split by whether the history has the id.
        self._found: Mapping[str, Signal] = {}
        self._changed: dict[str, Signal] = {}
        self._added: dict[str, Signal] = {}
        self._tally: Counter[Facets] = Counter()
        self._reading: tuple[QTreeWidget, str] | None = None  # the row picked: its list, its id
        self._quiet = False  # rows changed by the list itself, not picked by the user
        self._policy = AlertPolicy()
        self._palette = DARK
        self._update_counts()

    def set_policy(self, policy: AlertPolicy) -> None:
        """Signals this policy does not raise are listed greyed."""
        self._policy = policy
        self._refill()

    def set_palette(self, palette: Palette) -> None:
        self._palette = palette
        self._refill()

    def _refill(self) -> None:
        """Every row written again, in the colours of the palette and policy now."""
        for item in self._items.values():
            self._fill(item, item.data(0, Qt.UserRole))
        for row in range(self.alerts.topLevelItemCount()):
            item = self.alerts.topLevelItem(row)
            self._fill(item, item.data(0, Qt.UserRole), first=item.text(0))

    def add_alerts(self, alerts: list[RaisedAlert]) -> None:
        """Put alerts at the top of the history, given newest last; the oldest rows past
        ``ALERT_ROWS`` go (the user store keeps them all)."""
        for alert in alerts:
            item = _SignalRow()
            at = datetime.fromtimestamp(alert.raised_at / 1000)
            raised = at.strftime("%Y-%m-%d %H:%M")
            self._fill(item, alert.signal, first=at.strftime("%d %b %H:%M"))
            item.setToolTip(0, f"Raised {raised} (local time); bar {signal_text.bar_time(alert.signal.known_time)} UTC")
            self.alerts.insertTopLevelItem(0, item)
        while self.alerts.topLevelItemCount() > ALERT_ROWS:
            self.alerts.takeTopLevelItem(self.alerts.topLevelItemCount() - 1)

    # -- filters ---------------------------------------------------------------------------
    def filter(self) -> SignalFilter:
        return SignalFilter(
            kind=self.kind_filter.currentData(), state=self.state_filter.currentData(),
            direction=self.direction_filter.currentData(), hide_ended=self.hide_ended.isChecked())

    def listed(self) -> list[Signal]:
        """The signals the list shows, newest first."""
        return [self.tree.topLevelItem(r).data(0, Qt.UserRole) for r in range(self.count())]

    def _update_counts(self) -> None:
        self._recount.stop()
        f = self.filter()
        every = f.counts(self._tally)
        for box, field in ((self.kind_filter, "kind"), (self.state_filter, "state"),
                           (self.direction_filter, "direction")):
            counts = every[field]
            for i in range(box.count()):
                box.setItemText(i, f"{box.itemData(i, Qt.UserRole + 1)} ({counts[box.itemData(i)]})")

    def _offer_kind(self, group: str) -> None:
        if self.kind_filter.findData(group) < 0:
            self.kind_filter.blockSignals(True)
            self.kind_filter.insertItem(self.kind_filter.count() - 1, group, group)
            self.kind_filter.setItemData(self.kind_filter.count() - 2, group, Qt.UserRole + 1)
            self.kind_filter.blockSignals(False)

    def count(self) -> int:
        return self.tree.topLevelItemCount()

    def clear_signals(self) -> None:
        """Forget every listed signal (another pair, timeframe or venue has its own);
        the alert history stays."""
        if self._reading is not None and self._reading[0] is self.tree:
            self._reading = None
        self._quiet = True
        self.tree.clear()
        self._quiet = False
        self._items.clear()
        self._found, self._tally = {}, Counter()
        self._changed.clear()
        self._added.clear()
        self._update_counts()

    def _rebuild(self) -> None:
        """List the latest state of every signal the filters let through, anew."""
        f = self.filter()
        changed = self._changed
        found = [changed.get(s.id, s) for s in where(self._found, f.keeps, also=changed)]
        listed = [sig for sig in found + list(self._added.values()) if f.passes(sig)]
        self._quiet = True
        if [sig.id for sig in listed] == list(self._items):
            # the same rows (the history found again, as every tenth of the bars kept):
            # only those whose signal changed are written again
            for sig, item in zip(listed, self._items.values()):
                if item.data(0, Qt.UserRole) != sig:
                    self._fill(item, sig)
        else:
            self.tree.clear()
            self._items.clear()
            items = []
            for sig in listed:
                item = self._items[sig.id] = _SignalRow()
                self._fill(item, sig)
                items.append(item)
            # newest first, inserted at once: one insertion per row would move every row
            self.tree.insertTopLevelItems(0, items[::-1])
        reading = self._reading
        if reading is not None and reading[0] is self.tree and reading[1] in self._items:
            self.tree.setCurrentItem(self._items[reading[1]])
        self._quiet = False
        self._update_counts()
        self._show_reading()

    def set_signals(self, latest: Mapping[str, Signal]) -> None:
        """The signals of the pair, found anew: the latest state of each, by id."""
        self._found, self._tally = latest, tally(latest)
        self._changed.clear()
        self._added.clear()
        for group in sorted({kind_group(kind) for kind, _, _ in self._tally} - {"SMT"}):
            self._offer_kind(group)
        self._rebuild()

    def show_signals(self, signals) -> None:
        """Show the latest state of every signal id among ``signals`` (events in order)."""
        f = self.filter()
        self._quiet = True
        for sig in signals:
            self._remember(sig)
            self._offer_kind(kind_group(sig.kind))
            item = self._items.get(sig.id)
            if not f.passes(sig):
                if item is not None:  # ended while hidden ones are not listed
                    del self._items[sig.id]
                    self.tree.takeTopLevelItem(self.tree.indexOfTopLevelItem(item))
                continue
            if item is None:
                item = self._items[sig.id] = _SignalRow()
                self.tree.insertTopLevelItem(0, item)
            self._fill(item, sig)
        self._quiet = False
        if signals:
            # live events come fast (a replay at 100x): recounted a moment later, once
            self._recount.start()
        self._show_reading()

    def _remember(self, sig: Signal) -> None:
        """``sig`` as the latest state of its id, counted in place of the one before."""
        if sig.id in self._added:
            before = self._added[sig.id]
            self._added[sig.id] = sig
        else:
            before = self._changed.get(sig.id) or self._found.get(sig.id)
            (self._added if before is None else self._changed)[sig.id] = sig
        if before is not None:
            self._tally[(before.kind, before.state, before.direction)] -= 1
        self._tally[(sig.kind, sig.state, sig.direction)] += 1

    def _fill(self, item: QTreeWidgetItem, sig: Signal, *, first: str | None = None) -> None:
        item.setData(0, Qt.UserRole, sig)
        item.setText(0, list_time(sig.known_time) if first is None else first)
        item.setText(1, list_title(sig))
        item.setText(2, assets_text(sig))
        item.setText(3, tags_text(sig))
        muted = sig.state in ENDED or self._policy.mutes(sig)
        p = self._palette
        colour = p.text_muted if muted else (p.up if sig.direction is Direction.BULLISH else p.down)
        item.setForeground(1, _brush(colour))
        for col in (0, 2, 3):
            item.setForeground(col, _brush(p.text_muted if muted else p.text))

    # -- the detail view -------------------------------------------------------------------
    def set_searching(self, searching: bool, *, preparing: bool = False) -> None:
        """Say that the history's signals are still being found (the charts show first),
        or that its analysis is still being ``preparing`` (the candles show first)."""
        if self.count() == 0 and self._reading is None:
            self.detail.setText(PREPARING if preparing else SEARCHING if searching else NO_SIGNAL)

    def _on_current_changed(self, item: QTreeWidgetItem | None, _previous=None) -> None:
        if self._quiet or item is None:
            return
        tree = self.tree if item.treeWidget() is self.tree else self.alerts
        self._reading = (tree, item.data(0, Qt.UserRole).id)
        self.detail.setText(signal_text.detail(item.data(0, Qt.UserRole)))

    def _show_reading(self) -> None:
        """The row the user picked, in its latest state; the newest row until one is picked."""
        if self._reading is None:
            item = self.tree.topLevelItem(0)
        elif self._reading[0] is self.tree:
            item = self._items.get(self._reading[1])
        else:
            return  # an alert row: the alert as it was raised, which does not change
        if item is not None:
            self.detail.setText(signal_text.detail(item.data(0, Qt.UserRole)))

    def _on_item_activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        self._on_current_changed(item)
        self.signal_activated.emit(item.data(0, Qt.UserRole))
