"""The shared HTTP client against a real server on 127.0.0.1: politeness, retries, rate limits, errors."""

from __future__ import annotations

import asyncio
import threading
import time
from email.utils import formatdate

import httpx
import pytest

from collector.http import FetchError, Http, RateLimited, retry_after_seconds
from collector.settings import HttpSettings, Settings
from tests.localserver import Request, Response


def _http(**overrides) -> Http:  # noqa: ANN003
    values = {"timeout": 2.0, "backoff_base": 0.01, "max_retries": 2, "per_host_limit": 2, **overrides}
    settings = Settings(http=HttpSettings(**values))
    return Http(settings.http, settings.user_agent)


def _run(coro):  # noqa: ANN001, ANN202
    return asyncio.run(coro)


async def _get(http: Http, url: str, **kwargs):  # noqa: ANN003, ANN202
    try:
        return await http.get(url, **kwargs)
    finally:
        await http.aclose()


def test_user_agent_names_kikimimi_and_the_contact(server):
    server.add("/ua", Response(200, "ok"))
    settings = Settings(http=HttpSettings(contact="kouhou@city.example.lg.jp"))
    _run(_get(Http(settings.http, settings.user_agent), server.url("/ua")))
    ua = server.hits("/ua")[0].headers["user-agent"]
    assert ua.startswith("kikimimi/") and "kouhou@city.example.lg.jp" in ua


def test_429_with_retry_after_seconds_is_waited_out_then_succeeds(server):
    server.add("/feed", Response(429, "slow down", {"Retry-After": "1"}), Response(200, "fresh"))
    started = time.monotonic()
    response = _run(_get(_http(), server.url("/feed")))
    assert response.text == "fresh"
    hits = server.hits("/feed")
    assert len(hits) == 2
    assert time.monotonic() - started >= 0.95  # the second request came after the second the server asked for


def test_429_with_retry_after_http_date_is_waited_out(server):
    when = formatdate(time.time() + 2, usegmt=True)  # HTTP dates have whole seconds: 1 to 2 s from now
    server.add("/feed", Response(429, "", {"Retry-After": when}), Response(200, "ok"))
    started = time.monotonic()
    assert _run(_get(_http(), server.url("/feed"))).text == "ok"
    assert time.monotonic() - started >= 0.9
    assert len(server.hits("/feed")) == 2


def test_429_with_a_long_wait_gives_the_turn_back_and_holds_the_endpoint(server):
    server.add("/search", Response(429, "rate limited", {"Retry-After": "3600"}))
    server.add("/other", Response(200, "ok"))

    async def scenario():  # noqa: ANN202
        http = _http()
        try:
            with pytest.raises(RateLimited) as first:
                await http.get(server.url("/search"))
            with pytest.raises(RateLimited) as second:
                await http.get(server.url("/search"))  # held: the server is not asked again
            other = await http.get(server.url("/other"))  # another endpoint still answers
            return first.value, second.value, other
        finally:
            await http.aclose()

    started = time.monotonic()
    first, second, other = _run(scenario())
    assert time.monotonic() - started < 2
    assert first.status == 429 and 3590 <= first.retry_after <= 3600
    assert "HTTP 429 from 127.0.0.1" in str(first) and "retry after 3600s" in str(first)
    assert 3590 <= second.retry_after <= 3600
    assert len(server.hits("/search")) == 1 and other.text == "ok"


def test_503_is_retried_with_backoff_then_ok(server):
    server.add("/feed", Response(503, "maintenance"), Response(503, "maintenance"), Response(200, "ok"))
    assert _run(_get(_http(), server.url("/feed"))).text == "ok"
    assert len(server.hits("/feed")) == 3


def test_5xx_that_persists_is_a_fetch_error_naming_host_and_body(server):
    server.add("/feed", Response(502, "<html><body><h1>Bad Gateway</h1><p>upstream down</p></body></html>"))
    with pytest.raises(FetchError) as e:
        _run(_get(_http(max_retries=1), server.url("/feed")))
    assert e.value.status == 502
    assert str(e.value) == f"HTTP 502 from 127.0.0.1:{server.port}: Bad Gateway upstream down"
    assert len(server.hits("/feed")) == 2


def test_404_is_not_retried(server):
    with pytest.raises(FetchError) as e:
        _run(_get(_http(), server.url("/missing")))
    assert e.value.status == 404 and "HTTP 404 from 127.0.0.1" in str(e.value)
    assert len(server.hits("/missing")) == 1


def test_timeout_is_a_clear_fetch_error(server):
    server.add("/slow", Response(200, "late", delay=2))
    started = time.monotonic()
    with pytest.raises(FetchError) as e:
        _run(_get(_http(timeout=0.3, max_retries=1), server.url("/slow")))
    assert str(e.value).startswith(f"timeout: 127.0.0.1:{server.port} did not answer within 0.3s")
    assert time.monotonic() - started < 1.5
    assert len(server.hits("/slow")) == 2


def test_refused_connection_is_a_clear_fetch_error(server):
    port = server.port
    server.close()
    with pytest.raises(FetchError) as e:
        _run(_get(_http(max_retries=0), f"http://127.0.0.1:{port}/feed"))
    assert str(e.value).startswith(f"could not connect to 127.0.0.1:{port}: ConnectError")


