"""Exchange answers read with a size cap, and a large one parsed off the event loop.

The event loop is the UI's: a 300 MB answer parsed there froze the window for 18 s and
took 4.7 GB. An answer over :data:`MAX_BODY_BYTES` is refused while it is read (nothing
past the cap is kept); one over :data:`PARSE_OFF_LOOP_CHARS` is parsed on a thread, and
ccxt is handed the parsed result instead of parsing it again.
"""

from __future__ import annotations

import asyncio

import aiohttp

# A klines page of 1500 candles is about 200 KB; no answer smtdesk asks for comes near.
MAX_BODY_BYTES = 8 * 1024 * 1024
PARSE_OFF_LOOP_CHARS = 256 * 1024
_CHUNK = 1 << 16


class BodyTooLarge(aiohttp.ClientPayloadError):
    """The exchange's answer is over the size cap; it was not read further."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"answer of {size / 1e6:.1f} MB or more, over the {limit / 1e6:.1f} MB cap")


class _Capped:
    """A response stream whose whole-body read stops at ``limit`` bytes."""

    def __init__(self, stream, limit: int) -> None:
        self._stream = stream
        self._limit = limit

    def __getattr__(self, name: str):
        return getattr(self._stream, name)

    async def read(self, n: int = -1) -> bytes:
        if n != -1:
            return await self._stream.read(n)
        parts, size = [], 0
        while chunk := await self._stream.read(_CHUNK):
            size += len(chunk)
            if size > self._limit:
                raise BodyTooLarge(size, self._limit)
            parts.append(chunk)
        return b"".join(parts)


def install(exchange, *, limit: int = MAX_BODY_BYTES,
            off_loop_chars: int = PARSE_OFF_LOOP_CHARS) -> None:
    """Make the ccxt async client ``exchange`` read every REST answer through the cap and
    parse a large one on a thread."""
    parsed: dict[str, object] = {}
    missing = object()

    class Response(aiohttp.ClientResponse):
        async def read(self) -> bytes:
            if self._body is not None:
                return await super().read()
            declared = self.content_length
            if declared is not None and declared > limit:
                self.close()
                raise BodyTooLarge(declared, limit)
            stream = self.content
            self.content = _Capped(stream, limit)
            try:
                return await super().read()
            finally:
                self.content = stream

        async def text(self, encoding: str | None = None, errors: str = "strict") -> str:
            text = await super().text(encoding, errors)
            stripped = text.strip()  # as ccxt hands it to parse_json
            if len(stripped) >= off_loop_chars and stripped[:1] in ("[", "{"):
                def parse() -> object:
                    hash(stripped)  # cached on the string: the lookup below is then cheap
                    return exchange.on_json_response(stripped)

                try:
                    parsed[stripped] = await asyncio.to_thread(parse)
                except ValueError:
                    pass  # ccxt parses it again and reports it as it does any bad body
            return text

    open_session = exchange.open

    def open_capped(*args, **kwargs):
        open_session(*args, **kwargs)
        if exchange.session is not None:
            exchange.session._response_class = Response

    parse_json = exchange.parse_json

    def parse_once(http_response):
        if parsed and isinstance(http_response, str):
            found = parsed.pop(http_response, missing)
            if found is not missing:
                return found
        return parse_json(http_response)

    exchange.open = open_capped
    exchange.parse_json = parse_once
