"""Input checks and the array kernels every indicator shares.

The kernels are chosen so that a single bar can be recomputed with the very same
floating-point operations in plain Python: ``np.cumsum`` adds strictly left to right,
``lfilter`` evaluates a first-order recursion as ``b0*x + (1-w)*y``, and rolling
extremes are exact. That is what lets the incremental states agree bit for bit with
the vectorised functions.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from scipy.signal import lfilter

Array = npt.NDArray[np.float64]

# Bars per block of the vectorised kernels (512 KiB per float array): the temporaries
# of a block stay in the CPU caches, only the outputs are full length.
BLOCK = 1 << 16
# Up to this window one pass per window offset beats doubling.
_SHIFTS_UP_TO = 16


class Bar(NamedTuple):
    """One candle as the incremental states read it."""

    high: float
    low: float
    close: float
    volume: float


def check_period(name: str, value: object, *, minimum: int = 1) -> int:
    """``value`` as an int, or ValueError naming ``name`` when it is not an int >= minimum."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name}: must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_positive(name: str, value: object) -> float:
    """``value`` as a finite float > 0, or ValueError naming ``name``."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{name}: must be a number, got {value!r}") from None
    if not math.isfinite(number) or number <= 0:
        raise ValueError(f"{name}: must be a finite number > 0, got {value!r}")
    return number


def as_series(name: str, values: npt.ArrayLike) -> Array:
    """A 1-D float64 array of finite values, or ValueError naming ``name``."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D array, got shape {arr.shape}")
    # One reduction is enough unless the sum itself overflowed or something is non-finite.
    if not math.isfinite(float(np.add.reduce(arr))) and not np.isfinite(arr).all():
        raise ValueError(f"{name}: contains NaN or infinite values")
    return arr


def as_volume(name: str, values: npt.ArrayLike) -> Array:
    """Like :func:`as_series`, and every value must be >= 0."""
    arr = as_series(name, values)
    if len(arr) and arr.min() < 0:
        raise ValueError(f"{name}: contains negative values")
    return arr


def same_length(**arrays: Array) -> int:
    """The common length of ``arrays``, or ValueError naming the first that differs."""
    names = list(arrays)
    n = len(arrays[names[0]])
    for name in names[1:]:
        if len(arrays[name]) != n:
            got = len(arrays[name])
            raise ValueError(f"{name}: expected {n} values like {names[0]}, got {got}")
    return n


def check_bar(bar: Bar, fields: tuple[str, ...]) -> None:
    """ValueError naming the first field of ``bar`` that is not finite (or negative volume)."""
    for name in fields:
        value = getattr(bar, name)
        if not math.isfinite(value):
            raise ValueError(f"{name}: {value!r} is not a finite number")
    if "volume" in fields and bar.volume < 0:
        raise ValueError(f"volume: {bar.volume!r} is negative")


def frozen(*arrays: np.ndarray) -> None:
    for arr in arrays:
        arr.flags.writeable = False


def blocks(start: int, stop: int) -> Iterator[tuple[int, int]]:
    """Consecutive ``[begin, end)`` bar ranges covering ``[start, stop)``.

    Long histories are processed a block at a time so every intermediate array stays
    in cache and only the outputs are full length; recursions and running totals carry
    their state from one block to the next with exactly the operations of one pass.
    """
    for begin in range(start, stop, BLOCK):
        yield begin, min(begin + BLOCK, stop)


class Recursion:
    """``y[i] = weight*x[i] + (1 - weight)*y[i-1]`` from ``y[-1] = seed``, run in C
    (``lfilter``) block after block; :func:`recursive_step` is one step of it with
    identical rounding."""

    __slots__ = ("_b", "_a", "_z", "last")

    def __init__(self, weight: float, seed: float) -> None:
        self._b = np.array([weight])
        self._a = np.array([1.0, weight - 1.0])
        self._z = np.array([seed * (1.0 - weight)])
        self.last = seed

    def run(self, x: Array) -> Array:
        if len(x) == 0:
            return np.empty(0)
        y, self._z = lfilter(self._b, self._a, x, zi=self._z)
        self.last = float(y[-1])
        return y


