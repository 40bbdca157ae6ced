"""The one record every signal is reported as (domain §7)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Mapping


class Direction(StrEnum):
    BULLISH = "bullish"
    BEARISH = "bearish"
    # Readings with no side (a Bollinger squeeze, positions closing, split whales).
    NEUTRAL = "neutral"


class State(StrEnum):
    FORMING = "forming"
    DIVERGENCE = "divergence"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    INVALIDATED = "invalidated"
    # One-shot readings (indicator crosses, overheat...) have a single state.
    TRIGGERED = "triggered"


@dataclass(frozen=True, slots=True)
class TradePlan:
    """Entry, stop and first target of a confirmed SMT signal."""

    direction: Direction
    entry: float
    stop: float
    target: float
    reward_risk: float
    position_size: float  # base units, from account size and risk per trade
    entry_reason: str  # "mss retest" or "fvg"


def _frozen_map(m: Mapping | None) -> Mapping:
    # A read-only proxy is already frozen; reusing it keeps building many events cheap.
    if type(m) is MappingProxyType:
        return m
    return MappingProxyType(dict(m or {}))


@dataclass(frozen=True, slots=True)
class Signal:
    """One event of one signal.

    ``id`` is stable across every state the signal passes through, so the UI raises
    an alert once per (id, state). ``levels`` and ``level_times`` are keyed by names
    such as ``"A.swept"`` or ``"B.prior"``; times are candle open times in ms.
    """

    id: str
    kind: str
    direction: Direction
    state: State
    assets: tuple[str, ...]
    timeframe: str
    ref_time: int
    known_time: int
    levels: Mapping[str, float] = field(default_factory=dict)
    level_times: Mapping[str, int] = field(default_factory=dict)
    tags: frozenset[str] = frozenset()
    plan: TradePlan | None = None
    reason: str = ""
    provisional: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "levels", _frozen_map(self.levels))
        object.__setattr__(self, "level_times", _frozen_map(self.level_times))
        object.__setattr__(self, "tags", frozenset(self.tags))


_new_object = object.__new__
# One slot setter per field, in field order. A field added to Signal makes this
# unpacking fail at import, so signal_from_parts cannot silently leave it unset.
(
    _set_id,
    _set_kind,
    _set_direction,
    _set_state,
    _set_assets,
    _set_timeframe,
    _set_ref_time,
    _set_known_time,
    _set_levels,
    _set_level_times,
    _set_tags,
    _set_plan,
    _set_reason,
    _set_provisional,
) = (Signal.__dict__[name].__set__ for name in Signal.__slots__)


def signal_from_parts(
    id: str,
    kind: str,
    direction: Direction,
    state: State,
    assets: tuple[str, ...],
    timeframe: str,
    ref_time: int,
    known_time: int,
    levels: MappingProxyType,
    level_times: MappingProxyType,
    tags: frozenset[str],
    plan: TradePlan | None,
    reason: str,
    provisional: bool,
    /,
) -> Signal:
    """The same :class:`Signal` as the constructor gives, from parts already frozen
    (read-only mappings, a frozenset), for building many events.

    Writing the slots directly skips the frozen dataclass's per-field ``__setattr__``
    and ``__post_init__``, most of the cost of each of the hundreds of thousands of
    events a long full-history scan builds.
    """
    sig = _new_object(Signal)
    _set_id(sig, id)
    _set_kind(sig, kind)
    _set_direction(sig, direction)
    _set_state(sig, state)
    _set_assets(sig, assets)
    _set_timeframe(sig, timeframe)
    _set_ref_time(sig, ref_time)
    _set_known_time(sig, known_time)
    _set_levels(sig, levels)
    _set_level_times(sig, level_times)
    _set_tags(sig, tags)
    _set_plan(sig, plan)
    _set_reason(sig, reason)
    _set_provisional(sig, provisional)
    return sig


@contextmanager
def bulk_build() -> Iterator[None]:
    """Hold off the cyclic garbage collector while many events are built.

    Events hold no reference cycles, yet every few hundred new objects trigger a
    collection that walks the growing heap; on a 100k-bar history that costs about as
    much as building the events. Collection resumes (if it was on) when the block ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
