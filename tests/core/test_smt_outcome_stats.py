"""Group figures of followed trades, worked out by hand."""

from __future__ import annotations

import math

import pytest

from smtdesk.core.signal import Direction, Signal
from smtdesk.core.smt.outcome_stats import equity_curve, group_stats
from smtdesk.core.smt.outcomes import Outcome, Trade

HOUR = 3_600_000


def trade(outcome: Outcome, exit_bar: int | None, r: float = math.nan, *, mae: float = math.nan,
          bars: int | None = None, filled: bool = True) -> Trade:
    sig = Signal(id=f"s{exit_bar}{outcome}", kind="smt", direction=Direction.BULLISH,
                 state="confirmed", assets=("A", "B"), timeframe="1h", ref_time=0, known_time=0)
    exit_time = None if exit_bar is None else exit_bar * HOUR
    return Trade(sig, outcome, 0 if filled else None, 1.0 if filled else math.nan, exit_time,
                 math.nan, r, mae, bars)


W, L = Outcome.WON, Outcome.LOST
# closed in the order W L L W L L L W (listed shuffled: the order is the exit bars')
TRADES = [
    trade(L, 50, -1.0, mae=1.0, bars=7),
    trade(W, 10, 2.0, mae=0.2, bars=4),
    trade(L, 30, -1.0, mae=1.0, bars=3),
    trade(W, 80, 0.5, mae=0.9, bars=6),
    trade(L, 20, -1.0, mae=1.0, bars=2),
    trade(W, 40, 1.5, mae=0.4, bars=10),
    trade(L, 60, -1.0, mae=1.0, bars=5),
    trade(L, 70, -1.0, mae=1.0, bars=1),
    trade(Outcome.OPEN, None, mae=0.3),
    trade(Outcome.NOT_FILLED, None, filled=False),
    trade(Outcome.NO_TARGET, None, filled=False),
]


def test_counts():
    g = group_stats("All", TRADES)
    assert (g.signals, g.filled, g.won, g.lost, g.open, g.not_filled, g.no_target) == (11, 9, 3, 5, 1, 1, 1)


def test_r_figures():
    g = group_stats("All", TRADES)
    assert g.win_rate == pytest.approx(3 / 8)
    # average win (2 + 1.5 + 0.5) / 3 = 4/3, average loss 1: 3/8 * 4/3 - 5/8 * 1 = 1/2 - 5/8
    assert g.expectancy == pytest.approx(-0.125)
    assert g.total_r == pytest.approx(-1.0)
    assert g.mean_r == pytest.approx(-1.0 / 8)
    # -1 -1 -1 -1 -1 | 0.5 1.5 2: the middle two are -1 and -1
    assert g.median_r == -1.0


def test_streak_and_drawdown():
    g = group_stats("All", TRADES)
    assert g.losing_streak == 3  # W L L W [L L L] W
    # equity 2, 1, 0, 1.5, 0.5, -0.5, -1.5, -1.0: from 2 down to -1.5
    assert g.max_drawdown == pytest.approx(3.5)
    curve = equity_curve(TRADES)
    assert curve.time.tolist() == [b * HOUR for b in (10, 20, 30, 40, 50, 60, 70, 80)]
    assert curve.r.tolist() == pytest.approx([2, 1, 0, 1.5, 0.5, -0.5, -1.5, -1.0])


def test_excursion_and_duration():
    g = group_stats("All", TRADES)
    assert g.winners_mae == pytest.approx((0.2 + 0.4 + 0.9) / 3)
    assert g.mean_mae == pytest.approx((0.2 + 0.4 + 0.9 + 5 * 1.0) / 8)  # closed trades only
    assert g.mean_bars == pytest.approx(38 / 8)
    assert g.median_bars == pytest.approx(4.5)  # 1 2 3 [4 5] 6 7 10


def test_a_group_without_closed_trades():
    g = group_stats("Weak pair", [trade(Outcome.OPEN, None), trade(Outcome.NOT_FILLED, None, filled=False)])
    assert (g.signals, g.filled, g.losing_streak, g.total_r, g.max_drawdown) == (2, 1, 0, 0.0, 0.0)
    assert all(math.isnan(v) for v in (g.win_rate, g.mean_r, g.median_r, g.expectancy, g.mean_mae))
    assert group_stats("Weak pair", []).signals == 0
