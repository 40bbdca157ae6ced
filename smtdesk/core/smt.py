"""SMT divergence rules of domain §5a, as vectorised functions over candidate sweeps.

Everything is written for a bearish signal (highs, "above"). A bullish signal is the
same computation on the mirrored series: highs become ``-low``, lows ``-high`` and
closes ``-close``, so "below" becomes "above" and equal stays "not beyond". Prices
reported back are always raw.

The functions answer "what is known with the first ``N`` bars"; every answer about a
bar ``k < N`` is the same for any ``N > k``, which is what makes the engine causal and
lets a live update reuse them on a longer series.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numba
import numpy as np
import numpy.typing as npt

from smtdesk.core.candles import Candles
from smtdesk.core.rangequery import FirstAbove, first_above_scan
from smtdesk.core.signal import Direction
from smtdesk.core.swings import SwingSet

_NONE = np.iinfo(np.int64).max


@dataclass(frozen=True, slots=True)
class SmtParams:
    """Every threshold of domain §5, with its default."""

    major: int = 5  # swing strength of the reference and new swings
    minor: int = 2  # swing strength of the MSS level
    mss_timeout: int = 20  # bars after the divergence bar to wait for the MSS
    atr_period: int = 14
    stop_atr: float = 0.1  # stop buffer beyond the swing, in ATRs
    corr_window: int = 200  # log returns in the rolling correlation
    corr_min: float = 0.7  # below this the pair is weakly correlated
    account_size: float = 10_000.0  # quote currency
    risk_pct: float = 1.0  # percent of the account risked per trade
    pool_tolerance: float = 0.001  # equal highs/lows: relative distance that counts as equal
    target_lookback: int = 1000  # bars searched back for the first target's swing

    def __post_init__(self) -> None:
        if self.major < 1 or self.minor < 1:
            raise ValueError("major, minor: swing strengths must be at least 1")
        if self.mss_timeout < 1:
            raise ValueError("mss_timeout: must be at least 1 bar")


class Space:
    """One asset in one direction's terms: values ``sign * raw`` of the raw arrays."""

    __slots__ = ("sign", "hi", "lo", "cl")

    def __init__(self, c: Candles, direction: Direction) -> None:
        bearish = direction is Direction.BEARISH
        self.sign = 1.0 if bearish else -1.0
        self.hi = c.high if bearish else c.low
        self.lo = c.low if bearish else c.high
        self.cl = c.close

    def high(self, idx: npt.ArrayLike) -> npt.NDArray[np.float64]:
        return self.sign * self.hi[idx]

    def low(self, idx: npt.ArrayLike) -> npt.NDArray[np.float64]:
        return self.sign * self.lo[idx]


Seek = Callable[[Space, npt.ArrayLike, npt.ArrayLike, npt.ArrayLike], npt.NDArray[np.int64]]


class TableSeek:
    """First bar in [lo, hi] whose high (in the space's terms) is above a level, over
    whole histories (a full scan); one table per series, built on first use."""

    def __init__(self) -> None:
        self._tables: dict[tuple[int, float], FirstAbove] = {}

    def __call__(self, sp: Space, lo, hi, level) -> npt.NDArray[np.int64]:
        key = (id(sp.hi), sp.sign)
        table = self._tables.get(key)
        if table is None:
            table = self._tables[key] = FirstAbove(sp.hi, sign=sp.sign)
        return table(lo, hi, level)


def scan_seek(sp: Space, lo, hi, level) -> npt.NDArray[np.int64]:
    """Same answers as :class:`TableSeek` by scanning (a few short ranges, live)."""
    return first_above_scan(sp.hi, lo, hi, level, sign=sp.sign)


def find_sweeps(
    x: Space, swings: SwingSet, seek: Seek, n_bars: int
) -> tuple[np.ndarray, np.ndarray]:
    """Rule 1 over a whole history: (swept swing bar, sweep bar) pairs, by sweep bar.

    The reference swing at bar t is the latest-bar major swing known at t; it is swept at
    the first bar strictly above it while it is the reference, and only once.
    """
    bar, known = swings.known_by(n_bars - 1)
    if not len(bar):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    top = np.maximum.accumulate(bar)
    change = np.ones(len(bar), bool)
    change[1:] = top[1:] > top[:-1]
    ref, start = bar[change], known[change]
    end = np.append(start[1:] - 1, n_bars - 1)
    t = seek(x, start, end, x.high(ref))
    hit = t >= 0
    return ref[hit], t[hit]


@dataclass(slots=True)
class Outcome:
    """Rules 2–5 for a batch of candidate sweeps; bar fields are -1 where not (yet) reached."""

    j0: np.ndarray  # swept swing of X
    t: np.ndarray  # sweep bar
    formed: np.ndarray  # rule 3: a FORMING event at t
    prior_bar: np.ndarray  # Y's prior level bar
    prov_x_bar: np.ndarray  # X's running extreme at t (provisional new swing)
    prov_y_bar: np.ndarray  # Y's extreme over t-n..t (provisional new level)
    cancel: np.ndarray  # CANCELLED bar
    s: np.ndarray  # X's new swing bar
    div: np.ndarray  # DIVERGENCE bar
    y_new_bar: np.ndarray
    mss_bar: np.ndarray  # Y's minor swing giving the MSS level; -1: cannot confirm
    confirm: np.ndarray  # CONFIRMED bar
    invalid: np.ndarray  # INVALIDATED bar
    invalid_reason: np.ndarray  # "price" or "timeout" where invalid >= 0

    def terminal(self) -> np.ndarray:
        """Candidates whose story is over: never formed, cancelled, confirmed or invalidated."""
        return ~self.formed | (self.cancel >= 0) | (self.confirm >= 0) | (self.invalid >= 0)


