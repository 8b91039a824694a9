"""Word lists from `analysis/lexicons/` matched against a post's Sudachi tokens.

A list entry is tokenised once when the list is loaded (lexicon text, never post text), and
a post token matches an entry token when their normalised forms or their surfaces agree:
normalised forms let conjugations and spelling variants meet (聞いた/聞きました, まつり/祭り),
surfaces catch function words whose normalised form depends on context (ない, なら).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from analysis.text import Token, analyse_text

LEXICONS = Path(__file__).resolve().parent.parent / "lexicons"

# Parts of speech that may follow a phrase that must end its clause (「中止らしいよね。」).
_TAIL_POS = {"助詞", "助動詞", "補助記号", "記号", "空白", "感動詞"}
_BOUNDARY_POS2 = {"句点", "読点"}
# Conjunctive particles that end a clause (「〜らしいけど」「〜ありますが、」), unlike 「して」.
_BOUNDARY_CONJ = {"が", "けど", "けれど", "けれども", "のに", "ので", "から", "し"}
_BOUNDARY_SURFACES = {"\n", "!", "?", "。", "、", ",", "…", "...", "w", "ｗ"}


def read_list(name: str) -> list[str]:
    """Entries of a word list: one per line, `#` starts a comment, blank lines ignored."""
    lines = (LEXICONS / name).read_text("utf-8").splitlines()
    return [s for s in (line.split("#", 1)[0].strip() for line in lines) if s]


@dataclass(frozen=True)
class Entry:
    text: str
    keys: tuple[tuple[str, str], ...]  # (normalised, surface) per token
    clause_end: bool = False  # "$": only at the end of a clause
    question: bool = False  # "?": only when the clause ends as a question
    exception: bool = False  # "!": blocks other entries where it matches (surface match only)
    prefix: bool = False  # "*": also the start of a longer word (遭難 in 遭難者)


@dataclass(frozen=True)
class Match:
    entry: Entry
    start: int  # token index
    end: int  # token index, exclusive


def is_boundary(t: Token) -> bool:
    return (
        t.pos[1] in _BOUNDARY_POS2
        or t.surface in _BOUNDARY_SURFACES
        or (t.pos[1] == "接続助詞" and t.surface in _BOUNDARY_CONJ)
    )


def clause_end_after(tokens: Sequence[Token], j: int) -> int | None:
    """Index of the token that ends the clause if only particles, auxiliaries and marks follow `j`."""
    for k in range(j, len(tokens)):
        t = tokens[k]
        if is_boundary(t):
            return k
        if t.pos[0] not in _TAIL_POS:
            return None
    return len(tokens)


def ends_as_question(tokens: Sequence[Token], j: int) -> bool:
    """Does the clause from token `j` end with a question mark or a question particle?"""
    for k in range(j, len(tokens)):
        t = tokens[k]
        if t.surface in ("?", "？") or (t.surface in ("か", "の", "かな") and t.pos[1] == "終助詞"):
            return True
        if is_boundary(t):
            return False
    return False


class PhraseSet:
    """One word list, indexed by the first token of each entry."""

    def __init__(self, lines: Iterable[str]):
        self._by_key: dict[str, list[Entry]] = {}
        self._by_char: dict[str, list[Entry]] = {}  # first character → entries (segmentation-proof match)
        self.entries: list[Entry] = []
        for line in lines:
            exception = line.startswith("!")
            body = line.lstrip("!").strip()
            flags = set()
            while body[-2:] in (" $", " ?", " *"):
                flags.add(body[-1])
                body = body[:-2].rstrip()
            toks = [t for t in analyse_text(body).tokens if t.surface.strip()]
            if not toks:
                continue
            entry = Entry(
                text=body,
                keys=tuple((t.normalized, t.surface) for t in toks),
                clause_end="$" in flags,
                question="?" in flags,
                exception=exception,
                prefix="*" in flags,
            )
            self.entries.append(entry)
            for key in {entry.keys[0][0], entry.keys[0][1], body if len(toks) == 1 else ""} - {""}:
                self._by_key.setdefault(key, []).append(entry)
            if len(body) > 1 or entry.prefix:
                self._by_char.setdefault(body[0], []).append(entry)

    @property
    def first_keys(self) -> frozenset[str]:
        return frozenset(self._by_key)

    def _match_at(self, tokens: Sequence[Token], i: int, entry: Entry) -> int | None:
        n = len(entry.keys)
        if i + n > len(tokens):
            return None
        for k, (norm, surface) in enumerate(entry.keys):
            t = tokens[i + k]
            if entry.exception and t.surface != surface:
                return None
            if (
                t.normalized != norm
                and t.surface != surface
                and not (n == 1 and entry.text in (t.surface, t.dictionary))
            ):
                return None
        j = i + n
        if entry.clause_end and clause_end_after(tokens, j) is None:
            return None
        if entry.question and not ends_as_question(tokens, j):
            return None
        return j

    def _match_text(
        self, tokens: Sequence[Token], i: int, entry: Entry, text: str, ends: dict[int, int]
    ) -> int | None:
        """The entry's characters at token i, ending on a token end (Sudachi may split 通行止め in context)."""
        begin = tokens[i].begin
        if not text.startswith(entry.text, begin):
            return None
        j = ends.get(begin + len(entry.text))
        if j is None:
            t = tokens[i]
            if not (entry.prefix and t.end > begin + len(entry.text)):
                return None
            j = i
        j += 1
        if entry.clause_end and clause_end_after(tokens, j) is None:
            return None
        if entry.question and not ends_as_question(tokens, j):
            return None
        return j

    def find(
        self, tokens: Sequence[Token], lo: int = 0, hi: int | None = None, text: str = ""
    ) -> list[Match]:
        """Non-overlapping matches in tokens[lo:hi], longest first at each position.

        With `text` (the normalised text the tokens point into), an entry also matches by its
        characters when they start and end on token boundaries.
        """
        hi = len(tokens) if hi is None else hi
        ends = {t.end: k for k, t in enumerate(tokens)} if text and self._by_char else {}
        out: list[Match] = []
        i = lo
        while i < hi:
            t = tokens[i]
            seen: set[int] = set()
            best: Match | None = None
            blocked_to = 0
            for key in (t.normalized, t.surface, t.dictionary):
                for entry in self._by_key.get(key, ()):
                    if id(entry) in seen:
                        continue
                    seen.add(id(entry))
                    j = self._match_at(tokens, i, entry)
                    if j is None or j > hi:
                        continue
                    if entry.exception:
                        blocked_to = max(blocked_to, j)
                    elif best is None or j > best.end:
                        best = Match(entry, i, j)
            if ends:
                for entry in self._by_char.get(text[t.begin : t.begin + 1], ()):
                    if id(entry) in seen:
                        continue
                    j = self._match_text(tokens, i, entry, text, ends)
                    if j is None or j > hi:
                        continue
                    if entry.exception:
                        blocked_to = max(blocked_to, j)
                    elif best is None or j > best.end:
                        best = Match(entry, i, j)
            if blocked_to:
                i = blocked_to
            elif best is not None:
                out.append(best)
                i = best.end
            else:
                i += 1
        return out


@cache
def phrase_set(name: str) -> PhraseSet:
    """A word list file as a PhraseSet (read-only data, loaded once per process)."""
    return PhraseSet(read_list(name))
