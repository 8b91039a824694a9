"""`kikimimi collect --once` twice against local servers: each post stored once; a source that
fails (5xx, 429, timeout, garbage) is recorded as failing while all the others still collect.

Platform collectors join this check by adding their `Case`s (see tests/collectors/isolation.py).
"""

from __future__ import annotations

from collector.cli import main
from tests.collectors.isolation import check_collect_twice, cli, rss_cases, status, stored
from tests.conftest import write_settings


def test_collect_twice_stores_each_post_once_and_isolates_failing_sources(tmp_path, db_url, server, capsys):
    health = check_collect_twice(tmp_path, db_url, server, rss_cases(server), capsys)

    assert "HTTP 500 from 127.0.0.1" in health["down"]["last_error"]
    assert (
        "Internal Server Error" in health["down"]["last_error"] and "<h1>" not in health["down"]["last_error"]
    )
    assert health["down"]["last_error"].endswith("the server is failing; kikimimi retries with backoff")
    assert "retry after 3600s" in health["limited"]["last_error"]
    assert "raise [http].timeout" in health["slow"]["last_error"]
    assert "check [[sources]].url in settings.toml" in health["garbage"]["last_error"]
    # the server asked for an hour: the source is not due before then, whatever the backoff says
    assert health["limited"]["next_run_at"] > health["down"]["next_run_at"]
    assert len(server.hits("/down.xml")) == 2 * 3  # per run: one try and two retries with backoff
    assert len(server.hits("/limited.xml")) == 2  # a long Retry-After is not waited out in place
    # the second run sent conditional requests for what the first stored
    assert server.hits("/blogs.xml")[1].headers.get("if-none-match") == '"b1"'
    assert server.hits("/news.xml")[1].headers.get("if-modified-since") == "Tue, 24 Nov 2026 03:12:45 GMT"


def test_every_collected_post_reaches_analysis(tmp_path, db_url, server, capsys):
    health = check_collect_twice(tmp_path, db_url, server, rss_cases(server), capsys)
    settings = tmp_path / "settings.toml"
    out = cli(settings, capsys, "analyze")
    total = sum(h["items_total"] for h in health.values())
    assert out.startswith(f"analysed {total} posts")
    rows = stored(db_url)["post_rows"]
    assert all(p.analyzed_at is not None and p.relevant is not None for p in rows)
    assert cli(settings, capsys, "analyze").startswith("analysed 0 posts")


def test_failing_source_recovers_and_its_posts_arrive_once(tmp_path, db_url, server, capsys):
    cases = rss_cases(server)
    check_collect_twice(tmp_path, db_url, server, cases, capsys)
    settings = tmp_path / "settings.toml"
    blog = server.routes[("GET", "/blogs.xml")][0]
    server.add("/down.xml", blog)  # back up, serving the same items another source already stored
    server.add("/garbage.xml", server.routes[("GET", "/news.xml")][0])
    out = cli(settings, capsys, "collect", "--once", "--source", "down")
    assert "down: ok new_posts=0" in out  # same guids, same feed host: already stored
    out = cli(settings, capsys, "collect", "--once", "--source", "garbage")
    assert "garbage: ok new_posts=0" in out
    rows = stored(db_url)
    assert len(rows["posts"]) == 6
    health = status(settings, capsys)
    assert health["down"]["consecutive_failures"] == 0 and health["down"]["last_error"] is None
    assert health["down"]["last_success_at"]


def test_collect_once_for_an_unknown_source_names_the_known_ones(tmp_path, sqlite_url, server, capsys):
    settings = write_settings(tmp_path / "s.toml", sqlite_url, rss_cases(server)[0].toml)
    assert main(["--settings", str(settings), "collect", "--once", "--source", "nope"]) == 2
    assert "no [[sources]] named 'nope' (known: blogs)" in capsys.readouterr().err
