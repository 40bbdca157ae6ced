"""The swing levels of one chart: readable at every zoom."""

from __future__ import annotations

import numpy as np

from smtdesk.core.analysis import analyze_asset
from smtdesk.core.structure.swing_levels import MINOR
from smtdesk.data.demo import load_demo_series
from smtdesk.resources import resources_dir
from smtdesk.ui.chart import AssetChart
from smtdesk.ui.items.swing_levels import MAX_LABELS, price_text
from tests.ui.probes import drawn_levels


def demo_chart(qtbot, *, structure: bool) -> AssetChart:
    c = load_demo_series(resources_dir() / "demo" / "BTCUSDT_1h.csv.gz")[:3000]
    chart = AssetChart()
    qtbot.addWidget(chart)
    chart.resize(1000, 700)
    chart.show()
    chart.set_analysis(analyze_asset("BTC/USDT:USDT", c, with_structure=structure), "1h")
    return chart


def show_bars(chart, n: int) -> None:
    x = chart.bar_times
    chart.price.vb.setXRange(x[-n], x[-1], padding=0)
    chart.grab()  # a paint, which picks the labels


def test_labels_are_few_apart_and_give_the_level_price(qtbot):
    chart = demo_chart(qtbot, structure=False)
    show_bars(chart, 150)
    labels = chart.manual.levels.drawn_labels
    prices = {price_text(p) for p in drawn_levels(chart.manual.levels)[:, 2]}
    assert 3 <= len(labels) <= MAX_LABELS
    assert {text for text, _ in labels} <= prices
    rects = [r for _, r in labels]
    assert not any(a.intersects(b) for k, a in enumerate(rects) for b in rects[k + 1 :])
    show_bars(chart, 2500)  # under 1.5 px a bar: the price axis reads better
    assert chart.manual.levels.drawn_labels == []


def test_minor_levels_come_with_their_layer_and_only_zoomed_in(qtbot):
    chart = demo_chart(qtbot, structure=True)
    show_bars(chart, 150)
    ranks = lambda: set(drawn_levels(chart.manual.levels)[:, 3].astype(int).tolist())
    assert MINOR not in ranks()
    chart.price.structure.set_shown("minor_swings", True)
    assert MINOR in ranks()
    show_bars(chart, 1500)  # about half a pixel a bar
    assert MINOR not in ranks() and len(ranks())


def test_zoomed_far_out_levels_taken_at_once_are_left_out(qtbot):
    chart = demo_chart(qtbot, structure=False)
    show_bars(chart, 2500)
    levels = drawn_levels(chart.manual.levels)
    px = (chart.bar_times[-1] - chart.bar_times[-2500]) / chart.price.vb.width()
    assert len(levels) and np.all((levels[:, 1] - levels[:, 0]) / px >= 12)
