"""Signal events of one run kept as columns; a :class:`Signal` record is built when read.

A full scan of a long history finds hundreds of thousands of events, and building a
Python record for each costs far more than finding them. Detectors hand over their
events as :class:`Block` rows (one block per kind, direction, state and level layout),
:meth:`EventTable.build` puts them in stream order with one compiled sort, and the
table reads as a ``Sequence[Signal]``: indexing or iterating builds the records.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from types import MappingProxyType
from typing import overload

import numba
import numpy as np
import numpy.typing as npt

from smtdesk.core.signal import (
    Direction,
    Signal,
    State,
    TradePlan,
    bulk_build,
    signal_from_parts,
)

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]

STATE_ORDER = {s: i for i, s in enumerate(State)}
_NO_TAGS: frozenset[str] = frozenset()
_CHUNK = 4096  # records built per pause of the garbage collector while iterating


def _nan_once(x: float) -> float:
    # One NaN object for "no target": records compare fields by identity first, so
    # plans without a target still compare equal, as they did when built one by one.
    return math.nan if math.isnan(x) else x


@dataclass(frozen=True, slots=True)
class PlanColumns:
    """Trade plans of a block's rows; ``ok`` is False where the risk is undefined (no plan)."""

    ok: npt.NDArray[np.bool_]
    entry: Floats
    stop: Floats
    target: Floats
    reward_risk: Floats
    position_size: Floats
    fvg: npt.NDArray[np.bool_]  # entry at the displacement gap, else at the MSS retest

    def plan(self, direction: Direction, r: int) -> TradePlan | None:
        if not self.ok[r]:
            return None
        return TradePlan(
            direction=direction,
            entry=float(self.entry[r]),
            stop=float(self.stop[r]),
            target=_nan_once(float(self.target[r])),
            reward_risk=_nan_once(float(self.reward_risk[r])),
            position_size=float(self.position_size[r]),
            entry_reason="fvg" if self.fvg[r] else "mss retest",
        )


@dataclass(frozen=True, slots=True)
class Block:
    """Events sharing kind, direction, state, assets and level names; one row per event.

    ``ref`` and ``known`` are bars of the run's time axis (referred bar, bar it became
    known); the id is ``prefix`` + the open time of ``id_bar`` (None: the referred bar).
    Rows with their own ``id_bar`` must not share a prefix, referred bar and known bar
    (the stream order then needs no id to tell them apart). ``values[i]`` holds
    level ``names[i]`` of every row and ``level_bars[i]`` the bar it was read at (None:
    every level at the referred bar). Tags are ``tags`` for every row, or
    ``tag_set(tag_codes[r])`` per row when codes are given.
    """

    kind: str
    direction: Direction
    state: State
    assets: tuple[str, ...]
    prefix: str
    ref: Ints
    known: Ints
    names: tuple[str, ...] = ()
    values: tuple[Floats, ...] = ()
    level_bars: tuple[Ints, ...] | None = None
    id_bar: Ints | None = None
    reason: str = ""
    provisional: bool = False
    tags: frozenset[str] = _NO_TAGS
    tag_codes: Ints | None = None
    tag_set: Callable[[int], frozenset[str]] | None = None
    plans: PlanColumns | None = None

    def __len__(self) -> int:
        return len(self.ref)


