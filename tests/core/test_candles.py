import numpy as np
import pytest

from smtdesk.core.candles import Candles, align_pair, timeframe_ms


def make(times, base=100.0):
    t = np.asarray(times, dtype=np.int64)
    c = base + np.arange(len(t), dtype=float)
    return Candles(t, c, c + 1, c - 1, c + 0.5, np.ones(len(t)))


def test_arrays_are_read_only_copies():
    t = np.array([1, 2, 3])
    c = make(t)
    t[0] = 99
    assert c.time[0] == 1
    with pytest.raises(ValueError):
        c.close[0] = 5.0


def test_rejects_unsorted_or_duplicate_times():
    with pytest.raises(ValueError, match="time"):
        make([1, 3, 2])
    with pytest.raises(ValueError, match="time"):
        make([1, 2, 2])


def test_rejects_length_mismatch_naming_the_field():
    with pytest.raises(ValueError, match="volume"):
        Candles(np.arange(3), np.ones(3), np.ones(3), np.ones(3), np.ones(3), np.ones(2))


def test_merge_appends_and_newer_wins_on_same_time():
    old = make([0, 10, 20])
    forming = Candles.from_rows([[20, 1, 2, 0.5, 1.5, 7], [30, 2, 3, 1, 2, 8]])
    merged = old.merge(forming)
    assert merged.time.tolist() == [0, 10, 20, 30]
    assert merged.close.tolist() == [100.5, 101.5, 1.5, 2.0]


def test_merge_of_out_of_order_backfill_keeps_one_candle_per_time():
    merged = make([0, 20, 40]).merge(Candles.from_rows([[10, 5, 6, 4, 5, 1], [20, 9, 9, 9, 9, 9]]))
    assert merged.time.tolist() == [0, 10, 20, 40]
    assert merged.close.tolist() == [100.5, 5.0, 9.0, 102.5]


def test_align_pair_is_an_inner_join_that_never_invents_candles():
    a = make([0, 10, 20, 30, 40], base=100)
    b = make([0, 20, 30, 50], base=200)
    a2, b2 = align_pair(a, b)
    assert a2.time.tolist() == b2.time.tolist() == [0, 20, 30]
    assert a2.close.tolist() == [100.5, 102.5, 103.5]
    assert b2.close.tolist() == [200.5, 201.5, 202.5]


@pytest.mark.parametrize("tf, ms", [("1m", 60_000), ("4h", 14_400_000), ("1d", 86_400_000), ("1w", 604_800_000)])
def test_timeframe_ms(tf, ms):
    assert timeframe_ms(tf) == ms


def test_unknown_timeframe_is_a_clear_error():
    with pytest.raises(ValueError, match="timeframe"):
        timeframe_ms("3x")
