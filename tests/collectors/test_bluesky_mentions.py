"""Bluesky mentions: Jetstream without a login, searchPosts with an app password; through the CLI."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlmodel import Session, select

from collector.db import make_engine
from collector.store import FetchState
from tests.collectors.bsky_fake import CITY_DID, CITY_HANDLE, FakeBluesky, Person, load, post_view, uri
from tests.collectors.jetstream_server import (
    JetstreamServer,
    account_event,
    delete_event,
    identity_event,
    now_us,
    post_event,
)
from tests.collectors.readback import collect, status, stored_posts
from tests.conftest import write_settings

PASSWORD_ENV = "KIKIMIMI_BSKY_APP_PASSWORD"
MIYA = Person(
    "did:plc:m1ya4b6d8f2h4k6m8p2r4t6v", "miya-chino.bsky.social", "みや", "茅野在住。市の臨時職員です。"
)
TARO = Person("did:plc:t4r0c6e8g2j4l6n8q2s4u6w8", "taro.bsky.social", "Taro", "traveller")
NOBODY = "did:plc:n0b0dy2c4e6g8j2l4n6q8s2u"


@pytest.fixture
def jetstream():  # noqa: ANN201
    with JetstreamServer() as js:
        yield js


def _settings(tmp_path: Path, db_url: str, base_url: str, extra: str) -> str:
    source = f"""
