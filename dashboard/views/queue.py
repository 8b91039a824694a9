"""アラート: what needs the team now — most severe first, filtered, counted, changed in bulk."""

from __future__ import annotations

import streamlit as st

from collector.store import KIND_LABELS, STATUS_LABELS
from dashboard import triage, ui
from dashboard.privacy import mask_text
from dashboard.queries import alerts as q
from dashboard.queries import db

PAGE_SIZES = (20, 50, 100)
SEVERITY_ORDER = ("critical", "high", "medium", "low")

st.title("アラート")
ui.flash()
url = db.db_url()
zone = db.tz()

active = any(st.session_state.get(k) for k in ("f_kind", "f_sev", "f_plat", "f_since", "f_until", "f_text"))
with st.expander("絞り込み" + ("（条件あり）" if active else ""), expanded=active):
    c1, c2, c3, c4 = st.columns(4)
    kinds = c1.multiselect(
        "種類", list(KIND_LABELS), format_func=ui.kind_label, key="f_kind", placeholder="すべて"
    )
    severities = c2.multiselect(
        "重要度", list(SEVERITY_ORDER), format_func=ui.severity_label, key="f_sev", placeholder="すべて"
    )
    statuses = c3.multiselect(
        "状態",
        list(STATUS_LABELS),
        default=list(q.OPEN),
        format_func=ui.status_label,
        key="f_status",
        placeholder="すべて",
    )
    platforms = c4.multiselect(
        "プラットフォーム",
        q.platforms(url),
        format_func=ui.platform_label,
        key="f_plat",
        placeholder="すべて",
    )
    d1, d2, d3 = st.columns([1, 1, 2])
    since = d1.date_input("開始日", value=None, key="f_since", format="YYYY/MM/DD")
    until = d2.date_input("終了日", value=None, key="f_until", format="YYYY/MM/DD")
    text = d3.text_input("投稿本文を検索", key="f_text", placeholder="例: 水道、税金泥棒")

flt = q.QueueFilter(
    statuses=tuple(statuses),
    kinds=tuple(kinds),
    severities=tuple(severities),
    platforms=tuple(platforms),
    since=db.day_start_utc(since, zone) if since else None,
    until=db.day_end_utc(until, zone) if until else None,
    text=text.strip(),
)

counts = q.counts(url, flt)
by_kind, by_sev = counts.by_kind(), counts.by_severity()
st.caption("件数（状態・プラットフォーム・期間・検索の条件で数えています）")
cols = st.columns(len(KIND_LABELS))
for col, kind in zip(cols, KIND_LABELS, strict=True):
    col.metric(ui.kind_label(kind), f"{by_kind.get(kind, 0)} 件")
st.markdown(
    "重要度別: " + "　".join(f"{ui.severity_badge(sev)} {by_sev.get(sev, 0)} 件" for sev in SEVERITY_ORDER)
)

top = st.columns([1, 1, 2])
page_size = top[0].selectbox("表示件数", PAGE_SIZES, key="page_size")
page_key = f"page:{hash(flt)}:{page_size}"
page = st.session_state.get(page_key, 0)
result = q.queue(url, flt, page, page_size)
if page >= result.pages:
    page = 0
    result = q.queue(url, flt, 0, page_size)
top[1].caption(
    f"{result.total} 件中 {page * page_size + 1 if result.total else 0}–{page * page_size + len(result.rows)} 件"
)
reveal = top[2].toggle("攻撃的な表現を表示する", key="reveal_queue", value=False)

if not result.rows:
    st.info(
        "条件に合うアラートはありません。" if flt != q.QueueFilter() else "対応が必要なアラートはありません。"
    )


def _bulk(ids: list[int]) -> None:
    """Runs before the page is drawn again, so the list already shows the change."""
    chosen = [i for i in ids if st.session_state.get(f"sel_{i}")]
    status = st.session_state["bulk_status"]
    try:
        n = triage.bulk_status(db.engine(), chosen, status, ui.actor())
    except triage.TriageError as e:
        st.session_state["flash_error"] = str(e)
        return
    q.invalidate()
    for i in ids:
        st.session_state.pop(f"sel_{i}", None)
    st.session_state["flash"] = f"{n} 件の状態を「{ui.status_label(status)}」に変更しました。"


with st.form("bulk", border=True):
    b1, b2 = st.columns([2, 1])
    b1.selectbox(
        "選んだアラートの状態を変更", list(STATUS_LABELS), format_func=ui.status_label, key="bulk_status"
    )
    b2.form_submit_button("一括変更", type="primary", on_click=_bulk, args=([r.id for r in result.rows],))
    for row in result.rows:
        with st.container(border=True):
            head = st.columns([0.06, 0.8, 0.14])
            head[0].checkbox("選択", key=f"sel_{row.id}", label_visibility="collapsed")
            who = f"{ui.platform_label(row.platform)} {row.author_name or row.author}".strip()
            head[1].markdown(
                f"{ui.severity_badge(row.severity)} ・ "
                f"{ui.status_label(row.status)} ・ {ui.when(row.created_at, '%m/%d %H:%M')} ・ #{row.id}"
            )
            many = f"　投稿 {row.post_count} 件" if row.post_count > 1 else ""
            head[1].text(
                f"{ui.kind_label(row.kind)}: {row.reason}{many}　{who}"
                + (f"　担当: {row.assignee}" if row.assignee else "")
            )
            body = "\n".join(t for t in (row.title, row.excerpt) if t)
            if row.kind == "leak":
                body = mask_text(body)
            if body:
                if row.kind in ui.ABUSIVE_KINDS and not reveal:
                    with st.container(key=f"kkblur_q{row.id}"):
                        st.text(body)
                else:
                    st.text(body)
            with head[2]:
                ui.alert_link(row.id)

nav = st.columns([1, 1, 4])
if nav[0].button("← 前へ", disabled=page == 0):
    st.session_state[page_key] = page - 1
    st.rerun()
if nav[1].button("次へ →", disabled=page + 1 >= result.pages):
    st.session_state[page_key] = page + 1
    st.rerun()
nav[2].caption(f"{page + 1} / {result.pages} ページ")
