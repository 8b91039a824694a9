"""The learned second opinion (`analysis/learned.py`) as a detector: what the rules may have missed.

For each kind whose probability reaches its threshold (chosen at training time, or
`[analysis] model_*_threshold`; a kind with neither is off) it proposes a finding; `merge`,
called by the engine before the rules' thresholds, keeps it only when no rule proposed that kind
(the rule's finding then records the model's probability in `details["model_probability"]`) and
only then writes its reason and evidence. So the model adds alerts, never replaces or doubles
one, and its reason says it is a resemblance to labelled posts, not a rule (wording in
lexicons/learned.toml).

Evidence: the words behind the features that raised the score most (lemma or pair of lemmas,
mapped back to their first place in the text; punctuation and particles alone are not shown).
A misinformation finding names the official statement on the post's topic when the index the
misinformation detector uses finds one as it would (similarity and a specific shared word); the
model never confirms a claim. Severity is never "critical" from the model alone.

Needs every relevant post's words, so it has a prefilter that says True whenever the model is on
(and False when it is off, so the other gates work as before). On benchmarks/analysis_throughput's
stream that costs about a fifth of classify's throughput (`python benchmarks/learned_model.py`):
the scoring itself is ~10 µs a relevant post; the rest is Sudachi reading the fifth of relevant
posts no rule needed, the rules' first checks on their words, and the reasons written. Two ways
out were measured and gain nothing: an exact text-only bound (a head can reach its threshold only
if the spellings of features weighing for it occur; sum their squared weights) skips none of
those posts, since after L2 normalisation one feature can carry the whole score and single
features such as 市役所, or 等 (spelled ら), outweigh the margin between a head's bias and its
threshold; and asking the rules' prefilters before this one costs what it saves.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import ClassVar

from analysis.clauses import clause
from analysis.detectors.base import Context
from analysis.detectors.misinformation import MIN_ANCHOR, MIN_SIMILARITY
from analysis.factbase import FactIndex, topic_terms
from analysis.learned import LinearModel, load_model
from analysis.misinfo.view import View
from analysis.text import Doc
from analysis.textnorm import normalize
from analysis.types import Evidence, Fact, Finding, PostText

SOURCE = "model"
MAX_EVIDENCE = 5
QUOTED = 3  # words quoted in the reason
# parts of speech that never stand as evidence on their own
_NOT_CONTENT = frozenset({"補助記号", "空白", "助詞", "助動詞"})
# particles and endings that join a target word into a feature without saying anything of it
_GLUE = frozenset("に で は が を の へ と も や から まで より た だ です ます さん 様 。 、 ! ?".split())
_EDGE = frozenset({"補助記号", "空白", "助詞"})  # trimmed from a span's ends (聞いた keeps its た)
WORDING = Path(__file__).resolve().parent.parent / "lexicons" / "learned.toml"


@dataclass(frozen=True)
class Wording:
    label: str
    clause: str
    severity: str
    severity_high: str = ""
    high_from: float = 1.1


@lru_cache(maxsize=1)
def _wording() -> tuple[dict[str, Wording], dict[str, str]]:
    data = tomllib.loads(WORDING.read_text("utf-8"))
    text = data.pop("text")
    wording = {kind: Wording(**body) for kind, body in data.items()}
    for kind, w in wording.items():
        if "critical" in (w.severity, w.severity_high):
            raise ValueError(f"{WORDING} [{kind}]: the model alone never raises a critical alert")
    return wording, text


def _target_words(config) -> frozenset[str]:
    """Whom hostility is aimed at (the city, its offices, staff, mayor, accounts: the hostility
    lexicon's targets) with the city's names and the particles and endings that glue them into
    features (市役所 に, 茅野 市役所)."""
    from analysis.detectors import hostility_lexicon

    aimed = {"city", "office", "staff", "mayor", "account"}
    targets = {w for w, tag in hostility_lexicon.load().targets.items() if tag in aimed}
    names = {normalize(a) for a in (config.city_name, *config.aliases) if a and not a.isascii()}
    return frozenset(_GLUE | targets | names | {n.removesuffix("市") for n in names}) - {""}


def is_model(finding: Finding) -> bool:
    return finding.details.get("source") == SOURCE


class LearnedDetector:
    kind: ClassVar[str] = "learned"

    def __init__(self, context: Context, statements: FactIndex | None = None):
        config = context.config
        self.model: LinearModel | None = (
            load_model(config.model_path or None) if config.model_enabled else None
        )
        overrides = {
            "hostility": config.model_hostility_threshold,
            "misinformation": config.model_misinfo_threshold,
            "leak": config.model_leak_threshold,
        }
        # a kind's threshold: the settings', else the model file's; a kind with neither is off
        self.thresholds: dict[str, float] = {}
        # the probability a rule's finding of a kind needs to stand (the model file's)
        self.supports: dict[str, float] = {}
        for h in self.model.heads if self.model else ():
            t = overrides.get(h.kind)
            t = h.threshold if t is None else t
            if t is not None:
                self.thresholds[h.kind] = t
                if h.support is not None:
                    self.supports[h.kind] = h.support
        self.wording, self.text = _wording()
        # the rules' own thresholds where a finding below them is a hint the model may overrule: a
        # leak rule's low score means too little evidence; a hostility rule's low score is a
        # judgement (an insult aimed at a tourist), and a misinformation rule's says the claim was weighed
        self.rule_thresholds = {"leak": config.leak_threshold}
        self.targets = _target_words(config) if "hostility" in self.thresholds else frozenset()
        if statements is None and context.facts and "misinformation" in self.thresholds:
            city_words = {config.city_name, *config.aliases, config.city_name.removesuffix("市")}
            statements = FactIndex(context.facts, city_words)
        self.statements = statements

    def prefilter(self, text: str) -> bool:
        """The model reads every relevant post's words; off (or every kind off), it needs none."""
        return bool(self.thresholds)

    def detect(self, post: PostText, doc: Doc, context: Context) -> list[Finding]:
        """A finding per kind at or above its threshold (or its support, see `merge`), without
        reason and evidence yet: most are dropped by `merge` (a rule saw the kind), so those are
        written only for the ones kept."""
        if self.model is None or not self.thresholds or not doc.text.strip():
            return []
        out = []
        for kind, p in self.model.probabilities(doc.lemmas).items():
            threshold = self.thresholds.get(kind)
            if threshold is None or p < min(threshold, self.supports.get(kind, threshold)):
                continue
            w = self.wording[kind]
            out.append(
                Finding(
                    kind=kind,
                    severity=w.severity_high if w.severity_high and p >= w.high_from else w.severity,
                    score=round(p, 4),
                    clause=w.clause,
                    reason="",
                    action=clause(w.clause).action,
                    details={
                        "source": SOURCE,
                        "model_version": self.model.version,
                        "probability": round(p, 4),
                        "threshold": threshold,
                    },
                )
            )
        return out

    @staticmethod
    def raises(finding: Finding) -> bool:
        """The model finding reaches its kind's threshold (it may stand alone), not only its support."""
        return finding.details["probability"] >= finding.details["threshold"]

    def merge(self, found: list[Finding], post: PostText, doc: Doc) -> list[Finding]:
        """The rules' findings, plus each model finding of a kind no rule proposed (with its reason
        and evidence written now); a rule finding of the model's kind keeps the model's probability
        in its details instead. A rule finding of a kind with a support threshold stands only when
        the model's probability reaches it: a match the model reads as nothing like misinformation
        is dropped, confirmed or not (on blind sets d and e every confirmed contradiction the model
        gave under 0.1 was a false alarm: a correct repeat misread, 「通れなくなる」, a question).
        Called before the rules' thresholds: a leak rule's finding below its threshold (a hint,
        「ここだけの話」 scored 0.25 with no secret the rules know) gives way to the model's finding
        when the model reaches its own threshold; otherwise the kind stays the rules' to decide."""
        model = {f.kind: f for f in found if is_model(f)}
        if not model and not self.supports:
            return found
        out = []
        ruled = set()
        for r in found:
            if is_model(r):
                continue
            m = model.get(r.kind)
            if m is not None and r.score < self.rule_thresholds.get(r.kind, 0.0) and self.raises(m):
                continue  # a hint below the rules' threshold, and the model is sure: the model's finding
            ruled.add(r.kind)
            if m is not None:
                r.details["model_probability"] = m.details["probability"]
            support = self.supports.get(r.kind)
            if support is not None and (m is None or m.details["probability"] < support):
                continue
            out.append(r)
        for kind, m in model.items():
            if (
                kind not in ruled
                and self.raises(m)
                and not self._named_only(m, doc)
                and self._explain(m, post, doc)
            ):
                out.append(m)
        return out

    def _named_only(self, finding: Finding, doc: Doc) -> bool:
        """A hostility score that only naming whom it would be aimed at raised: the features made
        of target words (市役所, 市長, 職員, 茅野: lexicons/hostility/targets.txt and the city's
        names) and particles raise it, and the rest of the post's words together do not. Hostile
        posts name their target and civil ones often do not, so the model learned that
        「茅野市役所に行った」 looks hostile (0.73); naming the city hall is not aggression."""
        if finding.kind != "hostility" or self.model is None:
            return False
        rest = 0.0
        for feature, share in self.model.shares(doc.lemmas, "hostility").items():
            if not all(w in self.targets for w in feature.split(" ")):
                rest += share
        return rest <= 0.0

    def _explain(self, finding: Finding, post: PostText, doc: Doc) -> bool:
        """The words that raised the score, the honest reason, and for misinformation the statement.

        False when no word did: only particles, endings and punctuation raised it (a short post whose
        other words the model does not know, 「ヤニ松の得意武器」 read as a leak for its の). An alert
        that cannot point at a word is not raised."""
        evidence = self._evidence(doc, finding.kind)
        if not evidence:
            return False
        quoted = "".join(f"「{w}」" for w in list(dict.fromkeys(e.text for e in evidence))[:QUOTED])
        finding.reason = self.text["reason"].format(
            label=self.wording[finding.kind].label, probability=finding.details["probability"], words=quoted
        )
        fact = self._statement(post, doc) if finding.kind == "misinformation" else None
        if fact is not None:
            finding.reason += self.text["fact"].format(title=fact.title or fact.id)
            finding.fact_id, finding.fact_url = fact.id, fact.url or None
        finding.evidence = sorted(evidence, key=lambda e: e.start)
        return True

    def _evidence(self, doc: Doc, kind: str) -> list[Evidence]:
        """The words of the features that raised the score most, strongest first."""
        assert self.model is not None
        lemmas, pos = doc.lemmas, doc.pos
        where: dict[str, tuple[int, int]] = {}  # feature → its first words [i, j)
        for i, lemma in enumerate(lemmas):
            where.setdefault(lemma, (i, i + 1))
        for i in range(len(lemmas) - 1):
            where.setdefault(f"{lemmas[i]} {lemmas[i + 1]}", (i, i + 2))
        spans: list[tuple[int, int]] = []  # word ranges, strongest first; overlapping ones joined
        for feature, _ in self.model.contributions(lemmas, kind):
            i, j = where[feature]
            if all(pos[t][0] in _NOT_CONTENT for t in range(i, j)):
                continue
            hits = [n for n, (a, b) in enumerate(spans) if i < b and a < j]
            if hits:  # 「ヘボスケ」 then 「ヘボスケ 揃い」: one span (and any others it now touches)
                joined = (min(i, *(spans[n][0] for n in hits)), max(j, *(spans[n][1] for n in hits)))
                spans = [sp for n, sp in enumerate(spans) if n not in hits[1:]]
                spans[hits[0]] = joined
                continue
            if len(spans) == MAX_EVIDENCE:
                break
            spans.append((i, j))
        out = []
        for i, j in spans:
            while pos[i][0] in _EDGE:  # no particle or mark at either end: 「課長」, not 「。課長が」
                i += 1
            while pos[j - 1][0] in _EDGE:
                j -= 1
            start, end = doc.raw_span(doc.begins[i], doc.ends[j - 1])
            out.append(Evidence(start, end, doc.raw[start:end], SOURCE))
        return out

    def _statement(self, post: PostText, doc: Doc) -> Fact | None:
        """The official statement on the post's topic, found as the misinformation detector finds it."""
        index = self.statements
        if not index:
            return None
        view = View(doc)
        cands = [
            c
            for c in index.candidates(topic_terms(view), view)
            if c.similarity >= MIN_SIMILARITY and c.anchor >= MIN_ANCHOR
        ]
        best = index.current(cands, post.created_at)
        return index.facts[best.index].fact if best else None
