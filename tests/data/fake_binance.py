"""A fake Binance USDⓈ-M futures exchange on 127.0.0.1 for the data-layer tests.

It speaks the real REST JSON (time, exchangeInfo, klines, fundingRate, openInterestHist and
the three long/short ratio endpoints) and the kline websocket stream, so a real ccxt client can
be pointed at it. Its candles are the "truth" the tests compare the store with. Faults are
queued per endpoint and consumed one per request.
"""

from __future__ import annotations

import asyncio
import csv
import json
from bisect import bisect_left, bisect_right
from collections import defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import WSMsgType, web

from smtdesk.data.exchange import point_at

FIXTURES = Path(__file__).parent / "fixtures"
HOUR_MS = 3_600_000

TRANSPORT_FAULTS = ("timeout", "429", "418", "500", "503", "malformed", "bad_symbol", "reset",
                    "redirect_loop", "huge_error", "markup_error", "huge_body")
DATA_FAULTS = ("duplicate", "out_of_order", "gap", "empty")
# One candle of the answer (the middle one) made impossible, as an exchange might send it.
POISONS = {
    "negative_volume": lambda k: k.__setitem__(5, "-12.5"),
    "high_below_low": lambda k: (k.__setitem__(2, k[3]), k.__setitem__(3, repr(float(k[3]) + 50))),
    "close_above_high": lambda k: k.__setitem__(4, repr(float(k[2]) * 1.5)),
    "zero_price": lambda k: k.__setitem__(1, "0"),
    "negative_price": lambda k: (k.__setitem__(3, "-1.0")),
    "nan_price": lambda k: k.__setitem__(4, "NaN"),
    "off_grid": lambda k: k.__setitem__(0, k[0] + 60_000),
    "future": lambda k: k.__setitem__(0, k[0] + 10 * 365 * 24 * HOUR_MS),
}


def error_body(case: str) -> dict:
    """A transcribed Binance error body (``fixtures/binance_fapi/binance_error_bodies.json``)."""
    cases = json.loads((FIXTURES / "binance_fapi" / "binance_error_bodies.json").read_text())["cases"]
    return next(c["body"] for c in cases if c["case"] == case)