def test_redirect_loop_is_a_fetch_error(server):
    server.add("/loop", Response(302, "", {"Location": "/loop"}))
    with pytest.raises(FetchError) as e:
        _run(_get(_http(), server.url("/loop")))
    assert "TooManyRedirects" in str(e.value)


def test_an_endless_body_is_cut_off(server):
    server.add("/huge", Response(200, b"x" * 300_000))

    async def scenario():  # noqa: ANN202
        http = _http()
        http.max_body = 100_000
        return await _get(http, server.url("/huge"))

    with pytest.raises(FetchError) as e:
        _run(scenario())
    assert "more than any feed or API page" in str(e.value)


def _concurrency_probe(server, path: str):  # noqa: ANN001, ANN202
    """A route that answers slowly and records how many requests were in flight at once."""
    lock = threading.Lock()
    seen = {"now": 0, "max": 0}

    def handler(req: Request) -> Response:
        with lock:
            seen["now"] += 1
            seen["max"] = max(seen["max"], seen["now"])
        time.sleep(0.15)
        with lock:
            seen["now"] -= 1
        return Response(200, "ok")

    server.add(path, handler)
    return seen


def test_per_host_limit_is_respected_at_the_server(server):
    seen = _concurrency_probe(server, "/slow")

    async def scenario():  # noqa: ANN202
        http = _http(per_host_limit=2)
        try:
            await asyncio.gather(*(http.get(server.url("/slow")) for _ in range(8)))
        finally:
            await http.aclose()

    _run(scenario())
    assert len(server.hits("/slow")) == 8
    assert seen["max"] == 2


def test_the_limit_is_per_host(server):
    seen = _concurrency_probe(server, "/slow")
    other_name = f"http://localhost:{server.port}/slow"  # same server, another host name

    async def scenario():  # noqa: ANN202
        http = _http(per_host_limit=1)
        try:
            await asyncio.gather(
                *(http.get(server.url("/slow")) for _ in range(3)), *(http.get(other_name) for _ in range(3))
            )
        finally:
            await http.aclose()

    _run(scenario())
    assert seen["max"] == 2


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(
            lambda t: {"x-ratelimit-remaining": "0", "x-ratelimit-reset": _iso(t)}, id="mastodon-iso"
        ),
        pytest.param(
            lambda t: {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(int(t) + 1)}, id="x-unix"
        ),
        pytest.param(lambda t: {"ratelimit-remaining": "0", "ratelimit-reset": "1"}, id="ietf-delta"),
    ],
)
def test_an_exhausted_rate_limit_budget_waits_for_the_reset(server, headers):
    def first(req: Request) -> Response:
        return Response(200, "page 1", headers(time.time() + 1))

    server.add("/api", first, Response(200, "page 2"))

    async def scenario():  # noqa: ANN202
        http = _http()
        try:
            await http.get(server.url("/api"))
            started = time.monotonic()
            second = await http.get(server.url("/api"))
            return second, time.monotonic() - started
        finally:
            await http.aclose()

    second, waited = _run(scenario())
    assert second.text == "page 2" and waited >= 0.5


def _iso(t: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(t, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def test_retry_after_forms_are_read():
    now = 1_800_000_000.0

    def wait(**headers: str) -> float | None:
        return retry_after_seconds(httpx.Response(429, headers=headers), now=now)

    assert wait(**{"retry-after": "120"}) == 120
    assert wait(**{"retry-after": formatdate(now + 30, usegmt=True)}) == pytest.approx(30)
    assert wait(**{"x-ratelimit-reset": "2027-01-15T08:00:30.000Z"}) == pytest.approx(30)  # Mastodon
    assert wait(**{"x-rate-limit-reset": str(int(now) + 45)}) == pytest.approx(45)  # X: unix seconds
    assert wait(**{"ratelimit-reset": "7"}) == 7  # IETF draft: a delta
    assert wait(**{"retry-after": "soon", "x-ratelimit-reset": "5"}) == 5  # garbage falls through
    assert wait(**{"retry-after": formatdate(now - 60, usegmt=True)}) == 0  # a date in the past: now
    assert wait() is None


def test_expected_non_200_statuses_are_returned(server):
    server.add("/feed", Response(304, b""))
    response = _run(_get(_http(), server.url("/feed"), expect=(200, 304)))
    assert response.status_code == 304


def test_post_sends_json_and_returns_the_answer(server):
    server.add("/xrpc/login", lambda req: Response(200, {"echo": req.json()}), method="POST")

    async def scenario():  # noqa: ANN202
        http = _http()
        try:
            return await http.post(server.url("/xrpc/login"), json={"identifier": "茅野市"})
        finally:
            await http.aclose()

    assert _run(scenario()).json() == {"echo": {"identifier": "茅野市"}}


def test_gzip_bodies_are_decoded(server):
    import gzip

    server.add("/gz", Response(200, gzip.compress("茅野市".encode()), {"Content-Encoding": "gzip"}))
    response = _run(_get(_http(), server.url("/gz")))
    assert response.content.decode() == "茅野市" and "content-encoding" not in response.headers
