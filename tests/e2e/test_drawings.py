"""Drawing tools as a trader uses them: pick a tool by its shortcut, click on the chart,
drag, delete, undo, redo, restart and find the drawings again."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu

from smtdesk.core.drawings import ELLIOTT, FIB_EXTENSION, FIB_RETRACEMENT, HLINE, RECT, TREND
from tests.ui.drive import drag, hover
from tests.ui.probes import drawing_labels

ALT = Qt.AltModifier
CTRL = Qt.ControlModifier


def pixel(chart, t_ms: float, price: float) -> QPoint:
    """Where (open time, price) is on the price pane's viewport."""
    scene = chart.price.vb.mapViewToScene(QPointF(t_ms / 1000.0, price))
    return chart.price.mapFromScene(scene)


def click(chart, at: QPoint, button=Qt.LeftButton) -> None:
    QTest.mouseClick(chart.price.viewport(), button, pos=at)
    QApplication.processEvents()


def key(win, k, mods=Qt.NoModifier) -> None:
    QTest.keyClick(win, k, mods)
    QApplication.processEvents()


def kinds(chart_drawings) -> list[str]:
    return sorted(d.kind for d in chart_drawings)


def controller(win, chart):
    return win.drawings.controllers[0 if chart is win.left else 1]


def popup_menu(qtbot) -> QMenu:
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu), timeout=3000)
    return QApplication.activePopupWidget()


def choose(menu: QMenu, text: str) -> None:
    action = next(a for a in menu.actions() if a.text().startswith(text))
    QTest.mouseClick(menu, Qt.LeftButton, pos=menu.actionGeometry(action).center())
    QApplication.processEvents()


def visible_swings(chart, lo: int, hi: int) -> tuple[int, int]:
    """The lowest swing low between bars ``lo`` and ``hi`` and the highest swing high after it."""
    sw, c = chart.analysis.swings, chart.analysis.candles
    lows = sw.low_idx[(sw.low_idx > lo) & (sw.low_idx < hi - 10)]
    low = int(lows[c.low[lows].argmin()])
    highs = sw.high_idx[(sw.high_idx > low + 3) & (sw.high_idx < hi)]
    assert len(highs), "no swing high after the lowest swing low in view"
    return low, int(highs[c.high[highs].argmax()])


