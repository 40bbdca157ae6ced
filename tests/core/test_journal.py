"""A journaled trade's result read off the candles, and its R, worked out by hand."""

import numpy as np
import pytest

from smtdesk.core.candles import Candles
from smtdesk.core.journal import JournalEntry, Result, follow

H = 3_600_000


def candles(highs, lows) -> Candles:
    n = len(highs)
    t = np.arange(n, dtype=np.int64) * H
    mid = (np.array(highs) + np.array(lows)) / 2
    return Candles(t, mid, np.array(highs, float), np.array(lows, float), mid, np.ones(n))


def long_trade(**kw) -> JournalEntry:
    # known at bar 0's close; long at 100, stop 95, target 110
    return JournalEntry("sig", "demo", "ETH/USDT:USDT", "1h", True, 0, 100.0, 95.0, 110.0, 2.0, **kw)


def test_the_target_reached_after_the_fill_is_a_win_at_the_target():
    c = candles([104, 103, 106, 111, 112], [101, 99, 100, 105, 108])  # fill bar 1, target bar 3
    e = follow(long_trade(), c)
    assert (e.result, e.exit_time, e.exit_price, e.from_candles) == (Result.WON, 3 * H, 110.0, True)
    assert e.r == pytest.approx(2.0)  # (110 - 100) / 5


def test_a_bar_touching_stop_and_target_is_a_loss():
    c = candles([104, 103, 111], [101, 99, 94])  # fill bar 1, bar 2 spans 94..111
    e = follow(long_trade(), c)
    assert (e.result, e.exit_time, e.exit_price) == (Result.LOST, 2 * H, 95.0)
    assert e.r == pytest.approx(-1.0)


def test_open_while_neither_is_reached_and_a_trade_closed_by_hand_stays_as_the_trader_said():
    c = candles([104, 103, 105, 106], [101, 99, 98, 97])
    assert follow(long_trade(), c).result is Result.OPEN
    closed = long_trade(result=Result.SCRATCHED, exit_price=101.0, exit_time=2 * H)
    assert follow(closed, candles([104, 120], [101, 90])) is closed
    assert closed.r == pytest.approx(0.2)  # (101 - 100) / 5


def test_a_short_mirrors():
    short = JournalEntry("s", "demo", "BTC/USDT:USDT", "1h", False, 0, 100.0, 104.0, 92.0, 1.0)
    c = candles([99, 101, 98, 95], [97, 98, 93, 91])  # fill bar 1 (high 101), target bar 3
    e = follow(short, c)
    assert (e.result, e.exit_time, e.exit_price) == (Result.WON, 3 * H, 92.0)
    assert e.r == pytest.approx(2.0)  # (100 - 92) / 4
