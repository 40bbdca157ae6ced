"""Rendering benchmark: the app's price pane against finplot and a naive QPicture item, offscreen.

Run ``python bench/render.py`` from the repository root (a few minutes on two cores).
Prints, for 10k, 100k and 1M one-minute candles, the build time and the median pan frame
(400 and 200 bars on screen) and full-view frame of each side by side with ratios, then
the median pan frame of a whole window (two charts, each a price pane and three
sub-panels, all x-linked) at 1M candles per chart, and checks the targets of the charts
issue.

Ours is the app's price pane (candles, the volume overlay, y fitted to the visible bars
by the pane's own view box). finplot, when installed (``pip install --no-deps finplot``,
run on the app's PySide6), draws the same candles with volume and fits y itself, as on a
pan. The naive item replays every candle from a QPicture, y fitted like ours.

A frame is a forced synchronous render: change the x range (y follows), process events,
then ``grab()`` the widget, which renders the whole scene into a pixmap. Widgets are never
shown, so the grab is the frame's only paint (an offscreen window would paint twice).
Between charts, deferred deletions are delivered and garbage collected, so one chart's
teardown is not timed as the next one's build.
"""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")  # finplot draws with pyqtgraph's binding

import argparse  # noqa: E402
import gc  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pyqtgraph as pg  # noqa: E402
from pyqtgraph.Qt import QtCore, QtGui  # noqa: E402
from PySide6.QtCore import QCoreApplication, QEvent, Qt  # noqa: E402
from PySide6.QtWidgets import QSplitter  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from smtdesk.core.analysis import analyze_asset  # noqa: E402
from smtdesk.core.candles import Candles  # noqa: E402
from smtdesk.ui.items.candles import BODY_FRACTION, CandleItem  # noqa: E402
from smtdesk.ui.chart import AssetChart, PricePane  # noqa: E402
from smtdesk.settings import LayoutSettings  # noqa: E402
from smtdesk.ui.pane import Pane  # noqa: E402
from smtdesk.ui.theme import DARK, brush, pen  # noqa: E402

try:
    import finplot as fplt  # noqa: E402
except ImportError:  # the bench extra is optional
    fplt = None

BAR_SECONDS = 60
"""One-minute candles: a million of them is about two years, as a venue serves."""
PAN_VIEW_BARS = (400, 200)
"""Bars on screen while panning: a trader's usual working zoom; at 400 bars in a 1200 px
pane the candle item draws per-column wicks, at 200 it draws bodies."""
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


def _settle() -> None:
    """Deliver deferred deletions and collect, so a chart's teardown is not timed later."""
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    pg.mkQApp().processEvents()
    gc.collect()


def _dispose(widget) -> None:
    widget.close()
    widget.deleteLater()
    _settle()


def _pane(candles: Candles) -> tuple[PricePane, CandleItem]:
    """The app's price pane: candles over the volume overlay, y fitted as in the app."""
    pane = PricePane(DARK)
    pane.resize(*SIZE)
    pane.candles.set_candles(candles, bar_seconds=BAR_SECONDS)
    pane.volume.item.set_candles(candles, bar_seconds=BAR_SECONDS)
    pg.mkQApp().processEvents()
    return pane, pane.candles


def _naive_pane(candles: Candles) -> Pane:
    """The naive item in a pane whose y is fitted like ours (from a candle item not drawn)."""
    pane = Pane("naive", palette=DARK)
    pane.resize(*SIZE)
    pane.plot.addItem(NaiveCandleItem(candles, BAR_SECONDS))
    ranger = CandleItem()
    ranger.set_candles(candles, bar_seconds=BAR_SECONDS)
    pane.fitted.append(ranger)
    pane._ranger = ranger  # kept alive with the pane
    pg.mkQApp().processEvents()
    return pane


def _frame(widget, vb: pg.ViewBox, x0: float, x1: float) -> float:
    start = time.perf_counter()
    vb.setXRange(x0, x1, padding=0)  # the pane's view box fits y to the new x range
    pg.mkQApp().processEvents()
    widget.grab()
    return time.perf_counter() - start


