"""The `classify` / `eval` JSON Lines contract: input dicts → PostText / Fact, tolerant of missing keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from analysis.types import Fact, PostText


def parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "y")
    return bool(value)


def post_from_json(data: dict[str, Any], index: int = 0) -> PostText:
    """Missing keys take defaults, unknown keys are ignored."""
    return PostText(
        id=str(data.get("id", index)),
        text=str(data.get("text") or ""),
        platform=str(data.get("platform") or "unknown"),
        author=str(data.get("author") or ""),
        author_description=str(data.get("author_description") or ""),
        reply_to_official=_bool(data.get("reply_to_official", False)),
        created_at=parse_time(data.get("created_at")),
        title=str(data.get("title") or ""),
    )


def fact_from_json(data: dict[str, Any], index: int = 0) -> Fact:
    return Fact(
        id=str(data.get("id", index)),
        title=str(data.get("title") or ""),
        text=str(data.get("text") or ""),
        url=str(data.get("url") or ""),
        published_at=parse_time(data.get("published_at")),
    )
