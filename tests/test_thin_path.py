"""The whole pipe, end to end: a feed on a local server → stored posts → alert → export → dashboard."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from collector.cli import main
from tests.conftest import FIXTURES, write_settings
from tests.localserver import Response

FEED = (FIXTURES / "rss" / "blog_mentions.xml").read_bytes()


def _settings(tmp_path: Path, db_url: str, server) -> Path:  # noqa: ANN001
    server.add(
        "/feed.xml",
        Response(200, FEED, {"Content-Type": "application/rss+xml; charset=utf-8", "ETag": '"v1"'}),
    )
    return write_settings(
        tmp_path / "settings.toml",
        db_url,
        sources=f"""
[[sources]]
name = "blogs"
kind = "rss"
url = "{server.url("/feed.xml")}"
interval = "5m"
""",
    )


def test_feed_to_alert_to_export_to_dashboard(tmp_path, db_url, server, capsys, monkeypatch, request):
    settings = str(_settings(tmp_path, db_url, server))

    assert main(["--settings", settings, "init"]) == 0
    assert main(["--settings", settings, "collect", "--once"]) == 0
    assert "blogs: ok new_posts=3" in capsys.readouterr().out

    assert main(["--settings", settings, "collect", "--once"]) == 0
    out = capsys.readouterr().out
    assert "new_posts=0" in out  # the second run stores nothing new

    assert main(["--settings", settings, "analyze"]) == 0
    assert "3 posts" in capsys.readouterr().out

    assert main(["--settings", settings, "export", "alerts", "--format", "jsonl"]) == 0
    alerts = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    hostile = [a for a in alerts if a["kind"] == "hostility"]
    assert len(hostile) == 1
    # a short guid is only unique within its feed: it is qualified with the feed's host
    assert hostile[0]["external_id"] == f"127.0.0.1:{server.port}#blog-1002"
    assert hostile[0]["clause"] == "4(6)"
    assert hostile[0]["status"] == "new"
    assert {
        "id",
        "kind",
        "severity",
        "score",
        "clause",
        "reason",
        "status",
        "platform",
        "external_id",
        "created_at",
    } <= set(hostile[0])

    assert main(["--settings", settings, "export", "posts", "--format", "jsonl"]) == 0
    posts = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(posts) == 3
    assert {p["external_id"] for p in posts} == {
        f"127.0.0.1:{server.port}#blog-{n}" for n in (1001, 1002, 1003)
    }
    assert all(p["source"] == "blogs" for p in posts)
    first = next(p for p in posts if p["external_id"].endswith("#blog-1001"))
    assert first["title"] == "蓼科の紅葉を見に行きました"
    assert "<p>" not in first["text"] and "蓼科湖周辺は紅葉" in first["text"]

    monkeypatch.setenv("KIKIMIMI_SETTINGS", settings)
    from streamlit import config as st_config

    old_address = st_config.get_option("server.address")
    st_config.set_option("server.address", "127.0.0.1")  # as `kikimimi dashboard` binds it
    request.addfinalizer(lambda: st_config.set_option("server.address", old_address))
    app = AppTest.from_file(
        str(Path(__file__).parent.parent / "dashboard" / "app.py"), default_timeout=30
    ).run()
    assert not app.exception
    from tests.dashboard.conftest import texts

    shown = texts(app)
    assert "税金泥棒" in shown
    assert "攻撃的投稿" in shown


def test_second_collect_sends_conditional_get(tmp_path, sqlite_url, server):
    settings = str(_settings(tmp_path, sqlite_url, server))
    assert main(["--settings", settings, "collect", "--once"]) == 0
    assert main(["--settings", settings, "collect", "--once"]) == 0
    second = server.hits("/feed.xml")[1]
    assert second.headers.get("if-none-match") == '"v1"'
