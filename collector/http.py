"""The one shared httpx client: User-Agent, timeouts, per-host limits, backoff, rate limits.

Short waits (a 429 with a few seconds of Retry-After, a 503 blip) are absorbed here with
jittered exponential backoff; long ones raise `RateLimited` so the pipeline reschedules
the source instead of holding a worker. Every failure that leaves here is a `FetchError`
whose message names the host and what happened (never the query string: it may hold a key).

Collectors call `await http.get(url, expect=(200,), params=..., headers=...)` (or `post`) and
catch `FetchError` / `RateLimited`; a response whose status is in `expect` is returned as is.
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
MAX_BODY_BYTES = 32 * 1024 * 1024  # a feed or API page larger than this is not a feed
RETRYABLE = {408, 500, 502, 503, 504, 520, 521, 522, 523, 524}
RESET_HEADERS = ("x-ratelimit-reset", "x-rate-limit-reset", "ratelimit-reset", "x-ratelimit-clear")
REMAINING_HEADERS = ("x-ratelimit-remaining", "x-rate-limit-remaining", "ratelimit-remaining")


class FetchError(Exception):
    """A request that failed for good in this cycle; `status` is the HTTP status when there was one."""

    def __init__(self, message: str, status: int | None = None, retry_after: float | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class RateLimited(FetchError):
    """The server asked us to wait longer than one cycle should: come back after `retry_after` seconds."""


def _parse_wait(value: str, now: float) -> float | None:
    """A Retry-After or rate-limit reset value → seconds to wait.

    Accepts deltas in seconds, unix times (X, Bluesky), ISO 8601 dates (Mastodon) and HTTP dates.
    """
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
            except (TypeError, ValueError, IndexError):
                return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, when.timestamp() - now)
    if number != number or number < 0:  # NaN or negative: meaningless
        return None
    if number > 1e9:  # unix seconds
        return max(0.0, number - now)
    return number


def retry_after_seconds(response: httpx.Response, now: float | None = None) -> float | None:
    """How long the server wants us to wait, from Retry-After or the rate-limit reset headers."""
    now = time.time() if now is None else now
    for name in ("retry-after", *RESET_HEADERS):
        if name in response.headers:
            wait = _parse_wait(response.headers[name], now)
            if wait is not None:
                return wait
    return None


def remaining_requests(response: httpx.Response) -> int | None:
    """The rate-limit budget left in this window, when the server says."""
    for name in REMAINING_HEADERS:
        if name in response.headers:
            try:
                return int(float(response.headers[name]))
            except ValueError:
                return None
    return None


class Http:
    """Created once at the edge and passed to every collector."""

    def __init__(
        self,
        settings: HttpSettings,
        user_agent: str,
        transport: httpx.AsyncBaseTransport | None = None,
        max_body: int = MAX_BODY_BYTES,
    ):
        self.settings = settings
        self.max_body = max_body
        self.deadline = max(3 * settings.timeout, settings.timeout + 5)  # a whole answer, trickled or not
        self.client = httpx.AsyncClient(
            headers={"User-Agent": user_agent, "Accept-Language": "ja,en;q=0.5"},
            timeout=httpx.Timeout(settings.timeout),
            follow_redirects=True,
            transport=transport,
            limits=httpx.Limits(max_connections=50, max_keepalive_connections=20),
        )
        self._host_limits: dict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(max(1, settings.per_host_limit))
        )
        self._not_before: dict[str, float] = {}

    async def aclose(self) -> None:
        await self.client.aclose()

    async def __aenter__(self) -> Http:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter: half fixed, half random, so retries do not line up."""
        base = min(MAX_INLINE_WAIT, self.settings.backoff_base * (2**attempt))
        return base * (0.5 + random.random() / 2)

    def hold(self, endpoint: str, seconds: float) -> None:
        """No request to `endpoint` (host and path) before `seconds` from now, whichever source asks.

        Held per endpoint, not per host: X counts its limits per endpoint, and a site's other
        feeds answer for themselves (one more request each, which a 429 then stops too)."""
        until = time.monotonic() + seconds
        self._not_before[endpoint] = max(self._not_before.get(endpoint, 0.0), until)

    async def _wait_for(self, endpoint: str) -> None:
        wait = self._not_before.get(endpoint, 0.0) - time.monotonic()
        if wait > MAX_INLINE_WAIT:
            host = endpoint.split("/", 1)[0]
            raise RateLimited(f"{host} asked us to wait: next request in {wait:.0f}s", 429, wait)
        if wait > 0:
            await asyncio.sleep(wait)

    async def _send(self, method: str, url: str, host: str, **kwargs: Any) -> httpx.Response:
        """One request, read whole, within the per-host limit, the deadline and the size cap."""
        async with self._host_limits[host]:
            try:
                async with asyncio.timeout(self.deadline):
                    request = self.client.build_request(method, url, **kwargs)
                    response = await self.client.send(request, stream=True)
                    try:
                        body = await self._read(response, host)
                    finally:
                        await response.aclose()
            except TimeoutError:
                raise httpx.ReadTimeout(f"no complete answer within {self.deadline:.0f}s") from None
        headers = [
            (k, v)
            for k, v in response.headers.multi_items()
            if k not in ("content-encoding", "content-length")
        ]
        return httpx.Response(
            response.status_code,
            headers=headers,
            content=body,
            request=response.request,
            extensions=response.extensions,
            history=response.history,
        )

    async def _read(self, response: httpx.Response, host: str) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body:
            raise FetchError(f"{host} sent {int(declared) // 1_000_000} MB: more than any feed or API page")
        chunks, size = [], 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > self.max_body:
                raise FetchError(
                    f"{host} sent more than {self.max_body // 1_000_000} MB: not a feed or API page"
                )
            chunks.append(chunk)
        return b"".join(chunks)

    async def request(
        self, method: str, url: str, *, expect: tuple[int, ...] = (200,), **kwargs: Any
    ) -> httpx.Response:
        """Send with retries; returns a response whose status is in `expect`, else raises FetchError."""
        parts = urlsplit(url)
        host, endpoint = parts.netloc, parts.netloc + parts.path
        last: FetchError | None = None
        for attempt in range(self.settings.max_retries + 1):
            await self._wait_for(endpoint)
            try:
                response = await self._send(method, url, host, **kwargs)
            except httpx.TimeoutException as e:
                detail = str(e) if "within" in str(e) else f"{type(e).__name__}"
                last = FetchError(
                    f"timeout: {host} did not answer within {self.settings.timeout:g}s ({detail})"
                )
            except httpx.TransportError as e:
                last = FetchError(f"could not connect to {host}: {type(e).__name__}: {e}")
            except (httpx.HTTPError, httpx.InvalidURL) as e:  # too many redirects, broken gzip, bad URL
                raise FetchError(f"request to {host} failed: {type(e).__name__}: {e}") from None
            else:
                wait = retry_after_seconds(response)
                if remaining_requests(response) == 0 and wait:
                    self.hold(endpoint, wait)
                status = response.status_code
                if status in expect:
                    return response
                if status == 429:
                    wait = wait if wait is not None else self._backoff(attempt)
                    self.hold(endpoint, wait)
                    if wait > MAX_INLINE_WAIT or attempt == self.settings.max_retries:
                        raise RateLimited(
                            f"HTTP 429 from {host}: rate limited, retry after {wait:.0f}s", 429, wait
                        )
                    log.info("fetch host=%s status=429 retry_in=%.1fs", host, wait)
                    continue  # _wait_for sleeps until then
                if status not in RETRYABLE:
                    raise FetchError(f"HTTP {status} from {host}: {_snippet(response)}", status)
                last = FetchError(f"HTTP {status} from {host}: {_snippet(response)}", status, wait)
                if wait is not None and wait > MAX_INLINE_WAIT:
                    raise last  # a 503 with a long Retry-After: come back later
                if wait:
                    self.hold(endpoint, wait)
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
    """The start of an error body, as one line of text (HTML tags dropped)."""
    from collector.htmltext import html_to_text

    try:
        text = response.text[:2000]
    except (UnicodeDecodeError, LookupError):
        text = ""
    text = html_to_text(text) if "<" in text else text
    text = " ".join(text.split())[:200]
    return text or response.reason_phrase or "no body"
