"""The columnar event table reads as the sequence of Signal records it stands for."""

from __future__ import annotations

import math
from dataclasses import fields
from types import MappingProxyType

import numpy as np
import pytest

from smtdesk.core.signals.engine import SignalEngine, SmtEngine
from smtdesk.core.signals.event_table import Block, EventTable, LatestSignals, tally, where
from smtdesk.core.signal import Direction, Signal, State
from tests.core.test_engine_fastpaths import derivatives, walk

HOUR = 3_600_000


@pytest.fixture(scope="module")
def table() -> EventTable:
    a, b = walk(5, 1500), walk(6, 1500, vol=0.012)
    return SignalEngine("1h", ("A", "B"), major=3).run(a, b, derivatives={"A": derivatives(a, 1)})


def test_indexing_iterating_and_slicing_agree(table):
    events = list(table)
    assert len(events) == len(table) > 1000
    assert {e.kind for e in events} >= {"smt", "rsi_cross_70", "overheat_short", "whale_split"}
    assert [table[i] for i in range(0, len(table), 7)] == events[::7]
    assert table[-1] == events[-1] and table[-len(table)] == events[0]
    with pytest.raises(IndexError):
        table[len(table)]
    assert list(table[10:300:3]) == events[10:300:3]
    assert isinstance(table[10:20], EventTable)


def test_compares_and_concatenates_like_a_list(table):
    events = list(table)
    assert table == events and events == table and table == tuple(events)
    assert table != events[:-1] and table != [*events[:-1], events[0]]
    assert table + [] == events and [] + table == events
    grown = list(table[:5])
    grown += table[5:]
    assert grown == events


