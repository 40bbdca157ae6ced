"""The SMT statistics dock: how the engine's confirmed signals played out on this pair.

It shows an :class:`~smtdesk.core.smt.outcome_stats.OutcomeReport` and computes
nothing: the report is asked for (``compute``, run off the window's thread) whenever the
dock is shown on a pair it has not reported yet, or the entry wait changes.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtCore import Signal as QtSignal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from smtdesk.core.analysis import PairAnalysis
from smtdesk.core.signal import Direction
from smtdesk.core.smt.context import ALIGNED, COUNTER_TREND, WEAK_PAIR
from smtdesk.core.smt.outcome_stats import GroupStats, OutcomeReport
from smtdesk.core.smt.outcomes import Outcome, Trade
from smtdesk.data.trade_export import write_trades_csv
from smtdesk.ui.items.axes import TimeAxisItem
from smtdesk.ui.signal_text import bar_time, short_symbol
from smtdesk.ui.theme import DARK, Palette, pen, style_plot

Compute = Callable[[PairAnalysis, int], asyncio.Future]
WAITING = "Open a pair to see how its SMT signals played out."
COMPUTING = "Following every confirmed SMT signal's plan…"
RULES = (
    "Each plan followed on the traded asset's candles from the bar after its confirmation · "
    "limit entry, not filled after the wait · stop and target in one bar: a loss · "
    "a target on the fill bar does not count · R figures over won and lost trades"
)
HEADERS = {"Counter-trend": "Counter-\ntrend", "Strong pair": "Strong\npair",
           "Weak pair": "Weak\npair", "Aligned, strong": "Aligned,\nstrong"}
"""Group names on two lines, so every column's figures fit."""
CURVES = (("All", "text"), ("Aligned, strong", "accent"))
"""Equity curves drawn: every signal, and those the default alert policy raises."""


def _count(v: int) -> str:
    return f"{v:,}"


def _r(v: float) -> str:
    return "–" if math.isnan(v) else f"{v:+.2f} R".replace("-", "−")


def _plain(v: float, unit: str = "") -> str:
    return "–" if math.isnan(v) else f"{v:.2f}{unit}"


def _percent(v: float) -> str:
    return "–" if math.isnan(v) else f"{100 * v:.1f} %"


def _bars(v: tuple[float, float]) -> str:
    median, mean = v
    return "–" if math.isnan(median) else f"{median:g} · {mean:.1f}"


# (row title, value of a group, text, signed: coloured by sign)
ROWS: tuple[tuple[str, Callable[[GroupStats], float], Callable[[float], str], bool], ...] = (
    ("Signals", lambda g: g.signals, _count, False),
    ("Filled", lambda g: g.filled, _count, False),
    ("Won", lambda g: g.won, _count, False),
    ("Lost", lambda g: g.lost, _count, False),
    ("Open", lambda g: g.open, _count, False),
    ("Not filled", lambda g: g.not_filled, _count, False),
    ("No target", lambda g: g.no_target, _count, False),
    ("Win rate", lambda g: g.win_rate, _percent, False),
    ("Expectancy per trade", lambda g: g.expectancy, _r, True),
    ("Mean R", lambda g: g.mean_r, _r, True),
    ("Median R", lambda g: g.median_r, _r, True),
    ("Total R", lambda g: g.total_r, _r, True),
    ("Max drawdown", lambda g: g.max_drawdown, lambda v: _plain(v, " R"), False),
    ("Longest losing streak", lambda g: g.losing_streak, _count, False),
    ("MAE, mean", lambda g: g.mean_mae, lambda v: _plain(v, " R"), False),
    ("MAE of winners, mean", lambda g: g.winners_mae, lambda v: _plain(v, " R"), False),
    ("Bars to outcome, median · mean", lambda g: (g.median_bars, g.mean_bars), _bars, False),
)

TRADE_COLUMNS = ("#", "Signal (UTC)", "Side", "Traded", "Tags", "Entry", "Stop", "Target",
                 "R:R", "Filled (UTC)", "Exit (UTC)", "Outcome", "R", "MAE", "Bars")


