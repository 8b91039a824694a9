"""インシデント: the morning after — how the replies and mentions grew, how hostile, who, what was repeated."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pandas as pd
import streamlit as st

from collector.store import utcnow
from dashboard import incident as inc
from dashboard import ui
from dashboard.privacy import mask_text
from dashboard.queries import db
from dashboard.queries import incident as q

HOURS = (3, 6, 12, 24, 48, 72, 168)

st.title("インシデント")
ui.flash()
st.caption(
    "公式投稿または検索語と期間を選ぶと、10分ごとの反応・攻撃的な投稿の割合・投稿者数・繰り返された主張・拡散した投稿をまとめます。"
)
url = db.db_url()
zone = db.tz()

mode = st.radio("対象", ["公式投稿への反応", "検索語"], horizontal=True, key="inc_mode")
root_id: int | None = None
term = ""
title = ""
# a term: from the start of yesterday, so "the morning after" sees yesterday whole
default_start = (datetime.now(zone) - timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
if mode == "公式投稿への反応":
    officials = q.official_posts(url)
    if not officials:
        st.info("公式アカウントの投稿がまだありません。検索語で調べてください。")
        st.stop()
    labels = {
        o.id: f"{ui.when(o.created_at, '%m/%d %H:%M')} {ui.platform_label(o.platform)} {' '.join(o.text.split())[:60]}"
        for o in officials
    }
    root_id = st.selectbox("公式投稿", list(labels), format_func=labels.get, key="inc_root")
    chosen = next(o for o in officials if o.id == root_id)
    title = f"公式投稿 {labels[root_id]}"
    if chosen.created_at:
        default_start = chosen.created_at.astimezone(zone)
else:
    term = st.text_input("検索語", key="inc_term", placeholder="例: 水道、花火").strip()
    title = f"「{term}」を含む投稿"

c1, c2, c3 = st.columns(3)
start_day = c1.date_input("開始日", value=default_start.date(), key=f"inc_day_{root_id}", format="YYYY/MM/DD")
start_time = c2.time_input(
    "開始時刻",
    value=time(default_start.hour, default_start.minute - default_start.minute % 10),
    key=f"inc_time_{root_id}",
    step=timedelta(minutes=10),
)
hours = c3.selectbox(
    "期間",
    HOURS,
    index=HOURS.index(24 if root_id else 48),
    format_func=lambda h: f"{h} 時間",
    key="inc_hours",
)
since = datetime.combine(start_day, start_time, tzinfo=zone)
until = since + timedelta(hours=hours)

if mode == "検索語" and not term:
    st.info("検索語を入力してください。")
    st.stop()

posts = q.incident(url, since, until, root_id, term)
s = inc.summarize(posts, since, until)
m = st.columns(5)
m[0].metric("投稿数", f"{s.posts} 件")
m[1].metric("攻撃的な投稿", f"{s.hostile} 件")
m[2].metric("攻撃的な割合", f"{s.hostile_share:.0%}")
m[3].metric("投稿者数", f"{s.authors} 人")
m[4].metric("繰り返された主張", f"{len(s.claims)} 件")
if not posts:
    st.info("この期間に該当する投稿はありません。期間や対象を変えてください。")
    st.stop()

frame = pd.DataFrame(
    {
        "時刻": [b.start.astimezone(zone).replace(tzinfo=None) for b in s.timeline],
        "投稿": [b.posts for b in s.timeline],
        "攻撃的": [b.hostile for b in s.timeline],
        "攻撃的な割合": [round(b.share * 100, 1) for b in s.timeline],
    }
)
st.subheader("10分ごとの投稿数")
st.bar_chart(frame, x="時刻", y=["投稿", "攻撃的"], stack=False, color=["#9aa5b1", "#d64545"])
st.subheader("攻撃的な投稿の割合（%）")
st.line_chart(frame, x="時刻", y="攻撃的な割合", color="#d64545")
with st.expander("10分ごとの表"):
    st.dataframe(frame[frame["投稿"] > 0], hide_index=True, key="inc_table")

st.subheader("繰り返された主張（似た投稿のまとまり）")
if not s.claims:
    st.caption("2件以上繰り返された主張はありません。")
for c in s.claims[:20]:
    with st.container(border=True):
        st.text(f"{c.posts} 件・投稿者 {c.authors} 人・初出 {ui.when(c.first_at, '%m/%d %H:%M')}")
        ui.post_box(c.text)

st.subheader("最も拡散した投稿")
if not s.top:
    st.caption("拡散数（リポスト・返信・いいね）の記録がある投稿はありません。")
for p in s.top:
    with st.container(border=True):
        st.text(
            f"拡散 {p.spread}（リポスト {p.repost_count}・返信 {p.reply_count}・いいね {p.like_count}）"
            f"　{ui.platform_label(p.platform)} {p.author}　{ui.when(p.created_at, '%m/%d %H:%M')}"
        )
        text = mask_text(p.text, True) if p.leak else p.text
        ui.careful_text(f"inc_{p.id}", text, abusive=p.hostile)

st.subheader("報告書として出力（個人情報はマスク）")
stamp = utcnow().astimezone(zone).strftime("%Y%m%d-%H%M")
e1, e2 = st.columns(2)
e1.download_button(
    "Markdown で出力",
    data=inc.to_markdown(s, title, since, until, zone, mask_text).encode("utf-8"),
    file_name=f"kikimimi-incident-{stamp}.md",
    mime="text/markdown; charset=utf-8",
    on_click="ignore",
    key="inc_md",
)
e2.download_button(
    "CSV で出力",
    data=inc.to_csv(posts, zone, mask_text).encode("utf-8-sig"),
    file_name=f"kikimimi-incident-{stamp}.csv",
    mime="text/csv; charset=utf-8",
    on_click="ignore",
    key="inc_csv",
)
