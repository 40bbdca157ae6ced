"""Collecting one-shot signal events as rows and building the Signal records at the end."""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

from smtdesk.core.signal import Direction, Signal, State


class Sink:
    """Collects events as rows; builds the Signal records at the end."""

    def __init__(self, asset: str, timeframe: str, time: np.ndarray) -> None:
        self.asset, self.timeframe, self.time = asset, timeframe, time
        self.rows: list[tuple] = []

    def add(
        self, kind: str, direction: Direction, bars, known=None, levels=None, reason: str = ""
    ) -> None:
        """One event per bar in ``bars`` (known at ``known``, default the same bars);
        ``levels`` maps a level name to an array aligned with ``bars``."""
        if not len(bars):
            return
        bars = np.asarray(bars, np.int64).tolist()
        known = bars if known is None else np.asarray(known, np.int64).tolist()
        names = list(levels or {})
        values = [np.asarray(levels[n], np.float64).tolist() for n in names]
        for i, (b, k) in enumerate(zip(bars, known)):
            self.rows.append(
                (k, b, kind, direction, {n: v[i] for n, v in zip(names, values)}, reason)
            )

    def signals(self) -> list[Signal]:
        if not self.rows:
            return []
        asset, tf = self.asset, self.timeframe
        used = np.unique(np.array([r[0] for r in self.rows] + [r[1] for r in self.rows], np.int64))
        t = dict(zip(used.tolist(), self.time[used].tolist()))
        self.rows.sort(key=lambda r: (r[0], r[1], r[2], r[3].value))
        return [
            Signal(
                id=f"{kind}:{direction.value}:{asset}:{t[b]}",
                kind=kind,
                direction=direction,
                state=State.TRIGGERED,
                assets=(asset,),
                timeframe=tf,
                ref_time=t[b],
                known_time=t[k],
                levels=MappingProxyType(levels),
                level_times=MappingProxyType({n: t[b] for n in levels}),
                reason=reason,
            )
            for k, b, kind, direction, levels, reason in self.rows
        ]
