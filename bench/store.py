"""Time to open a cached 100k-candle series: open the cache file, load the series.

Run: python bench/store.py [--candles N]. Prints the best and median of several cold
opens (a new connection each time; the OS page cache is warm, as on a second app start),
beside a reference: the same candles as one SQLite row each, read back into arrays.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from smtdesk.core.candles import Candles  # noqa: E402
from smtdesk.data.store import CandleStore  # noqa: E402

KEY = ("binanceusdm", "BTC/USDT:USDT", "1h")


def series(n: int) -> Candles:
    # a random walk stands in for prices: the store's speed does not depend on the values
    rng = np.random.default_rng(0)
    close = 50_000 * np.exp(np.cumsum(rng.normal(0, 0.004, n)))
    open_ = np.concatenate([[close[0]], close[:-1]])
    high = np.maximum(open_, close) * (1 + rng.random(n) * 0.002)
    low = np.minimum(open_, close) * (1 - rng.random(n) * 0.002)
    time_ms = 1_500_000_000_000 - 1_500_000_000_000 % 3_600_000 + np.arange(n) * 3_600_000
    return Candles(time_ms, open_, high, low, close, rng.random(n) * 1000)


def row_per_candle(path: Path, candles: Candles, repeat: int) -> list[float]:
    """Seconds to open and load a plain one-row-per-candle table, ``repeat`` times."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE candles (time INTEGER PRIMARY KEY, open REAL, high REAL, low REAL, "
                 "close REAL, volume REAL)")
    with conn:
        conn.executemany("INSERT INTO candles VALUES (?, ?, ?, ?, ?, ?)", zip(
            candles.time.tolist(), candles.open.tolist(), candles.high.tolist(),
            candles.low.tolist(), candles.close.tolist(), candles.volume.tolist()))
    conn.close()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        conn = sqlite3.connect(path)
        arr = np.array(conn.execute("SELECT * FROM candles ORDER BY time").fetchall())
        conn.close()
        times.append(time.perf_counter() - t0)
        assert len(arr) == len(candles)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candles", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cache.sqlite"
        store = CandleStore(path)
        candles = series(args.candles)
        t0 = time.perf_counter()
        store.save_candles(*KEY, candles)
        write_s = time.perf_counter() - t0
        store.close()
        opens, loads = [], []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            store = CandleStore(path)
            t1 = time.perf_counter()
            got = store.load_candles(*KEY)
            t2 = time.perf_counter()
            store.close()
            assert len(got) == args.candles
            opens.append(t1 - t0)
            loads.append(t2 - t1)
        total = [a + b for a, b in zip(opens, loads)]
        size_mb = path.stat().st_size / 1e6
        print(f"store: {args.candles} candles, file {size_mb:.1f} MB, written in {write_s * 1000:.0f} ms")
        print(f"open cached series (open file + integrity check + load): best {min(total) * 1000:.1f} ms, "
              f"median {statistics.median(total) * 1000:.1f} ms "
              f"(open {statistics.median(opens) * 1000:.1f} ms, load {statistics.median(loads) * 1000:.1f} ms)")
        plain = row_per_candle(Path(folder) / "plain.sqlite", candles, args.repeat)
        print(f"reference, one row per candle (open + load, no integrity check): best "
              f"{min(plain) * 1000:.1f} ms, median {statistics.median(plain) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
