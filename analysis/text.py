"""Normalisation and Sudachi tokens: the one text pipeline every detector reads.

One `Dictionary` per process (system dictionary plus the local-names user dictionary),
one tokenizer per thread: a Sudachi tokenizer may not be shared across threads. The
cache behind `_dictionary()` is the one allowed piece of global state.

Speed: each post is tokenised once, and only what every detector needs is read from
Sudachi up front (normalised form, part-of-speech id, offsets) into plain lists on the
`Doc`. `Doc.tokens` builds full `Token` objects only when someone asks for them.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, NamedTuple

from analysis.textnorm import Offsets, normalize, normalize_with_map, raw_span

__all__ = ["Doc", "Token", "analyse_text", "kana_fold", "normalize", "tokenize"]

_MAX_BYTES = 40_000  # Sudachi refuses more than 49,149 UTF-8 bytes per call
_SENTENCE_END = re.compile(r"(?<=[。！？!?\n])")
# Only what is read: surface comes from the text itself; dictionary and reading forms
# are read lazily by `Doc.tokens` for detectors that want them.
_FIELDS = {"pos", "normalized_form", "dictionary_form", "reading_form"}
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b50\u2b55\u3030\u303d]")
# Laughter marks after NFKC and run-cutting: ww, 草 ending a phrase (not 草原, 草刈り), (笑)
_LAUGH = re.compile(
    r"[wW]{2}|草(?![ぁ-ゖァ-ヺ一-龯々])|草(?=生え|はえ)|\(笑\)|(?<![ぁ-ゖ一-龯])笑(?=$|[\s!?。、])"
)
_K2H = str.maketrans({chr(c): chr(c - 0x60) for c in range(0x30A1, 0x30F7)})


class Token(NamedTuple):
    """One Sudachi word (a tuple: cheap to build, immutable; read fields by name)."""

    surface: str
    normalized: str  # Sudachi's normalized form (殺そう → 殺す, ころす → 殺す)
    dictionary: str
    reading: str
    pos: tuple[str, ...]
    begin: int  # character offsets into the normalised text
    end: int

    @property
    def is_place(self) -> bool:
        return self.pos[:3] == ("名詞", "固有名詞", "地名")

    @property
    def is_person(self) -> bool:
        return self.pos[:3] == ("名詞", "固有名詞", "人名")


@lru_cache(maxsize=1)
def _dictionary() -> Any:
    from sudachipy import Config, Dictionary

    from analysis.userdict import try_build

    user = try_build()
    if user is not None:
        try:
            return Dictionary(config=Config(user=[str(user)]), dict="core")
        except Exception as e:  # noqa: BLE001 - a broken cache file must not stop analysis
            import logging

            logging.getLogger(__name__).warning(
                "userdict %s not loadable (%s); system dictionary only", user, e
            )
    return Dictionary(dict="core")


_local = threading.local()


def _tokenizer() -> Any:
    tok = getattr(_local, "tokenizer", None)
    if tok is None:
        from sudachipy import SplitMode

        tok = _dictionary().tokenizer(mode=SplitMode.C, fields=_FIELDS)
        _local.tokenizer = tok
    return tok


@lru_cache(maxsize=1)
def _pos_table() -> list[tuple[str, ...]]:
    """Every part of speech of the loaded dictionaries, by id (about 1,600)."""
    d = _dictionary()
    table: list[tuple[str, ...]] = []
    while (p := d.pos_of(len(table))) is not None:
        table.append(tuple(p))
    return table


def _chunks(text: str) -> list[tuple[int, str]]:
    """Split long text at sentence ends so each piece fits Sudachi's byte limit."""
    if len(text) * 4 <= _MAX_BYTES or len(text.encode("utf-8")) <= _MAX_BYTES:
        return [(0, text)]
    out: list[tuple[int, str]] = []
    offset, buf = 0, ""
    for piece in _SENTENCE_END.split(text):
        while len(piece.encode("utf-8")) > _MAX_BYTES:  # a single huge "sentence"
            cut = _MAX_BYTES // 4
            if buf:
                out.append((offset, buf))
                offset += len(buf)
                buf = ""
            out.append((offset, piece[:cut]))
            offset += cut
            piece = piece[cut:]
        if len((buf + piece).encode("utf-8")) > _MAX_BYTES:
            out.append((offset, buf))
            offset += len(buf)
            buf = ""
        buf += piece
    if buf:
        out.append((offset, buf))
    return out


