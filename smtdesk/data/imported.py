"""Candles the user imported from CSV files, charted like a venue of their own."""

from __future__ import annotations

from smtdesk.core.candles import TIMEFRAMES, Candles
from smtdesk.data.store import CandleStore
from smtdesk.errors import SourceError

IMPORTED = "imported"
"""The venue key imported candles are kept under in the candle cache."""


class ImportedSource:
    """The series imported into the cache (File → Import candles…). A file has no live
    candles, so this source has no stream (no ``live`` capability)."""

    name = IMPORTED
    label = "Imported candles"
    capabilities: frozenset[str] = frozenset()

    def __init__(self, store: CandleStore) -> None:
        self._store = store

    @property
    def symbols(self) -> tuple[str, ...]:
        return tuple(sorted({symbol for symbol, _ in self._store.series(IMPORTED)}))

    @property
    def timeframes(self) -> tuple[str, ...]:
        held = {timeframe for _, timeframe in self._store.series(IMPORTED)}
        return tuple(tf for tf in TIMEFRAMES if tf in held)

    async def check_symbol(self, symbol: str) -> None:
        if symbol not in self.symbols:
            raise SourceError(f"No candles of {symbol} were imported; use File → Import candles… "
                              "to bring them in from a CSV file.")

    async def history(self, symbol: str, timeframe: str) -> Candles:
        return self._store.load_candles(IMPORTED, symbol, timeframe)

    async def close(self) -> None:
        """The store belongs to the app; nothing of its own to close."""
