"""A failing source is recorded on its health and never stops the others; nothing is lost or doubled."""

from __future__ import annotations

import json

from collector.cli import main
from tests.conftest import FIXTURES, write_settings
from tests.localserver import Response

FEED = (FIXTURES / "rss" / "blog_mentions.xml").read_bytes()
RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}


def _sources(server, names_paths):  # noqa: ANN001
    return "\n".join(
        f'[[sources]]\nname = "{n}"\nkind = "rss"\nurl = "{server.url(p)}"\ninterval = "5m"\n'
        for n, p in names_paths
    )


def test_failing_sources_are_recorded_while_others_collect(tmp_path, db_url, server, capsys):
    server.add("/ok.xml", Response(200, FEED, RSS))
    server.add("/5xx.xml", Response(503, "maintenance"))
    server.add("/429.xml", Response(429, "slow down", {"Retry-After": "3600"}))
    server.add(
        "/garbage.xml", Response(200, b"\x00\x01 this is not a feed <<<", {"Content-Type": "text/html"})
    )
    server.add("/slow.xml", Response(200, FEED, RSS, delay=2))
    settings = write_settings(
        tmp_path / "s.toml",
        db_url,
        _sources(
            server,
            [
                ("ok", "/ok.xml"),
                ("down", "/5xx.xml"),
                ("limited", "/429.xml"),
                ("garbage", "/garbage.xml"),
                ("slow", "/slow.xml"),
            ],
        ),
        timeout=0.5,
    )
    assert main(["--settings", str(settings), "collect", "--once"]) == 0
    out = capsys.readouterr().out
    assert "ok: ok new_posts=3" in out

    assert main(["--settings", str(settings), "status", "--format", "json"]) == 0
    status = {s["name"]: s for s in json.loads(capsys.readouterr().out)}
    assert status["ok"]["last_result"] == "ok" and status["ok"]["items_last"] == 3
    for name in ("down", "limited", "garbage", "slow"):
        assert status[name]["last_result"] == "error", name
        assert status[name]["consecutive_failures"] == 1
        assert status[name]["last_error"]
    assert "503" in status["down"]["last_error"]
    assert status["limited"]["last_status"] == 429
    assert "timeout" in status["slow"]["last_error"]
    assert "not a readable feed" in status["garbage"]["last_error"]
    # the 429 asked for an hour: the source is not tried again before that
    assert status["limited"]["next_run_at"] > status["ok"]["next_run_at"]
    assert len(server.hits("/5xx.xml")) == 3  # one try and two retries with backoff

    # the broken sources recover: their posts arrive once, the good source adds nothing twice
    server.add("/5xx.xml", Response(200, FEED, RSS))
    assert main(["--settings", str(settings), "collect", "--once", "--source", "down"]) == 0
    assert main(["--settings", str(settings), "collect", "--once"]) == 0
    capsys.readouterr()
    assert main(["--settings", str(settings), "export", "posts"]) == 0
    posts = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert len(posts) == 3  # same guids from two sources: still stored once


def test_analyze_is_incremental(tmp_path, sqlite_url, server, capsys):
    server.add("/ok.xml", Response(200, FEED, RSS))
    settings = write_settings(tmp_path / "s.toml", sqlite_url, _sources(server, [("ok", "/ok.xml")]))
    main(["--settings", str(settings), "collect", "--once"])
    main(["--settings", str(settings), "analyze"])
    assert "analysed 3 posts" in capsys.readouterr().out
    main(["--settings", str(settings), "analyze"])
    assert "analysed 0 posts" in capsys.readouterr().out
