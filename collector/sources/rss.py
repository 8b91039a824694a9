"""RSS 0.9x/1.0/2.0 and Atom via feedparser: conditional GET, Japanese encodings, stable ids.

`parse_feed` turns any feed body into posts (or, for `role = "official"` sources, facts).
Two well-known search feeds get their own reading: Google News (title "headline - outlet",
`<source>` outlet, a redirect link, a summary that is only an HTML list of related
headlines) and Hatena Bookmark (RSS 1.0 with `hatena:bookmarkcount`).
"""

from __future__ import annotations

import asyncio
import calendar
import hashlib
import logging
import re
from collections import Counter
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

import feedparser

from collector.charset import to_utf8
from collector.htmltext import html_to_text, link_items, tidy
from collector.http import FetchError, Http
from collector.settings import Settings, SourceSettings
from collector.sources.base import Batch, NewFact, NewPost, State
from collector.sources.jsonfeed import looks_like_json, parse_json_feed

log = logging.getLogger("kikimimi.rss")

ACCEPT = (
    "application/rss+xml, application/rdf+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
MAX_ID = 500  # Post.external_id's length
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_ITEM_TAG = re.compile(rb"<(?:[A-Za-z0-9_.-]+:)?(?:item|entry)[\s>/]")


def _entry_time(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                return datetime.fromtimestamp(calendar.timegm(value), UTC)
            except (OverflowError, ValueError, TypeError):
                continue
    return None


def _text(value: Any, detail: Any = None) -> str:
    """A feed field → plain text: HTML when feedparser says so (or it looks like markup), else tidied."""
    if not isinstance(value, str):
        return ""
    kind = detail.get("type", "") if isinstance(detail, dict) else ""
    if kind in _HTML_TYPES or (not kind and "<" in value):
        return html_to_text(value)
    return tidy(value)


def _hash(*parts: str) -> str:
    return "sha256:" + hashlib.sha256("\n".join(parts).encode("utf-8", "replace")).hexdigest()


def _qualified(guid: str, feed_url: str) -> str:
    """A guid is only unique within its feed; short opaque ones ("123", "news-5") are qualified with
    the feed's host so two sites' item 123 stay two posts. URLs, URNs and tag: ids stay as they are."""
    if ":" in guid or "/" in guid or len(guid) >= 32:
        return guid
    host = urlsplit(feed_url).netloc
    return f"{host}#{guid}" if host else guid


def _bounded(value: str) -> str:
    return value if len(value) <= MAX_ID else _hash(value)


def stable_id(entry: Any, feed_url: str) -> str:
    """guid, else link, else a hash of the content: the same item always gets the same id."""
    guid = entry.get("id")
    if isinstance(guid, str) and guid.strip():
        return _bounded(_qualified(guid.strip(), feed_url))
    link = entry.get("link")
    if isinstance(link, str) and link.strip():
        return _bounded(link.strip())
    return _hash(feed_url, _text(entry.get("title")), _text(entry.get("summary")))


def _link(entry: Any) -> str:
    link = entry.get("link")
    if isinstance(link, str) and urlsplit(link.strip()).scheme in ("http", "https"):
        return link.strip()
    return ""


def _outlet(entry: Any) -> str:
    """The publisher named in a news search item's `<source>`."""
    source = entry.get("source")
    if isinstance(source, dict) and isinstance(source.get("title"), str):
        return tidy(source["title"])
    return ""


def _title(entry: Any, outlet: str) -> str:
    """News search titles end with " - outlet": keep the headline, the outlet goes to `author`."""
    title = _text(entry.get("title"), entry.get("title_detail"))
    if outlet and title.endswith(f" - {outlet}") and len(title) > len(outlet) + 3:
        title = title[: -len(outlet) - 3].rstrip()
    return title


def _related(summary: str, title: str, outlet: str) -> str | None:
    """A news search summary that is only a list of headlines → the other headlines, one per line;
    None when the summary is not such a list."""
    items = link_items(summary)
    if not items or not outlet:
        return None
    if html_to_text(summary).replace("\n", " ") != " ".join(f"{a} {b}".strip() for a, b in items):
        return None  # there is prose besides the links: not a headline list
    lines = []
    for headline, publisher in items:
        if headline == title or (outlet and publisher == outlet and title.startswith(headline)):
            continue
        if not publisher:  # "Google ニュースですべての記事を表示" and other navigation links
            continue
        lines.append(f"{headline}（{publisher}）")
    return "\n".join(lines)


def _body(entry: Any, title: str, outlet: str) -> str:
    summary = entry.get("summary") if isinstance(entry.get("summary"), str) else ""
    if outlet:
        related = _related(summary, title, outlet)
        if related is not None:
            return related
    if "hatena_bookmarkcount" not in entry:  # Hatena's content:encoded is its own boilerplate
        for content in entry.get("content") or []:
            if isinstance(content, dict) and content.get("value"):
                text = _text(content["value"], content)
                if text:
                    return text
    text = _text(summary, entry.get("summary_detail"))
    if text in (title, f"{title} {outlet}".strip()):
        return ""  # a summary that only repeats the headline
    return text


def _count(value: Any) -> int:
    try:
        return max(0, int(str(value).strip().replace(",", "")))
    except (TypeError, ValueError):
        return 0


def _author(entry: Any, outlet: str, link: str, feed_title: str, fallback: str) -> str:
    if outlet:
        return outlet
    author = _text(entry.get("author"), entry.get("author_detail"))
    if author:
        return author
    if "hatena_bookmarkcount" in entry and link:
        return urlsplit(link).netloc  # a bookmarked page: the site is who wrote it
    return feed_title or fallback


def _unique_ids(entries: list[Any], feed_url: str) -> list[str]:
    """Stable ids, and distinct ones: a guid a feed gives to different items (a CMS that puts the
    site's address in every guid) is not an item's id, so those items are told apart by link/title."""
    ids = [stable_id(e, feed_url) for e in entries]
    counts = Counter(ids)
    for i, entry in enumerate(entries):
        if counts[ids[i]] > 1:
            ids[i] = _bounded(f"{ids[i]}#{_hash(_link(entry), _text(entry.get('title')))[7:23]}")
    return ids


def _read(body: bytes, content_type: str) -> tuple[Any, list[Any], list[str]]:
    """Feed bytes → (feed fields, entries, notes) from feedparser, or from the JSON Feed reader."""
    if looks_like_json(body):
        meta, entries = parse_json_feed(body)
        return meta, entries, []
    decoded = to_utf8(body, content_type)
    try:
        feed = feedparser.parse(
            decoded.body, response_headers={"content-type": decoded.content_type or "application/xml"}
        )
    except Exception as e:  # feedparser's own bugs on hostile input
        raise FetchError(f"not a readable feed: {type(e).__name__}: {str(e)[:150]}") from None
    notes = [decoded.note] if decoded.note else []
    if feed.bozo:
        exc = feed.get("bozo_exception")
        if not feed.entries:
            if feed.version and not _ITEM_TAG.search(decoded.body):
                return feed.feed, [], [f"feed is ill-formed and has no items ({type(exc).__name__})"]
            raise FetchError(f"not a readable feed: {type(exc).__name__}: {str(exc)[:150]}")
        notes.append(f"feed is ill-formed but readable ({type(exc).__name__})")
    elif not feed.version and not feed.entries:
        raise FetchError("not a readable feed: no RSS, RDF or Atom elements in it")
    return feed.feed, feed.entries, notes


def parse_feed(
    body: bytes, content_type: str, source: SourceSettings
) -> tuple[list[NewPost], list[NewFact], str]:
    """Feed bytes → posts (or facts for official feeds), and a note when the feed was ill-formed.

    Raises FetchError("not a readable feed: …") when nothing readable is in it; never anything else.
    """
    meta, all_entries, notes = _read(body, content_type)
    feed_title = _text(meta.get("title"), meta.get("title_detail"))
    language = meta.get("language") if isinstance(meta.get("language"), str) else None
    entries = [e for e in all_entries if _readable(e)]
    if len(entries) < len(all_entries):
        notes.append(f"{len(all_entries) - len(entries)} empty items (no id, title, text or link) skipped")
    posts: list[NewPost] = []
    facts: list[NewFact] = []
    for entry, eid in zip(entries, _unique_ids(entries, source.url), strict=True):
        outlet = _outlet(entry)
        title = _title(entry, outlet)
        text = _body(entry, title, outlet)
        link = _link(entry)
        when = _entry_time(entry)
        if source.role == "official":
            facts.append(NewFact(external_id=eid, title=title, text=text, url=link, published_at=when))
            continue
        author = _author(entry, outlet, link, feed_title, source.name)
        posts.append(
            NewPost(
                platform="rss",
                external_id=eid,
                url=link,
                author=author,
                author_name=author,
                title=title,
                text=text,
                created_at=when,
                language=(language or None),
                repost_count=_count(entry.get("hatena_bookmarkcount")),
            )
        )
    return posts, facts, "; ".join(notes)


def _readable(entry: Any) -> bool:
    """Anything that tells the item apart is kept; only wholly empty items are dropped."""
    return any(
        isinstance(entry.get(k), str) and entry[k].strip() for k in ("id", "title", "summary", "link")
    ) or bool(entry.get("content"))


class RssCollector:
    kind: ClassVar[str] = "rss"

    async def collect(
        self, source: SourceSettings, states: dict[str, State], http: Http, settings: Settings
    ) -> Batch:
        state = states.get(source.url) or State(key=source.url)
        headers = {"Accept": ACCEPT}
        if state.etag:
            headers["If-None-Match"] = state.etag
        if state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
        response = await http.get(source.url, headers=headers, expect=(200, 304))
        if response.status_code == 304:
            return Batch(not_modified=True)
        # parsing a large feed takes a while: off the event loop, so other sources keep going
        posts, facts, note = await asyncio.to_thread(
            parse_feed, response.content, response.headers.get("content-type", ""), source
        )
        new_state = State(
            key=source.url,
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
        )
        notes = [note] if note else []
        if any(r.status_code in (301, 308) for r in response.history):
            notes.append(f"the feed has moved permanently to {response.url}: update [[sources]].url")
        return Batch(posts=posts, facts=facts, states=[new_state], errors=notes)
