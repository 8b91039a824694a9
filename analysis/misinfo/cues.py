"""Rumour cues and their opposites, found in a post's tokens (word lists in lexicons/misinfo_*.txt)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urlsplit

from analysis.factbase import FactIndex
from analysis.misinfo.claims import vocabulary
from analysis.misinfo.eligibility import INCLUDE_WORDS
from analysis.misinfo.extents import may_claim as extent_claim
from analysis.misinfo.gate import entry_stems, subject_pattern
from analysis.misinfo.phrases import Lexicon, Match, read_list
from analysis.misinfo.slots import has_slot
from analysis.misinfo.view import View
from analysis.text import Doc

URL = re.compile(r"https?://[^\s　<>「」()（）]+")

CUE_LISTS = {
    "hearsay": "misinfo_hearsay.txt",
    "rumour": "misinfo_rumour.txt",
    "spread": "misinfo_spread.txt",
    "truth": "misinfo_truth.txt",
    "debunk": "misinfo_debunk.txt",
    "alarming": "misinfo_alarming.txt",
    "safety": "misinfo_safety.txt",
    "citation": "misinfo_citation.txt",
}

# Japanese names of the cues, for the reason shown to staff.
CUE_NAMES = {
    "hearsay": "伝聞",
    "rumour": "噂",
    "spread": "拡散の呼びかけ",
    "truth": "真偽を問う質問",
    "alarming": "不安をあおる内容",
    "attribution": "市の発表とする主張",
    "acted": "出典のない市の決定・行動",
}


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    label: str
    word: str
    tok_start: int = 0
    tok_end: int = 0


@dataclass
class Cues:
    spans: dict[str, list[Span]] = field(default_factory=dict)
    official_link: bool = False

    def __getitem__(self, kind: str) -> list[Span]:
        return self.spans.get(kind, [])

    def any(self, *kinds: str) -> bool:
        return any(self.spans.get(k) for k in kinds)

    @property
    def rumour_kinds(self) -> list[str]:
        return [
            k for k in ("hearsay", "rumour", "spread", "truth", "attribution", "acted") if self.spans.get(k)
        ]


@cache
def quoted_pattern() -> re.Pattern[str]:
    """Claims others make, quoted to be corrected (lexicons/misinfo_quoted.txt), found by their
    characters: Sudachi may cut 「順って」 as 順っ + て."""
    words = sorted(read_list("misinfo_quoted.txt"), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words)))


@cache
def lexicon() -> Lexicon:
    """Every cue list and the status words, matched in one pass (loaded once per process)."""
    vocab = vocabulary()
    groups = {kind: read_list(name) for kind, name in CUE_LISTS.items()}
    groups["status"] = [
        e.text + " $" * e.clause_end + " ?" * e.question + " *" * e.prefix for e in vocab.status.entries
    ]
    groups["source"] = sorted(vocab.sources)
    groups["report"] = sorted(vocab.report_verbs)
    return Lexicon(groups)


def trigger_words() -> frozenset[str]:
    """First words of every cue and status entry: a post with none of them cannot be a rumour
    or a contradicting claim, so the detector stops early."""
    return lexicon().first_keys


_SUBJECT = ("が", "は", "から", "も", "として", "では")
_SENTENCE_END = ("。", "\n", "!", "?")
_NOT_YET = frozenset({"待ち", "待つ", "前", "次第", "予定", "まだ", "されるの", "無い", "ない"})


def city_sources(doc: View, matches: dict[str, list[Match]]) -> list[int]:
    """Words naming the city or its offices (市, 市役所, 市長, 茅野市 …): token indices."""
    sources = [m.start for m in matches.get("source", [])]
    if "市" in doc.text:
        sources += [i for i, t in enumerate(doc.tokens) if t[1].endswith("市") and t.is_place]
    return sorted(set(sources))


def _attribution(doc: View, matches: dict[str, list[Match]], sources: list[int]) -> list[Span]:
    """A claim credited to the city: 「市が…と発表」「市長が言ってた」「市の発表です」."""
    reports = [m.start for m in matches.get("report", [])]
    if not reports:
        return []
    toks = doc.tokens
    out: list[Span] = []
    for i in sources:
        nxt = toks[i + 1].surface if i + 1 < len(toks) else ""
        if nxt == "の" and i + 2 in reports:  # 「市の発表」
            out.append(
                Span(
                    toks[i].begin,
                    toks[i + 2].end,
                    "attribution",
                    doc.text[toks[i].begin : toks[i + 2].end],
                    i,
                    i + 3,
                )
            )
            continue
        if nxt not in _SUBJECT:
            continue
        for j in reports:
            if j <= i:
                continue
            if any(t.surface in _SENTENCE_END for t in toks[i:j]):
                break
            out.append(
                Span(
                    toks[i].begin, toks[j].end, "attribution", doc.text[toks[i].begin : toks[j].end], i, j + 1
                )
            )
            break
    return out


# verbs that tell what a place is like, not what the city does (「茅野市は星がきれいに見えるらしい」)
_STATE_VERBS = frozenset(
    {
        "有る",
        "居る",
        "成る",
        "見える",
        "聞こえる",
        "似る",
        "違う",
        "住む",
        "知る",
        "思う",
        "分かる",
        "出来る",
        "言う",
    }
)


def _acts(doc: View, matches: dict[str, list[Match]], sources: list[int]) -> list[Span]:
    """The city as the doer of something passed on as hearsay, with no source named: 「茅野市が
    全世帯に〇〇を配るらしい」「市役所、4月から土日も窓口開けることになったって」."""
    passing = {m.start for m in matches.get("hearsay", [])} | {m.start for m in matches.get("rumour", [])}
    if not passing:
        return []
    toks = doc.tokens
    out: list[Span] = []
    for i in sources:
        nxt = toks[i + 1].surface if i + 1 < len(toks) else ""
        if nxt not in _SUBJECT and nxt not in ("、", "って"):
            continue
        verb = None
        for j in range(i + 2, len(toks)):
            t = toks[j]
            if t.surface in _SENTENCE_END or (verb is None and t.surface == "が" and t.pos[1] == "格助詞"):
                break  # 「茅野市、返礼品に日本酒が入ったみたい」: something else does it
            if verb is None and t.pos[0] == "動詞" and t.normalized not in _STATE_VERBS:
                before = toks[j - 1]
                if t.pos[1] == "一般" or (
                    t.normalized == "為る" and (before.pos[2] == "サ変可能" or before.surface in ("に", "を"))
                ):
                    verb = j  # 「配る」「誘致した」「有料にする」
            if verb is not None and j in passing:
                out.append(Span(toks[i].begin, toks[j].end, "acted", toks[verb].normalized, i, j + 1))
                break
    return out


def _reported(doc: View, span: Span) -> bool:
    """The city is said to have said it, not asked to or awaited (「市は説明してほしい」「市の発表待ち」)."""
    toks = doc.tokens
    opinion = vocabulary().opinion_after
    for t in toks[span.tok_end : span.tok_end + 4]:
        if t.surface in opinion or t.normalized in opinion or t.normalized in _NOT_YET:
            return False
        if t.surface in _SENTENCE_END:
            break
    return True


def find_cues(
    doc: View, matches: dict[str, list[Match]], official_hosts: frozenset[str] = frozenset()
) -> Cues:
    """Cues from the lexicon's matches (`lexicon().scan(doc.tokens, doc.text)`)."""
    cues = Cues()
    toks = doc.tokens
    for kind in CUE_LISTS:
        if kind in matches:
            cues.spans[kind] = [
                Span(toks[m.start].begin, toks[m.end - 1].end, kind, m.entry.text, m.start, m.end)
                for m in matches[kind]
            ]
    if "って" in doc.text or "と" in doc.text:
        quoted = [Span(m.start(), m.end(), "quoted", m.group(0)) for m in quoted_pattern().finditer(doc.text)]
        if quoted:
            cues.spans["quoted"] = quoted
    sources = (
        city_sources(doc, matches)
        if "report" in matches or "hearsay" in matches or "rumour" in matches
        else []
    )
    attribution = [a for a in _attribution(doc, matches, sources) if _reported(doc, a)]
    if attribution:
        cues.spans["attribution"] = attribution
    elif sources and "citation" not in matches:
        acts = _acts(doc, matches, sources)
        if acts:
            cues.spans["acted"] = acts
    for m in URL.finditer(doc.text) if "http" in doc.text else ():
        host = (urlsplit(m.group(0)).hostname or "").lower()
        if host.endswith(".lg.jp") or host in official_hosts:
            cues.official_link = True
    return cues


