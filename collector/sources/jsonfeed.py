"""JSON Feed (https://jsonfeed.org/version/1.1), which feedparser 6.0 does not read, turned into
the same entry dictionaries feedparser produces so `rss.parse_feed` treats both alike."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from collector.http import FetchError


def looks_like_json(body: bytes) -> bool:
    """A JSON object, not XML (whatever the Content-Type says: servers get that wrong)."""
    return body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def _time(value: Any) -> Any:
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).timetuple()


def _author(item: dict, feed: dict) -> str:
    for holder in (item, feed):
        authors = holder.get("authors") if isinstance(holder.get("authors"), list) else [holder.get("author")]
        for a in authors:
            if isinstance(a, dict) and isinstance(a.get("name"), str) and a["name"].strip():
                return a["name"]
    return ""


def _entry(item: dict, feed: dict) -> dict[str, Any]:
    html = item.get("content_html")
    body = html if isinstance(html, str) and html else item.get("content_text") or item.get("summary")
    entry: dict[str, Any] = {
        "id": str(item["id"]) if item.get("id") is not None else "",
        "link": item.get("url") if isinstance(item.get("url"), str) else "",
        "title": item.get("title") if isinstance(item.get("title"), str) else "",
        "title_detail": {"type": "text/plain"},
        "summary": body if isinstance(body, str) else "",
        "summary_detail": {"type": "text/html" if isinstance(html, str) and html else "text/plain"},
        "author": _author(item, feed),
        "published_parsed": _time(item.get("date_published")),
        "updated_parsed": _time(item.get("date_modified")),
    }
    return {k: v for k, v in entry.items() if v}


def parse_json_feed(body: bytes) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """JSON Feed bytes → (feed fields, entries); FetchError when it is JSON but no JSON Feed."""
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise FetchError(f"not a readable feed: JSON that does not parse ({e})") from None
    if not isinstance(data, dict) or "jsonfeed.org/version/" not in str(data.get("version", "")):
        raise FetchError("not a readable feed: JSON, but not a JSON Feed (no jsonfeed.org version)")
    items = data.get("items") if isinstance(data.get("items"), list) else []
    meta = {"title": data.get("title") if isinstance(data.get("title"), str) else ""}
    if isinstance(data.get("language"), str):
        meta["language"] = data["language"]
    return meta, [_entry(i, data) for i in items if isinstance(i, dict)]
