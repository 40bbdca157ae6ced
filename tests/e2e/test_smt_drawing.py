"""SMT signals and their trade plans drawn so a trader reads the setup off the chart,
and the crosshair's price and time on the axes, driven as a user does."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from smtdesk.core.signal import Direction, State
from smtdesk.ui.theme import DARK, LIGHT
from tests.ui.drive import hover
from tests.ui.probes import (
    cursor_tag,
    label_colours,
    painted_labels,
    plan_zones,
    signal_at,
    smt_line_styles,
    smt_lines,
)

ENDED = (State.CANCELLED, State.INVALIDATED)


def click_signal(qtbot, win, pick):
    """Click the first sidebar row whose signal ``pick`` accepts; its signal."""
    tree = win.sidebar.tree
    rows = [tree.topLevelItem(r) for r in range(tree.topLevelItemCount())]
    item = next(i for i in rows if not i.isHidden() and pick(i.data(0, Qt.UserRole)))
    tree.scrollToItem(item)
    QTest.mouseClick(tree.viewport(), Qt.LeftButton, pos=tree.visualItemRect(item).center())
    qtbot.wait(20)
    return item.data(0, Qt.UserRole)


def charts_of(win, sig):
    """(sweeping asset's chart, traded asset's chart)."""
    left = win.left.analysis.symbol == sig.assets[0]
    return (win.left, win.right) if left else (win.right, win.left)


def plain_confirmed(sig) -> bool:
    """A confirmed SMT with a full plan whose traded asset made its new level on
    another bar than its prior one (so each asset's line joins two swing bars)."""
    if sig.kind != "smt" or sig.state is not State.CONFIRMED or sig.plan is None:
        return False
    y = sig.assets[1]
    return math.isfinite(sig.plan.target) and sig.level_times[f"{y}.prior"] != sig.level_times[f"{y}.new"]


def seconds(ms: int) -> float:
    return ms / 1000.0


def price_text(v: float) -> str:
    # the precision quotes carry: one decimal from 10,000 up, two from 10
    return f"{v:,.1f}" if abs(v) >= 10_000 else f"{v:,.2f}"


def assert_labels_fit(chart) -> list:
    """Every label of the chart's SMT layer inside the price view, none over another
    or over the legend; the labels."""
    labels = painted_labels(chart)
    pane = chart.price
    view = pane.vb.sceneBoundingRect()  # scene and viewport pixels coincide in a pane
    legend = QRectF(pane.legend.geometry())
    for role, rows, box in labels:
        assert view.contains(box), f"{role} label {rows[0]!r} leaves the view: {box} vs {view}"
        assert not box.intersects(legend), f"{role} label under the legend"
    for i, (_, rows_a, a) in enumerate(labels):
        for _, rows_b, b in labels[i + 1:]:
            assert not a.intersects(b), f"{rows_a[0]!r} overlaps {rows_b[0]!r}"
    return labels


def test_a_clicked_confirmed_smt_draws_its_swings_mss_and_plan_on_both_charts(app, qtbot, artifacts):
    win = app.open()
    sig = click_signal(qtbot, win, plain_confirmed)
    x, y = sig.assets
    sweeper, traded = charts_of(win, sig)
    bar = traded.bar_seconds
    t, lv = sig.level_times, sig.levels

    # each asset's two swings joined: the sweeper's swept and new extreme, the other's
    # prior level and the one that failed to follow
    assert (seconds(t[f"{x}.swept"]), lv[f"{x}.swept"], seconds(t[f"{x}.new"]), lv[f"{x}.new"]) in smt_lines(
        sweeper, "smt", sig.id)
    assert (seconds(t[f"{y}.prior"]), lv[f"{y}.prior"], seconds(t[f"{y}.new"]), lv[f"{y}.new"]) in smt_lines(
        traded, "smt", sig.id)
    bearish = sig.direction is Direction.BEARISH
    assert (lv[f"{x}.new"] > lv[f"{x}.swept"]) == bearish, "the sweeper took its level out"
    colour = (DARK.down if bearish else DARK.up)
    assert smt_line_styles(sweeper, "smt", sig.id) == [(colour, False)], "final levels: solid"

    # the MSS level from its swing to the bar that confirmed, on the traded asset only
    mss = (seconds(t["mss"]), lv["mss"], seconds(sig.known_time), lv["mss"])
    assert smt_lines(traded, "mss", sig.id) == [mss]
    assert smt_line_styles(traded, "mss", sig.id) == [(DARK.entry, False)], "known: solid"
    assert smt_lines(sweeper, "mss", sig.id) == []

    # the plan's zones on the traded asset, from the signal's bar 30 bars right
    p = sig.plan
    x0, x1 = seconds(sig.known_time), seconds(sig.known_time) + 30 * bar
    zones = plan_zones(traded)
    assert zones["stop"][0] == (x0, min(p.entry, p.stop), x1, max(p.entry, p.stop))
    assert zones["target"][0] == (x0, min(p.entry, p.target), x1, max(p.entry, p.target))
    assert plan_zones(sweeper) == {}
    # the stop lies beyond the traded asset's new level, the target on the other side
    assert (p.stop > lv[f"{y}.new"]) == bearish and (p.target < p.entry) == bearish

    # the labels, read as painted
    title = f"{'Bearish' if bearish else 'Bullish'} SMT · confirmed"
    for chart in (sweeper, traded):
        assert title in [rows[0] for role, rows, _ in painted_labels(chart, sig.id) if role == "smt"]
    plan = next(rows for role, rows, _ in painted_labels(traded, sig.id) if role == "plan")
    base, quote = y.split("/")[0], y.split(":")[1]
    risk = 10_000 * 0.01  # the default account and risk per trade
    size = risk / abs(p.entry - p.stop)
    assert plan[0] == f"{'Short' if bearish else 'Long'} {base} · R:R {abs(p.target - p.entry) / abs(p.entry - p.stop):.2f}"
    text = "\n".join(plan)
    assert f"Entry {price_text(p.entry)}" in text
    assert f"Stop {price_text(p.stop)}" in text and f"Target {price_text(p.target)}" in text
    assert f"Size {size:,.3f} {base}" in text if size >= 1 else f"Size {size:,.4f} {base}" in text
    assert f"Risk 100.00 {quote} = 1% of 10,000 {quote}" in text
    # the prices read top to bottom as they lie on the chart
    order = [row.split()[0] for row in plan[1:4]]
    assert order == (["Stop", "Entry", "Target"] if bearish else ["Target", "Entry", "Stop"])
    assert [rows for role, rows, _ in painted_labels(traded, sig.id) if role == "mss"] == [
        [f"MSS {price_text(lv['mss'])}"]]

    # readable in both layouts and both themes: inside the view, clear of each other
    for light in (False, True):
        if win.light_action.isChecked() != light:
            win.light_action.trigger()
        for stacked in (False, True):
            if win.stacked_action.isChecked() != stacked:
                win.stacked_action.trigger()
            qtbot.wait(50)
            for chart in (sweeper, traded):
                assert_labels_fit(chart)
            name = f"smt_confirmed_{'light' if light else 'dark'}_{'stacked' if stacked else 'side'}.png"
            win.grab().save(str(artifacts / name))


def luminance(c: QColor) -> float:
    return 0.299 * c.red() + 0.587 * c.green() + 0.114 * c.blue()


def test_labels_and_zones_follow_the_theme(app, qtbot):
    win = app.open()
    sig = click_signal(qtbot, win, plain_confirmed)
    _, traded = charts_of(win, sig)
    for palette in (DARK, LIGHT, DARK):
        if win.light_action.isChecked() != (palette is LIGHT):
            win.light_action.trigger()
        fills = {(fill, border) for fill, border, _ in label_colours(traded, sig.id)}
        assert fills == {(palette.label_fill, palette.axis)}
        zones = plan_zones(traded)
        assert QColor(zones["stop"][1][:7]) == QColor(palette.down)
        assert QColor(zones["target"][1][:7]) == QColor(palette.up)
        assert smt_line_styles(traded, "entry") == [(palette.entry, False)]
        # what reaches the screen: the plan label's box is light on light, dark on dark
        _, _, box = next(lab for lab in painted_labels(traded) if lab[0] == "plan")
        image = traded.price.grab().toImage()
        ratio = image.devicePixelRatio()
        inside = image.pixelColor(int((box.right() - 2) * ratio), int((box.bottom() - 2) * ratio))
        if palette is LIGHT:
            assert luminance(inside) > 200, inside.name()
        else:
            assert luminance(inside) < 60, inside.name()
        # and the entry line is drawn in the entry colour, where no label covers it
        (x0, _, x1, _), _ = zones["stop"]
        boxes = [b for _, _, b in painted_labels(traded)]
        vb = traded.price.vb
        for k in range(1, 20):
            point = vb.mapViewToScene(QPointF(x0 + (x1 - x0) * k / 20, sig.plan.entry))
            if not any(b.adjusted(-2, -2, 2, 2).contains(point) for b in boxes):
                break
        drawn = image.pixelColor(int(point.x() * ratio), int(point.y() * ratio))
        assert abs(luminance(drawn) - luminance(QColor(palette.entry))) < 40, drawn.name()
        assert abs(luminance(drawn) - luminance(QColor(palette.background))) > 100


def show_ended(win, shown: bool) -> None:
    box = win.sidebar.hide_ended
    if box.isChecked() == shown:
        QTest.mouseClick(box, Qt.LeftButton, pos=QPoint(8, box.height() // 2))
    assert box.isChecked() != shown


def test_ended_signals_fade_and_the_sidebar_switch_hides_them(app, qtbot):
    win = app.open()
    assert win.sidebar.hide_ended.isChecked(), "ended signals are hidden at first"
    assert all(len(colour) == 7 for colour, _ in smt_line_styles(win.left, "smt")), "none faded"
    show_ended(win, True)
    last = seconds(int(win.left.analysis.candles.time[-1]))
    bar = win.left.bar_seconds
    listed = [signal_at(win.sidebar, r) for r in range(win.sidebar.count())]
    in_reach = sorted((s for s in listed if s.kind == "smt" and seconds(s.known_time) >= last - 30 * bar),
                      key=lambda s: s.known_time)
    # at most four: the newest live ones, and ended ones while there is room
    live = [s for s in in_reach if s.state not in ENDED][-4:]
    ended = [s for s in in_reach if s.state in ENDED][-(4 - len(live)):] if len(live) < 4 else []
    recent = live + ended
    assert ended, "the demo's last bars hold an ended SMT signal"
    # unpicked, the newest SMT signals are drawn: ended ones faded
    drawn = smt_line_styles(win.left, "smt")
    assert len(drawn) == len(recent)
    faded = [colour for colour, _ in drawn if len(colour) == 9]
    assert len(faded) == len(ended)
    for chart in (win.left, win.right):  # crowded at the newest bars, yet apart
        assert len(assert_labels_fit(chart)) >= len(recent)

    show_ended(win, False)
    for chart in (win.left, win.right):
        styles = smt_line_styles(chart, "smt")
        assert len(styles) == len(recent) - len(ended)
        assert all(len(colour) == 7 for colour, _ in styles), "no faded line left"
    show_ended(win, True)
    assert len(smt_line_styles(win.left, "smt")) == len(recent)


def test_a_provisional_signal_draws_dashed_and_an_ended_one_faded(app, qtbot):
    win = app.open()
    show_ended(win, True)
    sig = click_signal(qtbot, win, lambda s: s.kind == "smt" and s.state is State.CANCELLED)
    assert sig.provisional
    sweeper, traded = charts_of(win, sig)
    x = sig.assets[0]
    t, lv = sig.level_times, sig.levels
    line = (seconds(t[f"{x}.swept"]), lv[f"{x}.swept"], seconds(t[f"{x}.new"]), lv[f"{x}.new"])
    assert smt_lines(sweeper, "smt", sig.id) == [line]
    [(colour, dashed)] = smt_line_styles(sweeper, "smt", sig.id)
    assert dashed, "levels known only so far: dashed"
    base = DARK.down if sig.direction is Direction.BEARISH else DARK.up
    assert colour[:7] == base and int(colour[7:], 16) < 0x80, "ended: faded"
    assert plan_zones(traded) == {}


def bar_under(chart, x: float) -> float:
    """Open time of the candle drawn around ``x`` (a candle spans its open time ± half a bar)."""
    times = chart.bar_times
    return float(min(times, key=lambda t: abs(t - x)))


@pytest.mark.parametrize("light", [False, True])
def test_the_crosshair_tags_its_price_and_time_on_the_axes(app, qtbot, light, artifacts):
    win = app.open()
    if light:
        win.light_action.trigger()
    palette = LIGHT if light else DARK
    if not win.panel_actions["rsi"].isChecked():
        win.panel_actions["rsi"].trigger()
    pane = win.left.price
    view = pane.viewport()
    rect = pane.vb.sceneBoundingRect()
    at = QPoint(int(rect.left() + rect.width() * 0.6), int(rect.top() + rect.height() * 0.4))
    hover(view, at)
    (vx0, vx1), (vy0, vy1) = pane.vb.viewRange()
    # the data under the mouse, from the view's range spread over its pixels
    price = vy1 - (at.y() - rect.top()) / rect.height() * (vy1 - vy0)
    x = vx0 + (at.x() - rect.left()) / rect.width() * (vx1 - vx0)
    when = bar_under(win.left, x)
    per_pixel = (vy1 - vy0) / rect.height()

    text, box = cursor_tag(pane.price_axis)
    assert abs(float(text.replace(",", "")) - price) <= per_pixel + 0.01
    centre = pane.price_axis.mapToScene(box.center())
    assert abs(centre.y() - at.y()) <= 1.0, "the price tag sits at the cursor's height"
    image = view.grab().toImage()
    ratio = image.devicePixelRatio()
    corner = pane.price_axis.mapToScene(box.topLeft())
    assert image.pixelColor(int((corner.x() + 2) * ratio), int((corner.y() + 2) * ratio)) == QColor(palette.tag)

    stamp = datetime.fromtimestamp(when, tz=UTC).strftime("%Y-%m-%d %H:%M")
    for chart in (win.left, win.right):
        bottom = chart.panes()[-1]
        assert bottom is chart.panels["rsi"], "the time axis is the bottom pane's"
        text, box = cursor_tag(bottom.time_axis)
        assert stamp in text
        centre = bottom.time_axis.mapToScene(box.center())
        vline = win.crosshair.lines(bottom)[0]
        assert vline.value() == when
        assert abs(centre.x() - bottom.vb.mapViewToScene(vline.pos()).x()) <= 1.0, "under the vertical line"
        # no price tag where the mouse is not
        assert cursor_tag(bottom.price_axis) is None
    assert cursor_tag(win.right.price.price_axis) is None
    win.grab().save(str(artifacts / f"crosshair_tags_{'light' if light else 'dark'}.png"))

    # over the RSI pane: its value there, and the price pane's tag goes
    rsi = win.left.panels["rsi"]
    r = rsi.vb.sceneBoundingRect()
    hover(rsi.viewport(), QPoint(int(r.center().x()), int(r.center().y())))
    (_, _), (ry0, ry1) = rsi.vb.viewRange()
    value = ry1 - (int(r.center().y()) - r.top()) / r.height() * (ry1 - ry0)
    text, _ = cursor_tag(rsi.price_axis)
    assert abs(float(text) - value) <= (ry1 - ry0) / r.height() + 0.01
    assert cursor_tag(pane.price_axis) is None

    QApplication.sendEvent(rsi.viewport(), QEvent(QEvent.Leave))  # the mouse left the charts
    assert cursor_tag(rsi.price_axis) is None and cursor_tag(rsi.time_axis) is None
