"""Swing levels as a trader edits them: drag an automatic one, delete one, undo, restart."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from smtdesk.core.pair_model import PairModel
from smtdesk.core.structure.swing_levels import MAJOR, MANUAL
from smtdesk.core.structure.swings import ManualSwing, SuppressedSwing
from smtdesk.ui.manual_swings import SNAP_BARS
from tests.e2e.test_manual_swings import (
    choose,
    right_click_menu,
    smt_states,
    view_point,
    wait_for_revision,
)
from tests.ui.drive import hold_drag, release
from tests.ui.probes import signal_at
from tests.ui.probes import drag_preview, drawn_levels



def listed_states(win) -> set[tuple[str, str]]:
    """(id, state) of each signal the sidebar lists (ended ones are hidden)."""
    return {(sig.id, sig.state.value) for sig in (signal_at(win.sidebar, r) for r in range(win.sidebar.count()))}

def smt_of(snapshot) -> set:
    return {(s.id, s.state) for s in snapshot.signals if s.kind == "smt"}


def a_swing_whose_move_changes_the_smt_signals(win) -> tuple[int, int, int]:
    """(automatic swing high of the left asset, bar to drop it on, bar it snaps to): a
    recent swing that, moved, changes the pair's SMT signals (found with a pair model
    of its own over the same candles)."""
    left, right = (chart.analysis for chart in (win.left, win.right))
    model = PairModel((left.symbol, right.symbol), "1h")
    model.load(left.candles, right.candles)
    before = smt_of(model.detect().snapshot)
    c = left.candles
    for i in left.swings.high_idx[::-1].tolist():
        if i > len(c) - 50:
            continue
        drop = i + 5
        # where a swing high dropped there lands: the highest high within ±3 bars
        snapped = drop - SNAP_BARS + int(np.argmax(c.high[drop - SNAP_BARS : drop + SNAP_BARS + 1]))
        if snapped == i:
            continue
        moved = model.set_manual(left.symbol, [ManualSwing(int(c.time[snapped]), "high")],
                                 [SuppressedSwing(int(c.time[i]), "high")])
        if smt_of(moved.snapshot) != before:
            return i, drop, snapped
    raise AssertionError("no such swing in the demo history")


def show_around(chart, qtbot, i: int) -> None:
    """Bars i - 40 .. i + 40 on screen, once the window has settled (an alert notice
    arriving meanwhile moves the charts)."""
    c = chart.analysis.candles
    chart.price.vb.setXRange(c.time[i - 40] / 1000, c.time[i + 40] / 1000, padding=0)
    qtbot.wait(300)
    item = chart.manual.levels
    qtbot.waitUntil(lambda: item.row_at(item.mapFromScene(chart.price.mapToScene(on_level(chart, i))))
                    == item.row_of(i, True), timeout=5000)


def on_level(chart, i: int) -> tuple:
    """A point on the swing high level of bar ``i``, two bars right of its swing bar."""
    c = chart.analysis.candles
    return view_point(chart, c.time[i + 2] / 1000, c.high[i])


def level_of(chart, i: int) -> np.ndarray | None:
    x = chart.analysis.candles.time[i] / 1000
    rows = [r for r in drawn_levels(chart.manual.levels) if r[0] == x and r[4]]
    return rows[0] if rows else None


def test_drag_an_automatic_swing_level_and_it_becomes_a_manual_swing_kept_after_a_restart(app, qtbot, artifacts):
    win = app.open()
    box = win.sidebar.hide_ended  # list the ended signals too: a moved swing may end one
    QTest.mouseClick(box, Qt.LeftButton, pos=QPoint(8, box.height() // 2))
    assert not box.isChecked()
    chart = win.left
    c = chart.analysis.candles
    i, drop, snapped = a_swing_whose_move_changes_the_smt_signals(win)
    show_around(chart, qtbot, i)
    assert level_of(chart, i)[3] == MAJOR
    before_smt, before_listed, revision = smt_states(win), listed_states(win), win._revision

    # held over the drop bar: the marker and the level stand on the snapped bar together,
    # and the swing's own marker and level are gone from where it was
    view = chart.price.viewport()
    start, end = on_level(chart, i), view_point(chart, c.time[drop] / 1000, c.high[i])
    hold_drag(view, start, end, pause_ms=15)
    (mx, my), (lx, ly) = drag_preview(chart.manual)
    x_new = c.time[snapped] / 1000
    assert mx == x_new and my > c.high[snapped], "the marker over the snapped bar's high"
    assert lx[0] == x_new and list(ly) == [c.high[snapped]] * 2, "its level from there at that high"
    assert level_of(chart, i) is None
    assert c.time[i] / 1000 not in chart.price.swing_highs.data["x"]
    release(view, end)
    wait_for_revision(qtbot, win, revision)
    assert drag_preview(chart.manual) == (None, None)

    t_new, t_old = int(c.time[snapped]), int(c.time[i])
    assert chart.analysis.manual == (ManualSwing(t_new, "high"),), "it lands on the bar extreme"
    assert chart.analysis.suppressed == (SuppressedSwing(t_old, "high"),)
    assert i not in chart.analysis.swings.high_idx
    assert level_of(chart, i) is None, "the old level is gone"
    moved = level_of(chart, snapped)
    assert moved[3] == MANUAL and moved[2] == c.high[snapped]
    pens = chart.manual.levels._pens
    assert pens[(MANUAL, True)].color() != pens[(MAJOR, True)].color()
    assert pens[(MANUAL, True)].widthF() > pens[(MAJOR, True)].widthF(), "manual levels look distinct"
    [marker] = chart.manual.markers
    assert marker.pos().x() == c.time[snapped] / 1000, "the marker moved with its level"
    assert smt_states(win) != before_smt, "the SMT engine re-ran with the moved swing"
    assert listed_states(win) != before_listed, "the sidebar lists the changed signals"
    win.grab().save(str(artifacts / "swing_level_dragged.png"))

    app.close(win)
    again = app.open()
    assert again.left.analysis.manual == (ManualSwing(t_new, "high"),)
    assert again.left.analysis.suppressed == (SuppressedSwing(t_old, "high"),)
    assert i not in again.left.analysis.swings.high_idx


def test_delete_an_automatic_swing_undo_it_and_delete_it_for_good(app, qtbot):
    win = app.open()
    chart = win.left
    c = chart.analysis.candles
    i, _, _ = a_swing_whose_move_changes_the_smt_signals(win)
    show_around(chart, qtbot, i)
    before_smt, revision = smt_states(win), win._revision

    QTest.mouseClick(chart.price.viewport(), Qt.LeftButton, pos=on_level(chart, i))
    assert chart.manual.selected == (int(c.time[i]), "high")
    QTest.keyClick(chart.price.viewport(), Qt.Key_Delete)
    wait_for_revision(qtbot, win, revision)
    assert i not in chart.analysis.swings.high_idx and level_of(chart, i) is None
    assert chart.analysis.suppressed == (SuppressedSwing(int(c.time[i]), "high"),)
    deleted_smt = smt_states(win)

    revision = win._revision
    assert win.undo_action.shortcut().toString() == "Ctrl+Z"
    win.undo_action.trigger()
    wait_for_revision(qtbot, win, revision)
    assert i in chart.analysis.swings.high_idx and chart.analysis.suppressed == ()
    assert level_of(chart, i)[3] == MAJOR
    assert smt_states(win) == before_smt

    revision = win._revision
    win.redo_action.trigger()
    wait_for_revision(qtbot, win, revision)
    assert i not in chart.analysis.swings.high_idx and smt_states(win) == deleted_smt
    revision = win._revision
    win.undo_action.trigger()
    wait_for_revision(qtbot, win, revision)

    revision = win._revision
    menu = right_click_menu(chart, qtbot, c.time[i] / 1000, c.high[i])
    choose(menu, "Delete swing high")
    wait_for_revision(qtbot, win, revision)
    assert i not in chart.analysis.swings.high_idx
    app.close(win)
    again = app.open()
    assert again.left.analysis.suppressed == (SuppressedSwing(int(c.time[i]), "high"),)
    assert i not in again.left.analysis.swings.high_idx


def test_each_level_ends_at_the_bar_that_takes_it(app, qtbot, artifacts):
    win = app.open()
    for chart in (win.left, win.right):
        c = chart.analysis.candles
        x = c.time / 1000
        levels = drawn_levels(chart.manual.levels)
        assert len(levels) >= 5
        for x0, x1, price, _, is_high in levels:
            i = int(np.searchsorted(x, x0))
            beyond = np.flatnonzero(c.high[i + 1 :] > price if is_high else c.low[i + 1 :] < price)
            end = i + 1 + beyond[0] if len(beyond) else len(c) - 1
            assert x1 == x[end], (i, price)
    win.grab().save(str(artifacts / "swing_levels_default_zoom.png"))
    win.zoom(8.0)
    QApplication.processEvents()
    win.grab().save(str(artifacts / "swing_levels_zoomed_out.png"))
