"""Keeping the local store in step with an exchange.

Each page of candles is committed as it arrives, so an interrupted backfill resumes from
the newest stored candle instead of starting over, and nothing fetched is fetched twice.

``run`` runs each store call: the app gives its store thread's (the window's thread never
waits on the disk); by default the call is made in place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, AsyncIterator, Awaitable, Callable

from smtdesk.core.candles import Candles, timeframe_ms
from smtdesk.data.source import CandleUpdate
from smtdesk.data.store import CandleStore

if TYPE_CHECKING:  # ccxt is imported when a venue is first asked, not with the worker
    from smtdesk.data.exchange import ExchangeSource


Run = Callable[..., Awaitable[Any]]


async def in_place(call: Callable[..., Any], *args: Any) -> Any:
    return call(*args)


async def sync_candles(
    source: ExchangeSource,
    store: CandleStore,
    symbol: str,
    timeframe: str,
    *,
    bars: int = 1000,
    on_progress: Callable[[float], None] | None = None,
    run: Run = in_place,
) -> Candles:
    """Fetch what the store is missing up to the newest closed candle; return the series.

    A new series starts ``bars`` candles back. The cached part is not fetched again.
    """
    tf = timeframe_ms(timeframe)
    await source.check_symbol(symbol)  # also sets the exchange's clock, which ``until`` needs
    until = source.last_closed_open(timeframe)
    last = await run(store.last_time, source.name, symbol, timeframe)
    fresh = last is None
    since = until - (bars - 1) * tf if fresh else last + tf
    if since <= until:
        async for page in source.closed_candles(symbol, timeframe, since=since, until=until,
                                                leading_gap_ok=fresh, on_progress=on_progress):
            await run(store.save_candles, source.name, symbol, timeframe, page)
    if on_progress is not None:
        on_progress(1.0)
    return await run(store.load_candles, source.name, symbol, timeframe)


async def record(updates: AsyncIterator[CandleUpdate], store: CandleStore, venue: str,
                 run: Run = in_place) -> AsyncIterator[CandleUpdate]:
    """Pass live updates through, storing the closed ones (never the forming candle)."""
    async for update in updates:
        if update.closed:
            await run(store.save_candles, venue, update.symbol, update.timeframe, update.candles)
        yield update
