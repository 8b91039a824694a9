"""Source health as `kikimimi status` shows it, backoff after failures, and RSS sources end to end
through the CLI (official feeds into the fact base, Shift_JIS over HTTP, the User-Agent)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from collector.settings import HttpSettings, Settings, SourceSettings
from collector.status import next_run
from tests.collectors.isolation import RSS_TYPE, cli, rss_toml, status, stored
from tests.conftest import FIXTURES, write_settings
from tests.localserver import Response

RSS = FIXTURES / "rss"
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_a_404_names_the_source_and_what_to_do(tmp_path, sqlite_url, server, capsys):
    server.add(
        "/rss/10/list1.xml",
        Response(404, "<html><title>404</title><body>ページが見つかりません</body></html>"),
    )
    settings = write_settings(
        tmp_path / "s.toml",
        sqlite_url,
        rss_toml("city-news", server.url("/rss/10/list1.xml"), role="official"),
    )
    out = cli(settings, capsys, "collect", "--once")
    expected = (
        f"source 'city-news': HTTP 404 from 127.0.0.1:{server.port}: 404 ページが見つかりません: "
        "check [[sources]].url in settings.toml"
    )
    assert f"city-news: error new_posts=0 new_facts=0 error={expected}" in out
    health = status(settings, capsys)["city-news"]
    assert health["last_error"] == expected and health["last_status"] == 404
    assert len(server.hits("/rss/10/list1.xml")) == 1  # a 404 is not retried

    text = cli(settings, capsys, "status")
    assert "city-news" in text and "error" in text and f"error: {expected}" in text


def test_repeated_failures_back_off_and_success_resets(tmp_path, sqlite_url, server, capsys):
    server.add("/feed.xml", Response(500, "down"))
    settings = write_settings(tmp_path / "s.toml", sqlite_url, rss_toml("blogs", server.url("/feed.xml")))
    gaps = []
    for _ in range(3):
        cli(settings, capsys, "collect", "--once")
        h = status(settings, capsys)["blogs"]
        gaps.append(datetime.fromisoformat(h["next_run_at"]) - datetime.fromisoformat(h["last_fetch_at"]))
    assert h["consecutive_failures"] == 3 and h["last_success_at"] is None
    assert all(g >= timedelta(minutes=4) for g in gaps)  # never sooner than the interval (5m, jittered)
    server.add("/feed.xml", Response(200, (RSS / "blog_mentions.xml").read_bytes(), RSS_TYPE))
    assert "blogs: ok new_posts=3" in cli(settings, capsys, "collect", "--once")
    h = status(settings, capsys)["blogs"]
    assert h["consecutive_failures"] == 0 and h["last_error"] is None and h["last_result"] == "ok"
    assert datetime.fromisoformat(h["next_run_at"]) - datetime.fromisoformat(h["last_fetch_at"]) == timedelta(
        minutes=5
    )


def test_backoff_doubles_with_jitter_up_to_the_cap():
    settings = Settings(http=HttpSettings(backoff_base=1.0, backoff_max=3600))
    cfg = SourceSettings(name="s", kind="rss", url="https://example.jp/feed", interval="30s")
    for failures, minutes in ((1, 1), (2, 2), (3, 4), (4, 8), (7, 60), (30, 60)):
        for _ in range(20):
            gap = (next_run(cfg, settings, failures, NOW) - NOW).total_seconds()
            assert 0.8 * 60 * minutes <= gap <= 1.2 * 60 * minutes, (failures, gap)
    healthy = next_run(cfg, settings, 0, NOW) - NOW
    assert healthy == timedelta(seconds=30)
    asked = next_run(cfg, settings, 1, NOW, wait=7200) - NOW  # the server's Retry-After wins when longer
    assert asked == timedelta(seconds=7200)


def test_official_feed_fills_the_fact_base_and_edits_update_it(tmp_path, db_url, server, capsys):
    city = (RSS / "municipal_shinchaku.xml").read_text("utf-8")
    edited = city.replace(
        "すべての項目で水質基準に適合していました。", "すべての項目で基準に適合しました（訂正）。"
    )
    sjis = {"Content-Type": "text/xml"}  # as many CMSs serve it: no charset, Shift_JIS in the XML
    server.add(
        "/rss/10/list1.xml",
        Response(200, city.replace('encoding="UTF-8"', 'encoding="Shift_JIS"').encode("cp932"), sjis),
        Response(200, edited.replace('encoding="UTF-8"', 'encoding="Shift_JIS"').encode("cp932"), sjis),
    )
    settings = write_settings(
        tmp_path / "s.toml", db_url, rss_toml("city-news", server.url("/rss/10/list1.xml"), role="official")
    )
    assert "city-news: ok new_posts=0 new_facts=3" in cli(settings, capsys, "collect", "--once")
    rows = stored(db_url)
    assert rows["posts"] == []
    titles = sorted(f.title for f in rows["facts"])
    assert "①ごみ収集日の変更について（12月から）" in titles
    assert "蓼科湖周辺駐車場の有料化に関する説明会～髙島地区～" in titles

    assert "city-news: ok new_posts=0 new_facts=0" in cli(settings, capsys, "collect", "--once")
    facts = {f.external_id: f for f in stored(db_url)["facts"]}
    assert len(facts) == 3
    water = facts["https://www.city.chino.lg.jp/soshiki/suido/12345.html"]
    assert "基準に適合しました（訂正）" in water.text  # the city's correction replaces what it said before


def test_shift_jis_feed_over_http_is_stored_readable(tmp_path, db_url, server, capsys):
    server.add(
        "/bbs.rss", Response(200, (RSS / "rss091_shiftjis.xml").read_bytes(), {"Content-Type": "text/xml"})
    )
    settings = write_settings(tmp_path / "s.toml", db_url, rss_toml("bbs", server.url("/bbs.rss")))
    assert "bbs: ok new_posts=2" in cli(settings, capsys, "collect", "--once")
    texts = {p.title: p.text for p in stored(db_url)["post_rows"]}
    assert (
        texts["茅野駅前の工事はいつまで？"]
        == "茅野駅前の工事、いつ終わるんでしょうか。①歩道が狭い②案内が少ない"
    )


def test_every_request_names_kikimimi_and_the_contact(tmp_path, sqlite_url, server, capsys):
    server.add("/feed.xml", Response(200, (RSS / "blog_mentions.xml").read_bytes(), RSS_TYPE))
    settings = write_settings(
        tmp_path / "s.toml", sqlite_url, rss_toml("blogs", server.url("/feed.xml")), extra=""
    )
    text = settings.read_text("utf-8").replace("[http]\n", '[http]\ncontact = "kouhou@city.chino.lg.jp"\n')
    settings.write_text(text, "utf-8")
    cli(settings, capsys, "collect", "--once")
    ua = server.hits("/feed.xml")[0].headers["user-agent"]
    assert ua.startswith("kikimimi/") and "kouhou@city.chino.lg.jp" in ua


def test_a_feed_that_moved_is_followed_and_the_new_address_noted(tmp_path, sqlite_url, server, capsys):
    server.add("/old.rss", Response(301, "", {"Location": "/new.rss"}))
    server.add("/new.rss", Response(200, (RSS / "blog_mentions.xml").read_bytes(), RSS_TYPE))
    settings = write_settings(tmp_path / "s.toml", sqlite_url, rss_toml("blogs", server.url("/old.rss")))
    assert "blogs: ok new_posts=3" in cli(settings, capsys, "collect", "--once")
    h = status(settings, capsys)["blogs"]
    assert h["last_result"] == "ok"
    assert h["last_error"] == (
        f"source 'blogs': the feed has moved permanently to {server.url('/new.rss')}: update [[sources]].url"
    )
