"""Alerts raised live are kept: a restart on the same data folder lists them and does not
raise them again when the demo replays the same candles."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.ui.probes import alert_count


def listed_alerts(win) -> list[tuple[str, str]]:
    tree = win.sidebar.alerts
    return [(s.id, s.state.value) for s in
            (tree.topLevelItem(r).data(0, Qt.UserRole) for r in range(tree.topLevelItemCount()))]


def test_alerts_survive_a_restart_and_are_raised_once(app, qtbot):
    win = app.open("--replay-seconds", "0.05")
    assert alert_count(win.sidebar) == 0
    qtbot.waitUntil(lambda: alert_count(win.sidebar) >= 1, timeout=60_000)
    assert win.notice.isVisible()
    first = listed_alerts(win)
    app.close(win)

    again = app.open("--replay-seconds", "0.05")
    assert set(first) <= set(listed_alerts(again)), "the history of the last run is listed"
    replayed = []
    again.worker.events.connect(lambda events: replayed.extend((s.id, s.state.value) for s in events.signals))
    # the demo replays the same live candles: wait until the first alert's event comes again
    qtbot.waitUntil(lambda: first[-1] in replayed, timeout=60_000)
    assert listed_alerts(again).count(first[-1]) == 1, "listed once, not raised again"
