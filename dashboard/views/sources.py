"""ソース: is every source being read? Health per source, volume per day, deliveries that failed."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import ui
from dashboard.queries import base as q
from dashboard.queries import db

DAYS = 14
url = db.db_url()
zone = db.tz()

st.title("ソース")
ui.flash()
rows = q.sources(url)
failing = [r for r in rows if r.last_result == "error" or r.consecutive_failures]
if failing:
    st.warning(f"{len(failing)} 件のソースで取得に失敗しています: " + "、".join(r.name for r in failing))
if not rows:
    st.info(
        "ソースがまだありません。settings.toml の [[sources]] を設定して `kikimimi collect` を実行してください。"
    )
else:
    st.dataframe(
        pd.DataFrame(
            {
                "ソース": [r.name for r in rows],
                "種類": [ui.platform_label(r.kind) for r in rows],
                "役割": ["公式情報" if r.role == "official" else "言及" for r in rows],
                "最終取得": [ui.when(r.last_fetch_at) for r in rows],
                "結果": [ui.RESULT_LABELS.get(r.last_result, r.last_result) for r in rows],
                "新着": [r.items_last for r in rows],
                "累計": [r.items_total for r in rows],
                "連続失敗": [r.consecutive_failures for r in rows],
                "最終成功": [ui.when(r.last_success_at) for r in rows],
                "次回": [ui.when(r.next_run_at) for r in rows],
                "エラー": [
                    (f"HTTP {r.last_status}: " if r.last_status else "") + r.last_error
                    if r.last_error
                    else ""
                    for r in rows
                ],
            }
        ),
        hide_index=True,
        key="sources_table",
    )
    for r in failing:
        with st.container(border=True):
            st.text(
                f"{r.name}（{ui.RESULT_LABELS.get(r.last_result, r.last_result)}・連続失敗 {r.consecutive_failures} 回）"
            )
            st.text(r.last_error or "（エラーの記録なし）")

st.subheader(f"プラットフォーム別の投稿数（日ごと・直近 {DAYS} 日）")
per_day = q.posts_per_day(url, DAYS, zone.key)
if not per_day:
    st.caption("この期間の投稿はありません。")
else:
    platforms = sorted({p for v in per_day.values() for p in v})
    frame = pd.DataFrame(
        [
            {"日付": d.isoformat(), **{ui.platform_label(p): v.get(p, 0) for p in platforms}}
            for d, v in per_day.items()
        ]
    )
    st.bar_chart(frame, x="日付", y=[ui.platform_label(p) for p in platforms])
    st.dataframe(frame, hide_index=True, key="per_day_table")

st.subheader("届いていない通知・日次レポート")
failed = q.deliveries(url)
if not failed:
    st.caption("未送信の通知はありません。")
else:
    st.dataframe(
        pd.DataFrame(
            {
                "種類": ["日次レポート" if r.kind == "digest" else "至急通知" for r in failed],
                "宛先": [{"email": "メール", "chat": "チャット"}.get(r.channel, r.channel) for r in failed],
                "状態": [
                    {"pending": "送信待ち", "failed": "失敗・再試行中"}.get(r.status, r.status)
                    for r in failed
                ],
                "試行回数": [r.attempts for r in failed],
                "作成": [ui.when(r.created_at) for r in failed],
                "次回試行": [ui.when(r.next_attempt_at) for r in failed],
                "エラー": [r.last_error for r in failed],
            }
        ),
        hide_index=True,
        key="deliveries_table",
    )
