"""Helpers for collector tests that go through the `kikimimi` CLI against tests/localserver.py.

To add a platform to the cross-source isolation check, describe its source as a `Case`
(the `[[sources]]` table, the server routes it needs, what the first collect must show) and
pass it to `check_collect_twice` together with the RSS cases from `rss_cases(server)`:

    cases = rss_cases(server) + [
        Case("bsky-replies", bluesky_toml(server), routes=..., new_posts=4),
        Case("bsky-down", bluesky_toml(server, "/down"), fails_with="HTTP 500"),
    ]
    check_collect_twice(tmp_path, db_url, server, cases, capsys)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from collector.cli import main
from collector.db import make_engine
from collector.store import FetchState, OfficialStatement, Post, Source
from tests.conftest import FIXTURES, write_settings
from tests.localserver import LocalServer, Response

RSS_TYPE = {"Content-Type": "application/rss+xml; charset=utf-8"}


@dataclass
class Case:
    """One source in a collect-twice check."""

    name: str
    toml: str  # its [[sources]] table
    routes: dict[str, list[Response | Callable]] = field(default_factory=dict)  # path → responses
    new_posts: int = 0  # posts the first collect stores (a healthy source)
    fails_with: str = ""  # a failing source: words its recorded error must contain
    status: int | None = None  # the HTTP status its health row must record, when there is one


def rss_toml(name: str, url: str, **extra: str) -> str:
    lines = [f'name = "{name}"', 'kind = "rss"', f'url = "{url}"', 'interval = "5m"']
    lines += [f'{k} = "{v}"' for k, v in extra.items()]
    return "[[sources]]\n" + "\n".join(lines) + "\n"


def cli(settings: Path | str, capsys: Any, *args: str, code: int = 0) -> str:
    """Run `kikimimi --settings S ARGS…` in process; returns what it printed to stdout."""
    capsys.readouterr()
    assert main(["--settings", str(settings), *args]) == code
    return capsys.readouterr().out


def status(settings: Path | str, capsys: Any) -> dict[str, dict]:
    """`kikimimi status --format json`, by source name."""
    return {s["name"]: s for s in json.loads(cli(settings, capsys, "status", "--format", "json"))}


def stored(db_url: str) -> dict[str, Any]:
    """Everything collectors write, read straight from the database."""
    engine = make_engine(db_url)
    try:
        with Session(engine) as s:
            sources = {r.id: r.name for r in s.exec(select(Source)).all()}
            return {
                "posts": [
                    (sources.get(p.source_id), p.platform, p.external_id) for p in s.exec(select(Post))
                ],
                "post_rows": s.exec(select(Post)).all(),
                "facts": s.exec(select(OfficialStatement)).all(),
                "states": {(sources[r.source_id], r.key): r for r in s.exec(select(FetchState)).all()},
            }
    finally:
        engine.dispose()


def rss_cases(server: LocalServer) -> list[Case]:
    """Two good feeds and four that fail in the ways real ones do: 500, 429, a timeout, garbage."""
    blog = (FIXTURES / "rss" / "blog_mentions.xml").read_bytes()
    news = (FIXTURES / "rss" / "google_news_search.xml").read_bytes()
    return [
        Case("blogs", rss_toml("blogs", server.url("/blogs.xml")),
             {"/blogs.xml": [Response(200, blog, {**RSS_TYPE, "ETag": '"b1"'})]}, new_posts=3),
        Case("news", rss_toml("news", server.url("/news.xml")),
             {"/news.xml": [Response(200, news, {**RSS_TYPE, "Last-Modified": "Tue, 24 Nov 2026 03:12:45 GMT"})]},
             new_posts=3),
        Case("down", rss_toml("down", server.url("/down.xml")),
             {"/down.xml": [Response(500, "<html><body><h1>Internal Server Error</h1></body></html>")]},
             fails_with="HTTP 500", status=500),
        Case("limited", rss_toml("limited", server.url("/limited.xml")),
             {"/limited.xml": [Response(429, "Too Many Requests", {"Retry-After": "3600"})]},
             fails_with="HTTP 429", status=429),
        Case("slow", rss_toml("slow", server.url("/slow.xml")),
             {"/slow.xml": [Response(200, blog, RSS_TYPE, delay=3)]}, fails_with="timeout"),
        Case("garbage", rss_toml("garbage", server.url("/garbage.xml")),
             {"/garbage.xml": [Response(200, b"\x00\x01\xff<<<not a feed", {"Content-Type": "text/html"})]},
             fails_with="not a readable feed"),
    ]  # fmt: skip


def check_collect_twice(
    tmp_path: Path, db_url: str, server: LocalServer, cases: list[Case], capsys: Any, timeout: float = 0.5
) -> dict[str, dict]:
    """`kikimimi collect --once` twice: healthy sources store their posts exactly once, failing
    ones are recorded as failing with a message that names them, and neither run stops early.
    Returns the final `status` by source name."""
    for case in cases:
        for path, responses in case.routes.items():
            server.add(path, *responses)
    settings = write_settings(
        tmp_path / "settings.toml", db_url, "\n".join(c.toml for c in cases), timeout=timeout
    )
    first = cli(settings, capsys, "collect", "--once")
    for case in cases:
        if not case.fails_with:
            assert f"{case.name}: ok new_posts={case.new_posts} " in first, first
    cli(settings, capsys, "collect", "--once")
    health = status(settings, capsys)
    rows = stored(db_url)
    keys = [(platform, eid) for _, platform, eid in rows["posts"]]
    assert len(keys) == len(set(keys))  # nothing stored twice
    expected = sum(c.new_posts for c in cases)
    assert len(keys) == expected, (len(keys), expected)
    for case in cases:
        h = health[case.name]
        if case.fails_with:
            assert h["last_result"] == "error", h
            assert h["consecutive_failures"] == 2, h
            assert h["last_error"].startswith(f"source '{case.name}': "), h
            assert case.fails_with in h["last_error"], h
            assert h["next_run_at"] and h["last_success_at"] is None
            if case.status:
                assert h["last_status"] == case.status
        else:
            assert h["last_result"] in ("ok", "not_modified"), h
            assert h["consecutive_failures"] == 0 and h["items_total"] == case.new_posts, h
    return health
