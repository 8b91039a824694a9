"""Build the Sudachi user dictionary for local names from `lexicons/local_names.csv`.

The binary dictionary is built once into a cache directory (sudachipy's own builder,
about 3 s) under a name derived from the CSV, the SudachiPy version and the system
dictionary, so editing the CSV or upgrading Sudachi rebuilds it and nothing stale is
ever loaded. Any failure (read-only disk, bad row) is logged and analysis carries on
with the system dictionary alone.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import os
import tempfile
import unicodedata
from pathlib import Path

log = logging.getLogger(__name__)

LEXICON = Path(__file__).parent / "lexicons" / "local_names.csv"
ENV_CACHE_DIR = "KIKIMIMI_CACHE_DIR"

# kind → (left id, right id, POS 1-4); ids from Sudachi's user_dict.md recommendations
_KINDS = {
    "place": ("4786", "名詞", "固有名詞", "地名", "一般"),
    "proper": ("4786", "名詞", "固有名詞", "一般", "*"),
    "person": ("4789", "名詞", "固有名詞", "人名", "一般"),
    "noun": ("5146", "名詞", "普通名詞", "一般", "*"),
}
_COST = "5000"


class LexiconError(ValueError):
    """A row of local_names.csv that cannot be used; the message names the line."""


def cache_dir() -> Path:
    env = os.environ.get(ENV_CACHE_DIR)
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "kikimimi"


def sudachi_rows(text: str, source: str = "local_names.csv") -> list[list[str]]:
    """Our readable CSV → Sudachi's 18-column user dictionary rows."""
    rows = []
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    for n, row in enumerate(csv.reader(lines), 1):
        row = [c.strip() for c in row]
        if len(row) < 3 or not row[0]:
            raise LexiconError(f"{source}: entry {n} {row!r}: need surface,reading,kind")
        surface, reading, kind = row[:3]
        if kind not in _KINDS:
            raise LexiconError(f"{source}: entry {n} {surface!r}: kind must be one of {', '.join(_KINDS)}")
        normalized = row[3] if len(row) > 3 and row[3] else surface
        conn, *pos = _KINDS[kind]
        # Sudachi looks words up after lower-casing + NFKC: the trie key must be in that form
        key = unicodedata.normalize("NFKC", surface).lower()
        rows.append(
            [key, conn, conn, _COST, surface, *pos, "*", "*", reading, normalized, "*", "*", "*", "*", "*"]
        )
    return rows


def _system_dic() -> Path:
    import sudachidict_core

    return Path(sudachidict_core.__file__).parent / "resources" / "system.dic"


def _key(csv_bytes: bytes, system: Path) -> str:
    import sudachipy

    h = hashlib.sha256(csv_bytes)
    st = system.stat()
    h.update(f"{sudachipy.__version__}|{st.st_size}|{st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


def build(lexicon: Path = LEXICON, directory: Path | None = None) -> Path:
    """Return the path of the built dictionary, building it if this version is not cached yet."""
    from sudachipy import sudachipy as native

    data = lexicon.read_bytes()
    system = _system_dic()
    directory = directory or cache_dir()
    target = directory / f"local_names-{_key(data, system)}.dic"
    if target.exists():
        return target
    rows = sudachi_rows(data.decode("utf-8"), lexicon.name)
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=directory) as tmp:
        src = Path(tmp) / "lex.csv"
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(rows)
        src.write_text(buf.getvalue(), encoding="utf-8")
        out = Path(tmp) / "user.dic"
        native.build_user_dic(system=system, lex=[src], output=out, description="kikimimi local names")
        os.replace(out, target)  # atomic: a concurrent builder never sees half a file
    log.info("userdict built path=%s entries=%d", target, len(rows))
    return target


def try_build(lexicon: Path = LEXICON, directory: Path | None = None) -> Path | None:
    """`build`, or None (logged) when it cannot be built: analysis then uses the system dictionary."""
    try:
        return build(lexicon, directory)
    except Exception as e:  # noqa: BLE001 - any failure here must not stop analysis
        log.warning("userdict unavailable, using the system dictionary only: %s: %s", type(e).__name__, e)
        return None
