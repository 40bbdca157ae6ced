"""Derivatives readings of domain §6: overheat, open interest with price, whale ratios.

Each reading is reported when it changes, at the bar whose close first sees it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from smtdesk.core.candles import Candles
from smtdesk.core.signal import Direction
from smtdesk.core.signals.sink import Sink

if TYPE_CHECKING:
    from smtdesk.core.signals.indicators import IndicatorSignalParams

BULL, BEAR, FLAT = Direction.BULLISH, Direction.BEARISH, Direction.NEUTRAL


@dataclass(frozen=True, slots=True)
class Series:
    """Observations of one derivatives series: UTC times in ms (ascending) and values.

    ``time`` is when a value was observed (became public); a bar reads the latest value
    observed at or before its close.
    """

    time: npt.NDArray[np.int64]
    value: npt.NDArray[np.float64]

    def at(self, when: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """The latest value observed at or before each time in ``when``; NaN before the first."""
        i = (
            np.searchsorted(
                np.asarray(self.time, np.int64), np.asarray(when, np.int64), side="right"
            )
            - 1
        )
        value = np.asarray(self.value, np.float64)
        if not len(value):
            return np.full(np.shape(i), np.nan)
        return np.where(i >= 0, value[np.maximum(i, 0)], np.nan)


@dataclass(frozen=True, slots=True)
class Derivatives:
    """Optional derivatives inputs of one asset; funding as a fraction per settlement."""

    funding: Series | None = None
    open_interest: Series | None = None
    account_ratio: Series | None = None  # global long/short account ratio
    top_account_ratio: Series | None = None
    top_position_ratio: Series | None = None


def _transitions(code: np.ndarray, lo: int) -> np.ndarray:
    """Bars (offset by ``lo``) where a reading code changes to a non-zero value; ``code``
    starts one bar before ``lo``."""
    return np.flatnonzero((code[1:] != code[:-1]) & (code[1:] != 0)) + lo


def derivative_readings(
    sink: Sink,
    rsi: np.ndarray,
    c: Candles,
    close_time: np.ndarray,
    der: Derivatives,
    start: int,
    p: IndicatorSignalParams,
):
    """Overheat (RSI tier with funding and the account ratio), open interest with price,
    and top-trader position vs account ratios; each reported when its reading changes."""
    n, L = len(c), p.flow_lookback
    lo = max(start, 1)
    if lo >= n:
        return
    seg = np.arange(lo - 1, n)
    when = close_time[seg]
    if der.funding is not None and der.account_ratio is not None:
        f, r, x = der.funding.at(when), der.account_ratio.at(when), rsi[seg]
        hot = (f >= p.funding_high) & (r >= p.ratio_high)
        cold = (f <= p.funding_low) & (r <= p.ratio_low)
        tier_hot = np.where(hot, sum((x > t).astype(int) for t in p.overheat_tiers), 0)
        tier_cold = np.where(cold, sum((x < t).astype(int) for t in p.oversold_tiers), 0)
        for tier, kind, d, what in (
            (tier_hot, "overheat_long", BEAR, "long crowding"),
            (tier_cold, "overheat_short", BULL, "short squeeze risk"),
        ):
            rise = np.flatnonzero(tier[1:] > tier[:-1])
            sink.add(
                kind,
                d,
                seg[1:][rise],
                levels={
                    "rsi": x[1:][rise],
                    "funding": f[1:][rise],
                    "account_ratio": r[1:][rise],
                    "tier": tier[1:][rise],
                },
                reason=f"{what}, severity by RSI tier",
            )
    # A change over L bars needs bar k - L; before that there is no reading (code 0),
    # so the first reading counts as a change.
    ago = np.maximum(seg - L, 0)
    defined = seg >= L
    if der.open_interest is not None:
        oi, oi_ago = der.open_interest.at(close_time[seg]), der.open_interest.at(close_time[ago])
        dp, doi = c.close[seg] - c.close[ago], oi - oi_ago
        code = (
            np.select([(doi > 0) & (dp > 0), (doi > 0) & (dp < 0), doi < 0], [1, 2, 3], 0) * defined
        )
        for value, kind, d, text in (
            (1, "oi_trend_backed", BULL, "price up with open interest up"),
            (2, "oi_shorts_building", BEAR, "price down with open interest up"),
            (3, "oi_positions_closing", FLAT, "open interest falling"),
        ):
            bars = _transitions(code, lo)
            bars = bars[code[bars - lo + 1] == value]
            sink.add(
                kind,
                d,
                bars,
                levels={"open_interest": oi[bars - lo + 1], "close": c.close[bars]},
                reason=text,
            )
    if der.top_position_ratio is not None and der.top_account_ratio is not None:
        pos, acc = der.top_position_ratio, der.top_account_ratio
        dpos = pos.at(close_time[seg]) - pos.at(close_time[ago])
        dacc = acc.at(close_time[seg]) - acc.at(close_time[ago])
        code = (
            np.select(
                [(dpos > 0) & (dacc > 0), (dpos < 0) & (dacc < 0), dpos * dacc < 0], [1, 2, 3], 0
            )
            * defined
        )
        for value, kind, d, text in (
            (1, "whale_consensus", BULL, "top-trader position and account ratios rising"),
            (2, "whale_consensus", BEAR, "top-trader position and account ratios falling"),
            (3, "whale_split", FLAT, "top-trader position and account ratios diverge"),
        ):
            bars = _transitions(code, lo)
            bars = bars[code[bars - lo + 1] == value]
            sink.add(
                kind,
                d,
                bars,
                levels={
                    "position_ratio": pos.at(close_time[bars]),
                    "account_ratio": acc.at(close_time[bars]),
                },
                reason=text,
            )
