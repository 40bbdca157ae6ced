"""Chart items rendered offscreen: what they draw matches the candles, at every zoom."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pytest
from pyqtgraph.Qt import QtCore, QtGui

from smtdesk.core.candles import Candles
from smtdesk.ui.items._lod import Pyramid
from smtdesk.ui.items.axes import PriceAxisItem, TimeAxisItem
from smtdesk.ui.items.candles import CandleItem
from smtdesk.ui.items.lines import LineItem
from smtdesk.ui.items.volume import VolumeItem
from smtdesk.ui.theme import DARK, LIGHT, Palette, over, pen, style_plot
from tests.ui.probes import last_close

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
BAR = 3600
T0_MS = 1_600_000_000_000


def make_candles(n: int, *, seed: int = 0, holes: slice | None = None) -> Candles:
    rng = np.random.default_rng(seed)
    t = T0_MS + np.arange(n + (0 if holes is None else holes.stop - holes.start)) * BAR * 1000
    if holes is not None:
        t = np.delete(t, np.arange(holes.start, holes.stop))
    close = 30_000 * np.exp(np.cumsum(rng.normal(0, 0.004, n)))
    open_ = np.concatenate(([close[0]], close[:-1]))
    high = np.maximum(open_, close) * (1 + rng.random(n) * 0.003)
    low = np.minimum(open_, close) * (1 - rng.random(n) * 0.003)
    # a few lone spikes: a downsampler that drops them would be caught
    spikes = rng.choice(n, max(1, n // 2000), replace=False)
    high[spikes] *= 1.05
    return Candles(t, open_, high, low, close, rng.lognormal(5, 1, n))


def plot_with(item, qtbot, *, size=(600, 300), palette: Palette = DARK) -> pg.PlotWidget:
    widget = pg.PlotWidget(axisItems={"right": PriceAxisItem("right", palette=palette),
                                      "bottom": TimeAxisItem("bottom", palette=palette)})
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.setBackground(palette.background)
    style_plot(widget.getPlotItem(), palette)
    widget.getPlotItem().hideAxis("left")
    widget.getPlotItem().showAxis("right")
    widget.addItem(item)
    return widget


def render(widget: pg.PlotWidget, x0: float, x1: float, y: tuple[float, float] | None = None) -> np.ndarray:
    vb = widget.getViewBox()
    vb.setXRange(x0, x1, padding=0)
    if y is not None:
        vb.setYRange(*y, padding=0)
    pg.mkQApp().processEvents()
    image = widget.grab().toImage().convertToFormat(QtGui.QImage.Format.Format_RGB32)
    return pg.functions.ndarray_from_qimage(image)[..., :3].copy()


def to_pixels(widget: pg.PlotWidget, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Data coordinates to widget pixel coordinates (floats)."""
    vb = widget.getViewBox()
    transform = vb.childGroup.sceneTransform() * widget.viewportTransform()
    pts = [transform.map(QtCore.QPointF(float(a), float(b))) for a, b in zip(x, y)]
    return np.array([p.x() for p in pts]), np.array([p.y() for p in pts])


def painted(img: np.ndarray, background: str) -> np.ndarray:
    bg = np.array(pg.mkColor(background).getRgb()[:3])[::-1]  # image is BGR(A)
    return np.any(np.abs(img.astype(int) - bg) > 12, axis=-1)


