"""Benchmark: full scan of 100k aligned bar pairs, and the live per-bar update at 100k.

Run: ``python bench/smt.py [--bars 100000] [--live 200]``. Uses the recorded BTC/ETH 1h
perpetual candles from ``../shared/data`` repeated end to end when present (real
structure and event density), else two correlated random walks.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter
from pathlib import Path

import numpy as np

from smtdesk.core.candles import FIELDS, Candles, align_pair
from smtdesk.core.engine import SignalEngine, SmtEngine
from smtdesk.core.structure import fair_value_gaps, liquidity_pools, structure_shifts

PERP = (
    Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "candles" / "binance_usdm_perp"
)
HOUR = 3_600_000


def _load(symbol: str) -> Candles:
    rows = np.loadtxt(PERP / f"{symbol}_1h.csv", delimiter=",", skiprows=1)
    return Candles.from_rows(rows)


def _tile(c: Candles, n: int) -> Candles:
    reps = -(-n // len(c))
    span = int(c.time[-1] - c.time[0]) + HOUR
    time = np.concatenate([c.time + i * span for i in range(reps)])[:n]
    return Candles(time, *(np.tile(getattr(c, f), reps)[:n] for f in FIELDS))


def pair(n: int) -> tuple[Candles, Candles, str]:
    if (PERP / "BTCUSDT_1h.csv").exists() and (PERP / "ETHUSDT_1h.csv").exists():
        a, b = align_pair(_load("BTCUSDT"), _load("ETHUSDT"))
        return (
            _tile(a, n),
            _tile(b, n),
            f"recorded BTC/ETH 1h perp candles ({len(a)} bars) repeated",
        )
    rng = np.random.default_rng(0)
    common = rng.normal(0, 0.004, n)
    out = []
    for scale in (60_000.0, 3_000.0):
        close = scale * np.exp(np.cumsum(common + rng.normal(0, 0.003, n)))
        open_ = np.r_[close[0], close[:-1]]
        wick = np.abs(rng.normal(0, 0.002, (2, n))) * close
        out.append(
            Candles(
                HOUR * np.arange(n),
                open_,
                np.maximum(open_, close) + wick[0],
                np.minimum(open_, close) - wick[1],
                close,
                rng.gamma(2.0, 100.0, n),
            )
        )
    return out[0], out[1], "synthetic correlated random walks"


def best_of(fn, repeat: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def structure(a: Candles, b: Candles) -> int:
    count = 0
    for c in (a, b):
        gaps = fair_value_gaps(c.high, c.low)
        pools = liquidity_pools(c.high, c.low, c.close)
        shifts = structure_shifts(c.open, c.high, c.low, c.close, pools=pools)
        count += len(gaps.bar) + len(pools.level) + len(shifts.bar)
    return count


def live(engine_cls, a: Candles, b: Candles, bars: int) -> tuple[list[float], int]:
    n = len(a)
    eng = engine_cls("1h", ("BTC", "ETH"))
    eng.run(a[: n - bars], b[: n - bars])
    costs, events = [], 0
    for k in range(n - bars + 1, n + 1):
        ak, bk = a[:k], b[:k]  # the data layer hands over the grown series; not timed
        t0 = time.perf_counter()
        events += len(eng.update(ak, bk))
        costs.append(time.perf_counter() - t0)
    return costs, events


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bars", type=int, default=100_000)
    ap.add_argument("--live", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    a, b, source = pair(args.bars)
    print(f"data: {source}; {len(a)} aligned bar pairs")

    t_smt, smt_events = best_of(lambda: SmtEngine("1h", ("BTC", "ETH")).run(a, b), args.repeat)
    t_struct, n_struct = best_of(lambda: structure(a, b), args.repeat)
    t_all, all_events = best_of(lambda: SignalEngine("1h", ("BTC", "ETH")).run(a, b), args.repeat)
    by_state = Counter((e.direction.value, e.state.value) for e in smt_events)
    rows = [
        ("SMT only (SmtEngine.run)", t_smt, f"{len(smt_events)} events"),
        ("structure (FVG, pools, sweeps, MSS)", t_struct, f"{n_struct} items"),
        ("SMT + §6 (SignalEngine.run)", t_all, f"{len(all_events)} events"),
        ("total (structure + SMT + §6)", t_struct + t_all, ""),
    ]
    for label, seconds, what in rows:
        print(f"full scan, {label:<36} {1e3 * seconds:8.1f} ms  {what}")
        if label.startswith("SMT only"):
            print("   " + ", ".join(f"{d} {s}: {c}" for (d, s), c in sorted(by_state.items())))

    for cls in (SmtEngine, SignalEngine):
        costs, events = live(cls, a, b, args.live)
        ms = [1e3 * c for c in costs]
        print(
            f"live update at {len(a) - args.live}+ bars, {cls.__name__}.update:"
            f" median {statistics.median(ms):.3f} ms, mean {statistics.fmean(ms):.3f} ms,"
            f" p95 {np.percentile(ms, 95):.3f} ms, max {max(ms):.3f} ms"
            f" over {len(ms)} bars (the first includes state warm-up), {events} events"
        )


if __name__ == "__main__":
    main()