class WilderSum(Recursion):
    """Wilder's running sum ``y[i] = x[i] + (1 - 1/period)*y[i-1]`` from ``y[-1] = seed``;
    :func:`wilder_sum_step` is one step of it."""

    __slots__ = ()

    def __init__(self, period: int, seed: float) -> None:
        keep = 1.0 - 1.0 / period
        self._b = np.array([1.0])
        self._a = np.array([1.0, -keep])
        self._z = np.array([seed * keep])
        self.last = seed


def recursive_step(x: float, weight: float, previous: float) -> float:
    return weight * x + previous * (1.0 - weight)


def wilder_sum_step(x: float, period: int, previous: float) -> float:
    return x + previous * (1.0 - 1.0 / period)


class RunningWindow:
    """Sums over the last ``period`` values from running totals (a left-to-right
    ``cumsum``), continued block after block.

    ``tail`` holds the last ``period`` running totals; before the first value they are
    0, so the first full window is the running total itself. The incremental
    :class:`~smtdesk.core.indicators._window.PrefixRing` repeats it value by value.
    Two series can share one pass as the real and imaginary parts of complex values:
    complex addition is exact per part, so each part equals its own real ``cumsum``
    bit for bit, at the cost of one.
    """

    __slots__ = ("_period", "tail")

    def __init__(self, period: int, dtype: type = np.float64) -> None:
        self._period = period
        self.tail = np.zeros(period, dtype=dtype)

    def run(self, values: np.ndarray) -> np.ndarray:
        """Window sums of ``period`` values ending at each of ``values``."""
        return window(self.totals(values), self._period, self._period)

    def totals(self, values: np.ndarray) -> np.ndarray:
        """The running totals of ``values``, preceded by the ``period`` before them."""
        p, m = self._period, len(values)
        totals = np.empty(p + m, dtype=self.tail.dtype)
        totals[:p] = self.tail
        totals[p:] = values
        totals[p] += totals[p - 1]
        np.cumsum(totals[p:], out=totals[p:])
        self.tail = totals[m:]
        return totals


def window(totals: np.ndarray, period: int, lead: int) -> np.ndarray:
    """Sums of ``period`` values from running ``totals`` that start with ``lead`` earlier
    totals (``period <= lead``)."""
    m = len(totals) - lead
    return totals[lead:] - totals[lead - period : lead - period + m]


def paired(real: Array, imag: Array) -> npt.NDArray[np.complex128]:
    """Two series as one complex array, for one :class:`RunningWindow` pass."""
    out = np.empty(len(real), dtype=np.complex128)
    out.real = real
    out.imag = imag
    return out


def rolling_max(x: Array, period: int) -> Array:
    """Exact maximum of each full window, one value per bar from ``period - 1`` on."""
    return _rolling_extreme(x, period, np.maximum)


def rolling_min(x: Array, period: int) -> Array:
    """Exact minimum of each full window, one value per bar from ``period - 1`` on."""
    return _rolling_extreme(x, period, np.minimum)


def _rolling_extreme(x: Array, period: int, pick: np.ufunc) -> Array:
    m = len(x) - period + 1
    if period <= _SHIFTS_UP_TO:
        out = x[:m].copy()
        for k in range(1, period):
            pick(out, x[k : k + m], out=out)
        return out
    # Windows of 1, 2, 4, ... bars by doubling, then two overlapping power-of-two
    # windows cover any period: log2(period) passes instead of period.
    current, spare = x.copy(), np.empty_like(x)
    span = 1
    while span * 2 <= period:
        spare[:span] = current[:span]
        pick(current[span:], current[:-span], out=spare[span:])
        current, spare = spare, current
        span *= 2
    rest = period - span
    if rest:
        pick(current[rest:], current[:-rest], out=spare[rest:])
        current = spare
    return current[period - 1 :]
