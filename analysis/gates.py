"""Cheap, exact "could this match at all?" tests built from the word lists themselves.

Two pieces, both derived at load time from the same entries the detectors match with, so
a word added to a list is known to the gate at once:

- `necessary_literals(regex)`: sets of strings, read from a regular expression's parsed
  form, such that every match contains at least one string of each set
  (`夜道[^。]{0,12}(気をつけ|気を付け)` → {夜道}, {気をつけ, 気を付け}). A text that lacks every
  string of one set cannot match: the regex need not run.
- `Literals`: many strings searched in one pass over the text (Aho–Corasick, in Rust),
  overlapping matches included, so "which of these strings occur?" costs one call.

A gate may only say "certainly not": anything it cannot read (a class of characters, a
back-reference, case-insensitive parts) makes it answer "maybe", never "no".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from re import _constants as c  # the regex parser's opcodes (stable across 3.11–3.13)
from re import _parser

import ahocorasick_rs

_CAP = 256  # most strings one exact set may hold before it is given up (cross products grow fast)
_CLASS_CAP = 24  # most characters a class [...] may hold and still count as exact
_KEEP = 3  # necessary sets kept per regex (the most selective)

Sets = list[frozenset[str]]


@dataclass(frozen=True)
class _Info:
    exact: frozenset[str] | None  # every string the piece can match, when few (may hold "")
    necessary: tuple[frozenset[str], ...]  # each: every match contains one of its strings


_NOTHING = _Info(frozenset({""}), ())
_UNKNOWN = _Info(None, ())


def _useful(s: frozenset[str] | None) -> bool:
    return bool(s) and "" not in s


# \s in a str pattern: Unicode whitespace, all of it at or below U+3000
_SPACE = frozenset(ch for ch in map(chr, range(0x3001)) if re.match(r"\s", ch))


def _class(items: list) -> _Info:
    chars: set[str] = set()
    for op, av in items:
        if op is c.LITERAL:
            chars.add(chr(av))
        elif op is c.RANGE and av[1] - av[0] < _CLASS_CAP:
            chars.update(chr(x) for x in range(av[0], av[1] + 1))
        elif op is c.CATEGORY and av is c.CATEGORY_SPACE:
            chars |= _SPACE
        else:  # NEGATE, other categories (\w, \d), a wide range: anything goes
            return _UNKNOWN
    return _Info(frozenset(chars), ()) if len(chars) <= _CLASS_CAP + len(_SPACE) else _UNKNOWN


def _branch(branches: list) -> _Info:
    infos = [_sequence(list(b)) for b in branches]
    exact: frozenset[str] | None = None
    if all(i.exact is not None for i in infos):
        union = frozenset().union(*(i.exact for i in infos if i.exact is not None))
        exact = union if len(union) <= _CAP else None
    # one necessary set per branch, together: whichever branch matched left one of them
    picks = [_best([i.exact, *i.necessary]) for i in infos]
    if all(p is not None for p in picks):
        joined = frozenset().union(*(p for p in picks if p is not None))
        if len(joined) <= _CAP * 2:
            return _Info(exact, (joined,))
    return _Info(exact, ())


def _repeat(lo: int, hi: int, sub: list) -> _Info:
    inner = _sequence(sub)
    if lo == 0:  # optional: no necessary string; exact only for a single optional piece (x?)
        return _Info(inner.exact | {""}, ()) if hi == 1 and inner.exact is not None else _UNKNOWN
    exact = inner.exact if lo == hi == 1 else None
    sets = (*([inner.exact] if _useful(inner.exact) else []), *inner.necessary)
    return _Info(exact, tuple(s for s in sets if s is not None))


def _item(op: object, av: object) -> _Info:
    if op is c.LITERAL:
        return _Info(frozenset({chr(av)}), ())  # type: ignore[arg-type]
    if op is c.IN:
        return _class(av)  # type: ignore[arg-type]
    if op is c.BRANCH:
        return _branch(av[1])  # type: ignore[index]
    if op is c.SUBPATTERN:
        _group, add, _del, sub = av  # type: ignore[misc]
        if add & (c.SRE_FLAG_IGNORECASE | c.SRE_FLAG_VERBOSE):
            return _UNKNOWN
        return _sequence(list(sub))
    if op is c.ATOMIC_GROUP:
        return _sequence(list(av))  # type: ignore[arg-type]
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        lo, hi, sub = av  # type: ignore[misc]
        return _repeat(lo, hi, list(sub))
    if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
        return _NOTHING  # zero-width: adds no character
    return _UNKNOWN  # ANY, NOT_LITERAL, back-references, conditionals


def _sequence(items: list) -> _Info:
    run: frozenset[str] | None = frozenset({""})  # exact strings of the pieces joined so far
    whole = True  # every piece so far joined into `run`
    sets: list[frozenset[str]] = []
    for op, av in items:
        info = _item(op, av)
        sets += info.necessary
        if run is not None and info.exact is not None and len(run) * len(info.exact) <= _CAP:
            run = frozenset(a + b for a in run for b in info.exact)
            continue
        whole = False
        if _useful(run):
            sets.append(run)  # type: ignore[arg-type]
        run = info.exact if info.exact is not None else frozenset({""})
    if _useful(run):
        sets.append(run)  # type: ignore[arg-type]
    return _Info(run if whole else None, tuple(dict.fromkeys(sets)))


def _rarity(s: frozenset[str]) -> tuple[float, int]:
    """Lower is more selective: short strings and hiragana occur in almost every post."""

    def weight(w: str) -> float:
        score = 1.0
        for ch in w:
            score *= 0.3 if "ぁ" <= ch <= "ゖ" or ch in "ー、。!?" else 0.05
        return score

    return sum(weight(w) for w in s), len(s)


def _best(sets: Iterable[frozenset[str] | None]) -> frozenset[str] | None:
    usable = [s for s in sets if _useful(s)]
    return min(usable, key=_rarity) if usable else None  # type: ignore[arg-type]


def necessary_literals(pattern: str | re.Pattern[str]) -> Sets:
    """Sets of strings every match of `pattern` contains one of, most selective first ([] if unknown).

    A text containing no string of some set cannot match. Patterns compiled case-insensitive
    (or verbose) give [] : the gate then always lets them run.
    """
    source, flags = (pattern.pattern, pattern.flags) if isinstance(pattern, re.Pattern) else (pattern, 0)
    if not isinstance(source, str) or flags & (re.IGNORECASE | re.VERBOSE):
        return []
    try:
        parsed = _parser.parse(source, flags)
    except Exception:  # noqa: BLE001 - a parser we cannot read means "always run", never a wrong "no"
        return []
    if parsed.state.flags & (c.SRE_FLAG_IGNORECASE | c.SRE_FLAG_VERBOSE):
        return []
    info = _sequence(list(parsed))
    sets = list(dict.fromkeys([*([info.exact] if _useful(info.exact) else []), *info.necessary]))
    sets.sort(key=_rarity)
    return sets[:_KEEP]  # type: ignore[return-value]


class Literals:
    """Which of many strings occur in a text, found in one pass (overlaps included)."""

    def __init__(self, strings: Iterable[str]):
        self.strings = sorted({s for s in strings if s})
        self._ac = ahocorasick_rs.AhoCorasick(self.strings) if self.strings else None

    def found(self, text: str) -> set[str]:
        if self._ac is None:
            return set()
        return set(self._ac.find_matches_as_strings(text, overlapping=True))

    def any(self, text: str) -> bool:
        """Whether any of the strings occurs (stops at the first)."""
        return self._ac is not None and bool(self._ac.find_matches_as_indexes(text))
