"""Market data from a real exchange through ccxt's async API.

Closed candles always come from the exchange's REST record, page by page, cleaned
(sorted, de-duplicated, the forming candle split off) and checked for holes; the websocket
only says what is forming and when a candle has closed. After a dropped connection the
missed candles are fetched before the next live candle is passed on, so a consumer never
sees a gap it would have to repair itself.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass
from typing import AsyncIterator, Awaitable, Callable, NoReturn
from urllib.parse import urlsplit, urlunsplit

import ccxt
import ccxt.pro
import numpy as np

from smtdesk.core.candles import Candles, Refusal, describe_refusals, gate, timeframe_ms
from smtdesk.data import bodies
from smtdesk.data import derivatives as dv
from smtdesk.data.derivatives import DerivSeries, Liquidation
from smtdesk.data.retry import Retrier, RetryPolicy, StatusCallback
from smtdesk.data.source import DERIVATIVES, HISTORY_SINCE, LIQUIDATIONS, LIVE, MARKETS, CandleUpdate
from smtdesk.data.venues import DEFAULT_VENUE, VENUES
from smtdesk.errors import (
    EmptyPage,
    MalformedResponse,
    SourceError,
    UnknownSymbol,
    elide,
)

URL_VARIABLE = "SMTDESK_EXCHANGE_URL"
"""An environment variable: when set (``http://127.0.0.1:8080``), every REST and websocket
address of the venue goes to that host instead (a mirror, a proxy, a test exchange)."""

# Venue endpoints for the top-trader ratios, which ccxt has no unified method for.
_TOP_RATIO_METHODS = {
    "binanceusdm": {
        dv.TOP_ACCOUNT_RATIO: "fapiDataGetTopLongShortAccountRatio",
        dv.TOP_POSITION_RATIO: "fapiDataGetTopLongShortPositionRatio",
    },
}


@dataclass(frozen=True, slots=True)
class MarketInfo:
    """A USDT-margined perpetual the venue lists."""

    symbol: str  # ccxt unified, e.g. "BTC/USDT:USDT"
    base: str
    active: bool


@dataclass(frozen=True, slots=True)
class Page:
    """One answer of candles, through the candle gate: ``rows`` sorted and unique;
    ``refused`` the rows that are not candles; ``conflicting`` the open times sent twice
    with different values (neither is kept: which one is right cannot be told);
    ``repeated`` how many exact copies were dropped."""

    rows: np.ndarray
    received: int
    refused: tuple[Refusal, ...] = ()
    conflicting: tuple[int, ...] = ()
    repeated: int = 0

    def dropped(self) -> list[int]:
        """Open times asked for that did not make it through, to ask for again."""
        times = [r.time for r in self.refused if np.isfinite(r.time) and r.time == int(r.time)]
        return sorted({int(t) for t in times} | set(self.conflicting))


def _clean(rows: list, timeframe: str, now_ms: int | None) -> Page:
    """Rows through the candle gate, sorted and de-duplicated; raise when not a list of rows."""
    if not isinstance(rows, list):
        raise MalformedResponse("candles: expected a list")
    try:
        arr = np.array([r[:6] for r in rows], dtype=np.float64).reshape(-1, 6)
    except (TypeError, ValueError, IndexError) as exc:
        raise MalformedResponse(f"candles: {exc}") from exc
    arr, refused = gate(arr, timeframe, now_ms=now_ms)
    if len(arr) == 0:
        return Page(arr, len(rows), refused)
    arr = arr[np.argsort(arr[:, 0], kind="stable")]
    same_time = arr[1:, 0] == arr[:-1, 0]
    copy = same_time & np.all(arr[1:] == arr[:-1], axis=1)
    arr = arr[np.concatenate([[True], ~copy])]
    clash = arr[1:, 0] == arr[:-1, 0]
    conflicting = np.unique(arr[1:][clash, 0]).astype(np.int64)
    if len(conflicting):
        arr = arr[~np.isin(arr[:, 0], conflicting)]
    return Page(arr, len(rows), refused, tuple(conflicting.tolist()), int(copy.sum()))


# Further apart than this, the exchange's clock or this computer's is wrong, and candles
# cannot be told closed from forming.
MAX_CLOCK_SKEW_MS = 86_400_000


def _utc(time_ms: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(time_ms / 1000))


async def _forward_failure(work: Awaitable[None], queue: asyncio.Queue) -> None:
    """Run a stream's helper task; an unexpected failure ends the stream instead of stalling it."""
    try:
        await work
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        await queue.put(exc)


def point_at(exchange: ccxt.Exchange, url: str) -> None:
    """Send every address of ``exchange`` to the host of ``url``, paths kept; websockets
    go there too (``ws``, or ``wss`` when ``url`` is https)."""
    base = urlsplit(url)
    ws = "wss" if base.scheme == "https" else "ws"

    def rewrite(node):
        if isinstance(node, dict):
            return {k: rewrite(v) for k, v in node.items()}
        if isinstance(node, str) and "://" in node:
            parts = urlsplit(node)
            scheme = ws if parts.scheme in ("ws", "wss") else base.scheme
            return urlunsplit((scheme, base.netloc, parts.path, parts.query, parts.fragment))
        return node

    exchange.urls["api"] = rewrite(exchange.urls["api"])


class ExchangeSource:
    """A :class:`~smtdesk.data.source.Source` backed by a ccxt exchange.

    Parameters
    ----------
    venue
        A ccxt id from :data:`VENUES`.
    exchange
        A ready ccxt.pro client; built from ``venue`` when omitted (tests pass one
        pointed at a local fake).
    policy, sleep
        Retry policy and the sleep function used for backoff, reconnects and polling.
    clock_ms
        Current UTC time in ms by the local clock; corrected by the exchange's own clock
        when the venue publishes it, and then decides which candles are closed.
    page_limit
        Candles requested per REST page.
    history_bars
        How many closed candles :meth:`history` returns.
    poll_interval
        Seconds between REST polls once the websocket is given up.
    ws_attempts
        Consecutive websocket failures before falling back to polling.
    settle_ms
        A candle counts as closed only this long after its close time, so a local clock
        running slightly ahead of the exchange never stores a candle still forming there.
    on_status
        Receives user-facing status lines (retries, reconnects, fallbacks).
    max_body_bytes, off_loop_chars
        Answers over the first are refused unread; over the second, parsed on a thread
        (see :mod:`smtdesk.data.bodies`).
    """

    def __init__(
        self,
        venue: str = DEFAULT_VENUE,
        *,
        exchange: ccxt.Exchange | None = None,
        policy: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock_ms: Callable[[], int] = lambda: int(time.time() * 1000),
        page_limit: int = 1000,
        history_bars: int = 1000,
        poll_interval: float = 10.0,
        ws_attempts: int = 3,
        settle_ms: int = 5_000,
        on_status: StatusCallback | None = None,
        max_body_bytes: int = bodies.MAX_BODY_BYTES,
        off_loop_chars: int = bodies.PARSE_OFF_LOOP_CHARS,
    ) -> None:
        if exchange is None:
            if venue not in VENUES:
                raise SourceError(f"Unknown exchange {venue!r}; choose one of {', '.join(VENUES)}")
            exchange = getattr(ccxt.pro, venue)({"enableRateLimit": True, "timeout": 10_000})
            if os.environ.get(URL_VARIABLE):
                point_at(exchange, os.environ[URL_VARIABLE])
        self._ex = exchange
        bodies.install(exchange, limit=max_body_bytes, off_loop_chars=off_loop_chars)
        self._ex.enableLastJsonResponse = True
        self._ex.enableLastResponseHeaders = True
        self._ex.enableLastHttpResponse = True
        self.name = venue
        self.capabilities = frozenset({LIVE, MARKETS, HISTORY_SINCE, DERIVATIVES, LIQUIDATIONS})
        self.label = VENUES.get(venue, venue)
        self._sleep = sleep
        self._clock_ms = clock_ms
        self._page_limit = page_limit
        self._history_bars = history_bars
        self._poll_interval = poll_interval
        self._ws_attempts = ws_attempts
        self._settle_ms = settle_ms
        self._clock_offset_ms: int | None = None
        self.on_status = on_status
        self.on_problem: StatusCallback | None = None
        self.status = ""
        self.retrier = Retrier(
            self.label, policy=policy, retry_after=self._retry_after, sleep=sleep,
            clock=lambda: self._now_ms() / 1000, on_status=self._status,
        )

    # ---- plumbing ------------------------------------------------------------------

    def _status(self, text: str) -> None:
        self.status = text
        if self.on_status is not None:
            self.on_status(text)

    def _problem(self, text: str) -> None:
        """Something the exchange sent that the user should know was not used."""
        self._status(text)
        if self.on_problem is not None:
            self.on_problem(text)

    def _retry_after(self) -> float | None:
        headers = self._ex.last_response_headers or {}
        for key, value in headers.items():
            if key.lower() == "retry-after":
                try:
                    return float(value)
                except ValueError:
                    return None
        return None

    def _now_ms(self) -> int:
        return self._clock_ms() + (self._clock_offset_ms or 0)

    async def _sync_clock(self) -> None:
        # A local clock running ahead would count the exchange's forming candle as closed
        # and store it; the exchange's clock decides instead, read on first contact.
        if self._clock_offset_ms is not None or not self._ex.has.get("fetchTime"):
            return
        before = self._clock_ms()
        server = await self.retrier.call("the exchange clock", self._ex.fetch_time)
        local = (before + self._clock_ms()) // 2
        offset = int(server) - local if server else 0
        if abs(offset) > MAX_CLOCK_SKEW_MS:
            raise SourceError(
                f"{self.label}'s clock reads {_utc(int(server))} but this computer's reads "
                f"{_utc(local)}: one of them is wrong. Check this computer's date and time; "
                "no candles are fetched until the two agree within a day.")
        self._clock_offset_ms = offset

    def last_closed_open(self, timeframe: str) -> int:
        """Open time of the newest candle that has surely closed by now."""
        tf = timeframe_ms(timeframe)
        return ((self._now_ms() - self._settle_ms) // tf) * tf - tf

    @property
    def timeframes(self) -> tuple[str, ...]:
        """The candle timeframes the venue serves, as ccxt lists them."""
        return tuple(self._ex.timeframes or ())

    def seconds_blocked(self) -> float:
        """How long the exchange asked us to stay away (0 when it did not)."""
        return max(0.0, self.retrier.blocked_until - self._now_ms() / 1000)

    async def close(self) -> None:
        await self._ex.close()

    # ---- markets -------------------------------------------------------------------

    async def markets(self) -> list[MarketInfo]:
        """USDT-margined perpetual swaps the venue lists, sorted by symbol."""
        markets = await self.retrier.call("the market list", self._ex.load_markets)
        await self._sync_clock()
        found = [
            MarketInfo(m["symbol"], m["base"], bool(m.get("active", True)))
            for m in markets.values()
            if m.get("swap") and m.get("linear") and m.get("settle") == "USDT"
        ]
        return sorted(found, key=lambda m: m.symbol)

    async def search(self, text: str, *, limit: int = 20) -> list[MarketInfo]:
        """Markets whose symbol contains ``text`` (case-insensitive), base matches first."""
        needle = text.strip().upper()
        hits = [m for m in await self.markets() if needle in m.symbol.upper()]
        hits.sort(key=lambda m: (m.base != needle, not m.base.startswith(needle), m.symbol))
        return hits[:limit]

    async def check_symbol(self, symbol: str) -> None:
        """Load the market list and the exchange's clock; raise when ``symbol`` is not listed."""
        await self.retrier.call("the market list", self._ex.load_markets)
        await self._sync_clock()
        if symbol not in self._ex.markets:
            raise UnknownSymbol(f"{self.label} has no market {symbol}")

    async def _recheck_listing(self, symbol: str, exc: UnknownSymbol) -> NoReturn:
        # Venues answer "invalid symbol" for a listed market now and then (Binance during
        # maintenance, say): only a fresh market list says whether the market is gone.
        markets = await self.retrier.call("the market list", lambda: self._ex.load_markets(True))
        if symbol in markets:
            raise SourceError(f'{self.label} answered "invalid symbol" for {symbol}, which it '
                              "lists; trying again later") from exc
        raise UnknownSymbol(f"{self.label} no longer lists {symbol}") from exc

    # ---- candles -------------------------------------------------------------------

    def _gate_now(self) -> int:
        # a forming candle opens at most now; the settle margin absorbs clock jitter
        return self._now_ms() + self._settle_ms

    def _report(self, symbol: str, timeframe: str, page: Page) -> None:
        if page.refused:
            self._problem(f"{self.label} sent {len(page.refused)} {timeframe} candle(s) of {symbol} "
                          f"that cannot be right ({describe_refusals(page.refused)}); not stored, "
                          "asked for again")
        if page.conflicting:
            self._problem(f"{self.label} sent two different {timeframe} candles of {symbol} for "
                          f"{describe_refusals(tuple(Refusal(t, 'one time') for t in page.conflicting))}; "
                          "kept neither, asked for again")
        if page.repeated:
            self._status(f"{self.label} sent {page.repeated} repeated {timeframe} "
                         f"candle(s) of {symbol}; kept one of each")

    async def _page(self, symbol: str, timeframe: str, since: int | None, limit: int,
                    *, expect_rows: bool) -> Page:
        async def fetch() -> Page:
            rows = await self._ex.fetch_ohlcv(symbol, timeframe, since=since, limit=limit)
            if not rows and self._ex.last_json_response is None and self._ex.last_http_response:
                # ccxt hands back an empty list for a body that is not JSON at all
                raise MalformedResponse("candles: the answer is not JSON")
            page = _clean(rows, timeframe, self._gate_now())
            if expect_rows and page.received == 0:
                raise EmptyPage("no candles where the exchange must have some")
            self._report(symbol, timeframe, page)
            return page

        try:
            return await self.retrier.call(f"{symbol} {timeframe} candles", fetch)
        except UnknownSymbol as exc:
            await self._recheck_listing(symbol, exc)

    async def closed_candles(
        self,
        symbol: str,
        timeframe: str,
        *,
        since: int,
        until: int | None = None,
        leading_gap_ok: bool = False,
        on_progress: Callable[[float], None] | None = None,
    ) -> AsyncIterator[Candles]:
        """Closed candles with open times in ``[since, until]``, one cleaned page at a time.

        ``until`` defaults to the newest closed candle. Holes inside the range are asked
        for once more; what the exchange still lacks is a real gap and stays a gap. With
        ``leading_gap_ok`` the range may start before the market's first candle (a fresh
        history), so a late first candle is not a hole.
        """
        await self.check_symbol(symbol)
        tf = timeframe_ms(timeframe)
        until = self.last_closed_open(timeframe) if until is None else until
        since = -(-since // tf) * tf
        cursor, first = since, leading_gap_ok
        while cursor <= until:
            page = await self._page(symbol, timeframe, cursor, self._page_limit, expect_rows=True)
            arr = page.rows[(page.rows[:, 0] >= cursor) & (page.rows[:, 0] <= until)]
            dropped = [t for t in page.dropped() if cursor <= t <= until]
            if len(arr) == 0 and not dropped:
                # everything answered is still forming or after ``until``: nothing closed yet
                break
            # before the first candle of a fresh range the market may simply not have existed
            start = min([*arr[:1, 0].tolist(), *dropped]) if first else cursor
            end = max([*arr[-1:, 0].tolist(), *dropped])
            arr = await self._fill_holes(symbol, timeframe, arr, int(start), int(end))
            first = False
            cursor = int(end) + tf
            if len(arr):
                yield Candles.from_rows(arr)
            if on_progress is not None:
                on_progress(min(1.0, (cursor - since) / max(until + tf - since, tf)))

    async def _fill_holes(self, symbol: str, timeframe: str, arr: np.ndarray, start: int,
                          end: int) -> np.ndarray:
        """``arr`` with the open times of ``[start, end]`` it lacks asked for once more."""
        tf = timeframe_ms(timeframe)
        expected = np.arange(start, end + tf, tf, dtype=np.int64)
        missing = np.setdiff1d(expected, arr[:, 0].astype(np.int64))
        if len(missing) == 0:
            return arr
        runs = np.split(missing, np.flatnonzero(np.diff(missing) != tf) + 1)
        found = [arr]
        for run in runs:
            again = (await self._page(symbol, timeframe, int(run[0]), len(run),
                                      expect_rows=False)).rows
            found.append(again[np.isin(again[:, 0], run)])
        merged = np.concatenate(found)
        merged = merged[np.argsort(merged[:, 0], kind="stable")]
        filled = len(merged) - len(arr)
        still = len(missing) - filled
        if still:
            self._status(f"{self.label} has no data for {still} {timeframe} candle(s) of {symbol}; "
                         "shown as a gap")
        elif filled:
            self._status(f"{self.label} left out {filled} {timeframe} candle(s) of {symbol}; "
                         "asked again and got them")
        return merged

    async def history(self, symbol: str, timeframe: str) -> Candles:
        """The last ``history_bars`` closed candles."""
        await self.check_symbol(symbol)
        until = self.last_closed_open(timeframe)
        since = until - (self._history_bars - 1) * timeframe_ms(timeframe)
        result = Candles.empty()
        async for page in self.closed_candles(symbol, timeframe, since=since, until=until,
                                              leading_gap_ok=True):
            result = result.merge(page)
        return result

    async def stream(
        self,
        symbols: tuple[str, ...],
        timeframe: str,
        *,
        since: dict[str, int] | None = None,
    ) -> AsyncIterator[CandleUpdate]:
        """Live candles of ``symbols``: closed ones (``closed=True``) and the forming one.

        ``since`` maps a symbol to the open time of the newest closed candle the caller
        already has; candles after it are delivered before anything live. Runs until
        cancelled; a symbol the exchange does not know ends it with :class:`SourceError`.
        """
        queue: asyncio.Queue = asyncio.Queue()
        tasks = [
            asyncio.create_task(_forward_failure(
                self._follow(s, timeframe, (since or {}).get(s), queue), queue))
            for s in symbols
        ]
        try:
            while True:
                item = await queue.get()
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _latest(self, symbol: str, timeframe: str, use_ws: bool) -> np.ndarray:
        if use_ws:
            rows = await self._ex.watch_ohlcv(symbol, timeframe)
            page = _clean(rows, timeframe, self._gate_now())
            if page.refused:
                self._report(symbol, timeframe, page)
            return page.rows
        return (await self._page(symbol, timeframe, None, 2, expect_rows=False)).rows

    async def _deliver(self, symbol: str, timeframe: str, latest: np.ndarray,
                       last_closed: int | None, queue: asyncio.Queue) -> int:
        """Queue the candles closed since ``last_closed`` (from REST), then the forming one.

        Returns the open time of the newest closed candle delivered.
        """
        tf = timeframe_ms(timeframe)
        closed_through = min(self.last_closed_open(timeframe), int(latest[-1, 0]))
        forming = latest[latest[:, 0] > closed_through]
        if last_closed is None:
            last_closed = closed_through
        if closed_through > last_closed:
            async for page in self.closed_candles(symbol, timeframe, since=last_closed + tf,
                                                  until=closed_through):
                await queue.put(CandleUpdate(symbol, timeframe, page, closed=True))
                last_closed = int(page.time[-1])
        if len(forming):
            await queue.put(CandleUpdate(symbol, timeframe, Candles.from_rows(forming[-1:]),
                                         closed=False))
        return last_closed

    async def _follow(self, symbol: str, timeframe: str, last_closed: int | None,
                      queue: asyncio.Queue) -> None:
        use_ws = bool(self._ex.has.get("watchOHLCV"))
        failures = 0
        while True:
            try:
                arr = await self._latest(symbol, timeframe, use_ws)
                if failures:
                    self._status(f"{self.label}: live {symbol} {timeframe} candles back")
                failures = 0
                if len(arr):
                    last_closed = await self._deliver(symbol, timeframe, arr, last_closed, queue)
                if not use_ws:
                    await self._sleep(self._poll_interval)
            except asyncio.CancelledError:
                raise
            except (ccxt.NetworkError, ccxt.ExchangeError, MalformedResponse, SourceError) as exc:
                if isinstance(exc, (ccxt.BadSymbol, UnknownSymbol)):
                    await queue.put(UnknownSymbol(f"{self.label} has no market {symbol}"))
                    return
                failures += 1
                delay = min(self.retrier.policy.base_delay * 2 ** (failures - 1),
                            self.retrier.policy.max_delay)
                if use_ws and failures >= self._ws_attempts:
                    use_ws = False
                    self._status(f"{self.label}: live stream unavailable; polling every "
                                 f"{self._poll_interval:g} s instead")
                else:
                    what = str(exc) if isinstance(exc, SourceError) else "connection lost"
                    self._status(f"{self.label}: live {symbol} {timeframe} {what}; "
                                 f"reconnecting in {delay:g} s")
                await self._sleep(delay)

    # ---- derivatives ---------------------------------------------------------------

    async def _records(self, what: str, call: Callable[[], Awaitable[object]]) -> list:
        """A list answer from ``call``, retried like candles when the body is unreadable."""

        async def fetch() -> list:
            result = await call()
            unparsed = self._ex.last_json_response is None and self._ex.last_http_response
            if not isinstance(result, list) or (not result and unparsed):
                raise MalformedResponse(f"{what}: not a list of records")
            return result

        return await self.retrier.call(what, fetch)

    async def funding_history(self, symbol: str, *, since: int | None = None,
                              limit: int = 1000) -> DerivSeries:
        """Funding-rate settlements (fraction per settlement)."""
        self._require("fetchFundingRateHistory", "funding-rate history")
        rows = await self._records(
            f"{symbol} funding history",
            lambda: self._ex.fetch_funding_rate_history(symbol, since=since, limit=limit))
        return DerivSeries.from_points(symbol, dv.FUNDING, "8h",
                                       [(r["timestamp"], r["fundingRate"]) for r in rows])

    async def open_interest_history(self, symbol: str, period: str = "1h", *,
                                    since: int | None = None, limit: int = 500) -> DerivSeries:
        """Open interest in base units."""
        self._require("fetchOpenInterestHistory", "open-interest history")
        rows = await self._records(
            f"{symbol} open interest",
            lambda: self._ex.fetch_open_interest_history(symbol, period, since=since, limit=limit))
        points = [(r["timestamp"], r.get("openInterestAmount") or r.get("baseVolume")) for r in rows]
        return DerivSeries.from_points(symbol, dv.OPEN_INTEREST, period,
                                       [p for p in points if p[1] is not None])

    async def long_short_ratios(self, symbol: str, period: str = "1h", *,
                                since: int | None = None, limit: int = 500) -> dict[str, DerivSeries]:
        """The long/short ratios the venue publishes, keyed by ``derivatives.RATIO_KINDS``.

        The global account ratio comes from ccxt's unified method; the top-trader ratios
        from the venue's own endpoints where we know them. Missing kinds are left out.
        """
        await self.check_symbol(symbol)
        result: dict[str, DerivSeries] = {}
        if self._ex.has.get("fetchLongShortRatioHistory"):
            rows = await self._records(
                f"{symbol} long/short ratio",
                lambda: self._ex.fetch_long_short_ratio_history(symbol, period, since=since,
                                                                limit=limit))
            result[dv.GLOBAL_ACCOUNT_RATIO] = DerivSeries.from_points(
                symbol, dv.GLOBAL_ACCOUNT_RATIO, period,
                [(r["timestamp"], r["longShortRatio"]) for r in rows])
        for kind, method in _TOP_RATIO_METHODS.get(self.name, {}).items():
            request = {"symbol": self._ex.market(symbol)["id"], "period": period, "limit": limit}
            if since is not None:
                request["startTime"] = since
            call = getattr(self._ex, method)
            raw = await self._records(f"{symbol} {kind.replace('_', ' ')}",
                                      lambda: call(request))
            result[kind] = DerivSeries.from_points(
                symbol, kind, period,
                [(int(r["timestamp"]), float(r["longShortRatio"])) for r in raw])
        return result

    def _require(self, capability: str, what: str) -> None:
        if not self._ex.has.get(capability):
            raise SourceError(f"{self.label} does not publish {what}")

    async def liquidations(self, symbols: tuple[str, ...]) -> AsyncIterator[list[Liquidation]]:
        """Public liquidation events as they happen (no exchange offers them as history).

        Raises :class:`SourceError` when the venue has no public liquidation stream.
        """
        has = self._ex.has
        if has.get("watchLiquidationsForSymbols") is True:
            watchers = [lambda: self._ex.watch_liquidations_for_symbols(list(symbols))]
        elif has.get("watchLiquidations") is True:
            watchers = [lambda s=s: self._ex.watch_liquidations(s) for s in symbols]
        else:
            raise SourceError(f"{self.label} publishes no public liquidation stream; "
                              "liquidations stay empty")
        queue: asyncio.Queue = asyncio.Queue()
        tasks = [asyncio.create_task(_forward_failure(self._watch_liquidations(w, queue), queue))
                 for w in watchers]
        try:
            while True:
                item = await queue.get()
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _watch_liquidations(self, watch: Callable[[], Awaitable[list]],
                                  queue: asyncio.Queue) -> None:
        failures = 0
        while True:
            try:
                events = await watch()
                failures = 0
            except (ccxt.BadSymbol, ccxt.NotSupported) as exc:
                await queue.put(SourceError(f"{self.label} liquidation stream refused: {elide(exc)}"))
                return
            except (ccxt.NetworkError, ccxt.ExchangeError):
                failures += 1
                delay = min(self.retrier.policy.base_delay * 2 ** (failures - 1),
                            self.retrier.policy.max_delay)
                self._status(f"{self.label}: liquidation stream lost; reconnecting in {delay:g} s")
                await self._sleep(delay)
                continue
            await queue.put([self._liquidation(e) for e in events])

    def _liquidation(self, event: dict) -> Liquidation:
        # ccxt reports the side of the closing order: a sell closes a liquidated long
        position = {"sell": "long", "buy": "short"}.get(str(event.get("side")).lower(), "")
        amount = event.get("baseValue")
        if amount is None:
            size = self._ex.market(event["symbol"]).get("contractSize") or 1.0
            amount = float(event.get("contracts") or 0.0) * float(size)
        return Liquidation(event["symbol"], int(event["timestamp"]), position,
                           float(event["price"]), float(amount))
