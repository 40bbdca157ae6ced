"""The demo market's derivatives: its recorded funding is charted; it says it has no open
interest or long/short ratios instead of showing empty plots."""

import numpy as np

from tests.ui.probes import panel_note


def test_demo_shows_its_recorded_funding_and_says_it_has_no_open_interest(app, qtbot, shared_data):
    win = app.open()
    for key in ("funding", "open_interest", "long_short"):
        win.panel_actions[key].trigger()
    left, right = win.left, win.right
    qtbot.waitUntil(lambda: left.panels["funding"].has_data() and right.panels["funding"].has_data(),
                    timeout=20_000)

    recorded = np.loadtxt(shared_data / "funding" / "binance_usdm_BTCUSDT_funding_rate.csv",
                          delimiter=",", skiprows=1)
    btc = left if left.analysis.symbol.startswith("BTC") else right
    # a settlement in the shown history: the panel reads its rate in percent
    when_ms, rate = recorded[1000]
    assert when_ms < btc.analysis.candles.time[-1]
    shown = dict(btc.panels["funding"].values_at(when_ms / 1000.0))
    assert shown["Funding"] == rate * 100
    assert panel_note(btc.panels["funding"]) is None

    for chart in (left, right):
        for key, what in (("open_interest", "open interest"), ("long_short", "long/short ratios")):
            panel = chart.panels[key]
            assert not panel.has_data()
            assert f"The demo market has no {what}" in panel_note(panel)
    win.grab().save("/tmp/bundle-demo-derivatives.png")