def load_rows(name: str) -> list[list[float]]:
    """Candle rows ``[time_ms, o, h, l, c, v]`` of a fixture CSV."""
    with open(FIXTURES / name, newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        return [[int(r[0]), *map(float, r[1:6])] for r in reader]


def _kline(row: list[float], interval_ms: int = HOUR_MS) -> list:
    t = int(row[0])
    return [t, *(repr(float(v)) for v in row[1:6]), t + interval_ms - 1, "0", 1, "0", "0", "0"]


@dataclass
class Fault:
    """One injected misbehaviour; ``retry_after`` is sent with 429 and 418."""

    kind: str
    retry_after: int = 1


@dataclass
class FakeBinance:
    """The fake exchange. ``candles`` maps exchange ids (``BTCUSDT``) to rows of one
    ``interval`` (1h unless told), the only one it serves.

    ``now_ms`` is the exchange's clock: rows that closed by then are the truth; the row
    containing ``now_ms`` is served after them as the still-forming candle (flat at its
    open, half its volume: a forming candle is not yet what it will close as).
    """

    candles: dict[str, list[list[float]]]
    now_ms: int = 0
    stall_s: float = 2.0
    refuse_websockets: bool = False
    delisted: set[str] = field(default_factory=set)  # left out of exchangeInfo
    clock_skew_ms: int = 0  # what /time answers beyond ``now_ms``
    requests: list[tuple[str, dict]] = field(default_factory=list)
    _faults: dict[str, deque] = field(default_factory=lambda: defaultdict(deque))
    _ws: list[web.WebSocketResponse] = field(default_factory=list)
    _subscribed: asyncio.Event | None = None
    _runner: web.AppRunner | None = None
    base_url: str = ""
    interval: str = "1h"
    interval_ms: int = HOUR_MS

    # ---- test controls -------------------------------------------------------------

    def fail(self, endpoint: str, *faults: Fault | str | None) -> None:
        """Queue faults for the next requests to ``endpoint`` (None = answer normally)."""
        for f in faults:
            self._faults[endpoint].append(Fault(f) if isinstance(f, str) else f)

    def truth(self, symbol: str) -> list[list[float]]:
        return self.candles[symbol][: self._closed(symbol)]

    def _closed(self, symbol: str) -> int:
        """How many rows closed by ``now_ms`` (rows are in time order; a soak has 10^5)."""
        return bisect_right(self.candles[symbol], self.now_ms - self.interval_ms, key=_open_time)

    def forming(self, symbol: str) -> list[float] | None:
        rows = self.candles[symbol]
        i = self._closed(symbol)
        if i < len(rows) and rows[i][0] <= self.now_ms < rows[i][0] + self.interval_ms:
            r = rows[i]
            return [r[0], r[1], r[1], r[1], r[1], r[5] / 2]
        return None

    def count(self, endpoint: str) -> int:
        return sum(1 for e, _ in self.requests if e == endpoint)

    async def push_kline(self, symbol: str, row: list[float], *, closed: bool) -> None:
        k = _kline(row, self.interval_ms)
        msg = {
            "e": "kline", "E": self.now_ms, "s": symbol,
            "k": {"t": k[0], "T": k[6], "s": symbol, "i": self.interval, "f": 1, "L": 2,
                  "o": k[1], "h": k[2], "l": k[3], "c": k[4], "v": k[5], "n": 1,
                  "x": closed, "q": "0", "V": "0", "Q": "0", "B": "0"},
        }
        for ws in list(self._ws):
            if not ws.closed:
                await ws.send_str(json.dumps(msg))

    async def push_liquidation(self, symbol: str, *, order_side: str, qty: str, price: str,
                               time_ms: int) -> None:
        """A forceOrder event; ``order_side`` SELL closes a liquidated long."""
        msg = {"e": "forceOrder", "E": time_ms,
               "o": {"s": symbol, "S": order_side, "o": "LIMIT", "f": "IOC", "q": qty, "p": price,
                     "ap": price, "X": "FILLED", "l": qty, "z": qty, "T": time_ms}}
        for ws in list(self._ws):
            if not ws.closed:
                await ws.send_str(json.dumps(msg))

    async def drop_websockets(self) -> None:
        for ws in list(self._ws):
            await ws.close()
        self._ws.clear()

    async def wait_subscribed(self, timeout: float = 5.0) -> None:
        """Wait for the next websocket SUBSCRIBE."""
        assert self._subscribed is not None
        await asyncio.wait_for(self._subscribed.wait(), timeout)
        self._subscribed.clear()

    # ---- server --------------------------------------------------------------------

    async def start(self, port: int = 0) -> str:
        """Serve on ``port`` of 127.0.0.1 (any free one when 0); return the base URL."""
        self._subscribed = asyncio.Event()
        app = web.Application()
        app.router.add_get("/fapi/v1/time", self._time)
        app.router.add_get("/fapi/v1/exchangeInfo", self._exchange_info)
        app.router.add_get("/fapi/v1/klines", self._klines)
        app.router.add_get("/fapi/v1/fundingRate", self._funding)
        for name in ("openInterestHist", "globalLongShortAccountRatio",
                     "topLongShortAccountRatio", "topLongShortPositionRatio"):
            app.router.add_get(f"/futures/data/{name}", self._stats)
        app.router.add_get("/{path:.*ws.*}", self._websocket)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self.base_url

    async def stop(self) -> None:
        await self.drop_websockets()
        if self._runner is not None:
            await self._runner.cleanup()

    def point(self, exchange) -> None:
        """Send a ccxt binanceusdm client to this server, as ``SMTDESK_EXCHANGE_URL`` does."""
        point_at(exchange, self.base_url)

    async def _fault_response(self, request: web.Request, fault: Fault) -> web.StreamResponse | None:
        kind = fault.kind
        if kind == "timeout":
            await asyncio.sleep(self.stall_s)
            return web.json_response([])
        if kind == "429":
            return web.json_response(error_body("rate_limited_429"), status=429,
                                     headers={"Retry-After": str(fault.retry_after)})
        if kind == "418":
            body = dict(error_body("ip_banned_418"))
            until = self.now_ms + fault.retry_after * 1000
            body["msg"] = body["msg"].replace("1780765249479", str(until))
            return web.json_response(body, status=418, headers={"Retry-After": str(fault.retry_after)})
        if kind in ("500", "503"):
            return web.Response(status=int(kind), text="Service Unavailable")
        if kind == "malformed":
            return web.Response(text='[[1735603200000,"92759.3","928', content_type="application/json")
        if kind == "redirect_loop":
            raise web.HTTPFound(str(request.url.update_query(loop="1")))
        if kind == "huge_body":  # a klines answer of some 300 KB: the real rows, padded
            padding = [[0, "1", "1", "1", "1", "0", 0, "0", 0, "0", "0", "x" * 1000]] * 300
            return web.json_response(padding)
        if kind == "huge_error":
            body = {"code": -1102, "msg": "Mandatory parameter was not sent " + "x" * 1_000_000}
            return web.json_response(body, status=400)
        if kind == "markup_error":
            body = {"code": -1102, "msg": '<h1>Pwned</h1><a href="http://evil">click</a>'
                                          '<img src="http://evil/x.png">'}
            return web.json_response(body, status=400)
        if kind == "bad_symbol":
            return web.json_response(error_body("invalid_symbol"), status=400)
        if kind == "reset":
            resp = web.StreamResponse(headers={"Content-Type": "application/json",
                                               "Content-Length": "100000"})
            await resp.prepare(request)
            await resp.write(b'[[1735603200000,"92759.3",')
            request.transport.abort()
            return resp
        return None

    async def _serve(self, endpoint: str, request: web.Request, payload) -> web.StreamResponse:
        if "loop" in request.query:  # a redirect loop goes round without end
            raise web.HTTPFound(str(request.url))
        self.requests.append((endpoint, dict(request.query)))
        fault = self._faults[endpoint].popleft() if self._faults[endpoint] else None
        if fault is not None and fault.kind in TRANSPORT_FAULTS:
            return await self._fault_response(request, fault)
        if callable(payload):
            payload = payload()
        if isinstance(payload, web.Response):
            return payload
        if fault is not None and isinstance(payload, list):
            payload = self._poison(fault.kind, payload) if fault.kind in POISONS \
                else self._corrupt(fault.kind, payload)
        return web.json_response(payload)

    @staticmethod
    def _poison(kind: str, rows: list) -> list:
        rows = [list(r) for r in rows]
        if rows:
            POISONS[kind](rows[(len(rows) - 1) // 2])
        return rows

    @staticmethod
    def _corrupt(kind: str, rows: list) -> list:
        if kind == "empty":
            return []
        if kind == "duplicate":
            return rows[: len(rows) // 2] + rows[len(rows) // 3:]
        if kind == "conflict":
            # the middle candle twice: once as it is, once with another close
            mid = (len(rows) - 1) // 2
            other = list(rows[mid])
            other[4] = repr(float(other[4]) + 1.0)
            return rows[: mid + 1] + [other] + rows[mid + 1:]
        if kind == "out_of_order":
            return rows[::-1]
        if kind == "gap":
            mid = len(rows) // 2
            return rows[: mid - 3] + rows[mid + 3:]
        raise ValueError(f"unknown fault {kind}")

    async def _time(self, request: web.Request) -> web.StreamResponse:
        return await self._serve("time", request,
                                 lambda: {"serverTime": self.now_ms + self.clock_skew_ms})

    async def _exchange_info(self, request: web.Request) -> web.StreamResponse:
        info = json.loads((FIXTURES / "binance_fapi" / "http_futures_market_exchange_info.json").read_text())
        info["symbols"] = [s for s in info["symbols"] if s["symbol"] not in self.delisted]
        return await self._serve("exchangeInfo", request, info)

    def _unknown(self, symbol: str | None) -> web.Response | None:
        if symbol not in self.candles:
            return web.json_response(error_body("invalid_symbol"), status=400)
        return None

    async def _klines(self, request: web.Request) -> web.StreamResponse:
        q = request.query

        def answer():
            bad = self._unknown(q.get("symbol"))
            if bad is not None:
                return bad
            if q.get("interval") != self.interval:
                return web.json_response(error_body("invalid_interval"), status=400)
            symbol = q["symbol"]
            every, end = self.candles[symbol], self._closed(symbol)
            start = 0
            if "startTime" in q:
                start = bisect_left(every, int(q["startTime"]), 0, end, key=_open_time)
            if "endTime" in q:
                end = bisect_right(every, int(q["endTime"]), start, end, key=_open_time)
            limit = min(int(q.get("limit", 500)), 1500)
            rows = every[start:end]
            forming = self.forming(symbol)
            if forming is not None and forming[0] >= int(q.get("startTime", forming[0])) \
                    and forming[0] <= int(q.get("endTime", forming[0])):
                rows.append(forming)
            rows = rows[:limit] if "startTime" in q else rows[-limit:]
            return [_kline(r, self.interval_ms) for r in rows]

        return await self._serve("klines", request, answer)

    def _series(self, request: web.Request, rows: list[dict], key: str, default_limit: int, cap: int):
        q = request.query
        bad = self._unknown(q.get("symbol"))
        if bad is not None:
            return bad
        if "startTime" in q:
            rows = [r for r in rows if int(r[key]) >= int(q["startTime"])]
        if "endTime" in q:
            rows = [r for r in rows if int(r[key]) <= int(q["endTime"])]
        limit = min(int(q.get("limit", default_limit)), cap)
        return rows[:limit] if "startTime" in q else rows[-limit:]

    async def _funding(self, request: web.Request) -> web.StreamResponse:
        return await self._serve("fundingRate", request,
                                 lambda: self._series(request, self.funding, "fundingTime", 100, 1000))

    async def _stats(self, request: web.Request) -> web.StreamResponse:
        name = request.path.rsplit("/", 1)[1]
        return await self._serve(name, request,
                                 lambda: self._series(request, self.stats[name], "timestamp", 30, 500))

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        if self.refuse_websockets:
            return web.Response(status=503, text="Service Unavailable")
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._ws.append(ws)
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                break
            data = json.loads(msg.data)
            if data.get("method") == "SUBSCRIBE":
                await ws.send_str(json.dumps({"result": None, "id": data["id"]}))
                self._subscribed.set()
        return ws

    # ---- derivatives truth -----------------------------------------------------------

    @property
    def funding(self) -> list[dict]:
        with open(FIXTURES / "BTCUSDT_funding.csv", newline="") as fh:
            rows = list(csv.reader(fh))[1:]
        return [{"symbol": "BTCUSDT", "fundingRate": r[1], "fundingTime": int(r[0]),
                 "markPrice": "0"} for r in rows]

    @property
    def stats(self) -> dict[str, list[dict]]:
        with open(FIXTURES / "BTCUSDT_global_ls_30m.csv", newline="") as fh:
            rows = list(csv.reader(fh))[1:]
        # The recorded ratios are re-stamped hourly up to the fake's clock: only the
        # shapes and values matter to the tests, not the original dates.
        end = self.now_ms - self.now_ms % HOUR_MS
        stamps = [end - (len(rows) - i) * HOUR_MS for i in range(len(rows))]
        ratios = [{"symbol": "BTCUSDT", "longShortRatio": r[2], "longAccount": r[3],
                   "shortAccount": r[4], "timestamp": str(t)} for r, t in zip(rows, stamps)]
        oi = [{"symbol": "BTCUSDT", "sumOpenInterest": f"{80000 + i:.3f}",
               "sumOpenInterestValue": f"{(80000 + i) * 60000:.2f}", "timestamp": str(t)}
              for i, t in enumerate(stamps)]
        flipped = [dict(r, longShortRatio=f"{1 / float(r['longShortRatio']):.4f}") for r in ratios]
        scaled = [dict(r, longShortRatio=f"{float(r['longShortRatio']) * 1.1:.4f}") for r in ratios]
        return {"openInterestHist": oi, "globalLongShortAccountRatio": ratios,
                "topLongShortAccountRatio": flipped, "topLongShortPositionRatio": scaled}


def _open_time(row: list[float]) -> float:
    return row[0]
