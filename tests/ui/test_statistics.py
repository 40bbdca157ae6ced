"""The statistics dock asks for a report only while shown, at most one at a time, and
shows the figures it is given."""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import replace

import numpy as np
import shiboken6
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QMainWindow

from smtdesk.core.analysis import AssetAnalysis, PairAnalysis
from smtdesk.core.candles import Candles
from smtdesk.core.signal import Direction, Signal, State, TradePlan
from smtdesk.core.smt.outcome_stats import OutcomeReport, equity_curve, group_stats
from smtdesk.core.smt.outcomes import Outcome, Trade
from smtdesk.core.structure.swings import Swings
from smtdesk.ui.statistics import StatisticsDock
from smtdesk.ui.theme import DARK, LIGHT
from tests.ui.probes import group_figure

HOUR = 3_600_000


def analysis() -> PairAnalysis:
    none = np.empty(0, np.int64)
    c = Candles(np.arange(3, dtype=np.int64) * HOUR, *(np.ones(3) for _ in range(5)))
    assets = tuple(AssetAnalysis(s, c, {}, Swings(none, none, 5)) for s in ("BTC/USDT:USDT", "ETH/USDT:USDT"))
    return PairAnalysis("1h", assets, ())


def report(wait: int) -> OutcomeReport:
    plan = TradePlan(Direction.BULLISH, 100.0, 95.0, 110.0, 2.0, 1.0, "fvg")
    sig = Signal(id="smt:bullish:x:0", kind="smt", direction=Direction.BULLISH, state=State.CONFIRMED,
                 assets=("BTC/USDT:USDT", "ETH/USDT:USDT"), timeframe="1h", ref_time=0, known_time=0,
                 tags=frozenset({"aligned"}), plan=plan)
    trades = (Trade(sig, Outcome.WON, HOUR, 100.0, 2 * HOUR, 110.0, 2.0, 0.2, 2),)
    return OutcomeReport(trades, (group_stats("All", trades),), {"All": equity_curve(trades),
                                                                "Aligned, strong": equity_curve(trades)}, wait)


class FakeWorker:
    """Records what the dock asks for; :meth:`answer` hands over the oldest report due.
    Answered futures are let go: none outlives the test holding the dock's callback."""

    def __init__(self) -> None:
        self.asked: list[tuple[PairAnalysis, int]] = []
        self._due: list[Future] = []

    def compute(self, a: PairAnalysis, wait: int) -> Future:
        future: Future = Future()
        self.asked.append((a, wait))
        self._due.append(future)
        return future

    def answer(self, result: OutcomeReport) -> None:
        self._due.pop(0).set_result(result)


def test_asks_when_shown_one_report_at_a_time(qtbot):
    worker = FakeWorker()
    dock = StatisticsDock(worker.compute, fill_bars=20)
    qtbot.addWidget(dock)
    first, second = analysis(), analysis()
    dock.set_analysis(first)
    assert worker.asked == []  # hidden: nothing to compute yet
    dock.show()
    assert [(a is first, w) for a, w in worker.asked] == [(True, 20)]
    dock.set_analysis(second)
    dock.set_fill_bars(30)
    assert len(worker.asked) == 1  # the first is still being computed
    worker.answer(report(20))
    # the report came out of date: asked again, once, with what is shown now
    assert [(a is second, w) for a, w in worker.asked[1:]] == [(True, 30)]
    worker.answer(report(30))
    assert len(worker.asked) == 2
    assert dock.report.fill_bars == 30
    assert "entry waits 30 bars" in dock.headline.text()
    assert group_figure(dock, "Total R", "All") == "+2.00 R"
    assert dock.trades.rowCount() == 1 and dock.export_button.isEnabled()


def test_figures_take_the_theme_colours(qtbot):
    worker = FakeWorker()
    dock = StatisticsDock(worker.compute, fill_bars=20)
    qtbot.addWidget(dock)
    dock.set_analysis(analysis())
    dock.show()
    worker.answer(report(20))

    def total_colour() -> str:
        return dock.groups.item(11, 0).foreground().color().name()

    assert dock.groups.verticalHeaderItem(11).text() == "Total R"
    assert total_colour() == QColor(DARK.up).name()
    dock.set_palette(LIGHT)
    assert total_colour() == QColor(LIGHT.up).name()
    assert dock.plot.backgroundBrush().color().name() == QColor(LIGHT.background).name()


def test_trades_sort_by_their_figures(qtbot):
    worker = FakeWorker()
    dock = StatisticsDock(worker.compute, fill_bars=20)
    qtbot.addWidget(dock)
    dock.set_analysis(analysis())
    dock.show()
    won = report(20).trades[0]
    plan = won.signal.plan
    lost = Trade(replace(won.signal, id="b", known_time=HOUR), Outcome.LOST, HOUR, 100.0, 3 * HOUR, 95.0,
                 -1.0, 1.0, 12)
    big = Trade(replace(won.signal, id="c", known_time=2 * HOUR,
                        plan=replace(plan, target=130.0, reward_risk=6.0)),
                Outcome.WON, 2 * HOUR, 100.0, 4 * HOUR, 130.0, 6.0, 0.1, 3)
    trades = (won, lost, big)
    worker.answer(OutcomeReport(trades, (group_stats("All", trades),),
                                {k: equity_curve(trades) for k in ("All", "Aligned, strong")}, 20))
    assert [dock.trade_at(r).signal.id for r in range(3)] == [won.signal.id, "b", "c"]  # oldest first
    header = dock.trades.horizontalHeader()
    r_column, bars_column = 12, 14
    qtbot.mouseClick(header.viewport(), Qt.LeftButton, pos=QPoint(
        header.sectionViewportPosition(r_column) + 5, header.height() // 2))
    assert [dock.trades.item(r, r_column).text() for r in range(3)] == ["−1.00 R", "+2.00 R", "+6.00 R"]
    qtbot.mouseClick(header.viewport(), Qt.LeftButton, pos=QPoint(
        header.sectionViewportPosition(bars_column) + 5, header.height() // 2))
    bars = [int(dock.trades.item(r, bars_column).text()) for r in range(3)]
    assert bars == [2, 3, 12]  # as numbers: "12" is not before "2"
    assert dock.trade_at(0).signal.id == won.signal.id  # the row's trade moved with it


def test_a_report_coming_after_the_window_closed_is_let_go(qtbot, caplog):
    worker = FakeWorker()
    host = QMainWindow()
    dock = StatisticsDock(worker.compute, fill_bars=20, parent=host)
    host.addDockWidget(Qt.BottomDockWidgetArea, dock)
    host.show()
    dock.set_analysis(analysis())
    assert len(worker.asked) == 1
    shiboken6.delete(host)  # the window closed and went, its dock with it
    worker.answer(report(20))
    # an error in the callback is logged by the future (in the app: the error dialog)
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == []


def test_a_report_names_the_pair_it_was_made_for(qtbot):
    worker = FakeWorker()
    dock = StatisticsDock(worker.compute, fill_bars=20)
    qtbot.addWidget(dock)
    dock.set_analysis(analysis())
    dock.show()
    other = PairAnalysis("4h", tuple(replace(a, symbol=s) for a, s in zip(analysis().assets, ("SOL/USDT:USDT",
                                                                                            "AVAX/USDT:USDT"))), ())
    dock.set_analysis(other)  # another pair while the first is computed
    worker.answer(report(20))
    assert dock.headline.text().startswith("BTC / ETH 1h")  # not the pair asked for next
    assert worker.asked[-1][0] is other
    worker.answer(report(20))
    assert dock.headline.text().startswith("SOL / AVAX 4h")
