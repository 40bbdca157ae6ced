"""What a new user hit in the first minutes, each driven as they did it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from smtdesk.data.status import Phase
from smtdesk.ui.status_text import describe

BTC, ETH = "BTC/USDT:USDT", "ETH/USDT:USDT"
FOUR_HOURS = 4 * 3600


def click_timeframe(win, timeframe: str) -> None:
    QTest.mouseClick(win.pickers.timeframe_buttons[timeframe], Qt.LeftButton)


def shown_at(win, seconds: int) -> bool:
    return all(c.analysis is not None and c.bar_seconds == seconds for c in (win.left, win.right))


def test_after_a_timeframe_switch_both_charts_show_their_swing_markers(app, qtbot):
    win = app.open()
    assert win.right.price.swing_highs.isVisible()
    click_timeframe(win, "4h")
    # the candles come first, their swings with the analysis a moment later
    qtbot.waitUntil(lambda: shown_at(win, FOUR_HOURS) and win._analysis.analysed, timeout=30_000)
    for chart in (win.left, win.right):
        assert chart.price.swing_highs.isVisible() and chart.price.swing_lows.isVisible(), \
            "markers at once, without panning"
        assert len(chart.price.swing_highs.getData()[0]) > 0


def test_a_refused_timeframes_warning_goes_when_another_one_is_picked(app, qtbot):
    win = app.open()
    click_timeframe(win, "15m")
    qtbot.waitUntil(lambda: "no 15m candles" in win.notice.text(), timeout=10_000)
    click_timeframe(win, "4h")
    qtbot.waitUntil(lambda: shown_at(win, FOUR_HOURS), timeout=30_000)
    assert not (win.notice.isVisible() and "15m" in win.notice.text()), \
        "the 15m refusal is not left over the 4h charts"


def test_the_status_bar_says_no_more_loading_once_the_charts_are_loaded(app, qtbot):
    win = app.open()
    click_timeframe(win, "4h")
    qtbot.waitUntil(lambda: shown_at(win, FOUR_HOURS), timeout=30_000)
    qtbot.waitUntil(lambda: "live" in win.source_label.text(), timeout=10_000)
    assert "Loading" not in win.statusBar().currentMessage()
    assert win.source_label.isVisible(), "the live status is not hidden under a stale message"


def test_a_slow_analysis_on_a_warm_start_does_not_claim_a_first_start(app, qtbot):
    win = app.open()
    # both timeframes analysed once: every compiled loop they need is loaded
    click_timeframe(win, "4h")
    qtbot.waitUntil(lambda: shown_at(win, FOUR_HOURS), timeout=30_000)
    click_timeframe(win, "1h")
    qtbot.waitUntil(lambda: shown_at(win, 3600), timeout=30_000)
    said = []
    win.worker.status.connect(lambda s: said.append(s))
    win.worker.slow_analysis_seconds = 0.0  # a slow machine: every analysis takes long
    click_timeframe(win, "4h")
    qtbot.waitUntil(lambda: shown_at(win, FOUR_HOURS), timeout=30_000)
    qtbot.waitUntil(lambda: "live" in win.source_label.text(), timeout=30_000)  # the analysis done
    analysing = [s for s in said if s.phase is Phase.ANALYSING]
    assert analysing, "the status bar said it was analysing"
    for status in analysing:
        assert "first start" not in describe(status)
        assert describe(status).endswith("analysing the history")


def test_picking_the_right_charts_symbol_on_the_left_swaps_the_charts(app, qtbot):
    win = app.open()
    box = win.pickers.symbols[0]
    box.showPopup()  # the box's arrow clicked
    view = box.view()
    qtbot.waitUntil(view.isVisible, timeout=3_000)
    while view.currentIndex().data() != ETH:
        QTest.keyClick(view, Qt.Key_Down)
    QTest.keyClick(view, Qt.Key_Return)
    qtbot.waitUntil(lambda: win.left.analysis.symbol == ETH and win.right.analysis.symbol == BTC,
                    timeout=30_000)
    assert [b.currentText() for b in win.pickers.symbols] == [ETH, BTC]
    assert "both charts" not in win.notice.text()
    assert "both charts" not in win.statusBar().currentMessage()


def test_the_arrow_keys_pan_and_zoom_the_charts_from_the_start_and_after_a_symbol_is_typed(app, qtbot):
    win = app.open()
    price = win.left.price
    x0, x1 = price.visible_x()
    QTest.keyClick(QApplication.focusWidget(), Qt.Key_Left)  # where the keyboard is now
    qtbot.waitUntil(lambda: price.visible_x()[0] < x0, timeout=5_000)

    box = win.pickers.symbols[1]
    QTest.mouseClick(box.lineEdit(), Qt.LeftButton)
    box.lineEdit().selectAll()
    QTest.keyClicks(box.lineEdit(), BTC)  # the left chart's symbol: the charts swap
    QTest.keyClick(box.lineEdit(), Qt.Key_Return)
    qtbot.waitUntil(lambda: win.left.analysis.symbol == ETH and win.right.analysis.symbol == BTC,
                    timeout=30_000)
    x0, x1 = price.visible_x()
    QTest.keyClick(QApplication.focusWidget(), Qt.Key_Up)
    qtbot.waitUntil(lambda: price.visible_x()[1] - price.visible_x()[0] < x1 - x0, timeout=5_000)
    x0, _ = price.visible_x()
    QTest.keyClick(QApplication.focusWidget(), Qt.Key_Left)  # a text field would move its cursor
    qtbot.waitUntil(lambda: price.visible_x()[0] < x0, timeout=5_000)
    assert box.currentText() == BTC, "the keys went to the charts, not to the symbol box"
