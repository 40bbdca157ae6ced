"""File → Import candles…: which file, and which series its candles are."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QWidget,
)

from smtdesk.core.candles import TIMEFRAMES

CSV_FILTER = "Candle files (*.csv *.txt);;All files (*)"


def pick_candle_file(parent: QWidget, folder: str = "") -> QFileDialog:
    """The file dialog, open; its ``fileSelected`` gives the path picked."""
    dialog = QFileDialog(parent, "Import candles from a CSV file", folder, CSV_FILTER)
    dialog.setFileMode(QFileDialog.ExistingFile)
    dialog.setObjectName("import_file_dialog")
    dialog.open()
    return dialog


class ImportDialog(QDialog):
    """The symbol and timeframe of the candles in ``path``, before they are imported."""

    def __init__(self, path: Path, symbols: tuple[str, ...], *, symbol: str, timeframe: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import candles")
        self.path = path
        self.symbol = QComboBox(editable=True)
        self.symbol.addItems(list(dict.fromkeys(symbols)))
        self.symbol.setCurrentText(symbol)
        self.symbol.setToolTip("The perpetual these candles are of, e.g. BTC/USDT:USDT")
        self.timeframe = QComboBox()
        self.timeframe.addItems(TIMEFRAMES)
        self.timeframe.setCurrentText(timeframe)
        note = QLabel("Header names (time, open, high, low, close, volume and aliases), exchange "
                      "kline dumps without a header, and times in s, ms, µs or ISO are read. "
                      "A file with any bad line is refused whole, with the lines named.")
        note.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("File", QLabel(path.name))
        form.addRow("Symbol", self.symbol)
        form.addRow("Timeframe", self.timeframe)
        form.addRow(note)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("Import")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.buttons = buttons

    def choice(self) -> tuple[str, str]:
        return self.symbol.currentText().strip(), self.timeframe.currentText()