@numba.njit(cache=True, nogil=True)
def _window_argmax_kernel(hi, sign, centre, last, n):
    out = np.empty(len(centre), np.int64)
    for q in range(len(centre)):
        c = centre[q]
        best, bar = -np.inf, c - n
        for w in range(max(c - n, 0), min(c + n, last[q]) + 1):
            v = sign * hi[w]
            if np.isnan(v):  # as np.argmax: the first NaN is the maximum
                bar = w
                break
            if v > best:
                best, bar = v, w
        out[q] = bar
    return out


def _window_argmax(sp: Space, centre: np.ndarray, last: np.ndarray, n: int) -> np.ndarray:
    """Bar of the highest high over ``centre-n .. min(centre+n, last)``; ties take the earliest."""
    return _window_argmax_kernel(
        sp.hi, sp.sign, np.asarray(centre, np.int64), np.asarray(last, np.int64), n
    )


@numba.njit(cache=True, nogil=True)
def _first_close_below_kernel(cl, sign, lo, hi, level, width):
    out = np.full(len(lo), -1, np.int64)
    for q in range(len(lo)):
        for w in range(lo[q], min(lo[q] + width - 1, hi[q]) + 1):
            if sign * cl[w] < level[q]:
                out[q] = w
                break
    return out


def _first_close_below(
    sp: Space, lo: np.ndarray, hi: np.ndarray, level: np.ndarray, width: int
) -> np.ndarray:
    """First bar in [lo, hi] (at most ``width`` bars) whose close is strictly below ``level``."""
    return _first_close_below_kernel(
        sp.cl,
        sp.sign,
        np.asarray(lo, np.int64),
        np.asarray(hi, np.int64),
        np.asarray(level, np.float64),
        width,
    )


def resolve(
    x: Space,
    y: Space,
    x_major: SwingSet,
    y_minor_lows: SwingSet,
    j0: np.ndarray,
    t: np.ndarray,
    n_bars: int,
    p: SmtParams,
    seek: Seek,
) -> Outcome:
    """Rules 2–5 for candidate sweeps (X's swing ``j0`` swept at ``t``) given ``n_bars`` bars.

    ``y_minor_lows`` are Y's minor swing lows in this direction's terms. The MSS level is
    taken from the minor swings known by the divergence bar, so the divergence event can
    carry it and it never changes afterwards.
    """
    n, last = p.major, n_bars - 1
    j0 = np.asarray(j0, np.int64)
    t = np.asarray(t, np.int64)
    if not len(t):
        empty = np.empty(0, np.int64)
        return Outcome(
            empty, empty, np.empty(0, bool), *(empty for _ in range(10)), np.empty(0, str)
        )

    prior_bar = _window_argmax(y, j0, np.minimum(j0 + n, t), n)
    prior = y.high(prior_bar)
    formed = seek(y, j0 + 1, t, prior) < 0
    prov_y_bar = _window_argmax(y, t, t, n)

    s, s_known = x_major.first_from(t)
    has_s = s_known <= last
    cancel = seek(y, t + 1, np.where(has_s, s_known, last), prior)
    cancel = np.where(formed, cancel, -1)
    div_mask = formed & (cancel < 0) & has_s
    div = np.where(div_mask, s_known, -1)

    dv = np.where(div_mask, div, 0)
    y_new_bar = np.where(
        div_mask, _window_argmax(y, np.where(div_mask, s, 0), np.minimum(s + n, dv), n), -1
    )
    mss_bar = np.where(div_mask, y_minor_lows.latest_before(y_new_bar, dv), -1)

    end = np.minimum(dv + p.mss_timeout, last)
    y_new = y.high(np.maximum(y_new_bar, 0))
    inv = np.where(div_mask, seek(y, dv + 1, end, y_new), -1)
    can_confirm = div_mask & (mss_bar >= 0)
    conf = _first_close_below(y, dv + 1, end, y.low(np.maximum(mss_bar, 0)), p.mss_timeout)
    conf = np.where(can_confirm, conf, -1)
    # Same bar: the price invalidation is checked before the MSS (rule 5).
    confirm = np.where((conf >= 0) & ((inv < 0) | (conf < inv)), conf, -1)
    by_price = (inv >= 0) & (confirm < 0)
    timeout_bar = dv + p.mss_timeout
    by_time = div_mask & ~by_price & (confirm < 0) & (timeout_bar <= last)
    invalid = np.where(by_price, inv, np.where(by_time, timeout_bar, -1))
    reason = np.where(by_price, "price", np.where(by_time, "timeout", ""))

    return Outcome(
        j0=j0,
        t=t,
        formed=formed,
        prior_bar=prior_bar,
        prov_x_bar=t.copy(),
        prov_y_bar=prov_y_bar,
        cancel=cancel,
        s=np.where(div_mask, s, -1),
        div=div,
        y_new_bar=y_new_bar,
        mss_bar=mss_bar,
        confirm=confirm,
        invalid=invalid,
        invalid_reason=reason,
    )
