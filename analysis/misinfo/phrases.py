"""Word lists from `analysis/lexicons/` matched against a post's Sudachi tokens.

A list entry is tokenised once when the list is loaded (lexicon text, never post text), and
a post token matches an entry token when their normalised forms or their surfaces agree:
normalised forms let conjugations and spelling variants meet (聞いた/聞きました, まつり/祭り),
surfaces catch function words whose normalised form depends on context (ない, なら).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import ahocorasick_rs

from analysis.misinfo.view import Token
from analysis.text import analyse_text

LEXICONS = Path(__file__).resolve().parent.parent / "lexicons"
_HIRAGANA = re.compile("[ぁ-ゖー]+")

# Parts of speech that may follow a phrase that must end its clause (「中止らしいよね。」).
_TAIL_POS = {"助詞", "助動詞", "補助記号", "記号", "空白", "感動詞"}
_BOUNDARY_POS2 = {"句点", "読点"}
# Conjunctive particles that end a clause (「〜らしいけど」「〜ありますが、」), unlike 「して」.
_BOUNDARY_CONJ = {"が", "けど", "けれど", "けれども", "のに", "ので", "から", "し"}
_SENTENCE_ENDS = frozenset({"。", "!", "?", "\n", "！", "？", "#", "…", "...", "w", "ｗ"})
_BOUNDARY_SURFACES = {"\n", "!", "?", "。", "、", ",", "…", "...", "w", "ｗ", "#"}  # a hashtag starts anew


def read_list(name: str) -> list[str]:
    """Entries of a word list: one per line, `#` starts a comment, blank lines ignored."""
    lines = (LEXICONS / name).read_text("utf-8").splitlines()
    return [s for s in (line.split("#", 1)[0].strip() for line in lines) if s]


@dataclass(frozen=True)
class Entry:
    text: str
    keys: tuple[tuple[str, str], ...]  # (normalised, surface) per token
    clause_end: bool = False  # "$": only at the end of a clause
    sentence_end: bool = False  # ".": only at the end of a sentence (「中止だとか。」, not 「中止とか、」)
    question: bool = False  # "?": only when the clause ends as a question
    exception: bool = False  # "!": blocks other entries where it matches (surface match only)
    prefix: bool = False  # "*": also the start of a longer word (遭難 in 遭難者)
    group: str = ""  # the word list it comes from


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


# 「〜なんでしょ？」「〜だよね？」「〜じゃん？」 ask for agreement with a claim: they assert it
_TAG = frozenset({"でしょ", "でしょう", "だろ", "だろう", "じゃん", "ね", "よね", "な"})


# 「いつ開館するんだろう」「どういう時にするんだろう」: a question word and a wondering end
_WH = frozenset(
    {"何", "なん", "なに", "いつ", "どこ", "誰", "どれ", "どう", "どういう", "どの", "なぜ", "何故", "いくら"}
)
_WONDER = frozenset({"だろう", "だろ", "でしょう", "かしら"})


def ends_as_question(tokens: Sequence[Token], j: int) -> bool:
    """Does the clause from token `j` end with a question mark or a question particle (not a
    tag asking for agreement: 「中学は対象外なんでしょ？」), or wonder with a question word?"""
    wh = False  # a question word seen, and not just before this word (誰か, 何か are "someone", "something")
    for k in range(j, len(tokens)):
        t = tokens[k]
        if wh and t.surface == "か" and (tokens[k - 1].surface in _WH or tokens[k - 1].normalized in _WH):
            wh = False
            continue
        if t.surface in ("?", "？"):
            return wh or not (k > j and tokens[k - 1].surface in _TAG)
        if t.surface in ("か", "の", "かな", "っけ") and (t.pos[1] == "終助詞" or (wh and t.surface == "か")):
            return True  # 「いつ解除になるか」: a question word and か ask, even inside a sentence
        if t.surface in _WONDER:
            return wh
        if t.surface in _WH or t.normalized in _WH:
            wh = True
        if is_boundary(t):
            return False
    return False


class Lexicon:
    """Several word lists matched in one pass over a post's tokens.

    Each list ("group") keeps its own non-overlapping, longest-first matches, so 「拡散希望」
    is one spread cue while 中止 can be both a status word and an alarming word.
    """

    def __init__(self, groups: dict[str, Iterable[str]]):
        self._by_key: dict[str, list[Entry]] = {}
        self._by_char: dict[str, list[Entry]] = {}  # first character → entries (segmentation-proof match)
        self.groups = tuple(groups)
        self.entries: list[Entry] = []
        for group, lines in groups.items():
            for line in lines:
                entry = _entry(group, line)
                if entry is None:
                    continue
                self.entries.append(entry)
                single = entry.text if len(entry.keys) == 1 else ""
                norm, surface = entry.keys[0]
                # a hiragana function word (ん, だっ) is looked up by its surface only: its
                # normalised form (の, だ) is in every other sentence; a verb written in
                # hiragana (やる → 遣る) by its normalised form too
                function_word = _HIRAGANA.fullmatch(surface) and _HIRAGANA.fullmatch(norm)
                keys = (
                    {surface, single} if function_word else {norm, surface, single}
                )  # やら (遣る) meets やる
                for key in keys - {""}:
                    self._by_key.setdefault(key, []).append(entry)
                if len(entry.text) > 1 or entry.prefix:
                    self._by_char.setdefault(entry.text, []).append(entry)
        # every entry text found in one Aho-Corasick pass over a post (the character path)
        self._texts = sorted(self._by_char, key=len, reverse=True)
        self._ac = ahocorasick_rs.AhoCorasick(self._texts) if self._texts else None

    @property
    def first_keys(self) -> frozenset[str]:
        return frozenset(self._by_key)

    def quick_check(self, skip: Iterable[str] = ()) -> tuple[frozenset[str], re.Pattern[str] | None]:
        """(words, pattern): see `quick_literals`; the literals as one regular expression."""
        words, literals = self.quick_literals(skip)
        pattern = (
            re.compile("|".join(map(re.escape, sorted(literals, key=len, reverse=True))))
            if literals
            else None
        )
        return words, pattern

    def quick_literals(
        self, skip: Iterable[str] = (), keep: Callable[[Entry], bool] | None = None
    ) -> tuple[frozenset[str], frozenset[str]]:
        """(words, literals): a text none of whose words is in `words` and that contains none of
        `literals` cannot match an entry of any group but `skip`.

        The words are the entries' first words and every prefix of an entry, since Sudachi may
        split an entry differently in context (通行 + 止め). Entries that start with hiragana
        (と聞く, だって) are found by their characters up to the first other character, as are
        entries that may start a longer word (遭難者): a hiragana word such as と or だ is in
        every other post; a verb written in hiragana also by its normalised form (やら: 遣る)."""
        words: set[str] = set()
        literals: set[str] = set()
        for e in self.entries:
            if e.group in skip or e.exception or (keep is not None and not keep(e)):
                continue
            if e.prefix:
                literals.add(e.text)
            elif _HIRAGANA.match(e.text[0]):
                m = re.match("[ぁ-ゖー]+.?", e.text)
                literals.add(m.group(0) if m else e.text)
                if not _HIRAGANA.fullmatch(e.keys[0][0]):
                    words.add(e.keys[0][0])
            else:
                words.update(e.keys[0])
                if len(e.keys) == 1:  # one word alone, perhaps split in context (通行 + 止め)
                    words.update(e.text[:k] for k in range(2, len(e.text) + 1))
        return frozenset(words), frozenset(literals)

    @staticmethod
    def _match_at(tokens: Sequence[Token], i: int, entry: Entry) -> int | None:
        n = len(entry.keys)
        if i + n > len(tokens):
            return None
        for k, (norm, surface) in enumerate(entry.keys):
            t = tokens[i + k]
            if entry.exception and t.surface != surface:
                return None
            if t.normalized != norm and t.surface != surface and not (n == 1 and entry.text == t.surface):
                return None
        return i + n

    @staticmethod
    def _match_text(
        tokens: Sequence[Token], i: int, entry: Entry, text: str, ends: dict[int, int]
    ) -> int | None:
        """The entry's characters at token i, ending on a token end (Sudachi may split 通行止め in context)."""
        t = tokens[i]
        if not text.startswith(entry.text, t.begin):
            return None
        j = ends.get(t.begin + len(entry.text))
        if j is None:
            if not (entry.prefix and t.end > t.begin + len(entry.text)):
                return None
            j = i
        return j + 1

    def scan(self, tokens: Sequence[Token], text: str = "") -> dict[str, list[Match]]:
        """Matches per group. With `text` (the normalised text the tokens point into), an entry
        also matches by its characters when they start and end on token boundaries."""
        out: dict[str, list[Match]] = {}
        free: dict[str, int] = {}  # group → first token index a new match may start at
        ends: dict[int, int] | None = None
        by_key = self._by_key
        n_tokens = len(tokens)
        at: dict[int, list[int]] = {}  # character offset → entry texts starting there (indices)
        if text and self._ac is not None:
            for k, start, _end in self._ac.find_matches_as_indexes(text, overlapping=True):
                at.setdefault(start, []).append(k)
        for i, (surface, norm, _pos, begin, _end) in enumerate(tokens):
            cands = by_key.get(norm)
            more = by_key.get(surface) if surface != norm else None
            starts = at.get(begin) if at else None
            if cands is None and more is None and starts is None:
                continue
            if cands and more:
                more = [e for e in more if e not in cands]
            chars = None
            if starts:  # longest first, as the texts were sorted
                chars = [e for k in sorted(starts) for e in self._by_char[self._texts[k]]]
            if not (cands or more or chars):
                continue
            found: dict[str, tuple[int, Entry | None]] = {}  # group → (end, entry or None if blocked)
            for group_entries, by_text in ((cands, False), (more, False), (chars, True)):
                for entry in group_entries or ():
                    if free.get(entry.group, 0) > i:
                        continue
                    if by_text:
                        if ends is None:
                            ends = {x.end: k for k, x in enumerate(tokens)}
                        j = self._match_text(tokens, i, entry, text, ends)
                    else:
                        keys = entry.keys
                        if len(keys) > 1:  # most entries fail on their second word: test it first
                            if i + 1 >= n_tokens:
                                continue
                            second = tokens[i + 1]
                            if second[1] != keys[1][0] and second[0] != keys[1][1]:
                                continue
                        j = self._match_at(tokens, i, entry)
                    if j is None:
                        continue
                    if entry.clause_end:
                        end = clause_end_after(tokens, j)
                        if end is None or (
                            entry.sentence_end
                            and end < len(tokens)
                            and tokens[end].surface not in _SENTENCE_ENDS
                        ):
                            continue
                    if entry.question and not ends_as_question(tokens, j):
                        continue
                    prev = found.get(entry.group)
                    if entry.exception:
                        found[entry.group] = (max(j, prev[0] if prev else 0), None)
                    elif prev is None or (prev[1] is not None and j > prev[0]):
                        found[entry.group] = (j, entry)
            for group, (j, entry) in found.items():
                free[group] = j
                if entry is not None:
                    out.setdefault(group, []).append(Match(entry, i, j))
        return out


