"""X through the CLI against an API v2 server on 127.0.0.1 (hand-shaped per the reference, plus tweepy's recordings)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from tests.collectors.readback import collect, status, stored_posts
from tests.collectors.x_fake import FakeX, recorded
from tests.conftest import write_settings
from tests.localserver import Response

TOKEN_ENV = "KIKIMIMI_X_BEARER_TOKEN"


def _settings(tmp_path: Path, db_url: str, blocks: str, timeout: float = 3.0) -> str:
    return str(write_settings(tmp_path / "settings.toml", db_url, blocks, timeout=timeout))


def _source(name: str, base_url: str, **keys: object) -> str:
    lines = [f'name = "{name}"', 'kind = "x"', f'base_url = "{base_url}"', 'interval = "15m"']
    lines += [f"{k} = {v!r}".replace("'", '"') for k, v in keys.items()]
    return "[[sources]]\n" + "\n".join(lines) + "\n"


@pytest.fixture
def x(server, monkeypatch) -> FakeX:  # noqa: ANN001
    fake = FakeX(server)
    monkeypatch.setenv(TOKEN_ENV, fake.token)
    return fake


def _world(fake: FakeX) -> dict:
    city = fake.user("chino_city", "茅野市", "長野県茅野市の公式アカウントです")
    ann = fake.user("ann_1984", "アン", "八ヶ岳が好き")
    ben = fake.user("ben_b", "ベン", "")
    gone = fake.post(ben, "消される投稿")
    mention = fake.post(ann, "茅野市の花火大会、今年は8月15日だって")
    fake.post(ben, "松本の天気")  # names nothing we look for
    fake.post(ben, "", retweet_of=mention)  # a retweet is the same words again: never read
    orphan = fake.post(ann, "茅野の図書館が好き", reply_to=gone)
    fake.delete(gone)  # its reply's parent is gone: the answer carries an `errors` item
    notice = fake.post(city, "ごみ収集日の変更についてお知らせします")
    r1 = fake.post(ann, "急すぎませんか", reply_to=notice)
    r2 = fake.post(ben, "説明が足りない", reply_to=r1)
    answer = fake.post(city, "ご不便をおかけします。詳細は広報をご覧ください", reply_to=r1)
    return {
        "city": city,
        "ann": ann,
        "mention": mention,
        "orphan": orphan,
        "notice": notice,
        "r1": r1,
        "r2": r2,
        "answer": answer,
    }


def test_mentions_and_replies_are_stored_once_over_two_collects(tmp_path, db_url, x, capsys):
    w = _world(x)
    settings = _settings(
        tmp_path, db_url, _source("x", x.base_url, query=["茅野市", "茅野"], accounts=["chino_city"])
    )
    assert "x: ok new_posts=6" in collect(settings, capsys)
    assert "x: ok new_posts=0" in collect(settings, capsys)

    posts = stored_posts(db_url, "x")
    assert set(posts) == {w[k]["id"] for k in ("mention", "orphan", "notice", "r1", "r2", "answer")}
    notice, r1, r2 = posts[w["notice"]["id"]], posts[w["r1"]["id"]], posts[w["r2"]["id"]]
    assert notice.is_official and notice.author == "chino_city" and notice.reply_count == 1
    assert notice.url == f"https://x.com/chino_city/status/{w['notice']['id']}"
    assert "茅野" not in r1.text + r2.text  # replies that never name the city are still collected
    assert (r1.in_reply_to, r1.thread_root, r1.reply_to_official) == (
        notice.external_id,
        notice.external_id,
        True,
    )
    assert (r2.in_reply_to, r2.thread_root, r2.reply_to_official) == (
        r1.external_id,
        notice.external_id,
        True,
    )
    answer = posts[w["answer"]["id"]]
    assert answer.is_official and not answer.reply_to_official and answer.in_reply_to == r1.external_id
    mention = posts[w["mention"]["id"]]
    assert (mention.author, mention.author_name, mention.author_description) == (
        "ann_1984",
        "アン",
        "八ヶ岳が好き",
    )
    assert mention.language == "ja" and mention.like_count == 3 and not mention.reply_to_official
    assert mention.created_at == datetime.fromisoformat(w["mention"]["created_at"].replace("Z", "+00:00"))

    searches = [q for path, q in x.calls if path == "/2/tweets/search/recent"]
    assert all("-is:retweet" in q["query"] and "author_id" in q["expansions"] for q in searches)
    assert any(f"conversation_id:{w['notice']['id']}" in q["query"] for q in searches)
    assert all("since_id" in q for q in searches[-2:])  # the second run reads only what is newer


def test_a_reply_posted_after_the_first_run_arrives_on_the_next(tmp_path, sqlite_url, x, capsys):
    w = _world(x)
    settings = _settings(
        tmp_path, sqlite_url, _source("x", x.base_url, query=["茅野市"], accounts=["chino_city"])
    )
    collect(settings, capsys)
    late = x.post(x.user("late_1", "遅い人", ""), "それでいつから？", reply_to=w["r2"])
    new_notice = x.post(w["city"], "花火大会の交通規制について")
    early = x.post(w["ann"], "車はどこに停めれば", reply_to=new_notice)

    assert "x: ok new_posts=3" in collect(settings, capsys)
    posts = stored_posts(sqlite_url, "x")
    assert posts[late["id"]].thread_root == w["notice"]["id"] and posts[late["id"]].reply_to_official
    assert posts[early["id"]].in_reply_to == new_notice["id"] and posts[early["id"]].reply_to_official


def test_recorded_responses_of_2022_are_read(tmp_path, sqlite_url, server, monkeypatch, capsys):
    monkeypatch.setenv(TOKEN_ENV, "recorded")
    server.add("/2/users/by/username/Twitter", recorded("get_user"))
    server.add("/2/users/783214/tweets", recorded("get_users_tweets"))
    search = recorded("search_recent_tweets")
    server.add(
        "/2/tweets/search/recent",
        lambda req: search if "Tweepy" in req.arg("query") else Response(200, {"meta": {"result_count": 0}}),
    )
    settings = _settings(
        tmp_path, sqlite_url, _source("x", server.url(""), query=["Tweepy"], accounts=["Twitter"])
    )

    assert "x: ok new_posts=12" in collect(settings, capsys)  # 10 found by search, 2 of the account's
    posts = stored_posts(sqlite_url, "x")
    assert posts["1578516068309794817"].text == "2022-10-07 22:42:12.637103 tweepy"
    assert posts["1578516068309794817"].url == "https://x.com/i/web/status/1578516068309794817"
    official = posts["1577730467436138524"]
    assert official.is_official and official.text.startswith("whoa, it works")
    timeline = server.hits("/2/users/783214/tweets")[0]
    assert timeline.headers["authorization"] == "Bearer recorded"
    assert timeline.arg("exclude") == "retweets" and timeline.arg("max_results") == "100"


def test_without_a_token_the_source_is_disabled_naming_the_variable(tmp_path, sqlite_url, server, capsys):
    settings = _settings(tmp_path, sqlite_url, _source("x", server.url(""), accounts=["chino_city"]))
    assert "x: disabled" in collect(settings, capsys)
    health = status(settings, capsys)["x"]
    assert health["last_result"] == "disabled" and TOKEN_ENV in health["last_error"]
    assert server.requests == []


def test_a_refused_token_is_an_error_naming_the_variable(tmp_path, sqlite_url, x, monkeypatch, capsys):
    _world(x)
    monkeypatch.setenv(TOKEN_ENV, "expired")
    settings = _settings(tmp_path, sqlite_url, _source("x", x.base_url, accounts=["chino_city"]))
    collect(settings, capsys)
    health = status(settings, capsys)["x"]
    assert health["last_result"] == "error" and health["last_status"] == 401
    assert TOKEN_ENV in health["last_error"]


def test_the_rate_limit_stops_a_run_and_the_next_run_resumes_below_it(tmp_path, sqlite_url, x, capsys):
    ann = x.user("ann_1984", "アン", "")
    for i in range(5):
        x.post(ann, f"茅野 {i}")
    settings = _settings(tmp_path, sqlite_url, _source("x", x.base_url, query=["茅野"]) + "max_pages = 5\n")
    assert "new_posts=5" in collect(settings, capsys)
    for i in range(350):
        x.post(ann, f"茅野市で何か {i}")
    x.remaining = 2  # two pages, then the window is used up

    out = collect(settings, capsys)
    assert "x: ok new_posts=200" in out and "rate limit" in out
    x.remaining = 450  # the window reset
    assert "x: ok new_posts=150" in collect(settings, capsys)
    assert len(stored_posts(sqlite_url, "x")) == 355


def test_a_429_is_recorded_and_waits_for_the_reset(tmp_path, sqlite_url, x, capsys):
    x.user("chino_city", "茅野市", "")
    x.remaining = 0
    settings = _settings(tmp_path, sqlite_url, _source("x", x.base_url, query=["茅野"]))
    collect(settings, capsys)
    health = status(settings, capsys)["x"]
    assert health["last_result"] == "error" and health["last_status"] == 429
    waited = datetime.fromisoformat(health["next_run_at"]) - datetime.fromisoformat(health["last_fetch_at"])
    assert waited.total_seconds() > 800  # x-rate-limit-reset was 15 minutes away


def test_a_since_id_older_than_a_week_starts_over_with_a_note(tmp_path, sqlite_url, x, capsys):
    ann = x.user("ann_1984", "アン", "")
    x.post(ann, "茅野 1")
    settings = _settings(tmp_path, sqlite_url, _source("x", x.base_url, query=["茅野"]))
    collect(settings, capsys)
    fresh = x.post(ann, "茅野 2")
    x.oldest_searchable = int(fresh["id"])  # a week went by

    out = collect(settings, capsys)
    assert "x: ok new_posts=1" in out and "7 days" in out


def test_an_unknown_account_is_noted_while_search_goes_on(tmp_path, sqlite_url, x, capsys):
    _world(x)
    x.missing_user("no_such_city")
    settings = _settings(
        tmp_path, sqlite_url, _source("x", x.base_url, query=["茅野市"], accounts=["no_such_city"])
    )
    out = collect(settings, capsys)
    assert "x: ok new_posts=1" in out
    assert "@no_such_city" in out and "Could not find user" in out


def test_failing_x_sources_fail_alone(tmp_path, db_url, x, server, capsys):
    _world(x)
    for prefix, answer in {
        "/down": Response(503, "Service Unavailable"),
        "/garbage": Response(200, b"<html>over capacity</html>", {"Content-Type": "text/html"}),
        "/slow": Response(200, {"meta": {"result_count": 0}}, delay=2),
    }.items():
        server.add(f"{prefix}/2/tweets/search/recent", answer)
    blocks = _source("good", x.base_url, query=["茅野市"]) + "".join(
        _source(name, server.url(f"/{name}"), query=["茅野市"]) for name in ("down", "garbage", "slow")
    )
    settings = _settings(tmp_path, db_url, blocks, timeout=0.5)
    assert "good: ok new_posts=1" in collect(settings, capsys)
    health = status(settings, capsys)
    for name in ("down", "garbage", "slow"):
        assert health[name]["last_result"] == "error" and health[name]["consecutive_failures"] == 1, name
    assert "503" in health["down"]["last_error"]
    assert "not JSON" in health["garbage"]["last_error"]
    assert "timeout" in health["slow"]["last_error"]