def _tags(t: Trade) -> str:
    tags = t.signal.tags
    trend = COUNTER_TREND if COUNTER_TREND in tags else (ALIGNED if ALIGNED in tags else "")
    return ", ".join(w for w in (trend, WEAK_PAIR if WEAK_PAIR in tags else "") if w)


def _key(v: float | None) -> float:
    """Sort key of a figure: a missing one sorts first."""
    return -math.inf if v is None or math.isnan(v) else float(v)


def _trade_cells(number: int, t: Trade) -> list[tuple[str, float | str]]:
    """(text, sort key) of each column of a trade's row."""
    sig, plan = t.signal, t.signal.plan
    side = "▲ Long" if sig.direction is Direction.BULLISH else "▼ Short"
    return [
        (str(number), number),
        (bar_time(sig.known_time), sig.known_time),
        (side, side),
        (short_symbol(sig.assets[-1]), sig.assets[-1]),
        (_tags(t), _tags(t)),
        (f"{plan.entry:,.2f}", plan.entry),
        (f"{plan.stop:,.2f}", plan.stop),
        ("none" if math.isnan(plan.target) else f"{plan.target:,.2f}", _key(plan.target)),
        (_plain(plan.reward_risk), _key(plan.reward_risk)),
        ("" if t.fill_time is None else bar_time(t.fill_time), _key(t.fill_time)),
        ("" if t.exit_time is None else bar_time(t.exit_time), _key(t.exit_time)),
        (t.outcome.value.capitalize(), t.outcome.value),
        (_r(t.r) if t.closed else "", _key(t.r)),
        (_plain(t.mae, " R") if t.filled else "", _key(t.mae)),
        ("" if t.bars is None else str(t.bars), _key(t.bars)),
    ]


class _SortedItem(QTableWidgetItem):
    """A cell that sorts by its key (numbers as numbers), not by its text."""

    def __init__(self, text: str, key: float | str) -> None:
        super().__init__(text)
        self.key = key

    def __lt__(self, other: QTableWidgetItem) -> bool:
        return self.key < other.key


def _steps(curve, start_ms: int) -> tuple[np.ndarray, np.ndarray]:
    """Step line of an equity curve from 0 at ``start_ms``: flat until each exit."""
    x = np.repeat(np.concatenate([[start_ms], curve.time]) / 1000.0, 2)[1:]
    y = np.repeat(np.concatenate([[0.0], curve.r]), 2)[:-1]
    return x, y


