"""The claim word lists of `lexicons/misinfo_claims.toml` and the stop words, loaded once."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache

from analysis.misinfo.phrases import LEXICONS, PhraseSet, read_list
from analysis.misinfo.view import Token


@dataclass(frozen=True)
class Vocabulary:
    """The claim word lists, loaded once."""

    status: PhraseSet
    category: dict[str, str]  # entry text → category
    conflicts: frozenset[frozenset[str]]
    similar: frozenset[frozenset[str]]
    undo: frozenset[str]
    negation: frozenset[str]
    light: frozenset[str]
    condition_before: frozenset[str]
    condition_after: frozenset[str]
    opinion_after: frozenset[str]
    opinion_sentence: frozenset[str]
    other_time: frozenset[str]
    sources: frozenset[str]
    report_verbs: frozenset[str]
    officials: frozenset[str]
    units: tuple[str, ...]
    venue: frozenset[str]
    venue_suffixes: tuple[str, ...]
    stopwords: frozenset[str]
    topic_cache: dict = field(default_factory=dict, compare=False)  # token shape → topic key or None

    def conflict(self, a: str, b: str) -> bool:
        return frozenset((a, b)) in self.conflicts

    def same(self, a: str, b: str) -> bool:
        return a == b or frozenset((a, b)) in self.similar


def _forms(words: list[str]) -> frozenset[str]:
    return frozenset(words)


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    data = tomllib.loads((LEXICONS / "misinfo_claims.toml").read_text("utf-8"))
    status = data["status"]
    conflicts = frozenset(frozenset(pair) for pair in status.pop("conflicts"))
    similar = frozenset(frozenset(pair) for pair in status.pop("similar", []))
    lines, category = [], {}
    for cat, words in status.items():
        for w in words:
            lines.append(w)
            category[w.rstrip(" $?*")] = cat  # an entry's flags (" $": at a clause end) are not its text
    scope = data["scope"]
    return Vocabulary(
        status=PhraseSet(lines),
        category=category,
        conflicts=conflicts,
        similar=similar,
        undo=_forms(scope["undo"]),
        negation=_forms(scope["negation"]),
        light=_forms(scope["light"]),
        condition_before=_forms(scope["condition_before"]),
        condition_after=_forms(scope["condition_after"]),
        opinion_after=_forms(scope["opinion_after"]),
        opinion_sentence=_forms(scope["opinion_sentence"]),
        other_time=_forms(scope["other_time"]),
        sources=_forms(data["attribution"]["sources"]),
        report_verbs=_forms(data["attribution"]["verbs"]),
        officials=_forms(data["attribution"]["officials"]),
        units=tuple(sorted(data["amounts"]["units"], key=len, reverse=True)),
        venue=_forms(data["venue"]["words"]),
        venue_suffixes=tuple(data["venue"]["suffixes"]),
        stopwords=frozenset(read_list("misinfo_stopwords.txt")),
    )


def has(words: frozenset[str], t: Token) -> bool:
    return t.normalized in words or t.surface in words
