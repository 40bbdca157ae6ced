"""Bar replay as a trader uses it: pick a bar on the chart, step, play a day at 100×,
pause, leave; swings marked meanwhile are kept only when the trader says so."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from smtdesk.data.bar_replay import SPEEDS
from tests.e2e.test_manual_swings import choose, right_click_menu, view_point


def last_time(chart) -> int:
    return int(chart.analysis.candles.time[-1])


def pick(win, qtbot, i: int) -> int:
    """Replay from bar ``i`` of the left chart, clicked."""
    c = win.left.analysis.candles
    win.replay.start_action.trigger()
    QTest.mouseClick(win.left.price.viewport(), Qt.LeftButton,
                     pos=view_point(win.left, c.time[i] / 1000, float(c.close[i])))
    t = int(c.time[i])
    qtbot.waitUntil(lambda: last_time(win.left) == t and last_time(win.right) == t
                    and win._analysis.detected, timeout=30_000)
    return t


def test_replay_a_day_from_a_clicked_bar_then_back_to_the_market(app, qtbot, artifacts):
    win = app.open()
    whole = win.left.analysis.candles
    i = len(whole) - 40  # on screen in the default view
    t = pick(win, qtbot, i)
    assert win.replay.banner.isVisible()
    assert "REPLAY" in win.replay.banner.text() and "paused" in win.replay.banner.text()
    assert all(s.known_time <= t for s in win._analysis.signals), "nothing after the cursor"

    QTest.keyClick(win, Qt.Key_Right)  # one bar while paused
    qtbot.waitUntil(lambda: last_time(win.left) == int(whole.time[i + 1]), timeout=10_000)
    qtbot.wait(300)
    assert last_time(win.left) == int(whole.time[i + 1])

    win.replay.speed.setCurrentIndex(SPEEDS.index(100))
    QTest.keyClick(win, Qt.Key_Space)
    qtbot.waitUntil(lambda: last_time(win.left) >= int(whole.time[i + 25]), timeout=20_000)
    QTest.keyClick(win, Qt.Key_Space)
    win.grab().save(str(artifacts / "bar_replay.png"))
    assert "paused" in win.replay.banner.text() or "end of the data" in win.replay.banner.text()

    win.replay.exit_action.trigger()  # nothing marked: no question
    qtbot.waitUntil(lambda: last_time(win.left) >= int(whole.time[-1]), timeout=30_000)
    assert not win.replay.banner.isVisible() and win.worker.replay is None
    assert win.worker.source.name == "demo"


def test_the_speed_picked_before_a_replay_is_its_speed(app, qtbot):
    win = app.open()
    win.replay.speed.setCurrentIndex(SPEEDS.index(100))
    pick(win, qtbot, len(win.left.analysis.candles) - 40)
    assert win.worker.replay.speed == 100
    assert "100×" in win.replay.banner.text()


def test_a_swing_marked_during_a_replay_is_kept_only_when_asked(app, qtbot):
    win = app.open()
    c = win.left.analysis.candles
    i = len(c) - 30
    before = set(win.left.analysis.manual)
    for keep, answer in ((False, QMessageBox.No), (True, QMessageBox.Yes)):
        pick(win, qtbot, i)
        j = i - 5
        menu = right_click_menu(win.left, qtbot, c.time[j] / 1000, float(c.high[j]))
        choose(menu, "Mark swing high")
        qtbot.waitUntil(lambda: any(m.time == int(c.time[j]) for m in win.left.analysis.manual),
                        timeout=10_000)

        def answer_the_question(answer=answer):
            box = QApplication.activeModalWidget()
            if isinstance(box, QMessageBox):
                QTest.mouseClick(box.button(answer), Qt.LeftButton)
            else:
                QTimer.singleShot(50, answer_the_question)

        QTimer.singleShot(50, answer_the_question)
        win.replay.exit_action.trigger()
        qtbot.waitUntil(lambda: win.worker.replay is None
                        and last_time(win.left) >= int(c.time[-1]), timeout=30_000)
        qtbot.waitUntil(lambda: win._analysis.detected, timeout=30_000)
        kept = {m.time for m in win.left.analysis.manual} - {m.time for m in before}
        assert kept == ({int(c.time[j])} if keep else set())


def test_a_date_typed_in_the_replay_field_starts_there(app, qtbot):
    win = app.open()
    c = win.left.analysis.candles
    t = int(c.time[len(c) - 100])
    field = win.replay.date
    field.setFocus()
    field.setSelectedSection(field.sectionAt(0))
    QTest.keyClicks(field, datetime.fromtimestamp(t / 1000, UTC).strftime("%Y%m%d%H%M"))
    QTest.mouseClick(win.replay.toolbar.widgetForAction(win.replay.go_action), Qt.LeftButton)
    qtbot.waitUntil(lambda: last_time(win.left) == t, timeout=30_000)
    assert win.worker.replay is not None
    # → now steps the replay, not the cursor in the date field
    assert not field.hasFocus()
    QTest.keyClick(QApplication.focusWidget(), Qt.Key_Right)
    qtbot.waitUntil(lambda: last_time(win.left) == int(c.time[len(c) - 99]), timeout=10_000)
