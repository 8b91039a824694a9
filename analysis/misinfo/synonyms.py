"""Spelling variants that should meet when a post is matched to an official statement.

Reads the Sudachi synonym dictionary (lexicons/sudachidict_synonyms, Apache-2.0) once per
process and maps each headword to the representative form of its lexeme: ゴミ → ごみ,
インフル → インフルエンザ. Only variants of one lexeme are merged, never neighbouring words
of a group (給付金 / 助成金 name different announcements).
"""

from __future__ import annotations

from functools import lru_cache

from analysis.misinfo.phrases import LEXICONS

SYNONYMS = LEXICONS / "sudachidict_synonyms" / "synonyms.txt"


@lru_cache(maxsize=1)
def lexeme_forms() -> dict[str, str]:
    """headword → representative headword of its lexeme (only words that have variants)."""
    heads: dict[tuple[str, str], str] = {}
    members: dict[tuple[str, str], list[str]] = {}
    with SYNONYMS.open(encoding="utf-8") as f:
        for line in f:
            parts = line.split(",")
            if len(parts) < 9 or parts[2] == "2":
                continue
            key = (parts[0], parts[3])
            word = parts[8]
            members.setdefault(key, []).append(word)
            if parts[4] == "0" and parts[5] == "0" and parts[6] == "0":
                heads.setdefault(key, word)
    out: dict[str, str] = {}
    for key, words in members.items():
        if len(words) < 2:
            continue
        head = heads.get(key, words[0])
        for word in words:
            out.setdefault(word, head)
    return out


@lru_cache(maxsize=1)
def lexeme_variants() -> dict[str, tuple[str, ...]]:
    """representative headword → every headword of its lexeme (the inverse of `lexeme_forms`)."""
    out: dict[str, list[str]] = {}
    for word, head in lexeme_forms().items():
        out.setdefault(head, []).append(word)
    return {head: tuple(words) for head, words in out.items()}


@lru_cache(maxsize=1)
def concepts() -> dict[str, frozenset[str]]:
    """headword → the synonym groups it belongs to as a noun that may be expanded (飲み食い and
    飲食 share one): near-synonyms, looser than one lexeme, for checking a post against a
    sentence a statement denies (「交際費で飲み食い」 against 「交際費で私的な飲食」)."""
    out: dict[str, set[str]] = {}
    with SYNONYMS.open(encoding="utf-8") as f:
        for line in f:
            parts = line.split(",")
            if len(parts) < 9 or parts[1] != "1" or parts[2] != "0":
                continue
            out.setdefault(parts[8], set()).add(parts[0])
    return {word: frozenset(groups) for word, groups in out.items()}
