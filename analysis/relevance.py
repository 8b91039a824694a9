"""Is a post about the city at all?

A post is relevant when it replies to or mentions an official account, comes from a
city employee's account, or names the city or a place in it (settings: [city] aliases,
local_terms) *as a place*. The names are ambiguous: 茅野 is also a surname (茅野さん,
the voice actress 茅野愛衣), "Chino" is also a city in California and a kind of trousers.
Each occurrence is judged from the words around it (lexicons/relevance.toml) and
Sudachi's part of speech (地名 vs 人名); irrelevant posts raise no alert.

A post that never names the city may still be about it: its places, features and official
statements (relevance_local.py, relevance_facts.py), or its administration named without a
place (「市役所燃えたら」, relevance_civic.py), as long as no other place is named.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from analysis.relevance_local import LocalEvidence
from analysis.text import Doc
from analysis.textnorm import normalize
from analysis.types import AnalysisConfig, Fact, PostText

_LEXICON = Path(__file__).parent / "lexicons" / "relevance.toml"
_KANA_OR_LATIN = re.compile(r"[ぁ-ゖァ-ヺーA-Za-z0-9]")
# a profile saying its author works for a municipality, naming none (市職員, 市役所勤務, 市立保育園)
_GENERIC_STAFF = re.compile(
    r"市職員|市の職員|市役所|役所勤|役所で働|役場|市立.{0,6}(?:園|校|館|センター)|市で働|市に勤"
)
# another municipality named in a profile (長野市職員, 富士見町役場): the author works there
_OTHER_MUNICIPALITY = re.compile(r"[一-龥]{1,4}[市町村](?:役所|役場|職員|の職員|立|教育委員会)")
_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|https?://\S+|www\.\S+", re.ASCII)  # names no one


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


class Relevance:
    """The relevance test for one configuration: terms compiled once, then one regex search per post."""

    def __init__(self, config: AnalysisConfig, facts: Iterable[Fact] = ()):
        self.config = config
        self.lex = lexicon()
        kinds: dict[str, str] = {}
        for kind, items in (("alias", config.aliases), ("local", config.local_terms)):
            for t in items:
                n = normalize(t).strip()
                for spelling in _kana_spellings(n):  # ちのし, チノシ (ﾁﾉｼ normalised), ちの市
                    if spelling and spelling not in kinds:
                        kinds[spelling] = kind
        self.kinds = kinds
        # longest first, so 茅野市 is judged before the 茅野 inside it
        native = sorted((t for t in kinds if not t.isascii()), key=len, reverse=True)
        self.native = re.compile("|".join(re.escape(t) for t in native)) if native else None
        self.latin = [t for t in kinds if t.isascii()]
        first = "|".join(re.escape(t.split()[0]) for t in self.latin)
        # the name as a word: not inside chino2026 (a password) or Chinozo
        self.latin_first = (
            re.compile(rf"(?<![A-Za-z0-9_])(?:{first})(?![A-Za-z0-9_])", re.I) if first else None
        )
        self.handles = [a.split(":", 1)[-1].lower().lstrip("@") for a in config.official_accounts]
        self.handles = [h for h in self.handles if h]
        self.names = [normalize(a) for a in config.aliases if not a.isascii()]
        # posts that never name the city: its places, events and official statements
        self.local = LocalEvidence(facts, self.names, config.local_terms)

    def judge(self, post: PostText, doc: Doc) -> tuple[bool, str]:
        """(relevant, a short Japanese reason)."""
        if post.reply_to_official:
            return True, "公式アカウントへの返信"
        if self.handles:
            official = _official_handle(post, doc, self.handles)
            if official:
                return True, official
        text = doc.text
        named = False  # the city's name is there, but as someone's surname
        if self.native is not None:
            for m in self.native.finditer(text):
                if _inside_longer_word(doc, m.start()):
                    continue  # うちの市 holds ちの市 but names no one
                why = _judge_occurrence(m.group(), self.kinds[m.group()], doc, m.start(), self.lex)
                if why:
                    return True, why
                named = True
        latin = _ADDRESS.sub(" ", text) if self.latin_first is not None else ""  # chino.taro@example.jp
        if self.latin_first is not None and self.latin_first.search(latin):
            for term in self.latin:
                why = _judge_latin(term, latin, self.lex)
                if why:
                    return True, why
            named = True  # Chino Hills, chino pants
        if post.author_description and _staff_profile(post.author_description, self.names, self.lex):
            return True, "市職員のアカウントの投稿"
        if not named:
            why = self.local.judge(doc)
            if why:
                return True, why
        return False, "市に関する語を含まない"

    def staff_account(self, post: PostText, doc: Doc) -> bool:
        """The author's profile says plainly they work for a municipality and names no other
        (「市職員」「市役所勤務」「保育士（市立保育園）」), and the post names no other place: what it
        says of its work may be about this city. `Analyzer` asks the leak detector then; a
        profile that names the city is relevant on its own (`judge`)."""
        d = normalize(post.author_description or "")
        if not d or not _GENERIC_STAFF.search(d) or _OTHER_MUNICIPALITY.search(_strip_names(d, self.names)):
            return False
        text = doc.text
        return not self.local.civic.says_elsewhere(text) and not self.local.names_another_place(doc)


def is_relevant(post: PostText, doc: Doc, config: AnalysisConfig) -> tuple[bool, str]:
    """(relevant, a short Japanese reason). For one-off calls: `Analyzer` keeps a compiled `Relevance`."""
    return Relevance(config).judge(post, doc)


def _kana_spellings(term: str) -> tuple[str, ...]:
    """A name written in kana, in hiragana and in katakana (ちのし, チノシ); other names as given."""
    if not re.fullmatch(r"[ぁ-ゖァ-ヺー]+", term):
        return (term,)
    hira = "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in term)
    kata = "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in hira)
    city = (hira[:-1] + "市", kata[:-1] + "市") if hira.endswith("し") and len(hira) > 2 else ()
    return (term, hira, kata, *city)


def _official_handle(post: PostText, doc: Doc, handles: list[str]) -> str:
    lowered = doc.text.lower()
    author = post.author.lower().lstrip("@")
    for handle in handles:
        if author == handle:
            return "公式アカウントの投稿"
        if f"@{handle}" in lowered:
            return f"公式アカウント(@{handle})への言及"
    return ""


def _judge_occurrence(term: str, kind: str, doc: Doc, start: int, lex: Context) -> str:
    """A reason if this occurrence of `term` names the place, else ''."""
    verdict = _place_or_person(doc, term, kind, start, start + len(term), lex)
    if not verdict:
        return ""
    label = "市の別名" if kind == "alias" else "市内の地名"
    return f"「{term}」を含む（{label}: {verdict}）"


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
    if term.endswith(lex.place_suffixes):
        return "地名"
    place = _longest_prefix(after, lex.place_suffixes)
    if place or _longest_prefix(after, lex.person_suffixes):  # the longer one: 茅野店長 is a person
        return "地名" if place >= _longest_prefix(after, lex.person_suffixes) else ""
    i = _token_at(doc, start)
    j = next((k for k in range(max(i, 0), len(doc.begins)) if doc.begins[k] >= end), -1)
    if j >= 0 and doc.begins[j] == end and doc.pos[j][:4] == ("名詞", "固有名詞", "人名", "名"):
        return ""  # a given name right after the surname: 茅野愛衣
    if kind == "alias" and j >= 0 and doc.begins[j] == end and _katakana_given_name(doc, j):
        return ""  # a character's name: 茅野カエデの正体
    sentence = _sentence_around(text, start, end)  # 苗字 in another sentence says nothing of this 茅野
    if kind == "alias" and any(w in sentence for w in lex.person_context):
        return ""
    pos = doc.pos[i] if i >= 0 else ()
    if pos[:3] == ("名詞", "固有名詞", "人名") and not any(w in text for w in lex.place_context):
        # Sudachi's surname reading with nothing else for it: 茅野と飲んだ is a friend, but 茅野は春が
        # 遅い / 茅野が舞台 is the place (people are named with さん, くん, 先生, or by full name)
        if j >= 0 and doc.begins[j] == end and doc.lemmas[j] in ("と", "ちゃん", "っち"):
            return ""
    return "地名" if pos[:3] == ("名詞", "固有名詞", "地名") else "文脈"


def _longest_prefix(text: str, words: tuple[str, ...]) -> int:
    """The length of the longest of `words` that `text` starts with (0 when none)."""
    return max((len(w) for w in words if text.startswith(w)), default=0)


def _katakana_given_name(doc: Doc, j: int) -> bool:
    """カエデ, サクラ: a Japanese word in katakana (Sudachi reads 楓, 桜) ending the name phrase."""
    surface = doc.surface(j)
    if not re.fullmatch(r"[ァ-ヺ]{2,4}", surface) or doc.lemmas[j] == surface:
        return False
    k = j + 1
    return k >= len(doc.pos) or doc.pos[k][0] not in ("名詞", "接尾辞")


def _sentence_around(text: str, start: int, end: int) -> str:
    a = max(text.rfind(c, 0, start) for c in "。!?\n") + 1
    ends = [k for k in (text.find(c, end) for c in "。!?\n") if k >= 0]
    return text[a : min(ends) if ends else len(text)]


def _judge_latin(term: str, text: str, lex: Context) -> str:
    """Chino City / Chino: only when nothing points at California or clothing."""
    if lex.latin_elsewhere.search(text):
        return ""
    if re.search(rf"(?<![A-Za-z]){re.escape(term)}(?![A-Za-z])", text, re.I):
        return f"「{term}」を含む"
    base = term.split()[0]
    if base != term and re.search(rf"(?<![A-Za-z]){re.escape(base)}\s?市", text, re.I):
        return f"「{base}市」を含む"  # Chino市, chino 市役所 (spelled out to dodge a filter)
    if base != term and re.search(rf"(?<![A-Za-z]){re.escape(base)}(?![A-Za-z])", text, re.I):
        if lex.latin_ours.search(text):
            return f"「{base}」と長野の地名を含む"
    return ""


def _staff_profile(description: str, names: list[str], lex: Context) -> bool:
    d = normalize(description)
    return any(n in d for n in names) and any(m in d for m in lex.staff_markers)


def city_names(config: AnalysisConfig) -> list[str]:
    """The city's names as they appear in normalised Japanese text (for profile checks)."""
    return [normalize(a) for a in config.aliases if not a.isascii()]


def staff_profile(description: str, names: list[str]) -> bool:
    """The author's profile says they work for the city (茅野市職員, 茅野市役所 税務課)."""
    return bool(description) and _staff_profile(description, names, lexicon())


def _strip_names(description: str, names: list[str]) -> str:
    """The profile without the city's own names (茅野市職員 names no other municipality)."""
    for n in names:
        description = description.replace(n, " ")
    return description
