"""The city's Bluesky posts and every reply under them, through `kikimimi collect` on a local AppView."""

from __future__ import annotations

from pathlib import Path

import pytest

from collector.cli import main
from tests.collectors.bsky_fake import (
    CITY,
    CITY_DID,
    CITY_HANDLE,
    FakeBluesky,
    Person,
    blocked,
    load,
    node,
    not_found,
    post_view,
    ts,
    uri,
)
from tests.collectors.readback import collect, status, stored_posts
from tests.conftest import source_settings

KAZE = Person(
    "did:plc:r4kz7wq2xm5n3p6s8t2v4y6a",
    "yatsugatake-kurashi.bsky.social",
    "八ヶ岳暮らし",
    "市役所で働いています。発言は個人の見解です。",
)
HANA = Person("did:plc:h9na2b4c6d8f3g5j7k2m4n6p", "tateshina-papa.bsky.social", "蓼科パパ", "二児の父。")
SORA = Person("did:plc:s0ra3c5e7g9h2j4k6m8n3q5r", "sora-walk.bsky.social", "", "散歩と写真")
OTHER = Person("did:plc:o7th3r5t7v9x2z4b6d8f3h5j", "news-bot.bsky.social", "ニュース", "")


def _settings(tmp_path: Path, db_url: str, base_url: str) -> str:
    return source_settings(
        tmp_path / "settings.toml",
        db_url,
        name="bsky",
        kind="bluesky",
        base_url=base_url,
        accounts=[CITY_HANDLE],
        interval="5m",
    )


def _city_thread(fake: FakeBluesky) -> dict[str, str]:
    """An official notice, a reply chain three deep that never names the city, the city's answer,
    a deleted reply and one from a blocked account; the feed also holds a repost of another's post."""
    official = post_view(
        CITY,
        "3lbofficial01",
        "【お知らせ】12月1日から本庁舎駐車場の一部が工事で使えません。",
        300,
        reply_count=3,
    )
    o = official["uri"]
    a = post_view(KAZE, "3lbreplya0001", "どこに停めればいいですか？", 240, parent=o, root=o, reply_count=2)
    b = post_view(
        HANA,
        "3lbreplyb0001",
        "東側の臨時駐車場が使えるみたいですよ",
        180,
        parent=a["uri"],
        root=o,
        reply_count=1,
    )
    c = post_view(SORA, "3lbreplyc0001", "ありがとうございます、助かります", 120, parent=b["uri"], root=o)
    answer = post_view(
        CITY, "3lbcityans001", "駅前の第二駐車場をご利用ください。", 200, parent=a["uri"], root=o
    )
    gone, hidden = uri(SORA.did, "3lbdeleted001"), uri("did:plc:blockedxq2w3e4r5t6y7u8i9o", "3lbblocked001")
    fake.people += [KAZE, HANA, SORA, OTHER]
    fake.threads[o] = node(
        official,
        [
            node(a, [node(b, [node(c)]), node(answer)]),
            not_found(gone),
            blocked(hidden, "did:plc:blockedxq2w3e4r5t6y7u8i9o"),
        ],
    )
    repost = post_view(OTHER, "3lbothernews1", "県内ニュースまとめ", 250)
    fake.feeds[CITY_DID] = [
        [
            {"post": answer, "reply": {"root": official, "parent": a}},
            {
                "post": repost,
                "reason": {
                    "$type": "app.bsky.feed.defs#reasonRepost",
                    "by": CITY.basic(),
                    "indexedAt": ts(249),
                },
            },
            {"post": official},
        ]
    ]
    return {
        "official": o,
        "a": a["uri"],
        "b": b["uri"],
        "c": c["uri"],
        "answer": answer["uri"],
        "repost": repost["uri"],
    }


def test_thread_under_official_post_is_collected_whole_though_replies_never_name_the_city(
    tmp_path, db_url, server, capsys
):
    fake = FakeBluesky(server)
    ids = _city_thread(fake)
    settings = _settings(tmp_path, db_url, server.url(""))

    assert "bsky: ok new_posts=5" in collect(settings, capsys)
    assert "bsky: ok new_posts=0" in collect(settings, capsys)  # the second run stores nothing twice

    posts = stored_posts(db_url, "bluesky")
    assert set(posts) == {ids[k] for k in ("official", "a", "b", "c", "answer")}  # no repost, no hidden
    official, a, b, c, answer = (posts[ids[k]] for k in ("official", "a", "b", "c", "answer"))
    assert official.is_official and not official.reply_to_official and official.in_reply_to is None
    assert official.url == f"https://bsky.app/profile/{CITY_HANDLE}/post/3lbofficial01"
    assert (a.in_reply_to, b.in_reply_to, c.in_reply_to) == (ids["official"], ids["a"], ids["b"])
    assert {p.thread_root for p in (a, b, c, answer)} == {ids["official"]}
    assert a.reply_to_official and b.reply_to_official and c.reply_to_official
    assert answer.is_official and not answer.reply_to_official and answer.in_reply_to == ids["a"]
    assert "茅野" not in a.text + b.text + c.text
    assert a.author == KAZE.handle and a.author_name == "八ヶ岳暮らし"
    assert a.author_description == "市役所で働いています。発言は個人の見解です。"  # for leak detection
    assert c.language == "ja" and c.created_at is not None
    # every AppView call was anonymous, and profiles came 25 at most per call
    assert all("authorization" not in r.headers for r in server.requests)
    assert all(len(r.query.get("actors", [])) <= 25 for r in server.hits("/xrpc/app.bsky.actor.getProfiles"))

    assert main(["--settings", settings, "analyze"]) == 0
    analysed = stored_posts(db_url, "bluesky")
    assert all(analysed[ids[k]].relevant for k in ("a", "b", "c"))  # replies to the city are about it


