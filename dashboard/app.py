"""Entry: navigation and login only. Pages live in dashboard/views/.

Not `pages/`: Streamlit treats a `pages/` folder beside the entry script as its older
multipage app, and a first visit to a deep link (/incident) would then run that page
directly, without this script's login.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(
    0, str(Path(__file__).resolve().parent.parent)
)  # `streamlit run` does not install the package path

from dashboard import auth, ui  # noqa: E402
from dashboard.queries import db  # noqa: E402

HERE = Path(__file__).parent

st.set_page_config(page_title="聞き耳 kikimimi", page_icon="👂", layout="wide")
auth.gate(db.settings())

pages = {
    "対応": [
        st.Page(
            str(HERE / "views" / "queue.py"), title="アラート", icon=":material/notifications:", default=True
        ),
        st.Page(
            str(HERE / "views" / "alert.py"),
            title="アラート詳細",
            icon=":material/description:",
            url_path="alert",
        ),
        st.Page(
            str(HERE / "views" / "incident.py"),
            title="インシデント",
            icon=":material/timeline:",
            url_path="incident",
        ),
    ],
    "基盤": [
        st.Page(
            str(HERE / "views" / "sources.py"), title="ソース", icon=":material/rss_feed:", url_path="sources"
        ),
        st.Page(
            str(HERE / "views" / "facts.py"), title="公式情報", icon=":material/fact_check:", url_path="facts"
        ),
    ],
}
current = st.navigation(pages)
if current.title == "アラート" and st.query_params.get("alert"):
    # links in emails point at /?alert=ID: open that alert
    st.switch_page(pages["対応"][1], query_params={"alert": st.query_params["alert"]})

st.sidebar.caption(f"聞き耳 kikimimi ・ {db.settings().city.name}")
ui.sidebar_identity()
auth.logout_button()
ui.style()
current.run()
