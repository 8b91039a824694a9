"""`kikimimi import FILE`: posts from JSONL or CSV (platforms with no API, commercial tools), deduped like any source.

Keys/columns follow the `classify` contract (id, text, platform, author, author_description,
reply_to_official, created_at; also title, url, in_reply_to, thread_root), under the names
listed in `import_columns.toml` (English or Japanese). CSV may be UTF-8 with or without BOM,
or CP932 as Excel saves it in Japan. A malformed line is reported as `file:line: what` and
skipped; every other line is kept.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import tomllib
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from collector.sources.base import NewPost

COLUMNS_FILE = Path(__file__).with_name("import_columns.toml")
_TRUE = {"1", "true", "yes", "y", "t", "はい", "○", "〇", "✓"}
_FALSE = {"", "0", "false", "no", "n", "f", "いいえ", "×", "-"}
_DATE_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")
_CP932_JUNK = re.compile("[\x80-\x9f\uf8f0-\uf8f3]")
_JP_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日\s*(?:(\d{1,2})[時:](\d{1,2})分?(?:(\d{1,2})秒?)?)?$")


class ImportFileError(ValueError):
    """A file that cannot be imported at all: the message names the file and what to do."""


class _LineError(ValueError):
    """One line that cannot be imported: reported, the rest go on."""


@dataclass(frozen=True)
class ImportResult:
    posts: list[NewPost]
    errors: list[str]  # "file:line: what is wrong"
    encoding: str


def _key(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", unicodedata.normalize("NFKC", str(name))).lower()


def column_names(path: Path = COLUMNS_FILE) -> dict[str, str]:
    """Every accepted column name (normalised) → the field it means."""
    table = tomllib.loads(path.read_text("utf-8"))
    return {_key(alias): field for field, aliases in table.items() for alias in [field, *aliases]}


def decode_lines(raw: bytes) -> tuple[str, str]:
    """Each line as UTF-8 (with or without BOM), else as CP932 (what Excel saves in Japan); a line
    that is neither keeps U+FFFD marks and is reported. Returns the text and what it was."""
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    seen: set[str] = set()
    lines = []
    for line in raw.split(b"\n"):
        for encoding in ("utf-8", "cp932"):
            try:
                decoded = line.decode(encoding)
            except UnicodeDecodeError:
                continue
            if encoding == "cp932" and _CP932_JUNK.search(decoded):
                continue  # bytes CP932 maps to C1 controls or private use: not text
            lines.append(decoded)
            if not line.isascii():
                seen.add(encoding)
            break
        else:
            lines.append(line.decode("utf-8", errors="replace"))
            seen.add("undecodable")
    return "\n".join(lines), "+".join(sorted(seen)) or "ascii"


def parse_created(value: Any, tz: tzinfo) -> datetime | None:
    """ISO 8601, spreadsheet dates ("2026/11/24 9:12"), 年月日, or unix seconds; a date without a
    zone is local time (the [digest].timezone)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 1e11 else value
        return datetime.fromtimestamp(seconds, UTC)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if re.fullmatch(r"\d{9,13}", text):
        return parse_created(int(text), tz)
    when: datetime | None = None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        for fmt in _DATE_FORMATS:
            try:
                when = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        m = _JP_DATE.match(text)
        if when is None and m:
            y, mo, d, h, mi, s = (int(x) if x else 0 for x in m.groups())
            when = datetime(y, mo, d, h, mi, s)
    if when is None:
        raise _LineError(
            f"created_at {str(value)[:40]!r} is not a date (use ISO 8601, e.g. 2026-11-24T09:12:00+09:00)"
        )
    return when if when.tzinfo else when.replace(tzinfo=tz)


def _bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = unicodedata.normalize("NFKC", str(value if value is not None else "")).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _LineError(f"{name} {str(value)[:20]!r} is not true/false")


def _ident(value: Any, name: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, float) or re.fullmatch(r"\d(\.\d+)?E\+\d+", str(value).strip(), re.I):
        raise _LineError(f"{name} {value!r} was rounded by a spreadsheet: export that column as text")
    return str(value).strip()


