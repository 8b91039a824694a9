"""Posts and the ETag/cursor that covers them are saved in one transaction: a crash or an error in
the middle of saving a batch leaves neither, and the next run stores the posts exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from collector.cli import main
from tests.collectors.isolation import RSS_TYPE, cli, rss_toml, status, stored
from tests.conftest import FIXTURES, write_settings
from tests.localserver import Response

FEED = (FIXTURES / "rss" / "blog_mentions.xml").read_bytes()
ROOT = Path(__file__).resolve().parents[2]

# Dies (no exception handler, no rollback, no atexit) right after the posts were inserted and
# before the feed's ETag is written: what a power cut or `kill -9` at that moment leaves.
CRASH_AFTER_POSTS = """
import os, sys
import collector.pipeline as pipeline

insert = pipeline.insert_ignoring_duplicates

def insert_then_die(session, table, rows, *args, **kwargs):
    ids = insert(session, table, rows, *args, **kwargs)
    if table.__name__ == "Post" and ids:
        session.flush()
        os._exit(137)
    return ids

pipeline.insert_ignoring_duplicates = insert_then_die
from collector.cli import main
sys.exit(main(["--settings", sys.argv[1], "collect", "--once"]))
"""


def _settings(tmp_path: Path, db_url: str, server) -> Path:  # noqa: ANN001
    server.add("/feed.xml", Response(200, FEED, {**RSS_TYPE, "ETag": '"v1"'}))
    return write_settings(tmp_path / "settings.toml", db_url, rss_toml("blogs", server.url("/feed.xml")))


def test_a_crash_while_saving_leaves_neither_posts_nor_etag(tmp_path, db_url, server, capsys):
    settings = _settings(tmp_path, db_url, server)
    assert main(["--settings", str(settings), "init"]) == 0
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    crashed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(CRASH_AFTER_POSTS), str(settings)],
        env=env,
        capture_output=True,
        timeout=60,
    )
    assert crashed.returncode == 137, crashed.stderr.decode()[-2000:]
    assert len(server.hits("/feed.xml")) == 1

    rows = stored(db_url)
    assert rows["posts"] == [] and rows["states"] == {}  # the crash took the whole batch with it

    out = cli(settings, capsys, "collect", "--once")
    assert "blogs: ok new_posts=3" in out
    # no ETag was kept for posts that were never saved
    assert "if-none-match" not in server.hits("/feed.xml")[1].headers
    out = cli(settings, capsys, "collect", "--once")
    assert "blogs: ok new_posts=0" in out
    assert server.hits("/feed.xml")[2].headers.get("if-none-match") == '"v1"'
    rows = stored(db_url)
    assert len(rows["posts"]) == 3
    assert rows["states"][("blogs", server.url("/feed.xml"))].etag == '"v1"'


def test_an_error_while_saving_is_recorded_and_nothing_half_saved(
    tmp_path, db_url, server, capsys, monkeypatch
):
    import collector.pipeline as pipeline

    settings = _settings(tmp_path, db_url, server)

    def disk_full(*args, **kwargs):  # fails after the posts were inserted, before the ETag
        raise OSError("disk full")

    monkeypatch.setattr(pipeline, "_save_facts", disk_full)
    out = cli(settings, capsys, "collect", "--once")
    assert "blogs: error" in out and "could not store 3 posts: OSError: disk full" in out
    rows = stored(db_url)
    assert rows["posts"] == [] and rows["states"] == {}
    health = status(settings, capsys)["blogs"]
    assert health["last_result"] == "error" and health["consecutive_failures"] == 1
    assert "nothing of it was kept" in health["last_error"]

    monkeypatch.undo()
    assert "blogs: ok new_posts=3" in cli(settings, capsys, "collect", "--once")
    assert "blogs: ok new_posts=0" in cli(settings, capsys, "collect", "--once")
    assert len(stored(db_url)["posts"]) == 3


def test_not_modified_keeps_the_state_and_stores_nothing(tmp_path, db_url, server, capsys):
    settings = _settings(tmp_path, db_url, server)
    server.add(
        "/feed.xml",
        Response(200, FEED, {**RSS_TYPE, "ETag": '"v1"', "Last-Modified": "Mon, 23 Nov 2026 12:00:00 GMT"}),
        Response(304, b"", {"ETag": '"v1"'}),
    )
    assert "blogs: ok new_posts=3" in cli(settings, capsys, "collect", "--once")
    assert "blogs: not_modified new_posts=0" in cli(settings, capsys, "collect", "--once")
    assert "blogs: not_modified new_posts=0" in cli(settings, capsys, "collect", "--once")
    third = server.hits("/feed.xml")[2].headers
    assert third.get("if-none-match") == '"v1"'  # the 304 did not wipe what the 200 taught us
    assert third.get("if-modified-since") == "Mon, 23 Nov 2026 12:00:00 GMT"
    state = stored(db_url)["states"][("blogs", server.url("/feed.xml"))]
    assert (state.etag, state.last_modified) == ('"v1"', "Mon, 23 Nov 2026 12:00:00 GMT")
    health = status(settings, capsys)["blogs"]
    assert (
        health["last_result"] == "not_modified" and health["items_last"] == 0 and health["items_total"] == 3
    )