def test_a_reply_arriving_later_is_added_to_the_thread(tmp_path, sqlite_url, server, capsys):
    fake = FakeBluesky(server)
    ids = _city_thread(fake)
    settings = _settings(tmp_path, sqlite_url, server.url(""))
    collect(settings, capsys)

    late = post_view(
        OTHER, "3lblatereply1", "工事はいつまでですか", 1, parent=ids["official"], root=ids["official"]
    )
    fake.threads[ids["official"]]["replies"].append(node(late))
    assert "bsky: ok new_posts=1" in collect(settings, capsys)
    stored = stored_posts(sqlite_url, "bluesky")[late["uri"]]
    assert stored.reply_to_official and stored.thread_root == ids["official"]
    # replies read before (beyond a 10-minute overlap) are not handed on again: no profile lookup
    last_profiles = server.hits("/xrpc/app.bsky.actor.getProfiles")[-1]
    assert OTHER.did in last_profiles.query["actors"] and HANA.did not in last_profiles.query["actors"]


def test_branches_cut_by_the_depth_limit_are_read_separately(
    tmp_path, sqlite_url, server, capsys, monkeypatch
):
    from collector.sources.bluesky import BlueskyCollector

    monkeypatch.setattr(BlueskyCollector, "thread_depth", 1)
    fake = FakeBluesky(server)
    ids = _city_thread(fake)
    settings = _settings(tmp_path, sqlite_url, server.url(""))

    assert "bsky: ok new_posts=5" in collect(settings, capsys)
    asked = [r.arg("uri") for r in server.hits("/xrpc/app.bsky.feed.getPostThread")]
    assert asked == [ids["answer"], ids["official"], ids["a"], ids["b"]]  # the city's answer is followed too
    assert all(r.arg("depth") == "1" for r in server.hits("/xrpc/app.bsky.feed.getPostThread"))
    assert stored_posts(sqlite_url, "bluesky")[ids["c"]].in_reply_to == ids["b"]


ALICE = Person("user(0)", "alice.test", "ali", "Alice's profile")


def _account_source(tmp_path: Path, db_url: str, server, account: str) -> str:  # noqa: ANN001
    """A source that reads one account (and the replies under its posts) on the local AppView."""
    return source_settings(
        tmp_path / "s.toml", db_url, name="bsky", kind="bluesky", base_url=server.url(""), accounts=[account]
    )


@pytest.mark.parametrize(
    "fixture, expected",
    [
        # text: (is_official, reply_to_official, in_reply_to)
        (
            "thread-deep.json",
            {
                "again": (True, False, None),
                "of course": (False, True, "record(0)"),
                "hear that label_me label_me_2": (False, True, "record(0)"),
                "thanks bob": (True, False, "record(8)"),
            },
        ),
        (
            "thread-shallow.json",
            {
                "again": (True, False, None),
                "of course": (False, True, "record(0)"),
                "hear that label_me label_me_2": (False, True, "record(0)"),
                "thanks bob": (True, False, "record(8)"),
            },
        ),
        (
            "thread-deleted-replies.json",
            {
                "Deletion thread": (True, False, None),
                "Reply": (False, True, "record(0)"),
                "Reply reply": (True, False, "record(4)"),
            },
        ),
        ("thread-deleted-parent.json", {"Reply reply": (True, False, "record(5)")}),
        ("thread-blocked-root.json", {}),
    ],
)
def test_recorded_appview_threads_are_read_whole(tmp_path, sqlite_url, server, capsys, fixture, expected):
    """Real AppView output (bluesky-social/atproto snapshots, placeholders for DIDs, URIs and dates)
    served as the thread under alice's post; the feed item around it is hand-shaped."""
    fake = FakeBluesky(server)
    fake.people = [ALICE, Person("user(2)", "carol.test"), Person("user(3)", "bob.test", "bobby", "")]
    mine = post_view(ALICE, "3lbrecorded01", "recorded thread root", 30)
    fake.feeds["user(0)"] = [[{"post": mine}]]
    fake.threads[mine["uri"]] = load(fixture)
    if fixture == "thread-shallow.json":  # bob's reply was cut at the depth limit: its own thread
        fake.threads["record(8)"] = load("thread-deep.json")["replies"][1]
    settings = _account_source(tmp_path, sqlite_url, server, "alice.test")

    assert "bsky: ok" in collect(settings, capsys)
    posts = [p for p in stored_posts(sqlite_url, "bluesky").values() if p.external_id != mine["uri"]]
    got = {p.text: (p.is_official, p.reply_to_official, p.in_reply_to) for p in posts}
    assert got == expected
    if fixture == "thread-shallow.json":
        assert [r.arg("uri") for r in server.hits("/xrpc/app.bsky.feed.getPostThread")] == [
            mine["uri"],
            "record(8)",
        ]
    if fixture == "thread-blocked-root.json":  # noted, and followed again next cycle rather than dropped
        assert "blocked" in status(settings, capsys)["bsky"]["last_error"]
        collect(settings, capsys)
        assert len(server.hits("/xrpc/app.bsky.feed.getPostThread")) == 2


