"""Bluesky shapes → `NewPost`: AppView postViews, thread trees and raw records (Jetstream). Pure.

Field names follow the `app.bsky.feed.*` lexicons (postView, threadViewPost, notFoundPost,
blockedPost, feedViewPost) and the `app.bsky.feed.post` record. A post's id everywhere is its
at:// URI, so `in_reply_to` and `thread_root` (record.reply.parent/root) use the same scheme.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from collector.sources.base import NewPost

POST_NSID = "app.bsky.feed.post"
WEB = "https://bsky.app"


def parse_at_uri(uri: str) -> tuple[str, str, str] | None:
    """at://<did or handle>/<collection>/<rkey> → its three parts; None when it is not one."""
    if not isinstance(uri, str) or not uri.startswith("at://"):
        return None
    parts = uri[5:].split("/")
    if len(parts) != 3 or not all(parts):
        return None
    return parts[0], parts[1], parts[2]


def web_url(uri: str, handle: str = "") -> str:
    """The bsky.app link of a post (https://bsky.app/profile/<handle>/post/<rkey>), or '' if unknown."""
    parsed = parse_at_uri(uri)
    if not parsed or parsed[1] != POST_NSID:
        return ""
    repo, _, rkey = parsed
    return f"{WEB}/profile/{handle or repo}/post/{rkey}"


