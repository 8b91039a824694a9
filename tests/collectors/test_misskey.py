"""Misskey through the CLI against a Misskey-like server on 127.0.0.1 serving recorded notes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from collector.sources.misskey_notes import mfm_to_text
from tests.collectors.misskey_fake import FIXTURES, FakeMisskey, load, recorded_error
from tests.collectors.readback import collect, status, stored_posts
from tests.conftest import write_settings

TOKEN_ENV = "KIKIMIMI_MISSKEY_TOKEN"


def _settings(tmp_path: Path, db_url: str, *blocks: str) -> str:
    return str(write_settings(tmp_path / "settings.toml", db_url, "\n".join(blocks)))


def _source(name: str, fake: FakeMisskey, **keys: object) -> str:
    lines = [f'name = "{name}"', 'kind = "misskey"', f'base_url = "{fake.base_url}"', 'interval = "5m"']
    for key, value in keys.items():
        lines.append(f"{key} = {value!r}".replace("'", '"'))
    return "[[sources]]\n" + "\n".join(lines) + "\n"


@pytest.fixture
def timeline_server(server, monkeypatch):  # noqa: ANN001, ANN201
    """The recorded 2026 note list, as an antenna's notes, with the recorded users."""
    fake = FakeMisskey(server)
    fake.add_recorded(load("notes_timeline.json"), antenna="ant1")
    fake.add_user(load("users_show_remote.json"))
    fake.add_user(load("users_show.json"))
    monkeypatch.setenv(TOKEN_ENV, fake.token)
    return fake


def test_antenna_notes_are_stored_once_over_two_collects(tmp_path, db_url, timeline_server, capsys):
    fake = timeline_server
    settings = _settings(tmp_path, db_url, _source("misskey", fake, antenna_id="ant1"))

    assert "misskey: ok new_posts=38" in collect(settings, capsys)  # 40 notes, 6 renotes of 4 others
    assert "misskey: ok new_posts=0" in collect(settings, capsys)
    assert all(body.get("i") == fake.token for _, body in fake.calls)

    posts = stored_posts(db_url, "misskey")
    assert len(posts) == 38
    base = fake.base_url
    assert f"{base}/notes/apfdhy1ud3wy00b3" not in posts  # the renote itself ...
    assert f"{base}/notes/apfd63t1d3wy00ai" in posts  # ... stands for the note it renotes
    cw = posts[f"{base}/notes/apfddqiod3wy00az"]
    assert cw.text == "注意書きつき\n\n本文は隠れています"  # the content warning is kept with the text
    remote = posts["https://mastodon.test/ap/users/117025587618021371/statuses/117026027689742871"]
    assert remote.author == "md_eve@mastodon.test" and remote.author_name == "Md Eve"
    assert remote.author_description == "e2e world resident on mastodon.test"
    assert posts[f"{base}/notes/apfddrazd3wy00b0"].author_description == "e2e world resident on misskey.test"
    reply = posts[f"{base}/notes/apfcoqvqd3wy009u"]
    assert reply.in_reply_to == f"{base}/notes/apfco0pwd3wy0093"
    assert reply.thread_root == f"{base}/notes/apfco0pwd3wy0093"
    assert reply.created_at.isoformat().startswith("2026-08-02T12:38:21.974")
    assert not any(p.is_official or p.reply_to_official for p in posts.values())


def test_second_collect_asks_only_for_notes_newer_than_the_last(
    tmp_path, sqlite_url, timeline_server, capsys
):
    fake = timeline_server
    settings = _settings(tmp_path, sqlite_url, _source("misskey", fake, antenna_id="ant1"))
    collect(settings, capsys)
    user = fake.make_user("resident", "住民", "茅野市在住")
    fresh = fake.post(user, "茅野市の紅葉まつり、今年も行きます")
    fake.antennas["ant1"].append(fresh["id"])
    fake.calls.clear()

    assert "misskey: ok new_posts=1" in collect(settings, capsys)
    antenna_calls = [body for ep, body in fake.calls if ep == "antennas/notes"]
    assert len(antenna_calls) == 1  # the newest page reaches back to what was collected: one call
    assert antenna_calls[0].get("sinceId") is None and antenna_calls[0]["limit"] == 100
    post = stored_posts(sqlite_url, "misskey")[f"{fake.base_url}/notes/{fresh['id']}"]
    assert post.author == "resident" and post.author_description == "茅野市在住"