# word lists that alone never make a finding (a warning alone, hearsay alone, a safety word alone)
QUIET = frozenset({"safety", "source", "report", "citation", "hearsay", "debunk"})


class QuickTest:
    """Cheap tests (set look-ups in C) that a post could make a finding; most posts cannot and
    cost nothing more. Rumour cues and alarming words can always fire; a status word or a dated
    or counted number only on the topic of some official statement; a city source with a
    reporting verb (a claim credited to the city) always."""

    def __init__(self, lex: Lexicon, index: FactIndex):
        groups = set(lex.groups)
        self.index = index
        self.strong = lex.quick_check(skip=groups - {"rumour", "spread", "truth"})
        self.alarm = lex.quick_check(skip=groups - {"alarming"})
        self.weak = lex.quick_check(skip=groups - {"status"})
        self.sources = lex.quick_check(skip=groups - {"source"})[0]
        self.reports = lex.quick_check(skip=groups - {"report"})[0]
        self.hearsay = lex.quick_check(skip=groups - {"hearsay"})
        # the city as a subject with hearsay later in its sentence (as `gate.TextGate` has it)
        self.city_subject = subject_pattern(vocabulary().sources, entry_stems(lex, ("hearsay",)))
        self.units = vocabulary().units
        self.venue = (*vocabulary().venue, *INCLUDE_WORDS)  # 「会場は」「〜も対象」

    def __call__(self, text: Doc) -> bool:
        """Before scanning: could any word list match something that makes a finding?"""
        lemmas, surfaces = text.lemmas, text.surfaces
        if self._has(self.strong, text):
            return True
        hearsay = self._has(self.hearsay, text)
        if hearsay and self._has(self.alarm, text):
            return True  # an alarming word passed on
        topic = bool(self.index) and not self.index.topic_forms.isdisjoint(lemmas)
        if (hearsay or topic) and not self.reports.isdisjoint(lemmas):
            if "市" in text.text or not self.sources.isdisjoint(lemmas):
                return True  # perhaps credited to the city
        if hearsay and self.city_subject is not None and self.city_subject.search(text.text):
            return True  # perhaps the city's doing passed on
        if not topic:
            return False
        if self._denied_words(text) >= 2:
            return True  # perhaps what a statement denies
        if extent_claim(text.text) or any(w in text.text for w in self.venue):
            return True  # 「全域で」「小学校だけ」「会場は」
        words, pattern = self.weak
        if not (words.isdisjoint(lemmas) and words.isdisjoint(surfaces)):
            return True
        return (pattern is not None and pattern.search(text.text) is not None) or has_slot(
            text.text, self.units
        )

    @staticmethod
    def _has(check: tuple[frozenset[str], re.Pattern[str] | None], text: Doc) -> bool:
        words, pattern = check
        if not (words.isdisjoint(text.lemmas) and words.isdisjoint(text.surfaces)):
            return True
        return pattern is not None and pattern.search(text.text) is not None

    def _denied_words(self, text: Doc) -> int:
        """How many of the post's words (lemmas and surfaces) are words statements deny."""
        lookup = self.index.denied_lookup
        return len(lookup.intersection(text.lemmas)) + len(lookup.intersection(text.surfaces))

    def matched(self, text: Doc, matches: dict[str, list[Match]]) -> bool:
        """After scanning: did the word lists find something that can make a finding?"""
        if not matches.keys() <= QUIET:
            return True
        if "report" in matches and ("source" in matches or "市" in text.text):
            return True
        if "hearsay" in matches and self.city_subject is not None and self.city_subject.search(text.text):
            return True
        if self._denied_words(text) >= 2:
            return True
        return bool(self.index) and (
            has_slot(text.text, self.units)
            or extent_claim(text.text)
            or any(w in text.text for w in self.venue)
        )
