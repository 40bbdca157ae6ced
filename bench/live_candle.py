"""One closed candle through the pair model, against the full recompute of the same snapshot.

For each history length the model is loaded with the history and runs the engine once;
then every new bar (both assets' candles) goes through ``PairModel.append``: every
indicator, the swings, the chart's market structure (minor swings, gaps, pools, shifts),
the §5–§6 signals and the alert policy. The model computes the structure only while a
View layer shows it, so the row without it is printed too. The reference recomputes what a candle cost before
the pair model: every indicator, swing and the structure of both assets over the whole
history, and the signal engine's full scan, in the same run.

    python bench/live_candle.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from smtdesk.core.analysis import analyze_asset  # noqa: E402
from smtdesk.core.candles import Candles  # noqa: E402
from smtdesk.core.signals.engine import SignalEngine  # noqa: E402
from smtdesk.core.pair_model import ModelConfig, PairModel  # noqa: E402

LIVE_BARS = 200
RUNS = 3
TARGET_MS = 1.0
TARGET_RATIO = 20.0


def correlated_pair(n: int, seed: int = 7) -> tuple[Candles, Candles]:
    """Two random walks sharing most of their returns, priced like BTC and ETH, on 1h bars."""
    rng = np.random.default_rng(seed)
    common = rng.normal(0, 0.006, n)
    time_ms = 1_600_000_000_000 + np.arange(n, dtype=np.int64) * 3_600_000
    out = []
    for price, own in ((60_000.0, 0.002), (3_000.0, 0.003)):
        close = price * np.exp(np.cumsum(common + rng.normal(0, own, n)))
        open_ = np.r_[close[0], close[:-1]]
        spread = np.abs(rng.normal(0, 0.003, n)) * close
        high = np.maximum(open_, close) + spread
        low = np.minimum(open_, close) - spread
        out.append(Candles(time_ms, open_, high, low, close, rng.uniform(10, 100, n)))
    return out[0], out[1]


def model_per_bar(a: Candles, b: Candles, n: int, *, structure: bool = False) -> list[float]:
    # every bar of the history kept, whatever the app's default bound
    model = PairModel(("BTC", "ETH"), "1h", config=ModelConfig(max_bars=n + LIVE_BARS + 2))
    model.show_structure(structure)
    model.load(a[:n], b[:n])
    model.detect()
    model.append("BTC", a[n : n + 1])  # the first live bar builds the live state
    model.append("ETH", b[n : n + 1])
    times = []
    for k in range(n + 1, n + 1 + LIVE_BARS):
        t0 = time.perf_counter()
        model.append("BTC", a[k : k + 1])
        model.append("ETH", b[k : k + 1])
        times.append(time.perf_counter() - t0)
    return times


def full_recompute(a: Candles, b: Candles, n: int, repeats: int = 5) -> list[float]:
    times = []
    for k in range(n + 1, n + 1 + repeats):
        t0 = time.perf_counter()
        analyze_asset("BTC", a[:k])
        analyze_asset("ETH", b[:k])
        SignalEngine("1h", ("BTC", "ETH")).run(a[:k], b[:k])
        times.append(time.perf_counter() - t0)
    return times


def main() -> int:
    print(f"{'history':>8} {'structure':>10} | {'model: per bar (both candles)':>31} | "
          f"{'full recompute':>14} | {'ratio':>6}")
    print(f"{'bars':>8} {'':>10} | {'median ms':>10} {'p95 ms':>9} {'max ms':>9} | {'median ms':>14} |")
    ok = True
    for n in (10_000, 100_000):
        a, b = correlated_pair(n + LIVE_BARS + 2)
        full_recompute(a, b, n, repeats=1)  # compile and warm
        full = statistics.median(full_recompute(a, b, n)) * 1000
        for structure in (True, False):
            # the judged path three times over: this machine's speed drifts between runs
            runs = RUNS if structure else 1
            live = np.concatenate([model_per_bar(a, b, n, structure=structure) for _ in range(runs)]) * 1000
            med = float(np.median(live))
            print(f"{n:>8} {'shown' if structure else 'hidden':>10} | {med:>10.3f} "
                  f"{np.percentile(live, 95):>9.3f} {live.max():>9.3f} | {full:>14.1f} | {full / med:>5.0f}x")
            if n == 100_000 and structure:
                met_ms, met_ratio = med <= TARGET_MS, full / med >= TARGET_RATIO
        if n == 100_000:
            print(f"{'PASS' if met_ms else 'MISS'}  median per bar at 100k <= {TARGET_MS} ms "
                  f"(everything, structure shown; {RUNS} x {LIVE_BARS} bars)")
            print(f"{'PASS' if met_ratio else 'MISS'}  >= {TARGET_RATIO:.0f}x faster than the full recompute")
            ok = met_ms and met_ratio
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
