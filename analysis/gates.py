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
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from re import _constants as c  # the regex parser's opcodes (stable across 3.11–3.13)
from re import _parser

import ahocorasick_rs

_CAP = 4096  # most strings one exact set may hold before it is given up (cross products grow fast)
_CLASS_CAP = 24  # most characters a class [...] may hold and still count as exact
_KEEP = 3  # necessary sets kept per regex (the most selective)

Sets = list[frozenset[str]]


@dataclass(frozen=True)
class _Info:
    exact: frozenset[str] | None  # every string the piece can match, when few (may hold "")
    necessary: tuple[frozenset[str], ...]  # each: every match contains one of its strings


_NOTHING = _Info(frozenset({""}), ())
_UNKNOWN = _Info(None, ())
# \s in a str pattern: Unicode whitespace, all of it at or below U+3000
_SPACE = frozenset(ch for ch in map(chr, range(0x3001)) if re.match(r"\s", ch))
# case-insensitive matching lets these match an ASCII letter (found by trying every character);
# K (U+212A) needs nothing: lower() makes it k
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s"})


@lru_cache(maxsize=16)
def fold(text: str) -> str:
    """The text as case-insensitive gates read it: ASCII letters (and what matches them) lower-cased.

    Cached: one post's text is folded once for all the lists that look at it.
    """
    if "\u0130" in text or "\u0131" in text or "\u017f" in text:
        text = text.translate(_FOLD)
    return text.lower()


def _useful(s: frozenset[str] | None) -> bool:
    return bool(s) and "" not in s


class _Reader:
    """Reads a parsed regex; `ci`: the regex ignores case, so strings are kept folded (`fold`) and
    a character with case other than an ASCII letter is read as "anything"."""

    def __init__(self, ci: bool):
        self.ci = ci

    def char(self, code: int) -> str | None:
        ch = chr(code)
        if not self.ci or (ch.lower() == ch == ch.upper()):
            return ch
        return ch.lower() if ch.isascii() else None

    def klass(self, items: list) -> _Info:
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
        folded = {self.char(ord(ch)) for ch in chars}
        if None in folded or len(folded) > _CLASS_CAP + len(_SPACE):
            return _UNKNOWN
        return _Info(frozenset(folded), ())  # type: ignore[arg-type]

    def branch(self, branches: list) -> _Info:
        infos = [self.sequence(list(b)) for b in branches]
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

    def repeat(self, lo: int, hi: int, sub: list) -> _Info:
        inner = self.sequence(sub)
        if lo == 0:  # optional: no necessary string; exact only for a single optional piece (x?)
            return _Info(inner.exact | {""}, ()) if hi == 1 and inner.exact is not None else _UNKNOWN
        exact = inner.exact if lo == hi == 1 else None
        sets = (*([inner.exact] if _useful(inner.exact) else []), *inner.necessary)
        return _Info(exact, tuple(s for s in sets if s is not None))

    def repeated(self, op: object, av: object) -> frozenset[str] | None:
        """The exact strings of one repetition of x in x+ / x{2,} (None for anything else)."""
        if op not in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) or av[0] < 1:  # type: ignore[index]
            return None
        inner = self.sequence(list(av[2]))  # type: ignore[index]
        return inner.exact if _useful(inner.exact) else None

    def item(self, op: object, av: object) -> _Info:
        if op is c.LITERAL:
            ch = self.char(av)  # type: ignore[arg-type]
            return _UNKNOWN if ch is None else _Info(frozenset({ch}), ())
        if op is c.IN:
            return self.klass(av)  # type: ignore[arg-type]
        if op is c.BRANCH:
            return self.branch(av[1])  # type: ignore[index]
        if op is c.SUBPATTERN:
            _group, add, _del, sub = av  # type: ignore[misc]
            if add & c.SRE_FLAG_VERBOSE or (add & c.SRE_FLAG_IGNORECASE and not self.ci):
                return _UNKNOWN
            return self.sequence(list(sub))
        if op is c.ATOMIC_GROUP:
            return self.sequence(list(av))  # type: ignore[arg-type]
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            lo, hi, sub = av  # type: ignore[misc]
            return self.repeat(lo, hi, list(sub))
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            return _NOTHING  # zero-width: adds no character
        return _UNKNOWN  # ANY, NOT_LITERAL, back-references, conditionals

    def sequence(self, items: list) -> _Info:
        run: frozenset[str] = frozenset({""})  # exact strings of the pieces joined so far
        whole = True  # every piece so far joined into `run`
        sets: list[frozenset[str]] = []
        for op, av in items:
            info = self.item(op, av)
            sets += info.necessary
            if info.exact is not None and len(run) * len(info.exact) <= _CAP:
                run = frozenset(a + b for a in run for b in info.exact)
                continue
            whole = False
            once = self.repeated(op, av)  # x+ : its first x follows the run, its last x starts the next
            if once is not None and len(run) * len(once) <= _CAP:
                run = frozenset(a + b for a in run for b in once)
            if _useful(run):
                sets.append(run)
            run = once if once is not None else info.exact if info.exact is not None else frozenset({""})
        if _useful(run):
            sets.append(run)
        return _Info(run if whole else None, tuple(dict.fromkeys(sets)))


@lru_cache(maxsize=1 << 16)
def _weight(w: str) -> float:
    """How common a string is in posts, roughly: short strings and hiragana are everywhere."""
    score = 1.0
    for ch in w:
        score *= 0.3 if "ぁ" <= ch <= "ゖ" or ch in "ー、。!?" else 0.05
    return score


def rarity(s: frozenset[str] | set[str]) -> tuple[float, int]:
    """Lower is more selective: a set lets a text through as soon as its commonest string is in it."""
    return max(map(_weight, s), default=1.0), len(s)


