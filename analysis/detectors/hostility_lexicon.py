"""The hostility word lists (lexicons/hostility/*.txt) loaded into one index, and matching.

Entries are cut into words by the same Sudachi tokenizer as the posts, so a one-line
entry like 殺す matches 殺そう and 殺すぞ, and 馬鹿 matches バカ / ばか through its
reading. One pass over a post's words finds every entry; regular-expression entries run
only when the characters they need are in the post (hostility_patterns).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from analysis.detectors.hostility_patterns import LexiconError, Pattern, PatternSet, compile_pattern
from analysis.gates import Literals, rarity
from analysis.text import Doc, analyse_text, spellings_of, sudachi_input
from analysis.textnorm import normalize

DIR = Path(__file__).resolve().parent.parent / "lexicons" / "hostility"

# file → kind of entry
FILES = {
    "insults.txt": "insult",
    "insults_inappropriate-words-ja.txt": "insult",
    "insults_ldnoobw.txt": "insult",
    "insults_targeted.txt": "targeted",
    "threats.txt": "threat",
    "threat_phrases.txt": "threat",
    "death_wishes.txt": "death",
    "quit_demands.txt": "quit",
    "rude_orders.txt": "rude",
    "targets.txt": "target",
}
_DEFAULT_WEIGHT = 0.7
# who a post can be aimed at, most specific first (targets.txt tags; person/other are found otherwise)
TARGET_KINDS = ("person", "staff", "mayor", "account", "office", "you", "city", "other")
_K2H = str.maketrans({chr(c): chr(c - 0x60) for c in range(0x30A1, 0x30F7)})
_H2K = str.maketrans({chr(c - 0x60): chr(c) for c in range(0x30A1, 0x30F7)})
_KANJI_OR_KATAKANA = re.compile(r"[一-龯々ァ-ヺ]")
NOMINAL = frozenset({"名詞", "代名詞", "形状詞", "接頭辞", "接尾辞", "感動詞"})


def fold(s: str) -> str:
    """Katakana → hiragana (one character for one)."""
    return s.translate(_K2H)


def kana_spellings(s: str) -> set[str]:
    """The word as written, in hiragana and in katakana (バカ → {バカ, ばか})."""
    hira = fold(s)
    return {s, hira, hira.translate(_H2K)}


@dataclass(frozen=True)
class Entry:
    text: str
    kind: str  # insult | targeted | threat | death | quit | rude | target
    tag: str = ""
    weight: float = _DEFAULT_WEIGHT
    forms: tuple[frozenset[str], ...] = ()  # per word: lemma, surface and reading in both kana
    pos: str = ""  # part of speech (major) of the first word
    source: str = ""
    lemma: str = ""  # normalised form of the first word: the index key every post word is looked up by


@dataclass(frozen=True)
class Hit:
    entry: Entry
    first: int  # index of the first word in the doc (or of the word the match starts in)
    last: int  # index of the last word, inclusive
    begin: int  # character offsets into doc.text
    end: int


@dataclass
class Lexicon:
    by_form: dict[str, list[Entry]] = field(default_factory=dict)
    plain: re.Pattern[str] | None = None
    plain_entries: dict[str, Entry] = field(default_factory=dict)
    patterns: PatternSet = field(default_factory=lambda: PatternSet([]))
    idioms: PatternSet = field(default_factory=lambda: PatternSet([]))
    reporting: re.Pattern[str] | None = None  # words of a news report (逮捕, 容疑 …)
    targets: dict[str, str] = field(default_factory=dict)  # lemma or surface → target kind
    others: frozenset[str] = frozenset()  # people who are not the city (観光客, 上司)
    plain_first: frozenset[str] = frozenset()
    plain_literals: Literals = field(default_factory=lambda: Literals(()))  # gate: any plain entry at all?
    # gate for word entries: what each needs, as Sudachi reads the text (`_word_gate`)
    word_spellings: Literals = field(default_factory=lambda: Literals(()))
    _gates: dict[str, tuple[bool, list[Pattern]]] = field(default_factory=dict, repr=False, compare=False)

    def match(self, doc: Doc, fast: bool = True) -> list[Hit]:
        """Every entry found in the doc (word entries, plain-text entries, patterns).

        `fast` lets the gates skip what cannot match (a regex whose needed strings are absent,
        plain entries none of which occurs); False runs everything, for checking the gates.
        """
        hits: list[Hit] = []
        lemmas, begins, ends = doc.lemmas, doc.begins, doc.ends
        by_form = self.by_form
        text = doc.text
        # candidates by normalised form only (one set lookup per word); the surface is read
        # only to confirm a candidate (カス is normalised to 滓; ジジイ to 爺, as is お爺さん)
        for i in (
            [i for i, lm in enumerate(lemmas) if lm in by_form]
            if not by_form.keys().isdisjoint(lemmas)
            else ()
        ):
            lemma = lemmas[i]
            surface = None
            for e in by_form[lemma]:
                if lemma not in e.forms[0]:
                    surface = surface or text[begins[i] : ends[i]]
                    if surface not in e.forms[0]:
                        continue
                last = self._extends(e, doc, i)
                if last >= 0:
                    hits.append(Hit(e, i, last, begins[i], ends[last]))
        plain, patterns = self._text_gates(text) if fast else (True, self.patterns.order)
        if plain and self.plain is not None and not self.plain_first.isdisjoint(text):
            starts = set(begins)
            for m in self.plain.finditer(text):
                if m.start() in starts:
                    e = self.plain_entries[m.group()]
                    hits.append(Hit(e, _word_at(doc, m.start()), _word_at(doc, m.end() - 1), *m.span()))
        for p in patterns:
            for m in p.regex.finditer(text):
                last = _word_at(doc, max(m.end() - 1, m.start()))
                hits.append(Hit(p.entry, _word_at(doc, m.start()), last, *m.span()))
        return hits

    def _text_gates(self, text: str) -> tuple[bool, list[Pattern]]:
        """(could a plain entry be in the text, the patterns that may match it). Asked by
        `may_match` before Sudachi and by `match` after, so the last texts' answers are kept."""
        found = self._gates.get(text)
        if found is None:
            plain = self.plain is not None and self.plain_literals.any(text)
            found = (plain, self.patterns.runnable(text))
            if len(self._gates) >= 64:
                self._gates.clear()
            self._gates[text] = found
        return found

    def may_match(self, text: str) -> bool:
        """False only when `match` certainly finds nothing in a doc of this normalised text.

        Word entries: the spellings of each entry's least common run of words must be in the
        text as Sudachi reads it (`_word_gate`); plain entries and patterns: their own gates.
        """
        if self.word_spellings.any(sudachi_input(text)):
            return True
        plain, patterns = self._text_gates(text)
        return bool(patterns) or (plain and not self.plain_first.isdisjoint(text))

    def idiom_spans(self, text: str, fast: bool = True) -> list[tuple[int, int]]:
        return [m.span() for _, m in self.idioms.matches(text, fast)]

    def reports(self, text: str) -> bool:
        """The post reads as a news report about violence or abuse: two different report words."""
        if self.reporting is None:
            return False
        return len({m.group() for m in self.reporting.finditer(text)}) >= 2

    @staticmethod
    def _extends(e: Entry, doc: Doc, i: int) -> int:
        """Index of the entry's last word if the entry's words continue from word i, else -1."""
        if e.pos in NOMINAL and doc.pos[i][0] not in NOMINAL:
            return -1
        if e.pos and e.pos not in NOMINAL and doc.pos[i][0] != e.pos:
            return -1
        for k in range(1, len(e.forms)):
            j = i + k
            if j >= len(doc.lemmas):
                return -1
            forms = e.forms[k]
            if doc.lemmas[j] not in forms and doc.text[doc.begins[j] : doc.ends[j]] not in forms:
                return -1
        return i + len(e.forms) - 1


