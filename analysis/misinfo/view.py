"""A post's words as the misinformation detector reads them, from `Doc`'s parallel lists.

Building `Doc.tokens` costs about as much as tokenising again, so the detector never asks for
it on a post: it reads surfaces, normalised forms, parts of speech and offsets, and a word's
reading only when a match needs it.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from analysis.text import Doc

_KANA = re.compile("[ぁ-ゖァ-ヺー]+")


class Word(NamedTuple):
    """One Sudachi word, read from `Doc`'s parallel lists (building `Doc.tokens` costs as much as
    tokenising again, so the detector never asks for it on a post)."""

    surface: str
    normalized: str
    pos: tuple[str, ...]
    begin: int
    end: int

    @property
    def is_place(self) -> bool:
        return self.pos[:3] == ("名詞", "固有名詞", "地名")


Token = Word  # what the word lists match against


class View:
    """A text as the misinformation detector reads it: the `Doc` plus its words."""

    __slots__ = ("doc", "tokens", "_words")

    def __init__(self, doc: Doc, tokens: list[Word] | None = None):
        self.doc = doc
        self.tokens = (
            tokens
            if tokens is not None
            else list(map(Word, doc.surfaces, doc.lemmas, doc.pos, doc.begins, doc.ends))
        )
        self._words: frozenset[str] | None = None

    @property
    def words(self) -> frozenset[str]:
        """Every surface and normalised form in the text (quick "is X there at all" checks)."""
        if self._words is None:
            self._words = frozenset(self.doc.lemmas).union(self.doc.surfaces)
        return self._words

    @property
    def text(self) -> str:
        return self.doc.text

    @property
    def raw(self) -> str:
        return self.doc.raw

    def raw_span(self, begin: int, end: int) -> tuple[int, int]:
        return self.doc.raw_span(begin, end)

    def reading(self, i: int) -> str:
        """Katakana reading of word i (熊 → クマ), read from Sudachi only when asked."""
        surface = self.tokens[i].surface
        if _KANA.fullmatch(surface):
            return surface.translate(_HIRA_TO_KATA)
        morphemes = getattr(self.doc, "_morphemes", None)
        if morphemes is None or "tokens" in self.doc.__dict__:
            return self.doc.tokens[i].reading
        for _base, ms in morphemes:
            if i < len(ms):
                return ms[i].reading_form()
            i -= len(ms)
        return ""


_HIRA_TO_KATA = {c: c + 0x60 for c in range(ord("ぁ"), ord("ゖ") + 1)}


def view(doc: Doc) -> View:
    return View(doc)
