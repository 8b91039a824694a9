"""What every page shares: Japanese labels, the user's name, the safe post box, the reviewer blur."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from collector.delivery.views import PLATFORM_LABELS
from collector.store import KIND_LABELS, SEVERITY_LABELS, STATUS_LABELS
from dashboard import render
from dashboard.queries import db

SEVERITY_COLORS = {"critical": "red", "high": "orange", "medium": "blue", "low": "gray"}
RESULT_LABELS = {
    "ok": "成功",
    "not_modified": "更新なし",
    "error": "エラー",
    "disabled": "停止中",
    "never": "未実行",
}
ABUSIVE_KINDS = {
    "hostility"
}  # a thread alert stands on the city's own post: its replies are scored one by one
PAGE_ALERT = "views/alert.py"
PAGE_QUEUE = "views/queue.py"


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def severity_label(sev: str) -> str:
    return SEVERITY_LABELS.get(sev, sev)


def severity_badge(sev: str) -> str:
    """Markdown for a coloured severity badge (our constant labels only, never user text)."""
    return f":{SEVERITY_COLORS.get(sev, 'gray')}-background[**{severity_label(sev)}**]"


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def platform_label(platform: str) -> str:
    return PLATFORM_LABELS.get(platform, platform)


def when(dt: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return db.local(dt, db.tz(), fmt)


def actor() -> str:
    """The person using the dashboard: from the login, else the name typed in the sidebar."""
    logged = st.session_state.get("kk_login_name", "")
    if logged:
        return logged
    return (st.session_state.get("kk_actor") or "").strip()


def sidebar_identity() -> None:
    if st.session_state.get("kk_login_name"):
        st.sidebar.caption(f"ログイン中: {st.session_state['kk_login_name']}")
        return
    st.sidebar.text_input(
        "あなたの名前（対応履歴に記録）", key="kk_actor", placeholder="例: 広報 佐藤", max_chars=100
    )


def style() -> None:
    st.html(render.CSS)


def post_box(raw: str, evidence: list | None = None) -> None:
    """Untrusted text, shown as text: escaped HTML with only our <mark> tags."""
    st.html(render.highlight_html(raw, evidence or []) if evidence else render.plain_html(raw))


def careful_text(key: str, raw: str, abusive: bool, evidence: list | None = None) -> None:
    """Abusive text is blurred until the reviewer chooses to read it."""
    if not abusive:
        post_box(raw, evidence)
        return
    shown = st.toggle("攻撃的な表現を表示する", key=f"reveal_{key}", value=False)
    if shown:
        post_box(raw, evidence)
    else:
        with st.container(key=f"kkblur_{key}"):
            st.text(raw)
        st.caption("心理的負担を減らすため、攻撃的な表現はぼかしています。")


def alert_link(alert_id: int, label: str = "開く") -> None:
    st.page_link(
        PAGE_ALERT, label=label, query_params={"alert": str(alert_id)}, icon=":material/open_in_new:"
    )


def flash() -> None:
    """The outcome of the last write (set by its callback), shown once at the top of the page."""
    if message := st.session_state.pop("flash", None):
        st.success(message)
    if error := st.session_state.pop("flash_error", None):
        st.error(error)