class StatisticsDock(QDockWidget):
    """Group figures side by side, the equity curve in R, and the list of trades.

    Activating a trade emits ``trade_activated(Trade)``; "Export…" writes the trades as CSV.
    """

    trade_activated = QtSignal(object)

    def __init__(self, compute: Compute, *, fill_bars: int, parent=None) -> None:
        super().__init__("SMT statistics", parent)
        self.setObjectName("smt_statistics")
        self._compute, self._fill_bars = compute, fill_bars
        self._analysis: PairAnalysis | None = None
        self._asked: tuple[PairAnalysis, int] | None = None  # (analysis, wait) last asked for
        self._pending: asyncio.Future | None = None
        self._report: OutcomeReport | None = None
        self._reported: PairAnalysis | None = None  # the analysis the report shown is of
        self._palette = DARK

        self.headline = QLabel(WAITING)
        self.headline.setTextFormat(Qt.PlainText)
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Write the trades to a CSV file")
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self.export)
        corner = QWidget()
        top = QHBoxLayout(corner)
        top.setContentsMargins(6, 0, 2, 2)
        top.addWidget(self.headline, 1)
        top.addWidget(self.export_button)

        self.groups = QTableWidget()
        self.groups.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.groups.setSelectionMode(QAbstractItemView.NoSelection)
        self.groups.setFocusPolicy(Qt.NoFocus)
        self.groups.verticalHeader().setSectionResizeMode(QHeaderView.Fixed)
        self.groups.verticalHeader().setDefaultSectionSize(18)
        self.groups.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.groups.setToolTip(RULES)

        self.plot = pg.PlotWidget(axisItems={"bottom": TimeAxisItem()})
        self.plot.setMenuEnabled(False)
        self.plot.setLabel("left", "Cumulative R")
        self.plot.showGrid(x=False, y=True, alpha=0.3)
        self.legend = self.plot.addLegend(offset=(8, 8))
        self.curves = {name: self.plot.plot(name=name) for name, _ in CURVES}
        self.zero = pg.InfiniteLine(pos=0, angle=0)
        self.plot.addItem(self.zero, ignoreBounds=True)

        summary = QSplitter(Qt.Horizontal)
        summary.addWidget(self.groups)
        summary.addWidget(self.plot)
        summary.setStretchFactor(0, 1)
        summary.setStretchFactor(1, 1)
        summary.setSizes([820, 680])

        self.trades = QTableWidget(0, len(TRADE_COLUMNS))
        self.trades.setHorizontalHeaderLabels(TRADE_COLUMNS)
        self.trades.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.trades.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.trades.setSelectionMode(QAbstractItemView.SingleSelection)
        self.trades.verticalHeader().hide()
        self.trades.verticalHeader().setDefaultSectionSize(20)
        header = self.trades.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setSectionResizeMode(TRADE_COLUMNS.index("Tags"), QHeaderView.Stretch)
        header.setSortIndicator(0, Qt.AscendingOrder)
        self.trades.setToolTip("Click a trade to bring both charts to it; click a heading to sort")
        self.trades.cellClicked.connect(self._on_trade_clicked)
        self.trades.cellActivated.connect(self._on_trade_clicked)

        self.tabs = QTabWidget()
        self.tabs.addTab(summary, "Summary")
        self.tabs.addTab(self.trades, "Trades")
        self.tabs.setCornerWidget(corner, Qt.TopRightCorner)
        self.rules = QLabel(RULES)
        self.rules.setToolTip(RULES)
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 4)
        column.setSpacing(4)
        column.addWidget(self.tabs, 1)
        column.addWidget(self.rules)
        self.setWidget(body)
        self.set_palette(DARK)

    # -- what to show ------------------------------------------------------------------------
    @property
    def report(self) -> OutcomeReport | None:
        return self._report

    def set_analysis(self, analysis: PairAnalysis) -> None:
        """The pair now shown; reported at once while the dock is open, else when opened."""
        self._analysis = analysis
        self._refresh()

    def set_fill_bars(self, fill_bars: int) -> None:
        self._fill_bars = fill_bars
        self._refresh()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._refresh()

    def _refresh(self) -> None:
        if self._analysis is None or not self.isVisible():
            return
        asked = self._asked
        if asked is not None and asked[0] is self._analysis and asked[1] == self._fill_bars:
            return
        if self._pending is not None:
            return  # the report coming asks again when it is out of date
        self._asked = (self._analysis, self._fill_bars)
        if self._report is None:
            self.headline.setText(COMPUTING)
        self._pending = self._compute(self._analysis, self._fill_bars)
        self._pending.add_done_callback(self._on_computed)

    def _on_computed(self, future: asyncio.Future) -> None:
        self._pending = None
        # a report finishing as the window closes comes after the dock is gone
        if future.cancelled() or not isValid(self):
            return
        if future.exception() is not None:
            self.headline.setText(f"The statistics could not be computed: {future.exception()}")
        else:
            self._show(future.result(), self._asked[0])
        self._refresh()

    def _show(self, report: OutcomeReport, analysis: PairAnalysis) -> None:
        """``report`` of ``analysis`` (the pair may have changed since it was asked for)."""
        picked = self._picked_id()
        self._report, self._reported = report, analysis
        self.export_button.setEnabled(bool(report.trades))
        self._show_headline()
        self._fill_groups()
        self._fill_trades(picked)
        self._draw_curves()

    def _show_headline(self) -> None:
        r, a = self._report, self._reported
        pair = " / ".join(short_symbol(x.symbol) for x in a.assets)
        first = min((t.signal.known_time for t in r.trades), default=None)
        span = f" since {bar_time(first)} UTC" if first is not None else ""
        self.headline.setText(
            f"{pair} {a.timeframe} · {len(r.trades):,} confirmed SMT signals{span} · "
            f"entry waits {r.fill_bars} bars"
        )

    def _fill_groups(self) -> None:
        groups = self._report.groups
        t = self.groups
        t.clear()
        t.setRowCount(len(ROWS))
        t.setColumnCount(len(groups))
        t.setHorizontalHeaderLabels([HEADERS.get(g.name, g.name) for g in groups])
        t.setVerticalHeaderLabels([title for title, *_ in ROWS])
        p = self._palette
        for row, (_, value, text, signed) in enumerate(ROWS):
            for col, g in enumerate(groups):
                v = value(g)
                item = QTableWidgetItem(text(v))
                item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                if g.signals == 0:
                    item.setForeground(QBrush(QColor(p.text_muted)))
                elif signed and not math.isnan(v) and v != 0:
                    item.setForeground(QBrush(QColor(p.up if v > 0 else p.down)))
                t.setItem(row, col, item)

    def _fill_trades(self, picked: str | None) -> None:
        trades = self._report.trades
        t = self.trades
        t.setSortingEnabled(False)  # rows would move while they are filled
        t.setRowCount(len(trades))
        p = self._palette
        outcome_colour = {Outcome.WON: p.up, Outcome.LOST: p.down, Outcome.OPEN: p.text}
        for row, trade in enumerate(trades):
            colour = outcome_colour.get(trade.outcome, p.text_muted)
            for col, (text, key) in enumerate(_trade_cells(row + 1, trade)):
                item = _SortedItem(text, key)
                if col == 0:
                    item.setData(Qt.UserRole, trade)
                if col >= 5 and col != 9 and col != 10:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                if col in (11, 12):
                    item.setForeground(QBrush(QColor(colour)))
                elif col == 2:
                    side = p.up if trade.signal.direction is Direction.BULLISH else p.down
                    item.setForeground(QBrush(QColor(side)))
                elif trade.outcome in (Outcome.NOT_FILLED, Outcome.NO_TARGET):
                    item.setForeground(QBrush(QColor(p.text_muted)))
                t.setItem(row, col, item)
            if trade.signal.id == picked:
                t.selectRow(row)
        t.setSortingEnabled(True)  # in the order the trader last picked (oldest first at first)

    def _draw_curves(self) -> None:
        r = self._report
        start = min((t.signal.known_time for t in r.trades), default=0)
        for name, _ in CURVES:
            x, y = _steps(r.curves[name], start)
            self.curves[name].setData(x, y)

    def _picked_id(self) -> str | None:
        trade = self.trade_at(self.trades.currentRow())
        return None if trade is None else trade.signal.id

    def trade_at(self, row: int) -> Trade | None:
        item = self.trades.item(row, 0)
        return None if item is None else item.data(Qt.UserRole)

    def set_palette(self, palette: Palette) -> None:
        self._palette = palette
        style_plot(self.plot.getPlotItem(), palette)
        colours = {"text": palette.text, "accent": palette.series[0]}
        for name, role in CURVES:
            self.curves[name].setPen(pen(colours[role], 2 if role == "accent" else 1.5))
        self.zero.setPen(pen(palette.text_muted, style=Qt.DashLine))
        self.plot.setBackground(palette.background)
        self.legend.setLabelTextColor(palette.text)
        for _, label in self.legend.items:
            label.setText(label.text)  # a label takes its new colour when drawn anew
        self.plot.getAxis("left").setLabel("Cumulative R", color=palette.text_muted)
        self.rules.setStyleSheet(f"color: {palette.text_muted};")
        if self._report is not None:
            self._fill_groups()
            self._fill_trades(self._picked_id())

    # -- gestures ------------------------------------------------------------------------------
    def _on_trade_clicked(self, row: int, _column: int = 0) -> None:
        trade = self.trade_at(row)
        if trade is not None:
            self.trade_activated.emit(trade)

    def export(self) -> None:
        """Ask where, then write the trades there as CSV."""
        if self._report is None:
            return
        a = self._reported
        name = f"smt_trades_{'_'.join(short_symbol(x.symbol) for x in a.assets)}_{a.timeframe}.csv"
        path, _ = QFileDialog.getSaveFileName(self, "Export trades", name, "CSV files (*.csv)")
        if not path:
            return
        try:
            write_trades_csv(Path(path), self._report.trades)
        except OSError as exc:
            self.headline.setText(f"Trades not exported: {exc}")
            return
        self.headline.setText(f"{len(self._report.trades):,} trades exported to {path}")
