"""The one shared httpx client: User-Agent, timeouts, per-host limits, backoff, rate limits.

Short waits (a 429 with a few seconds of Retry-After, a 503 blip) are absorbed here with
jittered exponential backoff; long ones raise `RateLimited` so the pipeline reschedules
the source instead of holding a worker.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import defaultdict
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from collector.settings import HttpSettings

log = logging.getLogger("kikimimi.http")

MAX_INLINE_WAIT = 10.0  # seconds a request may wait in place before giving the turn back
RETRYABLE = {500, 502, 503, 504, 520, 522, 524}


class FetchError(Exception):
    """A request that failed for good in this cycle; `status` is the HTTP status when there was one."""

    def __init__(self, message: str, status: int | None = None, retry_after: float | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class RateLimited(FetchError):
    """The server asked us to wait longer than one cycle should: come back after `retry_after` seconds."""


def _parse_reset(value: str, now: float) -> float | None:
    """A rate-limit reset header → seconds to wait. Accepts ISO dates (Mastodon), unix seconds, or deltas."""
    value = value.strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            try:
                when = parsedate_to_datetime(value)
            except (TypeError, ValueError):
                return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, when.timestamp() - now)
    if number > 1e9:  # unix seconds
        return max(0.0, number - now)
    return max(0.0, number)


def retry_after_seconds(response: httpx.Response, now: float | None = None) -> float | None:
    """How long the server wants us to wait, from Retry-After or the rate-limit reset headers."""
    now = time.time() if now is None else now
    h = response.headers
    if "retry-after" in h:
        return _parse_reset(h["retry-after"], now)
    for name in ("x-ratelimit-reset", "x-rate-limit-reset", "ratelimit-reset", "x-ratelimit-clear"):
        if name in h:
            return _parse_reset(h[name], now)
    return None


def _remaining(response: httpx.Response) -> int | None:
    for name in ("x-ratelimit-remaining", "x-rate-limit-remaining", "ratelimit-remaining"):
        if name in response.headers:
            try:
                return int(float(response.headers[name]))
            except ValueError:
                return None
    return None


class Http:
    """Created once at the edge and passed to every collector."""

    def __init__(
        self, settings: HttpSettings, user_agent: str, transport: httpx.AsyncBaseTransport | None = None
    ):
        self.settings = settings
        self.client = httpx.AsyncClient(
            headers={"User-Agent": user_agent, "Accept-Language": "ja,en;q=0.5"},
            timeout=httpx.Timeout(settings.timeout),
            follow_redirects=True,
            transport=transport,
            limits=httpx.Limits(max_connections=50, max_keepalive_connections=20),
        )
        self._host_limits: dict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(settings.per_host_limit)
        )
        self._not_before: dict[str, float] = {}

    async def aclose(self) -> None:
        await self.client.aclose()

    async def __aenter__(self) -> Http:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def _backoff(self, attempt: int) -> float:
        base = self.settings.backoff_base * (2**attempt)
        return min(MAX_INLINE_WAIT, base) * (0.5 + random.random() / 2)

    async def _wait_for_host(self, host: str) -> None:
        wait = self._not_before.get(host, 0.0) - time.monotonic()
        if wait > MAX_INLINE_WAIT:
            raise RateLimited(f"{host} rate limit: wait {wait:.0f}s", status=429, retry_after=wait)
        if wait > 0:
            await asyncio.sleep(wait)

    async def request(
        self, method: str, url: str, *, expect: tuple[int, ...] = (200,), **kwargs: Any
    ) -> httpx.Response:
        """Send with retries; returns a response whose status is in `expect`, else raises FetchError."""
        host = urlsplit(url).netloc
        last: FetchError | None = None
        for attempt in range(self.settings.max_retries + 1):
            await self._wait_for_host(host)
            try:
                async with self._host_limits[host]:
                    response = await self.client.request(method, url, **kwargs)
            except httpx.TimeoutException as e:
                last = FetchError(f"timeout after {self.settings.timeout:.0f}s ({type(e).__name__})")
            except httpx.TransportError as e:
                last = FetchError(f"connection failed: {type(e).__name__}: {e}")
            else:
                wait = retry_after_seconds(response)
                if _remaining(response) == 0 and wait:
                    self._not_before[host] = time.monotonic() + wait
                if response.status_code in expect:
                    return response
                status = response.status_code
                if status == 429:
                    wait = wait if wait is not None else self._backoff(attempt)
                    if wait > MAX_INLINE_WAIT or attempt == self.settings.max_retries:
                        raise RateLimited(f"HTTP 429 from {host}: retry after {wait:.0f}s", 429, wait)
                    log.info("fetch host=%s status=429 retry_in=%.1fs", host, wait)
                    await asyncio.sleep(wait)
                    continue
                if status not in RETRYABLE:
                    raise FetchError(f"HTTP {status} from {host}: {_snippet(response)}", status)
                last = FetchError(f"HTTP {status} from {host}", status, wait)
            if attempt < self.settings.max_retries:
                delay = self._backoff(attempt)
                log.info("fetch host=%s error=%r retry_in=%.2fs", host, str(last), delay)
                await asyncio.sleep(delay)
        assert last is not None
        raise last

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", url, **kwargs)


def _snippet(response: httpx.Response) -> str:
    text = response.text[:200].replace("\n", " ")
    return text or response.reason_phrase
