"""Regular-expression entries of the word lists, with a gate that skips those a post cannot match.

Running dozens of regexes over every post is slow in Python; finding, in one pass, the
strings each pattern needs (read from the pattern itself) lets most posts skip them all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from analysis.gates import Literals, Sets, necessary_literals


class LexiconError(ValueError):
    """A line of a hostility word list that cannot be read; the message names file and line."""


@dataclass(frozen=True)
class Pattern:
    """A regular-expression entry, with the characters a match can start with (None: any)."""

    regex: re.Pattern[str]
    entry: Any  # the hostility_lexicon.Entry it stands for (None for idioms)
    first: frozenset[str] | None
    required: frozenset[str] = frozenset()  # characters every match contains

    def may_match(self, chars: set[str]) -> bool:
        """False when the post's characters rule a match out (checked before running the regex)."""
        return self.required <= chars and (self.first is None or not chars.isdisjoint(self.first))


def _first_chars(items: list, limit: int = 4000) -> frozenset[str] | None:
    """Characters a match of a parsed pattern can start with, or None when any could.

    Lets the detector skip a pattern with one set operation when none of its first
    characters is in the post (most posts), instead of running the regex engine.
    """
    from re import _constants as c

    out: set[str] = set()
    for op, av in items:
        if op in (c.ASSERT, c.ASSERT_NOT, c.AT):
            continue
        optional = False
        if op == c.LITERAL:
            first: set[str] | None = {chr(av)}
        elif op == c.IN:
            first = set()
            for iop, iav in av:
                if iop == c.LITERAL:
                    first.add(chr(iav))
                elif iop == c.RANGE and iav[1] - iav[0] < limit:
                    first.update(chr(x) for x in range(iav[0], iav[1] + 1))
                else:
                    return None
        elif op == c.SUBPATTERN:
            sub = _first_chars(list(av[3]), limit)
            first = set(sub) if sub is not None else None
        elif op == c.BRANCH:
            first = set()
            for branch in av[1]:
                sub = _first_chars(list(branch), limit)
                if sub is None:
                    return None
                first |= sub
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
            sub = _first_chars(list(av[2]), limit)
            first = set(sub) if sub is not None else None
            optional = av[0] == 0
        else:
            return None
        if first is None:
            return None
        out |= first
        if not optional:
            return frozenset(out)
    return None  # the whole pattern can match empty


def _required_chars(items: list) -> set[str]:
    """Characters that every match of a parsed pattern contains (し\\s?ね → {し, ね})."""
    from re import _constants as c

    out: set[str] = set()
    for op, av in items:
        if op == c.LITERAL:
            out.add(chr(av))
        elif op == c.SUBPATTERN:
            out |= _required_chars(list(av[3]))
        elif op == c.BRANCH:
            branches = [_required_chars(list(b)) for b in av[1]]
            out |= set.intersection(*branches) if branches else set()
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] >= 1:
            out |= _required_chars(list(av[2]))
    return out


def compile_pattern(text: str, entry: Any, source: str, n: int) -> Pattern:
    try:
        regex = re.compile(text)
    except re.error as e:
        raise LexiconError(f"{source} line {n}: bad regular expression: {e}") from e
    try:
        from re import _parser

        parsed = list(_parser.parse(text))
        return Pattern(regex, entry, _first_chars(parsed), frozenset(_required_chars(parsed)))
    except Exception:  # noqa: BLE001 - private parser API changed: always run the regex instead
        return Pattern(regex, entry, None)


class PatternSet:
    """Patterns with a gate: `matches` runs only those the post can match.

    The gate is built from the patterns themselves (`analysis.gates`): for each, the strings
    every match must contain (夜道…気をつけ needs 夜道 and one of 気をつけ/気を付け), found for all
    patterns in one pass over the text; patterns it cannot read are gated by the characters
    a match can start with, as before. Editing a list edits its gate.
    """

    def __init__(self, patterns: list[Pattern]):
        self.patterns = patterns
        # the order patterns run in (and hits come out in): those any character may start first
        self.order = [p for p in patterns if p.first is None] + [p for p in patterns if p.first is not None]
        self.needs: list[Sets] = [necessary_literals(p.regex) for p in self.order]
        # patterns are found by their most selective set, then checked against their others
        self.literals = Literals(w for sets in self.needs if sets for w in sets[0])
        self.others = Literals(w for sets in self.needs for s in sets[1:] for w in s)
        self.by_literal: dict[str, list[int]] = {}
        self.unread: list[int] = []  # patterns without necessary strings: the character test
        for k, sets in enumerate(self.needs):
            if not sets:
                self.unread.append(k)
            for w in sets[0] if sets else ():
                self.by_literal.setdefault(w, []).append(k)

    def matches(self, text: str, fast: bool = True) -> Iterator[tuple[Pattern, re.Match[str]]]:
        """Every match of every pattern, pattern by pattern (`fast` False: no gate, every regex runs)."""
        for p in self.runnable(text) if fast else self.order:
            for m in p.regex.finditer(text):
                yield p, m

    def runnable(self, text: str) -> list[Pattern]:
        """The patterns whose gate lets them run on this text (in the order they run)."""
        found = self.literals.found(text)
        if not found and not self.unread:
            return []  # most posts
        ks = {k for w in found for k in self.by_literal[w]}
        if ks:
            present, needs = self.others.found(text), self.needs
            ks = {k for k in ks if not any(present.isdisjoint(s) for s in needs[k][1:])}
        if self.unread:
            chars = set(text)
            ks.update(k for k in self.unread if self.order[k].may_match(chars))
        return [self.order[k] for k in sorted(ks)]
