"""インシデント: counts per 10 minutes, hostile share, authors, repeated claims, most spread; masked exports."""

from __future__ import annotations

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from dashboard import incident as inc
from dashboard.privacy import mask_text
from dashboard.queries.incident import load_incident
from tests.dashboard.conftest import T0, texts

RUMOUR = "茅野市の水道水から基準値を超える有害物質が出たらしい。拡散希望！"


def _pile_on(data):  # noqa: ANN001, ANN202
    root = data.post(
        "【お知らせ】ごみ袋の価格を改定します。", author="chino-city.bsky.social", is_official=True
    )
    eid = root.external_id
    replies = [
        ("値上げの理由を説明してほしいです。", 3, "a", False),
        ("市役所の連中は税金泥棒だな。", 4, "b", True),
        ("無能な市長は辞めろ。", 12, "c", True),
        ("無能な市長は辞めろ。", 14, "b", True),
        ("子育て世帯への軽減策は？", 15, "d", False),
        ("説明会を開いてください。", 31, "e", False),
    ]
    for text, minutes, who, hostile in replies:
        p = data.post(
            text,
            minutes=minutes,
            in_reply_to=eid,
            thread_root=eid,
            author=f"{who}.bsky.social",
            repost_count=minutes,
        )
        if hostile:
            data.alert(p, "hostility")
    data.post("無関係な投稿", minutes=20)  # not under the post
    data.post("ずっと後の返信", minutes=60 * 30, in_reply_to=eid, thread_root=eid)  # outside the window
    return root


def test_incident_view_counts_the_replies_under_an_official_post(app, data):
    _pile_on(data)
    at = app("views/incident.py")
    at.date_input(key=f"inc_day_{at.selectbox(key='inc_root').value}").set_value(date(2026, 11, 24))
    at.time_input(key=f"inc_time_{at.selectbox(key='inc_root').value}").set_value(time(9, 0)).run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {
        "投稿数": "6 件",
        "攻撃的な投稿": "3 件",
        "攻撃的な割合": "50%",
        "投稿者数": "5 人",
        "繰り返された主張": "1 件",
    }
    table = at.dataframe[0].value
    assert table["投稿"].tolist() == [2, 3, 1]  # 09:00, 09:10, 09:30
    assert table["攻撃的"].tolist() == [1, 2, 0]
    assert "2 件・投稿者 2 人・初出 11/24 09:12" in texts(at)
    assert {b.label for b in at.get("download_button")} == {"Markdown で出力", "CSV で出力"}


def test_search_term_finds_mentions_and_groups_near_duplicate_claims(app, data):
    data.post(RUMOUR, minutes=0, author="rumor-mill")
    data.post(
        "茅野市の水道水から基準値を超える有害物質が出たらしい… 拡散希望 https://x.example/1",
        minutes=5,
        author="b",
    )
    data.post("【拡散希望】茅野市の水道水から基準値超える有害物質が出たらしい", minutes=7, author="c")
    data.post("茅野市の水道水は基準に適合しているそうです", minutes=9, author="d")
    data.post("蓼科の紅葉がきれい", minutes=9, author="e")
    at = app("views/incident.py")
    at.radio(key="inc_mode").set_value("検索語").run()
    at.text_input(key="inc_term").set_value("水道").run()
    at.date_input(key="inc_day_None").set_value(date(2026, 11, 24))
    at.time_input(key="inc_time_None").set_value(time(9, 0)).run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["投稿数"] == "4 件" and metrics["繰り返された主張"] == "1 件"
    assert "3 件・投稿者 3 人・初出 11/24 09:00" in texts(at)


def test_claims_group_near_duplicates_but_not_different_posts():
    posts = [
        inc.IncidentPost(1, "bluesky", "a", T0, RUMOUR),
        inc.IncidentPost(2, "bluesky", "b", T0 + timedelta(minutes=1), "＠someone " + RUMOUR + " 😱😱"),
        inc.IncidentPost(3, "bluesky", "c", T0 + timedelta(minutes=2), "冬花火は12月5日に予定どおり開催です"),
        inc.IncidentPost(
            4, "bluesky", "d", T0 + timedelta(minutes=3), "ごみ袋の値上げは来年4月からです", claim_key="k1"
        ),
        inc.IncidentPost(
            5, "bluesky", "e", T0 + timedelta(minutes=4), "来月からごみ袋が高くなるって", claim_key="k1"
        ),
    ]
    claims = inc.claims(posts)
    assert sorted(sorted(c.post_ids) for c in claims) == [[1, 2], [4, 5]]


def test_incident_exports_mask_personal_data(data, engine):
    root = data.post("【お知らせ】窓口の受付時間", is_official=True)
    eid = root.external_id
    leaked = data.post(
        "窓口の山田さんのマイナンバー 3141 5926 5352 と携帯 090-1234-5678 を見ちゃった",
        minutes=3,
        in_reply_to=eid,
        thread_root=eid,
        repost_count=40,
    )
    data.alert(leaked, "leak", "critical")
    data.post(
        '=HYPERLINK("http://evil.example","click") 受付時間を延ばして',
        minutes=4,
        in_reply_to=eid,
        thread_root=eid,
    )
    posts = load_incident(engine, T0, T0 + timedelta(hours=1), root_id=root.id)
    summary = inc.summarize(posts, T0, T0 + timedelta(hours=1))
    zone = ZoneInfo("Asia/Tokyo")
    md = inc.to_markdown(summary, "窓口", T0, T0 + timedelta(hours=1), zone, mask_text)
    csv_text = inc.to_csv(posts, zone, mask_text)
    for out in (md, csv_text):
        assert "3141 5926 5352" not in out and "314159265352" not in out
        assert "090-1234-5678" not in out
    assert "個人情報はマスクしています" in md
    assert "'=HYPERLINK" in csv_text  # a formula stays text in a spreadsheet
    assert "| 拡散 | 時刻 |" in md and "| 40 |" in md
