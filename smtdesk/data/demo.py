"""The embedded demo market: recorded real perpetual candles, replayed.

The recorded history is split in two: everything before the split is served as the
history, the rest arrives as a live stream, one candle per ``seconds_per_bar``.
"""

from __future__ import annotations

import asyncio
import gzip
import io
import os
import sys
from pathlib import Path
from typing import AsyncIterator

import numpy as np

from smtdesk.core.candles import Candles, describe_refusals, gate
from smtdesk.data.source import LIVE, CandleUpdate
from smtdesk.errors import DemoDataError, SourceError

DEMO_SYMBOLS = {"BTC/USDT:USDT": "BTCUSDT", "ETH/USDT:USDT": "ETHUSDT"}
DEMO_TIMEFRAME = "1h"


def resources_dir() -> Path:
    """Where the shipped resources live: next to the package in a checkout, or installed."""
    override = os.environ.get("SMTDESK_RESOURCES")
    if override:
        return Path(override)
    checkout = Path(__file__).resolve().parents[2] / "resources"
    if checkout.is_dir():
        return checkout
    return Path(sys.prefix) / "share" / "smtdesk" / "resources"


def load_demo_series(path: Path) -> Candles:
    """Read one gzipped demo CSV, refusing anything that is not clean candle data."""
    try:
        with gzip.open(path, "rb") as fh:
            raw = fh.read()
        if not raw.strip():
            raise DemoDataError(f"Demo data file is damaged: {path} (it is empty)")
        rows = np.loadtxt(io.BytesIO(raw), delimiter=",", skiprows=1, ndmin=2)
    except FileNotFoundError:
        raise DemoDataError(f"Demo data file is missing: {path}") from None
    except (OSError, EOFError, ValueError, gzip.BadGzipFile) as exc:
        raise DemoDataError(f"Demo data file is damaged: {path} ({exc})") from None
    if rows.shape[1] != 6 or len(rows) < 100:
        raise DemoDataError(f"Demo data file is damaged: {path} (unexpected shape {rows.shape})")
    if not np.isfinite(rows).all():
        raise DemoDataError(f"Demo data file is damaged: {path} (non-numeric values)")
    _, refused = gate(rows, DEMO_TIMEFRAME)
    if refused:
        raise DemoDataError(f"Demo data file is damaged: {path} ({len(refused)} row(s) are not "
                            f"candles: {describe_refusals(refused)})")
    try:
        return Candles.from_rows(rows)
    except ValueError as exc:
        raise DemoDataError(f"Demo data file is damaged: {path} ({exc})") from None


class DemoSource:
    """Replays the recorded BTC and ETH perpetual candles as a market.

    Parameters
    ----------
    live_bars
        How many of the newest recorded candles are held back and streamed live.
    seconds_per_bar
        Replay speed: wall-clock seconds between two live candles.
    """

    name = "demo"
    label = "Demo (recorded data)"
    capabilities: frozenset[str] = frozenset({LIVE})
    timeframes = (DEMO_TIMEFRAME,)  # what is recorded; the worker builds longer ones from it

    def __init__(
        self, *, root: Path | None = None, live_bars: int = 500, seconds_per_bar: float = 2.0
    ) -> None:
        if live_bars < 0:
            raise ValueError(f"live_bars: must be >= 0, got {live_bars}")
        if seconds_per_bar <= 0:
            raise ValueError(f"seconds_per_bar: must be > 0, got {seconds_per_bar}")
        self._root = (root or resources_dir()) / "demo"
        self._live_bars = live_bars
        self.seconds_per_bar = seconds_per_bar
        self._series: dict[str, Candles] = {}

    @property
    def symbols(self) -> tuple[str, ...]:
        return tuple(DEMO_SYMBOLS)

    def _recorded(self, symbol: str, timeframe: str) -> Candles:
        self._check(symbol)
        if timeframe != DEMO_TIMEFRAME:
            raise SourceError(f"The demo market is recorded at 1h, not {timeframe}.")
        if symbol not in self._series:
            path = self._root / f"{DEMO_SYMBOLS[symbol]}_{DEMO_TIMEFRAME}.csv.gz"
            self._series[symbol] = load_demo_series(path)
        return self._series[symbol]

    def _check(self, symbol: str) -> None:
        if symbol not in DEMO_SYMBOLS:
            raise SourceError(
                f"The demo market has no {symbol}; it replays {', '.join(DEMO_SYMBOLS)}."
            )

    async def check_symbol(self, symbol: str) -> None:
        """Raise :class:`SourceError` when the demo has no recording of ``symbol``."""
        self._check(symbol)

    def _split(self, candles: Candles) -> int:
        return max(len(candles) - self._live_bars, 1)

    def validate(self) -> None:
        """Load every demo series now, so damage is reported before the window opens."""
        for symbol in DEMO_SYMBOLS:
            self._recorded(symbol, DEMO_TIMEFRAME)

    async def history(self, symbol: str, timeframe: str) -> Candles:
        candles = self._recorded(symbol, timeframe)
        return candles[: self._split(candles)]

    async def stream(self, symbols: tuple[str, ...], timeframe: str) -> AsyncIterator[CandleUpdate]:
        """Held-back candles in time order; candles of one time arrive together."""
        series = {s: self._recorded(s, timeframe) for s in symbols}
        start = min(int(c.time[self._split(c)]) for c in series.values() if len(c) > 1)
        times = np.unique(np.concatenate([c.time[c.time >= start] for c in series.values()]))
        for t in times:
            await asyncio.sleep(self.seconds_per_bar)
            for symbol, candles in series.items():
                i = int(np.searchsorted(candles.time, t))
                if i < len(candles) and candles.time[i] == t:
                    yield CandleUpdate(symbol, timeframe, candles[i : i + 1], closed=True)

    async def close(self) -> None:
        self._series.clear()
