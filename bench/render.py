"""Rendering benchmark: CandleItem against a naive QPicture candle item, offscreen.

Run ``python bench/render.py`` from the repository root (about two to three minutes on two
cores). Prints, for 10k, 100k and 1M candles, the build time and the median pan and
full-view frame of both items side by side with ratios, then the median pan frame of a
whole window (two charts, each a price pane and three sub-panels, all x-linked) at 1M
candles per chart, and checks the targets of the charts issue.

A frame is a forced synchronous render: change the x range, process events, then
``grab()`` the widget, which renders the whole scene into a pixmap. Widgets are never
shown, so the grab is the frame's only paint (an offscreen window would paint twice).
"""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pyqtgraph as pg  # noqa: E402
from pyqtgraph.Qt import QtCore, QtGui  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QSplitter  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from smtdesk.core.analysis import analyze_asset  # noqa: E402
from smtdesk.core.candles import Candles  # noqa: E402
from smtdesk.ui.items.axes import PriceAxisItem, TimeAxisItem  # noqa: E402
from smtdesk.ui.items.candles import BODY_FRACTION, CandleItem  # noqa: E402
from smtdesk.ui.chart import AssetChart  # noqa: E402
from smtdesk.ui.panels import DEFAULT_OVERLAYS  # noqa: E402
from smtdesk.ui.theme import DARK, brush, pen, style_plot  # noqa: E402

BAR_SECONDS = 60
"""One-minute candles: a million of them is about two years, as a venue serves."""
PAN_VIEW_BARS = 400
"""Bars on screen while panning: a trader's usual working zoom."""
PAN_STEP = 0.1
"""Each pan frame moves the view by this fraction of its width."""
SIZE = (1200, 600)
WARMUP_FRAMES = 5
"""Untimed frames first: Qt fills its font and glyph caches on the first paints."""
WINDOW_SIZE = (1600, 900)


class NaiveCandleItem(pg.GraphicsObject):
    """Every candle drawn once into a QPicture that each paint replays in full."""

    def __init__(self, candles: Candles, bar_seconds: float) -> None:
        super().__init__()
        self._picture = QtGui.QPicture()
        painter = QtGui.QPainter(self._picture)
        up_pen, down_pen = pen(DARK.up), pen(DARK.down)
        up_brush, down_brush = brush(DARK.up), brush(DARK.down)
        w = bar_seconds * BODY_FRACTION
        x = candles.time / 1000.0
        for t, o, h, l, c in zip(x, candles.open, candles.high, candles.low, candles.close):
            up = c >= o
            painter.setPen(up_pen if up else down_pen)
            painter.drawLine(QtCore.QPointF(t, l), QtCore.QPointF(t, h))
            painter.setBrush(up_brush if up else down_brush)
            painter.drawRect(QtCore.QRectF(t - w / 2, o, w, c - o))
        painter.end()
        self._rect = QtCore.QRectF(self._picture.boundingRect())

    def paint(self, painter, *args) -> None:
        self._picture.play(painter)

    def boundingRect(self) -> QtCore.QRectF:
        return self._rect


def synthetic_candles(n: int, *, seed: int = 7) -> Candles:
    """A random walk with a few gaps, shaped like one-minute perpetual candles."""
    rng = np.random.default_rng(seed)
    slots = np.arange(int(n * 1.002))
    holes = rng.choice(len(slots), len(slots) - n, replace=False)
    t = (1_500_000_000 + np.delete(slots, holes) * BAR_SECONDS) * 1000
    close = 20_000 * np.exp(np.cumsum(rng.normal(0, 0.0008, n)))
    open_ = np.concatenate(([close[0]], close[:-1]))
    spread = rng.random((2, n)) * 0.0006
    high = np.maximum(open_, close) * (1 + spread[0])
    low = np.minimum(open_, close) * (1 - spread[1])
    return Candles(t, open_, high, low, close, rng.lognormal(6, 1, n))


def _axes(*, compact: bool = False) -> dict:
    return {"right": PriceAxisItem("right", compact=compact), "bottom": TimeAxisItem("bottom")}


def _plot(item: pg.GraphicsObject) -> tuple[pg.PlotWidget, pg.ViewBox]:
    widget = pg.PlotWidget(axisItems=_axes())
    widget.resize(*SIZE)
    widget.setBackground(DARK.background)
    style_plot(widget.getPlotItem(), DARK)
    widget.getPlotItem().hideAxis("left")
    widget.getPlotItem().showAxis("right")
    widget.addItem(item)
    pg.mkQApp().processEvents()
    return widget, widget.getViewBox()


def _frame(widget, vb: pg.ViewBox, x0: float, x1: float, *, y_range=None) -> float:
    start = time.perf_counter()
    vb.setXRange(x0, x1, padding=0)
    if y_range is not None:
        vb.setYRange(*y_range(x0, x1), padding=0.02)
    pg.mkQApp().processEvents()
    widget.grab()
    return time.perf_counter() - start


