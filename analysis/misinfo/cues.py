"""Rumour cues and their opposites, found in a post's tokens (word lists in lexicons/misinfo_*.txt)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from analysis.misinfo.claims import has, vocabulary
from analysis.misinfo.phrases import phrase_set
from analysis.text import Doc

_URL = re.compile(r"https?://[^\s　<>「」()（）]+")

CUE_LISTS = {
    "hearsay": "misinfo_hearsay.txt",
    "rumour": "misinfo_rumour.txt",
    "spread": "misinfo_spread.txt",
    "truth": "misinfo_truth.txt",
    "debunk": "misinfo_debunk.txt",
    "alarming": "misinfo_alarming.txt",
    "safety": "misinfo_safety.txt",
}

# Japanese names of the cues, for the reason shown to staff.
CUE_NAMES = {
    "hearsay": "伝聞",
    "rumour": "噂",
    "spread": "拡散の呼びかけ",
    "truth": "真偽を問う質問",
    "alarming": "不安をあおる内容",
    "attribution": "市の発表とする主張",
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
        return [k for k in ("hearsay", "rumour", "spread", "truth", "attribution") if self.spans.get(k)]


def trigger_words() -> frozenset[str]:
    """First words of every cue and status entry: a post with none of them cannot be a rumour
    or a contradicting claim, so the detector stops early."""
    words: set[str] = set()
    for name in CUE_LISTS.values():
        words |= phrase_set(name).first_keys
    vocab = vocabulary()
    words |= vocab.status.first_keys | vocab.sources
    return frozenset(words)


_SUBJECT = ("が", "は", "から", "も", "として", "では")


def _attribution(doc: Doc) -> list[Span]:
    """A claim credited to the city: 「市が…と発表」「市長が言ってた」「市の発表です」."""
    vocab = vocabulary()
    out: list[Span] = []
    toks = doc.tokens
    source = None
    for i, t in enumerate(toks):
        if t.surface in ("。", "\n", "!", "?"):
            source = None
        elif has(vocab.sources, t) or (t.normalized.endswith("市") and t.is_place):
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            after = toks[i + 2] if i + 2 < len(toks) else None
            if nxt is not None and nxt.surface in _SUBJECT:
                source = t
            elif (
                nxt is not None
                and nxt.surface == "の"
                and after is not None
                and has(vocab.report_verbs, after)
            ):
                out.append(Span(t.begin, after.end, "attribution", doc.text[t.begin : after.end], i, i + 3))
        elif source is not None and has(vocab.report_verbs, t):
            out.append(Span(source.begin, t.end, "attribution", doc.text[source.begin : t.end]))
            source = None
    return out


def find_cues(doc: Doc, official_hosts: frozenset[str] = frozenset()) -> Cues:
    cues = Cues()
    for kind, name in CUE_LISTS.items():
        found = [
            Span(doc.tokens[m.start].begin, doc.tokens[m.end - 1].end, kind, m.entry.text, m.start, m.end)
            for m in phrase_set(name).find(doc.tokens, text=doc.text)
        ]
        if found:
            cues.spans[kind] = found
    attribution = _attribution(doc)
    if attribution:
        cues.spans["attribution"] = attribution
    for m in _URL.finditer(doc.text):
        host = (urlsplit(m.group(0)).hostname or "").lower()
        if host.endswith(".lg.jp") or host in official_hosts:
            cues.official_link = True
    return cues
