"""Settings, layout and uncaught errors, as a user meets them in the app `smtdesk` builds."""

import asyncio
import gc
import json
from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QCheckBox, QDialogButtonBox, QLineEdit, QMessageBox, QSpinBox, QToolBar

from smtdesk.data.status import Events
from smtdesk.ui.settings_dialog import SettingsDialog
from smtdesk.ui.theme import LIGHT
from tests.ui.probes import alert_count, signal_at


def _brute_swings(high: np.ndarray, low: np.ndarray, n: int) -> tuple[int, int]:
    """Domain §4 read literally: how many swing highs and lows of strength n."""
    highs = sum(1 for i in range(n, len(high) - n)
                if all(high[i] > high[i - k] for k in range(1, n + 1))
                and all(high[i] >= high[i + k] for k in range(1, n + 1)))
    lows = sum(1 for i in range(n, len(low) - n)
               if all(low[i] < low[i - k] for k in range(1, n + 1))
               and all(low[i] <= low[i + k] for k in range(1, n + 1)))
    return highs, lows


def _markers(win) -> tuple[int, int]:
    pane = win.left.price
    return len(pane.swing_highs.data), len(pane.swing_lows.data)


def _menu_action(win, menu_title: str, text: str):
    menu = next(a.menu() for a in win.menuBar().actions() if a.text() == menu_title)
    return next(a for a in menu.actions() if a.text() == text)


def _open_settings(win, qtbot) -> SettingsDialog:
    _menu_action(win, "&Edit", "&Settings…").trigger()
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), SettingsDialog))
    return QApplication.activeModalWidget()


def _type_major_strength(dialog: SettingsDialog, qtbot, value: int) -> None:
    dialog.tabs.setCurrentIndex(0)
    spin = dialog.findChild(QSpinBox, "swings.major_strength")
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, str(value))


def _press_ok(dialog: SettingsDialog, qtbot, win) -> None:
    with qtbot.waitSignal(win.worker.snapshot, timeout=60_000):
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.Ok), Qt.LeftButton)


def test_the_log_file_records_what_the_market_data_did(app):
    app.open()
    log = (app.data_dir / "logs" / "smtdesk.log").read_text()
    assert "smtdesk.market: Demo (recorded data): loading" in log
    assert "Demo (recorded data): live" in log


def test_a_new_major_strength_in_the_dialog_redraws_the_swing_markers(app, qtbot):
    win = app.open()
    candles = win.left.analysis.candles
    assert _markers(win) == _brute_swings(candles.high, candles.low, 5)

    dialog = _open_settings(win, qtbot)
    assert dialog.findChild(QSpinBox, "swings.major_strength").value() == 5
    _type_major_strength(dialog, qtbot, 10)
    _press_ok(dialog, qtbot, win)

    candles = win.left.analysis.candles
    after = _markers(win)
    assert after == _brute_swings(candles.high, candles.low, 10)
    assert after[0] < _brute_swings(candles.high, candles.low, 5)[0], "a stronger swing is rarer"
    assert win.settings.swings.major_strength == 10
    saved = json.loads((app.data_dir / "settings.json").read_text())
    assert saved["swings"]["major_strength"] == 10


def test_the_dialog_refuses_a_broken_rule_with_a_message_and_cancel_changes_nothing(app, qtbot):
    win = app.open()
    before = _markers(win)
    dialog = _open_settings(win, qtbot)
    _type_major_strength(dialog, qtbot, 1)  # below the minor strength of 2
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.Ok), Qt.LeftButton)
    assert dialog.isVisible()
    assert "minor swing strength cannot exceed the major one" in dialog.error.text()
    assert dialog.error.isVisible()
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.RestoreDefaults), Qt.LeftButton)
    assert dialog.findChild(QSpinBox, "swings.major_strength").value() == 5
    _type_major_strength(dialog, qtbot, 7)
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.Cancel), Qt.LeftButton)
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None)
    assert win.settings.swings.major_strength == 5
    assert _markers(win) == before


