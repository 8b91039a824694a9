"""公式情報: the statements misinformation is checked against — collected from the city's feeds or added by hand."""

from __future__ import annotations

from datetime import datetime, time

import streamlit as st

from dashboard import triage, ui
from dashboard.panels import safe_url
from dashboard.queries import base as q
from dashboard.queries import db

PAGE_SIZE = 50
url = db.db_url()
zone = db.tz()

st.title("公式情報")
ui.flash()
st.caption(
    "誤情報はここにある市の公式情報と照合されます。市のサイトから収集したもののほか、広報が手で登録できます（次回の分析から使われます）。"
)


def _add() -> None:
    ss = st.session_state
    try:
        triage.add_fact(
            db.engine(),
            ss["fact_title"],
            ss["fact_text"],
            ss["fact_url"],
            datetime.combine(ss["fact_day"], time(0, 0), tzinfo=zone),
            ui.actor(),
        )
    except triage.TriageError as e:
        ss["flash_error"] = str(e)
        return
    q.facts.clear()
    ss["flash"] = f"公式情報「{ss['fact_title'].strip()}」を登録しました。"
    for k in ("fact_title", "fact_text", "fact_url"):
        ss[k] = ""


with st.expander("公式情報を登録する", expanded=False):
    with st.form("add_fact"):
        st.text_input("題名", max_chars=300, key="fact_title")
        st.text_area("本文（正しい情報を具体的に）", height=140, key="fact_text")
        st.text_input(
            "URL（市ホームページなど）", placeholder="https://www.city.example.lg.jp/...", key="fact_url"
        )
        st.date_input("公表日", value=datetime.now(zone).date(), format="YYYY/MM/DD", key="fact_day")
        st.form_submit_button("登録", type="primary", on_click=_add)

search = st.text_input("検索", key="facts_search", placeholder="題名・本文から検索").strip()
page = st.session_state.get(f"facts_page:{search}", 0)
rows, total = q.facts(url, search, page)
st.caption(f"{total} 件")
if not rows:
    st.info("公式情報はまだありません。" if not search else "該当する公式情報はありません。")
for r in rows:
    with st.container(border=True):
        origin = f"手動登録: {r.added_by}" if r.added_by else f"収集: {r.source or '不明'}"
        st.text(
            f"{r.title}\n公表 {ui.when(r.published_at, '%Y-%m-%d')}・{origin}・登録 {ui.when(r.collected_at)}"
        )
        ui.post_box(r.text)
        if link := safe_url(r.url):
            st.link_button("開く", link)
pages = max(1, -(-total // PAGE_SIZE))
if pages > 1:
    c1, c2, c3 = st.columns([1, 1, 4])
    if c1.button("← 前へ", disabled=page == 0, key="facts_prev"):
        st.session_state[f"facts_page:{search}"] = page - 1
        st.rerun()
    if c2.button("次へ →", disabled=page + 1 >= pages, key="facts_next"):
        st.session_state[f"facts_page:{search}"] = page + 1
        st.rerun()
    c3.caption(f"{page + 1} / {pages} ページ")
