"""Normalisation and Sudachi tokens: the one text pipeline every detector reads.

One `Dictionary` per process, one tokenizer per thread (a Sudachi tokenizer may not be
shared across threads). The module-level cache behind `_dictionary()` is the one
allowed piece of global state.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_ZERO_WIDTH = re.compile("[\u200b-\u200f\u2060\ufeff]")
_MAX_BYTES = 40_000  # Sudachi refuses more than 49,149 UTF-8 bytes per call
_SENTENCE_END = re.compile(r"(?<=[。！？!?\n])")


def normalize(text: str) -> str:
    """NFKC, zero-width and NUL characters removed; keeps length close to the original."""
    text = text.replace("\x00", "")
    text = unicodedata.normalize("NFKC", text)
    return _ZERO_WIDTH.sub("", text)


@dataclass(frozen=True)
class Token:
    surface: str
    normalized: str  # Sudachi's normalized form: ばか/バカ/馬鹿 meet here
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
def _dictionary():
    from sudachipy import Dictionary

    return Dictionary(dict="core")


_local = threading.local()


def _tokenizer():
    tok = getattr(_local, "tokenizer", None)
    if tok is None:
        from sudachipy import SplitMode

        tok = _dictionary().create(mode=SplitMode.C)
        _local.tokenizer = tok
    return tok


def _chunks(text: str) -> list[tuple[int, str]]:
    """Split long text at sentence ends so each piece fits Sudachi's byte limit."""
    if len(text.encode("utf-8")) <= _MAX_BYTES:
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


def tokenize(text: str) -> list[Token]:
    """Tokens of already-normalised text, with character offsets into it."""
    tokens: list[Token] = []
    tok = _tokenizer()
    for base, chunk in _chunks(text):
        if not chunk.strip():
            continue
        for m in tok.tokenize(chunk):
            tokens.append(
                Token(
                    surface=m.surface(),
                    normalized=m.normalized_form(),
                    dictionary=m.dictionary_form(),
                    reading=m.reading_form(),
                    pos=tuple(m.part_of_speech()),
                    begin=base + m.begin(),
                    end=base + m.end(),
                )
            )
    return tokens


@dataclass(frozen=True)
class Doc:
    """A post's text ready for detectors: the normalised text and its tokens."""

    raw: str
    text: str
    tokens: list[Token]

    @property
    def lemmas(self) -> list[str]:
        return [t.normalized for t in self.tokens]


def analyse_text(raw: str) -> Doc:
    text = normalize(raw)
    return Doc(raw=raw, text=text, tokens=tokenize(text))
