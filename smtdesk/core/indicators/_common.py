"""Input checks and the one-bar arithmetic every indicator shares.

The steps here are the operations of the compiled full-history loops
(:mod:`~smtdesk.core.indicators._kernels`) written for one bar, which is what lets the
incremental states agree bit for bit with the vectorised functions.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]


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


def as_array(name: str, values: npt.ArrayLike) -> Array:
    """A 1-D float64 array, for a compiled kernel that reports non-finite input itself
    (see :func:`require_finite`)."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D array, got shape {arr.shape}")
    return arr


def require_finite(probe: float, **arrays: Array) -> None:
    """ValueError naming the first of ``arrays`` with a NaN or infinity, when the
    kernel's ``probe`` says the input was not valid.

    A kernel's probe is 0 for valid input and NaN for a non-finite value or, in kernels
    that read volume, a negative volume: with every array finite, that is what is left.
    """
    if probe == 0.0:
        return
    for name, arr in arrays.items():
        if not np.isfinite(arr).all():
            raise ValueError(f"{name}: contains NaN or infinite values")
    raise ValueError("volume: contains negative values")


def check_inputs(**arrays: Array) -> None:
    """The checks a kernel's probe makes, for a history too short to run the kernel:
    ValueError naming the first array with a NaN or infinity, or a negative ``volume``."""
    for name, arr in arrays.items():
        if not np.isfinite(arr).all():
            raise ValueError(f"{name}: contains NaN or infinite values")
    volume = arrays.get("volume")
    if volume is not None and len(volume) and volume.min() < 0:
        raise ValueError("volume: contains negative values")


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


def recursive_step(x: float, weight: float, previous: float) -> float:
    return weight * x + previous * (1.0 - weight)


def wilder_sum_step(x: float, period: int, previous: float) -> float:
    return x + previous * (1.0 - 1.0 / period)
