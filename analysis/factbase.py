"""The city's official statements, indexed once, so each post finds the statement about its topic.

Topic nouns are Sudachi lemmas (lexeme variants merged through the Sudachi synonym dictionary,
「ゴミ」=「ごみ」). The similarity in 0–1 that decides a match is the share of the post's own topic
words that the statement has, each word weighed by its specificity (0.2 for words any municipal
text uses, `lexicons/misinfo_generic.txt`; 0.5 for one character) times its power to tell
statements apart (idf relative to a word found in one statement only), so thresholds mean the
same whatever the size of the fact base and a generic word or two never make a match. `anchor`
is the weight of the most specific shared word; BM25 breaks ties.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from analysis.misinfo.claims import Claims, extract, topic_key, vocabulary
from analysis.misinfo.denials import Denial, denials, expand
from analysis.misinfo.eligibility import Eligibility, of_statement
from analysis.misinfo.extents import ScopeWord, periods, scope_words
from analysis.misinfo.gate import HIRA_TO_KANA, spellings
from analysis.misinfo.groups import Price, prices
from analysis.misinfo.phrases import read_list
from analysis.misinfo.synonyms import lexeme_variants
from analysis.misinfo.view import View
from analysis.text import analyse_text, normalize
from analysis.types import Fact

K1, B = 1.2, 0.75
PARTIAL = 0.5  # weight of a word matched only as part of a longer one (インフル予防 ~ 予防接種)
GENERIC = 0.2  # specificity of a word any municipal text uses (lexicons/misinfo_generic.txt)
SHORT = 0.5  # specificity of a one-character word
MIN_MASS = 1.0  # a post of one specific word is measured as if it had one
_DENIAL = (
    "事実",
    "そのよう",
    "そういった",
    "デマ",
    "誤った情報",
    "誤情報",
)


@dataclass
class IndexedFact:
    fact: Fact
    doc: View
    claims: Claims
    terms: Counter[str]
    title_nouns: frozenset[str] = frozenset()
    denial: bool = False  # it denies something (「そのような事実はありません」): a correction of a rumour
    denials: list[Denial] = field(default_factory=list)  # what its negated clauses deny
    scopes: list[ScopeWord] = field(default_factory=list)  # 「一部」「すべての」: how far it reaches
    periods: list[tuple[float, int]] = field(default_factory=list)  # (hours, clause) from start to end
    prices: list[Price] = field(default_factory=list)  # who pays what (「中学生以下は無料」)
    eligibility: Eligibility = field(default_factory=Eligibility)  # who or what it is for

    @property
    def published(self) -> datetime | None:
        return self.fact.published_at


@dataclass(frozen=True)
class Candidate:
    index: int
    similarity: float
    evidence: float  # shared distinctive words (sum of weights), unbounded
    bm25: float
    shared: tuple[str, ...]  # the statement's words the post shares
    anchor: float = 0.0  # the most specific shared word's weight: 0.2 for a generic word alone
    post_words: frozenset[str] = frozenset()  # the post's words that meet the statement
    # post word → [(indexed word, match weight)], for every statement (shared by the candidates)
    links: dict[str, list[tuple[str, float]]] = field(default_factory=dict, compare=False, repr=False)


_KANA_ONLY = re.compile("[ぁ-ゖァ-ヺー]+")
_DEVOICE = str.maketrans(
    "ガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポ", "カキクケコサシスセソタチツテトハヒフヘホハヒフヘホ"
)


class Terms(Counter):
    """Topic words of a text (counts), with the reading of each (熊 and クマ meet by reading)."""

    def __init__(self) -> None:
        super().__init__()
        self.positions: dict[str, int] = {}  # term → index of its first word in the text

    def reading(self, doc: View, term: str) -> str:
        """Devoiced katakana reading (ツキノワグマ → ツキノワクマ, so a post's クマ meets it at the end)."""
        i = self.positions.get(term)
        return doc.reading(i).translate(_DEVOICE) if i is not None else ""


def topic_terms(doc: View, extra_stop: frozenset[str] = frozenset()) -> Terms:
    terms = Terms()
    extract(doc, terms=terms)
    for word in extra_stop & terms.keys():
        del terms[word]
    return terms


def _parts(form: str) -> set[str]:
    """The word and its parts of two or more characters that a post may write as a word of its
    own: not cut inside a run of kana (値上げ gives no 上げ) nor inside a Latin-letter word."""
    if form.isascii() or _KANA_ONLY.fullmatch(form):
        return {form}
    n = len(form)
    return {
        form[a:b]
        for a in range(n)
        for b in range(a + 2, n + 1)
        if not (a and _KANA_ONLY.match(form[a]) and _KANA_ONLY.match(form[a - 1]))
        and not (b < n and _KANA_ONLY.match(form[b]) and _KANA_ONLY.match(form[b - 1]))
    }


def _stamp(dt: datetime | None) -> float | None:
    return dt.timestamp() if dt else None


class FactIndex:
    """Built once per analyzer; `candidates` is then cheap per post (inverted index)."""

    def __init__(self, facts: Iterable[Fact], city_words: Iterable[str] = ()):
        self.stop = frozenset(city_words)
        self._prefixes = sorted(self.stop, key=len, reverse=True)
        self.facts: list[IndexedFact] = []
        for fact in facts:
            full = analyse_text(f"{fact.title}\n{fact.text}" if fact.title else fact.text)
            doc = View(full)
            terms = Terms()
            claims = extract(doc, terms=terms, statement=True)
            for word in self.stop & terms.keys():
                del terms[word]
            n_title = len(normalize(fact.title)) if fact.title else 0
            title = frozenset().union(*(c.nouns for c in claims.clauses if c.start < n_title))
            denial = any(
                c.negated and any(a in doc.text[c.start : c.end] for a in _DENIAL) for c in claims.clauses
            )
            denied = denials(claims, doc.text, title, self.stop)
            scopes = scope_words(doc.text, claims, statement=True)
            said = [
                (m.start, m.end, m.clause, m.category == "free")
                for m in claims.mentions
                if m.category in ("free", "paid") and not m.negated and not m.conditional and not m.past
            ]
            paying = prices(doc.text, claims, said)
            self.facts.append(
                IndexedFact(
                    fact,
                    doc,
                    claims,
                    terms,
                    title,
                    denial,
                    denied,
                    scopes,
                    periods(claims),
                    paying,
                    of_statement(doc.text, claims),
                )
            )
        n = len(self.facts)
        self.postings: dict[str, list[tuple[int, int]]] = {}
        for i, f in enumerate(self.facts):
            for term, tf in f.terms.items():
                self.postings.setdefault(term, []).append((i, tf))
        self.idf = {t: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in self.postings.items()}
        self.idf_max = math.log(1 + (n - 1 + 0.5) / 1.5) if n else 1.0
        self.lengths = [sum(f.terms.values()) for f in self.facts]
        self.avgdl = sum(self.lengths) / n if n else 1.0
        self.generic = frozenset(read_list("misinfo_generic.txt"))
        self._parts: dict[str, set[str]] = {}  # substring of an indexed word → the words
        for term in self.postings:
            for a in range(len(term)):
                for b in range(a + 2, len(term) + 1):
                    if b - a < len(term):
                        self._parts.setdefault(term[a:b], set()).add(term)
        self._by_reading: dict[str, set[str]] = {}  # reading, or its end, of an indexed word → the words
        for f in self.facts:
            for term in f.terms:
                reading = f.terms.reading(f.doc, term)
                for a in range(len(reading) - 1):
                    self._by_reading.setdefault(reading[a:], set()).add(term)
        # words of the sentences statements deny (「個人情報の流出はありません」): a post using
        # two of them may be claiming what was denied
        self.denied_words = frozenset(w for f in self.facts for d in f.denials for w in d.words)
        self.denied_lookup = frozenset(self.denied_forms())  # for a post's lemmas and surfaces
        # every form a post's word may take and still meet a statement's topic word: the
        # word, its spelling variants, and its parts (a post's 花火 meets 花火大会)
        forms: set[str] = set(self._parts) | set(self.postings)
        variants = lexeme_variants()
        for term in self.postings:
            forms.update(variants.get(term, ()))
        for f in self.facts:
            forms.update(t.normalized for t in f.doc.tokens if topic_key(t, vocabulary()) is not None)
        self.topic_forms = frozenset(forms - self.stop)
        self.hosts = frozenset(h for f in self.facts if (h := urlsplit(f.fact.url).hostname))

    def __len__(self) -> int:
        return len(self.facts)

    def gate_words(self) -> set[str]:
        """Every string a post must contain to share a specific word with some statement: each
        specific indexed word as the statements spell it, its normalised form and spelling
        variants, and their parts (a post's 花火 meets 花火大会); its reading in katakana and
        hiragana, and the ends of the katakana reading (クマ meets ツキノワグマ)."""
        vocab = vocabulary()
        written: dict[str, set[str]] = {}
        spoken: dict[str, set[str]] = {}
        for f in self.facts:
            for i, tok in enumerate(f.doc.tokens):
                key = topic_key(tok, vocab)
                if key is None or key not in self.postings or self.specificity(key) < 1.0:
                    continue
                written.setdefault(key, {key}).add(tok.surface)
                reading = f.doc.reading(i)
                ends = {reading[a:] for a in range(len(reading) - 2)}  # three or more kana
                ends = {e.translate(HIRA_TO_KANA) for e in ends}
                spoken.setdefault(key, set()).update(
                    spellings(tok.surface, reading), ends, (e.translate(_DEVOICE) for e in ends)
                )
        variants = lexeme_variants()
        out: set[str] = set()
        for key, forms in written.items():
            forms.update(variants.get(key, ()))
            for form in forms:
                out.update(_parts(form))
            out.update(spoken.get(key, ()))
        return {w for w in out if len(w) > 1 and w not in self.stop and self.specificity(w) >= 1.0}

    def denied_forms(self) -> set[str]:
        """The words of sentences statements deny, as the statements spell them, with their
        spelling variants and near-synonyms (飲食 → 飲み食い)."""
        variants = lexeme_variants()
        out = expand(set(self.denied_words), lambda w: variants.get(w, ()))
        vocab = vocabulary()
        for f in self.facts:
            out.update(t.surface for t in f.doc.tokens if topic_key(t, vocab) in self.denied_words)
        return {w for w in out if len(w) > 1}

    def weight(self, term: str) -> float:
        """A word's power to tell statements apart: 1 for a word in one statement only."""
        return self.idf.get(term, 0.0) / self.idf_max if self.idf_max else 0.0

    def topic_weight(self, term: str) -> float:
        """An indexed word's power to say a post is about a statement: specific and rare among them."""
        return self.specificity(term) * self.weight(term)

    def specificity(self, term: str) -> float:
        """How much a word says what a text is about, whatever the fact base: low for words any
        municipal text uses (`lexicons/misinfo_generic.txt`) and single characters."""
        if term in self.generic:
            return GENERIC
        return 1.0 if len(term) > 1 else SHORT

    def _matches(self, terms: Terms, doc: View | None) -> dict[str, list[tuple[str, float]]]:
        """Post word → [(indexed word, match weight)] for each post word found in the index."""
        out: dict[str, list[tuple[str, float]]] = {}
        postings = self.postings
        for term in terms:
            if term in self.stop:
                continue
            if term in postings:
                out[term] = [(term, 1.0)]
                continue
            rest = next((term[len(w) :] for w in self._prefixes if term.startswith(w)), "")
            if rest in postings:  # 茅野市北山 is 北山
                out[term] = [(rest, 1.0)]
                continue
            found: dict[str, float] = {}
            reading = terms.reading(doc, term) if doc is not None and self._by_reading else ""
            for whole in self._by_reading.get(reading, ()) if len(reading) >= 2 else ():
                found.setdefault(whole, PARTIAL)
            for whole in self._parts.get(term, ()):
                found.setdefault(whole, PARTIAL)
            n = len(term)
            for a in range(n - 1):
                for b in range(a + 2, n + 1 - (a == 0)):  # every part but the whole (茅野市北山 → 北山)
                    part = term[a:b]
                    if part in postings:
                        found.setdefault(part, PARTIAL)
            if found:
                out[term] = list(found.items())
        return out

    def candidates(self, terms: Terms, doc: View | None = None, limit: int = 5) -> list[Candidate]:
        """Statements that share topic words with the post, the most similar first.

        Similarity is the share of the post's own topic words (each weighed by its specificity
        and its power to tell statements apart) that the statement has: a post about a job exam
        that names 「市役所」 shares one generic word with the office-hours notice and little
        else, while 「花火大会、台風で中止」 is all about the fireworks notice."""
        if not self.facts or not terms:
            return []
        matched = self._matches(terms, doc)
        if not matched:
            return []
        total = 0.0
        for term in terms:
            if term not in self.stop:
                total += self.topic_weight(term) if term in self.postings else self.specificity(term)
        scores: dict[int, float] = {}
        shared_w: dict[int, dict[str, float]] = {}  # statement → post word → its best shared weight
        shared: dict[int, list[str]] = {}
        for post_term, hits in matched.items():
            qtf = min(terms[post_term], 2)
            for term, m in hits:
                idf = self.idf[term]
                w = m * self.topic_weight(term)
                for i, tf in self.postings[term]:
                    bm = idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * self.lengths[i] / self.avgdl))
                    scores[i] = scores.get(i, 0.0) + m * bm * qtf
                    per = shared_w.setdefault(i, {})
                    if w > per.get(post_term, 0.0):
                        per[post_term] = w
                    shared.setdefault(i, []).append(term)
        out = []
        for i, per in shared_w.items():
            evidence = sum(per.values())
            coverage = evidence / max(total, MIN_MASS)
            anchor = max(per.values())
            out.append(
                Candidate(
                    i,
                    min(1.0, coverage),
                    evidence,
                    scores[i],
                    tuple(sorted(set(shared[i]))),
                    anchor,
                    frozenset(per),
                    matched,
                )
            )
        out.sort(key=lambda c: (-c.similarity, -c.bm25, c.index))
        return out[:limit]

    def current(self, cands: list[Candidate], when: datetime | None, margin: float = 0.6) -> Candidate | None:
        """Among near-equal matches (an announcement and its later update), the statement in force
        when the post was written: the latest published before it, else the latest of all."""
        if not cands:
            return None
        best = max(c.evidence for c in cands)
        close = [c for c in cands if c.evidence >= margin * best]
        if len(close) == 1:
            return close[0]

        def stamp(c: Candidate) -> float:
            t = _stamp(self.facts[c.index].published)
            return t if t is not None else float("-inf")

        limit = _stamp(when)
        before = [c for c in close if limit is None or stamp(c) <= limit]
        pool = before or close
        return max(pool, key=lambda c: (stamp(c), c.similarity))
