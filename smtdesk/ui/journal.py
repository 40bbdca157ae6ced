"""The trade journal: "Journal this trade" from a confirmed SMT signal (the plan's numbers
prefilled, both charts captured), and a dock listing the journaled trades with filters,
editing and CSV export. Results are read off the candles by the worker when price reaches a
trade's stop or target; the trader can also close one by hand.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from smtdesk.core.journal import JournalEntry, Result
from smtdesk.core.signal import Direction, Signal as SignalEvent
from smtdesk.data.trade_export import write_journal_csv
from smtdesk.ui.signal_text import bar_time


def entry_from(sig: SignalEvent, venue: str, timeframe: str) -> JournalEntry:
    """A new journal entry with the signal's plan as it stands."""
    plan = sig.plan
    return JournalEntry(
        signal_id=sig.id, venue=venue, symbol=sig.assets[-1], timeframe=timeframe,
        long=plan.direction is Direction.BULLISH, signal_time=sig.known_time, entry=plan.entry,
        stop=plan.stop, target=plan.target, size=plan.position_size,
    )


def _spin(value: float, decimals: int) -> QDoubleSpinBox:
    box = QDoubleSpinBox(decimals=decimals, maximum=1e12, minimum=0.0)
    box.setValue(value if math.isfinite(value) else 0.0)
    return box