class _Rows:
    """Rows ``lo`` up to ``hi`` of a block (default all) as Python lists, for building
    their records; :meth:`signal` takes the row's index in the block."""

    __slots__ = ("ids", "knowns", "levels", "lo", "plans", "refs", "tags", "times")

    def __init__(self, b: Block, time: Ints, lo: int = 0, hi: int | None = None) -> None:
        hi = len(b) if hi is None else hi
        self.lo = lo
        self.refs = time[b.ref[lo:hi]].tolist()
        self.knowns = time[b.known[lo:hi]].tolist()
        id_times = self.refs if b.id_bar is None else time[b.id_bar[lo:hi]].tolist()
        self.ids = [b.prefix + str(t) for t in id_times]
        names = b.names
        values = zip(*(v[lo:hi].tolist() for v in b.values)) if names else ((),) * (hi - lo)
        self.levels = [MappingProxyType(dict(zip(names, row))) for row in values]
        if b.level_bars is None:
            self.times = [MappingProxyType(dict.fromkeys(names, ref)) for ref in self.refs]
        else:
            rows = zip(*(time[bars[lo:hi]].tolist() for bars in b.level_bars))
            self.times = [MappingProxyType(dict(zip(names, row))) for row in rows]
        if b.tag_codes is None:
            self.tags = None
        else:
            self.tags = [b.tag_set(code) for code in b.tag_codes[lo:hi].tolist()]
        self.plans = (
            None if b.plans is None else [b.plans.plan(b.direction, r) for r in range(lo, hi)]
        )

    def signal(self, b: Block, r: int, timeframe: str) -> Signal:
        i = r - self.lo
        return signal_from_parts(
            self.ids[i],
            b.kind,
            b.direction,
            b.state,
            b.assets,
            timeframe,
            self.refs[i],
            self.knowns[i],
            self.levels[i],
            self.times[i],
            b.tags if self.tags is None else self.tags[i],
            None if self.plans is None else self.plans[i],
            b.reason,
            b.provisional,
        )


def records(blocks: Sequence[Block], *, time: Ints, timeframe: str) -> list[Signal]:
    """Every row of ``blocks`` as a record, block by block: for a live bar's handful of
    events, building them straight costs less than ordering them in a table first."""
    out: list[Signal] = []
    for b in blocks:
        if len(b):
            rows = _Rows(b, time)
            out += [rows.signal(b, r, timeframe) for r in range(len(b))]
    return out


@numba.njit(cache=True, nogil=True)
def _stream_order(known, ref, sizes, block_tie, ref_weight):
    """(block, row) of the rows of blocks of ``sizes`` rows (``known`` and ``ref``
    concatenated), sorted by known bar, then ``block_tie + ref * ref_weight``.

    A counting sort on the known bar over the bars present places each row with its
    tie-break key, then insertion sorts order the few rows known at each bar. Counters
    and positions are 32-bit: half the memory to touch.
    """
    n = len(known)
    lo, hi = known.min(), known.max()
    start = np.zeros(hi - lo + 2, np.int32)
    for k in known:
        start[k - lo + 1] += 1
    for k in range(hi - lo + 1):
        start[k + 1] += start[k]
    fill = start[:-1].copy()
    order = np.empty(n, np.int32)
    tie = np.empty(n, np.int64)
    owner = np.empty(n, np.int32)  # block of each concatenated row
    first = np.empty(len(sizes), np.int32)  # its first concatenated row
    i = 0
    for bi in range(len(sizes)):
        first[bi] = i
        for _ in range(sizes[bi]):
            p = fill[known[i] - lo]
            fill[known[i] - lo] = p + 1
            order[p], tie[p], owner[i] = i, block_tie[bi] + ref[i] * ref_weight, bi
            i += 1
    for k in range(hi - lo + 1):
        for j in range(start[k] + 1, start[k + 1]):
            t, o = tie[j], order[j]
            q = j - 1
            while q >= start[k] and tie[q] > t:
                tie[q + 1], order[q + 1] = tie[q], order[q]
                q -= 1
            tie[q + 1], order[q + 1] = t, o
    block = np.empty(n, np.int32)
    row = np.empty(n, np.int32)
    for j in range(n):
        bi = owner[order[j]]
        block[j], row[j] = bi, order[j] - first[bi]
    return block, row


