"""The exchange venues offered, and their sources made without waiting for ccxt.

Importing ccxt takes seconds (longer than the window takes to show its candles), so the
app's exchange sources make their ccxt client when the venue is first asked, on a thread,
while the window shows the cached candles or the demo.
"""

from __future__ import annotations

import asyncio

from smtdesk.core.candles import TIMEFRAMES
from smtdesk.data.source import DERIVATIVES, HISTORY_SINCE, LIQUIDATIONS, LIVE, MARKETS

VENUES = {
    "binanceusdm": "Binance USD-M",
    "bybit": "Bybit",
    "okx": "OKX",
    "htx": "HTX",
    "gate": "Gate",
}
DEFAULT_VENUE = "binanceusdm"


def _exchange_source(venue: str):
    from smtdesk.data.exchange import ExchangeSource

    return ExchangeSource(venue)


class DeferredExchange:
    """An :class:`~smtdesk.data.exchange.ExchangeSource` made on first use.

    Until the venue is first asked (its market list, the first request the worker makes)
    it answers what needs no client: its name, label, capabilities and timeframes (every
    venue offered serves all the charts' timeframes). After that every attribute is the
    exchange source's.
    """

    capabilities = frozenset({LIVE, MARKETS, HISTORY_SINCE, DERIVATIVES, LIQUIDATIONS})
    timeframes = TIMEFRAMES

    def __init__(self, venue: str) -> None:
        self.name, self.label = venue, VENUES[venue]
        self._source = None
        self._making: asyncio.Future | None = None
        self._callbacks = {"on_status": None, "on_problem": None}

    def __getattr__(self, name: str):
        if name in ("on_status", "on_problem"):
            return self._callbacks[name]
        if self._source is None:
            raise AttributeError(f"{name} of {self.label} before it was first asked")
        return getattr(self._source, name)

    def __setattr__(self, name: str, value) -> None:
        if name in ("on_status", "on_problem"):
            self._callbacks[name] = value
            if self._source is not None:
                setattr(self._source, name, value)
        else:
            super().__setattr__(name, value)

    async def prepare(self) -> None:
        """Make the exchange source (ccxt imported on a thread) unless made already."""
        await self._ready()

    async def _ready(self):
        if self._source is None:
            if self._making is None:
                self._making = asyncio.ensure_future(asyncio.to_thread(_exchange_source, self.name))
            # a caller that gives up (a connect timeout) leaves it to be made for the next
            source = await asyncio.shield(self._making)
            if self._source is None:
                for name, value in self._callbacks.items():
                    setattr(source, name, value)
                self._source = source
        return self._source

    async def markets(self):
        return await (await self._ready()).markets()

    async def check_symbol(self, symbol: str) -> None:
        await (await self._ready()).check_symbol(symbol)

    def seconds_blocked(self) -> float:
        return 0.0 if self._source is None else self._source.seconds_blocked()

    async def close(self) -> None:
        if self._making is not None:
            made = (await asyncio.gather(self._making, return_exceptions=True))[0]
            if not isinstance(made, BaseException):
                await made.close()
