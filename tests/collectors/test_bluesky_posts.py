"""Bluesky records and views → posts: the pure mapping, on a recorded live response and lexicon shapes."""

from __future__ import annotations

from collector.sources.bluesky import wanted
from collector.sources.bluesky_posts import (
    Official,
    TermMatcher,
    parse_at_uri,
    post_from_view,
    walk_thread,
    web_url,
)
from collector.sources.cursors import threads_to_read
from tests.collectors.bsky_fake import CITY, CITY_DID, FakeBluesky, load, post_view, ts
from tests.collectors.readback import collect, stored_posts
from tests.conftest import write_settings


def test_a_live_appview_post_maps_to_a_post_with_its_bsky_app_link():
    thread = load("marshalx-thread_view_post_with_embed_media.json")["thread"]  # recorded from the AppView
    post = post_from_view(thread["post"], Official())
    assert post.platform == "bluesky"
    assert post.external_id == "at://did:plc:kvwvcn5iqfooopmyzvb4qzba/app.bsky.feed.post/3kaheyt6vpc22"
    assert post.url == "https://bsky.app/profile/test.marshal.dev/post/3kaheyt6vpc22"
    assert post.author == "test.marshal.dev" and post.author_name == "I love Python 3"
    assert post.created_at.isoformat() == "2023-09-28T12:49:36.735000+00:00"
    assert post.language == "en" and post.in_reply_to is None and post.text == ""
    assert walk_thread(thread).views == [thread["post"]]  # `replies: []`, nothing cut


def test_quoting_the_citys_post_counts_as_answering_it():
    thread = load("marshalx-thread_view_post_with_embed_media.json")["thread"]
    quoter = Official(dids=frozenset({"did:plc:kvwvcn5iqfooopmyzvb4qzba"}))  # the quoted post's author
    view = dict(thread["post"], author={"did": "did:plc:someoneelse", "handle": "someone.bsky.social"})
    assert post_from_view(view, quoter).reply_to_official


def test_city_terms_match_across_widths_and_case():
    matcher = TermMatcher.of(["茅野市", "Chino City", " "])
    assert matcher.matches("ｃｈｉｎｏ　ｃｉｔｙ hall")
    assert matcher.matches("茅野市役所")
    assert not matcher.matches("茅ヶ崎市") and not matcher.matches("")


def test_at_uris_that_are_not_posts_give_no_link():
    assert parse_at_uri("record(0)") is None
    assert web_url("record(0)", "alice.test") == ""
    assert web_url("at://did:plc:x/app.bsky.feed.like/3k", "a") == ""
    assert (
        web_url(f"at://{CITY_DID}/app.bsky.feed.post/3k2", "")
        == f"https://bsky.app/profile/{CITY_DID}/post/3k2"
    )


def test_stream_events_other_than_new_posts_are_ignored():
    official = Official(dids=frozenset({CITY_DID}))
    matcher = TermMatcher.of(["茅野"])
    record = {"$type": "app.bsky.feed.post", "text": "茅野の朝", "createdAt": "2026-11-24T00:00:00Z"}
    commit = {"operation": "create", "collection": "app.bsky.feed.post", "rkey": "3k", "record": record}
    assert wanted(matcher, official, {"did": "did:plc:a", "kind": "commit", "commit": commit})
    assert not wanted(
        matcher, official, {"did": "did:plc:a", "kind": "commit", "commit": {**commit, "operation": "delete"}}
    )
    assert not wanted(matcher, official, {"did": "did:plc:a", "kind": "identity", "identity": {}})
    assert not wanted(
        matcher, official, {"did": "did:plc:a", "kind": "commit", "commit": {**commit, "record": "x"}}
    )


def test_a_pinned_old_post_does_not_stop_reading_the_feed(tmp_path, sqlite_url, server, capsys):
    fake = FakeBluesky(server)
    recorded = load("author-feed-pinned.json")  # recorded: the pinned item first, with reason #reasonPin
    pinned = recorded[0]
    assert pinned["reason"]["$type"] == "app.bsky.feed.defs#reasonPin"
    pinned["post"]["author"] = CITY.basic()
    pinned["post"]["indexedAt"] = ts(60 * 24 * 40)  # forty days old
    fresh = [post_view(CITY, f"3lbfresh{i:05d}", f"お知らせ{i}", 10 + i) for i in range(3)]
    fake.feeds[CITY_DID] = [[pinned, {"post": fresh[0]}], [{"post": fresh[1]}], [{"post": fresh[2]}]]
    settings = str(write_settings(tmp_path / "s.toml", sqlite_url, f"""
[[sources]]
name = "bsky"
kind = "bluesky"
base_url = "{server.url("")}"
accounts = ["{CITY.handle}"]
"""))  # fmt: skip
    assert "bsky: ok new_posts=4" in collect(settings, capsys)
    assert len(server.hits("/xrpc/app.bsky.feed.getAuthorFeed")) == 3
    assert all(p.is_official for p in stored_posts(sqlite_url, "bluesky").values())


def test_many_tracked_threads_take_turns_so_none_is_starved():
    tracks = {f"p{i:02d}": {"at": f"2026-11-{10 + i // 4:02d}T00:{i:02d}:00Z", "read": ""} for i in range(30)}
    seen: set[str] = set()
    for cycle in range(5):  # 25 older threads, 5 a cycle
        chosen = threads_to_read(tracks, limit=10, newest=5)
        assert chosen[:5] == sorted(tracks, reverse=True)[:5]  # the newest posts every cycle
        for key in chosen:
            tracks[key]["read"] = f"cycle{cycle}"
        seen.update(chosen)
    assert seen == set(tracks)
