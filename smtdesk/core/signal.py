"""The one record every signal is reported as (domain §7)."""

from __future__ import annotations

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

    @property
    def is_final(self) -> bool:
        return self in (State.CONFIRMED, State.CANCELLED, State.INVALIDATED, State.TRIGGERED)


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

    @property
    def alert_key(self) -> tuple[str, State]:
        return (self.id, self.state)
