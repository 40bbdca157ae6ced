import asyncio
import time
from dataclasses import replace

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from smtdesk import app as smtdesk_app
from smtdesk.core.signal import State
from smtdesk.data.alert_log import AlertLog
from smtdesk.data.demo import DemoSource
from smtdesk.data.status import Events
from smtdesk.data.userstore import UserStore
from tests.data.test_alert_log import smt
from tests.ui.drive import drag
from tests.ui.probes import alert_count, signal_at


def x_range(chart):
    return tuple(chart.price.vb.viewRange()[0])


def test_live_candles_arrive_and_both_charts_follow_the_newest(window, qtbot):
    n0 = len(window.left.analysis.candles)
    qtbot.waitUntil(
        lambda: len(window.left.analysis.candles) >= n0 + 4
        and window.right.analysis.candles.time[-1] == window.left.analysis.candles.time[-1],
        timeout=20_000,
    )
    newest = window.left.analysis.candles.time[-1] / 1000
    assert x_range(window.left)[0] < newest <= x_range(window.left)[1]
    assert "Demo (recorded data)" in window.source_label.text()


def test_dragging_one_chart_pans_the_other_and_stops_following(window, qtbot, artifacts):
    before = x_range(window.left)
    view = window.left.price.viewport()
    mid = QPoint(view.width() // 2, view.height() // 3)
    drag(view, mid, mid + QPoint(400, 0))
    after = x_range(window.left)
    assert after[1] < before[1] - 3600, "dragging right shows older candles"
    assert x_range(window.right) == pytest.approx(after)

    n = len(window.left.analysis.candles)
    qtbot.waitUntil(lambda: len(window.left.analysis.candles) >= n + 3, timeout=20_000)
    assert x_range(window.left) == pytest.approx(after), "scrolled back: the view stays put"
    window.grab().save(str(artifacts / "main_window_dragged.png"))


def test_history_signals_listed_and_a_live_one_raises_a_notice(window, qtbot, artifacts):
    assert window.sidebar.count() >= 1
    listed = [signal_at(window.sidebar, r) for r in range(window.sidebar.count())]
    assert {s.kind for s in listed} == {"smt"}, "the list opens on SMT signals"
    assert all(len(s.assets) == 2 for s in listed)
    qtbot.waitUntil(window.notice.isVisible, timeout=25_000)
    assert "SMT" in window.notice.text()
    for tree in (window.sidebar.tree, window.sidebar.alerts):
        assert tree.header().length() <= tree.viewport().width(), "every column fits the sidebar"
    window.grab().save(str(artifacts / "main_window.png"))


def test_swing_markers_sit_on_the_candles_they_mark(window):
    a = window.left.analysis
    xs, ys = window.left.price.swing_highs.getData()
    assert len(xs) == len(a.swings.high_idx) > 0
    assert (ys > a.candles.high[a.swings.high_idx]).all()
    assert list(xs) == list(a.candles.time[a.swings.high_idx] / 1000)


def test_missing_demo_data_shows_a_dialog_and_exits_cleanly(qapp, tmp_path, capsys):
    (tmp_path / "demo").mkdir()
    seen = []

    def close_dialog():
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(box.text())
            box.accept()
        else:
            QTimer.singleShot(50, close_dialog)

    QTimer.singleShot(50, close_dialog)
    code = smtdesk_app.main(["--resources", str(tmp_path)])
    assert code == smtdesk_app.EXIT_DATA_ERROR
    assert seen and "missing" in seen[0]
    assert "missing" in capsys.readouterr().err


def test_alert_history_from_earlier_runs_is_listed_and_new_alerts_join_it(qtbot, qloop, tmp_path):
    store = UserStore(tmp_path / "user.sqlite")
    AlertLog(store, venue="binanceusdm").record((smt(State.CONFIRMED, plan=True),))
    win = smtdesk_app.create_window(DemoSource(live_bars=300, seconds_per_bar=0.05), user_store=store)
    qtbot.addWidget(win)
    win.show()
    assert alert_count(win.sidebar) == 1
    assert "confirmed" in win.sidebar.alerts.topLevelItem(0).text(1)
    win.worker.start()
    qtbot.waitUntil(lambda: alert_count(win.sidebar) >= 2, timeout=30_000)
    newest = win.sidebar.alerts.topLevelItem(0).data(0, Qt.UserRole)
    assert newest.kind == "smt" and newest.timeframe == "1h"
    assert win.notice.isVisible()
    win.close()
    stopping = asyncio.ensure_future(win.worker.stop())
    qtbot.waitUntil(stopping.done, timeout=10_000)


def test_unreadable_user_data_is_reported_and_the_app_runs_without_it(qapp, tmp_path, monkeypatch):
    (tmp_path / "user-data.sqlite").write_bytes(b"this is not a database" * 100)
    shown = []
    monkeypatch.setattr(smtdesk_app.QMessageBox, "warning", lambda _parent, title, text: shown.append(text))
    assert smtdesk_app.open_user_store(tmp_path) is None
    assert shown and "user-data.sqlite" in shown[0]
    assert (tmp_path / "user-data.sqlite").read_bytes() == b"this is not a database" * 100, "left untouched"


def test_the_charts_show_while_the_historys_signals_are_still_being_found(qtbot, qloop):
    win = smtdesk_app.create_window(DemoSource(live_bars=3, seconds_per_bar=3600.0))
    qtbot.addWidget(win)
    worker = win.worker
    detect = worker._model.detect
    release = []

    def slow_detect():  # as on a first start, while the detection loops compile
        while not release:
            time.sleep(0.01)
        return detect()

    worker._model.detect = slow_detect
    win.show()
    worker.start()
    qtbot.waitUntil(lambda: win.left.analysis is not None and win.right.analysis is not None, timeout=30_000)
    assert win.left.price.candles.bar_count() == len(win.left.analysis.candles) > 0
    # the candles alone first, then with their indicators while the signals are found
    qtbot.waitUntil(lambda: "Finding the signals" in win.sidebar.detail.text(), timeout=30_000)
    assert win.sidebar.count() == 0, "no signal yet"
    release.append(True)
    qtbot.waitUntil(lambda: win.sidebar.count() > 0, timeout=30_000)
    assert "Finding" not in win.sidebar.detail.text()
    win.close()
    stopping = asyncio.ensure_future(worker.stop())
    qtbot.waitUntil(stopping.done, timeout=10_000)


def test_events_still_queued_for_the_series_shown_before_never_list_in_the_next(still_window, qtbot):
    win = still_window
    shown = win._analysis
    old = signal_at(win.sidebar, 0)
    win.worker.events.emit(Events((replace(old, id="from-the-series-before"),), ()))  # waits its turn
    win.worker.snapshot.emit(replace(shown, timeframe="4h"))  # another series: drawn at once
    listed = {signal_at(win.sidebar, r).id for r in range(win.sidebar.count())}
    assert old.id in listed, "the new series' own signals are listed"
    assert "from-the-series-before" not in listed
