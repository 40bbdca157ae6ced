"""Columns grown a row at a time, and tables of them handed out while they grow."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from smtdesk.core.arrays import ColumnTable, GrowingArray


def test_appended_rows_grow_past_the_room_and_keep_every_value():
    col = GrowingArray(np.int64)
    seen = []
    for v in range(100):
        col.append(v)
        seen.append(col.view)
    assert col.view.tolist() == list(range(100))
    # a view taken earlier holds the rows of its time, whether or not the room grew since
    assert [len(v) for v in seen] == list(range(1, 101))
    assert all(v.tolist() == list(range(len(v))) for v in seen)


@dataclass(frozen=True, slots=True)
class _Items:
    bar: np.ndarray
    ended: np.ndarray


def test_tables_handed_out_keep_their_rows_while_later_ones_grow_and_change():
    table = ColumnTable(_Items(np.array([0, 1]), np.array([-1, -1])))
    first = table.table
    assert table.table is first, "made again only after a change"
    handed = [first]
    for k in range(2, 60):
        table.append_row(bar=k, ended=-1)
        if k % 3 == 0:
            table.append({"bar": np.array([k, k]), "ended": np.array([-1, -1])})
        rows = np.array([len(table) - 3, 0]) if k % 4 == 0 else np.empty(0, np.int64)
        if len(rows):
            table.rewrite("ended", rows, [k, k])
        handed.append(table.table)
    for t in handed[1:]:  # the first is the table given, as it was given
        assert not t.bar.flags.writeable and not t.ended.flags.writeable
        with pytest.raises(ValueError):
            t.ended[0] = 5
    # each table handed out has the rows and values of its time, worked out by a replay
    bars, ended = [0, 1], [-1, -1]
    assert handed[0].bar.tolist() == bars and handed[0].ended.tolist() == ended
    for k, t in zip(range(2, 60), handed[1:]):
        bars.append(k)
        ended.append(-1)
        if k % 3 == 0:
            bars += [k, k]
            ended += [-1, -1]
        if k % 4 == 0:
            ended[len(bars) - 3] = ended[0] = k
        assert t.bar.tolist() == bars and t.ended.tolist() == ended, k
    assert len(table) == len(bars) > 60
