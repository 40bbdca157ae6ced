"""Drawing tools as a trader uses them: pick a tool by its shortcut, click on the chart,
drag, delete, undo, redo, restart and find the drawings again."""

from __future__ import annotations

import re
import threading

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu

from smtdesk.core.drawings import (
    ELLIOTT,
    FIB_EXTENSION,
    FIB_RETRACEMENT,
    HLINE,
    RECT,
    TREND,
)
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
    assert win.drawings.pointer_action.isChecked() and drawings.tool is None, "one drawing, then the pointer"
    assert fib.points == ((int(c.time[low]), float(c.low[low])), (int(c.time[high]), float(c.high[high])))

    # trend line by press, drag, release; rectangle by two clicks
    key(win, Qt.Key_T, ALT)
    a, b = n - 118, n - 98
    drag(chart.price.viewport(), pixel(chart, c.time[a], c.low[a]), pixel(chart, c.time[b], c.high[b]))
    key(win, Qt.Key_R, ALT)
    r0, r1 = n - 16, n - 3
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
        [text] = [t for t, _ in labels if t.startswith(percent + " ")]
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
    win.grab().save(str(artifacts / "drawings_every_tool.png"))
    assert kinds(drawings.drawings) == sorted([FIB_RETRACEMENT, TREND, RECT, HLINE, FIB_EXTENSION, ELLIOTT])
    [hline] = [d for d in drawings.drawings if d.kind == HLINE]
    assert hline.points[0][1] == pytest.approx(level, rel=2e-3)
    [ext] = [d for d in drawings.drawings if d.kind == FIB_EXTENSION]
    (_, start), (_, end) = ext.points
    priced = {t.split()[0]: float(re.sub(r"[^0-9.]", "", t.split()[-1])) for t, _ in drawing_labels(drawings.items[ext.id])}
    # past the end of the move by 0.618, 1.618 and 3.236 of it
    assert priced["161.8%"] == pytest.approx(end + 0.618 * (end - start), abs=0.006)
    assert priced["261.8%"] == pytest.approx(end + 1.618 * (end - start), abs=0.006)
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

    # the pointer shows a drawing can be taken
    hover(chart.price.viewport(), pixel(chart, c.time[n - 50], level))
    assert chart.price.viewport().cursor().shape() == Qt.SizeAllCursor

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

    # the retracement's end dragged by its handle to another swing high lands on that high
    sw = chart.analysis.swings
    other = int(next(h for h in sw.high_idx[::-1] if n - 110 < h < n - 5 and h != high and abs(h - high) > 4))
    click(chart, pixel(chart, c.time[high], c.high[high]))
    assert drawings.selection == fib.id
    drag(chart.price.viewport(), pixel(chart, c.time[high], c.high[high]),
         pixel(chart, c.time[other], c.high[other]) + QPoint(4, -3))
    refitted = next(d for d in drawings.drawings if d.id == fib.id)
    assert refitted.points == (fib.points[0], (int(c.time[other]), float(c.high[other])))

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


