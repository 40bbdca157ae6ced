"""The signal sidebar as a trader uses it: filters with counts, ended signals hidden until
asked for, the detail view on the row picked while new signals come, Export signals…"""

from __future__ import annotations

import csv
import re

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog

from smtdesk.core.signal import State
from smtdesk.ui import signal_text
from tests.ui.probes import alert_count, visible_count


def pick(qtbot, combo, index: int) -> None:
    """Open ``combo``'s list and choose row ``index`` with the keys, as a user does."""
    QTest.mouseClick(combo, Qt.LeftButton)
    view = combo.view()
    qtbot.waitUntil(view.isVisible, timeout=3_000)
    key = Qt.Key_Down if index > combo.currentIndex() else Qt.Key_Up
    for _ in range(abs(index - combo.currentIndex())):
        QTest.keyClick(view, key)
    QTest.keyClick(view, Qt.Key_Return)
    qtbot.waitUntil(lambda: combo.currentIndex() == index, timeout=3_000)


def said_count(combo, index: int) -> int:
    return int(re.search(r"\((\d+)\)$", combo.itemText(index)).group(1))


def listed(win) -> list:
    tree = win.sidebar.tree
    return [tree.topLevelItem(r).data(0, Qt.UserRole) for r in range(tree.topLevelItemCount())
            if not tree.topLevelItem(r).isHidden()]


def test_each_filter_lists_as_many_rows_as_its_count_says(app, qtbot):
    win = app.open()
    side = win.sidebar
    assert side.hide_ended.isChecked(), "ended signals hidden by default"
    assert not any(s.state in (State.CANCELLED, State.INVALIDATED) for s in listed(win))
    assert visible_count(side) == said_count(side.kind_filter, side.kind_filter.currentIndex())
    pick(qtbot, side.kind_filter, side.kind_filter.count() - 1)  # all kinds
    everything = visible_count(side)
    assert everything == said_count(side.kind_filter, side.kind_filter.currentIndex())
    seen = set()
    for combo in (side.state_filter, side.direction_filter):
        for index in range(1, combo.count()):
            expected = said_count(combo, index)
            pick(qtbot, combo, index)
            assert visible_count(side) == expected, combo.itemText(index)
            seen.add(expected)
        pick(qtbot, combo, 0)
        assert visible_count(side) == everything
    assert len(seen) > 2, "the filters do tell the signals apart"
    ended = []
    side.hide_ended_changed.connect(ended.append)
    QTest.mouseClick(side.hide_ended, Qt.LeftButton, pos=QPoint(8, side.hide_ended.height() // 2))
    assert ended == [False]
    shown = listed(win)
    assert visible_count(side) > everything
    assert any(s.state in (State.CANCELLED, State.INVALIDATED) for s in shown)
    index = side.state_filter.findData(State.CANCELLED.value)
    expected = said_count(side.state_filter, index)
    pick(qtbot, side.state_filter, index)
    assert visible_count(side) == expected > 0
    assert {s.state for s in listed(win)} == {State.CANCELLED}


def test_the_columns_fit_a_1366_wide_window(app, qtbot):
    win = app.open()
    win.resize(1366, 768)
    qtbot.wait(100)
    tree = win.sidebar.tree
    assert tree.headerItem().text(0) == "Known" and tree.headerItem().text(3) == "Tags"
    assert [tree.headerItem().text(c) for c in range(4)] == ["Known", "Signal", "Assets", "Tags"]
    assert tree.header().length() <= tree.viewport().width(), "no sideways scrolling"
    metrics = tree.fontMetrics()
    row = tree.topLevelItem(0)
    for column in (0, 2):  # the time and the assets are read whole
        assert metrics.horizontalAdvance(row.text(column)) + 8 <= tree.columnWidth(column), row.text(column)


def test_the_detail_view_keeps_the_row_picked_in_either_list_while_signals_arrive(app, qtbot):
    win = app.open("--replay-seconds", "0.05")
    side, tree = win.sidebar, win.sidebar.tree
    arrived = []
    win.worker.events.connect(lambda events: arrived.append(events.signals))
    qtbot.waitUntil(lambda: alert_count(side) >= 1, timeout=60_000)
    QTest.mouseClick(side.tabs.tabBar(), Qt.LeftButton, pos=side.tabs.tabBar().tabRect(1).center())
    alerts = side.alerts
    row = alerts.topLevelItem(alerts.topLevelItemCount() - 1)  # the oldest alert
    alerted = row.data(0, Qt.UserRole)
    QTest.mouseClick(alerts.viewport(), Qt.LeftButton, pos=alerts.visualItemRect(row).center())
    reading = side.detail.text()
    assert signal_text.title(alerted) in reading
    n = len(arrived)
    qtbot.waitUntil(lambda: len(arrived) >= n + 3, timeout=60_000)
    assert side.detail.text() == reading, "no jump to the newest signal while an alert is read"

    QTest.mouseClick(side.tabs.tabBar(), Qt.LeftButton, pos=side.tabs.tabBar().tabRect(0).center())
    item = tree.topLevelItem(5)
    sig = item.data(0, Qt.UserRole)
    QTest.mouseClick(tree.viewport(), Qt.LeftButton, pos=tree.visualItemRect(item).center())
    n = len(arrived)
    qtbot.waitUntil(lambda: len(arrived) >= n + 3, timeout=60_000)
    assert f"Known at close of</td><td>{signal_text.bar_time(sig.known_time)} UTC" in side.detail.text()
    assert signal_text.title(sig) in side.detail.text()


def test_export_signals_writes_the_listed_signals_to_a_csv_file(app, qtbot, tmp_path):
    win = app.open()
    shown = listed(win)
    QTest.mouseClick(win.sidebar.export_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), QFileDialog), timeout=5_000)
    files = QApplication.activeModalWidget()
    assert files.acceptMode() == QFileDialog.AcceptSave
    assert files.selectedFiles()[0].endswith("signals-BTC-ETH-1h.csv"), "a name that says what it holds"
    target = tmp_path / "exported.csv"
    files.selectFile(str(target))
    files.accept()
    qtbot.waitUntil(target.exists, timeout=5_000)
    with open(target, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["id"] for r in rows] == [s.id for s in shown]
    first = shown[0]
    assert rows[0]["state"] == first.state.value and rows[0]["kind"] == first.kind
    assert rows[0]["known_time_utc"] == signal_text.bar_time(first.known_time)
    with_plan = next(i for i, s in enumerate(shown) if s.plan is not None)
    assert float(rows[with_plan]["entry"]) == shown[with_plan].plan.entry
    assert f"{len(shown)} signals written to" in win.statusBar().currentMessage()
    file_menu = next(a.menu() for a in win.menuBar().actions() if a.text() == "&File")
    assert win.export_action in file_menu.actions(), "File → Export signals… too"
