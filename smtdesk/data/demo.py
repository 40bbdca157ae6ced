"""The embedded demo market: recorded real perpetual candles, replayed, with the funding
rates of the same period.

The recorded history is split in two: everything before the split is served as the
history, the rest arrives as a live stream, one candle per ``seconds_per_bar``. Funding is
served up to the newest candle replayed so far; the recording holds no open interest and no
long/short ratios, so those are served empty.
"""

from __future__ import annotations

import asyncio
import gzip
import io
from pathlib import Path
from typing import AsyncIterator

import numpy as np

from smtdesk.core.candles import Candles, describe_refusals, gate
from smtdesk.data import derivatives as dv
from smtdesk.data.derivatives import DerivSeries
from smtdesk.data.source import DERIVATIVES, LIVE, CandleUpdate
from smtdesk.errors import DemoDataError, SourceError
from smtdesk.resources import resources_dir

DEMO_SYMBOLS = {"BTC/USDT:USDT": "BTCUSDT", "ETH/USDT:USDT": "ETHUSDT"}
DEMO_TIMEFRAME = "1h"
NO_DERIVATIVE = ("The demo market has no {what}: its recording holds candles and funding rates "
                 "only. Pick a live venue for {what}.")
"""What a panel of a kind the demo has not recorded says instead of a plot."""


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


def load_demo_funding(path: Path, symbol: str) -> DerivSeries:
    """Read one gzipped funding CSV (settlement time in ms, rate as a fraction)."""
    try:
        with gzip.open(path, "rb") as fh:
            rows = np.loadtxt(io.BytesIO(fh.read()), delimiter=",", skiprows=1, ndmin=2)
    except FileNotFoundError:
        raise DemoDataError(f"Demo funding file is missing: {path}") from None
    except (OSError, EOFError, ValueError, gzip.BadGzipFile) as exc:
        raise DemoDataError(f"Demo funding file is damaged: {path} ({exc})") from None
    if rows.shape[1] != 2 or not len(rows) or not np.isfinite(rows).all():
        raise DemoDataError(f"Demo funding file is damaged: {path} (unexpected content)")
    if (np.diff(rows[:, 0]) <= 0).any():
        raise DemoDataError(f"Demo funding file is damaged: {path} (times not increasing)")
    return DerivSeries(symbol, dv.FUNDING, "8h", rows[:, 0].astype(np.int64), rows[:, 1])


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
    capabilities: frozenset[str] = frozenset({LIVE, DERIVATIVES})
    timeframes = (DEMO_TIMEFRAME,)  # what is recorded; the worker builds longer ones from it
    derivative_kinds = frozenset({dv.FUNDING})  # what is recorded besides candles

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
        self._replayed_to: int | None = None  # open time of the newest candle streamed

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
            self._replayed_to = int(t)

    async def funding_history(self, symbol: str) -> DerivSeries:
        """The recorded funding settlements up to the newest candle served so far: the
        replay never shows a rate from its future."""
        self._check(symbol)
        path = self._root / f"{DEMO_SYMBOLS[symbol]}_funding.csv.gz"
        series = load_demo_funding(path, symbol)
        candles = self._recorded(symbol, DEMO_TIMEFRAME)
        now = int(candles.time[self._split(candles) - 1])
        if self._replayed_to is not None:
            now = max(now, self._replayed_to)
        # a settlement at the open of the newest candle is known at that candle
        keep = series.time <= now
        return DerivSeries(symbol, dv.FUNDING, series.period, series.time[keep], series.value[keep])

    async def open_interest_history(self, symbol: str, period: str) -> DerivSeries:
        """None recorded: an empty series (its panel says why, see :data:`NO_DERIVATIVE`)."""
        self._check(symbol)
        return DerivSeries(symbol, dv.OPEN_INTEREST, period, np.empty(0, np.int64), np.empty(0))

    async def long_short_ratios(self, symbol: str, period: str) -> dict[str, DerivSeries]:
        """None recorded."""
        self._check(symbol)
        return {}

    async def close(self) -> None:
        self._series.clear()