def test_layout_and_settings_come_back_after_a_restart(app, qtbot):
    win = app.open()
    toolbar = win.findChild(QToolBar, "chart_toolbar")
    qtbot.mouseClick(toolbar.widgetForAction(win.stacked_action), Qt.LeftButton)
    qtbot.mouseClick(toolbar.widgetForAction(win.light_action), Qt.LeftButton)
    win.panel_actions["macd"].trigger()  # from the Indicators menu
    win.overlay_actions["sma200"].trigger()  # from the Overlays menu
    dialog = _open_settings(win, qtbot)
    _type_major_strength(dialog, qtbot, 8)
    _press_ok(dialog, qtbot, win)
    screen = win.screen().availableGeometry()  # a restored window is fitted to the screen
    win.resize(screen.width() - 90, screen.height() - 70)
    QTest.qWait(50)
    size = (win.width(), win.height())
    assert size != (1600, 900), "the size a new window opens at"
    app.close(win)

    win = app.open()
    assert win.stacked_action.isChecked() and win.charts.orientation() == Qt.Vertical
    assert win.light_action.isChecked() and win.palette_ is LIGHT
    assert "macd" in win.left.panels and "macd" in win.right.panels and "rsi" in win.left.panels
    assert win.overlay_actions["sma200"].isChecked() and "sma200" in win.left.price.overlays
    assert (win.width(), win.height()) == size
    assert win.settings.swings.major_strength == 8
    candles = win.left.analysis.candles
    assert _markers(win) == _brute_swings(candles.high, candles.low, 8)
    assert _open_settings(win, qtbot).findChild(QSpinBox, "swings.major_strength").value() == 8
    QApplication.activeModalWidget().reject()


def test_the_timeframe_comes_back_after_a_restart(app, qtbot):
    win = app.open()
    with qtbot.waitSignal(win.worker.status, timeout=30_000,
                          check_params_cb=lambda s: s.serving.timeframe == "4h"):
        QTest.mouseClick(win.pickers.timeframe_buttons["4h"], Qt.LeftButton)
    qtbot.waitUntil(lambda: win.left.analysis is not None and win._analysis.timeframe == "4h", timeout=60_000)
    app.close(win)
    win = app.open()
    assert win.worker.timeframe == "4h"
    assert win.pickers.timeframe_group.checkedAction().data() == "4h"
    assert win._analysis.timeframe == "4h"


def test_a_broken_settings_file_is_reported_set_aside_and_the_app_opens_on_defaults(app, qtbot):
    (app.data_dir / "settings.json").write_text('{"schema_version": 2, "swings": {"major_strength": 99}}')
    seen = []

    def answer():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        seen.append(box.text())
        box.button(QMessageBox.Ok).click()

    QTimer.singleShot(0, answer)
    win = app.open()
    assert seen and "were not used" in seen[0] and "from 1 to 50" in seen[0]
    assert win.settings.swings.major_strength == 5
    kept = list(app.data_dir.glob("settings.invalid-*.json"))
    assert len(kept) == 1 and "99" in kept[0].read_text()


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_shows_the_error_dialog_and_the_window_goes_on(app, qtbot):
    win = app.open()
    # a malformed update, as a buggy data layer would send: the window's slot fails on it
    win.worker.market.emit(object())
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), QMessageBox))
    box = QApplication.activeModalWidget()
    assert box.objectName() == "uncaught_error"
    assert "AttributeError" in box.text() and "keeps running" in box.text()
    assert "_on_market" in box.detailedText()
    log = (app.data_dir / "logs" / "smtdesk.log").read_text()
    assert "uncaught exception" in log and "_on_market" in log
    qtbot.mouseClick(box.button(QMessageBox.Ok), Qt.LeftButton)
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None)

    toolbar = win.findChild(QToolBar, "chart_toolbar")
    qtbot.mouseClick(toolbar.widgetForAction(win.stacked_action), Qt.LeftButton)
    assert win.charts.orientation() == Qt.Vertical
    dialog = _open_settings(win, qtbot)
    _type_major_strength(dialog, qtbot, 6)
    _press_ok(dialog, qtbot, win)
    candles = win.left.analysis.candles
    assert _markers(win) == _brute_swings(candles.high, candles.low, 6)


