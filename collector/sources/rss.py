"""RSS 0.9x/1.0/2.0 and Atom via feedparser: conditional GET, Japanese encodings, stable ids."""

from __future__ import annotations

import calendar
import hashlib
import logging
import re
from datetime import UTC, datetime
from typing import Any, ClassVar

import feedparser

from collector.htmltext import html_to_text
from collector.http import FetchError, Http
from collector.settings import Settings, SourceSettings
from collector.sources.base import Batch, NewFact, NewPost, State

log = logging.getLogger("kikimimi.rss")

_DECLARED = re.compile(rb"^\s*<\?xml[^>]*encoding=[\"']([A-Za-z0-9_.:-]+)[\"']", re.I)
_JAPANESE_FALLBACKS = ("utf-8", "cp932", "euc_jp", "iso2022_jp")


def _entry_time(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                return datetime.fromtimestamp(calendar.timegm(value), UTC)
            except (OverflowError, ValueError, TypeError):
                continue
    return None


def _declared_charset(content_type: str) -> str | None:
    m = re.search(r"charset=[\"']?([A-Za-z0-9_.:-]+)", content_type or "", re.I)
    return m.group(1).lower() if m else None


def redecode(body: bytes, content_type: str) -> tuple[bytes, dict[str, str]]:
    """Bytes feedparser will read right: when nothing declares the charset and the body is not
    UTF-8, try the Japanese legacy encodings and hand feedparser UTF-8 instead."""
    headers = {"content-type": content_type or "application/xml"}
    if _declared_charset(content_type) or _DECLARED.match(body):
        return body, headers
    for encoding in _JAPANESE_FALLBACKS:
        try:
            text = body.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        if encoding == "utf-8":
            return body, headers
        text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
        return ('<?xml version="1.0" encoding="utf-8"?>' + text).encode("utf-8"), headers
    return body, headers


def stable_id(entry: Any, feed_url: str) -> str:
    """guid, else link, else a hash of the content: the same item always gets the same id."""
    for key in ("id", "guid", "link"):
        value = entry.get(key)
        if value and isinstance(value, str) and value.strip():
            return value.strip()[:500]
    basis = f"{feed_url}\n{entry.get('title', '')}\n{entry.get('summary', '')}"
    return "sha256:" + hashlib.sha256(basis.encode("utf-8", "replace")).hexdigest()


def _outlet(entry: Any) -> str:
    source = entry.get("source") or {}
    if isinstance(source, dict) and source.get("title"):
        return str(source["title"])
    return str(entry.get("author") or "")


def _title(entry: Any, outlet: str) -> str:
    """News search titles end with " - outlet": keep the headline, the outlet goes to `author`."""
    title = html_to_text(entry.get("title") or "")
    if outlet and title.endswith(f" - {outlet}"):
        title = title[: -len(outlet) - 3].rstrip()
    return title


def _summary(entry: Any) -> str:
    for content in entry.get("content") or []:
        value = content.get("value") if isinstance(content, dict) else None
        if value:
            return html_to_text(value)
    return html_to_text(entry.get("summary") or entry.get("description") or "")


def parse_feed(
    body: bytes, content_type: str, source: SourceSettings
) -> tuple[list[NewPost], list[NewFact], str]:
    """Feed bytes → posts (or facts for official feeds), and a note when the feed was ill-formed."""
    data, headers = redecode(body, content_type)
    feed = feedparser.parse(data, response_headers=headers)
    note = ""
    if feed.bozo:
        exc = feed.get("bozo_exception")
        if not feed.entries:
            raise FetchError(f"not a readable feed: {type(exc).__name__}: {str(exc)[:150]}")
        note = f"feed is ill-formed but readable ({type(exc).__name__})"
    posts: list[NewPost] = []
    facts: list[NewFact] = []
    for entry in feed.entries:
        outlet = _outlet(entry)
        title = _title(entry, outlet)
        text = _summary(entry)
        if text == title or (outlet and text in (f"{title} {outlet}", f"{title}\n{outlet}")):
            text = ""  # news search summaries only repeat the headline
        link = str(entry.get("link") or "")
        eid = stable_id(entry, source.url)
        when = _entry_time(entry)
        if source.role == "official":
            facts.append(NewFact(external_id=eid, title=title, text=text, url=link, published_at=when))
        else:
            posts.append(
                NewPost(
                    platform="rss",
                    external_id=eid,
                    url=link,
                    author=outlet or str(feed.feed.get("title") or source.name),
                    title=title,
                    text=text,
                    created_at=when,
                    language=(feed.feed.get("language") or None),
                )
            )
    return posts, facts, note


class RssCollector:
    kind: ClassVar[str] = "rss"

    async def collect(
        self, source: SourceSettings, states: dict[str, State], http: Http, settings: Settings
    ) -> Batch:
        state = states.get(source.url) or State(key=source.url)
        headers = {"Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.8"}
        if state.etag:
            headers["If-None-Match"] = state.etag
        if state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
        response = await http.get(source.url, headers=headers, expect=(200, 304))
        if response.status_code == 304:
            return Batch(not_modified=True)
        posts, facts, note = parse_feed(response.content, response.headers.get("content-type", ""), source)
        new_state = State(
            key=source.url,
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
        )
        return Batch(posts=posts, facts=facts, states=[new_state], errors=[note] if note else [])
