"""Unicode normalisation that remembers where each character came from.

Detectors match on normalised text (NFKC, no invisible characters, long runs of marks
like ｗｗｗｗ or ！！！！ cut to two) but must report evidence as offsets into the text
they were given. `normalize_with_map` returns both the normalised text and, when
positions moved, the raw start/end of every normalised character.

Speed matters (every post passes here before Sudachi): the usual post needs two C-level
calls and two small regex searches; only posts with characters that NFKC expands or
merges (…, ㍻, ｶﾞ) take a slower path, and even that normalises whole stretches at once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache

# Invisible characters: zero-width space/joiners, bidi controls, word joiner, BOM, soft
# hyphen, variation selectors (emoji presentation), NUL. Removed, never replaced.
_INVISIBLE = re.compile(
    "[\x00\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\ufe00-\ufe0f\U000e0100-\U000e01ef]+"
)
# Marks whose long runs carry no more meaning than two: laughter (w 草 笑), !?, elongation,
# kana stretched for effect (ええええ), dots, emoji; ーー… becomes one ー. Digits and letters are never cut.
_RUN_KEEP = 2
_RUNS = re.compile("([ぁ-ゖァ-ヺwW!?~〜・.…、。草笑\U0001f300-\U0001faff\u2600-\u27bf])\\1{2,}|(ー)ー+")
# Letters spaced out one by one to slip past filters (「ち の 市 役 所」「k o r o s u」): four or
# more single letters or kana, each followed by one space, are joined. Digits are never joined.
_SPACED = re.compile(r"(?<!\S)(?:[^\W\d_] ){3,}[^\W\d_](?!\S)")
# Characters that merge with the one before under NFKC (combining marks, half-width ﾞﾟ,
# Hangul vowel/final jamo): their presence means positions may move.
_MERGING = re.compile("[\u0300-\u036f\u3099\u309a\uff9e\uff9f\u1160-\u11ff]")

Offsets = tuple[list[int], list[int]]  # raw start and raw end of each normalised character


@lru_cache(maxsize=1)
def _resizing() -> frozenset[str]:
    """Characters whose NFKC form is not exactly one character, or that merge (built once, ~20 ms)."""
    out = set()
    for c in range(0x30000):
        if 0xD800 <= c < 0xE000:
            continue
        ch = chr(c)
        if unicodedata.combining(ch) or len(unicodedata.normalize("NFKC", ch)) != 1:
            out.add(ch)
    out.update("\uff9e\uff9f")
    out.update(chr(c) for c in range(0x1160, 0x1200))
    return frozenset(out)


def normalize_with_map(raw: str) -> tuple[str, Offsets | None]:
    """NFKC, invisible characters removed, runs of marks cut to two, spaced-out letters joined.

    Offsets are None when every character of the result sits at the same position as the
    raw character it came from (the usual case: ！→!, ｶ→カ keep their places).
    """
    offsets: Offsets | None = None
    if unicodedata.is_normalized("NFKC", raw):
        text = raw
    else:
        text = unicodedata.normalize("NFKC", raw)
        if len(text) != len(raw) or _MERGING.search(raw):
            text, offsets = _nfkc_mapped(raw)
    for pattern, replace in ((_INVISIBLE, _drop), (_RUNS, _cut_run), (_SPACED, _join)):
        if pattern.search(text) is None:
            continue
        new, moved = _rebuild(text, pattern.finditer(text), replace)
        text, offsets = new, _compose(offsets, moved)
    return text, offsets


def normalize(text: str) -> str:
    return normalize_with_map(text)[0]


def _drop(m: re.Match[str]) -> str:
    return ""


def _join(m: re.Match[str]) -> str:
    return m.group().replace(" ", "")


def _cut_run(m: re.Match[str]) -> str:
    return m.group(1) * _RUN_KEEP if m.group(1) else "ー"  # ーーー → ー, as Sudachi reads it


def _nfkc_mapped(raw: str) -> tuple[str, Offsets]:
    """NFKC where some characters expand or merge: each such character (with the one it
    merges into) becomes its own piece; the stretches between are normalised whole, 1:1."""
    resizing = _resizing()
    pieces: list[tuple[int, int]] = []
    for i, ch in enumerate(raw):
        if ch not in resizing:
            continue
        if i > 0 and _MERGING.match(ch) or (i > 0 and unicodedata.combining(ch)):
            if pieces and pieces[-1][1] >= i - 1:  # joins the piece before
                pieces[-1] = (pieces[-1][0], i + 1)
            else:
                pieces.append((i - 1, i + 1))
        else:
            pieces.append((i, i + 1))
    spans = _Spans()
    pos = 0
    for a, b in pieces:
        if pos < a:
            spans.keep(unicodedata.normalize("NFKC", raw[pos:a]), pos)
        spans.replace(unicodedata.normalize("NFKC", raw[a:b]), a, b)
        pos = b
    if pos < len(raw):
        spans.keep(unicodedata.normalize("NFKC", raw[pos:]), pos)
    return spans.result()


class _Spans:
    """Accumulates output text with the raw span of every output character."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []

    def keep(self, text: str, at: int) -> None:
        """`text` maps 1:1 onto raw[at : at + len(text)]."""
        self.parts.append(text)
        self.starts.extend(range(at, at + len(text)))
        self.ends.extend(range(at + 1, at + len(text) + 1))

    def replace(self, text: str, a: int, b: int) -> None:
        """Every character of `text` comes from the whole of raw[a:b]."""
        self.parts.append(text)
        self.starts.extend([a] * len(text))
        self.ends.extend([b] * len(text))

    def result(self) -> tuple[str, Offsets]:
        return "".join(self.parts), (self.starts, self.ends)


def _rebuild(src: str, matches: Iterable[re.Match[str]], replace: Callable[[re.Match[str]], str]):
    spans = _Spans()
    pos = 0
    for m in matches:
        a, b = m.span()
        if pos < a:
            spans.keep(src[pos:a], pos)
        spans.replace(replace(m), a, b)
        pos = b
    if pos < len(src):
        spans.keep(src[pos:], pos)
    return spans.result()


def _compose(first: Offsets | None, second: Offsets) -> Offsets:
    """Offsets of a second rewrite (into the first's output) mapped through the first into raw."""
    if first is None:
        return second
    starts, ends = first
    s2, e2 = second
    return [starts[i] for i in s2], [ends[i - 1] for i in e2]


def raw_span(offsets: Offsets | None, begin: int, end: int, raw_length: int) -> tuple[int, int]:
    """Normalised [begin, end) → the raw [start, end) it came from."""
    if offsets is None:
        return min(begin, raw_length), min(end, raw_length)
    starts, ends = offsets
    if begin >= len(starts):
        return raw_length, raw_length
    if end <= begin:
        return starts[begin], starts[begin]
    return starts[begin], ends[min(end, len(ends)) - 1]
