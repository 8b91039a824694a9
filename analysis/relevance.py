"""Is a post about the city at all? (placeholder: alias match; the analysis issue deepens it)."""

from __future__ import annotations

from analysis.text import Doc
from analysis.types import AnalysisConfig, PostText


def is_relevant(post: PostText, doc: Doc, config: AnalysisConfig) -> tuple[bool, str]:
    if post.reply_to_official:
        return True, "公式アカウントへの返信"
    for alias in config.aliases:
        if alias and alias in doc.text:
            return True, f"「{alias}」を含む"
    return False, "市に関する語を含まない"
