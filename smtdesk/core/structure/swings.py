"""Swing highs and lows of strength n (domain §4)."""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import numpy.typing as npt

from smtdesk.core.arrays import read_only
from smtdesk.core.structure.shift import latest_swing_before


@dataclass(frozen=True, slots=True)
class Swings:
    """Confirmed swing points as ascending indices into the input arrays.

    A swing at bar ``i`` is known when bar ``i + strength`` closes.
    """

    high_idx: npt.NDArray[np.int64]
    low_idx: npt.NDArray[np.int64]
    strength: int

    def known_at(self, idx: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """Bar index at which each swing in ``idx`` became known."""
        return idx + self.strength


@numba.njit(cache=True, nogil=True)
def _pivots_among(values, strength, sign, candidates):
    """The bars of ``candidates`` that are swings of ``strength``: a swing of some strength
    is one of every lower strength, so a stronger one is looked for only among those."""
    n = strength
    found = np.empty(len(candidates), np.int64)
    count = 0
    for i in candidates:
        if i < n or i >= len(values) - n:
            continue
        v = sign * values[i]
        # Strictly above the bars before, not below the bars after: of two equal highs
        # only the first is the swing, so a double top is one liquidity level. A NaN
        # anywhere in the window fails every comparison. No early exit: a branch per
        # comparison costs more than the comparisons.
        ok = True
        for j in range(i - n, i):
            ok &= v > sign * values[j]
        for j in range(i + 1, i + n + 1):
            ok &= v >= sign * values[j]
        found[count] = i
        count += ok
    return found[:count].copy()


def _pivots(values: np.ndarray, strength: int, sign: float) -> npt.NDArray[np.int64]:
    # sign=+1 finds highs; lows are highs of the negated series. Every swing is above
    # its neighbours (strength 1): that array test leaves a third of the bars to check.
    values = np.ascontiguousarray(values, np.float64)
    centre = values[1:-1]
    if sign > 0:
        local = (centre > values[:-2]) & (centre >= values[2:])
    else:
        local = (centre < values[:-2]) & (centre <= values[2:])
    idx = _pivots_among(values, strength, float(sign), np.flatnonzero(local) + 1)
    idx.flags.writeable = False
    return idx


def find_swings(high: npt.ArrayLike, low: npt.ArrayLike, *, strength: int = 5) -> Swings:
    """Swing highs and lows of ``strength`` bars each side.

    Bar ``i`` is a swing high when ``high[i]`` is greater than each of the ``strength``
    highs before it and not less than any of the ``strength`` highs after it; lows
    mirrored. Bars without ``strength`` bars on both sides are never swings, so the
    result for bars ``[:k]`` is exactly the swings of the full series known by bar k.
    """
    if strength < 1:
        raise ValueError(f"strength: must be at least 1, got {strength}")
    high = np.asarray(high, dtype=np.float64)
    low = np.asarray(low, dtype=np.float64)
    return Swings(_pivots(high, strength, 1.0), _pivots(low, strength, -1.0), strength)


def find_swing_sets(
    high: npt.ArrayLike, low: npt.ArrayLike, *, strengths: tuple[int, ...]
) -> tuple[Swings, ...]:
    """:func:`find_swings` for each of ``strengths`` (e.g. major and minor), sharing the
    work: the bars are scanned once, for the lowest strength."""
    if min(strengths) < 1:
        raise ValueError(f"strengths: must be at least 1, got {strengths}")
    high = np.ascontiguousarray(high, dtype=np.float64)
    low = np.ascontiguousarray(low, dtype=np.float64)
    found: dict[int, Swings] = {}
    below = None
    for strength in sorted(set(strengths)):
        if below is None:
            hi, lo = _pivots(high, strength, 1.0), _pivots(low, strength, -1.0)
        else:
            hi = _pivots_among(high, strength, 1.0, below.high_idx)
            lo = _pivots_among(low, strength, -1.0, below.low_idx)
        hi.flags.writeable = lo.flags.writeable = False
        below = found[strength] = Swings(hi, lo, strength)
    return tuple(found[s] for s in strengths)


def pivots_in(
    values: npt.ArrayLike, *, strength: int, start: int, sign: float = 1.0
) -> npt.NDArray[np.int64]:
    """Swing bars of ``values`` (highs for ``sign=+1``, lows for ``-1``) known at bars ``>= start``.

    Looks only at the tail ``values[start - 2 * strength:]``, so a live update costs
    the number of new bars, not the length of the history.
    """
    values = np.asarray(values, dtype=np.float64)
    n = strength
    first = max(0, start - 2 * n)
    if len(values) - start <= 2:
        # One or two new bars: a couple of float comparisons beat array set-up. Each
        # neighbour is compared on its own, as the compiled loop does, so a NaN in the
        # window fails the test here too (a max() of floats with a NaN depends on order).
        out = []
        tail = values[first:].tolist()
        for centre in range(max(start - n, n) - first, len(tail) - n):
            v = tail[centre]
            before, after = tail[centre - n : centre], tail[centre + 1 : centre + n + 1]
            if sign > 0:
                ok = all(v > x for x in before) and all(v >= x for x in after)
            else:  # -v > -x is v < x exactly: negating a float is exact
                ok = all(v < x for x in before) and all(v <= x for x in after)
            if ok:
                out.append(centre + first)
        return np.array(out, np.int64) if out else _NO_BARS
    return _pivots(values[first:], n, sign) + first


@dataclass(frozen=True, slots=True)
class ManualSwing:
    """A swing the user placed by hand on the bar opening at ``time`` (domain §8).

    It sits at that bar's high (``kind="high"``) or low and is confirmed at the bar
    itself: it needs no look-back wait.
    """

    time: int
    kind: str  # "high" or "low"

    def __post_init__(self) -> None:
        _check_kind(self.kind)


@dataclass(frozen=True, slots=True)
class SuppressedSwing:
    """An automatic swing the user deleted: the bar opening at ``time`` is no swing
    ``kind`` of any strength, for the charts, the SMT engine and MSS alike."""

    time: int
    kind: str  # "high" or "low"

    def __post_init__(self) -> None:
        _check_kind(self.kind)


def _check_kind(kind: str) -> None:
    if kind not in ("high", "low"):
        raise ValueError(f"kind: expected 'high' or 'low', got {kind!r}")


class SwingSet:
    """Swings of one kind on one series: automatic ones of a given strength plus manual ones.

    An automatic swing at bar ``i`` is known at ``i + strength``; a manual swing is known at
    its own bar and replaces an automatic swing on the same bar; a ``suppressed`` bar holds
    no automatic swing. Bars are ascending int64 arrays; the set only grows (``extend``),
    so answers about bars already seen never change.
    """

    __slots__ = ("strength", "auto", "manual", "_dropped")

    def __init__(self, auto: npt.ArrayLike, manual: npt.ArrayLike, *, strength: int,
                 suppressed: npt.ArrayLike = ()) -> None:
        self.strength = strength
        self.manual = read_only(np.unique(np.asarray(manual, dtype=np.int64)))
        # bars where no automatic swing counts: a manual one replaces it, or it was deleted
        self._dropped = np.union1d(self.manual, np.asarray(suppressed, dtype=np.int64))
        self.auto = read_only(self._kept(np.asarray(auto, dtype=np.int64)))

    def _kept(self, auto: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        return auto[~np.isin(auto, self._dropped)] if len(self._dropped) else auto

    def add_manual(self, bars: npt.ArrayLike, suppressed: npt.ArrayLike = ()) -> None:
        """Add manual swings (and suppressed bars) on bars not yet seen, so no automatic
        swing is known there yet."""
        bars = np.asarray(bars, dtype=np.int64)
        if len(bars):
            self.manual = read_only(np.union1d(self.manual, bars))
        self._dropped = np.union1d(self._dropped, np.concatenate([bars, np.asarray(suppressed, np.int64)]))

    def extend(self, auto: npt.ArrayLike) -> None:
        """Append newly known automatic swings (bars after every bar already held)."""
        auto = self._kept(np.asarray(auto, dtype=np.int64))
        if len(auto):
            self.auto = read_only(np.concatenate([self.auto, auto]))

    def known_by(self, k: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """(bar, known) of every swing known by bar ``k``, sorted by known bar then bar."""
        auto = self.auto[self.auto + self.strength <= k]
        manual = self.manual[self.manual <= k]
        bar = np.concatenate([auto, manual])
        known = np.concatenate([auto + self.strength, manual])
        order = np.lexsort((bar, known))
        return bar[order], known[order]

    def by_bar(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """(bar, known) of every swing held, ascending by bar."""
        if not len(self.manual):
            return self.auto, self.auto + self.strength
        bar = np.concatenate([self.auto, self.manual])
        known = np.concatenate([self.auto + self.strength, self.manual])
        order = np.argsort(bar, kind="stable")
        return bar[order], known[order]

    def known_between(
        self, lo: int, hi: int
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """(bar, known) of the swings that became known at bars ``lo .. hi``, by known bar."""
        # Asked bar by bar while live, where the answer is nearly always empty.
        if (not len(self.auto) or self.auto[-1] < lo - self.strength) and (
            not len(self.manual) or self.manual[-1] < lo
        ):
            return _NO_BARS, _NO_BARS
        a0 = np.searchsorted(self.auto, lo - self.strength)
        a1 = np.searchsorted(self.auto, hi - self.strength, side="right")
        auto = self.auto[a0:a1]
        if not len(self.manual):
            return auto, auto + self.strength
        manual = self.manual[
            np.searchsorted(self.manual, lo) : np.searchsorted(self.manual, hi, side="right")
        ]
        if not len(manual):
            return auto, auto + self.strength
        bar = np.concatenate([auto, manual])
        known = np.concatenate([auto + self.strength, manual])
        order = np.lexsort((bar, known))
        return bar[order], known[order]

    def known_at(self, k: int) -> npt.NDArray[np.int64]:
        """Bars of the swings that become known exactly at bar ``k``, ascending."""
        j = k - self.strength
        # Asked bar by bar while live, where the answer is nearly always empty.
        if (not len(self.auto) or self.auto[-1] < j) and (
            not len(self.manual) or self.manual[-1] < k
        ):
            return _NO_BARS
        auto = self.auto[np.searchsorted(self.auto, j) :]
        auto = auto[auto == j]
        manual = self.manual[np.searchsorted(self.manual, k) :]
        return np.concatenate([auto, manual[manual == k]])

    def latest_before(self, limit: npt.ArrayLike, known_by: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """For each pair: the latest swing bar < ``limit`` known by bar ``known_by``; -1 if none."""
        limit, known_by = np.broadcast_arrays(np.asarray(limit, np.int64), np.asarray(known_by, np.int64))
        return _latest_each(self.auto, self.manual, self.strength, limit.ravel(), known_by.ravel()).reshape(limit.shape)


@numba.njit(cache=True, nogil=True)
def _latest_each(auto, manual, strength, limit, known_by):
    out = np.empty(len(limit), np.int64)
    for i in range(len(limit)):
        out[i] = latest_swing_before(auto, manual, strength, limit[i], known_by[i])
    return out


_NO_BARS = np.empty(0, np.int64)
_NO_BARS.flags.writeable = False
