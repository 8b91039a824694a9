"""The city's Mastodon account and every reply under its posts, through `kikimimi collect`."""

from __future__ import annotations

import json
from pathlib import Path

from collector.cli import main
from tests.collectors.mastodon_fake import FIXTURES, TOKEN_ENV, Account, FakeMastodon, recorded
from tests.collectors.readback import collect, status, stored_posts
from tests.conftest import source_settings

# the recorded federated reply (mastodon-extra/status_context_federated.json) answers status OFFICIAL_ID
CITY = Account(
    "117025600270510000", "chino_city", display_name="茅野市", note="<p>長野県茅野市の公式アカウント</p>"
)
OFFICIAL_ID = "117025950573497526"
YAMADA = Account("117025600270519001", "yamada", display_name="山田", note="<p>市内在住。<br>役場勤め</p>")
SUZUKI = Account("117025600270519002", "suzuki", "mstdn.example", "鈴木", "<p>旅と温泉</p>")


def _settings(tmp_path: Path, db_url: str, fake: FakeMastodon) -> str:
    return source_settings(tmp_path / "settings.toml", db_url, **fake.city_source())


def _account_source(tmp_path: Path, db_url: str, server, account: str) -> str:  # noqa: ANN001
    """A source that reads one account (and the replies under its posts) on the local server, no token."""
    return source_settings(
        tmp_path / "s.toml",
        db_url,
        name="mstdn",
        kind="mastodon",
        base_url=server.url(""),
        accounts=[account],
    )


def _city_thread(fake: FakeMastodon) -> dict[str, dict]:
    """The city's notice and a reply tree that never names the city: a federated reply recorded
    from a real server, a local question, a remote answer behind a CW, the city's answer, an edit."""
    fake.account(CITY)
    fake.account(YAMADA)
    official = fake.status(
        OFFICIAL_ID, CITY, "<p>【お知らせ】今週のごみ収集日が変わります。</p>", minutes_ago=120
    )
    federated = json.loads((FIXTURES / "status_context_federated.json").read_text("utf-8"))["descendants"][0]
    fake.add(federated)  # fb_jun@fedibird.test: "なるほど、参考になります"
    question = fake.status(
        "117025960000000001", YAMADA, "<p>何曜日になるんですか？</p>", 100, reply_to=OFFICIAL_ID
    )
    answer = fake.status(
        "117025960000000002",
        SUZUKI,
        "<p>水曜日らしいですよ</p>",
        90,
        reply_to=question["id"],
        spoiler="ごみの話",
    )
    city = fake.status("117025960000000003", CITY, "<p>水曜日です。</p>", 85, reply_to=question["id"])
    thanks = fake.status(
        "117025960000000004", YAMADA, "<p>ありがとう！（訂正）</p>", 80, reply_to=answer["id"], edited=True
    )
    return {
        "official": official,
        "federated": federated,
        "question": question,
        "answer": answer,
        "city": city,
        "thanks": thanks,
    }


def test_thread_under_official_status_is_collected_whole_though_replies_never_name_the_city(
    tmp_path, db_url, server, capsys
):
    fake = FakeMastodon(server)
    s = _city_thread(fake)
    settings = _settings(tmp_path, db_url, fake)

    assert "mstdn: ok new_posts=6" in collect(settings, capsys)
    assert "mstdn: ok new_posts=0" in collect(settings, capsys)  # twice: stored once
    assert len(server.hits("/api/v1/accounts/lookup")) == 1  # the account id is kept

    posts = stored_posts(db_url, "mastodon")
    uri = {k: v["uri"] for k, v in s.items()}
    assert set(posts) == set(uri.values())  # external_id is the status uri
    official = posts[uri["official"]]
    assert (
        official.is_official
        and official.thread_root is None
        and official.author == f"chino_city@{fake.base[7:]}"
    )
    assert official.text == "【お知らせ】今週のごみ収集日が変わります。"
    federated = posts[uri["federated"]]
    assert federated.author == "fb_jun@fedibird.test" and federated.text == "なるほど、参考になります"
    assert federated.author_description == "e2e world resident on fedibird.test"
    expected_parent = {
        "federated": "official",
        "question": "official",
        "answer": "question",
        "city": "question",
        "thanks": "answer",
    }
    for key, parent in expected_parent.items():
        post = posts[uri[key]]
        assert post.in_reply_to == uri[parent], key  # parents in the same id scheme: uris
        assert post.thread_root == uri["official"], key
        assert post.reply_to_official == (key != "city"), key
    assert posts[uri["city"]].is_official
    assert posts[uri["answer"]].text == "ごみの話\n\n水曜日らしいですよ"  # the CW stays with the text
    assert posts[uri["answer"]].author == "suzuki@mstdn.example"
    assert posts[uri["question"]].author_description == "市内在住。\n役場勤め"  # note HTML → text
    assert posts[uri["thanks"]].text == "ありがとう！（訂正）"  # an edited status as it reads now
    assert not any("茅野" in posts[uri[k]].text for k in expected_parent)
    assert all("authorization" not in r.headers for r in server.requests)  # no token set: anonymous

    capsys.readouterr()
    assert main(["--settings", settings, "analyze"]) == 0
    analysed = stored_posts(db_url, "mastodon")
    assert all(analysed[uri[k]].relevant for k in expected_parent if k != "city")