def _city_thread(fake: FakeMisskey) -> dict:
    city = fake.make_user("chino_city", "茅野市役所", "茅野市の公式アカウントです")
    a = fake.make_user("yamada", "山田", "八ヶ岳の麓で暮らしています")
    b = fake.make_user("suzuki", "鈴木", "")
    far = fake.make_user("sato", "佐藤", "旅人", host="mastodon.test")
    post = fake.post(city, "ごみ収集日程の変更についてお知らせします。")
    fake.post(city, "本日の天気は晴れです。")
    r1 = fake.post(a, "それは困ります。説明が足りないのでは", reply=post)
    r2 = fake.post(far, "いつからですか？", reply=post)
    r11 = fake.post(b, "同感です", reply=r1)
    official_answer = fake.post(city, "12月1日からです。", reply=r2)
    return {"city": city, "post": post, "r1": r1, "r2": r2, "r11": r11, "answer": official_answer, "b": b}


def test_replies_under_the_official_note_are_collected_with_parent_links(
    tmp_path, db_url, server, monkeypatch, capsys
):
    fake = FakeMisskey(server)
    monkeypatch.setenv(TOKEN_ENV, fake.token)
    t = _city_thread(fake)
    settings = _settings(tmp_path, db_url, _source("misskey", fake, accounts=["chino_city"]))

    assert "misskey: ok new_posts=6" in collect(settings, capsys)
    posts = stored_posts(db_url, "misskey")
    base = fake.base_url

    def uri(note: dict) -> str:
        return note.get("uri") or f"{base}/notes/{note['id']}"

    root = posts[uri(t["post"])]
    assert root.is_official and not root.reply_to_official and root.author == "chino_city"
    assert root.reply_count == 2
    r1, r11 = posts[uri(t["r1"])], posts[uri(t["r11"])]
    assert "茅野" not in r1.text + r11.text  # never names the city, still collected
    assert (r1.in_reply_to, r1.thread_root, r1.reply_to_official) == (uri(t["post"]), uri(t["post"]), True)
    assert (r11.in_reply_to, r11.thread_root, r11.reply_to_official) == (uri(t["r1"]), uri(t["post"]), True)
    remote = posts[uri(t["r2"])]
    assert (
        remote.external_id == f"https://mastodon.test/notes/{t['r2']['id']}"
        and remote.author == "sato@mastodon.test"
    )
    answer = posts[uri(t["answer"])]
    assert answer.is_official and answer.in_reply_to == uri(t["r2"])
    assert r1.author_description == "八ヶ岳の麓で暮らしています"

    # a later reply deep in the thread arrives on the next run; nothing else is stored twice
    late = fake.post(t["b"], "説明会はありますか", reply=t["r11"])
    assert "misskey: ok new_posts=1" in collect(settings, capsys)
    posts = stored_posts(db_url, "misskey")
    assert posts[uri(late)].in_reply_to == uri(t["r11"]) and posts[uri(late)].thread_root == uri(t["post"])
    assert "misskey: ok new_posts=0" in collect(settings, capsys)


