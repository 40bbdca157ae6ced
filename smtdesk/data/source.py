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


class Source(Protocol):
    """A market data source: a history, then live updates."""

    name: str
    label: str  # shown in the status bar
    timeframes: tuple[str, ...]  # served as such; others are built from these

    async def check_symbol(self, symbol: str) -> None: ...

    async def history(self, symbol: str, timeframe: str) -> Candles: ...

    def stream(self, symbols: tuple[str, ...], timeframe: str) -> AsyncIterator[CandleUpdate]: ...

    async def close(self) -> None: ...