@dataclass(frozen=True)
class Doc:
    """A post's text ready for detectors: the normalised text and its words.

    Parallel lists, one entry per Sudachi word: `lemmas` (normalised forms), `pos`
    (6-tuples), `begins`/`ends` (offsets into `text`). `raw_span` maps offsets in `text`
    back to `raw`, which is what evidence spans must point into.
    """

    raw: str
    text: str
    lemmas: list[str] = field(default_factory=list)
    pos: list[tuple[str, ...]] = field(default_factory=list)
    begins: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    offsets: Offsets | None = None  # None: text == raw
    _morphemes: list[tuple[int, Any]] = field(default_factory=list, repr=False, compare=False)

    def surface(self, i: int) -> str:
        return self.text[self.begins[i] : self.ends[i]]

    @cached_property
    def surfaces(self) -> list[str]:
        t = self.text
        return [t[b:e] for b, e in zip(self.begins, self.ends, strict=True)]

    @cached_property
    def tokens(self) -> list[Token]:
        """Full `Token`s, built on first use (prefer the parallel lists: this costs half a tokenisation)."""
        dictionary: list[str] = []
        reading: list[str] = []
        for _, morphemes in self._morphemes:
            dictionary += [m.dictionary_form() for m in morphemes]
            reading += [m.reading_form() for m in morphemes]
        return list(
            map(Token, self.surfaces, self.lemmas, dictionary, reading, self.pos, self.begins, self.ends)
        )

    @cached_property
    def emoji(self) -> list[tuple[int, str]]:
        """(offset in text, emoji) for every emoji character."""
        return [(m.start(), m.group()) for m in _EMOJI.finditer(self.text)]

    @cached_property
    def laughter(self) -> list[tuple[int, int]]:
        """Spans of laughter marks in `text` (ww, 草, (笑)): mockery when next to an insult."""
        return [m.span() for m in _LAUGH.finditer(self.text)]

    def raw_span(self, begin: int, end: int) -> tuple[int, int]:
        """Offsets [begin, end) in `text` → the matching [start, end) in `raw`."""
        return raw_span(self.offsets, begin, end, len(self.raw))

    def raw_text(self, begin: int, end: int) -> str:
        a, b = self.raw_span(begin, end)
        return self.raw[a:b]


def _analyse(raw: str, text: str, offsets: Offsets | None) -> Doc:
    tok = _tokenizer()
    table = _pos_table()
    lemmas: list[str] = []
    pos: list[tuple[str, ...]] = []
    begins: list[int] = []
    ends: list[int] = []
    kept: list[tuple[int, Any]] = []
    add_lemma, add_pos, add_begin, add_end = lemmas.append, pos.append, begins.append, ends.append
    for base, chunk in _chunks(text):
        if not chunk.strip():
            continue
        ms = tok.tokenize(chunk)
        kept.append((base, ms))
        for m in ms:  # one pass: each Morpheme object is made once (the hot loop of all analysis)
            add_lemma(m.normalized_form())
            add_pos(table[m.part_of_speech_id()])
            add_begin(base + m.begin())
            add_end(base + m.end())
    return Doc(raw, text, lemmas, pos, begins, ends, offsets, kept)


def kana_fold(s: str) -> str:
    """Katakana → hiragana, one character for one (バカ → ばか), for matching spellings."""
    return s.translate(_K2H)


def analyse_text(raw: str) -> Doc:
    text, offsets = normalize_with_map(raw)
    return _analyse(raw, text, offsets)


def tokenize(text: str) -> list[Token]:
    """Tokens of already-normalised text, with character offsets into it."""
    return _analyse(text, text, None).tokens
