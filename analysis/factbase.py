"""The city's official statements, indexed once, so each post finds the statement about its topic.

Ranking is BM25 over Sudachi lemmas of topic nouns (lexeme variants merged through the Sudachi
synonym dictionary, 「ゴミ」=「ごみ」). BM25 orders the statements; a separate similarity in 0–1
(how much distinctive vocabulary the post shares with the statement, each word weighted by
its idf relative to a word found in one statement only) says how sure the match is, so
thresholds mean the same whatever the size of the fact base.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from analysis.misinfo.claims import Claims, extract, topic_key, vocabulary
from analysis.misinfo.synonyms import lexeme_variants
from analysis.misinfo.view import View
from analysis.text import analyse_text, normalize
from analysis.types import Fact

K1, B = 1.2, 0.75
PARTIAL = 0.5  # weight of a word matched only as part of a longer one (インフル予防 ~ 予防接種)
SATURATION = 1.0
_DENIAL = (
    "事実",
    "そのよう",
    "そういった",
    "デマ",
    "誤った情報",
    "誤情報",
)  # similarity = 1 - exp(-SATURATION * shared evidence)


@dataclass
class IndexedFact:
    fact: Fact
    doc: View
    claims: Claims
    terms: Counter[str]
    title_nouns: frozenset[str] = frozenset()
    denial: bool = False  # it denies something (「そのような事実はありません」): a correction of a rumour

    @property
    def published(self) -> datetime | None:
        return self.fact.published_at


@dataclass(frozen=True)
class Candidate:
    index: int
    similarity: float
    evidence: float  # shared distinctive words (sum of weights), unbounded
    bm25: float
    shared: tuple[str, ...]


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


def _stamp(dt: datetime | None) -> float | None:
    return dt.timestamp() if dt else None


def _denied_nouns(fact: IndexedFact, stop: frozenset[str]) -> set[str]:
    """Topic words of the sentences a statement denies something in (「個人情報の流出はありません」)."""
    out: set[str] = set()
    claims, toks = fact.claims, fact.doc.tokens
    vocab = vocabulary()
    for i, c in enumerate(claims.clauses):
        if c.negated:
            for part in claims.sentence_of(i):
                for t in toks[part.tok_start : part.tok_end]:
                    if topic_key(t, vocab) is not None and t.normalized not in stop:
                        out.add(t.normalized)
    return out


class FactIndex:
    """Built once per analyzer; `candidates` is then cheap per post (inverted index)."""

    def __init__(self, facts: Iterable[Fact], city_words: Iterable[str] = ()):
        self.stop = frozenset(city_words)
        self.facts: list[IndexedFact] = []
        for fact in facts:
            full = analyse_text(f"{fact.title}\n{fact.text}" if fact.title else fact.text)
            doc = View(full)
            terms = Terms()
            claims = extract(doc, terms=terms)
            for word in self.stop & terms.keys():
                del terms[word]
            n_title = len(normalize(fact.title)) if fact.title else 0
            title = frozenset().union(*(c.nouns for c in claims.clauses if c.start < n_title))
            denial = any(
                c.negated and any(a in doc.text[c.start : c.end] for a in _DENIAL) for c in claims.clauses
            )
            self.facts.append(IndexedFact(fact, doc, claims, terms, title, denial))
        n = len(self.facts)
        self.postings: dict[str, list[tuple[int, int]]] = {}
        for i, f in enumerate(self.facts):
            for term, tf in f.terms.items():
                self.postings.setdefault(term, []).append((i, tf))
        self.idf = {t: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in self.postings.items()}
        self.idf_max = math.log(1 + (n - 1 + 0.5) / 1.5) if n else 1.0
        self.avgdl = sum(sum(f.terms.values()) for f in self.facts) / n if n else 1.0
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
        self.denied_words = frozenset(w for f in self.facts for w in _denied_nouns(f, self.stop))
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

    def weight(self, term: str) -> float:
        """A word's power to tell statements apart: 1 for a word in one statement only."""
        return self.idf.get(term, 0.0) / self.idf_max if self.idf_max else 0.0

    def _matches(self, terms: Terms, doc: View | None) -> dict[str, tuple[str, float]]:
        """Indexed word → (post word, match weight) for each post word found in the index."""
        out: dict[str, tuple[str, float]] = {}
        for term in terms:
            if term in self.stop:
                continue
            if term in self.postings:
                out[term] = (term, 1.0)
                continue
            reading = terms.reading(doc, term) if doc is not None else ""
            for whole in self._by_reading.get(reading, ()) if len(reading) >= 2 else ():
                out.setdefault(whole, (term, PARTIAL))
            for whole in self._parts.get(term, ()):
                out.setdefault(whole, (term, PARTIAL))
            for a in range(len(term)):
                for b in range(a + 2, len(term)):
                    part = term[a:b]
                    if part in self.postings:
                        out.setdefault(part, (term, PARTIAL))
        return out

    def candidates(self, terms: Terms, doc: View | None = None, limit: int = 5) -> list[Candidate]:
        """Statements that share topic words with the post, best first."""
        if not self.facts or not terms:
            return []
        matched = self._matches(terms, doc)
        scores: dict[int, float] = {}
        evidence: dict[int, float] = {}
        shared: dict[int, list[str]] = {}
        for term, (post_term, w) in matched.items():
            idf = self.idf[term]
            qtf = terms[post_term]
            for i, tf in self.postings[term]:
                dl = sum(self.facts[i].terms.values())
                bm = idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * dl / self.avgdl))
                scores[i] = scores.get(i, 0.0) + w * bm * min(qtf, 2)
                evidence[i] = evidence.get(i, 0.0) + w * self.weight(term)
                shared.setdefault(i, []).append(term)
        ranked = sorted(scores, key=lambda i: (-scores[i], i))[:limit]
        return [
            Candidate(
                i, 1 - math.exp(-SATURATION * evidence[i]), evidence[i], scores[i], tuple(sorted(shared[i]))
            )
            for i in ranked
        ]

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
