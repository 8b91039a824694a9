"""A test on a post's characters alone (before Sudachi) that it could be misinformation.

The detector reports nothing unless the post has a strong rumour cue or an alarming word, a
claim credited to the city passed on as hearsay, or a specific word of an official statement
(the only way a statement can match it). Each is looked for as characters: every spelling of
an entry that a match can take (its surface, its normalised form, its reading in katakana
and in hiragana), cut to the stem a conjugation keeps (襲う → 襲, らしい → らし). `detect`
starts with this same test, so `prefilter` (which `Analyzer` calls before tokenising) is
exact: it says False only where `detect` would find nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import ahocorasick_rs

from analysis.misinfo.phrases import Entry, Lexicon
from analysis.misinfo.slots import has_slot
from analysis.misinfo.view import View
from analysis.text import analyse_text

_HIRAGANA = re.compile("[ぁ-ゖ]")
_TRAILING = re.compile("[ぁ-ゖ]+$")
_KANA = re.compile("[ぁ-ゖァ-ヺ]")
KANA_TO_HIRA = {c: c - 0x60 for c in range(ord("ァ"), ord("ヶ") + 1)}
HIRA_TO_KANA = {c: c + 0x60 for c in range(ord("ぁ"), ord("ゖ") + 1)}

STRONG = ("rumour", "spread", "truth")  # cue lists that can make a finding alone
# an alarming word makes a finding only when something passes it on (hearsay, or a strong cue), or
# on a statement's topic with a claim credited to the city (a reporting verb: in CLAIM)


def stem(word: str) -> str:
    """What every conjugated form of a word contains: the word without its last run of hiragana
    (襲う → 襲, 皆に教えて → 皆に教, 値上げ → 値上), or for a word that starts in hiragana its
    first two characters (らしい → らし). A one-character stem cut from a longer word is marked
    with a trailing "+": it counts only before hiragana (回して, not 今回)."""
    word = word.strip()
    if not word:
        return ""
    if _HIRAGANA.match(word):
        return word[:2]
    m = _TRAILING.search(word)
    if m is None:
        return word
    return word[: m.start()] + ("+" if m.start() == 1 else "")


def spellings(word: str, reading: str = "") -> set[str]:
    """The word, and its reading in katakana and hiragana (熊 → クマ, くま); a reading of fewer
    than three kana in hiragana is in every other post (がい, れい) and is left out."""
    out = {word}
    if reading:
        out.add(reading.translate(HIRA_TO_KANA))
        hira = reading.translate(KANA_TO_HIRA)
        if len(hira) >= 3 or hira == word:
            out.add(hira)
    return {w for w in out if w}


class LiteralSet:
    """Which kinds of many short strings occur in a text? One Aho–Corasick pass (in Rust).

    Each string belongs to a kind (a bit); `search` returns the kinds found. A one-character
    string marked with a trailing "+" counts only before hiragana (回して, not 今回)."""

    def __init__(self, literals: dict[int, Iterable[str]]):
        kinds: dict[str, int] = {}
        kana_after: dict[str, int] = {}
        for kind, words in literals.items():
            for w in words:
                if not w:
                    continue
                if w.endswith("+"):
                    kana_after[w[0]] = kana_after.get(w[0], 0) | kind
                else:
                    kinds[w] = kinds.get(w, 0) | kind
        self.strings = sorted(kinds)
        self.kinds = [kinds[w] for w in self.strings]
        self._ac = ahocorasick_rs.AhoCorasick(self.strings) if self.strings else None
        self.kana_after = kana_after
        self.before_kana = (
            re.compile(f"([{''.join(map(re.escape, sorted(kana_after)))}])[ぁ-ゖ]") if kana_after else None
        )

    def __len__(self) -> int:
        return len(self.strings) + len(self.kana_after)

    def search(self, text: str) -> int:
        found = 0
        if self._ac is not None:
            kinds = self.kinds
            for i, _start, _end in self._ac.find_matches_as_indexes(text, overlapping=True):
                found |= kinds[i]
        if self.before_kana is not None:
            for m in self.before_kana.finditer(text):
                found |= self.kana_after[m.group(1)]
        return found


_CONJUGATING = ("動詞", "形容詞", "助動詞")


def _common_prefix(a: str, b: str) -> str:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


def _token_literals(doc: View, i: int) -> set[str]:
    """What a post contains wherever its word matches word i of an entry (same surface or same
    normalised form): the form both conjugations share (回し/回す → 回, 知らせ/知らせる → 知らせ),
    and the same for the reading in either kana."""
    t = doc.tokens[i]
    reading = doc.reading(i)
    if t.pos[0] in _CONJUGATING:
        forms = {_common_prefix(t.surface, t.normalized), t.normalized[:-1]} | spellings(
            reading[:-1], reading[:-1]
        )
    else:
        forms = {t.surface, t.normalized} | spellings(reading, reading)
    out = set()
    for f in forms - {""}:
        if len(f) == 1 and _KANA.match(f) and f != t.surface:
            continue  # one kana cut from a reading (シ of 知っ): the word's other spellings do
        out.add(f + "+" if len(f) == 1 and len(t.normalized) > 1 else f)
    return out


def _telling(doc: View) -> int:
    """The word of an entry least likely to be in any post: one with a kanji or katakana, not
    conjugated, the longest (情報 of 「からの情報です」, not から)."""

    def rank(i: int) -> tuple[bool, bool, int]:
        t = doc.tokens[i]
        return (not _KANA_ONLY.fullmatch(t.surface), t.pos[0] not in _CONJUGATING, len(t.surface))

    return max(range(len(doc.tokens)), key=rank)


_KANA_ONLY = re.compile("[ぁ-ゖー]+")


def entry_stems(lex: Lexicon, groups: Iterable[str], keep: Callable[[Entry], bool] | None = None) -> set[str]:
    """For each entry of `groups` (that `keep` keeps): its text (matched as characters) and the
    spellings of its most telling word (which every token match of the entry has)."""
    wanted = set(groups)
    out: set[str] = set()
    for e in lex.entries:
        if e.group not in wanted or e.exception or (keep is not None and not keep(e)):
            continue
        out.add(e.text)
        doc = View(analyse_text(e.text))
        if not doc.tokens:
            continue
        out.update(_token_literals(doc, _telling(doc)))
    return out


def subject_pattern(sources: Iterable[str], then: Iterable[str] = ()) -> re.Pattern[str] | None:
    """The city or one of its offices as the subject of a clause (「市が」「市役所、」「市長は」),
    followed later in the same sentence by one of `then` (literals as `stem` gives them: a
    trailing "+" means before hiragana), if given."""
    words = sorted(set(sources), key=len, reverse=True)
    if not words:
        return None
    pattern = f"(?:{'|'.join(map(re.escape, words))})(?:が|は|も|、|,|って|では|から|として)"
    later = sorted(set(then), key=len, reverse=True)
    if later:
        pieces = [re.escape(w[:-1]) + "[ぁ-ゖ]" if w.endswith("+") else re.escape(w) for w in later]
        pattern += f"[^。!?\\n]*?(?:{'|'.join(pieces)})"
    return re.compile(pattern)


TOPIC, STRONG_CUE, REPORT, HEARSAY, STATUS, DENIED, SCOPE, ALARM = 1, 2, 4, 8, 16, 32, 64, 128
CLAIM = STATUS | REPORT | HEARSAY | DENIED | SCOPE  # what a post on a statement's topic must also have


class TextGate:
    """The character test. A post can be reported only with a strong cue (alarming words, 噂,
    拡散希望, 「本当？」), a reporting verb passed on as hearsay (「市が発表したらしい」), or a
    specific word of a statement together with something to compare or pass on: a status word,
    a date, time or amount, a cue, a word of extent (全域, だけ) or a word of a sentence a
    statement denies."""

    def __init__(
        self,
        lex: Lexicon,
        topic_words: Iterable[str],
        denied_words: Iterable[str],
        units: tuple[str, ...],
        sources: Iterable[str] = (),
        scope_words: Iterable[str] = (),
        status_kept: Callable[[Entry], bool] | None = None,
    ):
        self.units = units
        # the city's doing passed on as hearsay (「市が〜を配るらしい」): both in one sentence
        self.city_subject = subject_pattern(sources, entry_stems(lex, ("hearsay",)))
        self.literals = LiteralSet(
            {
                TOPIC: topic_words,
                STRONG_CUE: entry_stems(lex, STRONG),
                ALARM: entry_stems(lex, ("alarming", "urge")),  # (each needs hearsay to pass on)
                REPORT: entry_stems(lex, ("report",)),
                HEARSAY: entry_stems(lex, ("hearsay",)),
                STATUS: entry_stems(lex, ("status",), status_kept),
                DENIED: denied_words,
                SCOPE: scope_words,
            }
        )

    def __call__(self, text: str) -> bool:
        found = self.literals.search(text)
        if found & STRONG_CUE or found & HEARSAY and found & (REPORT | ALARM):
            return True
        if found & HEARSAY and self.city_subject is not None and self.city_subject.search(text):
            return True
        return bool(found & TOPIC) and bool(found & CLAIM or has_slot(text, self.units))
