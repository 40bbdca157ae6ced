"""Venue, symbol pair and timeframe pickers: a change asks to reload both charts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from PySide6.QtCore import Signal as QtSignal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QToolButton, QWidget

from smtdesk.core.candles import TIMEFRAMES


class Pickers(QWidget):
    """Emits ``selection_requested(venue, (symbol_a, symbol_b), timeframe)``.

    ``set_selection`` reflects what the charts show without asking for a reload, so a
    rejected pick snaps back to the choice still on screen.
    """

    selection_requested = QtSignal(str, tuple, str)

    def __init__(self, venues: Mapping[str, str], parent=None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.setSpacing(6)
        self.venue = QComboBox()
        for key, label in venues.items():
            self.venue.addItem(label, key)
        self.venue.setToolTip("Market data venue")
        self.symbols = (QComboBox(), QComboBox())
        for box, tip in zip(self.symbols, ("Left chart symbol", "Right chart symbol")):
            box.setEditable(True)
            box.setMinimumContentsLength(14)
            box.setInsertPolicy(QComboBox.NoInsert)
            box.setToolTip(f"{tip} (type to search)")
        layout.addWidget(self.venue)
        layout.addWidget(self.symbols[0])
        layout.addWidget(QLabel("vs"))
        layout.addWidget(self.symbols[1])
        self.timeframe_group = QActionGroup(self)
        self.timeframe_group.setExclusive(True)
        self.timeframe_buttons: dict[str, QToolButton] = {}
        for tf in TIMEFRAMES:
            action = QAction(tf, self, checkable=True)
            action.setData(tf)
            action.setToolTip(f"{tf} candles")
            self.timeframe_group.addAction(action)
            button = QToolButton()
            button.setDefaultAction(action)
            button.setAutoRaise(True)
            layout.addWidget(button)
            self.timeframe_buttons[tf] = button
        self._current: tuple[str, tuple[str, str], str] | None = None
        self._requested: tuple[str, tuple[str, str], str] | None = None
        self._quiet = False
        self.venue.activated.connect(self._request)
        for box in self.symbols:
            box.activated.connect(self._request)
            box.lineEdit().returnPressed.connect(self._request)
        self.timeframe_group.triggered.connect(self._request)

    def set_symbols(self, symbols: Iterable[str]) -> None:
        self._quiet = True
        for box in self.symbols:
            text = box.currentText()
            box.clear()
            box.addItems(list(symbols))
            box.setCurrentText(text)
        self._quiet = False

    def set_selection(self, venue: str, symbols: tuple[str, str], timeframe: str) -> None:
        self._quiet = True
        i = self.venue.findData(venue)
        if i >= 0:
            self.venue.setCurrentIndex(i)
        for box, symbol in zip(self.symbols, symbols):
            if box.findText(symbol) < 0:
                box.addItem(symbol)
            box.setCurrentText(symbol)
        for action in self.timeframe_group.actions():
            action.setChecked(action.data() == timeframe)
        self._current = (venue, tuple(symbols), timeframe)
        self._requested = None
        self._quiet = False

    def selection(self) -> tuple[str, tuple[str, str], str]:
        checked = self.timeframe_group.checkedAction()
        timeframe = checked.data() if checked is not None else ""
        return self.venue.currentData(), (self.symbols[0].currentText().strip(), self.symbols[1].currentText().strip()), timeframe

    def _request(self, *_args) -> None:
        if self._quiet:
            return
        wanted = self.selection()
        venue, (a, b), timeframe = wanted
        if a == b and self._current is not None and a in self._current[1]:
            # the other chart's symbol picked: the two charts swap
            wanted = (venue, self._current[1][::-1], timeframe)
            self._quiet = True
            for box, symbol in zip(self.symbols, wanted[1]):
                box.setCurrentText(symbol)
            self._quiet = False
        # Return on a listed symbol comes as both returnPressed and activated: ask once.
        if wanted in (self._current, self._requested) or not all(wanted[1]):
            return
        self._requested = wanted
        self.selection_requested.emit(*wanted)
