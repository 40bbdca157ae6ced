"""The engine's fast paths give exactly the events of the plain definitions.

A live bar takes shortcuts (crosses compared as floats on the last two bars), a full
scan builds records straight into their slots and orders the merged stream with arrays;
each is checked here against the straightforward answer.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from dataclasses import replace
from types import MappingProxyType

import numpy as np
import pytest

from smtdesk.core.candles import Candles
from smtdesk.core.indicators import IndicatorSet
from smtdesk.core.indicators._common import Bar
from smtdesk.core.signals.columns import INDICATOR_CONFIG
from smtdesk.core.signals.engine import SignalEngine, _any_event_key
from smtdesk.core.signals.indicators import (
    COLUMNS,
    Derivatives,
    IndicatorColumns,
    IndicatorSignalParams,
    Series,
)
from smtdesk.core.signal import Direction, Signal, State, TradePlan, signal_from_parts
from smtdesk.core.structure.swings import SwingSet, find_swings
from tests.core.scenarios import indicator_events

HOUR = 3_600_000


def walk(seed: int, n: int, *, vol: float = 0.01) -> Candles:
    """A random walk with trending stretches, so RSI reaches its extremes and turns."""
    rng = np.random.default_rng(seed)
    drift = np.repeat(rng.normal(0, 0.004, n // 25 + 1), 25)[:n]
    close = 100 * np.exp(np.cumsum(drift + rng.normal(0, vol, n)))
    open_ = np.concatenate([[close[0]], close[:-1]])
    wick = np.abs(rng.normal(0, vol / 2, (2, n))) * close
    return Candles(
        HOUR * np.arange(n),
        open_,
        np.maximum(open_, close) + wick[0],
        np.minimum(open_, close) - wick[1],
        close,
        rng.gamma(2.0, 100.0, n),
    )


def derivatives(c: Candles, seed: int) -> Derivatives:
    rng = np.random.default_rng(seed)
    n, t = len(c), c.time + HOUR // 2
    return Derivatives(
        funding=Series(t, 0.0004 * np.sin(np.arange(n) / 30.0)),
        open_interest=Series(t, 1e5 + np.cumsum(rng.normal(0, 50, n))),
        account_ratio=Series(t, 1.35 + 1.2 * np.sin(np.arange(n) / 40.0)),
        top_account_ratio=Series(t, 1.5 + np.cumsum(rng.normal(0, 0.01, n))),
        top_position_ratio=Series(t, 1.5 + np.cumsum(rng.normal(0, 0.01, n))),
    )


@pytest.mark.parametrize("seed", [3, 11])
def test_each_live_bar_reports_exactly_the_full_scans_events_of_that_bar(seed):
    c = walk(seed, 700)
    columns = IndicatorColumns()
    columns.run(c)
    cols = columns.view()
    sw = find_swings(c.high, c.low, strength=5)
    der = derivatives(c, seed)

    def events(k: int, start: int) -> list[Signal]:
        return indicator_events(
            {name: col[:k] for name, col in cols.items()},
            c[:k],
            asset="A",
            timeframe="1h",
            swing_highs=SwingSet(sw.high_idx, [], strength=5),
            swing_lows=SwingSet(sw.low_idx, [], strength=5),
            start=start,
            derivatives=der,
        )

    full = events(len(c), 0)
    # The shortcuts matter only where these detectors fire; make sure they do.
    kinds = {e.kind for e in full}
    assert {"rsi_failure_swing", "rsi_cross_70", "bb_outside", "kdj_cross"} <= kinds
    for k in range(300, len(c) + 1):
        known_now = [e for e in full if e.known_time == c.time[k - 1]]
        assert events(k, k - 1) == known_now


def test_records_built_from_parts_equal_the_constructed_ones():
    plan = TradePlan(Direction.BEARISH, 10.0, 11.0, 8.0, 2.0, 1.5, "fvg")
    fields = {
        "id": "smt:bearish:A:1",
        "kind": "smt",
        "direction": Direction.BEARISH,
        "state": State.CONFIRMED,
        "assets": ("A", "B"),
        "timeframe": "1h",
        "ref_time": 1,
        "known_time": 2,
        "levels": {"A.swept": 1.0},
        "level_times": {"A.swept": 1},
        "tags": frozenset({"weak pair"}),
        "plan": plan,
        "reason": "B closed below the MSS level",
        "provisional": False,
    }
    built = Signal(**fields)
    parts = signal_from_parts(
        *(MappingProxyType(v) if isinstance(v, dict) else v for v in fields.values())
    )
    assert parts == built and repr(parts) == repr(built)
    with pytest.raises(AttributeError):
        parts.state = State.CANCELLED  # still frozen


@pytest.mark.parametrize("assets", [("BTC", "ETH"), ("BTC", "BTC:USDT")])
def test_the_merged_stream_is_in_event_key_order(assets):
    # ("BTC", "BTC:USDT"): one id prefix starts another, the case ids are compared one by one.
    a, b = walk(5, 1500), walk(6, 1500, vol=0.012)
    events = SignalEngine("1h", assets, major=3).run(
        a, b, derivatives={assets[0]: derivatives(a, 1)}
    )
    assert len({e.kind for e in events}) > 10
    assert events == sorted(events, key=_any_event_key)


def test_custom_levels_take_the_same_shortcuts():
    c = walk(8, 400)
    columns = IndicatorColumns()
    columns.run(c)
    cols = columns.view()
    sw = find_swings(c.high, c.low, strength=3)
    params = IndicatorSignalParams(rsi_levels=(40, 60), cci_levels=(-50.0, 50.0), adx_trend=20)

    def events(k: int, start: int) -> list[Signal]:
        return indicator_events(
            {name: col[:k] for name, col in cols.items()},
            c[:k],
            asset="A",
            timeframe="1h",
            swing_highs=SwingSet(sw.high_idx, [], strength=3),
            swing_lows=SwingSet(sw.low_idx, [], strength=3),
            start=start,
            params=params,
        )

    full = events(len(c), 0)
    assert {"rsi_cross_40", "cci_cross_50", "adx_trend_start"} <= {e.kind for e in full}
    for k in range(200, len(c) + 1, 3):
        assert events(k, k - 1) == [e for e in full if e.known_time == c.time[k - 1]]


def test_a_live_bar_treats_touches_like_the_full_scan():
    # RSI touches 70 and 50 and leaves on the same side, and crosses from a touch.
    rsi = np.array([60, 69, 70, 70, 71, 70, 70, 65, 50, 50, 49, 50, 51, 50, 50], float)
    n = len(rsi)
    cols = {name: np.full(n, np.nan) for name in COLUMNS} | {"rsi": rsi}
    c = Candles(HOUR * np.arange(n), *np.full((4, n), 10.0), np.ones(n))
    none = SwingSet([], [], strength=2)

    def events(k: int, start: int) -> list[Signal]:
        return indicator_events(
            {name: col[:k] for name, col in cols.items()},
            c[:k],
            asset="A",
            timeframe="1h",
            swing_highs=none,
            swing_lows=none,
            start=start,
        )

    full = events(n, 0)
    assert [(e.kind, e.direction, e.known_time // HOUR) for e in full] == [
        ("rsi_cross_70", Direction.BULLISH, 4),
        ("rsi_cross_70", Direction.BEARISH, 7),
        ("rsi_cross_50", Direction.BEARISH, 10),
        ("rsi_cross_50", Direction.BULLISH, 12),
    ]
    for k in range(2, n + 1):
        assert events(k, k - 1) == [e for e in full if e.known_time == c.time[k - 1]]


@pytest.mark.parametrize("bottom", [False, True])
def test_a_failure_swing_known_at_its_break_is_seen_live(bottom):
    # Top: peak 75 at bar 2, failure point 58 at bar 5 (an RSI swing low, confirmed at
    # 7), rally to 68 at bar 7, break 55 at bar 8: known at bar 8 (domain §6b rule 3),
    # not when bar 9 would confirm the rally top. The bottom is the mirror image around 50.
    rsi = np.array([50, 60, 75, 65, 60, 58, 62, 68, 55, 68, 60, 60], float)
    rsi = 100 - rsi if bottom else rsi
    n = len(rsi)
    cols = {name: np.full(n, np.nan) for name in COLUMNS} | {"rsi": rsi}
    c = Candles(HOUR * np.arange(n), *np.full((4, n), 10.0), np.ones(n))
    none = SwingSet([], [], strength=2)

    def events(k: int, start: int) -> list[Signal]:
        found = indicator_events(
            {name: col[:k] for name, col in cols.items()},
            c[:k],
            asset="A",
            timeframe="1h",
            swing_highs=none,
            swing_lows=none,
            start=start,
        )
        return [e for e in found if e.kind == "rsi_failure_swing"]

    full = events(n, 0)
    direction = Direction.BULLISH if bottom else Direction.BEARISH
    assert [(e.direction, e.ref_time // HOUR, e.known_time // HOUR) for e in full] == [
        (direction, 8, 8)
    ]
    for k in range(2, n + 1):
        assert events(k, k - 1) == [e for e in full if e.known_time == c.time[k - 1]]


def test_live_bars_after_a_full_scan_need_no_other_compiled_version():
    """A live bar hands every compiled kernel the array types the full scan did (a
    read-only array is another type to numba), so the first live bar in a session
    does not wait for another version to compile. Run in a fresh interpreter:
    versions loaded by earlier tests would hide one."""
    script = textwrap.dedent(
        """
        import sys, pkgutil, importlib
        import numpy as np
        from numba.core.dispatcher import Dispatcher
        import smtdesk.core
        from smtdesk.core.signals.engine import SignalEngine
        from tests.core.test_engine_fastpaths import derivatives, walk

        def versions():
            out = {}
            for info in pkgutil.walk_packages(smtdesk.core.__path__, "smtdesk.core."):
                module = importlib.import_module(info.name)
                for name, obj in vars(module).items():
                    if isinstance(obj, Dispatcher):
                        out[f"{info.name}.{name}"] = len(obj.signatures)
            return out

        a, b = walk(5, 1500), walk(6, 1500)
        d = {"A": derivatives(a, 1), "B": derivatives(b, 2)}
        engine = SignalEngine("1h", ("A", "B"))
        engine.run(a[:1400], b[:1400], derivatives=d)
        before = versions()
        for k in range(1401, 1501):
            engine.update(a[:k], b[:k], derivatives=d)
        # Kernels only the live path calls (the warm-up of the incremental states) may
        # appear; a kernel the full scan called must not gain a version.
        grown = {k: (before[k], v) for k, v in versions().items() if before.get(k) and v != before[k]}
        print(grown)
        sys.exit(1 if grown else 0)
        """
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"live bars compiled more versions: {done.stdout}{done.stderr}"


def test_an_update_of_many_bars_orders_its_events_like_the_full_scan():
    """Many new bars at once (a reconnect's backfill) go through the table, a few
    through records sorted by the same key; both give the full scan's stream."""
    from smtdesk.core.signals.engine import _FEW_EVENTS

    a, b = walk(21, 2400), walk(22, 2400)
    full = SignalEngine("1h", ("A", "B")).run(a, b)
    engine = SignalEngine("1h", ("A", "B"))
    head = list(engine.run(a[:1500], b[:1500]))
    many = engine.update(a[:2300], b[:2300])
    few = [e for k in range(2301, 2401) for e in engine.update(a[:k], b[:k])]
    assert len(many) > _FEW_EVENTS
    assert head + many + few == list(full)


def test_indicator_values_handed_in_grow_the_columns_as_computing_them_would():
    # A caller's own set of the same periods (and moving averages the columns never read)
    # steps the bars; handed in, they give the columns of a full run. Values for other
    # bars than the update brings are not taken, and a set left behind is made again.
    c = walk(5, 400)
    own = IndicatorSet.from_history(c.high[:300], c.low[:300], c.close[:300], c.volume[:300],
                                    config=replace(INDICATOR_CONFIG, sma_periods=(5, 20), ema_periods=(9,)))
    columns = IndicatorColumns()
    columns.run(c[:300])
    for k in range(300, 400):
        bar = Bar(high=float(c.high[k]), low=float(c.low[k]), close=float(c.close[k]),
                  volume=float(c.volume[k]))
        values = [own.update(bar)]
        if k % 7 == 0:
            values = values * 2  # two rows for one new bar: computed by the columns instead
        columns.update(c[: k + 1], None if 330 <= k < 340 else values)
    full = IndicatorColumns()
    full.run(c)
    got, want = columns.view(), full.view()
    assert set(got) == set(COLUMNS)
    for name in COLUMNS:
        assert np.array_equal(got[name], want[name], equal_nan=True), name
