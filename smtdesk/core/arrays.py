"""Array helpers for state kept bar by bar: read-only views and arrays that grow at the end."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def read_only(arr: npt.NDArray) -> npt.NDArray:
    """A read-only view of ``arr`` (the caller's array stays as it is).

    Candle columns are read-only, and numba compiles a read-only array as another type
    than a writable one: arrays handed to compiled kernels are read-only throughout, so
    one compiled version serves the full scan and the live bars.
    """
    view = arr.view()
    view.flags.writeable = False
    return view


class GrowingArray:
    """Rows appended at the end of an array whose capacity doubles when full, so a live
    update copies the history only now and then instead of on every append.

    :attr:`view` is the filled part: a writable, contiguous view that stays valid until
    the next append that needs more room.
    """

    __slots__ = ("_buf", "_n")

    def __init__(self, dtype: npt.DTypeLike, row_shape: tuple[int, ...] = ()) -> None:
        self._buf = np.empty((0, *row_shape), dtype)
        self._n = 0

    def __len__(self) -> int:
        return self._n

    @property
    def view(self) -> np.ndarray:
        return self._buf[: self._n]

    def extend(self, rows: npt.ArrayLike) -> None:
        rows = np.asarray(rows, self._buf.dtype)
        self.reserve(self._n + len(rows))
        self._buf[self._n : self._n + len(rows)] = rows
        self._n += len(rows)

    def append_rows(self, count: int) -> np.ndarray:
        """``count`` new rows at the end, unset, for the caller to fill in place."""
        self.reserve(self._n + count)
        self._n += count
        return self._buf[self._n - count : self._n]

    def reserve(self, n: int) -> None:
        if n > len(self._buf):
            bigger = np.empty((max(n, 2 * len(self._buf)), *self._buf.shape[1:]), self._buf.dtype)
            bigger[: self._n] = self._buf[: self._n]
            self._buf = bigger
