"""`Analyzer`: relevance first, then every detector, for one post at a time."""

from __future__ import annotations

from collections.abc import Iterable

from analysis.detectors.base import Context, default_detectors
from analysis.relevance import Relevance
from analysis.text import analyse_text
from analysis.types import AnalysisConfig, Fact, PostText, Result


class Analyzer:
    """Built once per run (it indexes the facts); `classify` is then pure per post."""

    def __init__(self, config: AnalysisConfig | None = None, facts: Iterable[Fact] = ()):
        self.context = Context(config=config or AnalysisConfig(), facts=list(facts))
        self.detectors = default_detectors(self.context)
        self.relevance = Relevance(self.context.config, self.context.facts)  # names, places, facts compiled once

    def threshold(self, kind: str) -> float:
        """A finding below its kind's threshold is not reported (misinformation: the suggest threshold)."""
        c = self.context.config
        return {
            "hostility": c.hostility_threshold,
            "misinformation": c.misinfo_suggest_threshold,
            "leak": c.leak_threshold,
        }.get(kind, 0.0)

    def classify(self, post: PostText) -> Result:
        raw = f"{post.title}\n{post.text}" if post.title else post.text
        doc = analyse_text(raw)
        relevant, why = self.relevance.judge(post, doc)
        if not relevant:
            return Result(id=post.id, relevant=False, relevance_reason=why)
        flags = [
            f
            for d in self.detectors
            for f in d.detect(post, doc, self.context)
            if f.score >= self.threshold(f.kind)
        ]
        flags.sort(key=lambda f: f.score, reverse=True)
        return Result(id=post.id, relevant=True, flags=flags, relevance_reason=why)
