"""Array helpers for state kept bar by bar: read-only views, arrays that grow at the end
and tables of such columns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Generic, TypeVar

import numpy as np
import numpy.typing as npt

T = TypeVar("T")


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

    def append(self, value) -> None:
        """One row at the end (a live bar's value: cheaper than :meth:`extend`)."""
        if self._n == len(self._buf):
            self.reserve(self._n + 1)
        self._buf[self._n] = value
        self._n += 1

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

    def detach(self) -> None:
        """Write later changes to a copy: views handed out before keep the rows they saw."""
        buf = np.empty_like(self._buf)  # the same room; only the rows written are copied
        buf[: self._n] = self._buf[: self._n]
        self._buf = buf


class ColumnTable(Generic[T]):
    """A frozen dataclass of equal-length columns kept in :class:`GrowingArray` columns.

    Rows are added at the end and earlier rows may be rewritten; :attr:`table` is the
    dataclass of read-only views, made again only after a change. A rewrite copies its
    column first, so a table handed out before keeps the values it had.
    """

    __slots__ = ("_cls", "_cols", "_copied", "_table")

    def __init__(self, table: T) -> None:
        self._cls = type(table)
        self._cols = {f.name: GrowingArray(getattr(table, f.name).dtype) for f in fields(table)}
        for name, col in self._cols.items():
            col.extend(getattr(table, name))
        self._table: T | None = table
        self._copied: set[str] = set()

    def __len__(self) -> int:
        return len(next(iter(self._cols.values())))

    def column(self, name: str) -> np.ndarray:
        """The filled part of a column, to read (rewrite it with :meth:`rewrite`)."""
        return self._cols[name].view

    def append(self, rows: Mapping[str, np.ndarray]) -> None:
        if len(rows[next(iter(self._cols))]):
            for name, col in self._cols.items():
                col.extend(rows[name])
            self._table = None

    def append_row(self, **values) -> None:
        """One row at the end, a value per column."""
        for name, col in self._cols.items():
            col.append(values[name])
        self._table = None

    def rewrite(self, name: str, at: npt.NDArray[np.int64], values: npt.ArrayLike) -> None:
        """Set rows ``at`` of column ``name`` to ``values``."""
        col = self._cols[name]
        if name not in self._copied:
            col.detach()
            self._copied.add(name)
        col.view[at] = values
        self._table = None

    @property
    def table(self) -> T:
        if self._table is None:
            self._table = self._cls(**{name: read_only(col.view) for name, col in self._cols.items()})
            self._copied.clear()
        return self._table