def _best(sets: Iterable[frozenset[str] | None]) -> frozenset[str] | None:
    usable = [s for s in sets if _useful(s)]
    return min(usable, key=rarity) if usable else None  # type: ignore[arg-type]


def case_folded(pattern: re.Pattern[str]) -> bool:
    """Whether `pattern` ignores case: its necessary strings are then to be looked for in `fold(text)`."""
    return bool(pattern.flags & re.IGNORECASE)


def necessary_literals(pattern: str | re.Pattern[str]) -> Sets:
    """Sets of strings every match of `pattern` contains one of, most selective first ([] if unknown).

    A text containing no string of some set cannot match. For a case-insensitive pattern the
    strings are folded (`fold`) and must be looked for in the folded text (`case_folded`).
    """
    source, flags = (pattern.pattern, pattern.flags) if isinstance(pattern, re.Pattern) else (pattern, 0)
    if not isinstance(source, str) or flags & re.VERBOSE:
        return []
    try:
        parsed = _parser.parse(source, flags)
    except Exception:  # noqa: BLE001 - a parser we cannot read means "always run", never a wrong "no"
        return []
    state = parsed.state.flags
    if state & c.SRE_FLAG_VERBOSE or (state & c.SRE_FLAG_IGNORECASE and not flags & re.IGNORECASE):
        return []  # an inline (?i) in a pattern given as a string: read it as unknown
    info = _Reader(bool(flags & re.IGNORECASE)).sequence(list(parsed))
    sets = list(dict.fromkeys([*([info.exact] if _useful(info.exact) else []), *info.necessary]))
    sets.sort(key=rarity)
    return sets[:_KEEP]  # type: ignore[return-value]


class Literals:
    """Which of many strings occur in a text, found in one pass (overlaps included)."""

    def __init__(self, strings: Iterable[str]):
        self.strings = sorted({s for s in strings if s})
        self._ac = ahocorasick_rs.AhoCorasick(self.strings) if self.strings else None

    def __reduce__(self):  # noqa: ANN204 - the automaton itself cannot be pickled: rebuild it
        return (Literals, (self.strings,))

    def found(self, text: str) -> set[str]:
        if self._ac is None:
            return set()
        return set(self._ac.find_matches_as_strings(text, overlapping=True))

    def any(self, text: str) -> bool:
        """Whether any of the strings occurs (stops at the first)."""
        return self._ac is not None and bool(self._ac.find_matches_as_indexes(text))


class _SharedLiterals:
    """The gate strings of every `GatedRegex`, found in a text in one pass for all of them.

    Several lists look at the same post (the leak check asks a dozen sections); with one
    automaton and the last texts' answers cached, each asks a set question instead of
    scanning the text again. New strings (a regex built later) rebuild the automaton and
    start a new cache generation, so an answer never misses a string.
    """

    def __init__(self) -> None:
        self._strings: set[str] = set()
        self._state: tuple[int, Literals] = (0, Literals(()))
        self._lock = threading.Lock()  # two lists loaded at once must not drop each other's strings

    def add(self, strings: Iterable[str]) -> None:
        with self._lock:
            new = set(strings) - self._strings
            if new:
                self._strings |= new
                self._state = (self._state[0] + 1, Literals(self._strings))

    def found(self, text: str) -> frozenset[str]:
        generation, literals = self._state
        return _found(generation, literals, text)


@lru_cache(maxsize=64)
def _found(generation: int, literals: Literals, text: str) -> frozenset[str]:
    return frozenset(literals.found(text))


_SHARED = {False: _SharedLiterals(), True: _SharedLiterals()}  # by case-folded


class GatedRegex:
    """A compiled regex that first checks, in one pass, for the strings every match needs.

    Behaves like the `re.Pattern` it wraps (`search`, `finditer`, `match`, `findall`, … and
    its attributes); a call on a whole text that lacks every string of the regex's most
    selective necessary set returns "no match" without running the regex engine.
    """

    __slots__ = ("regex", "_needs", "_folded", "_shared")

    def __init__(self, regex: re.Pattern[str]):
        self.regex = regex
        sets = necessary_literals(regex)
        self._needs = sets[0] if sets else None
        self._folded = case_folded(regex)
        self._shared = _SHARED[self._folded]
        if self._needs:
            self._shared.add(self._needs)

    def could_match(self, text: str) -> bool:
        if self._needs is None:
            return True
        return not self._needs.isdisjoint(self._shared.found(fold(text) if self._folded else text))

    def search(self, text: str, *args: int) -> re.Match[str] | None:
        if not args and not self.could_match(text):
            return None
        return self.regex.search(text, *args)

    def match(self, text: str, *args: int) -> re.Match[str] | None:
        if not args and not self.could_match(text):
            return None
        return self.regex.match(text, *args)

    def fullmatch(self, text: str, *args: int) -> re.Match[str] | None:
        if not args and not self.could_match(text):
            return None
        return self.regex.fullmatch(text, *args)

    def finditer(self, text: str, *args: int) -> Iterator[re.Match[str]]:
        if not args and not self.could_match(text):
            return iter(())
        return self.regex.finditer(text, *args)

    def findall(self, text: str, *args: int) -> list:
        if not args and not self.could_match(text):
            return []
        return self.regex.findall(text, *args)

    def __getattr__(self, name: str):  # pattern, flags, groups, sub, split …: the regex's own
        if name in GatedRegex.__slots__:  # not set yet (a copy being made): no recursion
            raise AttributeError(name)
        return getattr(self.regex, name)

    def __reduce__(self):  # noqa: ANN204 - pickled as its regex; the gate is rebuilt from it
        return (GatedRegex, (self.regex,))

    def __repr__(self) -> str:
        return f"GatedRegex({self.regex!r})"
