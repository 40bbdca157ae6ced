"""Market structure and indicator divergences on the chart, reached as a user does:
the View menu, and a click on a signal in the sidebar."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from smtdesk.ui.items.signal_marks import is_drawn
from smtdesk.ui.signal_filter import ANY
from smtdesk.ui.items.structure_layer import STRUCTURE_LAYERS
from tests.ui.probes import segment_count, signal_at, visible_rects


def view_action(win, title: str):
    menus = {a.text().replace("&", ""): a.menu() for a in win.menuBar().actions()}
    return next(a for a in menus["View"].actions() if a.text() == title)


def gaps_by_hand(c):
    """Fair value gaps of domain §4a read literally: (candle 2, bottom, top, end bar)."""
    out = []
    n = len(c)
    for k in range(2, n):
        for bottom, top, bull in ((c.high[k - 2], c.low[k], True), (c.high[k], c.low[k - 2], False)):
            if bottom < top:
                touch = (c.low <= bottom) if bull else (c.high >= top)
                later = [j for j in range(k + 1, n) if touch[j]]
                out.append((k - 1, bottom, top, later[0] if later else n - 1))
    return out


def test_each_structure_layer_is_a_view_menu_toggle_and_gaps_are_the_right_boxes(app, qtbot, artifacts):
    win = app.open()
    chart = win.left
    layer = chart.price.structure
    for key, title in STRUCTURE_LAYERS.items():
        assert not layer.items[key].isVisible()
        view_action(win, title).trigger()
        assert layer.items[key].isVisible() and win.right.price.structure.items[key].isVisible()
        view_action(win, title).trigger()
        assert not layer.items[key].isVisible()

    view_action(win, STRUCTURE_LAYERS["gaps"]).trigger()
    qtbot.waitUntil(lambda: len(visible_rects(layer.items["gaps"])) > 0, timeout=5_000)
    c, bar = chart.analysis.candles, chart.bar_seconds
    x = c.time / 1000.0
    (v0, v1), _ = chart.price.vb.viewRange()
    expected = sorted(
        (x[k] - bar / 2, lo, x[end] + bar / 2, hi)
        for k, lo, hi, end in gaps_by_hand(c)
        if x[end] + bar / 2 >= v0 and x[k] - bar / 2 <= v1
    )
    drawn = sorted(map(tuple, visible_rects(layer.items["gaps"]).tolist()))
    assert len(drawn) == len(expected) > 0
    assert np.allclose(drawn, expected)

    for key in ("minor_swings", "order_blocks", "pools", "sweeps"):
        view_action(win, STRUCTURE_LAYERS[key]).trigger()
    win.grab().save(str(artifacts / "structure_layers.png"))
    win.light_action.trigger()
    win.grab().save(str(artifacts / "structure_layers_light.png"))


def choose_kinds(qtbot, win, key: str) -> None:
    """Open the sidebar's kind filter and pick the kind ``key`` in its list with the keys."""
    combo = win.sidebar.kind_filter
    target = combo.findData(key)
    assert target >= 0, f"{key} is not offered"
    QTest.mouseClick(combo, Qt.LeftButton)
    view = combo.view()
    qtbot.waitUntil(view.isVisible, timeout=3_000)
    for _ in range(target - combo.currentIndex()):
        QTest.keyClick(view, Qt.Key_Down)
    QTest.keyClick(view, Qt.Key_Return)
    qtbot.waitUntil(lambda: combo.currentData() == key, timeout=3_000)


def _click_row(qtbot, win, pick):
    if win.sidebar.kind_filter.currentData() != ANY:
        choose_kinds(qtbot, win, ANY)
    tree = win.sidebar.tree
    item = next(
        tree.topLevelItem(r) for r in range(tree.topLevelItemCount())
        if pick(tree.topLevelItem(r).data(0, Qt.UserRole))
    )
    tree.scrollToItem(item)
    QTest.mouseClick(tree.viewport(), Qt.LeftButton, pos=tree.visualItemRect(item).center())
    return item.data(0, Qt.UserRole)


def test_clicking_a_divergence_in_the_sidebar_draws_it_on_price_and_indicator(app, qtbot, artifacts):
    win = app.open()
    sig = _click_row(qtbot, win, lambda s: s.kind == "rsi_divergence")
    chart, other = (win.left, win.right) if sig.assets[0] == win.left.analysis.symbol else (win.right, win.left)
    price, rsi = chart.price.marks, chart.panels["rsi"].marks
    qtbot.waitUntil(lambda: segment_count(price) == 1, timeout=5_000)
    x0, y0, x1, y1, _ = (float(v[0]) for v in price.shapes.segments)
    assert (x0, y0) == (sig.level_times["price.prior"] / 1000, sig.levels["price.prior"])
    assert (x1, y1) == (sig.level_times["price"] / 1000, sig.levels["price"])
    # the earlier swing is an earlier bar than the one the event refers to
    assert x0 < x1 == sig.ref_time / 1000
    assert segment_count(rsi) == 1
    x0, y0, x1, y1, _ = (float(v[0]) for v in rsi.shapes.segments)
    assert (y0, y1) == (sig.levels["rsi.prior"], sig.levels["rsi"]) and y0 > y1
    assert [lab[2] for lab in rsi.shapes.labels] == ["RSI divergence"]
    assert segment_count(other.price.marks) == 0
    win.grab().save(str(artifacts / "divergence_selected.png"))

    swing = _click_row(qtbot, win, lambda s: s.kind == "rsi_failure_swing")
    chart = win.left if swing.assets[0] == win.left.analysis.symbol else win.right
    qtbot.waitUntil(lambda: segment_count(chart.panels["rsi"].marks) == 3, timeout=5_000)
    assert segment_count(chart.price.marks) == 0  # a failure swing lives on the RSI pane
    xs = chart.panels["rsi"].marks.shapes.segments[0].tolist()
    names = ("rsi.peak", "rsi.failure", "rsi.rally")
    assert xs == [swing.level_times[n] / 1000 for n in names]
    assert sorted(xs) == xs

    # A divergence of an indicator whose pane is closed draws there once the pane opens.
    macd = _click_row(qtbot, win, lambda s: s.kind == "macd_divergence")
    chart = win.left if macd.assets[0] == win.left.analysis.symbol else win.right
    assert "macd" not in chart.panels and segment_count(chart.price.marks) == 1
    win.panel_actions["macd"].trigger()
    ys = chart.panels["macd"].marks.shapes.segments[1].tolist()
    assert ys == [macd.levels["dif.prior"]]

    # An SMT row clears the marks.
    _click_row(qtbot, win, lambda s: s.kind == "smt")
    assert segment_count(chart.panels["rsi"].marks) == 0

    # The View toggle draws every divergence at once: one price line per pair of swings
    # (several indicators diverging at the same swings share it).
    view_action(win, "All divergences and failure swings").trigger()
    listed = [signal_at(win.sidebar, r) for r in range(win.sidebar.count())]
    swing_pairs = {
        (s.assets, s.direction, s.level_times["price.prior"], s.level_times["price"])
        for s in listed if s.kind.endswith("_divergence") and is_drawn(s)
    }
    drawn = sum(segment_count(c.price.marks) for c in (win.left, win.right))
    assert drawn == len(swing_pairs) > 1
    win.grab().save(str(artifacts / "divergences_all.png"))
    view_action(win, "All divergences and failure swings").trigger()
    assert sum(segment_count(c.price.marks) for c in (win.left, win.right)) == 0