def test_recorded_author_feed_keeps_the_accounts_posts_and_whom_it_answered(
    tmp_path, sqlite_url, server, capsys
):
    fake = FakeBluesky(server)
    fake.people = [ALICE, Person("user(2)", "bob.test")]
    fake.feeds["user(0)"] = [load("author-feed-alice.json")]  # alice's own four posts, one a reply to bob
    collect(_account_source(tmp_path, sqlite_url, server, "alice.test"), capsys)
    posts = {p.text: p for p in stored_posts(sqlite_url, "bluesky").values()}
    assert {t for t, p in posts.items() if p.is_official} == {
        "thanks bob",
        "yoohoo label_me",
        "again",
        "hey there",
    }
    assert posts["thanks bob"].in_reply_to == "record(3)"
    answered = posts["hear that label_me label_me_2"]  # bob's post alice replied to, from reply.parent
    assert not answered.is_official and answered.author == "bob.test"


def test_reposts_by_the_account_are_not_its_posts(tmp_path, sqlite_url, server, capsys):
    fake = FakeBluesky(server)
    fake.people = [Person("user(0)", "alice.test"), Person("user(2)", "dan.test", "dan", "")]
    feed = load("author-feed-dan-reposts.json")  # dan's feed: two reposts of alice, two own posts
    fake.feeds["user(2)"] = [feed]
    dan_did = {item["post"]["author"]["did"] for item in feed if "reason" not in item}
    fake.people[1].did = dan_did.pop()
    settings = _account_source(tmp_path, sqlite_url, server, "dan.test")
    fake.feeds[fake.people[1].did] = [feed]
    collect(settings, capsys)
    texts = sorted(p.text for p in stored_posts(sqlite_url, "bluesky").values())
    assert texts == ["@alice.bluesky.xyz is the best", "dan here!"]


def test_unknown_account_fails_the_source_with_a_clear_note(tmp_path, sqlite_url, server, capsys):
    FakeBluesky(server)
    settings = _account_source(tmp_path, sqlite_url, server, "no-such-city.bsky.social")
    collect(settings, capsys)
    health = status(settings, capsys)["bsky"]
    assert health["last_result"] == "error"
    assert "no-such-city.bsky.social: not found on Bluesky" in health["last_error"]


def test_a_source_with_nothing_to_watch_is_disabled(tmp_path, sqlite_url, capsys):
    settings = source_settings(tmp_path / "s.toml", sqlite_url, name="bsky", kind="bluesky")
    collect(settings, capsys)
    health = status(settings, capsys)["bsky"]
    assert health["last_result"] == "disabled" and "set query" in health["last_error"]


def test_author_profiles_are_fetched_25_at_a_time(tmp_path, sqlite_url, server, capsys):
    fake = FakeBluesky(server)
    official = post_view(CITY, "3lbmanyreply1", "【募集】市民農園の利用者を募集します。", 100, reply_count=30)
    people = [
        Person(f"did:plc:p{i:02d}eople2b4d6f8h2k4m6p8", f"person{i:02d}.bsky.social", "", f"自己紹介{i}")
        for i in range(30)
    ]
    fake.people += people
    replies = [
        node(
            post_view(
                p, f"3lbmany{i:06d}", "応募したいです", 90 - i, parent=official["uri"], root=official["uri"]
            )
        )
        for i, p in enumerate(people)
    ]
    fake.threads[official["uri"]] = node(official, replies)
    fake.feeds[CITY_DID] = [[{"post": official}]]
    settings = _settings(tmp_path, sqlite_url, server.url(""))

    assert "bsky: ok new_posts=31" in collect(settings, capsys)
    calls = server.hits("/xrpc/app.bsky.actor.getProfiles")
    assert [len(c.query["actors"]) for c in calls] == [1, 25, 6]  # the city's handle, then 31 authors
    posts = stored_posts(sqlite_url, "bluesky")
    assert {p.author_description for p in posts.values() if p.reply_to_official} == {
        f"自己紹介{i}" for i in range(30)
    }
