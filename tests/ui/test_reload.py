"""The toolbar pickers on the real window: a pick reloads both charts, or is refused and
the pickers snap back to what the charts show."""

from __future__ import annotations

import asyncio

import ccxt.pro
import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from smtdesk import app as smtdesk_app
from smtdesk.core.resample import resample
from smtdesk.data.demo import DEMO_SYMBOLS, DemoSource, load_demo_series
from smtdesk.resources import resources_dir
from smtdesk.data.exchange import ExchangeSource
from smtdesk.data.source import CandleUpdate
from smtdesk.data.store import CandleStore
from tests.candle_asserts import assert_same_candles
from tests.data.conftest import FAST
from tests.data.fake_binance import HOUR_MS, FakeBinance, load_rows
from tests.ui.probes import candle_x, signal_at
from smtdesk.ui.status_text import describe

FOUR_HOURS_MS = 4 * 3_600_000


def recorded(symbol: str):
    """The demo's full 1h recording of ``symbol`` (history and replay)."""
    return load_demo_series(resources_dir() / "demo" / f"{DEMO_SYMBOLS[symbol]}_1h.csv.gz")


def checked_timeframe(win) -> str:
    return win.pickers.timeframe_group.checkedAction().data()


def test_4h_button_reloads_both_charts_from_the_1h_demo_and_replays_at_4h(window, qtbot):
    win = window
    btc, eth = (win.left.analysis.symbol, win.right.analysis.symbol)
    hours = {s: recorded(s) for s in (btc, eth)}
    events = []
    win.worker.market.connect(lambda u: isinstance(u, CandleUpdate) and events.append(("forming", u.symbol, u.candles)))
    win.worker.snapshot.connect(lambda a: a.detected and events.append(("analysis", a.timeframe, a)))
    statuses = []
    win.worker.status.connect(lambda status: statuses.append(describe(status)))

    QTest.mouseClick(win.pickers.timeframe_buttons["4h"], Qt.LeftButton)
    qtbot.waitUntil(lambda: win.left.analysis.candles.time[-1] % FOUR_HOURS_MS == 0
                    and win.left.bar_seconds == 4 * 3600 and win.right.bar_seconds == 4 * 3600
                    and any(kind == "analysis" and tf == "4h" for kind, tf, _ in events)
                    and win.sidebar.count() > 0,  # the window lists them a frame after the worker
                    timeout=30_000)
    first = next(a for kind, tf, a in events if kind == "analysis" and tf == "4h")
    for asset in first.assets:
        whole = resample(hours[asset.symbol], "4h")
        assert_same_candles(asset.candles, whole[: len(asset.candles)])
        # the 1h history (all but the 300 replayed hours), four hours a candle
        history_hours = len(hours[asset.symbol]) - 300
        assert abs(len(asset.candles) - history_hours / 4) <= 1
    for chart in (win.left, win.right):
        x = candle_x(chart.price.candles)
        assert np.all(np.diff(x) % (4 * 3600) == 0) and np.median(np.diff(x)) == 4 * 3600
    assert checked_timeframe(win) == "4h"
    assert {signal_at(win.sidebar, i).timeframe for i in range(win.sidebar.count())} == {"4h"}
    assert f"Demo (recorded data): loading {btc} / {eth} 4h history, built from 1h candles" in statuses

    # the replay goes on in 4h candles: three forming steps, then the closed candle
    def btc_closes():
        return [a.assets[0].candles for kind, tf, a in events if kind == "analysis" and tf == "4h"]

    qtbot.waitUntil(lambda: len({int(c.time[-1]) for c in btc_closes()}) >= 4, timeout=30_000)
    closes, steps, seen_times = [], [], set()
    for kind, what, payload in events:
        if kind == "forming" and what == btc:
            steps.append(payload)
        elif kind == "analysis" and what == "4h":
            t = int(payload.assets[0].candles.time[-1])
            if t not in seen_times:
                seen_times.add(t)
                closes.append((payload.assets[0].candles, steps))
                steps = []
    whole = resample(hours[btc], "4h")
    for candles, forming in closes[2:]:
        t = int(candles.time[-1])
        i = int(np.searchsorted(whole.time, t))
        assert candles.row(len(candles) - 1) == whole.row(i), "the closed 4h candle is four 1h candles"
        assert [int(f.time[0]) for f in forming] == [t] * 3, "three 1h steps before it closes"
        hour = int(np.searchsorted(hours[btc].time, t))
        for j, f in enumerate(forming, start=1):
            assert f.row(0) == resample(hours[btc][hour : hour + j], "4h").row(0)


def test_15m_on_the_1h_demo_is_refused_and_the_1h_button_checked_again(still_window, qtbot):
    win = still_window
    shown = win.left.analysis
    QTest.mouseClick(win.pickers.timeframe_buttons["15m"], Qt.LeftButton)
    qtbot.waitUntil(lambda: checked_timeframe(win) == "1h", timeout=10_000)
    assert not win.pickers.timeframe_buttons["15m"].isChecked()
    assert win.pickers.timeframe_buttons["1h"].isChecked()
    assert win.notice.isVisible() and "no 15m candles" in win.notice.text()
    assert "no 15m candles" in win.statusBar().currentMessage()
    assert win.left.analysis is shown and win.left.bar_seconds == 3600


