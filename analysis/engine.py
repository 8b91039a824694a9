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

from analysis.detectors.base import Context, Prefilter, Vetoer, default_detectors
from analysis.detectors.learned import LearnedDetector, is_model
from analysis.relevance import Relevance
from analysis.text import Doc, analyse_text
from analysis.types import AnalysisConfig, Fact, Finding, PostText, Result

# a prefilter's usual chance of saying True, highest first, until the order learned from the posts
# takes over (a speed hint only: any order gives the same results); detectors not named here last
_PREFILTER_ORDER = {"misinformation": 0, "hostility": 1, "leak": 2}
_REORDER_EVERY = 256  # posts between re-orderings of the prefilters by how often each said True
STAFF_LEAK = "職員を名乗るアカウントが職務上の情報を書いている"  # relevance reason: see `_judge`


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
        self._second_opinion = next((d for d in self.detectors if isinstance(d, LearnedDetector)), None)
        self._vetoers = [d for d in self.detectors if isinstance(d, Vetoer)]
        self._leak = next((d for d in self.detectors if d.kind == "leak"), None)
        self.relevance = Relevance(
            self.context.config, self.context.facts
        )  # names, places, facts compiled once
        c = self.context.config
        self._thresholds = {
            "hostility": c.hostility_threshold,
            "misinformation": c.misinfo_suggest_threshold,
            "leak": c.leak_threshold,
        }
        # prefilters in the order they are tried: the one most often True first, since once any says
        # True the words are read anyway and each later detector's own first check decides
        gates = [(i, d.prefilter) for i, d in enumerate(self.detectors) if isinstance(d, Prefilter)]
        self._prefilters: list[tuple[int, Callable[[str], bool]]] = (
            sorted(
                gates, key=lambda g: _PREFILTER_ORDER.get(self.detectors[g[0]].kind, len(_PREFILTER_ORDER))
            )
            if fast and len(gates) == len(self.detectors)  # a detector without one always reads the words
            else []
        )
        # how often each prefilter was asked and said True: every few hundred posts the order
        # follows what was seen (a prefilter that is always True, say, is then asked first)
        self._gate_stats = {i: [0, 0] for i, _ in self._prefilters}
        self._gated = 0

    def threshold(self, kind: str) -> float:
        """A finding below its kind's threshold is not reported (misinformation: the suggest threshold)."""
        return self._thresholds.get(kind, 0.0)

    def classify(self, post: PostText) -> Result:
        raw = f"{post.title}\n{post.text}" if post.title else post.text
        doc = analyse_text(raw)
        if not self.fast:
            doc.lemmas  # noqa: B018 - the slow path tokenises every post up front, as it always did
        return self._judge(post, doc)

    def _to_run(self, doc: Doc) -> list[bool]:
        """Which detectors to run. Until a prefilter says True the post needs no words: each says
        whether its detector could find anything; after that (or once the words were read for
        relevance) the rest simply run, their own first checks being the same tests on the words."""
        run = [True] * len(self.detectors)
        if doc.tokenised:
            return run
        text, stats = doc.text, self._gate_stats
        for i, prefilter in self._prefilters:
            run[i] = prefilter(text)
            asked = stats[i]
            asked[0] += 1
            if run[i]:
                asked[1] += 1
                break
        self._gated += 1
        if self._gated % _REORDER_EVERY == 0:  # a new list, so a thread iterating the old one is unaffected
            self._prefilters = sorted(
                self._prefilters, key=lambda g: -stats[g[0]][1] / max(stats[g[0]][0], 1)
            )
        return run

    def _judge(self, post: PostText, doc: Doc) -> Result:
        relevant, why = self.relevance.judge(post, doc)
        leaked: list[Finding] | None = None  # the leak detector's findings, when relevance needed them
        if not relevant and self._leak is not None and self.relevance.staff_account(post, doc):
            # a municipal employee's account naming no other town: a leak it posts is this city's
            leaked = self._leak.detect(post, doc, self.context)
            if any(f.score >= self.threshold("leak") for f in leaked):
                relevant, why = True, STAFF_LEAK
        if not relevant:
            return Result(id=post.id, relevant=False, relevance_reason=why)
        found: list[Finding] = []
        for d, run in zip(self.detectors, self._to_run(doc), strict=True):
            if d is self._leak and leaked is not None:
                found += leaked  # already read for relevance
            elif run:
                found += d.detect(post, doc, self.context)
        if self._second_opinion is not None:  # a model finding only where no rule proposed its kind
            found = self._second_opinion.merge(self._not_vetoed(found, post, doc), post, doc)
        flags = [f for f in found if is_model(f) or f.score >= self.threshold(f.kind)]  # the model: its own
        flags.sort(key=lambda f: f.score, reverse=True)
        for f in flags:
            _mask_personal_data(f)
        return Result(id=post.id, relevant=True, flags=flags, relevance_reason=why)

    def vetoes(self, post: PostText, doc: Doc, kinds: Iterable[str]) -> dict[str, str]:
        """{kind: why} for each of `kinds` a detector establishes the post is certainly not (`Vetoer`)."""
        wanted = set(kinds)
        out: dict[str, str] = {}
        for d in self._vetoers:
            if d.kind in wanted:
                out |= d.veto(post, doc, self.context)
        return {k: why for k, why in out.items() if k in wanted}

    def _not_vetoed(self, found: list[Finding], post: PostText, doc: Doc) -> list[Finding]:
        """Without the model's findings that would stand alone for a kind a detector vetoes (a
        warning against a rumour read as one): asked only then, so a veto costs nothing elsewhere."""
        assert self._second_opinion is not None
        ruled = {f.kind for f in found if not is_model(f)}
        alone = {
            f.kind for f in found if is_model(f) and f.kind not in ruled and self._second_opinion.raises(f)
        }
        vetoed = self.vetoes(post, doc, alone) if alone else {}
        return [f for f in found if not (is_model(f) and f.kind in vetoed)] if vetoed else found


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