def test_a_burst_larger_than_the_page_budget_is_collected_over_runs_without_gaps(
    tmp_path, sqlite_url, server, monkeypatch, capsys
):
    fake = FakeMisskey(server)
    monkeypatch.setenv(TOKEN_ENV, fake.token)
    user = fake.make_user("resident", "住民", "")
    fake.antennas["ant1"] = [fake.post(user, f"茅野 {i}")["id"] for i in range(5)]
    settings = _settings(tmp_path, sqlite_url, _source("misskey", fake, antenna_id="ant1", max_pages=2))
    assert "new_posts=5" in collect(settings, capsys)
    fake.antennas["ant1"] += [fake.post(user, f"茅野で何か {i}")["id"] for i in range(450)]

    assert "new_posts=200" in collect(settings, capsys)  # two pages of 100: the newest 200
    assert "new_posts=200" in collect(settings, capsys)  # the run after fills in below them
    assert "new_posts=50" in collect(settings, capsys)
    assert "new_posts=0" in collect(settings, capsys)
    assert len(stored_posts(sqlite_url, "misskey")) == 455


def test_without_a_token_the_account_is_read_and_the_antenna_is_noted(tmp_path, sqlite_url, server, capsys):
    fake = FakeMisskey(server)
    t = _city_thread(fake)
    fake.antennas["ant1"] = [t["r1"]["id"]]
    settings = _settings(
        tmp_path, sqlite_url, _source("misskey", fake, antenna_id="ant1", accounts=["chino_city"])
    )

    out = collect(settings, capsys)
    assert "misskey: ok new_posts=6" in out
    assert TOKEN_ENV in out  # the skipped antenna says which variable to set
    assert all("i" not in body for _, body in fake.calls)


def test_without_a_token_an_antenna_only_source_is_disabled_naming_the_variable(
    tmp_path, sqlite_url, server, capsys
):
    fake = FakeMisskey(server)
    settings = _settings(tmp_path, sqlite_url, _source("misskey", fake, antenna_id="ant1"))
    collect(settings, capsys)
    health = status(settings, capsys)["misskey"]
    assert health["last_result"] == "disabled"
    assert TOKEN_ENV in health["last_error"] and "antenna" in health["last_error"]
    assert fake.calls == []


def test_search_off_on_the_server_is_explained(tmp_path, sqlite_url, timeline_server, capsys):
    settings = _settings(
        tmp_path, sqlite_url, _source("misskey", timeline_server, query=["茅野"], hashtags=["e2edaily"])
    )
    out = collect(settings, capsys)
    assert "misskey: ok new_posts=2" in out  # the hashtag notes
    assert "note search is off" in out and "antenna" in out


def test_a_refused_token_fails_the_source_naming_the_variable(
    tmp_path, sqlite_url, timeline_server, monkeypatch, capsys
):
    monkeypatch.setenv(TOKEN_ENV, "revoked")
    settings = _settings(tmp_path, sqlite_url, _source("misskey", timeline_server, antenna_id="ant1"))
    collect(settings, capsys)
    health = status(settings, capsys)["misskey"]
    assert health["last_result"] == "error" and health["last_status"] == 403
    assert "AUTHENTICATION_FAILED" in health["last_error"] and TOKEN_ENV in health["last_error"]


