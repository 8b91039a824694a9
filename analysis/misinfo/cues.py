"""Rumour cues and their opposites, found in a post's tokens (word lists in lexicons/misinfo_*.txt)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urlsplit

from analysis.misinfo.claims import vocabulary
from analysis.misinfo.phrases import Lexicon, Match, read_list
from analysis.misinfo.view import View

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
    "urge": "misinfo_urge.txt",
}

# Japanese names of the cues, for the reason shown to staff.
CUE_NAMES = {
    "hearsay": "伝聞",
    "rumour": "噂",
    "spread": "拡散の呼びかけ",
    "urge": "行動をあおる呼びかけ",
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
            k
            for k in ("hearsay", "rumour", "spread", "urge", "truth", "attribution", "acted")
            if self.spans.get(k)
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


SUBJECT = ("が", "は", "から", "も", "として", "では")
SENTENCE_END = ("。", "\n", "!", "?")
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
        if nxt not in SUBJECT and nxt != "、":  # 「茅野市、〜って決めた」
            continue
        for j in reports:
            if j <= i:
                continue
            if any(t.surface in SENTENCE_END for t in toks[i:j]):
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
        if nxt not in SUBJECT and nxt not in ("、", "って"):
            continue
        if doc.text.count("「", 0, toks[i].begin) > doc.text.count("」", 0, toks[i].begin):
            continue  # 「市役所から来ました」: words someone else says
        verb = None
        for j in range(i + 2, len(toks)):
            t = toks[j]
            if t.surface in SENTENCE_END or (verb is None and t.surface == "が" and t.pos[1] == "格助詞"):
                break  # 「茅野市、返礼品に日本酒が入ったみたい」: something else does it
            if verb is None and t.pos[0] == "動詞" and t.normalized not in _STATE_VERBS:
                before = toks[j - 1]
                if t.pos[1] == "一般" or (
                    t.normalized == "為る"
                    and (
                        before.pos[2] == "サ変可能"
                        or before.surface in ("に", "を")
                        or before.surface.endswith("化")
                    )
                ):
                    verb = j  # 「配る」「誘致した」「有料にする」「義務化して」
                    if j + 1 < len(toks) and toks[j + 1].normalized in ("ない", "ず", "ぬ"):
                        break  # 「市は訪問販売しないって」: what the city does not do
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
        if t.surface in SENTENCE_END:
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
