"""Who pays what: fees and free admission said of groups of people (子ども, 中学生以下, 70歳以上).

A statement often gives several prices, one per group (「一般は600円、高校生・大学生は350円、
小・中学生は引き続き無料」). A post's price or 無料 is judged against the statement's price for the
group the post names (「子どもも300円かかる」 against 小・中学生 無料; 「65歳以上は無料」 against
a 1,500円 fee that no group is excused from but 生活保護 households). Groups are age bands or
kinds of people (`lexicons/misinfo_claims.toml` [groups]); a group is said of the price or
無料 that follows it in its clause, else of the nearest before it in its sentence.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache

from analysis.misinfo.claims import Claims
from analysis.misinfo.phrases import LEXICONS

_DECADE = re.compile(r"(?<!\d)([1-9]0)代")
_AGES = re.compile(r"(\d{1,3})歳から(\d{1,3})歳")
_AGE = re.compile(r"(\d{1,3})歳(以上|以下|未満|から|まで)?")
OLD = 100  # the top of an open age band (「65歳以上」)


@dataclass(frozen=True)
class Group:
    lo: int  # ages [lo, hi)
    hi: int
    kind: str = ""  # a kind of person other than an age (障がい者, 生活保護)

    def within(self, other: Group) -> bool:
        """All of these people are of the other group (中学生 of 中学生以下)."""
        return self.kind == other.kind and other.lo <= self.lo and self.hi <= other.hi

    def likeness(self, other: Group) -> float:
        """How nearly two groups are the same people (0–1): 子ども and 小・中学生 0.6, 40歳以上 and
        70歳以上 0.5, different kinds 0."""
        if self.kind != other.kind:
            return 0.0
        both = min(self.hi, other.hi) - max(self.lo, other.lo)
        either = max(self.hi, other.hi) - min(self.lo, other.lo)
        return max(0, both) / either if either > 0 else 1.0


@dataclass(frozen=True)
class Price:
    """What a text says a group pays: an amount in yen, or 0 for free."""

    groups: tuple[Group, ...]  # empty: said of no group in particular
    yen: float
    start: int
    end: int
    clause: int


@lru_cache(maxsize=1)
def _lexicon() -> tuple[re.Pattern[str], dict[str, Group]]:
    data = tomllib.loads((LEXICONS / "misinfo_claims.toml").read_text("utf-8"))["groups"]
    table: dict[str, Group] = {}
    for word, value in data["ages"].items():
        table[word] = Group(value[0], value[1])
    for kind, words in data["kinds"].items():
        for word in words:
            table[word] = Group(0, OLD, kind)
    words = sorted(table, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words))), table


def _bound(word: str, qualifier: str, group: Group) -> Group:
    """「中学生以下」「小学生以上」: a school age with 以下/以上/まで."""
    if qualifier in ("以下", "まで", "未満"):
        return Group(0, group.hi, group.kind)
    if qualifier in ("以上", "から"):
        return Group(group.lo, OLD, group.kind)
    return group


def groups_in(text: str) -> list[tuple[int, int, Group]]:
    """(start, end, group) of every group a text names."""
    pattern, table = _lexicon()
    out = []
    for m in pattern.finditer(text):
        after = text[m.end() : m.end() + 2]
        qualifier = next((q for q in ("以下", "以上", "未満", "まで") if after.startswith(q)), "")
        out.append((m.start(), m.end() + len(qualifier), _bound(m.group(0), qualifier, table[m.group(0)])))
    if "代" in text:  # 「30代」: thirty to thirty-nine
        out += [
            (m.start(), m.end(), Group(int(m.group(1)), int(m.group(1)) + 10)) for m in _DECADE.finditer(text)
        ]
    if "歳" in text:
        spans = []
        for m in _AGES.finditer(text):  # 「0歳から2歳まで」: one band
            out.append((m.start(), m.end(), Group(int(m.group(1)), int(m.group(2)) + 1)))
            spans.append((m.start(), m.end()))
        for m in _AGE.finditer(text):
            if any(a <= m.start() < b for a, b in spans):
                continue
            n, q = int(m.group(1)), m.group(2) or ""
            group = {
                "以上": Group(n, OLD),
                "から": Group(n, OLD),
                "以下": Group(0, n + 1),
                "まで": Group(0, n + 1),
            }
            out.append((m.start(), m.end(), group.get(q, Group(0, n) if q == "未満" else Group(n, n + 1))))
    out.sort()
    return out


SAME = 0.6  # groups this alike are taken as the same people
PAID = -1.0  # 「有料」「お金がかかる」: some price, not said


def prices(text: str, claims: Claims, said: list[tuple[int, int, int, bool]]) -> list[Price]:
    """Prices and free admissions in a text, each with the groups it is said of. `said`: (start,
    end, clause, free) of each asserted 無料 or 有料 (status mentions)."""
    named = groups_in(text)
    if not named:
        return []
    items = [(s.start, s.end, s.clause, s.value[0]) for s in claims.slots if _is_price(s, text)]
    items += [(a, b, c, 0.0 if free else PAID) for a, b, c, free in said]
    out = []
    for start, end, clause, yen in sorted(items):
        c = claims.clauses[clause]
        sentence = [x for x in claims.clauses if x.sentence == c.sentence]
        own = tuple(g for a, _b, g in named if c.start <= a < start)
        if not own:  # the nearest group before it (「70歳以上の方は、…無料になります」「65歳以上は
            # 1,500円です。無料になったわけではない」): in its sentence, else in the text so far
            before = [g for a, _b, g in named if sentence[0].start <= a < start] or [
                g for a, _b, g in named if a < start
            ]
            own = (before[-1],) if before else ()
        out.append(Price(own, yen, start, end, clause))
    return out


_BEFORE = re.compile(r"から[^。、]{0,8}?\d[\d,]*円")  # 「500円から600円に」: 500 is the old price


def _is_price(slot, text: str) -> bool:
    if slot.kind != "amount" or slot.value[1] != "円" or slot.value[0] <= 0 or slot.role:
        return False
    return _BEFORE.match(text, slot.end) is None


@dataclass(frozen=True)
class Judgement:
    price: Price  # the post's
    agrees: bool
    against: Price  # the statement's price it is judged against
    by_group: bool  # against the price of the same group (not one said of everyone)


def judge(post: list[Price], fact: list[Price]) -> list[Judgement]:
    """Each post price said of a group, against the statement's prices for an overlapping group,
    else the statement's prices said of no group (「65歳以上は無料」 against 「自己負担額は1,500円」)."""
    out = []
    for p in post:
        if not p.groups:
            continue
        near = [
            f for f in fact if any(g.within(h) or g.likeness(h) >= SAME for g in p.groups for h in f.groups)
        ]
        by_group = bool(near)
        if not near and p.yen <= 0:  # 無料/有料 of a group the statement prices as everyone
            near = [f for f in fact if not f.groups]
        if not near:
            continue
        same = next((f for f in near if _same(p.yen, f.yen)), None)
        out.append(Judgement(p, same is not None, same or near[0], by_group))
    return out


def _same(a: float, b: float) -> bool:
    if a == PAID or b == PAID:
        return (a == PAID and b != 0) or (b == PAID and a != 0)
    return a == b or (a > 0 and b > 0 and abs(a - b) <= 0.02 * max(a, b))
