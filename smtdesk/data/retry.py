"""Retry with backoff around every exchange request, in one place.

Failures are sorted into three kinds: transient (timeouts, 5xx, dropped connections,
malformed bodies) are retried with exponential backoff; rate limits (HTTP 429, and the
418 ban Binance answers to clients that ignore 429) wait as long as the exchange's
``Retry-After`` says; everything else becomes a :class:`SourceError` at once. Delays,
sleeping and the clock are injectable so tests run in milliseconds.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Awaitable, Callable, TypeVar

import aiohttp
import ccxt

from smtdesk.data.bodies import BodyTooLarge
from smtdesk.errors import (
    MalformedResponse,
    RateLimited,
    SourceError,
    UnknownSymbol,
    elide,
)

T = TypeVar("T")

StatusCallback = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try before telling the user.

    Parameters
    ----------
    attempts
        Tries per request, the first included.
    base_delay, max_delay
        Seconds of the first backoff and its cap; each retry doubles the delay.
    max_wait
        The longest ``Retry-After`` waited out in place. A longer ban is reported at once
        and requests are refused locally until it ends.
    """

    attempts: int = 5
    base_delay: float = 1.0
    max_delay: float = 30.0
    max_wait: float = 120.0


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, (ccxt.RateLimitExceeded, ccxt.DDoSProtection)):
        return False
    if isinstance(exc, (ccxt.NetworkError, ccxt.BadResponse, MalformedResponse)):
        return True
    # ccxt wraps a body cut off mid-way (connection reset) as a plain ExchangeError
    return isinstance(exc, ccxt.ExchangeError) and isinstance(exc.__cause__, aiohttp.ClientError)


def _describe_transient(exc: BaseException) -> str:
    if isinstance(exc, ccxt.RequestTimeout):
        return "timed out"
    if isinstance(exc, MalformedResponse):
        return exc.problem
    if isinstance(exc, ccxt.BadResponse):
        return MalformedResponse.problem
    if isinstance(exc, ccxt.ExchangeNotAvailable):
        return "is unreachable or unavailable"
    if isinstance(exc.__cause__, BodyTooLarge):
        return f"sent an {exc.__cause__} (refused unread)"
    if isinstance(exc.__cause__, aiohttp.TooManyRedirects):
        return ("keeps redirecting our requests in a loop (a proxy, a captive portal or a "
                "blocked network in between?)")
    return "dropped the connection"


def _clock_text(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%H:%M:%S UTC")


class Retrier:
    """Runs exchange calls with the policy's retries, reporting each wait.

    Parameters
    ----------
    venue_label
        The exchange's name as the user knows it, used in every message.
    policy
        Retry counts and delays.
    retry_after
        Returns the ``Retry-After`` header of the last response in seconds, or None.
    sleep, clock
        ``asyncio.sleep`` and ``time.time`` unless a test substitutes them.
    on_status
        Receives a user-facing line whenever a request is being retried or refused.
    """

    def __init__(
        self,
        venue_label: str,
        *,
        policy: RetryPolicy = RetryPolicy(),
        retry_after: Callable[[], float | None] = lambda: None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.time,
        on_status: StatusCallback | None = None,
    ) -> None:
        self.venue_label = venue_label
        self.policy = policy
        self._retry_after = retry_after
        self._sleep = sleep
        self._clock = clock
        self._on_status = on_status
        self.blocked_until = 0.0

    def _status(self, text: str) -> None:
        if self._on_status is not None:
            self._on_status(text)

    def _refuse_if_blocked(self) -> None:
        if self._clock() < self.blocked_until:
            raise RateLimited(
                f"{self.venue_label} asked us to pause requests until "
                f"{_clock_text(self.blocked_until)}",
                self.blocked_until,
            )

    async def call(self, what: str, fn: Callable[[], Awaitable[T]]) -> T:
        """``await fn()`` with retries; ``what`` names the request in messages."""
        policy = self.policy
        delay = policy.base_delay
        attempt = 0
        while True:
            attempt += 1
            self._refuse_if_blocked()
            try:
                return await fn()
            except (ccxt.RateLimitExceeded, ccxt.DDoSProtection) as exc:
                wait = self._retry_after()
                # ccxt names the HTTP status in the message; Binance bans with 418
                banned = re.search(r"\b418\b", str(exc)) is not None
                wait = delay if wait is None else wait
                reason = "banned this IP for too many requests" if banned else "is rate limiting us"
                if wait > policy.max_wait or attempt == policy.attempts:
                    self.blocked_until = self._clock() + wait
                    raise RateLimited(
                        f"{self.venue_label} {reason}; next try after "
                        f"{_clock_text(self.blocked_until)}",
                        self.blocked_until,
                    ) from exc
                self._status(f"{self.venue_label} {reason}; waiting {wait:g} s ({what})")
                await self._sleep(wait)
            except ccxt.BadSymbol as exc:
                raise UnknownSymbol(f"{self.venue_label} does not know this symbol ({what})") from exc
            except Exception as exc:
                if not _is_transient(exc):
                    raise SourceError(f"{self.venue_label} refused {what}: {elide(exc)}") from exc
                problem = _describe_transient(exc)
                if attempt == policy.attempts:
                    raise SourceError(
                        f"{self.venue_label} {problem} ({what}); gave up after {attempt} tries"
                    ) from exc
                self._status(
                    f"{self.venue_label} {problem}; retrying in {delay:g} s "
                    f"(try {attempt + 1} of {policy.attempts}, {what})"
                )
                await self._sleep(delay)
            delay = min(delay * 2, policy.max_delay)