class EventTable(Sequence[Signal]):
    """The events of a run in stream order, as a read-only sequence of :class:`Signal`.

    Records are built on each read (equal, not identical, on a second read). Compares
    equal to any sequence of the same records; ``+`` with a sequence gives a list.
    :attr:`known_time` and :attr:`ref_time` are the columns a filter needs without
    building records.
    """

    __slots__ = ("_block", "_blocks", "_row", "_time", "timeframe")

    def __init__(
        self, blocks: tuple[Block, ...], block: Ints, row: Ints, time: Ints, timeframe: str
    ) -> None:
        self.timeframe = timeframe
        self._time, self._blocks, self._block, self._row = time, blocks, block, row

    @classmethod
    def build(
        cls,
        blocks: Sequence[Block],
        *,
        time: Ints,
        timeframe: str,
        group: Sequence[int] | None = None,
    ) -> EventTable:
        """The non-empty ``blocks`` in stream order: known bar, ``group`` of the block
        (default 0), referred bar, id, state."""
        keep = [i for i, b in enumerate(blocks) if len(b)]
        blocks = tuple(blocks[i] for i in keep)
        if not blocks:
            return cls((), _NO_BARS, _NO_BARS, time, timeframe)
        groups = [0] * len(blocks) if group is None else [group[i] for i in keep]
        known = np.concatenate([b.known for b in blocks])
        ref = np.concatenate([b.ref for b in blocks])
        prefixes = sorted({b.prefix for b in blocks})
        if any(q.startswith(p) for p, q in pairwise(prefixes)):
            # One prefix starts another: their ids compare by the referred time's digits.
            sizes = [len(b) for b in blocks]
            block = np.repeat(np.arange(len(blocks)), sizes)
            row = np.arange(len(block)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
            id_bar = np.concatenate([b.ref if b.id_bar is None else b.id_bar for b in blocks])
            ids = [blocks[bi].prefix + str(t) for bi, t in zip(block.tolist(), time[id_bar].tolist())]
            state = [STATE_ORDER[blocks[bi].state] for bi in block.tolist()]
            group_of = [groups[bi] for bi in block.tolist()]
            keys = list(zip(known.tolist(), group_of, ref.tolist(), ids, state))
            order = np.array(sorted(range(len(block)), key=keys.__getitem__), np.int64)
            return cls(blocks, block[order], row[order], time, timeframe)
        # Ids with the same referred time order as their prefixes: the tie-break after the
        # known bar is (group, referred bar, prefix, state) as one integer.
        rank = {p: i for i, p in enumerate(prefixes)}
        n_ranks, n_states = len(prefixes), len(STATE_ORDER)
        block_tie = np.array(
            [
                ((g * len(time)) * n_ranks + rank[b.prefix]) * n_states + STATE_ORDER[b.state]
                for g, b in zip(groups, blocks)
            ],
            np.int64,
        )
        sizes = np.array([len(b) for b in blocks], np.int64)
        block, row = _stream_order(known, ref, sizes, block_tie, n_ranks * n_states)
        return cls(blocks, block, row, time, timeframe)

    # Sequence -----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._block)

    @overload
    def __getitem__(self, index: int) -> Signal: ...
    @overload
    def __getitem__(self, index: slice) -> EventTable: ...

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._subset(self._block[index], self._row[index])
        i = range(len(self))[index]  # negative indices, IndexError
        b = self._blocks[self._block[i]]
        r = int(self._row[i])
        return _Rows(b, self._time, r, r + 1).signal(b, r, self.timeframe)

    def __iter__(self) -> Iterator[Signal]:
        rows: dict[int, _Rows] = {}
        blocks, time, tf = self._blocks, self._time, self.timeframe
        # the rows of each block read here: a few picked from a long block build only those
        lo_of = np.full(len(blocks), np.iinfo(np.int64).max)
        hi_of = np.zeros(len(blocks), np.int64)
        np.minimum.at(lo_of, self._block, self._row)
        np.maximum.at(hi_of, self._block, self._row + 1)
        block, row = self._block.tolist(), self._row.tolist()
        for lo in range(0, len(block), _CHUNK):
            # Paused per chunk (see bulk_build), never while the caller runs.
            with bulk_build():
                chunk = []
                for bi, r in zip(block[lo : lo + _CHUNK], row[lo : lo + _CHUNK]):
                    b = blocks[bi]
                    cols = rows.get(bi)
                    if cols is None:
                        cols = rows[bi] = _Rows(b, time, int(lo_of[bi]), int(hi_of[bi]))
                    chunk.append(cols.signal(b, r, tf))
            yield from chunk

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, (str, bytes)):
            return NotImplemented
        return len(self) == len(other) and all(x == y for x, y in zip(self, other))

    __hash__ = None  # type: ignore[assignment]

    def __add__(self, other: Sequence[Signal]) -> list[Signal]:
        return [*self, *other]

    def __radd__(self, other: Sequence[Signal]) -> list[Signal]:
        return [*other, *self]

    def __repr__(self) -> str:
        return f"EventTable({len(self)} events, {self.timeframe})"

    # columns ------------------------------------------------------------------------------

    def _column(self, name: str) -> Ints:
        return self._times_of([getattr(b, name) for b in self._blocks])

    def _times_of(self, bars_of_blocks: list[Ints]) -> Ints:
        """Open time of one bar per event, from an array of bars per block."""
        if not len(self):
            return _NO_BARS
        bars = np.concatenate(bars_of_blocks)
        offset = np.cumsum([0] + [len(b) for b in self._blocks[:-1]])
        out = self._time[bars[offset[self._block] + self._row]]
        out.flags.writeable = False
        return out

    @property
    def id_time(self) -> Ints:
        """The time each event's id ends in (its prefix comes from its block)."""
        return self._times_of([b.ref if b.id_bar is None else b.id_bar for b in self._blocks])

    @property
    def known_time(self) -> Ints:
        """Open time of the bar each event became known."""
        return self._column("known")

    @property
    def ref_time(self) -> Ints:
        """Open time of the bar each event refers to."""
        return self._column("ref")

    def select(self, mask: npt.ArrayLike) -> EventTable:
        """The events where ``mask`` (one bool per event) is True, in order."""
        mask = np.asarray(mask, bool)
        return self._subset(self._block[mask], self._row[mask])

    def _subset(self, block: Ints, row: Ints) -> EventTable:
        return EventTable(self._blocks, block, row, self._time, self.timeframe)