def save(img: np.ndarray, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    h, w, _ = img.shape
    rgba = np.ascontiguousarray(np.dstack([img, np.full((h, w), 255, np.uint8)]))
    QtGui.QImage(rgba.data, w, h, 4 * w, QtGui.QImage.Format.Format_RGB32).copy().save(str(ARTIFACTS / name))


@pytest.mark.parametrize("bars_per_px", [1.3, 4.0, 37.0, 400.0])
def test_zoomed_out_columns_show_exact_wicks(qtbot, bars_per_px):
    candles = make_candles(100_000, seed=1)
    item = CandleItem()
    item.set_candles(candles, bar_seconds=BAR)
    widget = plot_with(item, qtbot)
    x = candles.time / 1000.0
    vb = widget.getViewBox()
    for _ in range(2):  # settle the layout (the price axis widens to its labels once)
        render(widget, x[0], x[-1])
    width_px = vb.width()
    # start on the column grid so column centres fall mid-pixel, where the check is sharp
    column = bars_per_px * BAR
    x0 = np.floor(x[len(x) // 3] / column) * column
    x1 = x0 + width_px * column
    lo, hi = item.visible_range(x0, x1)
    img = render(widget, x0, x1, (lo - (hi - lo) * 0.05, hi + (hi - lo) * 0.05))

    cols = item.drawn_columns
    assert cols is not None, "zoomed out past a bar per pixel the item draws columns"
    # the item's columns are exact aggregates of the candles each one covers
    for c in range(len(cols)):
        f, last = cols.first[c], cols.last[c]
        assert cols.fields["high"][c] == candles.high[f : last + 1].max()
        assert cols.fields["low"][c] == candles.low[f : last + 1].min()
    assert abs(cols.column_seconds - (x1 - x0) / width_px) < 1e-6 * cols.column_seconds

    # and the pixels show them: each visible column's painted run spans its high and low
    mask = painted(img, DARK.background)
    visible = (cols.x > x0 + 2 * cols.column_seconds) & (cols.x < x1 - 2 * cols.column_seconds)
    px, py_hi = to_pixels(widget, cols.x[visible], cols.fields["high"][visible])
    _, py_lo = to_pixels(widget, cols.x[visible], cols.fields["low"][visible])
    checked = 0
    for col_x, top, bottom in zip(px, py_hi, py_lo):
        if abs(col_x - round(col_x)) < 0.1:  # on a pixel boundary either neighbour is fair
            continue
        rows = np.flatnonzero(mask[:, int(np.floor(col_x))])
        assert len(rows), f"nothing drawn at pixel column {col_x}"
        assert rows.min() <= top + 1.5 and rows.max() >= bottom - 1.5
        checked += 1
    assert checked > 0.5 * visible.sum()
    save(img, f"items_zoomed_out_{bars_per_px:g}.png")


def test_zoomed_in_draws_every_candle_and_leaves_gaps_empty(qtbot):
    candles = make_candles(3000, seed=2, holes=slice(1500, 1530))
    item = CandleItem()
    item.set_candles(candles, bar_seconds=BAR)
    widget = plot_with(item, qtbot)
    x = candles.time / 1000.0
    x0, x1 = x[1450], x[1580]
    lo, hi = item.visible_range(x0, x1)
    img = render(widget, x0, x1, (lo, hi))
    assert item.drawn_columns is None, "zoomed in the item draws candles, not columns"
    mask = painted(img, DARK.background)

    gap_left, _ = to_pixels(widget, [x[1499] + BAR], [lo])
    gap_right, _ = to_pixels(widget, [x[1500] - BAR], [lo])
    _, top = to_pixels(widget, [x0], [hi])
    _, bottom = to_pixels(widget, [x0], [lo])
    hole = mask[int(top[0]) + 2 : int(bottom[0]) - 2, int(gap_left[0]) + 1 : int(gap_right[0]) - 1]
    assert hole.size > 0 and not hole.any(), "missing candles must leave empty space"

    # each candle's wick reaches its high and low
    cx, cy_hi = to_pixels(widget, x[1460:1490], candles.high[1460:1490])
    _, cy_lo = to_pixels(widget, x[1460:1490], candles.low[1460:1490])
    checked = 0
    for col_x, t, b in zip(cx, cy_hi, cy_lo):
        if abs(col_x - round(col_x)) < 0.1:  # on a pixel boundary either neighbour is fair
            continue
        rows = np.flatnonzero(mask[:, int(np.floor(col_x))])
        assert rows.min() <= t + 1.5 and rows.max() >= b - 1.5
        checked += 1
    assert checked > 20
    save(img, "items_zoomed_in_gap.png")


def up_then_down(item, qtbot, y: tuple[float, float]) -> tuple[pg.PlotWidget, np.ndarray, np.ndarray]:
    """``item`` showing an up candle then a down one (volumes 5, 8) on the light palette:
    its widget, the candles' x and the picture."""
    t = T0_MS + np.arange(2) * BAR * 1000
    item.set_candles(Candles(t, [100, 110], [112, 111], [99, 95], [110, 96], [5, 8]), bar_seconds=BAR)
    widget = plot_with(item, qtbot, palette=LIGHT, size=(300, 300))
    x = t / 1000.0
    return widget, x, render(widget, x[0] - BAR, x[1] + BAR, y)


def test_up_and_down_candles_use_the_palette_colours(qtbot):
    widget, x, img = up_then_down(CandleItem(palette=LIGHT), qtbot, (90, 115))
    (bx,), (by,) = to_pixels(widget, [x[0]], [105])
    (dx,), (dy,) = to_pixels(widget, [x[1]], [103])
    up = pg.mkColor(LIGHT.up).getRgb()[:3][::-1]
    down = pg.mkColor(LIGHT.down).getRgb()[:3][::-1]
    assert tuple(img[int(by), int(bx)]) == up
    assert tuple(img[int(dy), int(dx)]) == down


def test_visible_range_is_the_slice_extremes():
    candles = make_candles(50_000, seed=3)
    item = CandleItem()
    item.set_candles(candles, bar_seconds=BAR)
    x = candles.time / 1000.0
    rng = np.random.default_rng(0)
    for _ in range(100):
        i, j = sorted(rng.integers(0, len(x), 2))
        lo, hi = item.visible_range(x[i], x[j])
        assert lo == candles.low[i : j + 1].min()
        assert hi == candles.high[i : j + 1].max()
    assert np.isnan(item.visible_range(x[-1] + 10 * BAR, x[-1] + 20 * BAR)[0])


def test_autorange_fits_the_visible_candles(qtbot):
    candles = make_candles(20_000, seed=4)
    item = CandleItem()
    item.set_candles(candles, bar_seconds=BAR)
    widget = plot_with(item, qtbot)
    vb = widget.getViewBox()
    vb.setAutoVisible(y=True)
    vb.enableAutoRange(y=True)
    x = candles.time / 1000.0
    render(widget, x[5000], x[5300])
    y0, y1 = vb.viewRange()[1]
    lo, hi = item.visible_range(x[5000], x[5300])
    assert y0 <= lo and y1 >= hi
    assert (y1 - y0) < 1.2 * (hi - lo)


def test_live_updates_extend_the_pyramid_in_place(qtbot):
    full = make_candles(10_000, seed=5)
    item = CandleItem()
    item.set_candles(full[:9_000], bar_seconds=BAR)
    widget = plot_with(item, qtbot)
    x = full.time / 1000.0
    render(widget, x[0], x[-1])
    pyramid = item._pyramid
    for i in range(9_000, 10_000, 7):
        # the forming candle is replaced, then the next ones are appended
        item.merge_candles(full[i - 1 : i + 7])
    assert item._pyramid is pyramid, "live updates must not rebuild the pyramid"
    rebuilt = Pyramid(x, {"open": full.open, "high": full.high, "low": full.low, "close": full.close},
                      reducers={"high": np.maximum, "low": np.minimum}, bar_seconds=BAR)
    assert item.bar_count() == len(full)
    for a, b in zip(item._pyramid.levels, rebuilt.levels):
        assert np.array_equal(a.field("high"), b.field("high"))
        assert np.array_equal(a.first, b.first)
    assert last_close(item) == full.close[-1]
    assert item.dataBounds(0)[1] == pytest.approx(x[-1] + BAR / 2)
    render(widget, x[0], x[-1])
    cols = item.drawn_columns
    assert cols.last[-1] == len(full) - 1


def test_volume_bars_look_as_the_translucent_palette_colour_over_the_background(qtbot):
    assert over("#ff000080", "#000000") == "#800000" and over("#26a69a", "#131722") == "#26a69a"
    widget, x, img = up_then_down(VolumeItem(palette=LIGHT), qtbot, (0, 10))
    xs, ys = to_pixels(widget, x, [2, 2])
    for px, y, colour in zip(xs, ys, (LIGHT.volume_up, LIGHT.volume_down)):
        blended = np.array(pg.mkColor(over(colour, LIGHT.background)).getRgb()[:3][::-1])
        assert np.abs(img[int(y), int(px)].astype(int) - blended).max() <= 1


def test_volume_columns_keep_the_largest_bar(qtbot):
    candles = make_candles(40_000, seed=6)
    item = VolumeItem()
    item.set_candles(candles, bar_seconds=BAR)
    widget = plot_with(item, qtbot)
    x = candles.time / 1000.0
    img = render(widget, x[0], x[-1], (0, candles.volume.max()))
    cols = item.drawn_columns
    assert cols is not None
    for c in range(len(cols)):
        assert cols.fields["volume"][c] == candles.volume[cols.first[c] : cols.last[c] + 1].max()
    assert item.visible_volume_max(x[100], x[200]) == candles.volume[100:201].max()
    assert item.dataBounds(1, orthoRange=(x[100], x[200])) == (0.0, candles.volume[100:201].max())
    # the tallest bar of all reaches the top of the plot
    top = int(np.argmax(candles.volume))
    c = int(np.searchsorted(cols.last, top))
    (px,), (py,) = to_pixels(widget, [cols.x[c]], [candles.volume[top]])
    rows = np.flatnonzero(painted(img, DARK.background)[:, int(np.floor(px))])
    assert rows.min() <= py + 1.5
    save(img, "items_volume_full.png")


def test_line_breaks_at_nan_and_missing_bars(qtbot):
    n = 400
    x = T0_MS / 1000 + np.arange(n) * BAR
    x[200:] += 50 * BAR  # missing bars
    y = np.sin(np.arange(n) / 20.0)
    y[100:130] = np.nan
    item = LineItem(pen=pen(DARK.series[0], 2))
    item.set_data(x, y, bar_seconds=BAR)
    widget = plot_with(item, qtbot)
    img = render(widget, x[0], x[-1], (-1.2, 1.2))
    mask = painted(img, DARK.background)
    _, top = to_pixels(widget, [x[0]], [1.2])
    _, bottom = to_pixels(widget, [x[0]], [-1.2])
    rows = slice(int(top[0]) + 1, int(bottom[0]) - 1)
    for a, b in ((x[101], x[128]), (x[199] + 2 * BAR, x[200] - 2 * BAR)):
        (pa, pb), _ = to_pixels(widget, [a, b], [0, 0])
        assert not mask[rows, int(pa) + 1 : int(pb)].any(), "the line must not bridge a gap"
    (pa, pb), _ = to_pixels(widget, [x[20], x[80]], [0, 0])
    assert mask[rows, int(pa) : int(pb)].any(axis=0).all(), "the line is continuous elsewhere"
    assert item.visible_range(x[0], x[99]) == (np.nanmin(y[:100]), np.nanmax(y[:100]))
    save(img, "items_line_gaps.png")


def test_line_columns_keep_peaks(qtbot):
    n = 200_000
    x = T0_MS / 1000 + np.arange(n) * BAR
    y = np.zeros(n)
    y[123_457] = 5.0  # a one-sample peak among 200k
    item = LineItem(pen=pen(DARK.series[1]))
    item.set_data(x, y, bar_seconds=BAR)
    widget = plot_with(item, qtbot)
    render(widget, x[0], x[-1], (-1, 6))
    cols = item.drawn_columns
    assert cols is not None and cols.fields["max"].max() == 5.0


def test_screenshots_dark_and_light(qtbot):
    candles = make_candles(100_000, seed=8)
    x = candles.time / 1000.0
    for palette in (DARK, LIGHT):
        item = CandleItem(palette=palette)
        item.set_candles(candles, bar_seconds=BAR)
        widget = plot_with(item, qtbot, size=(900, 450), palette=palette)
        widget.getPlotItem().showGrid(x=True, y=True)
        ma = np.convolve(candles.close, np.ones(50) / 50)[: len(candles)]
        ma[:49] = np.nan
        line = LineItem(pen=pen(palette.series[0]))
        line.set_data(x, ma, bar_seconds=BAR)
        widget.addItem(line)
        widget.getPlotItem().getAxis("right").set_marker(last_close(item), palette.up)
        for name, (a, b) in {"zoomed_in": (x[-150], x[-1] + 5 * BAR), "full": (x[0], x[-1])}.items():
            # as on the chart: the average over single candles, under aggregated columns
            line.setZValue(1 if name == "zoomed_in" else -1)
            lo, hi = item.visible_range(a, b)
            y = (lo - 0.03 * (hi - lo), hi + 0.03 * (hi - lo))
            render(widget, a, b, y)  # the price axis widens to its labels on the first paint
            img = render(widget, a, b, y)
            assert painted(img, palette.background).mean() > 0.02
            save(img, f"items_{palette.name}_{name}.png")
