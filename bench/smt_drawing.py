"""What drawing SMT signals and a trade plan costs a pan frame, offscreen.

Run ``python bench/smt_drawing.py`` from the repository root (under a minute). Builds the
app's two chart columns side by side (price pane with overlays, RSI and volume panels)
on synthetic one-minute candles and prints the median pan frame:

- bare: no signal drawn;
- ours: the SMT layer of each price pane, one reused item painting a picked confirmed
  signal (swings, MSS, plan zones and label) and the newest live ones;
- per-item: the same lines, zones and labels as one pyqtgraph item each (PlotDataItem,
  a filled rectangle, TextItem), the way the plan was drawn before.

and the SMT items' own paint time per frame, and the cost of handing both charts the
pair's signals again (each live bar does).
Frames are timed in this process's CPU time, so other work on the machine counts less.
"""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGraphicsRectItem, QSplitter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from smtdesk.core.analysis import analyze_asset
from smtdesk.core.candles import Candles
from smtdesk.core.signal import Direction, Signal, State, TradePlan
from smtdesk.settings import LayoutSettings
from smtdesk.ui.chart import AssetChart
from smtdesk.ui.theme import brush, pen

A, B = "BTC/USDT:USDT", "ETH/USDT:USDT"
WINDOW_SIZE = (1600, 900)
VIEW_BARS = 200
PAN_STEP = 0.1
WARMUP_FRAMES = 5
"""Untimed frames first: Qt fills its font and glyph caches on the first paints."""
LIVE = 6
"""Recent signals besides the picked one (the layer draws at most four of them)."""


def synthetic_candles(n: int, *, seed: int) -> Candles:
    rng = np.random.default_rng(seed)
    t = 1_600_000_000_000 + np.arange(n, dtype=np.int64) * 60_000
    close = 20_000 * np.exp(np.cumsum(rng.normal(0, 0.001, n)))
    open_ = np.concatenate(([close[0]], close[:-1]))
    high = np.maximum(open_, close) * (1 + rng.random(n) * 0.001)
    low = np.minimum(open_, close) * (1 - rng.random(n) * 0.001)
    return Candles(t, open_, high, low, close, rng.lognormal(6, 1, n))


def signals(a, b) -> tuple[list[Signal], Signal]:
    """Bearish SMT records over the last bars, levels read off the candles; the last
    one confirmed with a plan."""
    ca, cb = a.candles, b.candles
    n = len(ca)
    out = []
    for k in range(LIVE + 1):
        j = n - 160 + k * 20
        s, m, known = j + 8, j + 4, j + 14
        confirmed = k == LIVE
        entry = float(cb.low[m])
        plan = TradePlan(Direction.BEARISH, entry, float(cb.high[s]) * 1.001, entry * 0.99, 2.0, 1.5, "mss retest")
        out.append(Signal(
            id=f"smt:bearish:{A}:{ca.time[s]}", kind="smt", direction=Direction.BEARISH,
            state=State.CONFIRMED if confirmed else (State.DIVERGENCE if k % 2 else State.CANCELLED),
            assets=(A, B), timeframe="1m", ref_time=int(ca.time[s]), known_time=int(ca.time[known]),
            levels={f"{A}.swept": float(ca.high[j]), f"{A}.new": float(ca.high[s]),
                    f"{B}.prior": float(cb.high[j]), f"{B}.new": float(cb.high[s]), "mss": entry},
            level_times={f"{A}.swept": int(ca.time[j]), f"{A}.new": int(ca.time[s]),
                         f"{B}.prior": int(cb.time[j]), f"{B}.new": int(cb.time[s]), "mss": int(cb.time[m])},
            plan=plan if confirmed else None, provisional=not confirmed and k % 2 == 0,
        ))
    return out, out[-1]


def build(n: int) -> tuple[QSplitter, list[AssetChart]]:
    splitter = QSplitter(Qt.Horizontal)
    splitter.resize(*WINDOW_SIZE)
    charts = []
    for seed, symbol in ((7, A), (11, B)):
        chart = AssetChart()
        for key in ("rsi", "volume"):
            chart.add_panel(key)
        chart.set_overlays(LayoutSettings().overlays)
        chart.set_analysis(analyze_asset(symbol, synthetic_candles(n, seed=seed)), "1m")
        splitter.addWidget(chart)
        charts.append(chart)
    charts[1].price.setXLink(charts[0].price.plot)
    x = charts[0].bar_times
    charts[0].price.vb.setXRange(x[-VIEW_BARS], x[-1], padding=0)
    pg.mkQApp().processEvents()
    return splitter, charts


