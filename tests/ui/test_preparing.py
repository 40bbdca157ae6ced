"""The candles drawn before their analysis: indicator panes and the signal list say the
analysis is being prepared, and the analysis that follows is drawn over every bar."""

from __future__ import annotations

import math

from smtdesk.core.analysis import candles_only
from smtdesk.ui.chart import PREPARING
from smtdesk.ui.sidebar import PREPARING as LIST_PREPARING
from tests.ui.probes import candle_x


def rsi_at(chart, i: int) -> float:
    t = float(chart.analysis.candles.time[i]) / 1000
    return dict(chart.panels["rsi"].values_at(t))["RSI"]


def test_candles_alone_then_their_analysis_over_every_bar(still_window, qtbot, artifacts):
    win = still_window
    for key in ("rsi", "volume"):
        win.panel_actions[key].setChecked(True)
    analysed = win._analysis
    rsi = analysed.assets[0].indicators["rsi"]
    i = next(k for k in range(50, len(rsi)) if not math.isnan(rsi[k]))  # an early bar with a value
    alone = candles_only(analysed.timeframe, [a.symbol for a in analysed.assets],
                         [a.candles for a in analysed.assets])
    win.sidebar.clear_signals()
    win.worker.snapshot.emit(alone)
    rsi_pane, volume_pane = win.left.panels["rsi"], win.left.panels["volume"]
    # a live snapshot is drawn chart by chart, each in a turn of the event loop
    qtbot.waitUntil(lambda: rsi_pane.preparing.isVisible() and win.right.panels["rsi"].preparing.isVisible())
    assert rsi_pane.preparing.isVisible() and rsi_pane.preparing.text() == PREPARING
    assert not volume_pane.preparing.isVisible(), "volume needs no analysis"
    assert math.isnan(rsi_at(win.left, i))
    assert win.sidebar.detail.text() == LIST_PREPARING
    assert len(candle_x(win.left.price.candles)) == len(analysed.assets[0].candles)
    win.grab().save(str(artifacts / "preparing_analysis.png"))

    win.worker.snapshot.emit(analysed)
    qtbot.waitUntil(lambda: not rsi_pane.preparing.isVisible())  # at the next frame
    assert rsi_at(win.left, i) == rsi[i], "the early bars are drawn too, not only the newest"
    assert win.sidebar.detail.text() != LIST_PREPARING
