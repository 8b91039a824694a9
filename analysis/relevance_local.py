"""Is a post that never names the city about it anyway? Local evidence, weighed together.

People write about city matters without naming the city: 宮川の断水, どんばんの交通規制,
住民税の第1期, 1-12号線の通行止め. Evidence adds up (lexicons/relevance.toml):

- the city's own places and events ([local] names) and the area's features it shares with
  its neighbours ([local] features: 八ヶ岳おろし, 御柱, 寒天干し): one of them is enough;
- districts and rivers whose names other towns share ([local] districts: 宮川 in Ise, 金沢,
  米沢): one alone is not enough, one followed by 地区 / 公民館 / 小学校 (or の堤防, の消防団) is;
- the city's official statements (`Context.facts`, relevance_facts.py): two specific words
  or numbers shared with one statement, or one word of its title in a claim passed on;
- words of municipal business (市長, 市役所, 市民) add a little here; on their own they are
  the civic check's (relevance_civic.py), which runs when the rest is not enough.

A post that names a place that is not the city (諏訪湖, 岡谷市, 原村, 東京) gets none of
this: naming another place is how people say where they are. Nor does one that speaks of
another administration or of all of them (隣の市, 全国の), unless the city's own place is
named too. Matching is on substrings of the normalised text (no tokenising); Sudachi runs
only to look for another place's name once some evidence is there.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import ahocorasick_rs

from analysis.relevance_civic import Civic
from analysis.relevance_facts import MAX_TERM, FactTopics, named_by_the_city
from analysis.text import Doc, analyse_text
from analysis.textnorm import normalize
from analysis.types import Fact

_LEXICON = Path(__file__).parent / "lexicons" / "relevance.toml"
ENOUGH = 2.0  # evidence that makes a post relevant
_NAME = 2.0  # a place or event only the city has
_DISTRICT = 1.0  # a district name shared with other towns
_DISTRICT_MARKED = 2.0  # 宮川地区, 玉川公民館: the district as such
_FACT_WORD = 1.0  # each specific word or number shared with one statement
_BUSINESS = 0.5  # 市長, 市役所 … (at most _BUSINESS_MAX in all)
_BUSINESS_MAX = 1.0
_CLAIM = 1.0  # a claim passed on about a statement's own subject (プール…休みらしい)
_KANJI = "一-龯々〆ヵヶ"
_BEFORE_NAME = re.compile(rf"[{_KANJI}ァ-ヺー]")  # 二子玉川 is not 玉川
_HIRAGANA = re.compile(r"[ぁ-ゖー]+")


@dataclass(frozen=True)
class Evidence:
    score: float
    reason: str
    named: bool = False  # one of the city's own places or events is among it


class LocalEvidence:
    """Built once per Analyzer from the relevance lexicon and the facts; `judge` is pure."""

    def __init__(self, facts: Iterable[Fact], city_names: Iterable[str], local_terms: Iterable[str] = ()):
        facts = list(facts)
        lex = _lexicon()
        local = lex.get("local", {})
        self.names = _words([*local.get("names", []), *local.get("features", [])])
        self.districts = _words(local.get("districts", []))
        self.district_marks = tuple(normalize(w) for w in local.get("district_marks", []))
        self.district_marks_after_no = tuple(
            "の" + normalize(w) for w in local.get("district_marks_after_no", [])
        )
        self.person_suffixes = tuple(normalize(w) for w in lex["person"]["suffixes"])
        self.business = _words(local.get("business", []))
        self.neighbours = _words(local.get("neighbours", []))
        self.region = set(_words(local.get("region", [])))
        stop = frozenset(_words(local.get("stopwords", [])))
        city = [normalize(n) for n in city_names]
        self.names = sorted(set(self.names) | named_by_the_city(facts, city), key=len, reverse=True)
        self.local_words = frozenset(self.names) | frozenset(self.districts)  # counted as places, not topics
        self._names = frozenset(self.names)
        self._business = frozenset(self.business)
        self.topics = FactTopics(facts, stop, self.local_words)
        self.claim = _claim_pattern(local.get("claim_cues", []), local.get("claim_not_after", []))
        fact_places = {
            doc.surface(i)
            for f in facts
            for doc in [analyse_text(f"{f.title}\n{f.text}")]
            for i, p in enumerate(doc.pos)
            if p[:3] == ("名詞", "固有名詞", "地名")
        }
        self.ours = (
            set(self.names)
            | set(self.districts)
            | self.region
            | fact_places
            | {normalize(n) for n in city_names}
        )
        own = set(self.names) | set(self.districts) | {normalize(n) for n in (*city_names, *local_terms)}
        self.civic = Civic(lex, own, self.region | fact_places)
        vocab = set(self.names) | set(self.districts) | set(self.business) | set(self.neighbours)
        vocab |= self.topics.words()
        self.vocab = sorted(w for w in vocab if 2 <= len(w) <= MAX_TERM)
        # every vocabulary word in a post found in one pass (Aho–Corasick, overlaps included)
        self._ac = ahocorasick_rs.AhoCorasick(self.vocab) if self.vocab else None

    def judge(self, doc: Doc) -> str:
        """A short Japanese reason when the evidence is enough, else ''."""
        text = doc.text
        found = self._found(text)
        if self._names_neighbour(found):
            return ""
        if found:
            evidence = self._weigh(text, found)
            # 隣の市の市長, 全国の花火大会: another place, unless the city's own is named (御射鹿池)
            elsewhere = not evidence.named and self.civic.says_elsewhere(text)
            if evidence.score >= ENOUGH and not elsewhere and not self.names_another_place(doc):
                return evidence.reason
        return self.civic.judge(doc)

    def _names_neighbour(self, found: dict[str, list[int]]) -> bool:
        """A neighbouring town named on its own: 諏訪 but not the 諏訪 of 諏訪中央病院 (in the city)."""
        named = [w for w in self.neighbours if w in found]
        if not named:
            return False
        own = [(i, i + len(w)) for w in found if w in self._names for i in found[w]]
        return any(not any(a <= i < b for a, b in own) for w in named for i in found[w])

    def _found(self, text: str) -> dict[str, list[int]]:
        """Every vocabulary word in the text, with where it starts."""
        found: dict[str, list[int]] = {}
        if self._ac is not None:
            vocab = self.vocab
            for k, a, _ in self._ac.find_matches_as_indexes(text, overlapping=True):
                found.setdefault(vocab[k], []).append(a)
        return found

    def _weigh(self, text: str, found: dict[str, list[int]]) -> Evidence:
        score, why, named = 0.0, [], False
        covered: set[int] = set()  # characters of place names: 公園 in 運動公園 is no topic word
        business = 0
        for w in sorted(found, key=lambda w: found[w][0]):
            if w in self._business:
                business += 1
            if w not in self.local_words:
                continue
            places = [i for i in found[w] if self._standalone(text, w, i)]
            covered.update(k for i in places for k in range(i, i + len(w)))
            if w in self._names:
                if places:
                    score += _NAME
                    named = True
                    why.append(f"市内の地名・行事「{w}」")
                continue
            marks = (self.district_marks, self.district_marks_after_no)
            marked = any(text.startswith(m, i + len(w)) for i in places for m in marks)
            if marked or (places and not _HIRAGANA.fullmatch(w)):
                score += _DISTRICT_MARKED if marked else _DISTRICT
                named = named or marked
                why.append(f"市内の地区名「{w}」")
        score += min(_BUSINESS * business, _BUSINESS_MAX)
        best, shared = self.topics.best(text, found, covered)
        if best is not None:
            score += _FACT_WORD * len(shared)
            claim = len(shared) == 1 and shared <= best.title_words and self.claim.search(text) is not None
            score += _CLAIM if claim else 0.0
            said = "についての伝聞" if claim else "と同じ話題"
            why.append(f"市の発表「{best.title}」{said}（{'・'.join(sorted(shared)[:4])}）")
        return Evidence(score, "、".join(why) or "市政の話題", named)

    def _standalone(self, text: str, w: str, i: int) -> bool:
        """A name, not part of a longer word (二子玉川) nor a person (宮川さん)."""
        if i > 0 and _BEFORE_NAME.match(text[i - 1]) and _BEFORE_NAME.match(w[0]):
            return False
        return not text.startswith(self.person_suffixes, i + len(w))

    def names_another_place(self, doc: Doc) -> bool:
        """A place name Sudachi knows that is neither the city's nor the region it lies in."""
        for i, p in enumerate(doc.pos):
            if p[:3] == ("名詞", "固有名詞", "地名"):
                s = doc.surface(i)
                if s not in self.ours and not (s.endswith("県") and s[:-1] in self.ours):
                    return True
        return False


@lru_cache(maxsize=1)
def _lexicon() -> dict:
    return tomllib.loads(_LEXICON.read_text("utf-8"))


def _words(items: Iterable[str]) -> list[str]:
    return sorted({normalize(w) for w in items if w.strip()}, key=len, reverse=True)


def _claim_pattern(cues: Iterable[str], not_after: Iterable[str]) -> re.Pattern[str]:
    """A cue ending its clause (休みらしい。, 延びるんだって), or before a conjunction (らしいから,
    って話だから, らしいし); not 茅野らしい景色, nor the adjectives 素晴らしい, 可愛らしい."""
    alts = "|".join(re.escape(normalize(c)) for c in sorted(set(cues), key=len, reverse=True)) or "(?!)"
    nots = "".join(f"(?<!{re.escape(normalize(w))})" for w in not_after)
    end = r"(?=$|[\s、。,.!?…)」』w笑]|[^\w\s])"
    return re.compile(
        rf"{nots}(?:{alts})(?:(?:だ|です)?(?:から|けど|けれど|ので|し)|(?:よね|よ|ね|な|わ|ぞ|ぜ|ー)*{end})"
    )