[[sources]]
name = "bsky"
kind = "bluesky"
base_url = "{base_url}"
query = ["茅野市"]
accounts = ["{CITY_HANDLE}"]
interval = "1m"
{extra}
"""
    return str(write_settings(tmp_path / "settings.toml", db_url, source))


def _stream_day(js: JetstreamServer) -> dict[str, str]:
    """Frames as Jetstream sends them: posts that concern the city among others, deletes,
    identity and account events, and one frame that is not JSON."""
    t = now_us() - 100_000  # since the last run
    official_post = uri(CITY_DID, "3lbcitypost01")
    frames = [
        post_event(MIYA.did, "3lbhanabi0001", t + 1, {"text": "茅野市の花火大会、今年は8月15日だって", "langs": ["ja"],
                                                       "createdAt": "2026-11-24T09:00:00.000Z"}),
        post_event(TARO.did, "3lbwidth00001", t + 2, {"text": "Visited Ｃｈｉｎｏ　Ｃｉｔｙ today!", "langs": ["en"],
                                                       "createdAt": "2026-11-24T09:00:01.000Z"}),
        post_event(NOBODY, "3lbunrelated1", t + 3, {"text": "今日は松本城に行った", "createdAt": "2026-11-24T09:00:02Z"}),
        post_event(MIYA.did, "3lbreply00001", t + 4, {
            "text": "了解です、東側に停めます", "createdAt": "2026-11-24T09:00:03.000Z",
            "reply": {"root": {"uri": official_post, "cid": "bafyreiroot"},
                      "parent": {"uri": official_post, "cid": "bafyreiroot"}}}),
        post_event(TARO.did, "3lbmention001", t + 5, {
            "text": "@chino-city.bsky.social ゴミの日を教えて", "createdAt": "2026-11-24T09:00:04.000Z",
            "facets": [{"index": {"byteStart": 0, "byteEnd": 23},
                        "features": [{"$type": "app.bsky.richtext.facet#mention", "did": CITY_DID}]}]}),
        post_event(CITY_DID, "3lbcitypost02", t + 6, {"text": "本日の除雪情報です。", "createdAt": "2026-11-24T09:00:05Z"}),
        post_event(NOBODY, "3lbcard000001", t + 7, {
            "text": "", "createdAt": "2026-11-24T09:00:06.000Z",
            "embed": {"$type": "app.bsky.embed.external",
                      "external": {"uri": "https://www.city.chino.lg.jp/news/1", "title": "茅野市 新着情報",
                                   "description": ""}}}),
        delete_event(MIYA.did, "3lbold0000001", t + 8),
        identity_event(TARO.did, "taro.bsky.social", t + 9),
        account_event(NOBODY, t + 10, active=False),
        "this frame is not JSON {",
        {"did": NOBODY, "time_us": t + 11, "kind": "commit",
         "commit": {"rev": "x", "operation": "create", "collection": "app.bsky.feed.like", "rkey": "3lblike",
                    "record": {"subject": {"uri": official_post}}}},
    ]  # fmt: skip
    js.events.extend(frames)
    return {
        "hanabi": uri(MIYA.did, "3lbhanabi0001"),
        "width": uri(TARO.did, "3lbwidth00001"),
        "reply": uri(MIYA.did, "3lbreply00001"),
        "mention": uri(TARO.did, "3lbmention001"),
        "city": uri(CITY_DID, "3lbcitypost02"),
        "card": uri(NOBODY, "3lbcard000001"),
        "official_post": official_post,
    }


def test_jetstream_keeps_what_concerns_the_city_and_resumes_from_its_cursor(
    tmp_path, db_url, server, jetstream, capsys
):
    fake = FakeBluesky(server)
    fake.people += [MIYA, TARO]
    settings = _settings(tmp_path, db_url, server.url(""), f'stream_url = "{jetstream.url}"')

    assert "bsky: ok new_posts=0" in collect(settings, capsys)  # first run: the live tail only
    first = jetstream.requests[0]
    assert first["wantedCollections"] == ["app.bsky.feed.post"] and "cursor" not in first
    assert jetstream.user_agents[0].startswith("kikimimi/")

    ids = _stream_day(jetstream)
    assert "bsky: ok new_posts=6" in collect(settings, capsys)
    second = int(jetstream.requests[1]["cursor"][0])
    posts = stored_posts(db_url, "bluesky")
    assert set(posts) == {ids[k] for k in ("hanabi", "width", "reply", "mention", "city", "card")}
    hanabi = posts[ids["hanabi"]]
    assert hanabi.author == MIYA.handle and hanabi.author_description == "茅野在住。市の臨時職員です。"
    assert hanabi.url == f"https://bsky.app/profile/{MIYA.handle}/post/3lbhanabi0001"
    assert hanabi.language == "ja" and hanabi.created_at.year == 2026
    reply = posts[ids["reply"]]
    assert reply.reply_to_official and reply.in_reply_to == reply.thread_root == ids["official_post"]
    assert posts[ids["city"]].is_official and not posts[ids["city"]].reply_to_official
    assert posts[ids["card"]].title == "茅野市 新着情報" and posts[ids["card"]].author == NOBODY  # no profile

    # a restart resumes from the saved cursor (rewound 2 s: the overlap is stored once)
    later = post_event(TARO.did, "3lblater00001", now_us() - 1000, {"text": "茅野市の新しい図書館いいね",
                                                                    "createdAt": "2026-11-24T10:00:00Z"})  # fmt: skip
    jetstream.events.append(later)
    assert "bsky: ok new_posts=1" in collect(settings, capsys)
    engine = make_engine(db_url)
    with Session(engine) as session:
        saved = session.exec(select(FetchState).where(FetchState.key == "jetstream")).one()
    engine.dispose()
    third = int(jetstream.requests[2]["cursor"][0])
    assert second < third and third + 2_000_000 <= int(saved.cursor)
    assert len(stored_posts(db_url, "bluesky")) == 7


def test_identifier_without_password_watches_jetstream_and_names_the_env_variable(
    tmp_path, sqlite_url, server, jetstream, capsys
):
    FakeBluesky(server)
    settings = _settings(
        tmp_path,
        sqlite_url,
        server.url(""),
        f'stream_url = "{jetstream.url}"\nidentifier = "kouhou-bot.bsky.social"\ntoken_env = "CHINO_BSKY_PW"',
    )
    collect(settings, capsys)
    health = status(settings, capsys)["bsky"]
    assert health["last_result"] == "ok"
    assert "CHINO_BSKY_PW" in health["last_error"] and "Jetstream" in health["last_error"]
    assert len(jetstream.requests) == 1
    assert not server.hits("/xrpc/com.atproto.server.createSession")


def test_search_logs_in_once_pages_with_cursor_and_resumes_since_the_last_run(
    tmp_path, sqlite_url, server, jetstream, capsys, monkeypatch, caplog
):
    caplog.set_level(logging.DEBUG)
    fake = FakeBluesky(server)
    recorded = load("search-latest.json")  # real searchPosts items (placeholder ids, zeroed dates)
    fresh = post_view(MIYA, "3lbsearch0001", "茅野市の道の駅が新しくなった", 5)
    fake.search_pages = [[fresh], recorded]
    fake.people += [MIYA]
    monkeypatch.setenv(PASSWORD_ENV, fake.password)
    extra = f'identifier = "{fake.identifier}"\nauth_url = "{server.url("")}"\nstream_url = "{jetstream.url}"'
    settings = _settings(tmp_path, sqlite_url, server.url(""), extra)

    assert "bsky: ok new_posts=4" in collect(settings, capsys)
    searches = server.hits("/xrpc/app.bsky.feed.searchPosts")
    assert [(r.arg("q"), r.arg("sort"), r.arg("cursor"), r.arg("since")) for r in searches] == [
        ("茅野市", "latest", None, None),
        ("茅野市", "latest", "1", None),
    ]
    assert all(r.headers["authorization"] == f"Bearer {fake.access}" for r in searches)
    assert not jetstream.requests  # with a session, search replaces the stream

    fake.search_forbidden = True  # a fallback to the stream starts from the last search, not before
    collect(settings, capsys)
    fake.search_forbidden = False
    assert int(jetstream.requests[0]["cursor"][0]) > now_us() - 60_000_000

    assert "bsky: ok new_posts=0" in collect(settings, capsys)
    assert len(server.hits("/xrpc/com.atproto.server.createSession")) == 1  # the session is reused
    since = server.hits("/xrpc/app.bsky.feed.searchPosts")[-1].arg("since")
    assert since and since.endswith("Z") and since < fresh["indexedAt"]  # the last run, with an overlap

    fake.expire_next_search = True
    old_refresh = fake.refresh_token
    assert "bsky: ok" in collect(settings, capsys)
    refresh = server.hits("/xrpc/com.atproto.server.refreshSession")
    assert [r.headers["authorization"] for r in refresh] == [f"Bearer {old_refresh}"]
    assert (
        server.hits("/xrpc/app.bsky.feed.searchPosts")[-1].headers["authorization"] == f"Bearer {fake.access}"
    )

    secrets = (fake.password, fake.access, old_refresh, fake.refresh_token)
    shown = caplog.text + str(status(settings, capsys))
    assert not any(secret in shown for secret in secrets)
    engine = make_engine(sqlite_url)
    with Session(engine) as session:
        cursors = " ".join(s.cursor or "" for s in session.exec(select(FetchState)).all())
    engine.dispose()
    assert not any(secret in cursors for secret in secrets)


def test_refused_login_and_blocked_search_fall_back_to_jetstream_with_a_note(
    tmp_path, sqlite_url, server, jetstream, capsys, monkeypatch
):
    fake = FakeBluesky(server)
    extra = f'identifier = "{fake.identifier}"\nauth_url = "{server.url("")}"\nstream_url = "{jetstream.url}"'
    settings = _settings(tmp_path, sqlite_url, server.url(""), extra)

    monkeypatch.setenv(PASSWORD_ENV, "wrong-pass-word-here")
    collect(settings, capsys)
    health = status(settings, capsys)["bsky"]
    assert health["last_result"] == "ok" and "refused" in health["last_error"]
    assert PASSWORD_ENV in health["last_error"] and "wrong-pass-word-here" not in health["last_error"]
    assert len(jetstream.requests) == 1

    monkeypatch.setenv(PASSWORD_ENV, fake.password)
    fake.search_forbidden = True  # the AppView answers 403 with an HTML page, as it does for some clients
    collect(settings, capsys)
    health = status(settings, capsys)["bsky"]
    assert health["last_result"] == "ok" and "403" in health["last_error"]
    assert len(jetstream.requests) == 2


def test_unreachable_stream_fails_only_when_nothing_else_worked(tmp_path, sqlite_url, server, capsys):
    FakeBluesky(server)
    dead = 'stream_url = "ws://127.0.0.1:9/subscribe"'
    settings = _settings(tmp_path, sqlite_url, server.url(""), dead)
    collect(settings, capsys)
    health = status(settings, capsys)["bsky"]
    assert health["last_result"] == "ok" and "cannot subscribe" in health["last_error"]  # accounts worked

    only_stream = str(write_settings(tmp_path / "s2.toml", sqlite_url, f"""
[[sources]]
name = "stream-only"
kind = "bluesky"
base_url = "{server.url("")}"
query = ["茅野"]
{dead}
"""))  # fmt: skip
    collect(only_stream, capsys)
    health = status(only_stream, capsys)["stream-only"]
    assert health["last_result"] == "error" and "cannot subscribe" in health["last_error"]
