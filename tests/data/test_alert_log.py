"""Each alert is raised once, and the history survives a restart (domain §7)."""

from __future__ import annotations

from smtdesk.core.signal import Direction, Signal, State, TradePlan
from smtdesk.data.alert_log import AlertLog, signal_from_payload, signal_payload
from smtdesk.data.userstore import UserStore


def smt(state: State, *, plan: bool = False) -> Signal:
    return Signal(
        id="smt:bearish:BTC/USDT:USDT:1768838400000",
        kind="smt",
        direction=Direction.BEARISH,
        state=state,
        assets=("BTC/USDT:USDT", "ETH/USDT:USDT"),
        timeframe="1h",
        ref_time=1768838400000,
        known_time=1768856400000,
        levels={"BTC/USDT:USDT.new": 93379.0, "ETH/USDT:USDT.prior": 3301.5},
        level_times={"BTC/USDT:USDT.new": 1768838400000, "ETH/USDT:USDT.prior": 1768770000000},
        tags=frozenset({"aligned"}),
        plan=TradePlan(Direction.BEARISH, 3196.93, 3236.60, 3061.35, 3.4, 12.6, "mss retest") if plan else None,
        reason="BTC swept the prior high; ETH held",
    )


def test_payload_round_trip_keeps_every_field():
    for sig in (smt(State.DIVERGENCE), smt(State.CONFIRMED, plan=True)):
        assert signal_from_payload(signal_payload(sig)) == sig


def test_an_alert_is_kept_once_per_state():
    log = AlertLog(venue="binanceusdm")
    assert [a.signal for a in log.record((smt(State.FORMING),))] == [smt(State.FORMING)]
    assert log.record((smt(State.FORMING),)) == ()
    assert len(log.record((smt(State.DIVERGENCE),))) == 1, "a new state is a new alert"
    assert log.seen() == {(smt(State.FORMING).id, "forming"), (smt(State.FORMING).id, "divergence")}


def test_history_survives_a_restart_and_is_not_raised_again(tmp_path):
    path = tmp_path / "user.sqlite"
    store = UserStore(path)
    log = AlertLog(store, venue="binanceusdm")
    assert len(log.record((smt(State.CONFIRMED, plan=True),), now_ms=1_700_000_000_000)) == 1
    store.close()

    again = AlertLog(UserStore(path), venue="binanceusdm")
    assert again.seen() == {(smt(State.CONFIRMED).id, "confirmed")}
    assert again.record((smt(State.CONFIRMED, plan=True),)) == ()
    [kept] = again.history()
    assert kept.raised_at == 1_700_000_000_000
    assert kept.signal == smt(State.CONFIRMED, plan=True)
    other = AlertLog(UserStore(path), venue="bybit")
    assert other.seen() == set(), "the same signal on another venue is another alert"
    assert len(other.record((smt(State.CONFIRMED, plan=True),))) == 1


def test_demo_alerts_are_kept_across_restarts_too(tmp_path):
    store = UserStore(tmp_path / "user.sqlite")
    assert len(AlertLog(store, venue="demo").record((smt(State.DIVERGENCE),))) == 1
    again = AlertLog(store, venue="demo")
    assert again.seen() == {(smt(State.DIVERGENCE).id, "divergence")}
    assert [a.signal for a in again.history()] == [smt(State.DIVERGENCE)]
