"""Hand-placed swings, as a user places them: right-click a candle, drag the marker, restart."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu

from smtdesk.core.pair_model import PairModel
from smtdesk.core.structure.swings import ManualSwing
from smtdesk.ui.manual_swings import SNAP_BARS
from tests.ui.drive import drag
from tests.ui.probes import signal_at


def view_point(chart, x: float, y: float) -> QPoint:
    scene = chart.price.vb.mapViewToScene(QPointF(x, y))
    return chart.price.mapFromScene(scene)


def right_click_menu(chart, qtbot, x: float, y: float) -> QMenu:
    QTest.mouseClick(chart.price.viewport(), Qt.RightButton, pos=view_point(chart, x, y))
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu), timeout=3000)
    return QApplication.activePopupWidget()


def choose(menu: QMenu, text: str) -> None:
    action = next(a for a in menu.actions() if a.text().startswith(text))
    QTest.mouseClick(menu, Qt.LeftButton, pos=menu.actionGeometry(action).center())
    QApplication.processEvents()


def smt_states(win) -> set[tuple[str, str]]:
    return {(s.id, s.state.value) for s in win.worker._model._snapshot().signals if s.kind == "smt"}


def listed(win) -> set[str]:
    return {signal_at(win.sidebar, r).id for r in range(win.sidebar.count())}


def wait_for_revision(qtbot, win, before: int) -> None:
    qtbot.waitUntil(lambda: win._revision is not None and win._revision > before, timeout=20_000)


def a_bar_that_changes_the_smt_signals(win) -> int:
    """A recent bar, not an automatic swing high, where a hand-placed swing high changes
    the pair's SMT signals (found with a pair model of its own over the same candles)."""
    left, right = (chart.analysis for chart in (win.left, win.right))
    model = PairModel((left.symbol, right.symbol), "1h")
    model.load(left.candles, right.candles)
    before = {(s.id, s.state) for s in model.detect().snapshot.signals if s.kind == "smt"}
    c = left.candles
    for i in range(len(c) - 60, len(c) - 600, -1):
        if c.high[i] < c.high[i - 3 : i + 4].max() or i in left.swings.high_idx:
            continue
        after = model.set_manual(left.symbol, [ManualSwing(int(c.time[i]), "high")]).snapshot.signals
        if {(s.id, s.state) for s in after if s.kind == "smt"} != before:
            return i
    raise AssertionError("no such bar in the demo history")


def test_mark_a_swing_by_right_click_then_drag_it_and_find_it_after_a_restart(app, qtbot, artifacts):
    win = app.open()
    win.sidebar.hide_ended.click()  # the list shows ended signals too: a swing may end one
    chart = win.left
    c = chart.analysis.candles
    i = a_bar_that_changes_the_smt_signals(win)
    chart.price.vb.setXRange(c.time[i - 40] / 1000, c.time[i + 40] / 1000, padding=0)
    QApplication.processEvents()
    before_smt, before_listed, revision = smt_states(win), listed(win), win._revision

    menu = right_click_menu(chart, qtbot, c.time[i] / 1000, c.high[i])
    choose(menu, "Mark swing high")
    wait_for_revision(qtbot, win, revision)
    [marker] = chart.manual.markers
    assert marker.pos().x() == c.time[i] / 1000
    assert chart.analysis.manual == (ManualSwing(int(c.time[i]), "high"),)
    assert i not in chart.analysis.swings.high_idx, "the manual swing replaces an automatic one"
    after_smt = smt_states(win)
    assert after_smt != before_smt, "the SMT engine re-ran with the new swing"
    new_ids = {sid for sid, _ in after_smt - before_smt}
    assert new_ids & listed(win) or listed(win) != before_listed, "the sidebar lists what changed"

    # drag five bars right: it lands on the highest bar within ±3 of where it was dropped
    target = i + 5
    revision = win._revision
    drag(chart.price.viewport(), view_point(chart, c.time[i] / 1000, marker.pos().y()),
         view_point(chart, c.time[target] / 1000, marker.pos().y()))
    window = slice(target - SNAP_BARS, target + SNAP_BARS + 1)
    best = target - SNAP_BARS + int(np.argmax(c.high[window]))
    wait_for_revision(qtbot, win, revision)
    [marker] = chart.manual.markers
    assert marker.pos().x() == c.time[best] / 1000
    assert chart.analysis.manual == (ManualSwing(int(c.time[best]), "high"),)
    win.grab().save(str(artifacts / "manual_swing.png"))

    app.close(win)
    again = app.open()
    assert again.left.analysis.manual == (ManualSwing(int(c.time[best]), "high"),), \
        "the swing is saved per venue, symbol and timeframe"
    assert len(again.left.manual.markers) == 1
    assert again.right.analysis.manual == ()

    chart = again.left
    chart.price.vb.setXRange(c.time[best - 40] / 1000, c.time[best + 40] / 1000, padding=0)
    QApplication.processEvents()
    revision = again._revision
    menu = right_click_menu(chart, qtbot, c.time[best] / 1000, c.low[best])
    choose(menu, "Remove manual swing high")
    wait_for_revision(qtbot, again, revision)
    assert chart.manual.markers == [] and chart.analysis.manual == ()
    app.close(again)
    assert app.open().left.analysis.manual == (), "the removal is saved too"
