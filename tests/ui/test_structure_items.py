"""Structure and signal-mark items: what they draw, and only where the view is."""

from __future__ import annotations

import numpy as np

from smtdesk.core.signal import Direction, Signal, State
from smtdesk.core.structure.levels import Shifts, fair_value_gaps
from smtdesk.core.structure.swings import Swings
from smtdesk.ui.items.gaps import GapItem
from smtdesk.ui.items.minor_swings import MinorSwingItem
from smtdesk.ui.items.order_blocks import OrderBlockItem
from smtdesk.ui.items.signal_marks import SignalMarkItem, path_on
from smtdesk.ui.theme import DARK
from tests.core.scenarios import candles
from tests.ui.test_items_render import plot_with, render
from tests.ui.probes import segment_count, visible_rects

BAR = 3600.0


def _gap_candles():
    #        0   1   2   3   4   5   6   7   8   9
    high = [10, 13, 14, 13, 14, 15, 14, 16, 15, 11]
    low = [9, 11, 12, 12.5, 13, 13, 13, 14, 13, 9.5]
    return candles(high, low)


def test_a_gap_box_runs_from_candle_2_to_its_fill_bar_and_only_visible_boxes_paint(qtbot):
    c = _gap_candles()
    g = fair_value_gaps(c.high, c.low)
    item = GapItem(palette=DARK)
    item.set_gaps(c, g, BAR)
    x = c.time / 1000
    first = int(np.flatnonzero(g.bar == 2)[0])  # bullish 10..12, touched by bar 9's low 9.5
    assert g.fill_bar[first] == 9
    w = plot_with(item, qtbot)
    image = render(w, x[0] - BAR, x[-1] + BAR, (8, 17))
    boxes = visible_rects(item).tolist()
    assert [x[1] - BAR / 2, 10, x[9] + BAR / 2, 12] in boxes
    assert len(boxes) == len(g.bar)
    # A view left of every gap draws none, and shows only the background.
    blank = render(w, x[0] - 40 * BAR, x[0] - 20 * BAR, (8, 17))
    assert len(visible_rects(item)) == 0
    assert (blank == blank[5, 5]).all(axis=-1).mean() > 0.9
    assert not (image == image[5, 5]).all(axis=-1).mean() > 0.97


def test_two_shifts_of_one_bar_draw_one_order_block():
    c = candles([10, 11, 12, 11, 10, 9], [9, 10, 11, 10, 9, 8], [9.5, 10.8, 11.8, 10.2, 9.2, 8.2])
    ints = lambda *v: np.array(v, np.int64)
    s = Shifts(pool=ints(3, 4), bearish=np.array([True, True]), sweep_bar=ints(2, 2),
               level_bar=ints(1, 1), level=np.array([10.0, 10.0]), bar=ints(4, 4),
               order_block=ints(2, 2))
    item = OrderBlockItem(palette=DARK)
    item.set_shifts(c, s, BAR)
    assert len(item.shapes.rects[0]) == 1 and len(item.shapes.segments[0]) == 1
    assert sorted(lab[2] for lab in item.shapes.labels) == ["MSS", "OB"]


def test_minor_markers_leave_major_swing_bars_to_the_major_markers():
    c = _gap_candles()
    item = MinorSwingItem(palette=DARK)
    minor = Swings(np.array([2, 5, 7]), np.array([4]), 2)
    major = Swings(np.array([7]), np.array([], np.int64), 5)
    item.set_swings(c, minor, major, BAR)
    x, y, below, _ = item.shapes.markers
    assert x.tolist() == (c.time[[2, 5, 4]] / 1000).tolist()
    assert y.tolist() == [c.high[2], c.high[5], c.low[4]] and below.tolist() == [0, 0, 1]


def _divergence() -> Signal:
    t = lambda i: 1_700_000_000_000 + i * 3_600_000
    return Signal(
        id="rsi_divergence:bearish:A:1", kind="rsi_divergence", direction=Direction.BEARISH,
        state=State.TRIGGERED, assets=("A",), timeframe="1h", ref_time=t(7), known_time=t(9),
        levels={"price.prior": 10, "price": 12, "rsi.prior": 75, "rsi": 70},
        level_times={"price.prior": t(3), "price": t(7), "rsi.prior": t(3), "rsi": t(7)},
    )


def test_a_divergence_is_a_line_on_price_and_on_its_own_indicator_only(qtbot):
    sig = _divergence()
    t0, t1 = sig.level_times["price.prior"] / 1000, sig.level_times["price"] / 1000
    assert path_on(sig, "price") == [(t0, 10), (t1, 12)]
    assert path_on(sig, "rsi") == [(t0, 75), (t1, 70)]
    assert path_on(sig, "macd") == []
    item = SignalMarkItem("rsi", palette=DARK)
    item.set_signals([sig])
    w = plot_with(item, qtbot)
    image = render(w, t0 - 5 * BAR, t1 + 5 * BAR, (60, 80))
    red = np.array([int(DARK.down[i : i + 2], 16) for i in (5, 3, 1)])  # BGR
    mid_x = image.shape[1] // 2
    column = image[:, mid_x - 2 : mid_x + 3].reshape(-1, 3)
    assert (np.abs(column.astype(int) - red).sum(axis=1) < 60).any(), "the line crosses mid-view"
    assert [lab[2] for lab in item.shapes.labels] == ["RSI divergence"]


def test_divergences_at_the_same_swings_share_one_labelled_price_line():
    rsi = _divergence()
    kdj = Signal(**{**{f: getattr(rsi, f) for f in rsi.__slots__}, "kind": "kdj_divergence",
                    "id": "kdj_divergence:bearish:A:1",
                    "levels": {**rsi.levels, "k.prior": 90, "k": 80},
                    "level_times": {**rsi.level_times, "k.prior": rsi.level_times["rsi.prior"],
                                    "k": rsi.level_times["rsi"]}})
    price = SignalMarkItem("price", palette=DARK)
    price.set_signals([rsi, kdj])
    assert segment_count(price) == 1
    assert [lab[2] for lab in price.shapes.labels] == ["RSI · KDJ divergence"]
    pane = SignalMarkItem("kdj", palette=DARK)
    pane.set_signals([rsi, kdj])
    assert pane.shapes.segments[1].tolist() == [90] and pane.shapes.labels[0][2] == "KDJ divergence"
