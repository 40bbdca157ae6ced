"""Time to open a cached 100k-candle series, and to save 1M and 4M candles.

Run: python bench/store.py [--candles N]. Prints the best and median of several cold
opens (a new connection each time; the OS page cache is warm, as on a second app start),
beside a reference: the same candles as one SQLite row each, read back into arrays. Then
the time to save one long series at 1M and 4M candles (it must grow linearly: 4M within
5x of 1M), beside the same reference's insert.
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


def row_per_candle_insert(path: Path, candles: Candles) -> float:
    """Seconds to insert ``candles`` as one row each (the reference for saving)."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE candles (time INTEGER PRIMARY KEY, open REAL, high REAL, low REAL, "
                 "close REAL, volume REAL)")
    t0 = time.perf_counter()
    with conn:
        conn.executemany("INSERT INTO candles VALUES (?, ?, ?, ?, ?, ?)", zip(
            candles.time.tolist(), candles.open.tolist(), candles.high.tolist(),
            candles.low.tolist(), candles.close.tolist(), candles.volume.tolist()))
    seconds = time.perf_counter() - t0
    conn.close()
    return seconds


def save_scaling(folder: Path, sizes: tuple[int, ...]) -> None:
    """Save time of one series at each size, ours beside one row per candle."""
    ours = {}
    for n in sizes:
        candles = series(n)
        store = CandleStore(folder / f"save{n}.sqlite")
        t0 = time.perf_counter()
        store.save_candles(*KEY, candles)
        ours[n] = time.perf_counter() - t0
        assert len(store.load_candles(*KEY)) == n
        store.close()
        plain = row_per_candle_insert(folder / f"plain{n}.sqlite", candles)
        print(f"save {n:>9,} candles: ours {ours[n]:6.2f} s   reference, one row per candle "
              f"{plain:6.2f} s")
    first, last = sizes[0], sizes[-1]
    ratio = ours[last] / ours[first]
    verdict = "linear" if ratio <= 5 * last / first / 4 else "NOT linear"
    print(f"save {last // first}x the candles: {ratio:.1f}x the time ({verdict}; limit "
          f"{5 * last / first / 4:g}x)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candles", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--save-sizes", type=int, nargs="+", default=[1_000_000, 4_000_000])
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
        save_scaling(Path(folder), tuple(args.save_sizes))


if __name__ == "__main__":
    main()
