"""Indicator speed against TA-Lib, printed as a table.

    python bench/indicators.py [--quick]

Part 1: vectorised full-history time for N = 10k, 100k, 1M bars (median of several runs)
against TA-Lib computing the same outputs. Part 2: one new candle on a 100k history,
every indicator updated incrementally, against TA-Lib recomputing the same set.
TA-Lib is a test/benchmark dependency only.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import talib

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from smtdesk.core import indicators as ind  # noqa: E402
from smtdesk.core.indicators.bollinger import _band_rows, _params  # noqa: E402

SIZES = (10_000, 100_000, 1_000_000)
ADX_PERIOD = 14



def bollinger_bands(close: np.ndarray) -> np.ndarray:
    """The bands of ``bollinger`` alone, what BBANDS computes, for a like-for-like timing
    (the app's ``bollinger`` adds the bandwidth and the squeeze in a second pass)."""
    period, stddev, _ = _params(20, 2.0, 1)
    return _band_rows(close, period, stddev, 3)[0]

def candles(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    close = 30_000.0 * np.exp(np.cumsum(rng.normal(0.0, 0.01, n)))
    open_ = np.concatenate([close[:1], close[:-1]])
    high = np.maximum(open_, close) * (1 + rng.exponential(0.004, n))
    low = np.minimum(open_, close) * (1 - rng.exponential(0.004, n))
    volume = rng.gamma(2.0, 500.0, n)
    return {"high": high, "low": low, "close": close, "volume": volume}


Case = tuple[str, Callable[[], object], Callable[[], object] | None]


def cases(d: dict[str, np.ndarray]) -> list[Case]:
    """(name, ours, TA-Lib producing the same outputs, or None where it has none)."""
    h, l, c, v = d["high"], d["low"], d["close"], d["volume"]
    ema = talib.MA_Type.EMA
    return [
        ("sma5", lambda: ind.sma(c, 5), lambda: talib.SMA(c, 5)),
        ("sma20", lambda: ind.sma(c, 20), lambda: talib.SMA(c, 20)),
        ("sma200", lambda: ind.sma(c, 200), lambda: talib.SMA(c, 200)),
        ("ema20", lambda: ind.ema(c, 20), lambda: talib.EMA(c, 20)),
        (
            "ma_cross 5/20 (TA-Lib: 3 SMAs)",
            lambda: ind.ma_cross(c, v),
            lambda: (talib.SMA(c, 5), talib.SMA(c, 20), talib.SMA(v, 20)),
        ),
        ("macd 12/26/9", lambda: ind.macd(c), lambda: talib.MACD(c, 12, 26, 9)),
        ("rsi14", lambda: ind.rsi(c, 14), lambda: talib.RSI(c, 14)),
        (
            "kdj 9/3/3 (STOCH)",
            lambda: ind.kdj(h, l, c),
            lambda: talib.STOCH(h, l, c, 9, 5, ema, 5, ema),
        ),
        ("cci20", lambda: ind.cci(h, l, c, 20), lambda: talib.CCI(h, l, c, 20)),
        (
            "adx14 +DI -DI (TA-Lib: 3 calls)",
            lambda: ind.adx(h, l, c, ADX_PERIOD),
            lambda: (
                talib.ADX(h, l, c, ADX_PERIOD),
                talib.PLUS_DI(h, l, c, ADX_PERIOD),
                talib.MINUS_DI(h, l, c, ADX_PERIOD),
            ),
        ),
        ("atr14", lambda: ind.atr(h, l, c, 14), lambda: talib.ATR(h, l, c, 14)),
        ("obv", lambda: ind.obv(c, v), lambda: talib.OBV(c, v)),
        ("mfi14", lambda: ind.mfi(h, l, c, v, 14), lambda: talib.MFI(h, l, c, v, 14)),
        ("bollinger bands 20/2", lambda: bollinger_bands(c), lambda: talib.BBANDS(c, 20, 2.0, 2.0)),
        # The bandwidth and squeeze have no TA-Lib counterpart: timed on their own line.
        ("bollinger bands+bandwidth+squeeze", lambda: ind.bollinger(c), None),
    ]


def median_ms(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm caches and allocator
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def paired_median_ms(
    ours: Callable[[], object], ref: Callable[[], object], runs: int
) -> tuple[float, float]:
    """Median times of ``ours`` and ``ref`` run alternately, so both meet the same
    allocator and cache state (which run first otherwise decides who gets fresh pages)."""
    ours(), ref()
    ours_times, ref_times = [], []
    for _ in range(runs):
        for fn, times in ((ours, ours_times), (ref, ref_times)):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
    return statistics.median(ours_times) * 1e3, statistics.median(ref_times) * 1e3


def vectorised(sizes: tuple[int, ...]) -> None:
    print("Vectorised full history: ours vs TA-Lib (median ms; ratio = ours / TA-Lib)")
    header = f"{'indicator':34s}" + "".join(
        f"{f'N={n:,}':>30s}" for n in sizes
    )
    print(header)
    print(f"{'':34s}" + "".join(f"{'ours':>10s}{'TA-Lib':>10s}{'ratio':>10s}" for _ in sizes))
    results: dict[str, list[str]] = {}
    for n in sizes:
        runs = 15 if n <= 100_000 else 9
        for name, ours, ref in cases(candles(n)):
            if ref is None:
                a = median_ms(ours, runs)
                results.setdefault(name, []).append(f"{a:10.2f}{'-':>10s}{'-':>10s}")
                continue
            a, b = paired_median_ms(ours, ref, runs)
            results.setdefault(name, []).append(f"{a:10.2f}{b:10.2f}{a / b:9.2f}x")
    for name, cells in results.items():
        print(f"{name:34s}" + "".join(cells))


def incremental(n: int = 100_000, updates: int = 200) -> None:
    d = candles(n + updates, seed=1)
    cols = [d[k] for k in ("high", "low", "close", "volume")]
    live = ind.IndicatorSet.from_history(*(c[:n] for c in cols))
    bars = [ind.Bar(*(float(c[i]) for c in cols)) for i in range(n, n + updates)]
    update_times = []
    for bar in bars:
        t0 = time.perf_counter()
        live.update(bar)
        update_times.append(time.perf_counter() - t0)
    ours = statistics.median(update_times) * 1e3

    full = {k: v[: n + 1] for k, v in d.items()}
    refs = [ref for _, _, ref in cases(full) if ref is not None]
    refs += [lambda: talib.SMA(full["close"], 10), lambda: talib.SMA(full["close"], 50)]
    ta = median_ms(lambda: [f() for f in refs], 7)
    print()
    print(f"One new candle on a {n:,}-bar history, every indicator of the set")
    print(f"  ours, incremental update (commit): {ours:9.4f} ms")
    print(f"  TA-Lib, full recompute of the set: {ta:9.4f} ms")
    print(f"  speed-up: {ta / ours:.0f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10k and 100k bars only")
    args = parser.parse_args()
    started = time.perf_counter()
    vectorised(SIZES[:2] if args.quick else SIZES)
    incremental()
    print(f"\n(total {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
