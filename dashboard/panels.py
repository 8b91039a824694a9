"""The alert page's working panels: triage, history, reply drafts with approval, evidence package."""

from __future__ import annotations

from urllib.parse import urlparse

import streamlit as st

from collector.store import STATUS_LABELS, utcnow
from dashboard import evidence, replies, triage, ui
from dashboard.queries import alerts as q_alerts
from dashboard.queries import db
from dashboard.queries.detail import AlertDetail, PostView

FIELD_LABELS = {
    "status": "状態",
    "assignee": "担当者",
    "notes": "メモ",
    "draft": "返信案",
    "approval": "決裁",
    "evidence": "証拠保全",
}
DRAFT_LABELS = {"draft": "下書き", "pending": "決裁待ち", "approved": "承認済み", "rejected": "差し戻し"}
REPLY_KINDS = {"hostility", "misinformation", "thread"}
EVIDENCE_KINDS = {"hostility", "thread", "misinformation"}


def safe_url(url: str) -> str | None:
    """Only http(s) links leave the dashboard: a post's URL is untrusted (javascript: and friends)."""
    try:
        parsed = urlparse(url or "")
    except ValueError:
        return None
    return url if parsed.scheme in ("http", "https") and parsed.netloc else None


def _run(action, args: tuple, message: str) -> None:  # noqa: ANN001
    """A write as a widget callback: it runs before the page is drawn again, so the page shows its result."""
    try:
        action(*args)
    except triage.TriageError as e:
        st.session_state["flash_error"] = str(e)
        return
    q_alerts.invalidate()
    st.session_state["flash"] = message


def _save(alert_id: int) -> None:
    ss = st.session_state
    try:
        changed = triage.update_alert(
            db.engine(),
            alert_id,
            ui.actor(),
            status=ss[f"t_status_{alert_id}"],
            assignee=ss[f"t_assignee_{alert_id}"],
            notes=ss[f"t_notes_{alert_id}"],
        )
    except triage.TriageError as e:
        ss["flash_error"] = str(e)
        return
    if not changed:
        ss["flash"] = "変更はありません。"
        return
    q_alerts.invalidate()
    ss["flash"] = "保存しました: " + "、".join(FIELD_LABELS.get(c, c) for c in changed)


def triage_form(d: AlertDetail) -> None:
    st.subheader("対応")
    statuses = list(STATUS_LABELS)
    with st.form(f"triage_{d.id}"):
        st.selectbox(
            "状態",
            statuses,
            index=statuses.index(d.status) if d.status in statuses else 0,
            format_func=ui.status_label,
            key=f"t_status_{d.id}",
        )
        st.text_input("担当者", value=d.assignee, key=f"t_assignee_{d.id}", max_chars=200)
        st.text_area("メモ", value=d.notes, key=f"t_notes_{d.id}", height=110)
        st.form_submit_button("保存", type="primary", on_click=_save, args=(d.id,))


def _value(field: str, value: str) -> str:
    return ui.status_label(value) if field == "status" and value else (value or "—")


def history(d: AlertDetail) -> None:
    st.subheader("対応履歴")
    if not d.history:
        st.caption("まだ変更はありません。")
        return
    for e in reversed(d.history):
        st.text(
            f"{ui.when(e.at, '%Y-%m-%d %H:%M:%S')}　{e.actor}　{FIELD_LABELS.get(e.field_name, e.field_name)}: "
            f"{_value(e.field_name, e.old_value)} → {_value(e.field_name, e.new_value)}"
        )


def reply_drafts(d: AlertDetail, fact_title: str, fact_url: str) -> None:
    if d.kind not in REPLY_KINDS:
        return
    st.subheader("返信案と決裁")
    st.caption("kikimimi は投稿しません。承認された文面を、担当者が公式アカウントから投稿します。")
    me = ui.actor()
    for dr in reversed(d.drafts):
        with st.container(border=True):
            st.text(
                f"返信案 #{dr.id}・{DRAFT_LABELS.get(dr.status, dr.status)}・作成 {dr.author} "
                f"{ui.when(dr.created_at)}"
                + (f"・決裁者 {dr.approver}" if dr.approver else "")
                + (f"・決裁 {ui.when(dr.decided_at)}" if dr.decided_at else "")
            )
            if dr.status in ("draft", "rejected"):
                st.text_area("本文", value=dr.text, key=f"dr_text_{dr.id}", height=150)
                st.text_input("決裁者", key=f"dr_appr_{dr.id}", placeholder="例: 広報課長 鈴木")
                st.button("決裁に回す", key=f"dr_submit_{dr.id}", on_click=_submit, args=(dr.id,))
                continue
            st.code(dr.text, language=None, wrap_lines=True)
            if dr.status == "pending":
                st.text_input("コメント（任意）", key=f"dr_comment_{dr.id}")
                c1, c2 = st.columns(2)
                c1.button("承認", key=f"dr_ok_{dr.id}", type="primary", on_click=_decide, args=(dr.id, True))
                c2.button("差し戻し", key=f"dr_back_{dr.id}", on_click=_decide, args=(dr.id, False))
            elif dr.status == "approved":
                st.success("承認済み。上の文面をコピーして公式アカウントから投稿してください。")
    text = replies.draft_text(d.kind, db.settings().city.name, fact_title, fact_url)
    st.button(
        "返信案を作成",
        key=f"dr_new_{d.id}",
        on_click=_run,
        args=(triage.create_draft, (db.engine(), d.id, text, me), "返信案を作成しました。"),
    )


def _submit(draft_id: int) -> None:
    ss = st.session_state
    _run(
        triage.submit_draft,
        (db.engine(), draft_id, ss[f"dr_text_{draft_id}"], ss[f"dr_appr_{draft_id}"], ui.actor()),
        "決裁に回しました。",
    )


def _decide(draft_id: int, approve: bool) -> None:
    comment = st.session_state.get(f"dr_comment_{draft_id}", "")
    _run(
        triage.decide_draft,
        (db.engine(), draft_id, ui.actor(), approve, comment),
        "承認しました。" if approve else "差し戻しました。",
    )


def _record_export(alert_id: int, actor: str, sha: str) -> None:
    triage.record_evidence_export(db.engine(), alert_id, actor, sha)
    q_alerts.invalidate()


def evidence_package(d: AlertDetail, parent: PostView | None) -> None:
    if d.kind not in EVIDENCE_KINDS or d.post is None:
        return
    st.subheader("証拠保全（発信者情報開示請求用）")
    me = ui.actor()
    if not me:
        st.caption("出力にはサイドバーで名前を入力してください（出力した人を記録します）。")
        return
    pkg = evidence.build(d, parent, me, utcnow(), db.tz(), FIELD_LABELS)
    st.download_button(
        "証拠パッケージをダウンロード",
        data=pkg.data,
        file_name=pkg.file_name,
        mime="text/plain; charset=utf-8",
        key=f"evidence_{d.id}",
        on_click=_record_export,
        args=(d.id, me, pkg.sha256),
    )
    st.caption(
        f"投稿・収集時のプロフィール・収集日時・SHA-256 を 1 ファイルにまとめます。SHA-256: {pkg.sha256[:16]}…"
    )
