import pytest
from PySide6.QtCore import QPoint, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from smtdesk import app as smtdesk_app
from tests.ui.drive import drag


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
    first = window.sidebar.signal_at(window.sidebar.count() - 1)
    assert first.kind == "smt" and len(first.assets) == 2
    qtbot.waitUntil(window.notice.isVisible, timeout=25_000)
    assert "SMT" in window.notice.text()
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
