"""Cheap tests, before the word lists are matched, that a post could make a finding at all.

Most posts cannot and cost nothing more: the post's words are looked up once in one table and
its characters searched once (Aho–Corasick). `QuickTest` is a superset of what
`analysis.detectors.misinformation` can report: it may let a post through for nothing, never
stop one that would make a finding.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import ahocorasick_rs

from analysis.factbase import FactIndex
from analysis.misinfo.claims import vocabulary
from analysis.misinfo.cues import SENTENCE_END, SUBJECT
from analysis.misinfo.eligibility import INCLUDE_WORDS
from analysis.misinfo.extents import claim_words
from analysis.misinfo.gate import entry_stems, subject_pattern
from analysis.misinfo.phrases import Entry, Lexicon, Match
from analysis.misinfo.slots import has_slot
from analysis.text import Doc

# word lists that alone never make a finding (a warning alone, hearsay alone, a safety word alone)
QUIET = frozenset({"safety", "source", "report", "citation", "hearsay", "debunk"})


# what the quick test looks for, one bit each
_STRONG, _HEARSAY, _ALARM, _REPORT, _SOURCE, _WEAK, _CLAIM = 1, 2, 4, 8, 16, 32, 64


class QuickTest:
    """Cheap tests that a post could make a finding; most posts cannot and cost nothing more: the
    post's words looked up once in one table, its characters searched once (Aho–Corasick). Rumour
    cues can always fire; alarming words when passed on; a claim credited to the city or its
    doing passed on as hearsay; a status word, a number, a word of extent or venue, or words a
    statement denies only on the topic of some official statement."""

    def __init__(
        self,
        lex: Lexicon,
        index: FactIndex,
        status_kept: Callable[[Entry], bool] | None = None,
        claims: Iterable[str] | None = None,
    ):
        groups = set(lex.groups)
        self.index = index
        bits: dict[str, int] = {}
        literals: dict[str, int] = {}
        for bit, wanted in (
            (_STRONG, {"rumour", "spread", "truth"}),
            (_HEARSAY, {"hearsay"}),
            (_ALARM, {"alarming", "urge"}),
            (_REPORT, {"report"}),
            (_SOURCE, {"source"}),
            (_WEAK, {"status"}),
        ):
            words, chars = lex.quick_literals(
                skip=groups - wanted, keep=status_kept if bit == _WEAK else None
            )
            for w in words:
                bits[w] = bits.get(w, 0) | bit
            for w in chars:
                literals[w] = literals.get(w, 0) | bit
        # 「全域で」「小学校だけ」「会場は」「〜も対象」: claims of extent, venue or who is let in
        for w in claims if claims is not None else (*claim_words(), *vocabulary().venue, *INCLUDE_WORDS):
            literals[w] = literals.get(w, 0) | _CLAIM
        self.bits = bits
        self.words = frozenset(bits)
        self.literals = sorted(literals)
        self.literal_bits = [literals[w] for w in self.literals]
        self._ac = ahocorasick_rs.AhoCorasick(self.literals)
        # the city as a subject with hearsay later in its sentence (as `gate.TextGate` has it)
        self.city_subject = subject_pattern(vocabulary().sources, entry_stems(lex, ("hearsay",)))
        self.units = vocabulary().units
        self.may_pass_on = True  # of the last text asked about
        self.sources = lex.quick_literals(skip=groups - {"source"})[0]

    def _city_does(self, text: Doc) -> bool:
        """The city or an office as a subject (市が, 市役所、) with a verb later in its sentence:
        what `_acts` needs before it looks for the hearsay."""
        lemmas, surfaces, pos = text.lemmas, text.surfaces, text.pos
        n = len(lemmas)
        for i in range(n - 2):
            if not (lemmas[i] in self.sources or (lemmas[i].endswith("市") and pos[i][1] == "固有名詞")):
                continue
            if surfaces[i + 1] not in SUBJECT and surfaces[i + 1] not in ("、", "って"):
                continue
            for j in range(i + 2, n):
                if surfaces[j] in SENTENCE_END:
                    break
                if pos[j][0] == "動詞":
                    return True
        return False

    def _found(self, text: Doc) -> int:
        bits, found = self.bits, 0
        for w in self.words.intersection(text.lemmas):  # (set operations run in C)
            found |= bits[w]
        for w in self.words.intersection(text.surfaces):
            found |= bits[w]
        kinds = self.literal_bits
        for i, _start, _end in self._ac.find_matches_as_indexes(text.text, overlapping=True):
            found |= kinds[i]
        return found

    def __call__(self, text: Doc) -> bool:
        """Before scanning: could any word list match something that makes a finding?"""
        found = self._found(text)
        # can anything be passed on (a rumour cue, hearsay, a claim credited to the city)?
        self.may_pass_on = bool(found & (_STRONG | _HEARSAY | _REPORT))
        if found & _STRONG or (found & _HEARSAY and found & _ALARM):
            return True  # a rumour cue, or an alarming word passed on
        hearsay = bool(found & _HEARSAY)
        topic = bool(self.index) and not self.index.topic_forms.isdisjoint(text.lemmas)
        if (hearsay or topic) and found & _REPORT and ("市" in text.text or found & _SOURCE):
            return True  # perhaps credited to the city
        if hearsay and self.city_subject is not None and self.city_subject.search(text.text):
            if self._city_does(text):
                return True  # perhaps the city's doing passed on
        if not topic:
            return False
        if found & (_WEAK | _CLAIM) or self._denied_words(text) >= 2:
            return True
        return has_slot(text.text, self.units)

    def _denied_words(self, text: Doc) -> int:
        """How many of the post's words (lemmas and surfaces) are words statements deny."""
        lookup = self.index.denied_lookup
        return len(lookup.intersection(text.lemmas)) + len(lookup.intersection(text.surfaces))

    def matched(self, text: Doc, matches: dict[str, list[Match]]) -> bool:
        """After scanning: did the word lists find something that can make a finding?"""
        if not matches.keys() <= QUIET:
            return True
        if "report" in matches and ("source" in matches or "市" in text.text):
            return True
        if "hearsay" in matches and self.city_subject is not None and self.city_subject.search(text.text):
            return True
        if self._denied_words(text) >= 2:
            return True
        return bool(self.index) and (has_slot(text.text, self.units) or bool(self._found(text) & _CLAIM))