_NO_BARS = np.empty(0, np.int64)
_NO_BARS.flags.writeable = False

Facets = tuple[str, State, Direction]
"""Kind, state and direction: what the sidebar's filters pick signals by."""


class LatestSignals(Mapping[str, Signal]):
    """The latest event of each signal id of an :class:`EventTable`, by id, in the order
    the ids first became known (as a dict filled event by event would keep them).

    A long history has tens of thousands of ids; their records are built only when read,
    and :meth:`tally` and :meth:`where` count and pick by kind, state and direction from
    the table's blocks without building any.
    """

    __slots__ = ("_by_prefix", "_key_rank", "_key_time", "_pos", "_rank_of_key", "_table")

    def __init__(self, table: EventTable) -> None:
        self._table = table
        blocks = table._blocks
        prefixes = sorted({b.prefix for b in blocks})
        rank_of = {p: i for i, p in enumerate(prefixes)}
        self._by_prefix = [(p, rank_of[p]) for p in sorted(prefixes, key=len, reverse=True)]
        n = len(table)
        rank = np.array([rank_of[b.prefix] for b in blocks], np.int64)[table._block] if n else _NO_BARS
        time = table.id_time
        # events of one id side by side, in stream order: the first and last of each run
        order = np.lexsort((np.arange(n), time, rank))
        rank, time = rank[order], time[order]
        starts = np.flatnonzero(np.r_[True, (rank[1:] != rank[:-1]) | (time[1:] != time[:-1])]) if n else _NO_BARS
        last = order[np.r_[starts[1:], n] - 1] if n else _NO_BARS
        by_first = np.argsort(order[starts], kind="stable")
        self._pos = last[by_first]  # latest event of each id, ids in order of first event
        self._key_rank, self._key_time = rank[starts], time[starts]  # ids sorted
        self._rank_of_key = np.empty_like(by_first)
        self._rank_of_key[by_first] = np.arange(len(by_first))

    def _rank(self, sig_id: str) -> int | None:
        """Where ``sig_id`` is in the order of ids (None: not an id of the table)."""
        for prefix, r in self._by_prefix:
            if sig_id.startswith(prefix):
                digits = sig_id[len(prefix):]
                if not digits.isdigit():
                    continue
                lo = int(np.searchsorted(self._key_rank, r, "left"))
                hi = int(np.searchsorted(self._key_rank, r, "right"))
                t = int(digits)
                k = lo + int(np.searchsorted(self._key_time[lo:hi], t))
                if k < hi and self._key_time[k] == t:
                    return int(self._rank_of_key[k])
        return None

    def __getitem__(self, sig_id: str) -> Signal:
        r = self._rank(sig_id) if isinstance(sig_id, str) else None
        if r is None:
            raise KeyError(sig_id)
        return self._table[int(self._pos[r])]

    def __contains__(self, sig_id: object) -> bool:
        return isinstance(sig_id, str) and self._rank(sig_id) is not None

    def __len__(self) -> int:
        return len(self._pos)

    def __iter__(self) -> Iterator[str]:
        t = self._table
        prefix = [b.prefix for b in t._blocks]
        block = t._block[self._pos].tolist()
        times = t.id_time[self._pos].tolist()
        return (prefix[b] + str(time) for b, time in zip(block, times))

    def values(self) -> list[Signal]:  # type: ignore[override]
        return self._records(self._pos)

    def items(self) -> list[tuple[str, Signal]]:  # type: ignore[override]
        return [(s.id, s) for s in self.values()]

    def _records(self, pos: Ints) -> list[Signal]:
        t = self._table
        return list(t._subset(t._block[pos], t._row[pos]))

    def tally(self) -> Counter[Facets]:
        """How many ids are in each (kind, state, direction)."""
        per_block = np.bincount(self._table._block[self._pos], minlength=len(self._table._blocks))
        out: Counter[Facets] = Counter()
        for b, n in zip(self._table._blocks, per_block.tolist()):
            if n:
                out[(b.kind, b.state, b.direction)] += n
        return out

    def where(self, keep: Callable[[str, State, Direction], bool], also: Iterable[str] = ()) -> list[Signal]:
        """The latest events whose kind, state and direction ``keep`` lets through, and
        those of the ids ``also``, in the order of ids."""
        blocks = self._table._blocks
        kept = np.array([keep(b.kind, b.state, b.direction) for b in blocks] or [False], bool)
        picked = kept[self._table._block[self._pos]] if len(blocks) else np.zeros(0, bool)
        for sig_id in also:
            r = self._rank(sig_id)
            if r is not None:
                picked[r] = True
        return self._records(self._pos[picked])


def tally(latest: Mapping[str, Signal]) -> Counter[Facets]:
    """:meth:`LatestSignals.tally` of any mapping of signals by id."""
    if isinstance(latest, LatestSignals):
        return latest.tally()
    return Counter((s.kind, s.state, s.direction) for s in latest.values())


def where(latest: Mapping[str, Signal], keep: Callable[[str, State, Direction], bool],
          also: Iterable[str] = ()) -> list[Signal]:
    """:meth:`LatestSignals.where` of any mapping of signals by id."""
    if isinstance(latest, LatestSignals):
        return latest.where(keep, also)
    also = set(also)
    return [s for s in latest.values() if s.id in also or keep(s.kind, s.state, s.direction)]
