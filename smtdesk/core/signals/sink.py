"""Collecting one asset's one-shot signal events as blocks of rows (no records built)."""

from __future__ import annotations

import numpy as np

from smtdesk.core.signals.event_table import Block, EventTable
from smtdesk.core.signal import Direction, Signal, State


class Sink:
    """Events of one asset, added a detector's batch at a time, one :class:`Block` each."""

    def __init__(
        self, asset: str, timeframe: str, time: np.ndarray, *, kinds: frozenset[str] | None = None
    ) -> None:
        self.asset, self.timeframe, self.time = asset, timeframe, time
        self.kinds = kinds  # None: every kind
        self.blocks: list[Block] = []

    def add(
        self,
        kind: str,
        direction: Direction,
        bars,
        known=None,
        levels=None,
        reason: str = "",
        *,
        level_bars=None,
        id_bars=None,
        tags: frozenset[str] = frozenset(),
    ):
        """One event per bar in ``bars`` (known at ``known``, default the same bars).

        ``levels`` maps a level name to an array aligned with ``bars``; ``level_bars``
        maps some of those names to the bar each value comes from (the others come from
        the event's own bar). The id ends in the time of ``id_bars`` (default ``bars``).
        """
        if not len(bars) or (self.kinds is not None and kind not in self.kinds):
            return
        bars = np.asarray(bars, np.int64)
        levels = levels or {}
        level_bars = level_bars or {}
        unknown = set(level_bars) - set(levels)
        if unknown:
            raise ValueError(f"level_bars: no such level(s) {sorted(unknown)}")
        self.blocks.append(
            Block(
                kind=kind,
                direction=direction,
                state=State.TRIGGERED,
                assets=(self.asset,),
                prefix=f"{kind}:{direction.value}:{self.asset}:",
                ref=bars,
                known=bars if known is None else np.asarray(known, np.int64),
                names=tuple(levels),
                values=tuple(np.asarray(v, np.float64) for v in levels.values()),
                level_bars=tuple(
                    np.asarray(level_bars[name], np.int64) if name in level_bars else bars
                    for name in levels
                )
                if level_bars
                else None,
                id_bar=None if id_bars is None else np.asarray(id_bars, np.int64),
                reason=reason,
                tags=frozenset(tags),
            )
        )

    def table(self) -> EventTable:
        """Every event, ordered by known bar, referred bar, then id."""
        return EventTable.build(self.blocks, time=self.time, timeframe=self.timeframe)

    def signals(self) -> list[Signal]:
        return list(self.table())
