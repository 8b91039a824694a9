"""Is a post about the city at all?

A post is relevant when it replies to or mentions an official account, comes from a
city employee's account, or names the city or a place in it (settings: [city] aliases,
local_terms) *as a place*. The names are ambiguous: 茅野 is also a surname (茅野さん,
the voice actress 茅野愛衣), "Chino" is also a city in California and a kind of trousers.
Each occurrence is judged from the words around it (lexicons/relevance.toml) and
Sudachi's part of speech (地名 vs 人名); irrelevant posts raise no alert.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from analysis.text import Doc
from analysis.textnorm import normalize
from analysis.types import AnalysisConfig, PostText

_LEXICON = Path(__file__).parent / "lexicons" / "relevance.toml"
_KANA_OR_LATIN = re.compile(r"[ぁ-ゖァ-ヺーA-Za-z0-9]")


@dataclass(frozen=True)
class Context:
    person_suffixes: tuple[str, ...]
    person_context: tuple[str, ...]
    place_suffixes: tuple[str, ...]
    place_context: tuple[str, ...]
    latin_elsewhere: re.Pattern[str]
    latin_ours: re.Pattern[str]
    staff_markers: tuple[str, ...]


def _words(items: list[str]) -> re.Pattern[str]:
    alts = "|".join(re.escape(normalize(w).lower()) for w in sorted(items, key=len, reverse=True))
    return re.compile(rf"(?<![a-z0-9])(?:{alts})(?![a-z0-9])", re.I)


@lru_cache(maxsize=1)
def lexicon() -> Context:
    data = tomllib.loads(_LEXICON.read_text("utf-8"))

    def norm(items: list[str]) -> tuple[str, ...]:
        return tuple(sorted({normalize(w) for w in items}, key=len, reverse=True))

    return Context(
        person_suffixes=norm(data["person"]["suffixes"]),
        person_context=norm(data["person"]["context"]),
        place_suffixes=norm(data["place"]["suffixes"]),
        place_context=norm(data["place"]["context"]),
        latin_elsewhere=_words(data["latin"]["elsewhere"]),
        latin_ours=_words(data["latin"]["ours"]),
        staff_markers=norm(data["staff"]["markers"]),
    )


@lru_cache(maxsize=64)
def _terms(aliases: tuple[str, ...], local_terms: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(normalised term, kind) longest first, so 茅野市 is judged before the 茅野 inside it."""
    out: dict[str, str] = {}
    for kind, items in (("alias", aliases), ("local", local_terms)):
        for t in items:
            n = normalize(t).strip()
            if n and n not in out:
                out[n] = kind
    return tuple(sorted(out.items(), key=lambda kv: len(kv[0]), reverse=True))


def is_relevant(post: PostText, doc: Doc, config: AnalysisConfig) -> tuple[bool, str]:
    """(relevant, a short Japanese reason)."""
    if post.reply_to_official:
        return True, "公式アカウントへの返信"
    official = _official_handle(post, doc, config)
    if official:
        return True, official
    lex = lexicon()
    for term, kind in _terms(config.aliases, config.local_terms):
        why = _judge_term(term, kind, doc, lex)
        if why:
            return True, why
    if _staff_profile(post.author_description, config, lex):
        return True, "市職員のアカウントの投稿"
    return False, "市に関する語を含まない"


def _official_handle(post: PostText, doc: Doc, config: AnalysisConfig) -> str:
    lowered = doc.text.lower()
    author = post.author.lower().lstrip("@")
    for account in config.official_accounts:
        handle = account.split(":", 1)[-1].lower().lstrip("@")
        if not handle:
            continue
        if author == handle:
            return "公式アカウントの投稿"
        if f"@{handle}" in lowered:
            return f"公式アカウント(@{handle})への言及"
    return ""


def _judge_term(term: str, kind: str, doc: Doc, lex: Context) -> str:
    """A reason if some occurrence of `term` names the place, else ''."""
    text = doc.text
    if term.isascii():
        return _judge_latin(term, text, lex)
    start = text.find(term)
    while start >= 0:
        end = start + len(term)
        if not _inside_longer_word(doc, start):
            verdict = _place_or_person(doc, term, kind, start, end, lex)
            if verdict:
                label = "市の別名" if kind == "alias" else "市内の地名"
                return f"「{term}」を含む（{label}: {verdict}）"
        start = text.find(term, start + 1)
    return ""


def _inside_longer_word(doc: Doc, start: int) -> bool:
    """うちのしごと contains ちのし: a match starting inside a word after kana/letters is not a name."""
    if start == 0 or not _KANA_OR_LATIN.match(doc.text[start - 1]):
        return False
    return start not in doc.begins


def _token_at(doc: Doc, offset: int) -> int:
    for i, b in enumerate(doc.begins):
        if b <= offset < doc.ends[i]:
            return i
    return -1


def _place_or_person(doc: Doc, term: str, kind: str, start: int, end: int, lex: Context) -> str:
    """'地名' / '文脈' when the occurrence names the place, '' when it names a person."""
    text = doc.text
    after = text[end : end + 8]
    if term.endswith(lex.place_suffixes) or after.startswith(lex.place_suffixes):
        return "地名"
    if after.startswith(lex.person_suffixes):
        return ""
    i = _token_at(doc, start)
    j = next((k for k in range(max(i, 0), len(doc.begins)) if doc.begins[k] >= end), -1)
    if j >= 0 and doc.begins[j] == end and doc.pos[j][:4] == ("名詞", "固有名詞", "人名", "名"):
        return ""  # a given name right after the surname: 茅野愛衣
    if kind == "alias" and any(w in text for w in lex.person_context):
        return ""
    pos = doc.pos[i] if i >= 0 else ()
    if pos[:3] == ("名詞", "固有名詞", "人名") and not any(w in text for w in lex.place_context):
        return ""
    return "地名" if pos[:3] == ("名詞", "固有名詞", "地名") else "文脈"


def _judge_latin(term: str, text: str, lex: Context) -> str:
    """Chino City / Chino: only when nothing points at California or clothing."""
    if lex.latin_elsewhere.search(text):
        return ""
    if re.search(rf"(?<![A-Za-z]){re.escape(term)}(?![A-Za-z])", text, re.I):
        return f"「{term}」を含む"
    base = term.split()[0]
    if base != term and re.search(rf"(?<![A-Za-z]){re.escape(base)}(?![A-Za-z])", text, re.I):
        if lex.latin_ours.search(text):
            return f"「{base}」と長野の地名を含む"
    return ""


def _staff_profile(description: str, config: AnalysisConfig, lex: Context) -> bool:
    if not description:
        return False
    d = normalize(description)
    names = [normalize(a) for a in config.aliases if not a.isascii()]
    return any(n in d for n in names) and any(m in d for m in lex.staff_markers)
