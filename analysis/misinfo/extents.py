"""Claims about extent: how far (全域 vs 一部), how long (3日間, 5月いっぱい) and how much more
(倍, 5割, 100円アップ), compared with what a statement says.

- Scope: a post that says the whole city or everyone (「茅野市全域で断水」) where the statement
  limits it (「宮川地区の一部」「その他の地区は通常どおり」), or that says only some or excludes
  some (「小学校だけ」「市外の人は対象外」) where the statement includes all (「すべての児童生徒」
  「市外の方も含め」). Words in `lexicons/misinfo_claims.toml` [extent].
- Periods: a length (「3日間」「1か月」) against the statement's period from its start to its end
  (「7月9日午後10時から7月10日午前5時まで」); an end (「5月いっぱい」「7月末まで」「期限は」) is
  compared with the statement's ends (`analysis.misinfo.slots` gives dates a role).
- Rises: the size of a rise (「100円アップ」) only with the sizes the statement gives or implies
  (「300円から400円」), a rate (「倍」「5割」「8.5%」) only with its rates, never with a price.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from analysis.misinfo.claims import Claims
from analysis.misinfo.phrases import LEXICONS
from analysis.misinfo.slots import Slot

HOURS = {"時間": 1.0, "日間": 24.0, "週間": 168.0, "か月": 720.0, "ヶ月": 720.0, "カ月": 720.0}
_NEGATED_AFTER = re.compile(r"(?:で|じゃ)(?:は)?(?:な|あり)|[はがも]?(?:なし|無し|ない|無い|ありません)")


@dataclass(frozen=True)
class ScopeWord:
    kind: str  # "all" | "part"
    word: str
    start: int
    end: int
    clause: int


@dataclass(frozen=True)
class Extent:
    """A claim about extent that differs from the statement (becomes a `compare.Conflict`)."""

    slot: str  # "scope" | "period" | "date" | "amount"
    claimed: str
    start: int
    end: int
    fact_clause: int
    strength: float


@lru_cache(maxsize=1)
def patterns() -> dict[str, re.Pattern[str]]:
    import tomllib

    data = tomllib.loads((LEXICONS / "misinfo_claims.toml").read_text("utf-8"))["extent"]

    def alternation(words: list[str]) -> re.Pattern[str]:
        # 「ご覧いただけます」「高いんだけど」 have no だけ (only) in them
        pieces = [re.escape(w) + "(?!ど|れど)" if w == "だけ" else re.escape(w) for w in words]
        pieces = [("(?<!た)" if w.startswith("だけ") else "") + p for w, p in zip(words, pieces, strict=True)]
        return re.compile("|".join(sorted(pieces, key=len, reverse=True)))

    return {name: alternation(words) for name, words in data.items()}


def claim_words(kind: str = "") -> list[str]:
    """The words of extent a post's claim may use (for the character gates): of one kind ("all" or
    "part"), or both."""
    import tomllib

    data = tomllib.loads((LEXICONS / "misinfo_claims.toml").read_text("utf-8"))["extent"]
    return {"all": data["claimed_all"], "part": data["part"]}.get(kind, [*data["claimed_all"], *data["part"]])


def may_claim(text: str) -> bool:
    """Does the text have a word of extent a post's claim may use?"""
    pats = patterns()
    return pats["claimed_all"].search(text) is not None or pats["part"].search(text) is not None


def scope_words(text: str, claims: Claims, statement: bool) -> list[ScopeWord]:
    """Words saying everyone or the whole city, or only some, in a post or a statement."""
    if not claims.clauses:
        return []
    pats = patterns()
    out = []
    names = (
        [("all", "stated_all"), ("part", "part"), ("part", "stated_part")]
        if statement
        else [
            ("all", "claimed_all"),
            ("part", "part"),
        ]
    )
    for kind, name in names:
        for m in pats[name].finditer(text):
            if _NEGATED_AFTER.match(text, m.end()):
                continue  # 「市全域ではありません」
            out.append(ScopeWord(kind, m.group(0), m.start(), m.end(), claims.clause_at(m.start())))
    return out


