"""アラート詳細: the post shown safely, why and what to do, the thread or the fact, triage with its history."""

from __future__ import annotations

from sqlmodel import Session, select

from collector.store import Alert, TriageEvent
from tests.dashboard.conftest import texts

HOSTILE = "ふざけるな。無能な市長は今すぐ辞めろ。"
NASTY = '<script>alert("x")</script><img src=x onerror=alert(1)> [click](javascript:alert(1)) &lt;b&gt;'


def _thread(data):  # noqa: ANN001, ANN202
    root = data.post(
        "【お知らせ】ごみ袋の価格を改定します。", minutes=0, author="chino-city.bsky.social", is_official=True
    )
    eid = root.external_id
    polite = data.post("値上げの理由を説明してほしいです。", minutes=5, in_reply_to=eid, thread_root=eid)
    target = data.post(
        HOSTILE,
        minutes=8,
        in_reply_to=eid,
        thread_root=eid,
        author="kuroneko-88.bsky.social",
        author_name="黒猫",
        author_description="言いたいことを言うアカウント",
    )
    reply = data.post(
        "言い過ぎでは。",
        minutes=9,
        in_reply_to=target.external_id,
        thread_root=eid,
        author="tanbo.bsky.social",
    )
    alert = data.alert(
        target,
        "hostility",
        "high",
        score=0.82,
        evidence=[{"start": 6, "end": 8, "text": "無能", "label": "insult"}],
    )
    return root, polite, target, reply, alert


def test_alert_shows_post_author_profile_link_clause_and_action(app, data):
    root, polite, target, reply, alert = _thread(data)
    at = app(alert=str(alert.id))  # the link in emails: /?alert=ID
    shown = texts(at)
    assert f"#{alert.id} 攻撃的投稿" in [t.value for t in at.title]
    assert "黒猫（kuroneko-88.bsky.social）" in shown
    assert "言いたいことを言うアカウント" in shown
    assert "4(6) 攻撃的な反応への冷静な対応" in shown  # our own clause summary
    assert "推奨対応の文" in shown
    assert [b.proto.url for b in at.get("link_button")][0] == target.url


def test_abusive_text_is_blurred_until_the_reviewer_reveals_it(app, data):
    *_, alert = _thread(data)
    at = app(alert=str(alert.id))
    blurred = at.get_by_key(f"kkblur_main_{alert.id}")
    assert [t.value for t in blurred.text] == [HOSTILE]
    assert not any("<mark" in h.value and "無能" in h.value for h in at.html)
    at.toggle(key=f"reveal_main_{alert.id}").set_value(True).run()
    marked = [h.value for h in at.html if "<mark" in h.value]
    assert any('<mark title="侮辱">無能</mark>' in h for h in marked)


def test_hostility_alert_shows_the_thread_with_each_posts_score(app, data):
    root, polite, target, reply, alert = _thread(data)
    at = app(alert=str(alert.id))
    lines = [t.value for t in at.text]
    assert any(line.startswith("返信先\u3000攻撃性 0.00") and "chino-city" in line for line in lines)
    sibling = next(line for line in lines if polite.author in line)
    assert sibling.startswith("返信\u3000攻撃性 ")
    assert any(reply.author in line for line in lines)  # replies to the alerted post
    assert "スレッド全体 4 件" in texts(at)


def test_misinformation_alert_shows_the_correcting_statement(app, data):
    fact = data.fact(
        "水道水質検査の結果",
        "すべての検査項目が水質基準に適合しました。",
        "https://www.city.chino.lg.jp/suido/kekka.html",
    )
    post = data.post("茅野市の水道水から有害物質が出たらしい。拡散希望！")
    alert = data.alert(post, "misinformation", "high", fact_id=fact.id, clause="4(7)⑤")
    at = app(alert=str(alert.id))
    shown = texts(at)
    assert "訂正する公式情報" in [s.value for s in at.subheader]
    assert "すべての検査項目が水質基準に適合しました。" in shown
    assert "https://www.city.chino.lg.jp/suido/kekka.html" in [c.value for c in at.code]


def test_status_change_is_stored_with_its_history(app, data, engine):
    *_, alert = _thread(data)
    at = app(alert=str(alert.id), name="広報 佐藤")
    at.selectbox(key=f"t_status_{alert.id}").set_value("in_progress")
    at.text_input(key=f"t_assignee_{alert.id}").set_value("広報 佐藤")
    at.text_area(key=f"t_notes_{alert.id}").set_value("環境課に確認中")
    next(b for b in at.button if b.label == "保存").click().run()
    assert "保存しました: 状態、担当者、メモ" in texts(at)
    with Session(engine) as s:
        stored = s.get(Alert, alert.id)
        events = s.exec(
            select(TriageEvent).where(TriageEvent.alert_id == alert.id).order_by(TriageEvent.id)
        ).all()
    assert (stored.status, stored.assignee, stored.notes) == ("in_progress", "広報 佐藤", "環境課に確認中")
    assert [(e.actor, e.field_name, e.old_value, e.new_value) for e in events] == [
        ("広報 佐藤", "status", "new", "in_progress"),
        ("広報 佐藤", "assignee", "", "広報 佐藤"),
        ("広報 佐藤", "notes", "", "環境課に確認中"),
    ]
    again = app(alert=str(alert.id))  # a fresh session reads it back
    history = [t.value for t in again.text if "広報 佐藤　" in t.value]
    assert any("状態: 新規 → 対応中" in h for h in history)
    assert any("メモ: — → 環境課に確認中" in h for h in history)
    assert "対応中" in again.markdown[0].value


def test_untrusted_post_text_stays_text(app, data):
    post = data.post(NASTY, author_description='<b onmouseover="alert(2)">bio</b>')
    alert = data.alert(post, "misinformation", "medium")
    at = app(alert=str(alert.id))
    bodies = [h.value for h in at.html if "kk-post" in h.value]
    assert any("&lt;script&gt;" in b and "&amp;lt;b&amp;gt;" in b for b in bodies)
    assert not any("<script" in b or "<img" in b or "<a " in b for b in bodies)
    assert '<b onmouseover="alert(2)">bio</b>' in [t.value for t in at.text]  # st.text: shown, never parsed
    assert not any(NASTY in m.value for m in at.markdown)


def test_leak_text_is_masked_until_asked(app, data):
    post = data.post("マイナンバー 3141 5926 5352 の通知カードを窓口に忘れていった")
    alert = data.alert(post, "leak", "critical")
    at = app(alert=str(alert.id))
    assert "3141 5926 5352" not in texts(at)
    at.toggle(key=f"leak_raw_{alert.id}").set_value(True).run()
    assert "3141 5926 5352" in texts(at)
