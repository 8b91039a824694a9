"""The city's official statements as topical evidence: is a post on the topic of one of them?

A post that shares two specific words or numbers (dates, amounts, route numbers) with one
statement is on its topic (のらざあの運賃が400円に). Words that many statements share
(お知らせ, 午前) are not specific and do not count. A claim passed on about a statement's
own subject (its title's words: 「プール、雨の日は休みになるらしい」) counts as a second
word: rumours about the city's services are what the misinformation check is for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from analysis.text import Doc, analyse_text
from analysis.textnorm import normalize
from analysis.types import Fact

MAX_TERM = 12  # longest term searched as a substring
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
class FactTerms:
    title: str
    text: str
    words: frozenset[str]
    numbers: frozenset[str]
    title_words: frozenset[str]  # the specific words of its title: what the statement is about


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
                if len(joined) <= MAX_TERM:
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


class FactTopics:
    """The statements' specific words, indexed once: word → the statements that have it."""

    def __init__(self, facts: list[Fact], stop: frozenset[str], local_words: frozenset[str]):
        self.facts = _index_facts(facts, stop)
        self.local_words = local_words  # the city's places: counted as places, not topic words
        self._facts_with_word: dict[str, list[int]] = {}
        self._facts_with_place: dict[str, list[int]] = {}
        for k, f in enumerate(self.facts):
            for w in f.words:
                self._facts_with_word.setdefault(w, []).append(k)
            for w in local_words:
                if w in f.text:
                    self._facts_with_place.setdefault(w, []).append(k)

    def words(self) -> set[str]:
        return {w for f in self.facts for w in f.words}

    def best(
        self, text: str, found: dict[str, list[int]], covered: set[int]
    ) -> tuple[FactTerms | None, set[str]]:
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


def named_by_the_city(facts: list[Fact], city: list[str]) -> set[str]:
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


def _index_facts(facts: list[Fact], stop: frozenset[str]) -> list[FactTerms]:
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
        title = _content_terms(analyse_text(f.title), stop) & specific
        out.append(FactTerms(f.title, text, specific, frozenset(numbers_in(text)), frozenset(title)))
    return out