def _word_at(doc: Doc, offset: int) -> int:
    return max(bisect_right(doc.begins, offset) - 1, 0)


def _parse_line(line: str, source: str, n: int) -> tuple[str, str, float] | None:
    line = line.split(" #", 1)[0].strip() if not line.lstrip().startswith("re:") else line.strip()
    if not line or line.startswith("#"):
        return None
    parts = line.split()
    text, tag, weight = parts[0], "", _DEFAULT_WEIGHT
    for p in parts[1:]:
        if p.startswith("@"):
            tag = p[1:]
        else:
            try:
                weight = float(p)
            except ValueError as e:
                raise LexiconError(f"{source} line {n}: {p!r} is neither @tag nor a weight 0-1") from e
            if not 0 <= weight <= 1:
                raise LexiconError(f"{source} line {n}: weight {weight} is not between 0 and 1")
    return text, tag, weight


def _word_entry(text: str, kind: str, tag: str, weight: float, source: str) -> Entry:
    doc = analyse_text(normalize(text))
    toks = doc.tokens
    # Nouns match on their folded reading (馬鹿 → ばか: バカ, ばか); their normalised form only
    # when it is the word itself (ジジイ is normalised to 爺, which is also お爺さん). Verbs
    # and adjectives conjugate, so they match on the normalised form (ぶっ殺す → 打ち殺す).
    forms = tuple(
        frozenset(
            kana_spellings(t.surface)
            | (kana_spellings(t.reading) if t.pos[0] in NOMINAL else set())
            | ({t.normalized} if t.pos[0] not in NOMINAL or t.normalized == t.surface else set())
        )
        - {""}
        for t in toks
    )
    first = toks[0] if toks else None
    return Entry(
        text,
        kind,
        tag,
        weight,
        forms,
        first.pos[0] if first else "",
        source,
        first.normalized if first else "",
    )