def test_drawings_follow_the_chart_through_pans_layouts_themes_and_timeframes(app, qtbot, artifacts):
    win = app.open()
    chart = win.left
    c = chart.analysis.candles
    n = len(c)
    chart.price.vb.setXRange(c.time[n - 150] / 1000, c.time[-1] / 1000 + 8 * chart.bar_seconds, padding=0)
    QApplication.processEvents()
    drawings = controller(win, chart)
    low, high = visible_swings(chart, n - 140, n - 10)
    key(win, Qt.Key_B, ALT)
    click(chart, pixel(chart, c.time[low], c.low[low]))
    click(chart, pixel(chart, c.time[high], c.high[high]))
    level = float(c.close[n - 60])
    key(win, Qt.Key_L, ALT)
    click(chart, pixel(chart, c.time[n - 60], level))
    key(win, Qt.Key_Escape)
    placed = drawings.drawings
    assert len(placed) == 2
    [hline] = [d for d in placed if d.kind == HLINE]

    # with the pointer, a drag off the drawings pans the candles; the drawings stay on their bars
    before = chart.price.visible_x()
    empty = pixel(chart, c.time[n - 130], float(c.high[n - 140:].max()))
    drag(chart.price.viewport(), empty, empty + QPoint(120, 0))
    assert chart.price.visible_x()[0] < before[0], "dragging the candles pans back in time"
    assert drawings.drawings == placed
    click(chart, pixel(chart, c.time[n - 40], level))
    assert drawings.selection == hline.id, "the line is where its price is after the pan"

    # the crosshair still follows the mouse over a drawing
    hover(chart.price.viewport(), pixel(chart, c.time[n - 40], level) + QPoint(0, 30))
    assert win.crosshair.time == c.time[n - 40] / 1000

    # stacked and light: the labels stay inside the price pane, the drawing still takes clicks
    key(win, Qt.Key_L, CTRL)
    key(win, Qt.Key_T, CTRL)
    qtbot.waitUntil(lambda: win.charts.orientation() == Qt.Vertical)
    win.grab().save(str(artifacts / "drawings_stacked_light.png"))
    [fib] = [d for d in placed if d.kind == FIB_RETRACEMENT]
    labels = drawing_labels(drawings.items[fib.id])
    pane_right = chart.price.mapFromScene(chart.price.vb.sceneBoundingRect()).boundingRect().right()
    assert len(labels) == 7 and all(box.right() <= pane_right for _, box in labels)
    click(chart, pixel(chart, c.time[n - 40], level))
    assert drawings.selection == hline.id

    # another timeframe has its own drawings (none yet); back on 1h they are all there
    seen = []
    win.worker.snapshot.connect(lambda analysis: analysis.detected or seen.append(analysis.timeframe))
    QTest.mouseClick(win.pickers.timeframe_buttons["4h"], Qt.LeftButton)
    qtbot.waitUntil(lambda: "4h" in seen and drawings.key[2] == "4h", timeout=30_000)
    assert drawings.drawings == () and drawings.items == {}
    QTest.mouseClick(win.pickers.timeframe_buttons["1h"], Qt.LeftButton)
    qtbot.waitUntil(lambda: seen[-1:] == ["1h"] and drawings.key[2] == "1h", timeout=30_000)
    assert set(drawings.drawings) == set(placed)


def test_draw_menu_shortcuts_clash_with_nothing_and_delete_all_acts_on_the_chart_in_use(app, qtbot):
    win = app.open()
    [draw] = [a.menu() for a in win.menuBar().actions() if a.text() == "&Draw"]
    listed = {a.text().replace("&", ""): a.shortcut().toString() for a in draw.actions() if not a.isSeparator()}
    assert listed == {
        "Pointer": "Esc", "Horizontal line": "Alt+L", "Trend line": "Alt+T", "Rectangle": "Alt+R",
        "Fibonacci retracement": "Alt+B", "Fibonacci extension": "Alt+X", "Elliott wave labels": "Alt+W",
        "Delete drawing": "Del", "Delete all drawings on this chart": "",
    }
    taken = [s.toString() for a in win.findChildren(QAction) for s in a.shortcuts()]
    assert len(taken) == len(set(taken)), "no two actions share a shortcut"
    mnemonics = {"Alt+" + t[t.index("&") + 1].upper() for t in (a.text() for a in win.menuBar().actions()) if "&" in t}
    assert not mnemonics & set(taken), "no shortcut takes a menu's Alt key"

    # writes run on the analysis thread, never on the window's
    writers = []
    store = win.worker.user_store
    keep = store.set_drawings
    store.set_drawings = lambda *args: (writers.append(threading.current_thread().name), keep(*args))[1]

    left, right = win.left, win.right
    lc, rc = left.analysis.candles, right.analysis.candles
    key(win, Qt.Key_L, ALT)
    click(left, pixel(left, lc.time[-30], float(lc.close[-30])))
    key(win, Qt.Key_L, ALT)
    click(left, pixel(left, lc.time[-30], float(lc.close[-60])))
    # a second click on the first point draws no line of no length; Esc drops the half-placed one
    key(win, Qt.Key_T, ALT)
    click(right, pixel(right, rc.time[-50], float(rc.close[-50])))
    click(right, pixel(right, rc.time[-50], float(rc.close[-50])))
    assert controller(win, right).drawings == ()
    key(win, Qt.Key_Escape)
    assert controller(win, right).drawings == ()
    assert not [i for i in right.price.plot.items if i.__class__.__name__ == "DrawingItem"]
    key(win, Qt.Key_L, ALT)
    click(right, pixel(right, rc.time[-30], float(rc.close[-30])))
    key(win, Qt.Key_Escape)

    draw.aboutToShow.emit()
    delete_all = next(a for a in draw.actions() if a.text().startswith("Delete all drawings on this chart"))
    assert right.analysis.symbol in delete_all.text()
    delete_all.trigger()
    assert controller(win, right).drawings == () and len(controller(win, left).drawings) == 2
    key(win, Qt.Key_Z, CTRL)
    assert len(controller(win, right).drawings) == 1
    qtbot.waitUntil(lambda: not win.worker._commands, timeout=10_000)
    assert writers and all(name.startswith("analysis") for name in writers)