def scope_conflict(
    post: list[ScopeWord],
    fact: list[ScopeWord],
    claims: Claims,
    about: Callable[[int, int], bool],
    asked: bool,
) -> Extent | None:
    """The post says all where the statement says part, or part where it says all."""
    for w in post:
        c = claims.clauses[w.clause]
        if c.negated or c.hedged or (c.question and not asked):
            continue
        for f in fact:
            if f.kind != w.kind and about(w.clause, f.clause):
                return Extent("scope", w.kind, w.start, w.end, f.clause, 0.8)
    return None


def _day(value: tuple) -> date | None:
    month, lo, _hi = value
    return date(2001, month, lo) if month else None


def _time_after(slots: list[Slot], i: int) -> Slot | None:
    """The time given with date i (「7月9日（木）午後10時から」), past its weekday."""
    for s in slots[i + 1 : i + 3]:
        if s.kind == "time":
            return s
        if s.kind != "weekday":
            return None
    return None


def periods(claims: Claims) -> list[tuple[float, int]]:
    """(hours, clause) of each period a text gives from a start to an end in one sentence: dates
    (「7月9日午後10時から7月10日午前5時まで」) or times of one day (「午前8時から正午まで」)."""
    out = _hours(claims)
    slots = claims.slots
    for i, a in enumerate(slots):
        if a.kind != "date" or a.role != "from":
            continue
        sentence = claims.clauses[a.clause].sentence
        t_from = _time_after(slots, i)
        for j in range(i + 1, len(slots)):
            b = slots[j]
            if claims.clauses[b.clause].sentence != sentence:
                break
            if b.kind != "date" or b.role != "until":
                continue
            start, end = _day(a.value), _day(b.value)
            if start is None or end is None:
                break
            days = (end - start).days % 365
            t_until = _time_after(slots, j)
            if t_from is not None and t_until is not None:
                hours = days * 24 + (t_until.value[0] - t_from.value[0]) / 60
            else:
                hours = (days + 1) * 24.0
            out.append((hours, b.clause))
            break
    return out


def _hours(claims: Claims) -> list[tuple[float, int]]:
    """Periods of one day: a time from and a time until in one sentence with no date between."""
    out = []
    slots = claims.slots
    for i, a in enumerate(slots):
        if a.kind != "time" or a.role != "from" or (i and slots[i - 1].kind in ("date", "weekday")):
            continue
        sentence = claims.clauses[a.clause].sentence
        for b in slots[i + 1 :]:
            if claims.clauses[b.clause].sentence != sentence or b.kind == "date":
                break
            if b.kind == "time" and b.role == "until" and b.value[0] > a.value[0]:
                out.append(((b.value[0] - a.value[0]) / 60, b.clause))
                break
    return out


def period_conflict(
    slot: Slot, fact_periods: list[tuple[float, int]], about: Callable[[int], bool]
) -> Extent | None:
    """「3日間も続く」 against a period of 7 hours; 「1か月休館」 against 18 days."""
    hours = slot.value[0] * HOURS[slot.value[1]]
    tied = [(h, c) for h, c in fact_periods if about(c)]
    if not tied or any(0.5 * h - 12 <= hours <= 1.5 * h + 12 for h, _ in tied):
        return None
    return Extent("period", slot.label(), slot.start, slot.end, tied[0][1], 0.8)


def month_end(slot: Slot) -> Slot:
    """「5月いっぱい」「7月末まで」: as an end, the last days of the month."""
    month, lo, hi = slot.value
    if slot.role == "until" and hi - lo > 6:
        return Slot(
            slot.kind, (month, hi - 6, hi), slot.start, slot.end, slot.clause, slot.negated, slot.role
        )
    return slot