def test_a_symbol_the_demo_lacks_is_refused_and_the_charts_keep_their_data(still_window, qtbot):
    win = still_window
    shown = (win.left.analysis, win.right.analysis)
    box = win.pickers.symbols[0]
    assert [box.itemText(i) for i in range(box.count())] == list(DEMO_SYMBOLS), "what the demo has"
    box.setFocus()
    box.lineEdit().selectAll()
    QTest.keyClicks(box.lineEdit(), "SOL/USDT:USDT")
    QTest.keyClick(box.lineEdit(), Qt.Key_Return)
    qtbot.waitUntil(lambda: "SOL/USDT:USDT" in win.notice.text(), timeout=10_000)
    assert "demo market has no SOL/USDT:USDT" in win.notice.text()
    qtbot.waitUntil(lambda: box.currentText() == shown[0].symbol, timeout=5_000)
    assert (win.left.analysis, win.right.analysis) == shown
    assert win.left.price.candles.bar_count() == len(shown[0].candles)


def run_tasks():
    return [t for t in asyncio.all_tasks()
            if not t.done() and t.get_coro().__qualname__ == "MarketWorker._run"]


def test_quick_back_and_forth_leaves_one_run_and_applies_no_stale_analysis(window, qtbot):
    win = window
    order = []
    win.worker.status.connect(lambda s: order.append(("selected", s.serving.timeframe)))
    win.worker.snapshot.connect(lambda a: order.append(("analysis", a.timeframe)))
    for tf in ("4h", "1d", "1h", "4h", "1w", "1h", "4h"):
        QTest.mouseClick(win.pickers.timeframe_buttons[tf], Qt.LeftButton)
    qtbot.waitUntil(lambda: win.left.analysis.candles.time[-1] % FOUR_HOURS_MS == 0
                    and win.left.bar_seconds == 4 * 3600, timeout=30_000)
    qtbot.wait(500)  # live 4h steps go on meanwhile
    assert len(run_tasks()) == 1
    assert [o for o in order if o[0] == "analysis"][-1] == ("analysis", "4h")
    selected = "1h"
    for kind, tf in order:
        if kind == "selected":
            selected = tf
        else:
            assert tf == selected, f"a {tf} analysis arrived after {selected} was chosen"
    assert checked_timeframe(win) == "4h"
    assert win.left.bar_seconds == win.right.bar_seconds == 4 * 3600


def test_picking_binance_in_the_venue_box_switches_from_the_demo_to_the_exchange(qtbot, qloop, tmp_path):
    rows = {s: load_rows(f"{s}_1h.csv") for s in ("BTCUSDT", "ETHUSDT")}
    fake = FakeBinance(rows, now_ms=int(rows["BTCUSDT"][1000][0]) + HOUR_MS // 2)
    started = asyncio.ensure_future(fake.start())
    qtbot.waitUntil(started.done, timeout=5_000)

    def exchange(venue):
        client = ccxt.pro.binanceusdm({"enableRateLimit": True, "rateLimit": 1, "timeout": 2000,
                                       "timeout_on_exit": 0})
        fake.point(client)
        return ExchangeSource(venue, exchange=client, policy=FAST, clock_ms=lambda: fake.now_ms)

    demo = DemoSource(live_bars=300, seconds_per_bar=3600)
    store = CandleStore(tmp_path / "cache.sqlite")
    win = smtdesk_app.create_window(demo, store=store, fallback=demo, sources=exchange)
    qtbot.addWidget(win)
    win.show()
    win.worker.start()
    qtbot.waitUntil(lambda: win.left.analysis is not None, timeout=30_000)
    assert win.pickers.venue.currentData() == "demo"

    listed = []
    win.worker.status.connect(lambda s: s.offered and s.offered not in listed and listed.append(s.offered))
    box = win.pickers.venue
    box.setFocus()
    QTest.keyClick(box, Qt.Key_Home)  # the first venue, Binance USD-M
    qtbot.waitUntil(lambda: win.source_label.text() == "Binance USD-M: live", timeout=15_000)
    truth = np.array(fake.truth("BTCUSDT"))
    np.testing.assert_array_equal(win.left.analysis.candles.time, truth[:, 0])
    np.testing.assert_array_equal(win.left.analysis.candles.close, truth[:, 4])
    assert win.right.analysis.symbol == "ETH/USDT:USDT" and len(win.right.analysis.candles) == 1000
    assert win.left.price.candles.bar_count() == 1000
    assert box.currentData() == "binanceusdm" and win.worker.alert_log.venue == "binanceusdm"
    # the exchange's perpetuals to pick from (its dated BTCUSDT_220325 future left out)
    assert listed == [("BTC/USDT:USDT", "ETH/USDT:USDT")]
    box = win.pickers.symbols[1]
    assert [box.itemText(i) for i in range(box.count())] == list(listed[0])
    assert box.currentText() == "ETH/USDT:USDT"
    assert not win.notice.isVisible()

    win.close()
    stopping = asyncio.ensure_future(win.worker.stop())
    qtbot.waitUntil(stopping.done, timeout=10_000)
    stopped = asyncio.ensure_future(fake.stop())
    qtbot.waitUntil(stopped.done, timeout=5_000)
    store.close()


def test_return_on_the_other_charts_symbol_asks_once_for_the_swapped_pair(still_window, qtbot):
    win = still_window
    asked = []
    win.pickers.selection_requested.connect(lambda *a: asked.append(a))
    box = win.pickers.symbols[1]
    box.setFocus()
    box.lineEdit().selectAll()
    QTest.keyClicks(box.lineEdit(), "BTC/USDT:USDT")
    QTest.keyClick(box.lineEdit(), Qt.Key_Return)
    assert asked == [("demo", ("ETH/USDT:USDT", "BTC/USDT:USDT"), "1h")], "the two charts swap"
    assert win.pickers.symbols[0].currentText() == "ETH/USDT:USDT"
    qtbot.waitUntil(lambda: win.left.analysis.symbol == "ETH/USDT:USDT"
                    and win.right.analysis.symbol == "BTC/USDT:USDT", timeout=15_000)
    assert len(asked) == 1
