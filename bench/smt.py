"""Benchmark: full scan of 100k aligned bar pairs, and the live per-bar update at 100k.

Run: ``python bench/smt.py [--bars 100000] [--live 200] [--repeat 3]``. Uses the recorded
BTC/ETH 1h perpetual candles from ``../shared/data`` repeated end to end when present
(real structure and event density), else two correlated random walks. Prints one table:
scenario, bars, events found, median time, target and whether it is met.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from smtdesk.core.candles import FIELDS, Candles, align_pair  # noqa: E402
from smtdesk.core.signals.engine import SignalEngine, SmtEngine  # noqa: E402
from smtdesk.core.structure.levels import (  # noqa: E402
    fair_value_gaps,
    liquidity_pools,
    structure_shifts,
)
from smtdesk.core.structure.swings import find_swing_sets  # noqa: E402

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


FIRST_CALLS: dict[str, float] = {}


def median_of(fn, repeat: int, name: str) -> tuple[float, object]:
    """Median wall time of ``repeat`` calls after one untimed warm-up call, and the last
    result. The warm-up's time goes to ``FIRST_CALLS`` (the first call in a process
    loads the compiled kernels from numba's cache)."""
    t0 = time.perf_counter()
    result = fn()
    FIRST_CALLS[name] = time.perf_counter() - t0
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def structure(a: Candles, b: Candles) -> int:
    count = 0
    for c in (a, b):
        gaps = fair_value_gaps(c.high, c.low)
        major, minor = find_swing_sets(c.high, c.low, strengths=(5, 2))
        major, minor = (major.high_idx, major.low_idx), (minor.high_idx, minor.low_idx)
        pools = liquidity_pools(c.high, c.low, c.close, major_swings=major, minor_swings=minor)
        shifts = structure_shifts(c.open, c.high, c.low, c.close, pools=pools, minor_swings=minor)
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


FULL_SCAN_TARGET_MS = 100.0
LIVE_TARGET_MS = 1.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bars", type=int, default=100_000)
    ap.add_argument("--live", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    a, b, source = pair(args.bars)
    n = len(a)
    print(
        f"data: {source}; {n} aligned bar pairs;"
        f" full scans: median of {args.repeat} runs after a warm-up run"
    )

    t_struct, n_struct = median_of(lambda: structure(a, b), args.repeat, "structure")
    t_smt, smt_events = median_of(
        lambda: SmtEngine("1h", ("BTC", "ETH")).run(a, b), args.repeat, "SmtEngine.run"
    )
    t_all, all_events = median_of(
        lambda: SignalEngine("1h", ("BTC", "ETH")).run(a, b), args.repeat, "SignalEngine.run"
    )
    live_rows = []
    for cls in (SmtEngine, SignalEngine):
        costs, events = live(cls, a, b, args.live)
        # The first update also builds the incremental state; the median is per bar.
        live_rows.append((cls.__name__, 1e3 * statistics.median(costs[1:]), events, costs))

    rows = [
        ("full scan: structure (FVG, pools, MSS)", n, f"{n_struct} items", 1e3 * t_struct, None),
        ("full scan: SMT (SmtEngine.run)", n, len(smt_events), 1e3 * t_smt, None),
        ("full scan: SMT + §6 (SignalEngine.run)", n, len(all_events), 1e3 * t_all, None),
        (
            "full scan: structure + SMT + §6",
            n,
            f"{n_struct} items + {len(all_events)}",
            1e3 * (t_struct + t_all),
            FULL_SCAN_TARGET_MS,
        ),
    ]
    for name, ms, events, _ in live_rows:
        label = f"live bar at {n - args.live}+: {name}.update"
        rows.append((label, args.live, events, ms, LIVE_TARGET_MS))

    head = ("scenario", "bars", "events found", "median", "target", "verdict")
    table = [head]
    for label, bars, found, ms, target in rows:
        verdict = "" if target is None else ("met" if ms <= target else "missed")
        table.append(
            (
                label,
                str(bars),
                str(found),
                f"{ms:.3f} ms" if ms < 10 else f"{ms:.1f} ms",
                "" if target is None else f"<= {target:g} ms",
                verdict,
            )
        )
    widths = [max(len(r[i]) for r in table) for i in range(len(head))]
    left = (0, 2, 5)  # text columns; numbers are right-aligned
    for i, r in enumerate(table):
        cells = (c.ljust(w) if j in left else c.rjust(w) for j, (c, w) in enumerate(zip(r, widths)))
        print("  ".join(cells).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))

    print(
        "first call in this process (warm-up, not in the table): "
        + ", ".join(f"{name} {1e3 * t:.0f} ms" for name, t in FIRST_CALLS.items())
    )
    by_state = Counter((e.direction.value, e.state.value) for e in smt_events)
    print("SMT events: " + ", ".join(f"{d} {s}: {c}" for (d, s), c in sorted(by_state.items())))
    for name, _, _, costs in live_rows:
        ms = [1e3 * c for c in costs[1:]]
        print(
            f"{name}.update per bar: mean {statistics.fmean(ms):.3f} ms,"
            f" p95 {np.percentile(ms, 95):.3f} ms, max {max(ms):.3f} ms;"
            f" first update (builds the live state) {1e3 * costs[0]:.1f} ms"
        )


if __name__ == "__main__":
    main()
