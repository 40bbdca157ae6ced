"""The incremental side of every indicator: one state per indicator, one bar at a time.

A state knows the indicator after its last committed bar. ``update`` takes the next
closed candle and commits it. Until the indicator has produced its first value
the state keeps the few bars it has seen and reruns the vectorised kernel on them (at
most a warm-up's worth of bars), so warm-up values are the vectorised ones by
construction. From then on each subclass steps in O(1) or O(period) with the same
floating-point operations as its kernel.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from smtdesk.core.arrays import read_only
from smtdesk.core.indicators._common import Bar, check_bar


class IndicatorState(ABC):
    """Base of the per-indicator states; see the module docstring."""

    inputs: ClassVar[tuple[str, ...]]

    def __init__(self, **params: Any) -> None:
        self._params = params
        self._buffer: dict[str, npt.NDArray[np.float64]] = {k: read_only(np.empty(0)) for k in self.inputs}
        self._warm = False
        # Validates the parameters the way the vectorised function does.
        outputs, _ = self._kernel(self._buffer)
        self.value: Any = self._last(outputs, 0)

    @classmethod
    def from_history(cls, **arrays_and_params: Any) -> IndicatorState:
        """The state after the last bar of the given arrays (named like ``inputs``)."""
        arrays = {k: arrays_and_params.pop(k) for k in cls.inputs}
        state = cls(**arrays_and_params)
        outputs, warm = state._kernel(arrays)
        n = len(arrays[cls.inputs[0]])
        state.value = state._last(outputs, n)
        if warm is None:
            state._buffer = {k: read_only(np.asarray(v, dtype=np.float64)) for k, v in arrays.items()}
        else:
            state._load(warm)
            state._warm = True
        return state

    def update(self, bar: Bar) -> Any:
        """Commit the closed candle ``bar`` and return the indicator's values at it."""
        check_bar(bar, self.inputs)
        return self.commit_checked(bar)

    def commit_checked(self, bar: Bar) -> Any:
        """:meth:`update` for a bar the caller has already checked (a set checks once
        for all its indicators)."""
        if self._warm:
            self.value = self._step(bar)
            return self.value
        buffer = self._extended(bar)
        outputs, warm = self._kernel(buffer)
        self.value = self._last(outputs, len(buffer[self.inputs[0]]))
        if warm is None:
            self._buffer = buffer
        else:
            self._load(warm)
            self._warm = True
            self._buffer = {}
        return self.value



    def _extended(self, bar: Bar) -> dict[str, npt.NDArray[np.float64]]:
        return {k: read_only(np.append(self._buffer[k], getattr(bar, k))) for k in self.inputs}

    @abstractmethod
    def _kernel(self, arrays: dict[str, Any]) -> tuple[Any, Any]:
        """Vectorised outputs over ``arrays`` and the warm state after them (None if cold)."""

    @abstractmethod
    def _last(self, outputs: Any, n: int) -> Any:
        """The values at the last of ``n`` bars (NaN when ``n`` is 0)."""

    @abstractmethod
    def _load(self, warm: Any) -> None:
        """Take over the warm state returned by the kernel."""

    @abstractmethod
    def _step(self, bar: Bar) -> Any:
        """Values at ``bar`` from the warm state, which then moves on to it."""


def last_or_nan(arr: npt.NDArray[np.float64], n: int) -> float:
    return float(arr[n - 1]) if n else float("nan")