def test_rate_limited_and_broken_servers_fail_alone(tmp_path, db_url, server, monkeypatch, capsys):
    good = FakeMisskey(server, prefix="/good")
    good.add_recorded(load("notes_timeline.json"), antenna="ant1")
    limited = FakeMisskey(server, prefix="/limited")
    limited.override = recorded_error("test_notes_polls_vote.yaml", 429)
    down = FakeMisskey(server, prefix="/down")
    down.override = recorded_error("test_notes_polls_vote.yaml", 429)
    down.override.status, down.override.body = 502, b"<html>Bad Gateway</html>"
    garbage = FakeMisskey(server, prefix="/garbage")
    garbage.override = recorded_error("test_notes_polls_vote.yaml", 429)
    garbage.override.status, garbage.override.body = 200, b"<!DOCTYPE html><p>maintenance"
    slow = FakeMisskey(server, prefix="/slow")
    slow.add_recorded(load("notes_timeline.json"), antenna="ant1")
    monkeypatch.setenv(TOKEN_ENV, good.token)
    fakes = {"good": good, "limited": limited, "down": down, "garbage": garbage, "slow": slow}
    settings = str(
        write_settings(
            tmp_path / "s.toml",
            db_url,
            "\n".join(_source(name, f, antenna_id="ant1") for name, f in fakes.items()),
            timeout=0.5,
        )
    )
    server.routes[("POST", "/slow/api/antennas/notes")] = [lambda req: _slow(req)]

    assert "good: ok new_posts=38" in collect(settings, capsys)
    health = status(settings, capsys)
    assert health["good"]["last_result"] == "ok"
    for name in ("limited", "down", "garbage", "slow"):
        assert health[name]["last_result"] == "error", name
        assert health[name]["consecutive_failures"] == 1
    assert health["limited"]["last_status"] == 429
    assert "502" in health["down"]["last_error"]
    assert "not JSON" in health["garbage"]["last_error"]
    assert "timeout" in health["slow"]["last_error"]
    assert len(stored_posts(db_url, "misskey")) == 38


def _slow(req):  # noqa: ANN001, ANN202
    from tests.localserver import Response

    return Response(200, [], delay=2)


def test_a_thread_longer_than_a_page_is_collected_whole_on_first_sight(
    tmp_path, sqlite_url, server, monkeypatch, capsys
):
    fake = FakeMisskey(server)
    monkeypatch.setenv(TOKEN_ENV, fake.token)
    city = fake.make_user("chino_city", "茅野市役所", "")
    crowd = fake.make_user("crowd", "群衆", "")
    post = fake.post(city, "市長の発言について")
    for i in range(230):
        fake.post(crowd, f"返信 {i}", reply=post)
    settings = _settings(tmp_path, sqlite_url, _source("misskey", fake, accounts=["chino_city"]))

    assert "misskey: ok new_posts=231" in collect(settings, capsys)
    posts = stored_posts(sqlite_url, "misskey")
    root = f"{fake.base_url}/notes/{post['id']}"
    assert sum(p.in_reply_to == root and p.reply_to_official for p in posts.values()) == 230


def test_mfm_markup_is_read_as_the_words_a_reader_sees():
    profile = load("users_show_remote_public-instance_2026-03.json")["description"]
    assert mfm_to_text(profile) == "だれかこれをリアクションで通知に出して欲しい"
    notes = json.loads((FIXTURES / "misskeyapikit" / "notes_timeline.json").read_text("utf-8"))
    slot = next(
        n["renote"]["text"] for n in notes if n.get("renote") and "SLOT" in (n["renote"]["text"] or "")
    )
    text = mfm_to_text(slot)
    assert "$[" not in text and "<center>" not in text
    assert "🎰 与謝野晶子SLOT 🎰" in text and "#与謝野晶子SLOT https://misskey.io/play/9g01hax0f9" in text


def test_an_antenna_note_replying_to_the_city_is_marked_as_such(
    tmp_path, sqlite_url, server, monkeypatch, capsys
):
    fake = FakeMisskey(server)
    monkeypatch.setenv(TOKEN_ENV, fake.token)
    t = _city_thread(fake)
    fake.antennas["ant1"] = [t["r1"]["id"], t["post"]["id"]]
    settings = _settings(
        tmp_path, sqlite_url, _source("misskey", fake, antenna_id="ant1", accounts=["chino_city"])
    )
    assert "misskey: ok new_posts=6" in collect(settings, capsys)
    posts = stored_posts(sqlite_url, "misskey")
    r1 = posts[f"{fake.base_url}/notes/{t['r1']['id']}"]
    assert r1.reply_to_official and r1.thread_root == f"{fake.base_url}/notes/{t['post']['id']}"
    assert posts[f"{fake.base_url}/notes/{t['post']['id']}"].is_official
