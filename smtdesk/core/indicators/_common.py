"""Input checks and the array kernels every indicator shares.

The kernels are chosen so that a single bar can be recomputed with the very same
floating-point operations in plain Python: ``np.cumsum`` adds strictly left to right,
``lfilter`` evaluates a first-order recursion as ``b0*x + (1-w)*y``, and rolling
extremes are exact. That is what lets the incremental states agree bit for bit with
the vectorised functions.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from scipy.ndimage import maximum_filter1d, minimum_filter1d
from scipy.signal import lfilter

Array = npt.NDArray[np.float64]

# Above this window a C rolling filter beats one numpy pass per window offset.
_SHIFT_WINDOW_LIMIT = 24


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
            raise ValueError(f"{name}: expected {n} values like {names[0]}, got {len(arrays[name])}")
    return n


def check_bar(bar: Bar, fields: tuple[str, ...]) -> None:
    """ValueError naming the first field of ``bar`` that is not finite (or negative volume)."""
    for name in fields:
        value = getattr(bar, name)
        if not math.isfinite(value):
            raise ValueError(f"{name}: {value!r} is not a finite number")
    if "volume" in fields and bar.volume < 0:
        raise ValueError(f"volume: {bar.volume!r} is negative")


def nan_array(n: int) -> Array:
    return np.full(n, np.nan)


def frozen(*arrays: np.ndarray) -> None:
    for arr in arrays:
        arr.flags.writeable = False


def window_sums(prefix: Array, period: int) -> Array:
    """Sums over the last ``period`` values for every bar from ``period - 1`` on.

    ``prefix`` is ``np.cumsum`` of the values; the window ending at bar ``i`` is
    ``prefix[i] - prefix[i - period]`` (``prefix[-1]`` taken as 0).
    """
    out = np.empty(len(prefix) - period + 1)
    out[0] = prefix[period - 1]
    np.subtract(prefix[period:], prefix[:-period], out=out[1:])
    return out


def rolling_max(x: Array, period: int) -> Array:
    """Exact maximum of each full window, one value per bar from ``period - 1`` on."""
    m = len(x) - period + 1
    if period > _SHIFT_WINDOW_LIMIT:
        return maximum_filter1d(x, period, origin=(period - 1) // 2)[period - 1 :]
    out = x[:m].copy()
    for k in range(1, period):
        np.maximum(out, x[k : k + m], out=out)
    return out


def rolling_min(x: Array, period: int) -> Array:
    """Exact minimum of each full window, one value per bar from ``period - 1`` on."""
    m = len(x) - period + 1
    if period > _SHIFT_WINDOW_LIMIT:
        return minimum_filter1d(x, period, origin=(period - 1) // 2)[period - 1 :]
    out = x[:m].copy()
    for k in range(1, period):
        np.minimum(out, x[k : k + m], out=out)
    return out


def recursive_mean(x: Array, weight: float, seed: float) -> Array:
    """``y[i] = weight*x[i] + (1 - weight)*y[i-1]`` with ``y[-1] = seed``, in C.

    :func:`recursive_step` repeats one step of it with identical rounding.
    """
    if len(x) == 0:
        return np.empty(0)
    return lfilter([weight], [1.0, weight - 1.0], x, zi=[seed * (1.0 - weight)])[0]


def recursive_step(x: float, weight: float, previous: float) -> float:
    return weight * x + previous * (1.0 - weight)


def wilder_sum(x: Array, period: int, seed: float) -> Array:
    """Wilder's running sum ``y[i] = y[i-1] - y[i-1]/period + x[i]`` with ``y[-1] = seed``."""
    keep = 1.0 - 1.0 / period
    if len(x) == 0:
        return np.empty(0)
    return lfilter([1.0], [1.0, -keep], x, zi=[seed * keep])[0]


def wilder_sum_step(x: float, period: int, previous: float) -> float:
    return x + previous * (1.0 - 1.0 / period)
