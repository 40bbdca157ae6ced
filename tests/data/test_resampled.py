"""Building a timeframe a source lacks: which base to fetch, and folding live candles."""

import numpy as np
import pytest

from smtdesk.core.candles import Candles
from smtdesk.core.resample import resample
from smtdesk.data.resampled import BucketFold, base_timeframe, require_base
from smtdesk.data.source import CandleUpdate
from smtdesk.errors import SourceError

H = 3_600_000
GATE = ("10s", "1m", "5m", "15m", "30m", "1h", "2h", "4h", "8h", "1d", "7d", "30d")


def hours(start_hour: int, n: int, *, skip: tuple[int, ...] = ()) -> Candles:
    t = np.array([h for h in range(start_hour, start_hour + n) if h not in skip], np.int64)
    mid = 100.0 + np.sin(t)
    return Candles(t * H, mid, mid + 1 + t % 3, mid - 1 - t % 2, mid + 0.5, 1.0 + t % 5)


@pytest.mark.parametrize("available, wanted, base", [
    (GATE, "4h", "4h"),
    (GATE, "1w", "1d"),  # not 7d: those weeks do not start on Monday
    (("1h", "3d"), "1w", "1h"),  # 3d candles cannot tile Monday weeks
    (("1h", "2h", "1M"), "1d", "2h"),
    (("1h",), "15m", None),
    (("4h",), "1h", None),
])
def test_the_largest_shorter_timeframe_that_tiles_the_wanted_one(available, wanted, base):
    assert base_timeframe(available, wanted) == base


def test_a_timeframe_nothing_builds_is_refused_in_words():
    with pytest.raises(SourceError, match=r"no 5m candles.*it has 1h"):
        require_base(("1h",), "5m", "Demo")


def test_history_keeps_complete_buckets_only_and_drops_a_leading_partial_one():
    fold = BucketFold("X", "4h", "1h")
    base = hours(2, 12)  # 02:00 .. 13:00: 00-04 lacks two hours, 12-16 has only two
    built = fold.history(base)
    np.testing.assert_array_equal(built.time, [4 * H, 8 * H])
    assert built.row(0) == resample(base[2:6], "4h").row(0)
    forming = fold.forming()
    assert not forming.closed and forming.candles.row(0) == resample(base[10:], "4h").row(0)


def test_live_hours_close_the_bucket_with_its_last_hour_or_with_a_later_candle():
    fold = BucketFold("X", "4h", "1h")
    fold.history(hours(0, 4))
    seen = []
    for c in (hours(4, 1), hours(5, 1), hours(6, 1)):
        seen.append(fold.fold(CandleUpdate("X", "1h", c)))
    assert [[u.closed for u in out] for out in seen] == [[False], [False], [False]]
    # 07:00 is missing (a gap): a forming 08:00 candle still proves the bucket ended
    eight = CandleUpdate("X", "1h", hours(8, 1), closed=False)
    closed, forming = fold.fold(eight)
    assert closed.closed and closed.candles.row(0) == resample(hours(4, 3), "4h").row(0)
    assert forming.candles.row(0) == resample(hours(8, 1), "4h").row(0) and not forming.closed
    # a page of closed hours (after a reconnect) can complete several buckets at once
    out = fold.fold(CandleUpdate("X", "1h", hours(8, 9)))
    assert out[0].closed and out[0].candles.time.tolist() == [8 * H, 12 * H]
    assert not out[1].closed and out[1].candles.time.tolist() == [16 * H]