def test_columns_and_select_match_the_records(table):
    events = list(table)
    assert table.known_time.tolist() == [e.known_time for e in events]
    assert table.ref_time.tolist() == [e.ref_time for e in events]
    late = table.known_time > events[len(events) // 2].known_time
    assert list(table.select(late)) == [e for e, keep in zip(events, late) if keep]


def test_latest_signals_read_as_the_dict_filled_event_by_event(table):
    by_id: dict[str, Signal] = {}
    for e in table:
        by_id[e.id] = e
    latest = LatestSignals(table)
    assert len(by_id) < len(table)  # ids that passed through several states
    assert latest == by_id and list(latest) == list(by_id)
    assert latest.values() == list(by_id.values()) and latest.items() == list(by_id.items())
    for sig_id in list(by_id)[::13]:
        assert sig_id in latest and latest[sig_id] == by_id[sig_id]
    smt = next(i for i in by_id if i.startswith("smt"))
    for absent in ("", "smt", smt + "0", smt[:-1] + "x", "nothing:" + smt.rsplit(":", 1)[1]):
        assert absent not in latest and latest.get(absent) is None
    with pytest.raises(KeyError):
        latest[smt + "0"]


def test_latest_signals_are_counted_and_picked_without_reading_them_all(table):
    by_id = {e.id: e for e in table}
    latest = LatestSignals(table)
    assert tally(latest) == tally(by_id) and sum(tally(latest).values()) == len(by_id)

    def confirmed_smt(kind, state, _direction):
        return kind == "smt" and state is State.CONFIRMED

    also = [i for i in by_id if i.startswith("rsi")][:3] + ["not an id"]
    expected = [s for s in by_id.values() if confirmed_smt(s.kind, s.state, None) or s.id in also]
    assert 3 < len(expected) < len(by_id)
    assert latest.where(confirmed_smt, also) == expected == where(by_id, confirmed_smt, also)
    assert LatestSignals(table[:0]) == {} and LatestSignals(table[:0]).where(confirmed_smt) == []


def test_records_equal_constructed_ones_with_plain_values(table):
    events = list(table)
    confirmed = [e for e in events if e.state is State.CONFIRMED and e.plan is not None]
    assert confirmed and any(math.isnan(e.plan.target) for e in confirmed)
    for e in events[::11] + confirmed:
        made = Signal(**{f.name: getattr(e, f.name) for f in fields(Signal)})
        assert e == made and repr(e) == repr(made)
        assert type(e.levels) is MappingProxyType and type(e.level_times) is MappingProxyType
        assert all(type(v) is float for v in e.levels.values())
        assert all(type(t) is int for t in (e.ref_time, e.known_time, *e.level_times.values()))


def test_two_runs_give_equal_records_even_without_a_target():
    a, b = walk(5, 1500), walk(6, 1500, vol=0.012)
    first, second = (SmtEngine("1h", ("A", "B"), major=3).run(a, b) for _ in range(2))
    assert any(e.plan is not None and math.isnan(e.plan.target) for e in first)
    assert first == second


def _block(prefix: str, state: State, ref, known) -> Block:
    kind, direction, asset, _ = prefix.split(":")
    return Block(
        kind=kind,
        direction=Direction(direction),
        state=state,
        assets=(asset,),
        prefix=prefix,
        ref=np.asarray(ref, np.int64),
        known=np.asarray(known, np.int64),
        names=("x",),
        values=(np.arange(len(ref), dtype=float),),
    )


def test_order_is_known_bar_group_referred_bar_id_state():
    time = HOUR * np.arange(10)
    blocks = [
        _block("b:bearish:A:", State.TRIGGERED, [1, 2], [3, 3]),
        _block("a:bullish:A:", State.TRIGGERED, [2, 0], [3, 5]),
        _block("smt:bearish:A:", State.DIVERGENCE, [0], [3]),
        _block("smt:bearish:A:", State.FORMING, [0], [3]),
    ]
    table = EventTable.build(blocks, time=time, timeframe="1h", group=[1, 1, 0, 0])
    assert [(e.id, e.state, e.known_time // HOUR) for e in table] == [
        ("smt:bearish:A:0", State.FORMING, 3),
        ("smt:bearish:A:0", State.DIVERGENCE, 3),
        (f"b:bearish:A:{HOUR}", State.TRIGGERED, 3),
        (f"a:bullish:A:{2 * HOUR}", State.TRIGGERED, 3),
        (f"b:bearish:A:{2 * HOUR}", State.TRIGGERED, 3),
        ("a:bullish:A:0", State.TRIGGERED, 5),
    ]
    assert EventTable.build([], time=time, timeframe="1h") == []


def test_an_id_may_end_in_another_bar_than_the_referred_one():
    # A failure swing refers to its break bar and is named after its peak's bar.
    time = HOUR * np.arange(10)
    for prefixes in (("fs:bearish:A:", "fs:bullish:A:"), ("fs:A:", "fs:A:x:")):  # both order paths
        blocks = [
            Block(kind="fs", direction=Direction.BEARISH, state=State.TRIGGERED, assets=("A",),
                  prefix=prefixes[0], ref=np.array([6, 8]), known=np.array([6, 8]),
                  id_bar=np.array([2, 5])),
            Block(kind="fs", direction=Direction.BULLISH, state=State.TRIGGERED, assets=("A",),
                  prefix=prefixes[1], ref=np.array([7]), known=np.array([7])),
        ]
        table = EventTable.build(blocks, time=time, timeframe="1h")
        assert [(e.id, e.ref_time // HOUR) for e in table] == [
            (f"{prefixes[0]}{2 * HOUR}", 6),
            (f"{prefixes[1]}{7 * HOUR}", 7),
            (f"{prefixes[0]}{5 * HOUR}", 8),
        ]
        assert table[2].id == f"{prefixes[0]}{5 * HOUR}"


def test_a_full_scan_rejects_unaligned_series_before_any_work():
    a, b = walk(5, 300), walk(6, 300)
    eng = SignalEngine("1h", ("A", "B"))
    with pytest.raises(ValueError, match="aligned"):
        eng.run(a, b[:-1])
    assert eng.run(a, b) == SignalEngine("1h", ("A", "B")).run(a, b)
