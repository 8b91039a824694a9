"""`kikimimi import FILE`: posts from JSONL or CSV (platforms with no API, commercial tools), deduped like any source."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

from analysis.io import parse_time
from collector.sources.base import NewPost


class ImportError_(ValueError):
    """A file that cannot be imported: the message names the file and line."""


def _post(data: dict, where: str, default_platform: str) -> NewPost:
    text = str(data.get("text") or "").strip()
    if not text and not data.get("title"):
        raise ImportError_(f"{where}: no text")
    platform = str(data.get("platform") or default_platform)
    eid = str(data.get("id") or data.get("external_id") or "")
    if not eid:
        eid = "sha256:" + hashlib.sha256(f"{data.get('author', '')}\n{text}".encode()).hexdigest()
    return NewPost(
        platform=platform,
        external_id=eid,
        text=text,
        title=str(data.get("title") or ""),
        url=str(data.get("url") or ""),
        author=str(data.get("author") or ""),
        author_description=str(data.get("author_description") or ""),
        created_at=parse_time(data.get("created_at")),
        in_reply_to=(str(data["in_reply_to"]) if data.get("in_reply_to") else None),
        thread_root=(str(data["thread_root"]) if data.get("thread_root") else None),
        reply_to_official=str(data.get("reply_to_official", "")).lower() in ("1", "true", "yes"),
    )


def read_posts(path: Path, default_platform: str = "import") -> tuple[list[NewPost], list[str]]:
    """Posts and one error per unreadable line (the readable ones are kept)."""
    if not path.exists():
        raise ImportError_(f"{path}: file not found")
    posts, errors = [], []
    text = path.read_text("utf-8-sig")
    if path.suffix.lower() == ".csv":
        rows = enumerate(csv.DictReader(text.splitlines()), 2)
    else:
        rows = []
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                rows.append((n, json.loads(line)))
            except json.JSONDecodeError as e:
                errors.append(f"{path}:{n}: not JSON ({e.msg})")
    for n, data in rows:
        if not isinstance(data, dict):
            errors.append(f"{path}:{n}: expected an object")
            continue
        try:
            posts.append(_post(data, f"{path}:{n}", default_platform))
        except ImportError_ as e:
            errors.append(str(e))
    return posts, errors
