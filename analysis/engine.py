"""`Analyzer`: relevance first, then every detector, for one post at a time.

Speed without changing a result: a post's `Doc` is tokenised only when something reads its
words (relevance decided on the text alone, e.g. no name of the city at all, never needs
Sudachi), and a detector whose `prefilter` says the text cannot concern it is skipped.
`Analyzer(fast=False)` turns every such shortcut off; tests/analysis/test_fast_path.py
checks both give the same results.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from analysis.detectors.base import Context, Detector, Prefilter, default_detectors
from analysis.relevance import Relevance
from analysis.text import Doc, analyse_text
from analysis.types import AnalysisConfig, Fact, Finding, PostText, Result


class Analyzer:
    """Built once per run (it indexes the facts); `classify` is then pure per post.

    One Analyzer may classify from several threads at once: detectors keep no per-post
    state, and each thread tokenises with its own Sudachi tokenizer.
    """

    def __init__(
        self, config: AnalysisConfig | None = None, facts: Iterable[Fact] = (), *, fast: bool = True
    ):
        self.fast = fast
        self.context = Context(config=config or AnalysisConfig(), facts=list(facts), fast=fast)
        self.detectors = default_detectors(self.context)
        self.relevance = Relevance(
            self.context.config, self.context.facts
        )  # names, places, facts compiled once
        c = self.context.config
        self._thresholds = {
            "hostility": c.hostility_threshold,
            "misinformation": c.misinfo_suggest_threshold,
            "leak": c.leak_threshold,
        }
        self._gated: list[tuple[Detector, Callable[[str], bool] | None]] = [
            (d, d.prefilter if fast and isinstance(d, Prefilter) else None) for d in self.detectors
        ]

    def threshold(self, kind: str) -> float:
        """A finding below its kind's threshold is not reported (misinformation: the suggest threshold)."""
        return self._thresholds.get(kind, 0.0)

    def classify(self, post: PostText) -> Result:
        raw = f"{post.title}\n{post.text}" if post.title else post.text
        doc = analyse_text(raw)
        if not self.fast:
            doc.lemmas  # noqa: B018 - the slow path tokenises every post up front, as it always did
        return self._judge(post, doc)

    def _judge(self, post: PostText, doc: Doc) -> Result:
        relevant, why = self.relevance.judge(post, doc)
        if not relevant:
            return Result(id=post.id, relevant=False, relevance_reason=why)
        flags: list[Finding] = []
        text = doc.text
        for d, gate in self._gated:
            if gate is not None and not gate(text):
                continue
            flags += [f for f in d.detect(post, doc, self.context) if f.score >= self.threshold(f.kind)]
        flags.sort(key=lambda f: f.score, reverse=True)
        for f in flags:
            _mask_personal_data(f)
        return Result(id=post.id, relevant=True, flags=flags, relevance_reason=why)


def _mask_personal_data(finding: Finding) -> None:
    """Whatever a detector quotes (a threat naming someone's address, say) is stored masked.

    The leak detector masks its own personal-data evidence; every other span and reason goes
    through `pii.mask` here, so no detector can put a resident's number into an alert.
    """
    from analysis.pii import mask

    for i, e in enumerate(finding.evidence):
        if not e.masked:
            hidden = mask(e.text)
            if hidden != e.text:
                finding.evidence[i] = replace(e, text=hidden, masked=True)
    finding.reason = mask(finding.reason)
