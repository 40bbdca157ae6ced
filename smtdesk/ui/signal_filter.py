"""Which signals the sidebar lists: by kind, state and direction, ended ones hidden on request,
and how many each choice of a filter would list."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace

from smtdesk.core.signal import Signal, State

ENDED = frozenset({State.CANCELLED, State.INVALIDATED})
ANY = ""
"""The choice of a filter that lets every signal through."""


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
        return (
            (self.kind == ANY or kind_group(sig.kind) == self.kind)
            and (self.state == ANY or sig.state.value == self.state)
            and (self.direction == ANY or sig.direction.value == self.direction)
            and not (self.hide_ended and sig.state in ENDED)
        )

    def counts(self, signals: Iterable[Signal], field: str) -> Counter:
        """How many of ``signals`` each choice of ``field`` ("kind", "state" or
        "direction") would list, the other filters as they are; ANY counts them all."""
        others = replace(self, **{field: ANY})
        out: Counter = Counter()
        for sig in signals:
            if others.passes(sig):
                out[ANY] += 1
                out[_value(sig, field)] += 1
        return out


def _value(sig: Signal, field: str) -> str:
    if field == "kind":
        return kind_group(sig.kind)
    return sig.state.value if field == "state" else sig.direction.value
