"""Reply drafts with approval (決裁), and the evidence package for a disclosure request (発信者情報開示)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from collector.store import ReplyDraft, TriageEvent
from dashboard import evidence
from dashboard.queries.detail import load_alert, load_thread
from tests.dashboard.conftest import texts

FACT_URL = "https://www.city.chino.lg.jp/suido/kekka.html"


def _misinfo(data):  # noqa: ANN001, ANN202
    fact = data.fact("水道水質検査の結果", "すべての項目が基準に適合しました。", FACT_URL)
    post = data.post("茅野市の水道水から有害物質が出たらしい。拡散希望！")
    return data.alert(post, "misinformation", "high", fact_id=fact.id)


def _click(at, label: str):  # noqa: ANN001, ANN202
    return next(b for b in at.button if b.label == label).click().run()


def test_draft_is_routed_approved_and_recorded_who_what_when(app, data, engine):
    alert = _misinfo(data)
    at = app(alert=str(alert.id), name="広報 佐藤")
    _click(at, "返信案を作成")
    assert "返信案を作成しました。" in texts(at)
    with Session(engine) as s:
        draft = s.exec(select(ReplyDraft)).one()
    assert FACT_URL in draft.text and "茅野市です" in draft.text  # calm template with the statement's URL
    final = draft.text + "\nご心配をおかけしました。"
    at.text_area(key=f"dr_text_{draft.id}").set_value(final)
    at.text_input(key=f"dr_appr_{draft.id}").set_value("広報課長 鈴木")
    _click(at, "決裁に回す")
    assert "決裁に回しました。" in texts(at)

    own = app(alert=str(alert.id), name="広報 佐藤")
    _click(own, "承認")
    assert "作成者は自分の返信案を決裁できません。" in texts(own)

    boss = app(alert=str(alert.id), name="広報課長 鈴木")
    assert final in [c.value for c in boss.code]  # the approver sees the exact text
    _click(boss, "承認")
    assert "承認しました。" in texts(boss)
    assert "承認済み。上の文面をコピーして公式アカウントから投稿してください。" in texts(boss)
    with Session(engine) as s:
        draft = s.get(ReplyDraft, draft.id)
        events = s.exec(select(TriageEvent).where(TriageEvent.field_name == "approval")).all()
    assert (draft.status, draft.author, draft.approver, draft.text) == (
        "approved",
        "広報 佐藤",
        "広報課長 鈴木",
        final,
    )
    assert draft.decided_at is not None
    assert [(e.actor, e.new_value) for e in events] == [("広報課長 鈴木", f"承認: {final}")]


def test_leak_alerts_get_no_reply_draft(app, data):
    post = data.post("庁内LANのパスワードは初期値のまま")
    alert = data.alert(post, "leak", "critical")
    at = app(alert=str(alert.id))
    assert "返信案を作成" not in [b.label for b in at.button]


def test_evidence_package_holds_post_profile_times_and_a_verifiable_hash(data, engine):
    root = data.post("【お知らせ】ごみ袋の価格改定", is_official=True, author="chino-city.bsky.social")
    post = data.post(
        "環境課の担当者の住所を晒してやる。覚えとけよ。",
        minutes=5,
        in_reply_to=root.external_id,
        thread_root=root.external_id,
        author="yuki-no-hi.bsky.social",
        author_name="雪の日",
        author_description="長野県在住。思ったことを書きます。",
    )
    alert = data.alert(post, "hostility", "critical")
    detail = load_alert(engine, alert.id)
    parent = load_thread(engine, post.id).parent
    now = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
    pkg = evidence.build(detail, parent, "広報 佐藤", now, ZoneInfo("Asia/Tokyo"))
    text = pkg.data.decode("utf-8")
    assert "環境課の担当者の住所を晒してやる。覚えとけよ。" in text
    assert "長野県在住。思ったことを書きます。" in text  # profile as collected
    assert "投稿日時: 2026-11-24 09:05:00 JST" in text and "収集日時: 2026-11-24 09:06:00 JST" in text
    assert post.url in text and "【お知らせ】ごみ袋の価格改定" in text
    assert "作成者: 広報 佐藤" in text
    record_line = text.rstrip("\n").split("\n")[-1]
    assert hashlib.sha256(record_line.encode("utf-8")).hexdigest() == pkg.sha256  # anyone can recompute it
    assert f"SHA-256（下の記録 JSON 1 行の UTF-8 バイト列）: {pkg.sha256}" in text
    assert json.loads(record_line)["post"]["author_description"] == "長野県在住。思ったことを書きます。"
    assert pkg.file_name == f"kikimimi-evidence-alert{alert.id}-20261125-100000.txt"


def test_evidence_download_is_offered_and_its_export_recorded(app, data, engine):
    post = data.post("市役所に火をつけてやろうか。本気だぞ。")
    alert = data.alert(post, "hostility", "critical")
    at = app(alert=str(alert.id), name="広報 佐藤")
    button = next(b for b in at.get("download_button") if b.label == "証拠パッケージをダウンロード")
    button.click().run()
    with Session(engine) as s:
        event = s.exec(select(TriageEvent).where(TriageEvent.field_name == "evidence")).one()
    assert event.actor == "広報 佐藤" and event.new_value.startswith("証拠パッケージを出力 SHA-256 ")


def test_draft_for_a_hostile_reply_links_the_statement_the_city_post_points_to(app, data, engine):
    data.fact("ごみ袋の価格改定", "令和9年4月から改定します。", "https://www.city.chino.lg.jp/gomi.html")
    root = data.post(
        "【お知らせ】ごみ袋の価格を改定します。詳細 https://www.city.chino.lg.jp/gomi.html",
        author="chino-city.bsky.social",
        is_official=True,
    )
    reply = data.post("税金泥棒が。", minutes=3, in_reply_to=root.external_id, thread_root=root.external_id)
    alert = data.alert(reply, "hostility", "high")
    at = app(alert=str(alert.id))
    _click(at, "返信案を作成")
    with Session(engine) as s:
        draft = s.exec(select(ReplyDraft)).one()
    assert "https://www.city.chino.lg.jp/gomi.html" in draft.text
    assert "ご意見をいただきありがとうございます" in draft.text
