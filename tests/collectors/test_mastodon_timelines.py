"""Mastodon hashtags and search through `kikimimi collect`: recorded answers and a local instance."""

from __future__ import annotations

import json
from pathlib import Path

from tests.collectors.mastodon_fake import FIXTURES, Account, FakeMastodon, error, recorded, recorded_json
from tests.collectors.readback import collect, status, stored_posts
from tests.conftest import write_settings
from tests.localserver import Response

TOKEN_ENV = "KIKIMIMI_MASTODON_TOKEN"
CITY = Account("117025600270510000", "chino_city", display_name="茅野市")
RESIDENT = Account("117025600270519001", "yamada", display_name="山田", note="<p>八ヶ岳が好き</p>")


def _settings(tmp_path: Path, db_url: str, base: str, keys: str) -> str:
    source = f"""
[[sources]]
name = "mstdn"
kind = "mastodon"
base_url = "{base}"
interval = "10m"
token_env = "{TOKEN_ENV}"
{keys}
"""
    return str(write_settings(tmp_path / "settings.toml", db_url, source))


def test_recorded_hashtag_timeline_is_stored_and_the_next_run_asks_only_for_newer(
    tmp_path, sqlite_url, server, capsys
):
    page = recorded("test_hashtag_tl", 2, server)  # real answer: one Japanese status, Link, X-RateLimit-*
    empty = Response(
        200, [], {"X-RateLimit-Remaining": "298", "X-RateLimit-Reset": "2026-08-01T14:00:00.07Z"}
    )
    server.add("/api/v1/timelines/tag/hoot", page, empty)
    server.add("/api/v2/instance", recorded("test_instance", 0))
    settings = _settings(tmp_path, sqlite_url, server.url(""), 'hashtags = ["#hoot"]')

    assert "mstdn: ok new_posts=1" in collect(settings, capsys)
    assert "mstdn: ok new_posts=0" in collect(settings, capsys)
    first, second = server.hits("/api/v1/timelines/tag/hoot")
    assert first.arg("limit") == "40" and first.arg("min_id") is None
    assert second.arg("min_id") == "117020593741189701"  # forward from the newest seen, no gap
    post = next(iter(stored_posts(sqlite_url, "mastodon").values()))
    assert post.external_id == "http://localhost:3000/ap/users/117020566092212359/statuses/117020593741189701"
    assert post.text == "#hoot (hashtag toot)" and post.language == "ja"
    assert post.url == "http://localhost:3000/@mastodonpy_test_2/117020593741189701"
    assert post.author == f"mastodonpy_test_2@127.0.0.1:{server.port}"


def test_hashtag_paging_walks_forward_without_gaps_across_runs(tmp_path, sqlite_url, server, capsys):
    fake = FakeMastodon(server)
    fake.account(RESIDENT)
    for i in range(30):
        fake.status(f"11702600000{i:05d}", RESIDENT, f"<p>#茅野 の話 {i}</p>", 500 - i, tags=("茅野",))
    settings = _settings(tmp_path, sqlite_url, fake.base, 'hashtags = ["茅野"]\nmax_pages = 2')
    assert "mstdn: ok new_posts=30" in collect(settings, capsys)
    assert server.hits("/api/v1/timelines/tag/%E8%8C%85%E9%87%8E")  # the tag, percent-encoded UTF-8

    for i in range(30, 120):
        fake.status(f"11702600000{i:05d}", RESIDENT, f"<p>#茅野 の話 {i}</p>", 500 - i, tags=("茅野",))
    assert "mstdn: ok new_posts=80" in collect(settings, capsys)  # two pages this run ...
    assert "mstdn: ok new_posts=10" in collect(settings, capsys)  # ... the rest on the next
    texts = {p.text for p in stored_posts(sqlite_url, "mastodon").values()}
    assert texts == {f"#茅野 の話 {i}" for i in range(120)}


def test_a_boost_stores_the_original_once_and_an_edit_as_it_reads_now(tmp_path, sqlite_url, server, capsys):
    fake = FakeMastodon(server)
    original = recorded_json("test_status_reblog_unreblog", 0)  # the status ...
    boost = recorded_json("test_status_reblog_unreblog", 1)  # ... and its boost wrapper
    edited = recorded_json("test_status_edit", 3)  # a status after PUT: edited_at set
    for st in (original, boost, edited):
        fake.add(st)
        fake.tag("hoot").append(st["id"])
    settings = _settings(tmp_path, sqlite_url, fake.base, 'hashtags = ["hoot"]')

    assert "mstdn: ok new_posts=2" in collect(settings, capsys)
    posts = stored_posts(sqlite_url, "mastodon")
    assert set(posts) == {original["uri"], edited["uri"]}
    assert boost["uri"] not in posts and boost["uri"].endswith("/activity")
    assert (
        edited["edited_at"]
        and posts[edited["uri"]].text
        == "the best editor? why, of course it is the KDE Advanced Text Editor, Kate"
    )


def test_replies_in_hashtags_link_to_their_parents_by_uri(tmp_path, sqlite_url, server, capsys):
    fake = FakeMastodon(server)
    fake.account(CITY)
    fake.account(RESIDENT)
    city_post = fake.status("117026100000000001", CITY, "<p>除雪のお知らせ</p>", 300)
    reply = fake.status(
        "117026100000000002",
        RESIDENT,
        "<p>#茅野 うちの前も</p>",
        200,
        reply_to=city_post["id"],
        tags=("茅野",),
    )
    orphan = fake.status("117026100000000003", RESIDENT, "<p>#茅野 それな</p>", 100, tags=("茅野",))
    orphan["in_reply_to_id"] = "0"  # a parent that is gone: the recorded 404
    server.add("/api/v1/statuses/0", recorded("test_status_missing", 0))
    settings = _settings(tmp_path, sqlite_url, fake.base, 'hashtags = ["茅野"]\naccounts = ["chino_city"]')

    collect(settings, capsys)
    posts = stored_posts(sqlite_url, "mastodon")
    assert posts[reply["uri"]].in_reply_to == city_post["uri"]
    assert posts[reply["uri"]].reply_to_official and posts[city_post["uri"]].is_official
    assert posts[orphan["uri"]].in_reply_to is None
    assert server.hits("/api/v1/statuses/0")


