"""アラート: open alerts, most severe first."""

from __future__ import annotations

import streamlit as st

from collector.store import KIND_LABELS, SEVERITY_LABELS, STATUS_LABELS
from dashboard import queries

st.title("アラート")
rows = queries.alert_queue()
st.caption(f"未対応のアラート {queries.alert_count()} 件")
if not rows:
    st.info("対応が必要なアラートはありません。")
for row in rows:
    a, p = row["alert"], row["post"]
    with st.container(border=True):
        st.text(
            f"[{SEVERITY_LABELS.get(a.severity, a.severity)}] {KIND_LABELS.get(a.kind, a.kind)}"
            f" ・ {STATUS_LABELS.get(a.status, a.status)} ・ {a.reason}"
        )
        if p is not None:
            st.text(p.text or p.title)
