"""The chart columns driven as a user drives them: wheel, drag, keys, crosshair, menus."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from smtdesk.core.analysis import analyze_asset
from smtdesk.core.candles import Candles
from smtdesk.core.resample import resample
from smtdesk.data.derivatives import FUNDING, DerivSeries
from smtdesk.ui.chart import INITIAL_BARS, VOLUME_SHARE, AssetChart
from smtdesk.ui.panels import PANELS
from smtdesk.ui.signal_text import bar_time
from smtdesk.ui.theme import LIGHT
from tests.ui.drive import drag, hover, wheel
from tests.ui.probes import drawn_labels, plan_zones, smt_lines, visible_count


HOUR_MS = 3_600_000


def all_panes(win):
    return [*win.left.panes(), *win.right.panes()]


def x_ranges(win):
    return [tuple(p.vb.viewRange()[0]) for p in all_panes(win)]


def open_panels(win, *keys):
    for key in keys:
        win.panel_actions[key].setChecked(True)
    QApplication.processEvents()


def assert_all_equal(ranges, expected):
    for r in ranges:
        assert r == pytest.approx(expected, abs=1.0)


def test_wheel_on_a_subpanel_zooms_every_pane_of_both_charts(still_window):
    win = still_window
    open_panels(win, "macd", "kdj")
    before = x_ranges(win)[0]
    panel = win.left.panels["macd"]
    view = panel.viewport()
    wheel(view, QPoint(view.width() // 2, view.height() // 2), 3)
    after = x_ranges(win)
    assert after[0][1] - after[0][0] < 0.9 * (before[1] - before[0]), "zoomed in"
    assert len(after) == 2 * 4
    assert_all_equal(after, after[0])


def test_drag_on_a_subpanel_pans_every_pane_of_both_charts(still_window):
    win = still_window
    open_panels(win, "cci")
    before = x_ranges(win)[0]
    view = win.right.panels["cci"].viewport()
    mid = QPoint(view.width() // 2, view.height() // 2)
    drag(view, mid, mid + QPoint(300, 0))
    after = x_ranges(win)
    assert after[0][1] < before[1] - 10 * 3600, "older candles came into view"
    assert after[0][1] - after[0][0] == pytest.approx(before[1] - before[0], rel=1e-6), "a pan keeps the zoom"
    assert_all_equal(after, after[0])


def test_after_a_pan_every_pane_fits_the_data_now_on_screen(still_window):
    win = still_window
    open_panels(win, "macd", "volume")
    view = win.left.panels["macd"].viewport()
    mid = QPoint(view.width() // 2, view.height() // 2)
    drag(view, mid, mid + QPoint(400, 0))
    for chart in (win.left, win.right):
        x0, x1 = chart.price.visible_x()
        c = chart.analysis.candles
        on_screen = (c.time / 1000.0 >= x0) & (c.time / 1000.0 <= x1)
        low, high = chart.price.vb.viewRange()[1]
        assert low < c.low[on_screen].min() and high > c.high[on_screen].max()
        assert high - low < 2 * (c.high[on_screen].max() - c.low[on_screen].min()), "fitted, not just covering"
        top = chart.price.volume.box.viewRange()[1][1]
        assert top == pytest.approx(c.volume[on_screen].max() / VOLUME_SHARE, rel=0.02)
        for panel in chart.panels.values():
            lo, hi = panel.visible_y_range(x0, x1)
            y0, y1 = panel.vb.viewRange()[1]
            assert y0 < lo and y1 > hi, f"{panel.name}: data off screen"
            assert y1 - y0 < 2 * (hi - lo), f"{panel.name}: not fitted"


def test_keys_pan_and_zoom_both_charts(still_window):
    win = still_window
    win.activateWindow()
    x0, x1 = x_ranges(win)[0]
    QTest.keyClick(win, Qt.Key_Left)
    panned = x_ranges(win)
    assert panned[0][1] == pytest.approx(x1 - 0.2 * (x1 - x0), abs=1.0)
    QTest.keyClick(win, Qt.Key_Up)
    zoomed = x_ranges(win)
    assert zoomed[0][1] - zoomed[0][0] == pytest.approx((panned[0][1] - panned[0][0]) / 1.25, rel=1e-6)
    assert_all_equal(zoomed, zoomed[0])
    QTest.keyClick(win, Qt.Key_End)
    newest = win.left.analysis.candles.time[-1] / 1000
    assert x_ranges(win)[0][0] < newest < x_ranges(win)[0][1]


def test_crosshair_on_the_left_chart_appears_on_the_right_with_each_panes_values(still_window, artifacts):
    win = still_window
    open_panels(win, "rsi", "macd")
    view = win.left.price.viewport()
    hover(view, QPoint(view.width() // 3, view.height() // 2))
    t = win.crosshair.time
    assert t is not None
    left = win.left.analysis
    i = int(np.searchsorted(left.candles.time / 1000, t))
    assert left.candles.time[i] / 1000 == t, "snapped to a candle's open time"
    for pane in all_panes(win):
        vline, _ = win.crosshair.lines(pane)
        assert vline.isVisible() and vline.value() == t
    _, hline = win.crosshair.lines(win.left.price)
    assert hline.isVisible()
    assert not win.crosshair.lines(win.right.price)[1].isVisible()

    stamp = np.datetime_as_string(np.datetime64(int(t), "s"), unit="m").replace("T", " ")
    right = win.right.analysis
    j = int(np.searchsorted(right.candles.time / 1000, t))
    assert f"{stamp} UTC" in win.right.price.legend.text()
    assert f"{right.candles.close[j]:,.2f}" in win.right.price.legend.text()
    assert f"{left.candles.close[i]:,.2f}" in win.left.price.legend.text()
    rsi = left.indicators["rsi"][i]
    assert f"RSI {rsi:,.4g}" in win.left.panels["rsi"].legend.text()
    dif = right.indicators["macd"].dif[j]
    assert f"DIF {dif:,.4g}" in win.right.panels["macd"].legend.text()
    win.grab().save(str(artifacts / "crosshair.png"))

    # leaving the chart hides the lines and the legends return to the newest bar
    hover(view, QPoint(view.width() // 3, view.height() + 40))
    assert win.crosshair.time is None
    assert f"{left.candles.close[-1]:,.2f}" in win.left.price.legend.text()


def test_every_subpanel_is_added_from_the_menu_and_removed_by_its_close_button(still_window, artifacts):
    win = still_window
    keys = list(PANELS)
    open_panels(win, *keys)
    for chart in (win.left, win.right):
        assert list(chart.panels) == ["rsi", *[k for k in keys if k != "rsi"]]
        for panel in chart.panels.values():
            assert panel.isVisible() and panel.height() >= panel.minimumHeight()
    win.grab().save(str(artifacts / "all_panels.png"))
    for key in keys:
        button = win.right.panels[key].close_button
        QTest.mouseClick(button, Qt.LeftButton)
        assert key not in win.left.panels and key not in win.right.panels
        assert not win.panel_actions[key].isChecked()
    assert win.left.panes() == [win.left.price]
    assert win.left.price.time_axis.style["showValues"], "the price pane labels time when alone"


def _grid_rows(image, x: int, y0: int, y1: int, colour) -> int:
    """Rows in ``y0 .. y1`` where column ``x`` (or a neighbour) has the grid colour."""
    return sum(
        any(image.pixelColor(x + dx, y) == colour for dx in (-1, 0, 1)) for y in range(y0, y1)
    )


def test_panes_without_time_labels_keep_the_time_grid_of_the_bottom_pane(still_window):
    win = still_window
    open_panels(win, "volume")
    chart = win.left
    bottom = chart.panes()[-1]
    assert bottom.time_axis.isVisible() and bottom.time_axis.style["showValues"]
    lo, hi = bottom.vb.viewRange()[0]
    ticks, _ = bottom.time_axis.ticks(lo, hi, bottom.vb.width(), labelled=False)
    assert len(ticks) >= 2
    colour = QColor(bottom._palette.grid)
    for pane in chart.panes()[:-1]:
        assert not pane.time_axis.isVisible(), f"{pane.name}: a hidden pane draws no time axis"
        image = pane.grab().toImage()
        view = pane.vb.mapRectToScene(pane.vb.boundingRect())
        top, bottom_px = int(view.top()) + 2, int(view.bottom()) - 2
        height = bottom_px - top
        for t in ticks:
            x = int(round(pane.vb.mapViewToScene(QPointF(t, 0)).x()))
            assert _grid_rows(image, x, top, bottom_px, colour) > height / 3, f"{pane.name}: no grid at {t}"
        between = int(round(pane.vb.mapViewToScene(QPointF((ticks[0] + ticks[1]) / 2, 0)).x()))
        assert _grid_rows(image, between, top, bottom_px, colour) < height / 3, f"{pane.name}: grid off its ticks"


def test_derivatives_panel_shows_what_the_data_layer_delivers(still_window, qtbot):
    win = still_window
    open_panels(win, "funding")
    panel, other = win.left.panels["funding"], win.right.panels["funding"]
    # the demo's recorded funding comes first
    qtbot.waitUntil(lambda: panel.has_data() and other.has_data(), timeout=10_000)
    before = other.legend.text()
    t = win.left.analysis.candles.time
    times = t[::8][-50:]
    rates = np.linspace(-0.0001, 0.0003, len(times))
    symbol = win.left.analysis.symbol
    win.worker.market.emit(DerivSeries(symbol, FUNDING, "8h", times, rates))
    QApplication.processEvents()
    assert f"{rates[-1] * 100:,.4g} %" in panel.legend.text()
    assert other.legend.text() == before, "the other asset got nothing"


def test_legend_stays_at_the_hovered_bar_while_panels_overlays_and_derivatives_arrive(still_window):
    win = still_window
    view = win.left.price.viewport()
    hover(view, QPoint(view.width() // 3, view.height() // 2))
    t = win.crosshair.time
    assert t is not None
    stamp = np.datetime_as_string(np.datetime64(int(t), "s"), unit="m").replace("T", " ")
    open_panels(win, "funding")
    win.overlay_actions["ema20"].setChecked(True)
    times = win.left.analysis.candles.time[::8][-50:]
    win.worker.market.emit(
        DerivSeries(win.left.analysis.symbol, FUNDING, "8h", times, np.full(len(times), 0.0001)))
    QApplication.processEvents()
    assert win.left.panels["funding"].has_data()
    assert f"{stamp} UTC" in win.left.price.legend.text()
    assert "EMA 20" in win.left.price.legend.text(), "a new overlay is listed at once"


def test_layout_toggle_shortcut_stacks_the_charts_and_back(still_window, artifacts):
    win = still_window
    win.activateWindow()
    win.grab().save(str(artifacts / "layout_side_by_side.png"))
    QTest.keyClick(win, Qt.Key_L, Qt.ControlModifier)
    assert win.charts.orientation() == Qt.Vertical
    assert win.right.geometry().top() > win.left.geometry().bottom()
    assert x_ranges(win)[0] == pytest.approx(tuple(win.right.price.vb.viewRange()[0]), abs=1.0)
    win.grab().save(str(artifacts / "layout_stacked.png"))
    QTest.keyClick(win, Qt.Key_L, Qt.ControlModifier)
    assert win.charts.orientation() == Qt.Horizontal
    assert win.right.geometry().left() > win.left.geometry().right()


def test_timeframe_switch_reloads_and_redraws_both_charts(still_window, qtbot):
    win = still_window
    open_panels(win, "macd")
    hourly = (win.left.analysis.candles, win.right.analysis.candles)
    QTest.mouseClick(win.pickers.timeframe_buttons["4h"], Qt.LeftButton)
    qtbot.waitUntil(lambda: win.left.bar_seconds == win.right.bar_seconds == 4 * 3600, timeout=30_000)

    for chart, candles in zip((win.left, win.right), hourly):
        asset = chart.analysis
        # the history's last 4h bucket may still be filling: it is not analysed as closed
        assert asset.candles.time.tolist() == resample(candles, "4h").time[: len(asset.candles)].tolist()
        assert len(asset.candles) >= len(candles) // 4 - 1
        assert chart.bar_seconds == 4 * 3600
        assert chart.panels["macd"].series_items[0].bar_count() == len(asset.candles)
        assert "· 4h" in chart.price.legend.text()
    x0, x1 = x_ranges(win)[0]
    assert (x1 - x0) / (4 * 3600) == pytest.approx(INITIAL_BARS + 3, abs=2), "the newest 4h bars in view"
    assert_all_equal(x_ranges(win), (x0, x1))
    view = win.right.price.viewport()
    hover(view, QPoint(view.width() // 2, view.height() // 2))
    assert win.crosshair.time is not None and win.crosshair.time % (4 * 3600) == 0, "snaps to 4h bars"


def test_another_venues_series_with_the_same_times_is_redrawn_whole(still_window):
    """A venue switch keeps symbol, timeframe and timestamps: the window says it is fresh."""
    chart = still_window.left
    old = chart.analysis
    c = old.candles
    other = dataclasses.replace(
        old, candles=Candles(c.time, c.open * 2, c.high * 2, c.low * 2, c.close * 2, c.volume)
    )
    visible_high = float(c.high[-INITIAL_BARS:].max())
    chart.set_analysis(other, "1h", fresh=True)
    low, high = chart.price.vb.viewRange()[1]
    assert low > visible_high, "every visible candle is the new venue's"
    assert high >= 2 * visible_high


def test_short_panes_keep_their_value_labels_apart_and_clear_of_the_price_tag(still_window):
    win = still_window
    open_panels(win, *PANELS)
    win.grab()
    for pane in win.left.panes():
        boxes = [box for _text, box in drawn_labels(pane.price_axis)]
        for a, b in zip(boxes, boxes[1:]):
            assert not a.intersects(b), f"{pane.name}: labels overlap"
    assert [t for t, _ in drawn_labels(win.left.panels["rsi"].price_axis)], "RSI keeps a level label"
    tag_value, _colour = win.left.price.price_axis.marker()
    axis = win.left.price.price_axis
    lo, hi = axis.range
    rect = axis.mapRectFromParent(axis.geometry())
    y = rect.bottom() - (tag_value - lo) / (hi - lo) * rect.height()
    assert all(box.bottom() < y - 9 or box.top() > y + 9 for _t, box in drawn_labels(axis))


def test_light_theme_recolours_panes_and_candles(still_window, artifacts):
    win = still_window
    win.activateWindow()
    QTest.keyClick(win, Qt.Key_T, Qt.ControlModifier)
    assert win.palette_ is LIGHT
    QApplication.processEvents()
    assert win.sidebar.tree.palette().base().color().name() == LIGHT.background
    pane = win.left.price
    image = pane.grab().toImage()
    # the top row between the legend and the price axis: background but for grid lines
    row = [image.pixelColor(x, 4).name() for x in range(pane.legend.geometry().right() + 4, image.width() - 90)]
    assert max(set(row), key=row.count) == LIGHT.background
    win.grab().save(str(artifacts / "theme_light.png"))


def synthetic(n: int, seed: int = 7) -> Candles:
    rng = np.random.default_rng(seed)
    t = 1_500_000_000_000 + np.arange(n, dtype=np.int64) * 3_600_000
    close = 20_000 * np.exp(np.cumsum(rng.normal(0, 0.005, n)))
    open_ = np.concatenate(([close[0]], close[:-1]))
    high = np.maximum(open_, close) * (1 + rng.random(n) * 0.004)
    low = np.minimum(open_, close) * (1 - rng.random(n) * 0.004)
    return Candles(t, open_, high, low, close, rng.lognormal(6, 1, n))


def test_an_empty_chart_says_it_is_loading_instead_of_showing_a_bare_scale(qtbot):
    chart = AssetChart()
    qtbot.addWidget(chart)
    assert "Loading" in chart.price.legend.text()
    assert not chart.price.price_axis.style["showValues"]
    c = Candles(HOUR_MS * np.arange(400), *np.full((4, 400), 100.0) + np.arange(400), np.ones(400))
    chart.set_analysis(analyze_asset("BTC/USDT:USDT", c), "1h")
    assert "Loading" not in chart.price.legend.text()
    assert chart.price.price_axis.style["showValues"]


def test_fully_zoomed_out_on_100k_candles_draws_one_column_per_pixel(qtbot, artifacts):
    candles = synthetic(100_000)
    chart = AssetChart()
    qtbot.addWidget(chart)
    chart.resize(1200, 700)
    chart.show()
    chart.add_panel("rsi")
    chart.add_panel("volume")
    chart.set_overlays(["sma200", "bollinger"])
    chart.set_analysis(analyze_asset("BTC/USDT:USDT", candles), "1h")
    x = candles.time / 1000
    chart.price.vb.setXRange(x[0], x[-1], padding=0)
    image = chart.grab()
    image.save(str(artifacts / "zoomed_out_100k.png"))
    columns = chart.price.candles.drawn_columns
    assert columns is not None, "zoomed out past a candle per pixel: aggregated columns"
    assert len(columns.x) <= 3 * chart.price.vb.width()
    lo, hi = chart.price.vb.viewRange()[1]
    assert lo <= candles.low.min() and hi >= candles.high.max(), "every extreme on screen"
    assert not chart.price.swing_highs.isVisible(), "markers hidden while bars are sub-pixel"
    chart.show_last(100)
    assert chart.price.swing_highs.isVisible()


def test_clicking_a_confirmed_signal_shows_its_bars_and_trade_plan(still_window, artifacts):
    win = still_window
    tree = win.sidebar.tree
    rows = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    newest = rows[0].data(0, Qt.UserRole)
    assert f"{bar_time(newest.known_time)} UTC" in win.sidebar.detail.text(), "before a pick: the newest"
    item = next(r for r in rows if r.data(0, Qt.UserRole).plan is not None)
    sig = item.data(0, Qt.UserRole)
    tree.scrollToItem(item)
    QTest.mouseClick(tree.viewport(), Qt.LeftButton, pos=tree.visualItemRect(item).center())
    x0, x1 = x_ranges(win)[0]
    assert x0 < sig.known_time / 1000 < x1
    traded = win.left if win.left.analysis.symbol == sig.assets[-1] else win.right
    other = win.right if traded is win.left else win.left
    drawn = sorted(y0 for role in ("entry", "stop", "target") for _, y0, _, _ in smt_lines(traded, role))
    assert drawn == sorted([sig.plan.entry, sig.plan.stop, sig.plan.target])
    assert plan_zones(other) == {} and smt_lines(other, "entry") == []
    detail = win.sidebar.detail.text()
    for number in (sig.plan.entry, sig.plan.stop, sig.plan.target, *sig.levels.values()):
        assert f"{number:,.2f}" in detail, "the detail view reads the signal in full"
    assert "Known at close of" in detail and sig.state.value in detail
    win.grab().save(str(artifacts / "trade_plan.png"))


def test_sidebar_hides_ended_signals_on_request(still_window):
    sidebar = still_window.sidebar
    assert sidebar.hide_ended.isChecked(), "hidden by default"
    sidebar.hide_ended.setChecked(False)
    everything = visible_count(sidebar)
    sidebar.hide_ended.setChecked(True)
    tree = sidebar.tree
    shown = [tree.topLevelItem(i).data(0, Qt.UserRole) for i in range(tree.topLevelItemCount())
             if not tree.topLevelItem(i).isHidden()]
    assert 0 < len(shown) < everything
    assert all(s.state.value not in ("cancelled", "invalidated") for s in shown)
    sidebar.hide_ended.setChecked(False)
    assert visible_count(sidebar) == everything