def test_search_runs_only_with_a_token_and_its_absence_is_a_note_not_a_failure(
    tmp_path, sqlite_url, server, capsys, monkeypatch
):
    fake = FakeMastodon(server)
    fake.account(RESIDENT)
    hit = fake.status("117026200000000001", RESIDENT, "<p>茅野市の図書館で勉強</p>", 30)
    fake.searchable.append(hit["id"])
    settings = _settings(tmp_path, sqlite_url, fake.base, 'query = ["茅野市"]\nhashtags = ["茅野"]')

    collect(settings, capsys)
    health = status(settings, capsys)["mstdn"]
    assert health["last_result"] == "ok" and TOKEN_ENV in health["last_error"]
    assert not server.hits("/api/v2/search")

    monkeypatch.setenv(TOKEN_ENV, fake.token)
    assert "mstdn: ok new_posts=1" in collect(settings, capsys)
    search = server.hits("/api/v2/search")[-1]
    assert search.arg("type") == "statuses" and search.headers["authorization"] == f"Bearer {fake.token}"
    collect(settings, capsys)
    assert server.hits("/api/v2/search")[-1].arg("min_id") == hit["id"]


def test_a_search_only_source_without_token_is_disabled_naming_the_variable(tmp_path, sqlite_url, capsys):
    settings = _settings(tmp_path, sqlite_url, "https://mstdn.jp", 'query = ["茅野市"]')
    collect(settings, capsys)
    health = status(settings, capsys)["mstdn"]
    assert health["last_result"] == "disabled" and TOKEN_ENV in health["last_error"]


def test_recorded_empty_search_answer_is_fine(tmp_path, sqlite_url, server, capsys, monkeypatch):
    server.add("/api/v2/search", recorded("test_search", 2))  # 4.6: statuses [] and a `collections` key
    monkeypatch.setenv(TOKEN_ENV, "token-for-a-server-without-full-text-search")
    settings = _settings(tmp_path, sqlite_url, server.url(""), 'query = ["茅野市"]')
    assert "mstdn: ok new_posts=0" in collect(settings, capsys)


def test_closed_hashtag_feeds_are_explained(tmp_path, sqlite_url, server, capsys):
    fake = FakeMastodon(server)
    live = json.loads(recorded("test_timeline_disabled", 1).body)  # mastodon.social, recorded
    assert live["configuration"]["timelines_access"]["hashtag_feeds"]["local"] == "public"
    fake.instance = live
    settings = _settings(tmp_path, sqlite_url, fake.base, 'hashtags = ["茅野"]')
    collect(settings, capsys)
    assert server.hits("/api/v1/timelines/tag/%E8%8C%85%E9%87%8E")  # public: read

    closed = json.loads(json.dumps(live))
    closed["configuration"]["timelines_access"]["hashtag_feeds"] = {"local": "disabled", "remote": "disabled"}
    fake.instance = closed
    before = len(server.requests)
    collect(settings, capsys)
    assert "hashtag timelines disabled" in status(settings, capsys)["mstdn"]["last_error"]
    assert not [r for r in server.requests[before:] if r.path.startswith("/api/v1/timelines")]


def test_rate_limit_and_refused_token_are_recorded_as_failures(
    tmp_path, sqlite_url, server, capsys, monkeypatch
):
    reset = "2099-01-01T00:00:00.000Z"  # shaped per the docs: no recorded Mastodon 429 exists
    limited = Response(
        429,
        {"error": "Too many requests"},
        {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset},
    )
    server.add("/api/v2/instance", error(404, "Not found"))
    server.add("/api/v1/timelines/tag/hoot", limited)
    settings = _settings(tmp_path, sqlite_url, server.url(""), 'hashtags = ["hoot"]')
    collect(settings, capsys)
    health = status(settings, capsys)["mstdn"]
    assert health["last_result"] == "error" and health["last_status"] == 429
    assert health["next_run_at"] > "2098"  # not before the reset the server named

    server.add("/api/v1/timelines/tag/hoot", recorded("test_unauthed_home_tl_throws", 1))  # 401, recorded
    monkeypatch.setenv(TOKEN_ENV, "a-revoked-token")
    collect(settings, capsys)  # --once runs every source, due or not
    health = status(settings, capsys)["mstdn"]
    assert health["last_status"] == 401 and "access token is invalid" in health["last_error"]
    assert "a-revoked-token" not in health["last_error"]


def test_a_recorded_local_reply_maps_to_a_post_with_a_global_author():
    from collector.sources.mastodon_posts import Officials, status_to_post

    reply = json.loads((FIXTURES / "status_context_local.json").read_text("utf-8"))["descendants"][0]
    post = status_to_post(reply, "localhost:3001", Officials())
    assert (
        post.external_id == "https://localhost:3001/ap/users/116266741324121431/statuses/116266784787341685"
    )
    assert post.author == "testadmin@localhost:3001" and post.text == "This is a reply for testing context"
    assert post.language == "en" and post.created_at is not None
    assert not post.is_official and not post.reply_to_official and post.in_reply_to is None  # set by the run