def _pan_windows(x: np.ndarray, bars: int, frames: int) -> list[tuple[float, float]]:
    width = bars * BAR_SECONDS
    x0 = float(x[len(x) // 2])
    return [(x0 + i * PAN_STEP * width, x0 + i * PAN_STEP * width + width) for i in range(frames)]


def _full_windows(x: np.ndarray, frames: int) -> list[tuple[float, float]]:
    # zoom by a hair each frame so every frame re-renders the full history's worth
    lo, hi = float(x[0]), float(x[-1])
    span = hi - lo
    return [(lo - span * 0.002 * (i % 5), hi + span * 0.001 * (i % 3)) for i in range(frames)]


def _frames(widget, vb, windows) -> list[float]:
    return [_frame(widget, vb, a, b) for a, b in windows]


def _measure(build, frame, x: np.ndarray, frames: int, *, warmup: int) -> dict:
    """Build time and median frames of one chart; ``frame(x0, x1)`` renders one frame."""
    out = {}
    start = time.perf_counter()
    handle = build()
    out["build"] = time.perf_counter() - start
    for bars in PAN_VIEW_BARS:
        for a, b in _pan_windows(x, bars, warmup):
            frame(handle, a, b)
        out[f"pan{bars}"] = statistics.median(frame(handle, a, b) for a, b in _pan_windows(x, bars, frames))
    out["full"] = statistics.median(frame(handle, a, b) for a, b in _full_windows(x, frames))
    return out, handle


def _ours(candles: Candles, x: np.ndarray, frames: int) -> dict:
    def build():
        pane, _ = _pane(candles)
        pane.grab()
        return pane

    out, pane = _measure(build, lambda p, a, b: _frame(p, p.vb, a, b), x, frames, warmup=WARMUP_FRAMES)
    _dispose(pane)
    return out


def _naive(candles: Candles, x: np.ndarray, frames: int) -> dict:
    def build():
        pane = _naive_pane(candles)
        pane.grab()
        return pane

    out, pane = _measure(build, lambda p, a, b: _frame(p, p.vb, a, b), x, frames, warmup=1)
    _dispose(pane)
    return out


def _finplot(candles: Candles, x: np.ndarray, frames: int) -> dict:
    """finplot's candles with volume, panned as its own pan does: x in bar indices, y
    fitted by its view box, its partially drawn candles marked for repaint."""
    df = pd.DataFrame({"time": pd.to_datetime(candles.time, unit="ms"), "open": candles.open,
                       "close": candles.close, "high": candles.high, "low": candles.low,
                       "volume": candles.volume})

    def build():
        ax = fplt.create_plot("bench", init_zoom_periods=PAN_VIEW_BARS[0], maximize=False)
        fplt.candlestick_ochl(df[["time", "open", "close", "high", "low"]], ax=ax)
        fplt.volume_ocv(df[["time", "open", "close", "volume"]], ax=ax.overlay())
        fplt.refresh()
        win = ax.vb.win
        win.resize(*SIZE)
        pg.mkQApp().processEvents()
        win.grab()
        return ax

    def frame(ax, a: float, b: float) -> float:
        # the same time window as ours, as bar indices
        i0, i1 = np.searchsorted(x, [a, b])
        start = time.perf_counter()
        ax.vb.update_y_zoom(float(i0), float(i1))
        fplt._repaint_candles()
        pg.mkQApp().processEvents()
        ax.vb.win.grab()
        return time.perf_counter() - start

    out, ax = _measure(build, frame, x, frames, warmup=WARMUP_FRAMES)
    win = ax.vb.win
    fplt.windows.clear()
    fplt.overlay_axs.clear()
    fplt.master_data.clear()
    fplt._clear_timers()
    fplt.last_ax = None
    _dispose(win)
    return out


def bench_pair(n: int, *, frames: int, naive_frames: int) -> dict:
    candles = synthetic_candles(n)
    x = candles.time / 1000.0
    out = {"ours": _ours(candles, x, frames)}
    if fplt is not None:
        out["finplot"] = _finplot(candles, x, frames)
    out["naive"] = _naive(candles, x, naive_frames)
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
        chart.set_overlays(LayoutSettings().overlays)  # the overlays a first start shows
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
    _frames(splitter, vb, _pan_windows(x, PAN_VIEW_BARS[0], WARMUP_FRAMES))
    times = _frames(splitter, vb, _pan_windows(x, PAN_VIEW_BARS[0], frames))
    _dispose(splitter)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--frames", type=int, default=60)
    args = parser.parse_args(argv)
    pg.mkQApp()

    ms = 1000.0
    others = ["finplot", "naive"] if fplt is not None else ["naive"]
    if fplt is None:
        print("finplot not installed: pip install --no-deps finplot (see the README's benchmarks)")
    rows = [("build", "build ms"), *((f"pan{b}", f"pan frame, {b} bars ms") for b in PAN_VIEW_BARS),
            ("full", "full-view frame ms")]
    print(f"{'candles':>9}  {'':<22} {'ours':>7} " + " ".join(f"{o:>8} {'ratio':>6}" for o in others))
    results = {}
    bench_pair(2_000, frames=WARMUP_FRAMES, naive_frames=1)  # warm Qt and numpy up, untimed
    for n in args.sizes:
        # the naive item replays every candle each frame: cap its repetitions at 1M
        naive_frames = 5 if n >= 1_000_000 else (10 if n >= 100_000 else args.frames)
        r = results[n] = bench_pair(n, frames=args.frames, naive_frames=naive_frames)
        for i, (key, label) in enumerate(rows):
            ours = r["ours"][key] * ms
            cells = " ".join(f"{r[o][key] * ms:8.2f} {r[o][key] * ms / ours:5.1f}x" for o in others)
            print(f"{n if i == 0 else '':>9}  {label:<22} {ours:7.2f} {cells}", flush=True)

    window_n = max(args.sizes)
    window = bench_window(window_n, frames=args.frames) * ms
    print(f"whole window (2 app chart columns x price + RSI, MACD, volume panels), {window_n} candles per chart: "
          f"median pan frame {window:.2f} ms")

    checks = []
    if 100_000 in results:
        r = results[100_000]
        checks.append(("pan frame at 100k >= 20x faster than naive",
                       r["naive"]["pan400"] / r["ours"]["pan400"] >= 20))
    if 10_000 in results and 1_000_000 in results:
        small, big = results[10_000], results[1_000_000]
        checks.append(("pan frame at 1M within 1.5x of 10k",
                       big["ours"]["pan400"] <= 1.5 * small["ours"]["pan400"]))
        checks.append(("full-view frame at 1M within 1.5x of 10k",
                       big["ours"]["full"] <= 1.5 * small["ours"]["full"]))
    if window_n >= 1_000_000:
        checks.append(("whole-window pan frame <= 16 ms at 1M", window <= 16.0))
    for name, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
