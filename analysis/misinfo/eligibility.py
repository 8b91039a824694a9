"""Who or what a service is for: a post that lets in someone or something a statement leaves out.

- Excluded things: 「アシナガバチやミツバチは対象外です」 against 「アシナガバチも対象なんだって」.
- Groups of people: 「参加は中学生以上のチーム」 against 「小学生チームも出られるらしい」,
  「40歳以上の方を対象に」 against 「30代でも受けられる」 (groups as in `analysis.misinfo.groups`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from analysis.misinfo.claims import Claims
from analysis.misinfo.groups import SAME, Group, groups_in

EXCLUDED = re.compile(r"対象外|対象になりません|対象となりません|対象ではありません|除きます|は除く")
_FOR = re.compile(r"対象|参加|受診|利用|申し?込|応募|支給|配布|配付|給付|郵送|送付")  # who may, who gets
# saying someone or something is let in (these strings also open `gate.TextGate`)
INCLUDE_WORDS = (
    "対象",
    "もらえる",
    "使える",
    "受けられる",
    "出られる",
    "参加できる",
    "利用できる",
    "申し込める",
    "申込める",
)
_INCLUDED = re.compile("対象(?!外)|" + "|".join(map(re.escape, INCLUDE_WORDS[1:])))
_NOT = re.compile(r"ない|ません|対象外|ダメ|だめ")


@dataclass(frozen=True)
class Eligibility:
    excluded: tuple[tuple[frozenset[str], int], ...] = ()  # (words left out, clause)
    groups: tuple[tuple[Group, int], ...] = ()  # (a group it is for, clause)


def of_statement(text: str, claims: Claims) -> Eligibility:
    excluded = []
    for i, c in enumerate(claims.clauses):
        if EXCLUDED.search(text, c.start, c.end):
            excluded.append((frozenset(c.nouns) - {"対象", "対象外"}, i))
    groups = []
    for start, _end, g in groups_in(text) if _FOR.search(text) else ():
        i = claims.clause_at(start)
        sentence = claims.sentence_of(i)
        if _FOR.search(text, sentence[0].start, sentence[-1].end):
            groups.append((g, i))
    return Eligibility(tuple(excluded), tuple(groups))


def included(text: str, claims: Claims) -> list[tuple[int, int, int]]:
    """(start, end, clause) of each clause saying someone or something is let in."""
    out = []
    for i, c in enumerate(claims.clauses):
        if c.question or c.hedged:
            continue
        m = _INCLUDED.search(text, c.start, c.end)
        if m is not None and not _NOT.search(text, m.end(), c.end):
            out.append((m.start(), m.end(), i))
    return out


@dataclass(frozen=True)
class Outside:
    """What the post lets in that the statement leaves out (a `compare.Conflict` to be)."""

    claimed: str
    start: int
    end: int
    fact_clause: int


def outside(text: str, claims: Claims, fact: Eligibility, specific) -> Outside | None:
    """The first thing or group the post lets in that the statement leaves out. `specific`:
    word → 0..1 (how much a word says what a text is about)."""
    places = included(text, claims)
    if not places:
        return None
    named = groups_in(text) if fact.groups else []
    for start, end, ci in places:
        nouns = claims.sentence_nouns(ci)
        for words, fi in fact.excluded:
            hit = sorted(w for w in nouns & words if specific(w) >= 1.0)
            if hit:
                return Outside("included:" + hit[0], start, end, fi)
        c = claims.clauses[ci]
        sentence = claims.sentence_of(ci)
        mine = [g for a, _b, g in named if sentence[0].start <= a < c.end]
        for g in mine:  # let in beyond every group it is for (小学生まで against 0〜2歳)
            same_kind = [(h, fi) for h, fi in fact.groups if h.kind == g.kind]
            if same_kind and not any(g.within(h) or g.likeness(h) >= SAME for h, _ in same_kind):
                return Outside(f"group:{g.lo}-{g.hi}", start, end, same_kind[0][1])
    return None