class JournalEntryDialog(QDialog):
    """One journaled trade's numbers, notes and result, to edit."""

    def __init__(self, entry: JournalEntry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._entry = entry
        side = "Long" if entry.long else "Short"
        self.setWindowTitle(f"Journal: {side} {entry.symbol.split(':')[0]} {entry.timeframe}")
        form = QFormLayout()
        form.addRow("Signal", QLabel(f"{bar_time(entry.signal_time)} UTC · {entry.venue}"))
        self.entry_price, self.stop, self.target = (_spin(v, 6) for v in (entry.entry, entry.stop, entry.target))
        self.size = _spin(entry.size, 6)
        for name, box in (("entry", self.entry_price), ("stop", self.stop), ("target", self.target), ("size", self.size)):
            box.setObjectName(f"journal_{name}")
        form.addRow("Entry", self.entry_price)
        form.addRow("Stop", self.stop)
        form.addRow("Target", self.target)
        form.addRow("Size", self.size)
        self.result_box = QComboBox(objectName="journal_result")
        for r in Result:
            self.result_box.addItem(r.value.capitalize(), r.value)
        self.result_box.setCurrentIndex(list(Result).index(entry.result))
        form.addRow("Result", self.result_box)
        self.exit_price = _spin(entry.exit_price or 0.0, 6)
        self.exit_price.setObjectName("journal_exit")
        form.addRow("Exit price", self.exit_price)
        self.notes = QPlainTextEdit(entry.notes, objectName="journal_notes")
        self.notes.setPlaceholderText("Why you took it, how you managed it, what you learned")
        form.addRow("Notes", self.notes)
        if entry.screenshots:
            form.addRow("Screenshots", QLabel("\n".join(Path(p).name for p in entry.screenshots)))
        self.problem = QLabel(objectName="journal_problem")
        self.problem.setStyleSheet("color: #ef5350")
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.result_box.currentIndexChanged.connect(self._enable_exit)
        self._enable_exit()

    def _enable_exit(self) -> None:
        self.exit_price.setEnabled(self.chosen() is not Result.OPEN)

    def chosen(self) -> Result:
        return Result(self.result_box.currentData())

    def entry(self) -> JournalEntry:
        result = self.chosen()
        exit_price = None if result is Result.OPEN else self.exit_price.value()
        # a result set by hand is the trader's; one the candles gave stays theirs
        by_hand = result is not self._entry.result or exit_price != self._entry.exit_price
        return replace(
            self._entry, entry=self.entry_price.value(), stop=self.stop.value(),
            target=self.target.value(), size=self.size.value(), notes=self.notes.toPlainText(),
            result=result, exit_price=exit_price,
            exit_time=None if result is Result.OPEN else self._entry.exit_time,
            from_candles=self._entry.from_candles and not by_hand,
        )

    def _accept(self) -> None:
        e = self.entry()
        sign = 1.0 if e.long else -1.0
        if not sign * (e.entry - e.stop) > 0:
            self.problem.setText("The stop must be on the risk side of the entry "
                                 f"({'below' if e.long else 'above'} it for a {'long' if e.long else 'short'}).")
            return
        if e.result is not Result.OPEN and e.exit_price <= 0:
            self.problem.setText("A closed trade needs its exit price.")
            return
        self.accept()


COLUMNS = ("Signal (UTC)", "Traded", "Side", "Entry", "Stop", "Target", "Size", "Result", "R", "Notes")


class JournalDock(QDockWidget):
    """The journaled trades, newest first, with filters, editing and export."""

    edit_requested = Signal(object)
    """A journaled trade to edit (double-click or Edit…)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Trade journal", parent)
        self.setObjectName("journal_dock")
        self.entries: list[JournalEntry] = []
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        bar = QHBoxLayout()
        self.result_filter = QComboBox(objectName="journal_result_filter")
        self.result_filter.addItem("All results", None)
        for r in Result:
            self.result_filter.addItem(r.value.capitalize(), r.value)
        self.side_filter = QComboBox(objectName="journal_side_filter")
        for text, value in (("Both sides", None), ("Long", True), ("Short", False)):
            self.side_filter.addItem(text, value)
        self.edit_button = QPushButton("Edit…")
        self.export_button = QPushButton("Export…")
        self.count = QLabel()
        for w in (self.result_filter, self.side_filter, self.count):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.edit_button)
        bar.addWidget(self.export_button)
        layout.addLayout(bar)
        self.table = QTableWidget(0, len(COLUMNS), objectName="journal_table")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table)
        self.setWidget(body)
        self.result_filter.currentIndexChanged.connect(self._fill)
        self.side_filter.currentIndexChanged.connect(self._fill)
        self.table.cellDoubleClicked.connect(lambda row, _col: self._edit_row(row))
        self.edit_button.clicked.connect(lambda: self._edit_row(self.table.currentRow()))
        self.export_button.clicked.connect(self.export)

    def set_entries(self, entries: list[JournalEntry]) -> None:
        self.entries = list(entries)
        self._fill()

    def shown(self) -> list[JournalEntry]:
        """The entries the filters let through, in the table's order."""
        result, side = self.result_filter.currentData(), self.side_filter.currentData()
        return [e for e in self.entries
                if (result is None or e.result == result) and (side is None or e.long is side)]

    def _fill(self) -> None:
        rows = self.shown()
        self.table.setRowCount(len(rows))
        for i, e in enumerate(rows):
            r = e.r
            result = e.result.value + (" (candles)" if e.from_candles else "")
            cells = (bar_time(e.signal_time), e.symbol.split(":")[0], "Long" if e.long else "Short",
                     f"{e.entry:,.2f}", f"{e.stop:,.2f}", f"{e.target:,.2f}", f"{e.size:,.4g}", result,
                     "" if r is None else f"{r:+.2f}", e.notes.splitlines()[0] if e.notes else "")
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if 3 <= j <= 8:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                self.table.setItem(i, j, item)
        self.count.setText(f"{len(rows)} of {len(self.entries)} trades")

    def _edit_row(self, row: int) -> None:
        rows = self.shown()
        if 0 <= row < len(rows):
            self.edit_requested.emit(rows[row])

    def export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export the journal", "journal.csv", "CSV files (*.csv)")
        if path:
            write_journal_csv(Path(path), self.shown())


def when_done(task: asyncio.Future, then, failed) -> None:
    """Call ``then(result)`` once ``task`` ends well, else ``failed(why)``."""
    def done(t: asyncio.Future) -> None:
        if t.cancelled():
            return
        if t.exception() is not None:
            failed(f"The journal could not be kept: {t.exception()}")
        else:
            then(t.result())
    task.add_done_callback(done)
