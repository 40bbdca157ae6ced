"""SMT outcome statistics reached as a user does: the View menu, a click on a trade,
"Export…" answered with a file name."""

from __future__ import annotations

import csv

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog, QSpinBox

from smtdesk.core.candles import Candles
from smtdesk.core.pair_model import PairModel
from smtdesk.core.signal import State
from smtdesk.core.smt.outcome_stats import outcome_report
from smtdesk.core.smt.outcomes import Outcome
from smtdesk.ui.settings_dialog import SettingsDialog
from tests.e2e.test_import import BTC, ETH, import_file
from tests.ui.probes import group_figure, trade_marks


def view_action(win, title: str):
    menus = {a.text().replace("&", ""): a.menu() for a in win.menuBar().actions()}
    return next(a for a in menus["View"].actions() if a.text().replace("&", "") == title)


def open_statistics(qtbot, win):
    view_action(win, "SMT statistics…").trigger()
    dock = win.statistics
    qtbot.waitUntil(lambda: dock.report is not None, timeout=60_000)
    return dock


def click_tab(dock, index: int) -> None:
    bar = dock.tabs.tabBar()
    QTest.mouseClick(bar, Qt.LeftButton, pos=bar.tabRect(index).center())


def click_row(table, row: int) -> None:
    table.scrollToItem(table.item(row, 1))
    rect = table.visualRect(table.model().index(row, 1))
    QTest.mouseClick(table.viewport(), Qt.LeftButton, pos=rect.center())


def test_statistics_table_counts_the_confirmed_signals(app, qtbot, artifacts):
    win = app.open()
    win.resize(1600, 1000)
    dock = open_statistics(qtbot, win)
    assert dock.isVisible()
    sidebar = win.sidebar
    sidebar.state_filter.setCurrentIndex(sidebar.state_filter.findData(State.CONFIRMED.value))
    confirmed = sidebar.listed()  # the SMT signals in the confirmed state
    assert {(s.kind, s.state) for s in confirmed} == {("smt", State.CONFIRMED)}
    shown = int(group_figure(dock, "Signals", "All"))
    assert shown == len(confirmed) > 0
    assert int(group_figure(dock, "Signals", "Bullish")) + int(group_figure(dock, "Signals", "Bearish")) == shown
    outcomes = ("Won", "Lost", "Open", "Not filled", "No target")
    assert sum(int(group_figure(dock, row, "All")) for row in outcomes) == shown
    assert dock.trades.rowCount() == shown
    win.grab().save(str(artifacts / "smt_statistics.png"))
    win.light_action.trigger()
    qtbot.wait(200)  # the new palette reaches every widget through the event loop
    win.grab().save(str(artifacts / "smt_statistics_light.png"))


def test_clicking_a_trade_brings_both_charts_to_it(app, qtbot, artifacts):
    win = app.open()
    win.resize(1600, 1000)
    dock = open_statistics(qtbot, win)
    click_tab(dock, 1)
    trades = [dock.trade_at(r) for r in range(dock.trades.rowCount())]
    # the oldest closed trade: far left of the newest bars the charts open on
    row = next(r for r, t in enumerate(trades) if t.outcome in (Outcome.WON, Outcome.LOST))
    trade = trades[row]
    x0, _ = win.left.price.visible_x()
    assert trade.exit_time / 1000 < x0
    click_row(dock.trades, row)
    for chart in (win.left, win.right):
        lo, hi = chart.price.visible_x()
        assert lo <= trade.signal.known_time / 1000 and trade.exit_time / 1000 <= hi
        assert hi - lo < 400 * chart.bar_seconds
    traded = win.left if win.left.analysis.symbol == trade.signal.assets[-1] else win.right
    other = win.right if traded is win.left else win.left
    assert trade_marks(traded) == [(trade.fill_time / 1000, trade.fill_price), (trade.exit_time / 1000, trade.exit_price)]
    assert trade_marks(other) == []
    win.grab().save(str(artifacts / "smt_statistics_trade.png"))


