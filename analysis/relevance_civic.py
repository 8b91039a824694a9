"""Posts about the city's administration that never name the city.

Posts reach kikimimi from the city's own context (its feeds, the replies under its posts,
searches for its names), so people write 「市の職員ってなんであんな偉そうなん？」 or
「市長のやろう、さっさと辞めろ」 without saying which city: their own. Such a post is about
this city when it uses a word of municipal business ([civic] words, departments, generic
in lexicons/relevance.toml) and names no other place:

- no other administration or all of them (町役場, 区役所, 都庁, 全国の, 隣の市, 実家の);
- no owner right before the word (県の観光課, 国の役所, 長野の市役所);
- no neighbouring town (諏訪, 岡谷: relevance_local's list), no place Sudachi knows that is
  not the city's own (大阪, 東京都, 長野市, アメリカ, ソウル), no California;
- for the generic words only (役所, 議会, 市民, 市の …): no national government (政府,
  総理, 国会, 日本), since 「政府も役所も」 speaks of government in general.

長野県 (the city's prefecture) and the bare 長野 that stands for it are no veto; 長野市,
長野駅 and 長野の市役所 are. The prefecture's own words (県知事, 県庁) are neither evidence
nor veto. The check runs only for posts that are otherwise irrelevant, with one regex
search first; Sudachi's words are read only once a civic word is found.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from analysis.text import Doc
from analysis.textnorm import normalize

_WORD, _GENERIC, _NOT = "word", "generic", "not"
# a civic word after one of these is glued to the word before it: judged on Sudachi's words
_BEFORE = re.compile(r"[一-龯々〆ヵヶァ-ヺーA-Za-z0-9]")
_CITY_LIKE = tuple("市駅町村区")  # 長野市, 長野駅: the prefecture's name then names a town


@dataclass(frozen=True)
class Hit:
    word: str
    start: int
    generic: bool
    glued: bool = False  # right after a kanji or katakana word: 脳死市政, クソ市長, 諏訪市役所


class Civic:
    """Compiled once per Analyzer from the [civic] lexicon; `judge` is pure."""

    def __init__(self, lex: dict, own: set[str], region: set[str]):
        """own: the city's names and places; region: the areas it lies in (長野県, 信州, 日本)."""
        civic = lex.get("civic", {})
        kinds: dict[str, str] = {}
        for kind, key in (
            (_NOT, "not_civic"),
            (_WORD, "words"),
            (_WORD, "departments"),
            (_GENERIC, "generic"),
        ):
            for w in civic.get(key, []):
                kinds.setdefault(normalize(w), kind)
        self.kinds = kinds
        self.pattern = _alternation(kinds)
        self.elsewhere = _alternation(civic.get("elsewhere", []))
        self.owners = tuple(normalize(w) for w in civic.get("owners", []))
        self.not_glued = frozenset(normalize(w) for w in civic.get("not_glued_to", []))
        self.servants = _alternation(civic.get("servants", []))
        self.public_money = _alternation(civic.get("public_money", []))
        self.national = frozenset(normalize(w) for w in civic.get("national", []))
        self.own = frozenset(own)
        self.ours = self.own | frozenset(region) | {normalize(w) for w in civic.get("not_places", [])}
        latin = sorted(
            {normalize(w).lower() for w in lex.get("latin", {}).get("elsewhere", [])}, key=len, reverse=True
        )
        alts = "|".join(re.escape(w) for w in latin) or "(?!)"
        self.latin_elsewhere = re.compile(rf"(?<![a-z0-9])(?:{alts})(?![a-z0-9])", re.I)  # Chino CA

    def hits(self, text: str) -> list[Hit]:
        """The civic words in the text (not 市民権, 市民ランナー); those glued to a word before them
        are marked, for `judge` to look at the words. A public servant and public money together
        (税金で食ってるくせに窓口の…) are a generic hit."""
        out = []
        if self.pattern is not None:
            for m in self.pattern.finditer(text):
                kind = self.kinds[m.group()]
                if kind != _NOT:
                    glued = m.start() > 0 and _BEFORE.match(text[m.start() - 1]) is not None
                    out.append(Hit(m.group(), m.start(), kind == _GENERIC, glued))
        if self.servants is not None and self.public_money is not None and self.public_money.search(text):
            out += [Hit(m.group(), m.start(), True) for m in self.servants.finditer(text)]
        return out

    def says_elsewhere(self, text: str) -> bool:
        """隣の市, 全国の, 町役場, 実家の: the post speaks of another administration or of all."""
        return self.elsewhere is not None and self.elsewhere.search(text) is not None

    def judge(self, doc: Doc) -> str:
        """A short Japanese reason when the post is about the administration of no other place
        (the caller has already ruled out the neighbouring towns)."""
        text = doc.text
        hits = self.hits(text)
        if not hits or self.says_elsewhere(text) or self.latin_elsewhere.search(text):
            return ""
        hits = [h for h in hits if not h.glued or (not h.generic and self._compound(doc, h.start))]
        if not hits:
            return ""
        if any(_owned(text, h.start, self.owners) for h in hits):
            return ""
        if self._another_place(doc, hits):
            return ""
        if all(h.generic for h in hits) and self._national(doc):
            return ""
        best = next((h for h in hits if not h.generic), hits[0])
        return f"市政に関する語「{best.word}」（他の自治体名なし）"

    def _another_place(self, doc: Doc, hits: list[Hit]) -> bool:
        """A place Sudachi knows that is not the city's, or a name owning the office (長野の市役所)."""
        text = doc.text
        starts = {h.start for h in hits}
        for i, p in enumerate(doc.pos):
            if p[0] != "名詞" or p[1] != "固有名詞":
                continue
            s, end = doc.surface(i), doc.ends[i]
            if p[2] == "地名" and not self._ours(s, text[end : end + 1]):
                return True
            if (
                p[2] in ("地名", "人名")
                and text.startswith("の", end)
                and end + 1 in starts
                and s not in self.own
            ):
                return True  # 長野の市役所, 下諏訪の役場, 長野県の市役所, 日本の役所: that place's office
        return False

    def _compound(self, doc: Doc, start: int) -> bool:
        """A civic word glued to an ordinary word before it is still ours (脳死市政, クソ市長,
        昨日市役所, 新庁舎); not when it is inside one word (都市, 県議会, 前市長 is listed) nor
        after a name (諏訪市役所: that town's) or a word of scope (各市, 県庁舎, 全国市長会)."""
        i = bisect_left(doc.begins, start)
        if i >= len(doc.begins) or doc.begins[i] != start or i == 0:
            return False
        p, before = doc.pos[i - 1], doc.surface(i - 1)
        if before in self.not_glued:
            return False
        return (p[0] == "名詞" and p[1] == "普通名詞") or p[0] == "接頭辞"

    def _ours(self, place: str, after: str) -> bool:
        if place in self.ours:
            return True
        # 長野 alone is the prefecture the city lies in; 長野市, 長野駅 are another town
        return f"{place}県" in self.ours and not after.startswith(_CITY_LIKE)

    def _national(self, doc: Doc) -> bool:
        return any(doc.pos[i][0] == "名詞" and doc.surface(i) in self.national for i in range(len(doc.pos)))


def _owned(text: str, start: int, owners: tuple[str, ...]) -> bool:
    """県の観光課, 国の役所, 会社の総務課: an owner and の right before the word. A one-character
    owner stands alone (県の, not 水道の or 地区の)."""
    if start < 2 or text[start - 1] != "の":
        return False
    before = text[: start - 1]
    for owner in owners:
        if before.endswith(owner):
            k = len(before) - len(owner)
            if len(owner) > 1 or k == 0 or not _BEFORE.match(before[k - 1]):
                return True
    return False


def _alternation(words: list[str] | dict[str, str]) -> re.Pattern[str] | None:
    items = sorted({normalize(w) for w in words if w.strip()}, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in items)) if items else None
