"""What every market data source offers the worker."""

from __future__ import annotations

from dataclasses import dataclass
from typing import AsyncIterator, Protocol

from smtdesk.core.candles import Candles


@dataclass(frozen=True, slots=True)
class CandleUpdate:
    """New or changed candles of one series from a live stream.

    ``closed`` is False when the last candle is still forming: it may change and is
    never stored as closed.
    """

    symbol: str
    timeframe: str
    candles: Candles
    closed: bool = True


LIVE = "live"
"""Streams live candles after the history (:meth:`Source.stream`)."""
MARKETS = "markets"
"""Lists its markets once connected (an exchange); without it, ``symbols`` lists them."""
HISTORY_SINCE = "history since"
"""Serves candles since a given time, so a local cache can be kept and topped up."""
DERIVATIVES = "derivatives"
"""Funding, open interest and long/short ratio histories."""
LIQUIDATIONS = "liquidations"
"""A live stream of public liquidation events."""


class Source(Protocol):
    """A market data source: a history, then live updates.

    ``capabilities`` says what more it offers (:data:`LIVE`, :data:`MARKETS`,
    :data:`HISTORY_SINCE`, :data:`DERIVATIVES`, :data:`LIQUIDATIONS`); the worker asks for
    nothing else, and calls :meth:`stream` only on a source with :data:`LIVE`.
    """

    name: str
    label: str  # shown in the status bar
    timeframes: tuple[str, ...]  # served as such; others are built from these
    capabilities: frozenset[str]

    async def check_symbol(self, symbol: str) -> None: ...

    async def history(self, symbol: str, timeframe: str) -> Candles: ...

    def stream(self, symbols: tuple[str, ...], timeframe: str) -> AsyncIterator[CandleUpdate]: ...

    async def close(self) -> None: ...
