"""Phrase lists in `lexicons/*.txt` → one precompiled regex per section.

File format, made for a comms officer to read and extend:

    # a comment (from "#" at the start of a line, or after a space, to the end)
    [section]          # entries below belong to this section
    部外秘             # one phrase per line, matched on NFKC-normalised text
    まだ…発表して      # "…" means "up to 12 characters of the same sentence"

Phrases are NFKC-normalised when loaded, so full/half width never matters, and ASCII
letters match in any case. Literal phrases are compiled into a prefix tree (one regex,
one pass over the text), which keeps long lists cheap on every post.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from analysis.gates import GatedRegex

LEXICONS = Path(__file__).parent / "lexicons"
GAP = "…"
_GAP_RE = r"[^。！？!?\n]{0,12}?"
_COMMENT = re.compile(r"(?:^|\s)#.*$")
_SECTION = re.compile(r"^\[([\w-]+)\]$")
NEVER = re.compile(r"(?!x)x")  # matches nothing: an empty section
_stamps: dict[str, tuple[int, int]] = {}  # file → (mtime_ns, size) when last loaded


class LexiconError(ValueError):
    """A lexicon file cannot be read; the message names the file and line."""


def refresh(names: list[str] | tuple[str, ...]) -> None:
    """Forget cached lists whose files changed since they were read (call once per run, not per post)."""
    changed = False
    for name in names:
        try:
            st = (LEXICONS / name).stat()
        except OSError:
            continue
        stamp = (st.st_mtime_ns, st.st_size)
        if _stamps.get(name, stamp) != stamp:
            changed = True
        _stamps[name] = stamp
    if changed:
        sections.cache_clear()
        regex.cache_clear()


@lru_cache(maxsize=64)
def sections(name: str) -> dict[str, tuple[str, ...]]:
    """Entries of `lexicons/<name>` by section ("main" before the first header)."""
    path = LEXICONS / name
    try:
        lines = path.read_text("utf-8").splitlines()
    except OSError as e:
        raise LexiconError(f"{path}: cannot read the word list ({e.strerror})") from e
    out: dict[str, list[str]] = {}
    current = "main"
    for n, line in enumerate(lines, 1):
        entry = _COMMENT.sub("", line).strip()
        if not entry:
            continue
        header = _SECTION.match(entry)
        if header:
            current = header.group(1)
            out.setdefault(current, [])
            continue
        if entry.startswith("["):
            raise LexiconError(f"{path}:{n}: a section header looks like [name] (letters, digits, -, _)")
        entry = unicodedata.normalize("NFKC", entry.replace(GAP, "\0")).replace("\0", GAP)
        out.setdefault(current, []).append(entry)
    return {k: tuple(v) for k, v in out.items()}


def _trie_regex(words: list[str]) -> str:
    """A regex alternation shaped as a prefix tree: one branch per distinct first character."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        end = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end:
            return f"(?:{body})?"
        return body

    return build(trie)


def pattern(entries: tuple[str, ...] | list[str]) -> str:
    """Regex source matching any entry (longest literal first via the prefix tree)."""
    literals = [e for e in entries if GAP not in e]
    gapped = [_GAP_RE.join(re.escape(p) for p in e.split(GAP)) for e in entries if GAP in e]
    parts = ([_trie_regex(literals)] if literals else []) + gapped
    return "|".join(f"(?:{p})" for p in parts)


@lru_cache(maxsize=256)
def regex(name: str, *names: str) -> GatedRegex:
    """One compiled regex for the given sections of a file (all sections when none is named).

    It is gated (`analysis.gates.GatedRegex`): the strings every match needs are read from the
    regex itself, so a text lacking them is answered "no match" without running it; an entry
    added to the file changes the regex and its gate together.
    """
    data = sections(name)
    wanted = names or tuple(data)
    entries = [e for s in wanted for e in data.get(s, ())]
    if not entries:
        return GatedRegex(NEVER)
    return GatedRegex(re.compile(pattern(entries), re.IGNORECASE))