def _pairs(claims: Claims, text: str) -> list[tuple[float, float, int]]:
    """(before, after, clause) of each 「A円からB円」 in a text."""
    out = []
    amounts = [s for s in claims.slots if s.kind == "amount" and s.value[1] == "円"]
    for a, b in zip(amounts, amounts[1:], strict=False):
        between = text[a.end : b.start]
        if len(between) <= 12 and "から" in between and a.value[0] > 0:
            out.append((a.value[0], b.value[0], b.clause))
    return out


def rate(slot: Slot) -> float:
    """A rate of rise in percent: 「倍」 100, 「5割」 50, 「8.5%」 8.5."""
    value, unit = slot.value
    return {"%": value, "割": value * 10, "倍": (value - 1) * 100}[unit]


def rise_conflict(
    slot: Slot, fact: Claims, fact_text: str, about: Callable[[int], bool]
) -> Extent | None | bool:
    """A rise's size or rate against the sizes and rates the statement gives or implies: an
    Extent when it differs, True when it agrees, None when the statement says nothing of it."""
    pairs = [(a, b, c) for a, b, c in _pairs(fact, fact_text) if about(c)]
    if slot.role == "delta":
        sizes = [
            (s.value[0], s.clause)
            for s in fact.slots
            if s.role == "delta" and s.value[1] == slot.value[1] and about(s.clause)
        ]
        sizes += [(b - a, c) for a, b, c in pairs] if slot.value[1] == "円" else []
        if not sizes:
            return None
        if any(abs(slot.value[0] - v) <= 0.05 * abs(v) for v, _ in sizes):
            return True
        return Extent("amount", slot.label(), slot.start, slot.end, sizes[0][1], 0.8)
    rates = [(rate(s), s.clause) for s in fact.slots if s.role == "rate" and about(s.clause)]
    rates += [((b / a - 1) * 100, c) for a, b, c in pairs]
    if not rates:
        return None
    claimed = rate(slot)
    if any(abs(claimed - r) <= max(5.0, 0.3 * abs(r)) for r, _ in rates):
        return True
    return Extent("amount", slot.label(), slot.start, slot.end, rates[0][1], 0.8)


# days of the week a word covers (0 Monday … 6 Sunday, 7 holidays)
_DAYS = {
    "平日": frozenset(range(5)),
    "土日祝": frozenset({5, 6, 7}),
    "土日": frozenset({5, 6}),
    "週末": frozenset({5, 6}),
    "土曜": frozenset({5}),
    "日曜": frozenset({6}),
    "祝日": frozenset({7}),
    "休日": frozenset({5, 6, 7}),
    "毎日": frozenset(range(8)),
}
_DAY_WORDS = re.compile("|".join(sorted(_DAYS, key=len, reverse=True)))
_HOLDING = frozenset({"held", "open"})


def days_in(text: str, claims: Claims) -> list[tuple[frozenset[int], int, int, int]]:
    """(days, start, end, clause) of each word for days of the week (平日, 土日, 週末 …)."""
    if not claims.clauses:
        return []
    return [
        (_DAYS[m.group(0)], m.start(), m.end(), claims.clause_at(m.start()))
        for m in _DAY_WORDS.finditer(text)
    ]


def days_conflict(
    text: str, post: Claims, fact_text: str, fact: Claims, about: Callable[[int, int], bool]
) -> Extent | None:
    """「土日もやるんだって」 against work done 「平日」 only: days something is held or open that
    the statement's days for it leave out."""
    held = {m.clause for m in post.mentions if m.category in _HOLDING and m.asserted and not m.negated}
    if not held or not any(d in text for d in ("日", "末", "祝")):
        return None
    theirs = days_in(fact_text, fact)
    if not theirs:
        return None
    for days, start, end, clause in days_in(text, post):
        c = post.clauses[clause]
        if clause not in held or c.negated or c.denies:
            continue
        tied = [(d, fc) for d, _s, _e, fc in theirs if about(clause, fc)]
        if tied and not days <= frozenset().union(*(d for d, _ in tied)):
            return Extent("scope", "days:" + text[start:end], start, end, tied[0][1], 0.75)
    return None