def test_export_writes_the_trades_to_csv(app, qtbot, tmp_path, monkeypatch):
    win = app.open()
    dock = open_statistics(qtbot, win)
    target = tmp_path / "trades.csv"
    asked = []

    def answer(parent, caption, name, filters):
        asked.append(name)
        return str(target), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", answer)
    QTest.mouseClick(dock.export_button, Qt.LeftButton)
    assert asked and asked[0].endswith("_1h.csv")
    with open(target, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    trades = dock.report.trades
    assert len(rows) == len(trades) > 0
    for row, t in zip(rows, trades):
        assert row["signal_id"] == t.signal.id
        assert row["outcome"] == t.outcome.value
        assert float(row["entry"]) == t.signal.plan.entry
        if t.closed:
            assert float(row["r_multiple"]) == t.r
            assert float(row["exit_price"]) in (t.signal.plan.stop, t.signal.plan.target)
        else:
            assert row["r_multiple"] == "" and row["exit_time_utc"] == ""


def test_a_shorter_entry_wait_in_the_settings_fills_fewer(app, qtbot):
    win = app.open()
    dock = open_statistics(qtbot, win)
    before = {row: int(group_figure(dock, row, "All")) for row in ("Filled", "Not filled")}
    menu = next(a.menu() for a in win.menuBar().actions() if a.text() == "&Edit")
    next(a for a in menu.actions() if a.text() == "&Settings…").trigger()
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), SettingsDialog))
    dialog = QApplication.activeModalWidget()
    dialog.tabs.setCurrentIndex(1)
    spin = dialog.findChild(QSpinBox, "smt.entry_wait")
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, "2")
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.Ok), Qt.LeftButton)
    qtbot.waitUntil(lambda: dock.report.fill_bars == 2, timeout=30_000)
    assert "entry waits 2 bars" in dock.headline.text()
    after = {row: int(group_figure(dock, row, "All")) for row in ("Filled", "Not filled")}
    assert after["Not filled"] > before["Not filled"] and after["Filled"] < before["Filled"]
    assert win.settings.smt.entry_wait == 2


def test_statistics_of_the_recorded_btc_eth_hours(app, qtbot, shared_data, artifacts):
    """The recorded BTC/ETH 1h perpetual candles imported through the File menu: the dock
    reports what the pair model and the outcome rules make of the same files directly."""
    perp = shared_data / "candles" / "binance_usdm_perp"
    win = app.open()
    win.resize(1600, 1000)
    for name, symbol in (("BTCUSDT", BTC), ("ETHUSDT", ETH)):
        import_file(qtbot, win, perp / f"{name}_1h.csv", symbol)
        qtbot.waitUntil(lambda s=symbol: f"{s} 1h candles" in win.statusBar().currentMessage(), timeout=30_000)
    a, b = (Candles.from_rows(np.loadtxt(perp / f"{n}_1h.csv", delimiter=",", skiprows=1)) for n in ("BTCUSDT", "ETHUSDT"))
    qtbot.waitUntil(lambda: win.worker.source.name == "imported" and win.left.analysis is not None
                    and len(win.left.analysis.candles) == len(a), timeout=120_000)
    model = PairModel((BTC, ETH), "1h")
    model.load(a, b)
    direct = outcome_report(model.detect().snapshot, fill_bars=20)
    dock = open_statistics(qtbot, win)
    # the demo's report may come first; then the imported pair's, the same as found directly
    qtbot.waitUntil(lambda: dock.report.groups == direct.groups, timeout=120_000)
    assert [t.outcome for t in dock.report.trades] == [t.outcome for t in direct.trades]
    assert int(group_figure(dock, "Signals", "All")) == direct.groups[0].signals > 50
    win.grab().save(str(artifacts / "smt_statistics_btc_eth_1h.png"))


def test_the_open_statistics_come_back_after_a_restart(app, qtbot):
    win = app.open()
    open_statistics(qtbot, win)
    app.close(win)
    win = app.open()
    qtbot.waitUntil(lambda: win.statistics.report is not None, timeout=60_000)
    assert win.statistics.isVisible()
    assert int(group_figure(win.statistics, "Signals", "All")) > 0
