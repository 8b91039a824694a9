"""アラート詳細: the post and why it matters, the thread or the correcting fact, and the team's work on it."""

from __future__ import annotations

import json
import re

import streamlit as st

from analysis.clauses import clause
from dashboard import panels, render, scoring, ui
from dashboard.privacy import mask_text
from dashboard.queries import db
from dashboard.queries import detail as q
from dashboard.queries.detail import PostView, Thread

LINK = re.compile(r"https?://[^\s\u3000「」（）()<>]+")
url = db.db_url()
settings = db.settings()

raw_id = st.query_params.get("alert", "")
if not str(raw_id).isdigit():
    st.title("アラート詳細")
    st.info("アラート一覧から開いてください。")
    st.page_link(ui.PAGE_QUEUE, label="アラート一覧へ", icon=":material/notifications:")
    st.stop()
d = q.alert(url, int(raw_id))
if d is None:
    st.title("アラート詳細")
    st.error(f"アラート #{raw_id} は見つかりません。")
    st.page_link(ui.PAGE_QUEUE, label="アラート一覧へ", icon=":material/notifications:")
    st.stop()

ui.flash()
st.page_link(ui.PAGE_QUEUE, label="アラート一覧へ戻る", icon=":material/arrow_back:")
st.title(f"#{d.id} {ui.kind_label(d.kind)}")
st.markdown(
    f"{ui.severity_badge(d.severity)} ・ 状態 **{ui.status_label(d.status)}** ・ "
    f"スコア {d.score:.2f} ・ 検知 {ui.when(d.created_at)}"
)
threshold = settings.analysis.hostility_threshold


def post_meta(p: PostView) -> str:
    who = f"{p.author_name}（{p.author}）" if p.author_name else p.author
    return f"{ui.platform_label(p.platform)} ・ {who} ・ 投稿 {ui.when(p.created_at)} ・ 収集 {ui.when(p.collected_at)}"


def small_post(label: str, p: PostView, key: str) -> None:
    score = scoring.hostility_score(settings, p)
    shown = "—" if score is None else f"{score:.2f}"
    with st.container(border=True):
        st.text(f"{label}　攻撃性 {shown}　{post_meta(p)}")
        raw = render.post_raw(p.title, p.text)
        ui.careful_text(key, raw, abusive=score is not None and score >= threshold)


def thread_view(t: Thread) -> None:
    st.subheader("スレッド")
    st.caption(
        f"スレッド全体 {t.thread_total} 件・同じ投稿への返信 {t.sibling_total + 1 if d.post.in_reply_to else 0} 件・"
        f"この投稿への返信 {t.reply_total} 件（それぞれに攻撃性スコア）"
    )
    if t.root and (not t.parent or t.root.id != t.parent.id):
        small_post("元の投稿", t.root, f"root_{t.root.id}")
    if t.parent:
        small_post("返信先", t.parent, f"parent_{t.parent.id}")
    if t.siblings:
        with st.expander(f"同じ投稿への他の返信（{len(t.siblings)} / {t.sibling_total} 件）", expanded=False):
            for s in t.siblings:
                small_post("返信", s, f"sib_{s.id}")
    if t.replies:
        with st.expander(
            f"この投稿への返信（{len(t.replies)} / {t.reply_total} 件）", expanded=d.kind == "thread"
        ):
            for r in t.replies:
                small_post("返信", r, f"rep_{r.id}")


left, right = st.columns([3, 2], gap="large")
parent = None
with left:
    p = d.post
    if p is None:
        st.subheader("内容")
        st.text(d.reason)
        if d.details:
            st.code(json.dumps(d.details, ensure_ascii=False, indent=2, default=str), language="json")
    else:
        st.subheader("投稿")
        st.text(post_meta(p))
        link = panels.safe_url(p.url)
        if link:
            st.link_button("元の投稿を開く", link)
        raw = render.post_raw(p.title, p.text)
        if d.kind == "leak":
            if st.toggle("原文を表示する（個人情報を含む可能性があります）", key=f"leak_raw_{d.id}"):
                ui.post_box(raw, d.evidence)
            else:
                ui.post_box(mask_text(raw))
                st.caption("個人情報はマスクして表示しています。")
        else:
            ui.careful_text(f"main_{d.id}", raw, d.kind in ui.ABUSIVE_KINDS, d.evidence)
        st.markdown("**投稿者のプロフィール（収集時点）**")
        st.text(p.author_description or "（プロフィール文はありません）")
        if d.fact or d.kind == "misinformation":
            st.subheader("訂正する公式情報")
            if d.fact:
                st.text(f"{d.fact.title}（{ui.when(d.fact.published_at, '%Y-%m-%d')}）")
                ui.post_box(d.fact.text)
                if fl := panels.safe_url(d.fact.url):
                    st.link_button("公式情報を開く", fl)
                    st.code(fl, language=None)
            else:
                st.warning("対応する公式情報が見つかっていません。公式情報ページで登録できます。")
        if d.kind in ("hostility", "thread"):
            t = q.thread(url, p.id)
            parent = t.parent
            thread_view(t)

with right:
    c = clause(d.clause)
    st.subheader("なぜ確認が必要か")
    st.text(d.reason)
    hidden = d.kind in ui.ABUSIVE_KINDS and not st.session_state.get(f"reveal_main_{d.id}")
    if d.evidence and hidden:
        st.text("該当箇所: 本文の「攻撃的な表現を表示する」で確認できます。")
    elif d.evidence:
        words = [str(e.get("text", "")) for e in d.evidence if d.kind != "leak" or e.get("masked")]
        st.text("該当箇所: " + "、".join(words))
    st.markdown("**ガイドライン**")
    st.text(f"{c.id} {c.title}\n{c.summary}" if c.summary else c.id)
    st.markdown("**推奨対応**")
    st.text(d.action or c.action or "—")
    panels.triage_form(d)
    panels.history(d)
    fact_title, fact_url = (
        (d.fact.title, d.fact.url) if d.fact else ("", str(d.details.get("fact_url") or ""))
    )
    if not fact_url and d.post is not None and d.kind in ("hostility", "thread"):
        # the statement the city's post links to, else the city's post itself
        t = q.thread(url, d.post.id)
        root = d.post if d.kind == "thread" else (t.root or t.parent)
        if root is not None and root.is_official:
            linked = q.fact_by_urls(url, tuple(LINK.findall(root.text)))
            fact_title, fact_url = (linked.title, linked.url) if linked else ("", root.url)
    panels.reply_drafts(d, fact_title, panels.safe_url(fact_url) or "")
    panels.evidence_package(d, parent)