def test_anonymous_context_is_capped_and_a_token_reads_the_whole_thread(
    tmp_path, sqlite_url, server, capsys, monkeypatch
):
    fake = FakeMastodon(server)
    fake.account(CITY)
    fake.account(YAMADA)
    fake.status(OFFICIAL_ID, CITY, "<p>【重要】断水のお知らせ</p>", minutes_ago=300)
    for i in range(75):
        fake.status(f"1170259700000{i:05d}", YAMADA, f"<p>返信{i}</p>", 200 - i, reply_to=OFFICIAL_ID)
    settings = _settings(tmp_path, sqlite_url, fake)

    assert "mstdn: ok new_posts=61" in collect(settings, capsys)
    note = status(settings, capsys)["mstdn"]["last_error"]
    assert "60" in note and "token_env" in note

    monkeypatch.setenv(TOKEN_ENV, fake.token)
    assert "mstdn: ok new_posts=15" in collect(settings, capsys)
    assert all(r.headers["authorization"] == f"Bearer {fake.token}" for r in server.requests[-2:])
    assert len(stored_posts(sqlite_url, "mastodon")) == 76


def test_recorded_account_lookup_statuses_and_empty_context(tmp_path, sqlite_url, server, capsys):
    """Mastodon.py's recordings of a real 4.6.4 server: lookup, a page of the account's
    statuses with its Link header, and an empty /context."""
    server.add("/api/v1/accounts/lookup", recorded("test_account_lookup", 2))
    page = recorded("test_fetch_next_previous", 11, server)
    server.add("/api/v1/accounts/117020565966271181/statuses", page)
    statuses = json.loads(page.body)
    for st in statuses:
        server.add(f"/api/v1/statuses/{st['id']}/context", recorded("test_status_context", 1))
    settings = _account_source(tmp_path, sqlite_url, server, "mastodonpy_test")

    assert "mstdn: ok new_posts=5" in collect(settings, capsys)
    posts = stored_posts(sqlite_url, "mastodon")
    assert all(p.is_official and p.author.startswith("mastodonpy_test@") for p in posts.values())
    assert {p.author_description for p in posts.values()} == {"I walk funny"}
    first = server.hits("/api/v1/accounts/117020565966271181/statuses")[0]
    assert first.arg("exclude_reblogs") == "true" and first.arg("limit") == "40" and not first.arg("min_id")

    collect(settings, capsys)
    again = server.hits("/api/v1/accounts/117020565966271181/statuses")[-1]
    assert again.arg("min_id") == max((st["id"] for st in statuses), key=lambda i: (len(i), i))


def test_unknown_account_fails_with_the_recorded_404(tmp_path, sqlite_url, server, capsys):
    server.add("/api/v1/accounts/lookup", recorded("test_account_lookup", 1))  # {"error":"Record not found"}
    settings = _account_source(tmp_path, sqlite_url, server, "kljadklajsdkljlkjlkjlkjasdasd")
    collect(settings, capsys)
    health = status(settings, capsys)["mstdn"]
    assert health["last_result"] == "error" and "is not known on" in health["last_error"]
