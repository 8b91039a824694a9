"""Entry: navigation and login only. Pages live in dashboard/pages/."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(
    0, str(Path(__file__).resolve().parent.parent)
)  # `streamlit run` does not install the package path

st.set_page_config(page_title="聞き耳 kikimimi", page_icon="👂", layout="wide")

pages = [
    st.Page(str(Path(__file__).parent / "pages" / "queue.py"), title="アラート", icon="🚨", default=True)
]
st.navigation(pages).run()
