"""Collecting one-shot signal events as arrays and building the Signal records at the end."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import repeat
from types import MappingProxyType

import numpy as np

from smtdesk.core.signal import Direction, Signal, State, bulk_build, signal_from_parts

_NO_TAGS: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Built:
    """A sink's events in the order their batches were added, with their sort keys.

    ``prefixes[batch[i]]`` is the id of event ``i`` without its referred time, so events
    of several sinks can be put in id order without comparing strings per event. The
    key arrays are made when asked for: a live bar's few events are sorted without them.
    """

    events: tuple[Signal, ...]
    batches: tuple[tuple, ...]  # as collected by the sink
    time: np.ndarray  # bar open times
    prefixes: tuple[str, ...]  # id prefix of each batch

    @property
    def known(self) -> np.ndarray:
        """Bar each event became known."""
        return np.concatenate([b[1] for b in self.batches]) if self.batches else _NO_BARS

    @property
    def bars(self) -> np.ndarray:
        """Bar each event refers to."""
        return np.concatenate([b[0] for b in self.batches]) if self.batches else _NO_BARS

    @property
    def known_time(self) -> np.ndarray:
        return self.time[self.known]

    @property
    def ref_time(self) -> np.ndarray:
        return self.time[self.bars]

    @property
    def batch(self) -> np.ndarray:
        """Batch of each event."""
        return np.repeat(np.arange(len(self.batches)), [len(b[0]) for b in self.batches])

    @property
    def labels(self) -> list[tuple[str, str]]:
        """(kind, direction) of each batch."""
        return [(b[2], b[3].value) for b in self.batches]


_NO_BARS = np.empty(0, np.int64)
_NO_BARS.flags.writeable = False
_NOTHING = Built((), (), _NO_BARS, ())


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

    def build(self) -> Built:
        """Every event, batch after batch, with the keys to order them."""
        if not self._batches:
            return _NOTHING  # most live bars
        asset, tf, time = self.asset, self.timeframe, self.time
        assets = (asset,)
        events: list[Signal] = []
        append = events.append
        prefixes = []
        with bulk_build():
            for bars, known, kind, direction, names, values, reason in self._batches:
                prefix = f"{kind}:{direction.value}:{asset}:"
                prefixes.append(prefix)
                refs = time[bars].tolist()
                rows = zip(*values) if names else repeat(())
                for ref, at, row in zip(refs, time[known].tolist(), rows):
                    append(
                        signal_from_parts(
                            prefix + str(ref),
                            kind,
                            direction,
                            State.TRIGGERED,
                            assets,
                            tf,
                            ref,
                            at,
                            MappingProxyType(dict(zip(names, row))),
                            MappingProxyType(dict.fromkeys(names, ref)),
                            _NO_TAGS,
                            None,
                            reason,
                            False,
                        )
                    )
        return Built(tuple(events), tuple(self._batches), time, tuple(prefixes))

    def signals(self) -> list[Signal]:
        if not self._batches:
            return []
        built = self.build()
        rank = {label: i for i, label in enumerate(sorted(set(built.labels)))}
        label = np.array([rank[b] for b in built.labels])[built.batch]
        order = np.lexsort((label, built.bars, built.known))
        events = built.events
        return [events[i] for i in order.tolist()]
