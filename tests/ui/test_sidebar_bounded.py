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


def test_a_history_listed_from_its_table_then_live_events_list_and_count_as_a_dict_would(qapp):
    from smtdesk.core.signals.engine import SignalEngine
    from smtdesk.core.signals.event_table import LatestSignals, tally
    from smtdesk.ui.signal_filter import ANY
    from tests.core.test_engine_fastpaths import walk

    table = SignalEngine("1h", ("A", "B"), major=3).run(walk(5, 1500), walk(6, 1500, vol=0.012))
    by_id = {e.id: e for e in table}
    sidebar = SignalSidebar()
    sidebar.set_signals(LatestSignals(table))
    forming = next(s for s in by_id.values() if s.kind == "smt" and s.state is State.FORMING)
    rsi = next(s for s in by_id.values() if s.kind.startswith("rsi"))
    live = [replace(forming, state=State.CONFIRMED), replace(rsi, state=State.INVALIDATED),
            replace(forming, id="smt:new", state=State.DIVERGENCE)]
    sidebar.show_signals(live)
    for sig in live:
        by_id[sig.id] = sig
    sidebar.kind_filter.setCurrentIndex(sidebar.kind_filter.findData(ANY))
    sidebar.hide_ended.setChecked(False)

    assert [s.id for s in sidebar.listed()] == list(by_id)[::-1]
    assert sidebar.listed()[list(by_id)[::-1].index(forming.id)].state is State.CONFIRMED
    counts = sidebar.filter().counts(tally(by_id))
    for box, field in ((sidebar.kind_filter, "kind"), (sidebar.state_filter, "state")):
        assert [box.itemText(i) for i in range(box.count())] == [
            f"{box.itemData(i, 0x0101)} ({counts[field][box.itemData(i)]})" for i in range(box.count())]
    sidebar.state_filter.setCurrentIndex(sidebar.state_filter.findData(State.CONFIRMED.value))
    assert [s.id for s in sidebar.listed()] == [i for i, s in reversed(by_id.items())
                                                if s.state is State.CONFIRMED]


def test_the_history_found_again_keeps_its_rows_and_a_policy_recolours_them(qapp):
    from PySide6.QtCore import Qt

    from smtdesk.core.pair_model import AlertPolicy
    from smtdesk.ui.theme import DARK

    sidebar = SignalSidebar()
    sigs = [replace(smt(State.CONFIRMED), id=f"smt:{i}", known_time=i * HOUR_MS) for i in range(3)]
    sidebar.set_signals({s.id: s for s in sigs})
    rows = [sidebar.tree.topLevelItem(r) for r in range(3)]
    moved_on = replace(sigs[1], state=State.DIVERGENCE)
    sidebar.set_signals({s.id: s for s in (sigs[0], moved_on, sigs[2])})
    assert [sidebar.tree.topLevelItem(r) for r in range(3)] == rows  # not made again
    assert rows[1].data(0, Qt.UserRole) == moved_on and rows[0].data(0, Qt.UserRole) == sigs[2]
    assert rows[0].foreground(1).color().name() != DARK.text_muted
    sidebar.set_policy(AlertPolicy(families=frozenset()))  # nothing alerts: every row muted
    assert {sidebar.tree.topLevelItem(r).foreground(1).color().name() for r in range(3)} == {DARK.text_muted}
