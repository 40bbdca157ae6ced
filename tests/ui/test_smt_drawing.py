"""What an SMT signal draws on each asset's pane, from hand-made records."""

import math

from smtdesk.core.signal import Direction, Signal, State, TradePlan
from smtdesk.ui.smt_drawing import Account, plan_drawing, plan_rows, smt_drawing
from smtdesk.ui.theme import DARK, LIGHT

A, B = "BTC/USDT:USDT", "ETH/USDT:USDT"
HOUR = 3600


def t(bar: int) -> int:
    return bar * HOUR * 1000


def smt(state: State, *, provisional=False, direction=Direction.BEARISH, plan=None, **levels) -> Signal:
    """A signal where A swept its high at bar 10 (swing at bar 4) and B held."""
    values = {f"{A}.swept": 100.0, f"{A}.new": 105.0, f"{B}.prior": 50.0, f"{B}.new": 48.0, "mss": 45.0}
    times = {f"{A}.swept": t(4), f"{A}.new": t(12), f"{B}.prior": t(5), f"{B}.new": t(12), "mss": t(9)}
    for name, (value, bar) in levels.items():
        values[name.replace("_", ".").replace("BTC", A).replace("ETH", B)] = value
        times[name.replace("_", ".").replace("BTC", A).replace("ETH", B)] = t(bar)
    return Signal(id="smt:bearish:A:1", kind="smt", direction=direction, state=state, assets=(A, B),
                  timeframe="1h", ref_time=t(10), known_time=t(15), levels=values, level_times=times,
                  plan=plan, provisional=provisional)


def lines(drawing, role):
    return [(ln.x0, ln.y0, ln.x1, ln.y1, ln.dashed) for ln in drawing.lines if ln.role == role]


def test_each_asset_joins_its_own_two_swings_and_only_the_traded_one_has_the_mss():
    sig = smt(State.DIVERGENCE)
    on_a = smt_drawing(sig, A, DARK, last_time=20 * HOUR)
    on_b = smt_drawing(sig, B, DARK, last_time=20 * HOUR)
    assert lines(on_a, "smt") == [(4 * HOUR, 100.0, 12 * HOUR, 105.0, False)]
    assert lines(on_b, "smt") == [(5 * HOUR, 50.0, 12 * HOUR, 48.0, False)]
    assert lines(on_a, "mss") == []
    # no break yet: the level runs dashed to the newest bar
    assert lines(on_b, "mss") == [(9 * HOUR, 45.0, 20 * HOUR, 45.0, True)]
    assert [lab.rows[0][0] for lab in on_b.labels] == ["Bearish SMT · divergence",
                                                         "MSS 45.00 · awaiting a close below"]
    assert smt_drawing(sig, "SOL/USDT:USDT", DARK, last_time=0).lines == ()


def test_a_confirmed_mss_ends_at_the_confirming_bar():
    sig = smt(State.CONFIRMED)
    assert lines(smt_drawing(sig, B, DARK, last_time=40 * HOUR), "mss") == [(9 * HOUR, 45.0, 15 * HOUR, 45.0, False)]


def test_provisional_levels_are_dashed_and_ended_signals_faded():
    forming = smt(State.FORMING, provisional=True)
    assert lines(smt_drawing(forming, A, DARK, last_time=0), "smt")[0][-1] is True
    cancelled = smt(State.CANCELLED, provisional=True)
    (line,) = smt_drawing(cancelled, A, LIGHT, last_time=0).lines
    assert line.colour == LIGHT.down + "66" and line.dashed


def test_the_other_assets_level_on_one_bar_runs_to_the_sweepers_new_swing():
    sig = smt(State.DIVERGENCE, ETH_prior=(50.0, 7), ETH_new=(50.0, 7))
    assert lines(smt_drawing(sig, B, DARK, last_time=0), "smt") == [(7 * HOUR, 50.0, 12 * HOUR, 50.0, False)]


def long_plan(target=110.0) -> TradePlan:
    return TradePlan(direction=Direction.BULLISH, entry=100.0, stop=95.0, target=target,
                     reward_risk=(target - 100.0) / 5.0, position_size=20.0, entry_reason="mss retest")


def test_a_long_plan_reads_target_entry_stop_top_down_with_size_and_risk():
    sig = smt(State.CONFIRMED, direction=Direction.BULLISH, plan=long_plan())
    rows = [text for text, _ in plan_rows(sig, Account(10_000.0, 1.0), DARK)]
    assert rows == [
        "Long ETH · R:R 2.00",
        "Target 110.00 (+10.00%)",
        "Entry 100.00 (MSS retest)",
        "Stop 95.00 (-5.00%)",
        "Size 20.000 ETH ≈ 2,000 USDT",
        "Risk 100.00 USDT = 1% of 10,000 USDT",  # 20 ETH losing 5 each
    ]


def test_zones_run_from_the_signals_bar_and_a_plan_without_target_has_no_green_zone():
    sig = smt(State.CONFIRMED, direction=Direction.BULLISH, plan=long_plan())
    drawing = plan_drawing(sig, B, DARK, bar_seconds=HOUR, bars=30, account=Account(10_000.0, 1.0))
    zones = {z.role: (z.x0, z.y0, z.x1, z.y1) for z in drawing.zones}
    assert zones == {"stop": (15 * HOUR, 95.0, 45 * HOUR, 100.0), "target": (15 * HOUR, 100.0, 45 * HOUR, 110.0)}
    assert plan_drawing(sig, A, DARK, bar_seconds=HOUR, bars=30, account=Account(1.0, 1.0)).zones == ()
    bare = smt(State.CONFIRMED, direction=Direction.BULLISH, plan=long_plan(math.nan))
    drawing = plan_drawing(bare, B, DARK, bar_seconds=HOUR, bars=30, account=Account(10_000.0, 1.0))
    assert [z.role for z in drawing.zones] == ["stop"]
    rows = [text for text, _ in drawing.labels[0].rows]
    assert rows[0] == "Long ETH · R:R –" and rows[1] == "Target – (no pool in reach)"
