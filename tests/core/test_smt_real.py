"""The SMT engine on recorded BTC/ETH perpetual candles: causal, and live == batch."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from smtdesk.core.candles import Candles, align_pair
from smtdesk.core.signals.engine import SignalEngine, SmtEngine
from smtdesk.core.signals.indicators import Derivatives, Series
from smtdesk.core.resample import resample
from smtdesk.core.signal import State

PERP = (
    Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "candles" / "binance_usdm_perp"
)


def load(symbol: str) -> Candles:
    path = PERP / f"{symbol}_1h.csv"
    if not path.exists():
        pytest.skip(f"recorded candles not found at {path}")
    df = pd.read_csv(path)
    return Candles(
        df.timestamp_ms.to_numpy(),
        *(df[f].to_numpy() for f in ("open", "high", "low", "close", "volume")),
    )


@pytest.fixture(scope="module")
def pair_1h() -> tuple[Candles, Candles]:
    return align_pair(load("BTCUSDT"), load("ETHUSDT"))


@pytest.fixture(scope="module", params=["1h", "4h"])
def pair(request, pair_1h):
    if request.param == "1h":
        return "1h", pair_1h
    a, b = pair_1h
    # Drop the last, possibly incomplete, bucket.
    a4, b4 = resample(a, "4h"), resample(b, "4h")
    return "4h", align_pair(a4[:-1], b4[:-1])


def engine(tf: str) -> SmtEngine:
    return SmtEngine(tf, ("BTC", "ETH"))


def test_every_state_occurs(pair):
    tf, (a, b) = pair
    states = {e.state for e in engine(tf).run(a, b)}
    assert states >= {
        State.FORMING,
        State.DIVERGENCE,
        State.CONFIRMED,
        State.CANCELLED,
        State.INVALIDATED,
    }


def test_prefix_runs_equal_events_known_by_then(pair):
    tf, (a, b) = pair
    full = engine(tf).run(a, b)
    rng = np.random.default_rng(5)
    for k in sorted(rng.choice(np.arange(50, len(a)), size=10, replace=False)):
        known = [e for e in full if e.known_time < a.time[k]]
        assert engine(tf).run(a[:k], b[:k]) == known


def test_live_bar_by_bar_equals_batch(pair):
    tf, (a, b) = pair
    start = len(a) - 1200
    eng = engine(tf)
    live = eng.run(a[:start], b[:start])
    for k in range(start + 1, len(a) + 1):
        live += eng.update(a[:k], b[:k])
    assert live == engine(tf).run(a, b)
    streamed = [e for e in live if e.known_time >= a.time[start]]
    assert any(e.state is State.CONFIRMED and e.plan is not None for e in streamed)


def test_events_never_change_bar_or_levels(pair):
    tf, (a, b) = pair
    stories: dict[str, list] = {}
    for e in engine(tf).run(a, b):
        stories.setdefault(e.id, []).append(e)
    for events in stories.values():
        assert len({e.ref_time for e in events}) == 1
        x, y = events[0].assets
        assert len({(e.levels[f"{x}.swept"], e.levels[f"{y}.prior"]) for e in events}) == 1
        final = [e for e in events if not e.provisional]
        for before, e in pairwise(final):
            fixed = {k: v for k, v in final[0].levels.items() if k != "mss"}
            assert all(e.levels[k] == v for k, v in fixed.items())
            assert all(e.level_times[k] == final[0].level_times[k] for k in fixed)
            if "mss" in before.levels:  # only moves to a later minor swing (rule 5)
                assert before.level_times["mss"] <= e.level_times["mss"]
            if "mss" in e.levels:
                assert e.level_times["mss"] < e.level_times[f"{y}.new"]


def test_gaps_are_never_filled(pair_1h):
    a, b = pair_1h
    rng = np.random.default_rng(9)
    dropped = np.sort(rng.choice(np.arange(100, len(b) - 100), size=300, replace=False))
    keep = np.setdiff1d(np.arange(len(b)), dropped)
    b_gappy = b.take(keep)
    events = engine("1h").run(a, b_gappy, align=True)
    assert events == engine("1h").run(a.take(keep), b_gappy)
    missing = set(b.time[dropped].tolist())
    assert all(t not in missing for e in events for t in (e.known_time, *e.level_times.values()))


def _derivatives(c: Candles, seed: int) -> Derivatives:
    """Made-up derivatives series on the candles' clock, to exercise every reading."""
    rng = np.random.default_rng(seed)
    n = len(c)
    t = c.time + 1_800_000  # observed mid-bar

    def walk(start, scale):
        return Series(t, start + np.cumsum(rng.normal(0, scale, n)))

    return Derivatives(
        funding=Series(t, 0.0004 * np.sin(np.arange(n) / 50.0)),
        open_interest=walk(1e5, 50.0),
        account_ratio=Series(t, 1.35 + 1.2 * np.sin(np.arange(n) / 70.0)),
        top_account_ratio=walk(1.5, 0.01),
        top_position_ratio=walk(1.5, 0.01),
    )


def test_signal_engine_live_equals_batch_and_prefixes(pair_1h):
    a, b = pair_1h
    a, b = a[-3000:], b[-3000:]
    der = {"BTC": _derivatives(a, 1), "ETH": _derivatives(b, 2)}
    full = SignalEngine("1h", ("BTC", "ETH")).run(a, b, derivatives=der)
    kinds = {e.kind for e in full}
    assert {
        "smt",
        "rsi_divergence",
        "rsi_failure_swing",
        "overheat_long",
        "oi_shorts_building",
        "whale_split",
    } <= kinds
    start = len(a) - 150
    eng = SignalEngine("1h", ("BTC", "ETH"))
    live = eng.run(a[:start], b[:start], derivatives=der)
    for k in range(start + 1, len(a) + 1):
        live += eng.update(a[:k], b[:k], derivatives=der)
    assert live == full
    for k in (400, 1777):
        assert SignalEngine("1h", ("BTC", "ETH")).run(a[:k], b[:k], derivatives=der) == [
            e for e in full if e.known_time < a.time[k]
        ]