@pytest.mark.qt_no_exception_capture
def test_a_live_event_the_window_fails_on_leaves_the_events_after_it_shown(app, qtbot):
    win = app.open()
    listed = signal_at(win.sidebar, 0)
    # a malformed event, then a sound one behind it: the first fails in its own turn
    win.worker.events.emit(Events((object(),), ()))
    win.worker.events.emit(Events((replace(listed, id="after-the-failed-one"),), ()))
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), QMessageBox))
    box = QApplication.activeModalWidget()
    assert "_show_events" in box.detailedText()
    qtbot.mouseClick(box.button(QMessageBox.Ok), Qt.LeftButton)
    qtbot.waitUntil(lambda: "after-the-failed-one" in
                    {signal_at(win.sidebar, r).id for r in range(win.sidebar.count())})


def test_moving_average_periods_from_the_dialog_leave_a_dropped_overlay_empty(app, qtbot):
    win = app.open()
    assert win.overlay_actions["sma20"].isChecked()
    dialog = _open_settings(win, qtbot)
    dialog.tabs.setCurrentIndex(2)
    periods = dialog.findChild(QLineEdit, "indicators.ma_periods")
    periods.selectAll()
    qtbot.keyClicks(periods, "5, 10, 50, 100")
    _press_ok(dialog, qtbot, win)
    indicators = win.left.analysis.indicators
    assert "sma100" in indicators and "sma20" not in indicators
    assert win.overlay_actions["sma20"].isChecked()
    x0, x1 = win.left.price.visible_x()
    assert all(np.isnan(win.left.price.overlays["sma20"][0].visible_range(x0, x1))), "no line, no error"
    assert np.isfinite(win.left.price.overlays["sma50"][0].visible_range(x0, x1)).all()


def test_smt_alerts_switched_off_in_the_dialog_raise_nothing_live(app, qtbot):
    win = app.open()
    dialog = _open_settings(win, qtbot)
    dialog.tabs.setCurrentIndex(list(dialog.editors).index("alerts"))
    box = dialog.findChild(QCheckBox, "alerts.smt")
    qtbot.mouseClick(box, Qt.LeftButton, pos=box.rect().bottomLeft() + QPoint(5, -5))
    assert not box.isChecked()
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.Ok), Qt.LeftButton)
    app.close(win)

    win = app.open("--replay-seconds", "0.05")
    raised = []
    win.worker.events.connect(lambda e: raised.extend(e.signals))

    def alertable(sig) -> bool:  # what the default policy alerts
        return (sig.kind == "smt" and sig.state.value in ("forming", "divergence", "confirmed")
                and not sig.tags & {"counter-trend", "weak pair"})

    qtbot.waitUntil(lambda: sum(map(alertable, raised)) >= 2, timeout=60_000)
    alerts = [win.sidebar.alerts.topLevelItem(r).data(0, Qt.UserRole) for r in range(alert_count(win.sidebar))]
    assert not [a for a in alerts if a.kind == "smt"], "other families may alert; SMT does not"


def test_ctrl_comma_opens_the_settings(app, qtbot):
    win = app.open()
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
    qtbot.keyClick(win, Qt.Key_Comma, Qt.ControlModifier)
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), SettingsDialog))
    QApplication.activeModalWidget().reject()


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_task_nobody_awaits_shows_the_error_dialog(app, qtbot):
    app.open()

    async def fails():
        raise LookupError("no candle at that time")

    task = asyncio.ensure_future(fails())  # on the app's qasync loop
    qtbot.waitUntil(task.done)
    del task
    gc.collect()
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), QMessageBox))
    box = QApplication.activeModalWidget()
    assert "LookupError: no candle at that time" in box.text()
    assert "never retrieved" in box.detailedText()
    box.button(QMessageBox.Ok).click()


def test_a_layout_change_is_saved_without_closing(app, qtbot):
    win = app.open()
    path = app.data_dir / "settings.json"
    qtbot.mouseClick(win.findChild(QToolBar, "chart_toolbar").widgetForAction(win.stacked_action), Qt.LeftButton)
    qtbot.waitUntil(lambda: path.exists() and json.loads(path.read_text())["layout"]["stacked"], timeout=5_000)
    layout = json.loads(path.read_text())["layout"]
    assert layout["venue"] == "demo" and layout["timeframe"] == "1h"
    assert layout["symbols"] == ["BTC/USDT:USDT", "ETH/USDT:USDT"]
