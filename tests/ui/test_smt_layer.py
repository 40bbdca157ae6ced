"""Which SMT signals a pane draws without being asked, and the picked one."""

from smtdesk.core.signal import Direction, Signal, State, TradePlan
from smtdesk.ui.pane import Pane
from smtdesk.ui.smt_layer import SmtLayer
from smtdesk.ui.theme import DARK

A, B = "BTC/USDT:USDT", "ETH/USDT:USDT"
HOUR = 3600
LAST = 1000 * HOUR  # the newest bar's time


def sig(bar: int, state: State, *, planned=False) -> Signal:
    """An SMT record whose latest event is ``bar`` bars before the newest bar."""
    at = (LAST - bar * HOUR) * 1000
    plan = TradePlan(Direction.BEARISH, 10.0, 11.0, 8.0, 2.0, 1.0, "fvg") if planned else None
    levels = {f"{A}.swept": 1.0, f"{A}.new": 2.0, f"{B}.prior": 1.0, f"{B}.new": 0.5}
    return Signal(id=f"smt:bearish:{A}:{bar}", kind="smt", direction=Direction.BEARISH, state=state,
                  assets=(A, B), timeframe="1h", ref_time=at, known_time=at, levels=levels,
                  level_times=dict.fromkeys(levels, at - 5 * HOUR * 1000), plan=plan)


def layer(qtbot, signals) -> SmtLayer:
    pane = Pane("price")
    qtbot.addWidget(pane)
    smt = SmtLayer(pane, DARK)
    smt.set_asset(B, HOUR, LAST)
    smt.set_signals(signals)
    return smt


def ids(signals) -> list[str]:
    return [s.id.rsplit(":", 1)[1] for s in signals]


def test_the_newest_live_signals_come_first_and_ended_ones_fill_the_room(qtbot):
    old = sig(31, State.DIVERGENCE)  # past the 30 recent bars
    live = [sig(b, State.DIVERGENCE) for b in (20, 12)]
    ended = [sig(b, State.CANCELLED) for b in (25, 9, 4, 2)]
    smt = layer(qtbot, [old, *live, *ended])
    assert ids(smt.shown()) == ["20", "12", "4", "2"]  # oldest first
    smt.set_hide_ended(True)
    assert ids(smt.shown()) == ["20", "12"]
    five_live = [sig(b, State.FORMING) for b in (10, 8, 6, 5, 3)]
    smt.set_signals([*five_live, *ended])
    smt.set_hide_ended(False)
    assert ids(smt.shown()) == ["8", "6", "5", "3"], "no room left for ended ones"


def test_the_picked_signal_shows_whatever_its_age_and_brings_its_plan(qtbot):
    newest_trade = sig(3, State.CONFIRMED, planned=True)
    picked = sig(400, State.CONFIRMED, planned=True)
    smt = layer(qtbot, [newest_trade, picked])
    assert smt.planned() is newest_trade, "unpicked: the trade a trader is in now"
    smt.pick(picked)
    assert ids(smt.shown()) == ["400", "3"] and smt.planned() is picked
    smt.set_hide_ended(True)
    ended = sig(500, State.INVALIDATED)
    smt.set_signals([newest_trade, picked, ended])
    smt.pick(ended)
    assert "500" in ids(smt.shown()), "picked: drawn though ended signals are hidden"
    assert smt.planned() is None
    smt.pick(None)
    assert ids(smt.shown()) == ["3"]
