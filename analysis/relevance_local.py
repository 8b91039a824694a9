"""Is a post that never names the city about it anyway? Local evidence, weighed together.

People write about city matters without naming the city: 宮川の断水, どんばんの交通規制,
住民税の第1期, 1-12号線の通行止め. Four kinds of evidence add up (lexicons/relevance.toml):

- the city's own places and events ([local] names): one of them is enough;
- districts whose names other towns share ([local] districts: 宮川 in Ise, 金沢, 米沢):
  one alone is not enough, one followed by 地区 / 公民館 / 小学校 is;
- the city's official statements (`Context.facts`): a post that shares two specific words
  or numbers (dates, amounts, route numbers) with one statement is on its topic. Words
  that many statements share (お知らせ, 午前) are not specific and do not count;
- words of municipal business (市長, 市役所, 市民) add a little and never decide alone.

A post that names a place that is not the city (諏訪湖, 岡谷市, 原村, 東京) gets none of
this: naming another place is how people say where they are. Matching is on substrings of
the normalised text (no tokenising); Sudachi runs only to look for another place's name
once the evidence is already enough.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import ahocorasick_rs

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
_MAX_TERM = 12  # longest term searched as a substring
_KANJI = "一-龯々〆ヵヶ"
_BEFORE_NAME = re.compile(rf"[{_KANJI}ァ-ヺー]")  # 二子玉川 is not 玉川
_CONTENT = ("普通名詞", "固有名詞")
_NOT_CONTENT = ("副詞可能", "助数詞可能")  # 今年, 以上, 回: time and quantity words
_HIRAGANA = re.compile(r"[ぁ-ゖー]+")
# numbers that tie a post to a statement: dates, amounts, rates, route numbers
_DATE = re.compile(r"(?<![\d./])(\d{1,2})(?:月|/)(\d{1,2})日?(?![\d])")
_AMOUNT = re.compile(r"(?<![\d.,-])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s?(万円|円|%|戸|世帯|号線|号)")
_ROUTE = re.compile(r"(?<![\d-])(\d+-\d+)\s?号線?")
_SAID = ("ある", "いる", "です", "ます", "した", "ない", "だ", "る")  # a quoted sentence, not a name
_BRACKETED = re.compile(r"「([^「」、。\s!?]{3,10})」")
_WEEKDAY = re.compile(r"([月火水木金土日])曜")


@dataclass(frozen=True)
class Evidence:
    score: float
    reason: str


@dataclass(frozen=True)
class _FactTerms:
    title: str
    text: str
    words: frozenset[str]
    numbers: frozenset[str]


def numbers_in(text: str) -> set[str]:
    """Dates as M/D, amounts and rates without thousands separators, route numbers."""
    out = {f"{int(m)}/{int(d)}" for m, d in _DATE.findall(text) if 1 <= int(m) <= 12 and 1 <= int(d) <= 31}
    out |= {n.replace(",", "") + ("円" if unit == "万円" else unit) for n, unit in _AMOUNT.findall(text)}
    out |= {f"{r}号線" for r in _ROUTE.findall(text)}
    out |= {f"{d}曜" for d in _WEEKDAY.findall(text)}
    return out


def _content_terms(doc: Doc, stop: frozenset[str]) -> set[str]:
    """Nouns of two or more characters, and runs of nouns joined (避難+指示 → 避難指示)."""
    terms: set[str] = set()
    run: list[str] = []

    def close() -> None:
        for n in range(2, len(run) + 1):  # 夏まつり花火大会 → 花火大会 too
            for k in range(len(run) - n + 1):
                joined = "".join(run[k : k + n])
                if len(joined) <= _MAX_TERM:
                    terms.add(joined)
        run.clear()

    for i, p in enumerate(doc.pos):
        s = doc.surface(i)
        noun = p[0] == "名詞" and p[1] in _CONTENT
        if noun and i and doc.pos[i - 1][0] == "動詞" and doc.pos[i - 1][5].startswith("連体形"):
            terms.add(doc.surface(i - 1) + s)  # 燃やせるごみ
        if noun or (p[0] == "接尾辞" and p[1] == "名詞的" and run):
            run.append(s)
            if noun and p[2] not in _NOT_CONTENT and _specific(s) and s not in stop:
                terms.add(s)
        else:
            close()
    close()
    return {t for t in terms if t not in stop}


def _specific(word: str) -> bool:
    """Long enough to mean something on its own (ばん, こと, 日 are not)."""
    if _HIRAGANA.fullmatch(word):
        return len(word) >= 3
    return len(word) >= 2


class LocalEvidence:
    """Built once per Analyzer from the relevance lexicon and the facts; `judge` is pure."""

    def __init__(self, facts: Iterable[Fact], city_names: Iterable[str]):
        facts = list(facts)
        lex = _lexicon()
        local = lex.get("local", {})
        self.names = _words(local.get("names", []))
        self.districts = _words(local.get("districts", []))
        self.district_marks = tuple(normalize(w) for w in local.get("district_marks", []))
        self.person_suffixes = tuple(normalize(w) for w in lex["person"]["suffixes"])
        self.business = _words(local.get("business", []))
        self.neighbours = _words(local.get("neighbours", []))
        self.region = set(_words(local.get("region", [])))
        stop = frozenset(_words(local.get("stopwords", [])))
        self.facts = _index_facts(facts, stop)
        city = [normalize(n) for n in city_names]
        self.names = sorted(set(self.names) | _named_by_the_city(facts, city), key=len, reverse=True)
        self.local_words = frozenset(self.names) | frozenset(self.districts)  # counted as places, not topics
        self._names = frozenset(self.names)
        self._business = frozenset(self.business)
        self._facts_with_word: dict[str, list[int]] = {}
        self._facts_with_place: dict[str, list[int]] = {}
        for k, f in enumerate(self.facts):
            for w in f.words:
                self._facts_with_word.setdefault(w, []).append(k)
            for w in self.local_words:
                if w in f.text:
                    self._facts_with_place.setdefault(w, []).append(k)
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
        vocab = set(self.names) | set(self.districts) | set(self.business) | set(self.neighbours)
        for f in self.facts:
            vocab |= f.words
        self.vocab = sorted(w for w in vocab if 2 <= len(w) <= _MAX_TERM)
        # every vocabulary word in a post found in one pass (Aho–Corasick, overlaps included)
        self._ac = ahocorasick_rs.AhoCorasick(self.vocab) if self.vocab else None

    def judge(self, doc: Doc) -> str:
        """A short Japanese reason when the evidence is enough, else ''."""
        text = doc.text
        found = self._found(text)
        if not found:
            return ""
        if any(w in found for w in self.neighbours):
            return ""
        evidence = self._weigh(text, found)
        if evidence.score < ENOUGH or self._names_another_place(doc):
            return ""
        return evidence.reason

    def _found(self, text: str) -> dict[str, list[int]]:
        """Every vocabulary word in the text, with where it starts."""
        found: dict[str, list[int]] = {}
        if self._ac is not None:
            vocab = self.vocab
            for k, a, _ in self._ac.find_matches_as_indexes(text, overlapping=True):
                found.setdefault(vocab[k], []).append(a)
        return found

    def _weigh(self, text: str, found: dict[str, list[int]]) -> Evidence:
        score, why = 0.0, []
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
                    why.append(f"市内の地名・行事「{w}」")
                continue
            marked = any(text.startswith(self.district_marks, i + len(w)) for i in places)
            if marked or (places and not _HIRAGANA.fullmatch(w)):
                score += _DISTRICT_MARKED if marked else _DISTRICT
                why.append(f"市内の地区名「{w}」")
        score += min(_BUSINESS * business, _BUSINESS_MAX)
        best, shared = self._best_fact(text, found, covered)
        if best is not None:
            score += _FACT_WORD * len(shared)
            why.append(f"市の発表「{best.title}」と同じ話題（{'・'.join(sorted(shared)[:4])}）")
        return Evidence(score, "、".join(why) or "市政の話題")

    def _standalone(self, text: str, w: str, i: int) -> bool:
        """A name, not part of a longer word (二子玉川) nor a person (宮川さん)."""
        if i > 0 and _BEFORE_NAME.match(text[i - 1]) and _BEFORE_NAME.match(w[0]):
            return False
        return not text.startswith(self.person_suffixes, i + len(w))

    def _best_fact(
        self, text: str, found: dict[str, list[int]], covered: set[int]
    ) -> tuple[_FactTerms | None, set[str]]:
        at = {w: [i for i in found[w] if i not in covered] for w in found if w not in self.local_words}
        words_of: dict[int, list[str]] = {}  # fact index → its specific words in the post
        for w, where in at.items():
            if where:
                for k in self._facts_with_word.get(w, ()):
                    words_of.setdefault(k, []).append(w)
        for w in found:  # a statement naming one of the post's places is a candidate too
            for k in self._facts_with_place.get(w, ()):
                words_of.setdefault(k, [])
        if not words_of:
            return None, set()
        numbers = numbers_in(text) if any(c.isdigit() or c == "曜" for c in text) else set()
        best, best_shared = None, set()
        for k in sorted(words_of):
            f = self.facts[k]
            shared = _runs(words_of[k], at, text, f.text) | (f.numbers & numbers)
            if len(shared) > len(best_shared):
                best, best_shared = f, shared
        return best, best_shared

    def _names_another_place(self, doc: Doc) -> bool:
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


def _runs(words: list[str], found: dict[str, list[int]], text: str, fact_text: str) -> set[str]:
    """Shared words that touch in the post count once when the statement has them together too:
    花火大会 found as 花火 and 大会 is one term; 夏フェスタ入場無料 (入場は無料 in the statement) is three."""
    groups: list[list[int]] = []
    for a, b in sorted((i, i + len(w)) for w in words for i in found[w]):
        if groups and a <= groups[-1][1] and text[groups[-1][0] : max(groups[-1][1], b)] in fact_text:
            groups[-1][1] = max(groups[-1][1], b)
        else:
            groups.append([a, b])
    return {text[a:b] for a, b in groups}


def _named_by_the_city(facts: list[Fact], city: list[str]) -> set[str]:
    """What the city's statements call its own: 茅野どんばん → どんばん, 茅野市縄文まつり → 縄文まつり,
    and names they put in brackets (「のらざあ」).

    Two words after the city's name (市 skipped), so that a single ordinary word (茅野市図書館 →
    図書館) is not taken for a name.
    """
    out: set[str] = set()
    for f in facts:
        # a name the statement puts in brackets: デマンド交通「のらざあ」, 「尖石縄文まつり」
        bracketed = _BRACKETED.findall(normalize(f"{f.title}\n{f.text}"))
        out |= {m for m in bracketed if not m.isdigit() and not m.endswith(_SAID)}  # not 「還付金がある」
        doc = analyse_text(f"{f.title}\n{f.text}")
        for i in range(len(doc.pos) - 2):
            if doc.surface(i) not in city:
                continue
            k = i + 1 if doc.surface(i + 1) != "市" else i + 2
            words = doc.pos[k : k + 2]
            if len(words) == 2 and all(
                p[0] in ("名詞", "連体詞", "接尾辞") and p[1] != "数詞" for p in words
            ):
                name = doc.surface(k) + doc.surface(k + 1)
                if len(name) >= 3:
                    out.add(name)
    return out


def _index_facts(facts: list[Fact], stop: frozenset[str]) -> list[_FactTerms]:
    """Each statement's specific words: those at most a few statements share."""
    per_fact = [(f, _content_terms(analyse_text(f"{f.title}\n{f.text}"), stop)) for f in facts]
    df: dict[str, int] = {}
    for _, words in per_fact:
        for w in words:
            df[w] = df.get(w, 0) + 1
    common = max(2, int(0.15 * len(facts)))
    out = []
    for f, words in per_fact:
        specific = frozenset(w for w in words if df[w] <= common)
        text = normalize(f"{f.title}\n{f.text}")
        out.append(_FactTerms(f.title, text, specific, frozenset(numbers_in(text))))
    return out
