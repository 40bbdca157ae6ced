"""SMT divergence rules of domain §5a, as functions over batches of candidate sweeps
(rule 1 vectorised, rules 2-5 a compiled loop over the candidates).

Everything is written for a bearish signal (highs, "above"). A bullish signal is the
same computation on the mirrored series: highs become ``-low``, lows ``-high`` and
closes ``-close``, so "below" becomes "above" and equal stays "not beyond". Prices
reported back are always raw.

The functions answer "what is known with the first ``N`` bars"; every answer about a
bar ``k < N`` is the same for any ``N > k``, which is what makes the engine causal and
lets a live update reuse them on a longer series.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import numpy.typing as npt

from smtdesk.core.candles import Candles
from smtdesk.core.structure.rangequery import NO_TABLE, FirstAbove, first_above_scan, seek_one
from smtdesk.core.signal import Direction
from smtdesk.core.structure.shift import first_shift, latest_swing_before
from smtdesk.core.structure.swings import SwingSet

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


class TableSeek:
    """First bar in [lo, hi] whose high (in the space's terms) is above a level, over
    whole histories (a full scan); one table per series, built on first use."""

    def __init__(self) -> None:
        self._tables: dict[tuple[int, float], FirstAbove] = {}

    def __call__(self, sp: Space, lo, hi, level) -> npt.NDArray[np.int64]:
        return self._table(sp)(lo, hi, level)

    def tables(self, sp: Space) -> tuple[np.ndarray, np.ndarray]:
        """The block maxima of the space's highs, for :func:`seek_one`."""
        return self._table(sp).tables

    def _table(self, sp: Space) -> FirstAbove:
        key = (id(sp.hi), sp.sign)
        table = self._tables.get(key)
        if table is None:
            table = self._tables[key] = FirstAbove(sp.hi, sign=sp.sign)
        return table


class ScanSeek:
    """Same answers as :class:`TableSeek` by scanning (a few short ranges, live)."""

    def __call__(self, sp: Space, lo, hi, level) -> npt.NDArray[np.int64]:
        return first_above_scan(sp.hi, lo, hi, level, sign=sp.sign)

    def tables(self, sp: Space) -> tuple[np.ndarray, np.ndarray]:
        return NO_TABLE, NO_TABLE


scan_seek = ScanSeek()


def find_sweeps(
    x: Space, swings: SwingSet, seek: TableSeek | ScanSeek, n_bars: int
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
    t: np.ndarray  # sweep bar, also X's provisional new swing
    formed: np.ndarray  # rule 3: a FORMING event at t
    prior_bar: np.ndarray  # Y's prior level bar
    prov_y_bar: np.ndarray  # Y's extreme over t-n..t (provisional new level)
    cancel: np.ndarray  # CANCELLED bar
    cancel_x_bar: np.ndarray  # X's running extreme through the cancel bar
    cancel_y_bar: np.ndarray  # Y's extreme of the window matching it, through the cancel bar
    s: np.ndarray  # X's new swing bar
    div: np.ndarray  # DIVERGENCE bar
    y_new_bar: np.ndarray
    mss_bar: np.ndarray  # Y's minor swing giving the MSS level at the divergence bar; -1: none
    end_mss_bar: np.ndarray  # the same at the CONFIRMED or INVALIDATED bar
    confirm: np.ndarray  # CONFIRMED bar
    invalid: np.ndarray  # INVALIDATED bar
    invalid_reason: np.ndarray  # "price" or "timeout" where invalid >= 0

    def terminal(self) -> np.ndarray:
        """Candidates whose story is over: never formed, cancelled, confirmed or invalidated."""
        return ~self.formed | (self.cancel >= 0) | (self.confirm >= 0) | (self.invalid >= 0)


@numba.njit(cache=True, nogil=True)
def _running_argmax(hi, sign, lo, last):
    """Bar of the highest high over ``lo .. last``; ties take the earliest, and as with
    np.argmax the first NaN is the maximum."""
    best, bar = -np.inf, lo
    for w in range(lo, last + 1):
        v = sign * hi[w]
        if np.isnan(v):
            return w
        if v > best:
            best, bar = v, w
    return bar


@numba.njit(cache=True, nogil=True)
def _window_argmax(hi, sign, centre, last, n):
    """Bar of the highest high over ``centre-n .. min(centre+n, last)``."""
    return _running_argmax(hi, sign, max(centre - n, 0), min(centre + n, last))


@numba.njit(cache=True, nogil=True)
def _first_from(auto, manual, strength, t):
    """(bar, known) of the first swing to become known with bar >= ``t``; ties on the
    known bar take the earlier swing. Missing: bar -1, known int64 max."""
    i = np.searchsorted(auto, t)
    a_bar = auto[i] if i < len(auto) else -1
    a_known = a_bar + strength if a_bar >= 0 else _NONE
    j = np.searchsorted(manual, t)
    m_bar = manual[j] if j < len(manual) else -1
    m_known = m_bar if m_bar >= 0 else _NONE
    if m_known < a_known or (m_known == a_known and m_bar < a_bar):
        return m_bar, m_known
    return a_bar, a_known


@numba.njit(cache=True, nogil=True)
def _resolve(
    x_hi, y_hi, y_lo, y_cl, sign, small, large, x_swings, y_minor, j0, t, n_bars, n, timeout
):
    """Rules 2-5 candidate by candidate; see :func:`resolve`. ``x_swings`` and ``y_minor``
    are (automatic bars, manual bars, strength); reason 1 is price, 2 timeout."""
    last = n_bars - 1
    q = len(t)
    formed = np.zeros(q, np.bool_)
    prior_bar = np.empty(q, np.int64)
    prov_y_bar = np.empty(q, np.int64)
    cancel = np.full(q, -1, np.int64)
    cancel_x_bar = np.full(q, -1, np.int64)
    cancel_y_bar = np.full(q, -1, np.int64)
    s_bar = np.full(q, -1, np.int64)
    div = np.full(q, -1, np.int64)
    y_new_bar = np.full(q, -1, np.int64)
    mss_bar = np.full(q, -1, np.int64)
    end_mss_bar = np.full(q, -1, np.int64)
    confirm = np.full(q, -1, np.int64)
    invalid = np.full(q, -1, np.int64)
    reason = np.zeros(q, np.int8)
    x_auto, x_manual, x_strength = x_swings
    m_auto, m_manual, m_strength = y_minor
    for i in range(q):
        prior_bar[i] = _window_argmax(y_hi, sign, j0[i], min(j0[i] + n, t[i]), n)
        prior = sign * y_hi[prior_bar[i]]
        prov_y_bar[i] = _window_argmax(y_hi, sign, t[i], t[i], n)
        if seek_one(y_hi, sign, small, large, j0[i] + 1, t[i], prior) >= 0:
            continue  # rule 3: Y traded above its prior level before the sweep
        formed[i] = True
        s, s_known = _first_from(x_auto, x_manual, x_strength, t[i])
        has_s = s_known <= last
        c = seek_one(y_hi, sign, small, large, t[i] + 1, s_known if has_s else last, prior)
        if c >= 0:
            # Rule 4: the provisional levels as of the cancel bar.
            cancel[i] = c
            cancel_x_bar[i] = _running_argmax(x_hi, sign, t[i], c)
            cancel_y_bar[i] = _window_argmax(y_hi, sign, cancel_x_bar[i], c, n)
            continue
        if not has_s:
            continue
        d = s_known
        div[i], s_bar[i] = d, s
        y_new_bar[i] = _window_argmax(y_hi, sign, s, min(s + n, d), n)
        mss_bar[i] = latest_swing_before(m_auto, m_manual, m_strength, y_new_bar[i], d)
        end = min(d + timeout, last)
        inv = seek_one(y_hi, sign, small, large, d + 1, end, sign * y_hi[y_new_bar[i]])
        # Same bar: the price invalidation is checked before the MSS (rule 5).
        conf = first_shift(
            y_cl, y_lo, sign, y_minor, y_new_bar[i], d + 1, inv - 1 if inv >= 0 else end
        )
        if conf >= 0:
            confirm[i] = conf
        elif inv >= 0:
            invalid[i], reason[i] = inv, 1
        elif d + timeout <= last:
            invalid[i], reason[i] = d + timeout, 2
        ended = max(confirm[i], invalid[i])
        if ended >= 0:
            end_mss_bar[i] = latest_swing_before(m_auto, m_manual, m_strength, y_new_bar[i], ended)
    return (
        formed,
        prior_bar,
        prov_y_bar,
        cancel,
        cancel_x_bar,
        cancel_y_bar,
        s_bar,
        div,
        y_new_bar,
        mss_bar,
        end_mss_bar,
        confirm,
        invalid,
        reason,
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
    seek: TableSeek | ScanSeek,
) -> Outcome:
    """Rules 2–5 for candidate sweeps (X's swing ``j0`` swept at ``t``) given ``n_bars`` bars.

    ``y_minor_lows`` are Y's minor swing lows in this direction's terms. On each bar
    after the divergence the MSS level is read from the minor swings known at that bar
    (a swing just before Y's new level may become known only after the divergence bar);
    ``mss_bar`` is the one known at the divergence bar, ``end_mss_bar`` the one at the
    confirming or invalidating bar.
    """
    j0 = np.asarray(j0, np.int64)
    t = np.asarray(t, np.int64)
    if not len(t):
        empty = np.empty(0, np.int64)
        return Outcome(
            empty, empty, np.empty(0, bool), *(empty for _ in range(12)), np.empty(0, str)
        )
    small, large = seek.tables(y)
    swings = (x_major.auto, x_major.manual, x_major.strength)
    minor = (y_minor_lows.auto, y_minor_lows.manual, y_minor_lows.strength)
    (
        formed,
        prior_bar,
        prov_y_bar,
        cancel,
        cancel_x_bar,
        cancel_y_bar,
        s,
        div,
        y_new_bar,
        mss_bar,
        end_mss_bar,
        confirm,
        invalid,
        code,
    ) = _resolve(
        x.hi,
        y.hi,
        y.lo,
        y.cl,
        y.sign,
        small,
        large,
        swings,
        minor,
        j0,
        t,
        n_bars,
        p.major,
        p.mss_timeout,
    )
    reason = np.where(code == 1, "price", np.where(code == 2, "timeout", ""))
    return Outcome(
        j0=j0,
        t=t,
        formed=formed,
        prior_bar=prior_bar,
        prov_y_bar=prov_y_bar,
        cancel=cancel,
        cancel_x_bar=cancel_x_bar,
        cancel_y_bar=cancel_y_bar,
        s=s,
        div=div,
        y_new_bar=y_new_bar,
        mss_bar=mss_bar,
        end_mss_bar=end_mss_bar,
        confirm=confirm,
        invalid=invalid,
        invalid_reason=reason,
    )
