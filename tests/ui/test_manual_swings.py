"""Hand-placed swings: right-click to mark and remove, drag to move with snapping."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu

from smtdesk.core.analysis import PairAnalyzer
from smtdesk.core.swings import ManualSwing
from smtdesk.data.demo import load_demo_series, resources_dir
from smtdesk.ui.chart import AssetChart
from smtdesk.ui.manual_swings import SNAP_BARS
from tests.ui.drive import drag

BTC, ETH = "BTC/USDT:USDT", "ETH/USDT:USDT"


@pytest.fixture
def chart(qtbot):
    """A chart whose manual-swing edits go through the analyzer and back, as the worker does."""
    demo = resources_dir() / "demo"
    a = load_demo_series(demo / "BTCUSDT_1h.csv.gz")[:800]
    b = load_demo_series(demo / "ETHUSDT_1h.csv.gz")[:800]
    analyzer = PairAnalyzer((BTC, ETH), "1h")
    widget = AssetChart()
    qtbot.addWidget(widget)
    widget.resize(1000, 600)
    widget.show()
    widget.set_analysis(analyzer.load(a, b).assets[0], "1h")
    widget.show_last(60)
    widget.edits = []

    def apply(symbol, swings):
        widget.edits.append(swings)
        widget.set_analysis(analyzer.set_manual(symbol, swings).assets[0], "1h")

    widget.manual_swings_changed.connect(apply)
    QApplication.processEvents()
    return widget


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


def test_mark_drag_and_remove_a_swing_high(chart, qtbot, artifacts):
    c = chart.analysis.candles
    i = len(c) - 30
    x = c.time[i] / 1000
    menu = right_click_menu(chart, qtbot, x, c.high[i])
    choose(menu, "Mark swing high")
    assert chart.edits[-1] == (ManualSwing(int(c.time[i]), "high"),)
    [marker] = chart.manual.markers
    assert marker.pos().x() == x and marker.pos().y() > c.high[i]
    assert i not in chart.analysis.swings.high_idx, "the manual swing replaces an automatic one"

    # drag five bars right: it lands on the highest bar within ±3 of where it was dropped
    target = i + 5
    start = view_point(chart, x, marker.pos().y())
    end = view_point(chart, c.time[target] / 1000, marker.pos().y())
    drag(chart.price.viewport(), start, end)
    window = slice(target - SNAP_BARS, target + SNAP_BARS + 1)
    best = target - SNAP_BARS + int(np.argmax(c.high[window]))
    assert chart.edits[-1] == (ManualSwing(int(c.time[best]), "high"),)
    [marker] = chart.manual.markers
    assert marker.pos().x() == c.time[best] / 1000
    chart.grab().save(str(artifacts / "manual_swing.png"))

    menu = right_click_menu(chart, qtbot, c.time[best] / 1000, c.low[best])
    choose(menu, "Remove manual swing high")
    assert chart.edits[-1] == ()
    assert chart.manual.markers == []


def test_a_swing_low_snaps_to_the_lowest_low_nearby(chart):
    c = chart.analysis.candles
    layer = chart.manual
    k = len(c) - 20
    snapped = layer.snap("low", c.time[k] / 1000 + 600)
    window = c.low[k - SNAP_BARS : k + SNAP_BARS + 1]
    assert c.low[snapped] == window.min()
    assert abs(snapped - k) <= SNAP_BARS
