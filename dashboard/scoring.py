"""Hostility scores for the posts around an alert, from the same detector the pipeline runs.

Only findings above a threshold become alerts, so a thread's other posts have no stored score;
the thread view scores them here (a few dozen short posts: milliseconds once Sudachi is loaded).
"""

from __future__ import annotations

import logging

import streamlit as st

from analysis import Analyzer
from analysis.text import analyse_text
from collector.alerts import post_text
from collector.settings import Settings
from dashboard.queries.detail import PostView

log = logging.getLogger("kikimimi.dashboard")


@st.cache_resource(show_spinner=False)
def _analyzer(config) -> Analyzer:  # noqa: ANN001 - AnalysisConfig is frozen, so hashable
    return Analyzer(config, [])


def hostility_score(settings: Settings, post: PostView) -> float | None:
    """The detector's raw hostility score (0..1), or None when it cannot be computed."""
    stored = [s for k, s in post.alerts if k == "hostility"]
    if stored:
        return max(stored)
    try:
        analyzer = _analyzer(settings.analysis_config())
        pt = post_text(post)  # as the pipeline gives it to the detector
        raw = f"{pt.title}\n{pt.text}" if pt.title else pt.text
        doc = analyse_text(raw)
        scores = [
            f.score
            for d in analyzer.detectors
            if d.kind == "hostility"
            for f in d.detect(pt, doc, analyzer.context)
        ]
    except Exception:  # noqa: BLE001 - a score is a hint; its absence must not break the page
        log.exception("thread score failed post=%s", post.id)
        return None
    return max(scores, default=0.0)
