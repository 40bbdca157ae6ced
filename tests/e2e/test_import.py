"""File → Import candles…: two CSV files in, the pair charted from them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog, QMessageBox

from smtdesk.ui.import_dialog import ImportDialog

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "fixtures"
BTC, ETH = "BTC/USDT:USDT", "ETH/USDT:USDT"


def menu_action(win, menu_title: str, text: str):
    menu = next(a.menu() for a in win.menuBar().actions() if a.text().replace("&", "") == menu_title)
    return next(a for a in menu.actions() if a.text().replace("&", "").startswith(text))


def modal(qtbot, kind):
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), kind), timeout=5_000)
    return QApplication.activeModalWidget()


def import_file(qtbot, win, path: Path, symbol: str) -> ImportDialog:
    menu_action(win, "File", "Import candles").trigger()
    files = modal(qtbot, QFileDialog)
    files.selectFile(str(path))  # the file dialog answered with a path
    files.accept()
    dialog = modal(qtbot, ImportDialog)
    assert dialog.symbol.currentText() == symbol, "the file's name says which symbol it is"
    assert dialog.timeframe.currentText() == "1h"
    QTest.mouseClick(dialog.buttons.button(QDialogButtonBox.Ok), Qt.LeftButton)
    return dialog


def test_two_imported_files_are_charted_as_a_pair(app, qtbot, artifacts):
    win = app.open()
    import_file(qtbot, win, FIXTURES / "BTCUSDT_1h.csv", BTC)
    qtbot.waitUntil(lambda: "Imported 1200 BTC/USDT:USDT 1h candles" in win.statusBar().currentMessage(),
                    timeout=10_000)
    assert "Import a second symbol" in win.statusBar().currentMessage()
    assert win.worker.source.name == "demo", "one file is not a pair yet"

    import_file(qtbot, win, FIXTURES / "ETHUSDT_1h.csv", ETH)
    qtbot.waitUntil(lambda: win.worker.source.name == "imported" and win.left.analysis is not None
                    and len(win.left.analysis.candles) == 1200, timeout=20_000)
    expected = np.loadtxt(FIXTURES / "BTCUSDT_1h.csv", delimiter=",", skiprows=1)
    np.testing.assert_array_equal(win.left.analysis.candles.time, expected[:, 0].astype(np.int64))
    np.testing.assert_array_equal(win.left.analysis.candles.close, expected[:, 4])
    assert win.right.analysis.symbol == ETH and len(win.right.analysis.candles) == 1200
    assert win.pickers.venue.currentData() == "imported"
    qtbot.waitUntil(lambda: "no live data" in win.source_label.text(), timeout=10_000)
    win.grab().save(str(artifacts / "imported_pair.png"))


def test_a_bad_file_is_refused_whole_with_its_lines_named(app, qtbot, tmp_path):
    win = app.open()
    rows = (FIXTURES / "ETHUSDT_1h.csv").read_text().splitlines()[:30]
    rows[7] = rows[7].replace(",", ",x", 1)  # line 8 of the file: a time that is not a number
    bad = tmp_path / "ETHUSDT_1h.csv"
    bad.write_text("\n".join(rows) + "\n")
    import_file(qtbot, win, bad, ETH)
    box = modal(qtbot, QMessageBox)
    assert "nothing was imported" in box.text() and "line 8" in box.text()
    box.accept()
    assert win.worker.store.series("imported") == [], "nothing partial is stored"