def test_draw_each_tool_drag_delete_undo_redo_and_find_them_after_a_restart(app, qtbot, artifacts):
    win = app.open()
    chart = win.left
    c = chart.analysis.candles
    n = len(c)
    chart.price.vb.setXRange(c.time[n - 120] / 1000, c.time[-1] / 1000 + 8 * chart.bar_seconds, padding=0)
    QApplication.processEvents()
    drawings = controller(win, chart)
    low, high = visible_swings(chart, n - 110, n - 10)

    # Fibonacci retracement: clicked a few pixels off each swing, it lands on the extremes
    key(win, Qt.Key_B, ALT)
    click(chart, pixel(chart, c.time[low], c.low[low]) + QPoint(3, 4))
    hover(chart.price.viewport(), pixel(chart, c.time[high], c.high[high]))
    click(chart, pixel(chart, c.time[high], c.high[high]) + QPoint(-2, -5))
    [fib] = drawings.drawings
    assert fib.kind == FIB_RETRACEMENT
    assert fib.points == ((int(c.time[low]), float(c.low[low])), (int(c.time[high]), float(c.high[high])))

    # trend line by press, drag, release; rectangle by two clicks
    key(win, Qt.Key_T, ALT)
    a, b = n - 100, n - 60
    drag(chart.price.viewport(), pixel(chart, c.time[a], c.low[a]), pixel(chart, c.time[b], c.high[b]))
    key(win, Qt.Key_R, ALT)
    r0, r1 = n - 45, n - 25
    top, bottom = float(c.high[r0:r1].max()), float(c.low[r0:r1].min())
    click(chart, pixel(chart, c.time[r0], top))
    click(chart, pixel(chart, c.time[r1], bottom))
    trend = next(d for d in drawings.drawings if d.kind == TREND)
    rect = next(d for d in drawings.drawings if d.kind == RECT)
    assert [t for t, _ in trend.points] == [int(c.time[a]), int(c.time[b])]
    assert trend.points[0][1] == pytest.approx(c.low[a], rel=2e-3)
    assert [t for t, _ in rect.points] == [int(c.time[r0]), int(c.time[r1])]

    key(win, Qt.Key_Escape)
    QApplication.processEvents()
    win.grab().save(str(artifacts / "drawings_fib_trend_rect.png"))

    # the retracement's levels, priced and labelled at its right, inside the price pane
    labels = drawing_labels(drawings.items[fib.id])
    span = c.high[high] - c.low[low]
    for percent, share_above_low in (("0%", 1.0), ("23.6%", 0.764), ("38.2%", 0.618), ("50%", 0.5),
                                     ("61.8%", 0.382), ("78.6%", 0.214), ("100%", 0.0)):
        [(text, box)] = [(t, r) for t, r in labels if t.startswith(percent + " ")]
        shown = float(re.sub(r"[^0-9.]", "", text.split()[-1]))
        assert shown == pytest.approx(c.low[low] + share_above_low * span, abs=0.006)
    pane_right = chart.price.mapFromScene(chart.price.vb.sceneBoundingRect()).boundingRect().right()
    assert all(box.right() <= pane_right for _, box in labels), "labels stay off the price axis"
    assert min(box.left() for _, box in labels) >= pixel(chart, c.time[high], 0).x(), "right of the swings"

    # horizontal line, Fibonacci extension, and an Elliott count clicked bar by bar
    level = float(c.close[n - 30])
    key(win, Qt.Key_L, ALT)
    click(chart, pixel(chart, c.time[n - 30], level))
    key(win, Qt.Key_X, ALT)
    click(chart, pixel(chart, c.time[n - 90], c.low[n - 90]))
    click(chart, pixel(chart, c.time[n - 70], c.high[n - 70]))
    key(win, Qt.Key_W, ALT)
    bars = [n - 20, n - 17, n - 14, n - 11, n - 8]
    for i, bar in enumerate(bars):
        click(chart, pixel(chart, c.time[bar], c.high[bar] if i % 2 == 0 else c.low[bar]))
    key(win, Qt.Key_Escape)
    assert kinds(drawings.drawings) == sorted([FIB_RETRACEMENT, TREND, RECT, HLINE, FIB_EXTENSION, ELLIOTT])
    [hline] = [d for d in drawings.drawings if d.kind == HLINE]
    assert hline.points[0][1] == pytest.approx(level, rel=2e-3)
    [wave] = [d for d in drawings.drawings if d.kind == ELLIOTT]
    assert wave.points == tuple((int(c.time[bar]), float(c.high[bar] if i % 2 == 0 else c.low[bar]))
                                for i, bar in enumerate(bars))

    # drag the trend line five bars right by its middle: both ends move five bars
    middle = pixel(chart, (c.time[a] + c.time[b]) / 2, (trend.points[0][1] + trend.points[1][1]) / 2)
    five = pixel(chart, c.time[a + 5], 0).x() - pixel(chart, c.time[a], 0).x()
    drag(chart.price.viewport(), middle, middle + QPoint(five, 0))
    moved = next(d for d in drawings.drawings if d.id == trend.id)
    assert [t for t, _ in moved.points] == [int(c.time[a + 5]), int(c.time[b + 5])]
    assert [p for _, p in moved.points] == pytest.approx([p for _, p in trend.points])

    # select the horizontal line with a click, Del deletes it, Ctrl+Z brings it back, Ctrl+Shift+Z again
    on_line = pixel(chart, c.time[n - 50], level)
    click(chart, on_line)
    assert drawings.selection == hline.id
    key(win, Qt.Key_Delete)
    assert HLINE not in kinds(drawings.drawings)
    key(win, Qt.Key_Z, CTRL)
    assert hline in drawings.drawings
    key(win, Qt.Key_Z, CTRL | Qt.ShiftModifier)
    assert HLINE not in kinds(drawings.drawings)
    key(win, Qt.Key_Z, CTRL)
    assert hline in drawings.drawings

    # the rectangle's context menu deletes it; a right-click off every drawing still marks swings
    click(chart, pixel(chart, (c.time[r0] + c.time[r1]) / 2, (top + bottom) / 2), Qt.RightButton)
    choose(popup_menu(qtbot), "Delete rectangle")
    assert RECT not in kinds(drawings.drawings)
    click(chart, pixel(chart, c.time[n - 115], c.high[n - 115]), Qt.RightButton)
    menu = popup_menu(qtbot)
    assert any(a.text().startswith("Mark swing high") for a in menu.actions())
    menu.close()

    # the other chart draws too, on its own symbol
    right = win.right
    rc = right.analysis.candles
    key(win, Qt.Key_L, ALT)
    click(right, pixel(right, rc.time[-40], float(rc.close[-40])))
    key(win, Qt.Key_Escape)
    assert kinds(controller(win, right).drawings) == [HLINE]

    kept_left = set(drawings.drawings)
    kept_right = set(controller(win, right).drawings)
    qtbot.waitUntil(lambda: not win.worker._commands, timeout=10_000)
    app.close(win)
    again = app.open()
    assert set(controller(again, again.left).drawings) == kept_left
    assert set(controller(again, again.right).drawings) == kept_right
    assert set(controller(again, again.left).items) == {d.id for d in kept_left}
