"""Feed bytes → UTF-8 bytes, reading Japanese encodings the way sites really serve them.

Japanese sites declare encodings wrongly often enough that the declaration is a hint, not a
fact: a Shift_JIS body under `charset=utf-8`, a UTF-8 body under `encoding="Shift_JIS"`,
`text/xml` with no charset (which XML rules read as US-ASCII), CP932-only characters (①, ㈱,
髙) under a plain "Shift_JIS" label. feedparser follows the declarations, so it gets these
wrong; this module decides the real encoding first and hands feedparser UTF-8 that says so.
Feeds declared in other legacy encodings (Big5, KOI8-R, …) are left to feedparser.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

import charset_normalizer

# Each label's family, as the superset codecs that read what sites mean by it (first wins).
_SJIS = ("cp932", "shift_jis_2004")
_EUC = ("euc_jp", "euc_jis_2004")
_JIS = ("iso2022_jp", "iso2022_jp_ext", "iso2022_jp_2", "iso2022_jp_2004")
_FAMILY = {
    "shift_jis": _SJIS,
    "cp932": _SJIS,
    "shift_jis_2004": _SJIS,
    "shift_jisx0213": _SJIS,
    "euc_jp": _EUC,
    "euc_jis_2004": _EUC,
    "euc_jisx0213": _EUC,
    "iso2022_jp": _JIS,
    "iso2022_jp_1": _JIS,
    "iso2022_jp_2": _JIS,
    "iso2022_jp_2004": _JIS,
    "iso2022_jp_3": _JIS,
    "iso2022_jp_ext": _JIS,
}
_ALIASES = {"windows-31j": "cp932", "x-sjis": "shift_jis", "x-euc-jp": "euc_jp", "ms932": "cp932"}
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*?\?>", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)["']""", re.I)
_HTTP_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)
_ISO2022_ESCAPE = re.compile(rb"\x1b(\$[@B]|\$\(D|\([BJI])")


@dataclass(frozen=True)
class Decoded:
    body: bytes  # what to give the parser
    content_type: str  # with the charset that now describes `body`
    encoding: str | None  # the codec chosen, or None when the bytes were passed through
    note: str = ""  # set when the declaration was wrong or characters were lost


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = _ALIASES.get(label.strip().lower(), label.strip())
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def http_charset(content_type: str) -> str | None:
    m = _HTTP_CHARSET.search(content_type or "")
    return m.group(1) if m else None


def xml_encoding(body: bytes) -> str | None:
    m = _XML_ENCODING.match(body[:512])
    return m.group(1).decode("ascii") if m else None


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def japanese_score(text: str) -> float:
    """How much a decoding looks like Japanese: kana and kanji count for it; half-width kana
    (what EUC-JP read as CP932 turns into), private-use and control characters count against it."""
    score = 0.0
    for ch in text:
        o = ord(ch)
        if o < 0x80:
            continue
        if 0x3040 <= o <= 0x30FF:
            score += 2
        elif 0x4E00 <= o <= 0x9FFF or 0x3000 <= o <= 0x303F or 0xFF01 <= o <= 0xFF5E:
            score += 1
        elif 0xFF61 <= o <= 0xFF9F:
            score -= 1.5
        elif 0xE000 <= o <= 0xF8FF or unicodedata.category(ch) in ("Cc", "Co", "Cn"):
            score -= 5
    return score


def _has_kana(text: str) -> bool:
    return any(0x3041 <= ord(ch) <= 0x30FA for ch in text)


def _strict_first(body: bytes, family: tuple[str, ...]) -> tuple[str, str] | None:
    """The first codec of a family that reads the bytes without error."""
    for codec in family:
        text = _strict(body, codec)
        if text is not None:
            return codec, text
    return None


def _best_reading(body: bytes, preferred: tuple[str, ...]) -> tuple[str, str, int]:
    """Read the bytes as each Japanese encoding and UTF-8, replacing what does not decode, and
    keep the reading that looks most like Japanese with the fewest undecodable bytes. The
    declared family breaks ties, so a Shift_JIS feed with one stray byte stays Shift_JIS."""
    best: tuple[float, str, str, int] | None = None
    order = list(dict.fromkeys([*preferred, *_SJIS, *_EUC, "utf-8"]))
    for codec in order:
        text = body.decode(codec, errors="replace")
        bad = text.count("\ufffd")
        score = japanese_score(text[:20000]) - 10 * bad + (0.5 if codec in preferred else 0)
        if best is None or score > best[0]:
            best = (score, codec, text, bad)
    assert best is not None
    return best[1], best[2], best[3]


def _not_japanese(body: bytes) -> tuple[str, str] | None:
    """charset_normalizer's reading, when it is some other language's legacy encoding."""
    match = charset_normalizer.from_bytes(body).best()
    codec = _codec(match.encoding) if match is not None else None
    if codec is None or codec in _FAMILY or codec in ("utf-8", "ascii"):
        return None
    text = _strict(body, codec)
    return (codec, text) if text is not None else None


def _as_utf8(text: str, content_type: str, codec: str, note: str = "") -> Decoded:
    text = text.lstrip("\ufeff")
    text = re.sub(r"^\s*<\?xml[^>]*?\?>", "", text, count=1, flags=re.I)
    body = ('<?xml version="1.0" encoding="utf-8"?>' + text).encode("utf-8")
    media = (content_type or "").split(";")[0].strip() or "application/xml"
    return Decoded(body, f"{media}; charset=utf-8", codec, note)


def to_utf8(body: bytes, content_type: str) -> Decoded:
    """Decide the encoding of a feed as served and return UTF-8 bytes feedparser reads right."""
    unchanged = Decoded(body, content_type or "", None)
    if body.startswith(_BOMS) or b"\x00" in body[:4]:
        return unchanged  # a byte-order mark or UTF-16/32: unambiguous, feedparser reads it
    label = http_charset(content_type) or xml_encoding(body)
    declared = _codec(label)
    family = _FAMILY.get(declared or "")
    if declared and not family and declared not in ("utf-8", "ascii"):
        return unchanged  # another legacy encoding, declared: feedparser's business
    wrong = f"declared {label} but the body is " if label else ""
    if _ISO2022_ESCAPE.search(body) and (family is None or family is _JIS):
        found = _strict_first(body, _JIS)
        if found:
            return _as_utf8(found[1], content_type, found[0], wrong + found[0] if family is not _JIS else "")
    utf8 = _strict(body, "utf-8")
    if utf8 is not None:
        if utf8.isascii() and declared in (None, "utf-8", "ascii"):
            return unchanged
        return _as_utf8(utf8, content_type, "utf-8", wrong + "UTF-8" if family else "")
    if family:
        found = _strict_first(body, family)
        if found:
            return _as_utf8(found[1], content_type, found[0])
    codec, text, bad = _best_reading(body, family or ())
    if bad == 0 and _has_kana(text):
        note = wrong + codec if declared != codec else ""
        return _as_utf8(text, content_type, codec, note)
    if not _has_kana(text):
        other = _not_japanese(body)
        if other:
            return _as_utf8(other[1], content_type, other[0], wrong + other[0] if label else "")
    note = f"{bad} bytes are not valid {codec} (replaced with U+FFFD)" if bad else ""
    if declared and declared not in (codec, "ascii") and not (family and codec in family):
        note = "; ".join(filter(None, [wrong + codec, note]))
    return _as_utf8(text, content_type, codec, note)