def per_item(chart: AssetChart) -> None:
    """The SMT layer's drawing rebuilt as one pyqtgraph item per shape; the layer hidden."""
    item = chart.price.smt.item
    plot = chart.price.plot
    for ln in item.drawing.lines:
        plot.addItem(pg.PlotDataItem([ln.x0, ln.x1], [ln.y0, ln.y1], pen=pen(ln.colour, ln.width)), ignoreBounds=True)
    for z in item.drawing.zones:
        rect = QGraphicsRectItem(z.x0, z.y0, z.x1 - z.x0, z.y1 - z.y0)
        rect.setBrush(brush(z.fill))
        rect.setPen(pg.mkPen(None))
        plot.addItem(rect, ignoreBounds=True)
    for lab in item.drawing.labels:
        text = pg.TextItem("\n".join(t for t, _ in lab.rows), color=lab.rows[0][1], fill=lab.fill, anchor=(0, 1))
        spot = lab.spots[0]
        text.setPos(spot.x, spot.y)
        plot.addItem(text, ignoreBounds=True)
    item.setVisible(False)


PAINTS: list[float] = []
"""Wall time of each paint of the SMT layers' items."""


def _time_paints(item) -> None:
    paint = item.paint

    def timed(*args):
        start = time.perf_counter()
        paint(*args)
        PAINTS.append(time.perf_counter() - start)

    item.paint = timed  # Qt finds the override on the instance


def pan_frames(splitter, charts, frames: int) -> list[float]:
    """Frames panning back and forth over the signals' bars."""
    vb = charts[0].price.vb
    x0, x1 = vb.viewRange()[0]
    width = x1 - x0
    times = []
    for i in range(frames):
        x0 += width * PAN_STEP * (1 if (i // 5) % 2 else -1)
        # CPU time of this process: the machine's other work does not count
        start = time.process_time()
        vb.setXRange(x0, x0 + width, padding=0)
        pg.mkQApp().processEvents()
        splitter.grab()
        times.append(time.process_time() - start)
    return times


def setup(n: int, mode: str) -> tuple[QSplitter, list[AssetChart], float]:
    """A window drawing the signals as ``mode`` says, and the time (seconds) handing
    both layers the pair's signals again takes."""
    splitter, charts = build(n)
    sigs, picked = signals(charts[0].analysis, charts[1].analysis)
    update = 0.0
    if mode != "bare":
        for chart in charts:
            chart.set_signals(sigs)
            chart.price.smt.pick(picked)
        start = time.perf_counter()
        for _ in range(100):
            for chart in charts:
                chart.set_signals(sigs)
        update = (time.perf_counter() - start) / 100
    if mode == "per-item":
        for chart in charts:
            per_item(chart)
    if mode == "ours":
        for chart in charts:
            _time_paints(chart.price.smt.item)
    splitter.grab()
    pan_frames(splitter, charts, WARMUP_FRAMES)
    return splitter, charts, update


MODES = ("bare", "ours", "per-item")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candles", type=int, default=100_000)
    parser.add_argument("--frames", type=int, default=60)
    args = parser.parse_args(argv)
    pg.mkQApp()
    windows = {mode: setup(args.candles, mode) for mode in MODES}
    times: dict[str, list[float]] = {mode: [] for mode in MODES}
    # the modes take turns, ten frames each, so a busy machine slows them alike
    for _ in range(max(args.frames // 10, 1)):
        for mode, (splitter, charts, _) in windows.items():
            times[mode] += pan_frames(splitter, charts, 10)
    frames = len(times["ours"]) + WARMUP_FRAMES + 1
    ms = 1000.0
    bare, ours, items = (statistics.median(times[m]) * ms for m in MODES)
    print(f"{args.candles} candles per chart, {VIEW_BARS} on screen, two chart columns; median pan frame ms")
    print(f"{'bare':>8} {'ours':>8} {'per-item':>9} | ours over bare  per-item over bare")
    print(f"{bare:8.2f} {ours:8.2f} {items:9.2f} | {ours - bare:+14.2f} {items - bare:+19.2f}")
    print(f"the SMT items' own paints: {sum(PAINTS) / frames * ms:.2f} ms per frame (both charts, wall time)")
    print(f"both charts handed the pair's signals again (SMT layer and divergence marks, as on each live bar): "
          f"{windows['ours'][2] * 1e6:.0f} µs")
    for splitter, _, _ in windows.values():
        splitter.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
