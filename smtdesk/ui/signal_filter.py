"""Which signals the sidebar lists: by kind, state and direction, ended ones hidden on request,
and how many each choice of a filter would list."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

from smtdesk.core.signal import Direction, Signal, State
from smtdesk.core.signals.event_table import Facets

ENDED = frozenset({State.CANCELLED, State.INVALIDATED})
ANY = ""
"""The choice of a filter that lets every signal through."""


@lru_cache(maxsize=256)
def kind_group(kind: str) -> str:
    """The family a signal kind is listed under in the kind filter."""
    if kind == "smt":
        return "SMT"
    if kind.endswith("_divergence"):
        return "Divergences"
    head = kind.split("_", 1)[0]
    return {"bb": "Bollinger", "ma": "MA crosses", "oi": "Open interest"}.get(head, head.upper() if len(head) <= 4 else head.capitalize())


@dataclass(frozen=True, slots=True)
class SignalFilter:
    kind: str = "SMT"
    """A :func:`kind_group`, or ANY."""
    state: str = ANY
    """A :class:`State` value, or ANY."""
    direction: str = ANY
    """A :class:`Direction` value, or ANY."""
    hide_ended: bool = True

    def passes(self, sig: Signal) -> bool:
        return self.keeps(sig.kind, sig.state, sig.direction)

    def keeps(self, kind: str, state: State, direction: Direction) -> bool:
        """:meth:`passes` for a signal of this kind, state and direction."""
        return self._passes(_facets_of(kind, state, direction))

    def _passes(self, facets: tuple[str, str, str, bool]) -> bool:
        kind, state, direction, ended = facets
        return ((self.kind == ANY or kind == self.kind) and (self.state == ANY or state == self.state)
                and (self.direction == ANY or direction == self.direction)
                and not (self.hide_ended and ended))

    def counts(self, tally: Mapping[Facets, int]) -> dict[str, Counter]:
        """For each field ("kind", "state", "direction"): how many of the signals counted
        in ``tally`` (by kind, state and direction) each of its choices would list, the
        other filters as they are; ANY counts them all."""
        joint: Counter = Counter()
        for facets, n in tally.items():
            joint[_facets_of(*facets)] += n
        out: dict[str, Counter] = {}
        for i, field in enumerate(("kind", "state", "direction")):
            others = replace(self, **{field: ANY})
            counted: Counter = Counter()
            for facets, n in joint.items():
                if others._passes(facets):
                    counted[ANY] += n
                    counted[facets[i]] += n
            out[field] = counted
        return out


@lru_cache(maxsize=1024)
def _facets_of(kind: str, state: State, direction) -> tuple[str, str, str, bool]:
    # tens of thousands of signals share a few dozen of these: an enum's value is slow to read
    return kind_group(kind), state.value, direction.value, state in ENDED
