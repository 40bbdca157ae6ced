"""The trade journal as a trader keeps it: click a confirmed SMT signal, Ctrl+J, edit the
prefilled plan and write a note, keep it; find it after a restart, filter it, export it,
and see it beside the engine's trades in the statistics."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog

from smtdesk.core.journal import Result
from smtdesk.ui.journal import JournalEntryDialog
from tests.e2e.test_smt_drawing import click_signal, plain_confirmed
from tests.ui.probes import group_figure


def journal_dialog(win, qtbot) -> JournalEntryDialog:
    QTest.keyClick(win, Qt.Key_J, Qt.ControlModifier)
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), JournalEntryDialog), timeout=5_000)
    return QApplication.activeModalWidget()


def test_journal_a_signal_then_find_it_after_a_restart(app, qtbot, tmp_path, monkeypatch):
    win = app.open()
    sig = click_signal(qtbot, win, plain_confirmed)
    dialog = journal_dialog(win, qtbot)
    plan = sig.plan
    assert dialog.entry_price.value() == round(plan.entry, 6)
    assert dialog.stop.value() == round(plan.stop, 6) and dialog.target.value() == round(plan.target, 6)
    assert dialog.size.value() == round(plan.position_size, 6)
    dialog.notes.setFocus()
    QTest.keyClicks(dialog.notes, "Swept the Asian high, waited for the MSS retest.")
    QTest.mouseClick(dialog.buttons.button(QDialogButtonBox.Ok), Qt.LeftButton)
    qtbot.waitUntil(lambda: win.journal.isVisible() and win.journal.table.rowCount() == 1, timeout=10_000)
    [kept] = win.journal.entries
    assert kept.signal_id == sig.id and kept.symbol == sig.assets[-1]
    assert kept.notes == "Swept the Asian high, waited for the MSS retest."
    assert len(kept.screenshots) == 2 and all(Path(p).stat().st_size > 10_000 for p in kept.screenshots)
    # the demo's candles went on past the signal: the result came off them unless still open
    assert kept.result in (Result.OPEN, Result.WON, Result.LOST)
    app.close(win)

    win = app.open()
    win.journal_action.trigger()
    qtbot.waitUntil(lambda: win.journal.table.rowCount() == 1, timeout=10_000)
    [again] = win.journal.entries
    assert again.id == kept.id and again.notes == kept.notes and again.entry == kept.entry
    assert win.journal.table.item(0, 9).text().startswith("Swept the Asian high")

    # the filters count what they let through
    side = win.journal.side_filter
    side.setCurrentIndex(side.findData(not again.long))
    assert win.journal.table.rowCount() == 0 and win.journal.count.text() == "0 of 1 trades"
    side.setCurrentIndex(side.findData(again.long))
    assert win.journal.table.rowCount() == 1

    out = tmp_path / "journal.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "CSV files (*.csv)"))
    QTest.mouseClick(win.journal.export_button, Qt.LeftButton)
    [row] = list(csv.DictReader(out.open()))
    assert row["signal_id"] == sig.id and float(row["entry"]) == again.entry
    assert row["notes"] == again.notes


def test_a_trade_closed_by_hand_counts_in_the_statistics_beside_the_engines(app, qtbot, artifacts):
    win = app.open()
    sig = click_signal(qtbot, win, plain_confirmed)
    dialog = journal_dialog(win, qtbot)
    dialog.result_box.setCurrentIndex(dialog.result_box.findData(Result.SCRATCHED.value))
    plan = sig.plan
    exit_price = plan.entry + (plan.target - plan.entry) / 2  # half way to the target
    dialog.exit_price.setValue(exit_price)
    QTest.mouseClick(dialog.buttons.button(QDialogButtonBox.Ok), Qt.LeftButton)
    qtbot.waitUntil(lambda: win.journal.table.rowCount() == 1, timeout=10_000)
    [kept] = win.journal.entries
    assert kept.result is Result.SCRATCHED and not kept.from_candles
    # the dialog keeps six decimals of each price
    assert kept.r == pytest.approx((exit_price - plan.entry) / (plan.entry - plan.stop), rel=1e-6)

    win.statistics_action.trigger()
    qtbot.waitUntil(lambda: win.statistics.report is not None
                    and any(g.name == "Journaled" for g in win.statistics.report.groups), timeout=30_000)
    assert group_figure(win.statistics, "Signals", "Journaled") == "1"
    assert group_figure(win.statistics, "Won", "Journaled") == "1"
    win.journal.raise_()
    win.grab().save(str(artifacts / "journal.png"))


def test_journal_with_no_signal_clicked_says_what_to_do(app, qtbot):
    win = app.open()
    QTest.keyClick(win, Qt.Key_J, Qt.ControlModifier)
    assert "Click a confirmed SMT signal" in win.statusBar().currentMessage()
    assert QApplication.activeModalWidget() is None
