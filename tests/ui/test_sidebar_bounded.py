"""The alert list of a window left open for weeks keeps the newest rows only."""

from __future__ import annotations

from dataclasses import replace

from smtdesk.core.signal import State
from smtdesk.data.alert_log import AlertLog, RaisedAlert
from smtdesk.ui.sidebar import ALERT_ROWS, SignalSidebar
from tests.core.test_pair_model import smt

HOUR_MS = 3_600_000


def alerts(n: int) -> list[RaisedAlert]:
    """``n`` alerts one hour apart, oldest first."""
    return [RaisedAlert(i * HOUR_MS, replace(smt(State.FORMING), id=f"smt:{i}", known_time=i * HOUR_MS))
            for i in range(n)]


def test_the_alert_list_drops_its_oldest_rows_past_the_bound(qapp):
    sidebar = SignalSidebar()
    for batch in (alerts(ALERT_ROWS + 30)[k : k + 7] for k in range(0, ALERT_ROWS + 30, 7)):
        sidebar.add_alerts(batch)
    assert sidebar.alerts.topLevelItemCount() == ALERT_ROWS == 500
    newest, oldest = sidebar.alerts.topLevelItem(0), sidebar.alerts.topLevelItem(ALERT_ROWS - 1)
    assert newest.data(0, 0x0100).id == f"smt:{ALERT_ROWS + 29}"
    assert oldest.data(0, 0x0100).id == "smt:30"


def test_an_alert_log_without_a_store_keeps_the_newest_in_memory():
    log = AlertLog()
    for alert in alerts(ALERT_ROWS + 30):
        log.record((alert.signal,), now_ms=alert.raised_at)
    history = log.history(limit=10_000)
    assert len(history) == ALERT_ROWS
    assert [a.signal.id for a in history[:2]] == [f"smt:{ALERT_ROWS + 29}", f"smt:{ALERT_ROWS + 28}"]
    assert history[-1].signal.id == "smt:30"


def test_a_row_says_its_tooltips_when_asked(qapp):
    from PySide6.QtCore import Qt

    from smtdesk.ui import signal_text

    sidebar = SignalSidebar()
    sig = replace(smt(State.CONFIRMED), id="smt:1", known_time=5 * HOUR_MS)
    sidebar.set_signals({sig.id: sig})
    row = sidebar.tree.topLevelItem(0)
    assert row.data(1, Qt.ToolTipRole) == signal_text.summary(sig)
    assert row.data(0, Qt.ToolTipRole) == f"Known at the close of {signal_text.bar_time(sig.known_time)} UTC"
    [raised] = alerts(1)
    sidebar.add_alerts([raised])
    assert sidebar.alerts.topLevelItem(0).data(0, Qt.ToolTipRole).startswith("Raised ")