def to_post(data: dict[str, Any], names: dict[str, str], default_platform: str, tz: tzinfo) -> NewPost:
    """One record (keys already any accepted name) → a post; raises _LineError saying what is wrong."""
    row: dict[str, Any] = {}
    for key, value in data.items():
        field = names.get(_key(key)) if key is not None else None
        if field and field not in row:
            row[field] = value.strip() if isinstance(value, str) else value
    text, title = str(row.get("text") or ""), str(row.get("title") or "")
    if not text.strip() and not title.strip():
        raise _LineError("no text (a text column such as text or 本文 is empty)")
    platform = str(row.get("platform") or default_platform).strip().lower()
    author = str(row.get("author") or "")
    created_at = parse_created(row.get("created_at"), tz)
    eid = _ident(row.get("id"), "id")
    if not eid:  # the same row always gets the same id, so a re-import stores nothing twice
        basis = f"{platform}\n{author}\n{created_at.isoformat() if created_at else ''}\n{title}\n{text}"
        eid = "sha256:" + hashlib.sha256(basis.encode()).hexdigest()
    return NewPost(
        platform=platform,
        external_id=eid,
        text=text,
        title=title,
        url=str(row.get("url") or ""),
        author=author,
        author_name=str(row.get("author_name") or ""),
        author_description=str(row.get("author_description") or ""),
        created_at=created_at,
        in_reply_to=_ident(row.get("in_reply_to"), "in_reply_to"),
        thread_root=_ident(row.get("thread_root"), "thread_root"),
        reply_to_official=_bool(row.get("reply_to_official"), "reply_to_official"),
    )


def _jsonl(text: str, where: str) -> Iterator[tuple[int, dict | None, str]]:
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as e:
            yield n, None, f"{where}:{n}: not JSON ({e.msg} at column {e.colno})"
            continue
        if not isinstance(data, dict):
            yield n, None, f"{where}:{n}: expected a JSON object, got {type(data).__name__}"
            continue
        yield n, data, ""


def _csv(text: str, where: str, names: dict[str, str]) -> Iterator[tuple[int, dict | None, str]]:
    first = text.split("\n", 1)[0]
    dialect = (
        csv.excel_tab if where.lower().endswith(".tsv") or ("\t" in first and "," not in first) else csv.excel
    )
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise ImportFileError(f"{where}: empty, or not a CSV file") from None
    fields = {names.get(_key(h)) for h in header}
    if not fields & {"text", "title"}:
        raise ImportFileError(
            f"{where}:1: no text column in the header {header[:8]}; name one of "
            f"text, 本文, 投稿内容 … (see {COLUMNS_FILE.name})"
        )
    start = reader.line_num + 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            yield start, None, f"{where}:{start}: not CSV ({e})"
            start = reader.line_num + 1
            continue
        if any(v.strip() for v in values):
            if len(values) > len(header):
                yield start, None, f"{where}:{start}: {len(values)} values for {len(header)} columns"
            else:
                yield start, dict(zip(header, values, strict=False)), ""
        start = reader.line_num + 1


def read_posts(
    path: Path, default_platform: str = "import", timezone: str = "Asia/Tokyo"
) -> tuple[list[NewPost], list[str]]:
    """Posts and one error per unreadable line (the readable ones are kept)."""
    result = read_file(path, default_platform, timezone)
    return result.posts, result.errors


def read_file(path: Path, default_platform: str = "import", timezone: str = "Asia/Tokyo") -> ImportResult:
    if not path.is_file():
        raise ImportFileError(f"{path}: file not found")
    text, encoding = decode_lines(path.read_bytes())
    names, tz = column_names(), ZoneInfo(timezone)
    is_csv = path.suffix.lower() in (".csv", ".tsv", ".txt")
    records = _csv(text, str(path), names) if is_csv else _jsonl(text, str(path))
    posts, errors = [], []
    for n, data, error in records:
        if data is None:
            errors.append(error)
            continue
        if any("\ufffd" in str(v) for v in data.values()):
            errors.append(f"{path}:{n}: not UTF-8 or CP932 text; save the file as UTF-8")
            continue
        try:
            posts.append(to_post(data, names, default_platform, tz))
        except _LineError as e:
            errors.append(f"{path}:{n}: {e}")
    return ImportResult(posts, errors, encoding)


@dataclass(frozen=True)
class ImportReport:
    new: int
    already: int
    errors: list[str]
    encoding: str


def import_file(
    engine: Any, path: Path, default_platform: str, source_name: str, timezone: str = "Asia/Tokyo"
) -> ImportReport:
    """Read the file and store its posts under one `import` source, deduped on (platform, id),
    in one transaction; the source's health row records the import like a fetch."""
    from sqlmodel import select

    from collector.db import session_scope
    from collector.pipeline import save_batch
    from collector.sources.base import Batch
    from collector.store import Source, utcnow

    result = read_file(path, default_platform, timezone)
    now = utcnow()
    with session_scope(engine) as session:
        source = session.exec(select(Source).where(Source.name == source_name)).first()
        if source is None:
            source = Source(name=source_name, kind="import")
            session.add(source)
            session.flush()
        new, _ = save_batch(session, source, Batch(posts=result.posts), now)
        source.last_fetch_at = source.last_success_at = now
        source.last_result = "ok"
        source.items_last = new
        source.items_total += new
        skipped = f"; {len(result.errors)} lines skipped (first: {result.errors[0]})" if result.errors else ""
        source.last_error = f"source '{source_name}': imported {path.name}{skipped}" if skipped else None
        session.add(source)
    return ImportReport(new, len(result.posts) - new, result.errors, result.encoding)
