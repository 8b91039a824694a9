"""YouTube through the CLI against a Data API v3 server on 127.0.0.1 serving recorded and hand-shaped bodies."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from collector.db import make_engine
from collector.store import FetchState
from tests.collectors.readback import collect, status, stored_posts
from tests.collectors.youtube_fake import FakeYouTube, load
from tests.conftest import write_settings
from tests.localserver import Response

KEY_ENV = "KIKIMIMI_YOUTUBE_API_KEY"
CITY = "UCchinoCityOfficial0000A"


def _source(name: str, base_url: str, **keys: object) -> str:
    lines = [f'name = "{name}"', 'kind = "youtube"', f'base_url = "{base_url}"', 'interval = "30m"']
    lines += [f"{k} = {v!r}".replace("'", '"') for k, v in keys.items()]
    return "[[sources]]\n" + "\n".join(lines) + "\n"


def _settings(tmp_path: Path, db_url: str, blocks: str, timeout: float = 3.0) -> str:
    return str(write_settings(tmp_path / "settings.toml", db_url, blocks, timeout=timeout))


def _quota(db_url: str) -> dict:
    engine = make_engine(db_url)
    try:
        with Session(engine) as session:
            row = session.exec(select(FetchState).where(FetchState.key == "quota")).one()
            return json.loads(row.cursor)
    finally:
        engine.dispose()


@pytest.fixture
def yt(server, monkeypatch) -> FakeYouTube:  # noqa: ANN001
    fake = FakeYouTube(server)
    monkeypatch.setenv(KEY_ENV, fake.key)
    return fake


def _city(fake: FakeYouTube) -> dict:
    channel = fake.channel(
        CITY, "茅野市公式チャンネル", "@chinocity", "長野県茅野市の公式YouTubeチャンネルです"
    )
    fake.channel("UCresidentA0000000000000", "山田", "@yamada", "茅野市役所で働いています")
    quiet = fake.video(channel, "vid00000001", "蓼科湖の紅葉")
    video = fake.video(channel, "vid00000002", "市長記者会見 11月", "ごみ収集の変更について")
    t1 = fake.comment(video["id"], ("UCresidentA0000000000000", "@yamada"), "説明が分かりにくいです")
    t2 = fake.comment(video["id"], ("UCresidentB0000000000000", "@suzuki"), "いつから変わるのですか")
    replies = [
        fake.comment(video["id"], (f"UCcrowd{i:017d}", f"@crowd{i}"), f"同じ疑問です {i}", parent=t2)
        for i in range(6)
    ]
    official = fake.comment(video["id"], (CITY, "@chinocity"), "12月1日からです。", parent=t2)
    return {"video": video, "quiet": quiet, "t1": t1, "t2": t2, "replies": replies, "official": official}


def test_comments_under_the_channels_videos_are_stored_once_on_a_small_quota(tmp_path, db_url, yt, capsys):
    w = _city(yt)
    settings = _settings(tmp_path, db_url, _source("youtube", yt.base_url, channel_id=CITY))

    assert "youtube: ok new_posts=11" in collect(settings, capsys)  # 2 videos, 2 threads, 7 replies
    first_units = len(yt.calls)
    assert _quota(db_url)["units"] == first_units == 6  # channel, uploads, videos, threads, replies, profiles
    assert "youtube: ok new_posts=0" in collect(settings, capsys)
    assert [r for r, _ in yt.calls[first_units:]] == ["playlistItems", "videos"]  # a quiet run: 2 units
    assert _quota(db_url)["units"] == 8
    assert not any(r == "search" for r, _ in yt.calls)

    posts = stored_posts(db_url, "youtube")
    video = posts["vid00000002"]
    assert video.is_official and video.title == "市長記者会見 11月" and video.author == "@chinocity"
    assert video.url == "https://www.youtube.com/watch?v=vid00000002" and video.reply_count == 9
    t1 = posts[w["t1"]["id"]]
    assert (t1.in_reply_to, t1.thread_root, t1.reply_to_official) == ("vid00000002", "vid00000002", True)
    assert t1.text == "説明が分かりにくいです" and t1.author == "@yamada"
    assert t1.author_description == "茅野市役所で働いています"  # the commenter's channel description
    assert t1.url == f"https://www.youtube.com/watch?v=vid00000002&lc={w['t1']['id']}"
    assert t1.created_at == datetime.fromisoformat("2026-11-24T00:01:00+00:00")
    for reply in w["replies"]:  # more replies than the thread page carries: all of them, linked
        stored = posts[reply["id"]]
        assert (stored.in_reply_to, stored.thread_root, stored.reply_to_official) == (
            w["t2"]["id"],
            "vid00000002",
            True,
        )
    official = posts[w["official"]["id"]]
    assert official.is_official and not official.reply_to_official
    assert not any("key" in args for _, args in yt.calls)  # the key travels in a header, never in a URL
    thread_calls = [args for r, args in yt.calls if r == "commentThreads"]
    assert thread_calls[0]["order"] == "time" and thread_calls[0]["part"] == "snippet,replies"
    assert [args["videoId"] for args in thread_calls] == [
        "vid00000002"
    ]  # the video with no comments cost nothing


def test_a_new_reply_to_an_old_thread_is_found_when_the_count_moves(tmp_path, sqlite_url, yt, capsys):
    w = _city(yt)
    settings = _settings(tmp_path, sqlite_url, _source("youtube", yt.base_url, accounts=["@chinocity"]))
    collect(settings, capsys)
    late = yt.comment(
        "vid00000002", ("UCresidentC0000000000000", "@sato"), "私もそう思います", parent=w["t1"]
    )
    first = yt.comment("vid00000001", ("UCresidentC0000000000000", "@sato"), "きれいですね")

    assert "youtube: ok new_posts=2" in collect(settings, capsys)
    posts = stored_posts(sqlite_url, "youtube")
    assert posts[late["id"]].in_reply_to == w["t1"]["id"] and posts[late["id"]].thread_root == "vid00000002"
    assert posts[first["id"]].in_reply_to == "vid00000001"
    assert (
        sum(r == "channels" and "forHandle" in a for r, a in yt.calls) == 1
    )  # the channel is looked up once


def test_recorded_comment_threads_and_reply_pages_are_read(tmp_path, sqlite_url, yt, capsys):
    channel = yt.channel("UC_x5XG1OV2P6uZZ5FSM9Ttw", "Google Developers", "@googledevelopers", "")
    for recorded in load("apidata/videos/videos_info_multi.json")["items"]:
        yt.video(channel, recorded["id"], "", recorded=recorded)
    yt.video(channel, "JE8xdDp5B8Q", "recorded threads, hand-shaped video")
    yt.video(channel, "F1UP7wRCPH8", "recorded threads, hand-shaped video")
    for path in ("comment_threads_multi", "comment_threads_all_to_me", "comment_threads_by_video_paged_1"):
        yt.add_recorded_threads(f"apidata/comment_threads/{path}.json")
    pages = [load(f"apidata/comments/comments_by_parent_paged_{i}.json") for i in (1, 2)]
    parent = "Ugw5zYU6n9pmIgAZWvN4AaABAg"
    yt.recorded_reply_pages[parent] = pages
    yt.replies[parent] = pages[0]["items"] + pages[1]["items"]
    yt.included_replies = 1
    settings = _settings(
        tmp_path, sqlite_url, _source("youtube", yt.base_url, channel_id="UC_x5XG1OV2P6uZZ5FSM9Ttw")
    )

    assert "youtube: ok new_posts=16" in collect(settings, capsys)  # 4 videos, 9 threads, 3 replies
    posts = stored_posts(sqlite_url, "youtube")
    assert posts["D-lhorsDlUQ"].title == "What are Actions on Google (Assistant on Air)"
    link = posts["UgyZ1jqkHKYvi1-ruOZ4AaABAg"]
    assert link.text == "Google.com"  # textOriginal, not the HTML of textDisplay
    replies = [p for p in posts.values() if p.in_reply_to == parent]
    assert sorted(p.text for p in replies) == [
        "hey, this is the replay",
        "this is the second reply!",
        "this is the third reply!",
    ]
    assert all(p.thread_root == "JE8xdDp5B8Q" for p in replies)
    assert [
        a.get("pageToken") is not None for r, a in yt.calls if r == "comments" and a["parentId"] == parent
    ] == [False, True]


def test_the_quota_running_out_keeps_what_was_read_and_waits_for_the_reset(tmp_path, sqlite_url, yt, capsys):
    _city(yt)
    yt.quota_left = 4  # channel, uploads, videos, threads; the replies call finds the quota gone:
    # kept are the 2 videos, the newest thread and the 5 replies its page carried
    settings = _settings(tmp_path, sqlite_url, _source("youtube", yt.base_url, channel_id=CITY))
    out = collect(settings, capsys)
    assert "youtube: ok new_posts=8" in out and "quotaExceeded" in out and "midnight Pacific" in out
    calls = len(yt.calls)

    collect(settings, capsys)
    assert len(yt.calls) == calls  # held until the reset: not one request
    health = status(settings, capsys)["youtube"]
    assert health["last_result"] == "error" and "midnight Pacific" in health["last_error"]
    waited = datetime.fromisoformat(health["next_run_at"]) - datetime.fromisoformat(health["last_fetch_at"])
    assert waited.total_seconds() > 60


def test_a_video_with_comments_turned_off_is_noted_and_the_others_read(tmp_path, sqlite_url, yt, capsys):
    w = _city(yt)
    yt.comment("vid00000001", ("UCresidentC0000000000000", "@sato"), "きれいですね")
    yt.comments_disabled.add("vid00000002")
    settings = _settings(tmp_path, sqlite_url, _source("youtube", yt.base_url, channel_id=CITY))
    out = collect(settings, capsys)
    assert "youtube: ok new_posts=3" in out and "commentsDisabled" in out
    assert w["t1"]["id"] not in stored_posts(sqlite_url, "youtube")


def test_without_a_key_the_source_is_disabled_naming_the_variable(tmp_path, sqlite_url, server, capsys):
    settings = _settings(tmp_path, sqlite_url, _source("youtube", server.url("/youtube/v3"), channel_id=CITY))
    collect(settings, capsys)
    health = status(settings, capsys)["youtube"]
    assert health["last_result"] == "disabled" and KEY_ENV in health["last_error"]
    assert server.requests == []


def test_a_refused_key_is_an_error_naming_the_variable(tmp_path, sqlite_url, yt, monkeypatch, capsys):
    _city(yt)
    monkeypatch.setenv(KEY_ENV, "AIza-wrong")
    settings = _settings(tmp_path, sqlite_url, _source("youtube", yt.base_url, channel_id=CITY))
    collect(settings, capsys)
    health = status(settings, capsys)["youtube"]
    assert health["last_result"] == "error" and health["last_status"] == 400
    assert KEY_ENV in health["last_error"] and "keyInvalid" in health["last_error"]


def test_failing_youtube_sources_fail_alone(tmp_path, db_url, yt, server, capsys):
    _city(yt)
    for prefix, answer in {
        "/down": Response(500, {"error": {"code": 500, "message": "Backend Error"}}),
        "/garbage": Response(200, b"<html>Sorry...</html>", {"Content-Type": "text/html"}),
        "/slow": Response(200, {"items": []}, delay=2),
    }.items():
        server.add(f"{prefix}/channels", answer)
    blocks = _source("good", yt.base_url, channel_id=CITY) + "".join(
        _source(name, server.url(f"/{name}"), channel_id=CITY) for name in ("down", "garbage", "slow")
    )
    settings = _settings(tmp_path, db_url, blocks, timeout=0.5)
    assert "good: ok new_posts=11" in collect(settings, capsys)
    health = status(settings, capsys)
    for name in ("down", "garbage", "slow"):
        assert health[name]["last_result"] == "error" and health[name]["consecutive_failures"] == 1, name
    assert "500" in health["down"]["last_error"]
    assert "not JSON" in health["garbage"]["last_error"]
    assert "timeout" in health["slow"]["last_error"]