class PhraseSet(Lexicon):
    """One word list."""

    def __init__(self, lines: Iterable[str]):
        super().__init__({"": lines})

    def find(
        self, tokens: Sequence[Token], lo: int = 0, hi: int | None = None, text: str = ""
    ) -> list[Match]:
        hi = len(tokens) if hi is None else hi
        return [m for m in self.scan(tokens, text).get("", []) if lo <= m.start and m.end <= hi]


def _entry(group: str, line: str) -> Entry | None:
    exception = line.startswith("!")
    body = line.lstrip("!").strip()
    flags = set()
    while body[-2:] in (" $", " ?", " *", " ."):
        flags.add(body[-1])
        body = body[:-2].rstrip()
    doc = analyse_text(body)
    keys = tuple((n, s) for s, n in zip(doc.surfaces, doc.lemmas, strict=True) if s.strip())
    if not keys:
        return None
    return Entry(
        text=body,
        keys=keys,
        clause_end="$" in flags or "." in flags,
        sentence_end="." in flags,
        question="?" in flags,
        exception=exception,
        prefix="*" in flags,
        group=group,
    )


@cache
def phrase_set(name: str) -> PhraseSet:
    """A word list file as a PhraseSet (read-only data, loaded once per process)."""
    return PhraseSet(read_list(name))
