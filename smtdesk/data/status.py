"""What the worker is doing, as data: the window words it (``ui.status_text``)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Phase(StrEnum):
    CHECKING = "checking"  # a picked selection, before it replaces the one shown
    CONNECTING = "connecting"
    LOADING = "loading"  # a history
    ANALYSING = "analysing"  # a history taking long; ``compiling`` while the loops compile
    CACHED = "cached"  # cached candles shown, connecting for the rest
    FETCHING = "fetching"  # missing candles, per symbol or as a percentage
    LIVE = "live"
    NO_LIVE = "no live data"  # a source without a live stream (imported candles)
    OFFLINE = "offline"  # not answering; trying again at ``resume_at``
    FINISHED = "replay finished"
    STOPPED = "stopped"
    NOTE = "note"  # a source's own word on a retry or a gap, in ``reason``


@dataclass(frozen=True, slots=True)
class Status:
    source: str
    """The label of the source the status is about."""
    phase: Phase
    what: str = ""
    """The selection or series concerned ("BTC/USDT:USDT / ETH/USDT:USDT 1h")."""
    count: int | None = None
    """Candles shown (cached or imported)."""
    percent: int | None = None
    resume_at: int | None = None
    """When the next try starts, epoch ms."""
    cached: bool = False
    """Offline with the cached candles on screen."""
    built_from: str = ""
    """The shorter timeframe a shown one is built from."""
    compiling: bool = False
    """Analysing slowly because the analysis loops are being compiled (the first start)."""
    reason: str = ""
