"""ソース and 公式情報 pages, and who may open the dashboard at all."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select
from streamlit import config as st_config

from collector.db import session_scope
from collector.settings import SettingsError, load_settings
from collector.store import Delivery, OfficialStatement, Source, utcnow
from dashboard import auth
from tests.conftest import write_settings
from tests.dashboard.conftest import texts


def test_sources_page_shows_health_volume_and_failed_deliveries(app, data, engine):
    now = utcnow()
    with session_scope(engine) as s:
        s.add(
            Source(
                name="hatena-bookmark",
                kind="rss",
                last_result="error",
                last_status=403,
                last_error="HTTP 403 from b.hatena.ne.jp",
                consecutive_failures=3,
                last_fetch_at=now,
                next_run_at=now + timedelta(minutes=10),
            )
        )
        s.add(
            Delivery(
                key="digest:2026-11-24", kind="digest", status="failed", attempts=2, last_error="SMTP 421"
            )
        )
        s.add(Delivery(key="notice:1", kind="notice", status="sent"))
    for i in range(3):
        data.post(f"投稿 {i}", created_at=now - timedelta(hours=1))
    data.post("マストドンの投稿", platform="mastodon", created_at=now - timedelta(hours=1))
    at = app("views/sources.py")
    shown = texts(at)
    assert "1 件のソースで取得に失敗しています: hatena-bookmark" in shown
    table = at.dataframe[0].value
    row = table[table["ソース"] == "hatena-bookmark"].iloc[0]
    assert (row["結果"], row["連続失敗"], row["エラー"]) == (
        "エラー",
        3,
        "HTTP 403: HTTP 403 from b.hatena.ne.jp",
    )
    per_day = at.dataframe[1].value
    assert per_day["Bluesky"].sum() == 3 and per_day["Mastodon"].sum() == 1
    failed = at.dataframe[2].value
    assert failed["種類"].tolist() == ["日次レポート"]
    assert failed["エラー"].tolist() == ["SMTP 421"]


def test_fact_added_by_hand_is_listed_with_who_added_it(app, data, engine):
    data.fact(
        "水道水質検査の結果", "すべての項目が基準に適合しました。", "https://www.city.chino.lg.jp/suido.html"
    )
    at = app("views/facts.py", name="広報 佐藤")
    at.text_input(key="fact_title").set_value("冬花火大会は予定どおり開催")
    at.text_area(key="fact_text").set_value("12月5日午後6時から運動公園で開催します。")
    at.text_input(key="fact_url").set_value("https://www.city.chino.lg.jp/hanabi.html")
    next(b for b in at.button if b.label == "登録").click().run()
    assert "公式情報「冬花火大会は予定どおり開催」を登録しました。" in texts(at)
    with Session(engine) as s:
        fact = s.exec(select(OfficialStatement).where(OfficialStatement.added_by != "")).one()
    assert (fact.title, fact.added_by, fact.url) == (
        "冬花火大会は予定どおり開催",
        "広報 佐藤",
        "https://www.city.chino.lg.jp/hanabi.html",
    )
    shown = texts(at)
    assert "手動登録: 広報 佐藤" in shown and "収集: 不明" in shown
    at.text_input(key="facts_search").set_value("花火").run()
    assert "1 件" in [c.value for c in at.caption]


def test_fact_with_a_bad_url_is_refused(app, data):
    at = app("views/facts.py")
    at.text_input(key="fact_title").set_value("題名")
    at.text_area(key="fact_text").set_value("本文")
    at.text_input(key="fact_url").set_value("javascript:alert(1)")
    next(b for b in at.button if b.label == "登録").click().run()
    assert "URL は http:// か https:// で始めてください。" in texts(at)


@pytest.fixture
def exposed():
    old = st_config.get_option("server.address")
    st_config.set_option("server.address", "0.0.0.0")
    yield
    st_config.set_option("server.address", old)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_exposed_dashboard_without_a_password_shows_nothing(app, data, exposed):
    data.alert(data.post("秘密の投稿"), "hostility")
    at = app()
    assert "ログインが設定されていません" in texts(at)
    assert "秘密の投稿" not in texts(at)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_exposed_dashboard_asks_for_the_password(app, data, exposed, monkeypatch):
    monkeypatch.setenv("KIKIMIMI_DASHBOARD_PASSWORD", "正しい-passphrase")
    data.alert(data.post("税金泥棒の投稿"), "hostility")
    at = app()
    assert [b.label for b in at.button] == ["ログイン"] and "税金泥棒の投稿" not in texts(at)
    at.text_input[0].set_value("広報 佐藤")
    at.text_input[1].set_value("wrong")
    at.button[0].click().run()
    assert "パスワードが違います。" in texts(at) and "税金泥棒の投稿" not in texts(at)
    at.text_input[1].set_value("正しい-passphrase")
    at.button[0].click().run()
    assert "税金泥棒の投稿" in texts(at)
    assert "ログイン中: 広報 佐藤" in [c.value for c in at.sidebar.caption]


def test_password_comparison():
    assert auth.password_ok("secret", "secret")
    assert not auth.password_ok("secret ", "secret")
    assert not auth.password_ok("", "")  # no password set never lets anyone in


def test_cli_refuses_to_expose_the_dashboard_without_a_login(tmp_path):
    from collector.daemon import run_dashboard

    settings = load_settings(write_settings(tmp_path / "s.toml", f"sqlite:///{tmp_path}/k.db"))
    with pytest.raises(SettingsError, match="KIKIMIMI_DASHBOARD_PASSWORD"):
        run_dashboard(settings, "0.0.0.0", 8599)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_oidc_login_guards_the_pages(app, data, exposed, tmp_path, db_url, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.dashboard.conftest import APP

    settings = write_settings(tmp_path / "oidc.toml", db_url, extra='[dashboard]\nauth = "oidc"')
    monkeypatch.setenv("KIKIMIMI_SETTINGS", str(settings))
    data.alert(data.post("税金泥棒の投稿"), "hostility")
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert "secrets.toml に [auth]" in texts(at) and "税金泥棒の投稿" not in texts(at)
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x"}
    at.run()
    assert [b.label for b in at.button] == ["ログイン（組織アカウント）"]
    assert "税金泥棒の投稿" not in texts(at)


def test_dashboard_auth_setting_is_validated(tmp_path):
    settings = load_settings(
        write_settings(tmp_path / "s.toml", f"sqlite:///{tmp_path}/k.db", extra='[dashboard]\nauth = "oidc"')
    )
    assert settings.dashboard.auth == "oidc"
    with pytest.raises(SettingsError, match='auth must be "password" or "oidc"'):
        load_settings(
            write_settings(
                tmp_path / "b.toml", f"sqlite:///{tmp_path}/k.db", extra='[dashboard]\nauth = "ldap"'
            )
        )
