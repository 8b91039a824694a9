"""Normalisation and Sudachi tokens: the one text pipeline every detector reads.

One `Dictionary` per process (system dictionary plus the local-names user dictionary),
one tokenizer per thread: a Sudachi tokenizer may not be shared across threads. The
cache behind `_dictionary()` is the one allowed piece of global state.

Speed: each post is tokenised once, and only what every detector needs is read from
Sudachi up front (normalised form, part-of-speech id, offsets) into plain lists on the
`Doc`. `Doc.tokens` builds full `Token` objects only when someone asks for them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from collections.abc import Iterable
from functools import lru_cache
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


@lru_cache(maxsize=1)
def _pos_ids() -> dict[tuple[str, ...], int]:
    return {p: i for i, p in enumerate(_pos_table())}


@lru_cache(maxsize=64)
def pos_ids(*prefix: str) -> frozenset[int]:
    """The ids in `Doc.pos_ids` of every part of speech starting with `prefix` (名詞, 固有名詞, 人名):
    one set look-up per word instead of comparing tuples."""
    return frozenset(i for i, p in enumerate(_pos_table()) if p[: len(prefix)] == prefix)


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


class _once:  # noqa: N801 - used as a decorator, like functools.cached_property
    """functools.cached_property without the lock Python 3.11 takes on every first use: computed
    once per `Doc`, then a plain attribute (a `Doc` belongs to the thread analysing its post)."""

    def __init__(self, fn: Any):
        self.fn = fn
        self.name = fn.__name__
        self.__doc__ = fn.__doc__

    def __get__(self, obj: Any, cls: Any = None) -> Any:
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.fn(obj)
        return value


_WORD_FIELDS = frozenset({"lemmas", "pos", "pos_ids", "begins", "ends", "_morphemes"})


class Doc:
    """A post's text ready for detectors: the normalised text and, on first use, its words.

    Parallel lists, one entry per Sudachi word: `lemmas` (normalised forms), `pos`
    (6-tuples) and `pos_ids` (the same as ints: test them against `pos_ids(...)`), `begins`/`ends`
    (offsets into `text`). `raw_span` maps offsets in `text`
    back to `raw`, which is what evidence spans must point into.

    Sudachi runs only when one of the word lists is first read (`__getattr__` fills them in,
    after which they are plain attributes): a post whose relevance and gates are decided on
    the text alone is never tokenised.
    """

    def __init__(
        self,
        raw: str,
        text: str,
        lemmas: list[str] | None = None,
        pos: list[tuple[str, ...]] | None = None,
        begins: list[int] | None = None,
        ends: list[int] | None = None,
        offsets: Offsets | None = None,  # None: text == raw
        _morphemes: list[tuple[int, Any]] | None = None,
    ):
        self.raw = raw
        self.text = text
        self.offsets = offsets
        if lemmas is not None:  # words given (a derived text, tests): nothing left to do lazily
            self.lemmas = lemmas
            self.pos = pos if pos is not None else []
            self.begins = begins if begins is not None else []
            self.ends = ends if ends is not None else []
            self._morphemes = _morphemes if _morphemes is not None else []

    def __getattr__(self, name: str) -> Any:
        """The word lists, tokenised on first use (only called for attributes not set yet)."""
        if name not in _WORD_FIELDS:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        if name == "pos_ids" and "pos" in self.__dict__:  # a Doc made from given lists
            ids = _pos_ids()
            self.__dict__["pos_ids"] = [ids.get(p, -1) for p in self.pos]
        else:
            _tokenise_into(self)
        return self.__dict__[name]

    @property
    def tokenised(self) -> bool:
        """Whether Sudachi has run on this text (for benchmarks and tests of the fast paths)."""
        return "lemmas" in self.__dict__

    def __repr__(self) -> str:
        words = f", {len(self.lemmas)} words" if self.tokenised else ""
        return f"Doc({self.text!r}{words})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Doc):
            return NotImplemented
        return (self.raw, self.text, self.offsets, self.lemmas, self.pos, self.begins, self.ends) == (
            other.raw, other.text, other.offsets, other.lemmas, other.pos, other.begins, other.ends
        )  # fmt: skip

    __hash__ = None  # type: ignore[assignment]  # mutable lists inside, as before

    def surface(self, i: int) -> str:
        return self.text[self.begins[i] : self.ends[i]]

    @_once
    def surfaces(self) -> list[str]:
        t = self.text
        return [t[b:e] for b, e in zip(self.begins, self.ends, strict=True)]

    @_once
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

    @_once
    def emoji(self) -> list[tuple[int, str]]:
        """(offset in text, emoji) for every emoji character."""
        return [(m.start(), m.group()) for m in _EMOJI.finditer(self.text)]

    @_once
    def laughter(self) -> list[tuple[int, int]]:
        """Spans of laughter marks in `text` (ww, 草, (笑)): mockery when next to an insult."""
        return [m.span() for m in _LAUGH.finditer(self.text)]

    def raw_span(self, begin: int, end: int) -> tuple[int, int]:
        """Offsets [begin, end) in `text` → the matching [start, end) in `raw`."""
        return raw_span(self.offsets, begin, end, len(self.raw))

    def raw_text(self, begin: int, end: int) -> str:
        a, b = self.raw_span(begin, end)
        return self.raw[a:b]


def _tokenise_into(doc: Doc) -> None:
    """Run Sudachi on `doc.text` and set its word lists (the hot loop of all analysis).

    Sudachi's words tile the text (each begins where the one before ends), so only their
    ends are read from Sudachi; one Python call fewer per word is a tenth of the loop.
    """
    tok = _tokenizer()
    table = _pos_table()
    lemmas: list[str] = []
    ids: list[int] = []
    ends: list[int] = []
    begins: list[int] = []
    kept: list[tuple[int, Any]] = []
    add_lemma, add_id, add_end = lemmas.append, ids.append, ends.append
    for base, chunk in _chunks(doc.text):
        if not chunk.strip():
            continue
        ms = tok.tokenize(chunk)
        kept.append((base, ms))
        first = len(ends)
        for m in ms:  # one pass: each Morpheme object is made once
            add_lemma(m.normalized_form())
            add_id(m.part_of_speech_id())
            add_end(base + m.end())
        if len(ends) == first:
            continue
        begins.append(base)
        begins += ends[first:-1]
        if ends[-1] != base + len(chunk) or ms[0].begin() != 0:  # never seen: read every begin then
            begins[first:] = [base + m.begin() for m in ms]
    d = doc.__dict__
    d["lemmas"], d["begins"], d["ends"], d["_morphemes"] = lemmas, begins, ends, kept
    d["pos"], d["pos_ids"] = [table[i] for i in ids], ids


def sudachi_input(text: str) -> str:
    """`text` as Sudachi reads it before it looks words up (lower-cased, ーー → ー, a reading in
    brackets after a kanji dropped): every dictionary word of the result is a substring of this."""
    normalizer = getattr(_local, "normalizer", None)
    if normalizer is None:
        normalizer = _local.normalizer = _dictionary().text_normalizer()
    return normalizer.normalize(text)


def spellings_of(lemmas: Iterable[str]) -> dict[str, frozenset[str]]:
    """For each normalised form, every way a word with it can be written in `sudachi_input`.

    A post has a word whose `lemmas` entry is `w` only if its Sudachi input contains one of
    `spellings_of([w])[w]`: the headword of every dictionary entry with that normalised form
    (each conjugated form is an entry: 殺さ, 殺し, ころせ, ぶっ殺す … for 殺す), and the form
    itself (an unknown word is normalised to its own input). Reading the whole dictionary takes
    a second, so the answer is cached on disk next to the local-names dictionary.
    """
    wanted = frozenset(w for w in lemmas if w)
    if not wanted:
        return {}
    from analysis import userdict

    key = hashlib.sha256("\n".join(sorted(wanted)).encode())
    key.update(_dictionary_key().encode())
    path = userdict.cache_dir() / f"spellings-{key.hexdigest()[:16]}.json"
    try:
        return {w: frozenset(v) for w, v in json.loads(path.read_text("utf-8")).items()}
    except (OSError, ValueError):
        pass
    found: dict[str, set[str]] = {w: {w, sudachi_input(w)} for w in wanted}
    for m in _dictionary().entries():
        spelled = found.get(m.normalized_form())
        if spelled is not None:
            spelled.add(sudachi_input(m.surface()))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({w: sorted(v) for w, v in found.items()}, ensure_ascii=False), "utf-8")
        os.replace(tmp, path)  # atomic: a concurrent reader never sees half a file
    except OSError:
        pass  # an unwritable cache only costs the next start another second
    return {w: frozenset(v - {""}) for w, v in found.items()}


@lru_cache(maxsize=1)
def _dictionary_key() -> str:
    """What the loaded dictionaries are: SudachiPy's version, the system dictionary, the user one."""
    import sudachipy

    from analysis import userdict

    system = userdict._system_dic()
    st = system.stat()
    user = userdict.try_build()
    return f"{sudachipy.__version__}|{st.st_size}|{st.st_mtime_ns}|{user.name if user else ''}"


def kana_fold(s: str) -> str:
    """Katakana → hiragana, one character for one (バカ → ばか), for matching spellings."""
    return s.translate(_K2H)


def analyse_text(raw: str) -> Doc:
    """The normalised post; Sudachi runs when a word list of the `Doc` is first read."""
    text, offsets = normalize_with_map(raw)
    return Doc(raw, text, offsets=offsets)


def tokenize(text: str) -> list[Token]:
    """Tokens of already-normalised text, with character offsets into it."""
    return Doc(text, text).tokens
