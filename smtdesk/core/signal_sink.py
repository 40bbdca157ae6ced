"""Collecting one-shot signal events as arrays and building the Signal records at the end."""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

from smtdesk.core.signal import Direction, Signal, State


class Sink:
    """Events of one asset, added a detector's batch at a time, built once in order.

    Order: known bar, referred bar, kind, direction, the same for any ``start``, so a
    live update emits exactly the tail of a full scan.
    """

    def __init__(
        self, asset: str, timeframe: str, time: np.ndarray, *, kinds: frozenset[str] | None = None
    ) -> None:
        self.asset, self.timeframe, self.time = asset, timeframe, time
        self.kinds = kinds  # None: every kind
        self._batches: list[tuple] = []

    def add(self, kind: str, direction: Direction, bars, known=None, levels=None, reason: str = ""):
        """One event per bar in ``bars`` (known at ``known``, default the same bars);
        ``levels`` maps a level name to an array aligned with ``bars``."""
        if not len(bars) or (self.kinds is not None and kind not in self.kinds):
            return
        bars = np.asarray(bars, np.int64)
        known = bars if known is None else np.asarray(known, np.int64)
        names = tuple(levels or ())
        values = [np.asarray(levels[n], np.float64).tolist() for n in names]
        self._batches.append((bars, known, kind, direction, names, values, reason))

    def signals(self) -> list[Signal]:
        if not self._batches:
            return []
        labels = sorted({(b[2], b[3].value) for b in self._batches})
        rank = {label: i for i, label in enumerate(labels)}
        bars = np.concatenate([b[0] for b in self._batches])
        known = np.concatenate([b[1] for b in self._batches])
        label = np.concatenate(
            [np.full(len(b[0]), rank[(b[2], b[3].value)]) for b in self._batches]
        )
        batch = np.concatenate([np.full(len(b[0]), i) for i, b in enumerate(self._batches)])
        row = np.concatenate([np.arange(len(b[0])) for b in self._batches])
        order = np.lexsort((label, bars, known))
        ref_times = self.time[bars[order]].tolist()
        known_times = self.time[known[order]].tolist()
        asset, tf, batches = self.asset, self.timeframe, self._batches
        prefix = [f"{b[2]}:{b[3].value}:{asset}:" for b in batches]
        out = []
        for ref, at, bi, i in zip(
            ref_times, known_times, batch[order].tolist(), row[order].tolist()
        ):
            _, _, kind, direction, names, values, reason = batches[bi]
            out.append(
                Signal(
                    id=prefix[bi] + str(ref),
                    kind=kind,
                    direction=direction,
                    state=State.TRIGGERED,
                    assets=(asset,),
                    timeframe=tf,
                    ref_time=ref,
                    known_time=at,
                    levels=MappingProxyType({n: v[i] for n, v in zip(names, values)}),
                    level_times=MappingProxyType(dict.fromkeys(names, ref)),
                    reason=reason,
                )
            )
        return out