def _read_list(path: Path, kind: str, lex: Lexicon, patterns: list[Pattern]) -> None:
    for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        parsed = _parse_line(line, path.name, n)
        if parsed is None:
            continue
        text, tag, weight = parsed
        if text.startswith("re:"):
            patterns.append(
                compile_pattern(text[3:], Entry(text, kind, tag, weight, (), "", path.name), path.name, n)
            )
            continue
        if kind == "target":
            if tag not in TARGET_KINDS:
                raise LexiconError(f"{path.name} line {n}: @{tag} is not one of @" + " @".join(TARGET_KINDS))
            for form in kana_spellings(normalize(text)):
                lex.targets[form] = tag
            continue
        e = _word_entry(text, kind, tag, weight, path.name)
        for form in (e.forms[0] | {e.lemma}) if e.forms else ():
            lex.by_form.setdefault(form, []).append(e)
        surface = normalize(text)
        if len(surface) >= 3 and _KANJI_OR_KATAKANA.search(surface) and surface not in lex.plain_entries:
            lex.plain_entries[surface] = e


_GATE_CAP = 4000  # most strings one entry may add to the word gate


def _word_gate(lex: Lexicon) -> Literals:
    """Strings, as Sudachi reads a text (`sudachi_input`), one of which each word entry needs.

    A word of a post matches word j of an entry when its surface or its normalised form is one
    of the entry's forms (`match`, `_extends`); as Sudachi reads the text, that word is then the
    surface or one of the dictionary's spellings of that form (`spellings_of`). The words of an
    entry follow each other, so their spellings do too: the gate is, per entry, the joined
    spellings of its least common run of words (しね: し·ね, not every し).
    """
    entries = {id(e): e for es in lex.by_form.values() for e in es if e.forms}.values()
    spelled = spellings_of({f for e in entries for forms in e.forms for f in forms})
    out: set[str] = set()
    for e in entries:
        per_word = [
            {sudachi_input(f) for f in forms}.union(*(spelled.get(f, ()) for f in forms)) for forms in e.forms
        ]
        best: set[str] | None = None
        for a in range(len(per_word)):
            run = {""}
            for b in range(a, len(per_word)):
                if len(run) * len(per_word[b]) > _GATE_CAP:
                    break
                run = {x + y for x in run for y in per_word[b]}
                if best is None or rarity(run) < rarity(best):
                    best = run
        out |= best or set().union(*per_word)
    out.discard("")
    return Literals(out)


def load(directory: Path = DIR) -> Lexicon:
    """The lists in `directory`, loaded once per version of the files (the next Analyzer sees edits)."""
    stamp = tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in directory.glob("*.txt")))
    return _load(directory, stamp)


@lru_cache(maxsize=4)
def _load(directory: Path, stamp: tuple) -> Lexicon:
    lex = Lexicon()
    patterns: list[Pattern] = []
    for name, kind in FILES.items():
        _read_list(directory / name, kind, lex, patterns)
    lex.patterns = PatternSet(patterns)
    if lex.plain_entries:
        alts = sorted(lex.plain_entries, key=len, reverse=True)
        lex.plain = re.compile("|".join(re.escape(a) for a in alts))
    idioms: list[Pattern] = []
    for n, line in enumerate((directory / "idioms.txt").read_text("utf-8").splitlines(), 1):
        parsed = _parse_line(line, "idioms.txt", n)
        if parsed:
            text = parsed[0]
            regex = text[3:] if text.startswith("re:") else re.escape(normalize(text))
            idioms.append(compile_pattern(regex, None, "idioms.txt", n))
    lex.idioms = PatternSet(idioms)
    reporting = []
    for n, line in enumerate((directory / "reporting.txt").read_text("utf-8").splitlines(), 1):
        parsed = _parse_line(line, "reporting.txt", n)
        if parsed:
            reporting.append(normalize(parsed[0]))
    others = set()
    for n, line in enumerate((directory / "others.txt").read_text("utf-8").splitlines(), 1):
        parsed = _parse_line(line, "others.txt", n)
        if parsed:
            word = normalize(parsed[0])
            others |= kana_spellings(word) | {t.normalized for t in analyse_text(word).tokens[:1]}
    lex.others = frozenset(others)
    if reporting:
        lex.reporting = re.compile("|".join(re.escape(w) for w in sorted(reporting, key=len, reverse=True)))
    lex.plain_first = frozenset(e[0] for e in lex.plain_entries)
    lex.plain_literals = Literals(lex.plain_entries)
    lex.word_spellings = _word_gate(lex)
    return lex