def parse_time(value: Any) -> datetime | None:
    """RFC 3339 as Bluesky writes it (…Z, +09:00, 3–9 fractional digits); None when unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return when


def _uri_of(ref: Any) -> str | None:
    return ref.get("uri") if isinstance(ref, dict) and isinstance(ref.get("uri"), str) else None


def reply_refs(record: dict) -> tuple[str | None, str | None]:
    """(parent uri, root uri) of a reply record, or (None, None) for a top-level post."""
    reply = record.get("reply")
    if not isinstance(reply, dict):
        return None, None
    return _uri_of(reply.get("parent")), _uri_of(reply.get("root"))


def quoted_uri(record: dict) -> str | None:
    """The post a record quotes (app.bsky.embed.record, or recordWithMedia's record)."""
    embed = record.get("embed")
    if not isinstance(embed, dict):
        return None
    inner = embed.get("record")
    if isinstance(inner, dict) and isinstance(inner.get("record"), dict):  # recordWithMedia
        inner = inner["record"]
    return _uri_of(inner)


def external_card(record: dict) -> dict:
    """The link card of a post (app.bsky.embed.external, possibly inside recordWithMedia)."""
    embed = record.get("embed")
    for candidate in (embed, (embed or {}).get("media") if isinstance(embed, dict) else None):
        if isinstance(candidate, dict) and isinstance(candidate.get("external"), dict):
            return candidate["external"]
    return {}


@dataclass(frozen=True)
class Official:
    """The city's accounts on Bluesky, as resolved: their DIDs and handles."""

    dids: frozenset[str] = frozenset()
    handles: frozenset[str] = frozenset()

    def is_author(self, author: Any) -> bool:
        if not isinstance(author, dict):
            return False
        return author.get("did") in self.dids or str(author.get("handle", "")).lower() in self.handles

    def owns(self, uri: str | None) -> bool:
        """Is this at:// URI a record in one of the city's repositories?"""
        parsed = parse_at_uri(uri or "")
        return bool(parsed) and (parsed[0] in self.dids or parsed[0].lower() in self.handles)


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


@dataclass(frozen=True)
class TermMatcher:
    """Does a post name the city? Width- and case-insensitive substring match (NFKC + casefold)."""

    terms: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def of(cls, terms: Iterable[str]) -> TermMatcher:
        seen = dict.fromkeys(_normalise(t).strip() for t in terms if t and t.strip())
        return cls(tuple(seen))

    def matches(self, text: str) -> bool:
        if not self.terms or not text:
            return False
        norm = _normalise(text)
        return any(t in norm for t in self.terms)


def searchable_text(record: dict) -> str:
    """Everything in a record that can name the city: text, hashtags, links and the link card."""
    parts = [str(record.get("text") or "")]
    parts += [str(t) for t in record.get("tags") or [] if isinstance(t, str)]
    for facet in record.get("facets") or []:
        for feature in (facet or {}).get("features") or []:
            if isinstance(feature, dict):
                parts += [str(feature.get(k)) for k in ("tag", "uri") if feature.get(k)]
    card = external_card(record)
    parts += [str(card.get(k)) for k in ("uri", "title", "description") if card.get(k)]
    return "\n".join(parts)


def mentioned_dids(record: dict) -> set[str]:
    found = set()
    for facet in record.get("facets") or []:
        for feature in (facet or {}).get("features") or []:
            if isinstance(feature, dict) and feature.get("did"):
                found.add(str(feature["did"]))
    return found


def _language(record: dict) -> str | None:
    langs = record.get("langs")
    if isinstance(langs, list) and langs and isinstance(langs[0], str):
        return langs[0][:16]
    return None


def _count(value: Any) -> int:
    return value if isinstance(value, int) and value >= 0 else 0


def post_from_record(
    uri: str,
    record: dict,
    official: Official,
    *,
    author: dict | None = None,
    indexed_at: str | None = None,
    counts: dict | None = None,
) -> NewPost:
    """One post record (from a postView or a Jetstream commit) → NewPost."""
    author = author or {}
    repo = (parse_at_uri(uri) or ("", "", ""))[0]
    handle = str(author.get("handle") or "")
    parent, root = reply_refs(record)
    card = external_card(record)
    is_official = official.is_author(author) or (not author and official.owns(uri))
    reacts_to_city = official.owns(parent) or official.owns(root) or official.owns(quoted_uri(record))
    counts = counts or {}
    return NewPost(
        platform="bluesky",
        external_id=uri,
        url=web_url(uri, handle),
        text=str(record.get("text") or ""),
        title=str(card.get("title") or "") if not record.get("text") else "",
        author=handle or str(author.get("did") or repo),
        author_name=str(author.get("displayName") or ""),
        created_at=parse_time(record.get("createdAt")) or parse_time(indexed_at),
        in_reply_to=parent,
        thread_root=root,
        language=_language(record),
        repost_count=_count(counts.get("repostCount")),
        reply_count=_count(counts.get("replyCount")),
        like_count=_count(counts.get("likeCount")),
        is_official=is_official,
        reply_to_official=reacts_to_city and not is_official,
    )


def post_from_view(view: Any, official: Official) -> NewPost | None:
    """An AppView postView → NewPost; None for anything that is not a readable post."""
    if not isinstance(view, dict):
        return None
    uri, record = view.get("uri"), view.get("record")
    if not isinstance(uri, str) or not isinstance(record, dict):
        return None
    if record.get("$type", POST_NSID) != POST_NSID:
        return None
    return post_from_record(
        uri, record, official, author=view.get("author") or {}, indexed_at=view.get("indexedAt"), counts=view
    )


def is_hidden(node: Any) -> bool:
    """notFoundPost / blockedPost (or anything without a post) in a thread or a reply ref."""
    if not isinstance(node, dict):
        return True
    kind = str(node.get("$type", ""))
    return (
        node.get("notFound") is True
        or node.get("blocked") is True
        or kind.endswith("#notFoundPost")
        or kind.endswith("#blockedPost")
    )


@dataclass
class ThreadWalk:
    """What a getPostThread tree holds below (and including) its root."""

    views: list[dict] = field(default_factory=list)  # postViews, root first, depth-first
    truncated: list[str] = field(default_factory=list)  # posts with replies the depth limit cut off
    hidden: int = 0  # replies shown as notFound / blocked


def walk_thread(thread: Any) -> ThreadWalk:
    """Flatten a threadViewPost's `replies` tree (any depth) without recursion; parents are ignored."""
    walk = ThreadWalk()
    stack = [thread]
    while stack:
        node = stack.pop()
        if is_hidden(node) or not isinstance(node.get("post"), dict):
            walk.hidden += 1
            continue
        post = node["post"]
        walk.views.append(post)
        replies = node.get("replies")
        if replies is None:
            if _count(post.get("replyCount")) > 0:
                walk.truncated.append(str(post.get("uri")))
            continue
        if isinstance(replies, list):
            stack.extend(reversed(replies))
    return walk
