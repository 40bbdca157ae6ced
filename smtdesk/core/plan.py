"""The trade plans attached to confirmed SMT signals (domain §5), for many signals at once.

Written for a short (bearish signal) on raw prices; a long mirrors every comparison.
Everything is read from bars up to each confirmation bar only.
"""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt

from smtdesk.core.event_table import PlanColumns


@numba.njit(cache=True, nogil=True)
def _displacement_gap(high, low, start, k, bearish):
    """Near edge of the latest fair value gap left by the move from ``start`` (the new
    swing) to ``k`` (the MSS close) and still open at ``k``; NaN if none.

    For a short the gap is bearish (candle 1's low above candle 3's high) and its near
    edge is candle 3's high, the first price a pull-back meets; a long mirrors this.
    """
    beyond = -np.inf if bearish else np.inf  # most extreme price after the gap, through k
    for i in range(k, start + 1, -1):
        if bearish:
            if low[i - 2] > high[i] and beyond <= low[i - 2]:
                return high[i]
            beyond = max(beyond, high[i])
        else:
            if high[i - 2] < low[i] and beyond >= high[i - 2]:
                return low[i]
            beyond = min(beyond, low[i])
    return np.nan


@numba.njit(cache=True, nogil=True)
def _nearest_pool(values, sign, swing_bar, swing_known, k, entry, lookback):
    """Level of the nearest major swing beyond ``entry`` known and untouched at bar ``k``
    (swing highs above a long's entry, lows below a short's: ``sign`` +1 / -1); NaN if none.

    Only swings within ``lookback`` bars before ``k`` count. An untouched swing high is
    not exceeded by any later high, so untouched highs rise going back in time and the
    first one found beyond the entry, walking back from ``k``, is the nearest.
    """
    lo = np.searchsorted(swing_bar, k - lookback)
    hi = np.searchsorted(swing_bar, k)  # bars before k
    after = -np.inf  # most extreme price after the swing being looked at, through k
    pos = k
    for s in range(hi - 1, lo - 1, -1):
        j = swing_bar[s]
        while pos > j:
            after = max(after, sign * values[pos])
            pos -= 1
        if swing_known[s] > k:
            continue
        level = sign * values[j]
        if level >= after and level > sign * entry:
            return values[j]
    return np.nan


@numba.njit(cache=True, nogil=True)
def _entries_and_targets(high, low, start, k, mss, bearish, swing_bar, swing_known, lookback):
    gap = np.empty(len(k))
    target = np.empty(len(k))
    values = low if bearish else high
    sign = -1.0 if bearish else 1.0
    for i in range(len(k)):
        gap[i] = _displacement_gap(high, low, start[i], k[i], bearish)
        entry = mss[i] if np.isnan(gap[i]) else gap[i]
        target[i] = _nearest_pool(values, sign, swing_bar, swing_known, k[i], entry, lookback)
    return gap, target


def trade_plans(
    high: npt.NDArray[np.float64],
    low: npt.NDArray[np.float64],
    *,
    bearish: bool,
    swing_bar: npt.NDArray[np.int64],
    swing_known: npt.NDArray[np.int64],
    confirm: npt.NDArray[np.int64],
    new_bar: npt.NDArray[np.int64],
    mss_level: npt.NDArray[np.float64],
    swing_level: npt.NDArray[np.float64],
    atr: npt.NDArray[np.float64],
    target_lookback: int,
    stop_atr: float,
    account_size: float,
    risk_pct: float,
) -> PlanColumns:
    """Plans of signals confirmed at bars ``confirm`` on the traded asset's candles.

    Entry at the displacement gap left by the move from the traded asset's new swing
    (``new_bar``, price ``swing_level``) if one is still open, else at the MSS retest
    (``mss_level``); stop beyond the swing plus ``stop_atr`` ATRs (``atr`` at the
    confirmation bar); first target at the nearest resting opposing major swing
    (``swing_bar``, known at ``swing_known``, ascending by bar, within
    ``target_lookback`` bars); reward:risk and position size in base units. A plan whose
    entry is not on the right side of its stop has ``ok`` False.
    """
    gap, target = _entries_and_targets(
        high, low, new_bar, confirm, mss_level, bearish, swing_bar, swing_known, target_lookback
    )
    sign = 1.0 if bearish else -1.0
    use_gap = ~np.isnan(gap)
    entry = np.where(use_gap, gap, mss_level)
    buffer = np.where(np.isnan(atr), 0.0, stop_atr * atr)
    stop = swing_level + sign * buffer
    risk = sign * (stop - entry)
    with np.errstate(divide="ignore", invalid="ignore"):
        reward_risk = sign * (entry - target) / risk
        size = account_size * risk_pct / 100.0 / risk
    return PlanColumns(
        ok=risk > 0,
        entry=entry,
        stop=stop,
        target=target,
        reward_risk=reward_risk,
        position_size=size,
        fvg=use_gap,
    )