def _pan_frames(widget, vb, x: np.ndarray, frames: int, y_range=None) -> list[float]:
    width = PAN_VIEW_BARS * BAR_SECONDS
    x0 = float(x[len(x) // 2])
    out = []
    for i in range(frames):
        a = x0 + i * PAN_STEP * width
        out.append(_frame(widget, vb, a, a + width, y_range=y_range))
    return out


def _full_frames(widget, vb, x: np.ndarray, frames: int) -> list[float]:
    # zoom by a hair each frame so every frame re-renders the full history's worth
    lo, hi = float(x[0]), float(x[-1])
    span = hi - lo
    return [_frame(widget, vb, lo - span * 0.002 * (i % 5), hi + span * 0.001 * (i % 3)) for i in range(frames)]


def bench_pair(n: int, *, frames: int, naive_frames: int) -> dict:
    candles = synthetic_candles(n)
    x = candles.time / 1000.0
    out = {}

    start = time.perf_counter()
    item = CandleItem()
    item.set_candles(candles, bar_seconds=BAR_SECONDS)
    widget, vb = _plot(item)
    widget.grab()
    out["ours_build"] = time.perf_counter() - start
    _pan_frames(widget, vb, x, WARMUP_FRAMES)
    out["ours_pan"] = statistics.median(_pan_frames(widget, vb, x, frames, y_range=item.visible_range))
    out["ours_full"] = statistics.median(_full_frames(widget, vb, x, frames))
    widget.close()

    start = time.perf_counter()
    naive = NaiveCandleItem(candles, BAR_SECONDS)
    nwidget, nvb = _plot(naive)
    nwidget.grab()
    out["naive_build"] = time.perf_counter() - start
    _pan_frames(nwidget, nvb, x, 1)
    out["naive_pan"] = statistics.median(_pan_frames(nwidget, nvb, x, naive_frames, y_range=item.visible_range))
    out["naive_full"] = statistics.median(_full_frames(nwidget, nvb, x, naive_frames))
    nwidget.close()
    return out


def build_window(n: int) -> tuple[QSplitter, list[AssetChart]]:
    """The app's own chart columns side by side: price pane with its overlays and
    volume, plus RSI, MACD and volume sub-panels, all x-linked as in the main window."""
    splitter = QSplitter(Qt.Horizontal)
    splitter.resize(*WINDOW_SIZE)
    charts = []
    for seed, symbol in ((7, "BTC/USDT:USDT"), (11, "ETH/USDT:USDT")):
        chart = AssetChart()
        for key in ("rsi", "macd", "volume"):
            chart.add_panel(key)
        chart.set_overlays(DEFAULT_OVERLAYS)
        chart.set_analysis(analyze_asset(symbol, synthetic_candles(n, seed=seed)), "1m")
        splitter.addWidget(chart)
        charts.append(chart)
    charts[1].price.setXLink(charts[0].price.plot)
    pg.mkQApp().processEvents()
    return splitter, charts


def bench_window(n: int, *, frames: int) -> float:
    splitter, charts = build_window(n)
    vb = charts[0].price.vb
    x = charts[0].analysis.candles.time / 1000.0
    splitter.grab()
    _pan_frames(splitter, vb, x, WARMUP_FRAMES)
    times = _pan_frames(splitter, vb, x, frames)
    splitter.close()
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--frames", type=int, default=60)
    args = parser.parse_args(argv)
    pg.mkQApp()

    ms = 1000.0
    print(f"{'candles':>9} | {'build ms':>21} | {'pan frame ms':>21} | {'full-view frame ms':>21}")
    print(f"{'':>9} | {'ours':>6} {'naive':>7} {'ratio':>6} | {'ours':>6} {'naive':>7} {'ratio':>6} | "
          f"{'ours':>6} {'naive':>7} {'ratio':>6}")
    results = {}
    bench_pair(2_000, frames=WARMUP_FRAMES, naive_frames=1)  # warm Qt and numpy up, untimed
    for n in args.sizes:
        # the naive item replays every candle each frame: cap its repetitions at 1M
        naive_frames = 5 if n >= 1_000_000 else (10 if n >= 100_000 else args.frames)
        r = results[n] = bench_pair(n, frames=args.frames, naive_frames=naive_frames)
        cells = []
        for key in ("build", "pan", "full"):
            ours, naive = r[f"ours_{key}"] * ms, r[f"naive_{key}"] * ms
            cells.append(f"{ours:6.2f} {naive:7.1f} {naive / ours:5.1f}x")
        print(f"{n:>9} | " + " | ".join(cells), flush=True)

    window_n = max(args.sizes)
    window = bench_window(window_n, frames=args.frames) * ms
    print(f"whole window (2 app chart columns x price + RSI, MACD, volume panels), {window_n} candles per chart: "
          f"median pan frame {window:.2f} ms")

    checks = []
    if 100_000 in results:
        r = results[100_000]
        checks.append(("pan frame at 100k >= 20x faster than naive", r["naive_pan"] / r["ours_pan"] >= 20))
    if 10_000 in results and 1_000_000 in results:
        small, big = results[10_000], results[1_000_000]
        checks.append(("pan frame at 1M within 1.5x of 10k", big["ours_pan"] <= 1.5 * small["ours_pan"]))
        checks.append(("full-view frame at 1M within 1.5x of 10k", big["ours_full"] <= 1.5 * small["ours_full"]))
    if window_n >= 1_000_000:
        checks.append(("whole-window pan frame <= 16 ms at 1M", window <= 16.0))
    for name, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
