"""What the worker tells the window, as data: what it is doing (the window words it,
``ui.status_text``), what it says, and the signal events it finds."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from smtdesk.core.signal import Signal
from smtdesk.data.alert_log import RaisedAlert


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
class Selection:
    """The venue, symbols and timeframe the worker serves."""

    venue: str
    symbols: tuple[str, str]
    timeframe: str


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
    serving: Selection | None = None
    """What the charts show (while another is checked, still the one before it)."""
    pending: Selection | None = None
    """A selection picked and being checked; None once it is served or refused."""
    offered: tuple[str, ...] = ()
    """The symbols the live source offers to pick from."""


class Level(StrEnum):
    INFO = "info"  # worth a line in the status bar, such as a venue without some data
    PROBLEM = "problem"  # worded for the user; the worker keeps what it already has
    REFUSED = "refused"  # a file the user gave was refused whole, every problem named


@dataclass(frozen=True, slots=True)
class Notice:
    text: str
    level: Level = Level.PROBLEM


@dataclass(frozen=True, slots=True)
class Events:
    """Signal events that became known from live candles, and those the alert policy
    raises (each (id, state) once ever, already kept in the alert history)."""

    signals: tuple[Signal, ...]
    alerts: tuple[RaisedAlert, ...] = ()
