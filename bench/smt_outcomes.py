"""SMT outcome statistics on the recorded BTC/ETH 1h perpetual candles, and their cost.

Run: ``python bench/smt_outcomes.py [--wait 20] [--repeat 5]``. Runs the pair model over
the whole recording in ``../shared/data`` (BTC the first asset, ETH the second, as the
app opens them), follows every confirmed SMT signal's plan and prints the outcome table
per direction and tag, then the time to follow the plans and sum them up: on the
recording's signals, and per 1 000 plans on the same candles (no reference exists for
these statistics, so the times stand alone).
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from smtdesk.core.candles import Candles
from smtdesk.core.pair_model import PairModel
from smtdesk.core.smt.outcome_stats import outcome_report
from smtdesk.core.smt.outcomes import walk_plans

PERP = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "candles" / "binance_usdm_perp"
SYMBOLS = ("BTC/USDT:USDT", "ETH/USDT:USDT")


def _load(name: str) -> Candles:
    return Candles.from_rows(np.loadtxt(PERP / f"{name}_1h.csv", delimiter=",", skiprows=1))


def _fmt(value: float, kind: str) -> str:
    if isinstance(value, int) or kind == "n":
        return f"{value:d}"
    if math.isnan(value):
        return "-"
    return {"%": f"{100 * value:.1f}%", "R": f"{value:+.2f}", "r": f"{value:.2f}", "b": f"{value:.1f}"}[kind]


ROWS = (
    ("signals", "n"), ("filled", "n"), ("won", "n"), ("lost", "n"), ("open", "n"),
    ("not_filled", "n"), ("no_target", "n"), ("win_rate", "%"), ("expectancy", "R"),
    ("mean_r", "R"), ("median_r", "R"), ("total_r", "R"), ("max_drawdown", "r"),
    ("losing_streak", "n"), ("mean_mae", "r"), ("winners_mae", "r"), ("median_bars", "b"),
    ("mean_bars", "b"),
)


def _median_time(fn, repeat: int) -> float:
    fn()  # compiled loops built
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wait", type=int, default=20, help="bars an entry may wait to be filled")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    if not (PERP / "BTCUSDT_1h.csv").exists():
        sys.exit(f"the recorded candles are not at {PERP}")
    btc, eth = _load("BTCUSDT"), _load("ETHUSDT")
    model = PairModel(SYMBOLS, "1h")
    model.load(btc, eth)
    analysis = model.detect().snapshot
    report = outcome_report(analysis, fill_bars=args.wait)
    first, last = (time.strftime("%Y-%m-%d", time.gmtime(t / 1000)) for t in (btc.time[0], btc.time[-1]))
    print(f"BTC/ETH 1h perpetual (binanceusdm), {len(btc)} bars {first} .. {last}; "
          f"entry waits {args.wait} bars; R figures over won and lost trades")
    names = [g.name for g in report.groups]
    width = max(len(n) for n in names) + 1
    print(f"{'':<15}" + "".join(f"{n:>{width}}" for n in names))
    for field, kind in ROWS:
        cells = "".join(f"{_fmt(getattr(g, field), kind):>{width}}" for g in report.groups)
        print(f"{field:<15}{cells}")

    full = _median_time(lambda: outcome_report(analysis, fill_bars=args.wait), args.repeat)
    n = len(report.trades)
    # many plans on ETH's candles: every bar from a random start, entry 0.5 % away
    rng = np.random.default_rng(0)
    plans = 100_000
    start = rng.integers(0, len(eth) - 1, plans)
    long = rng.random(plans) < 0.5
    sign = np.where(long, 1.0, -1.0)
    entry = eth.close[start] * (1 - 0.005 * sign)
    stop, target = entry * (1 - 0.01 * sign), entry * (1 + 0.02 * sign)
    walk = _median_time(lambda: walk_plans(eth.high, eth.low, start + 1, entry, stop, target, long,
                                           fill_bars=args.wait), args.repeat)
    print()
    print(f"{'step':<52}{'plans':>8}{'bars':>8}{'median':>11}{'per 1k plans':>14}")
    step = f"outcome report (reads {len(analysis.latest):,} signal ids)"
    print(f"{step:<52}{n:>8}{len(eth):>8}{full * 1e3:>9.2f}ms{'':>14}")
    print(f"{'follow plans only (compiled walk)':<52}{plans:>8}{len(eth):>8}"
          f"{walk * 1e3:>9.2f}ms{walk / plans * 1e6:>12.3f}ms")


if __name__ == "__main__":
    main()
