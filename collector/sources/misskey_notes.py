"""Misskey's shapes, kept pure: a note → `NewPost`, MFM → plain text, and the id cursor.

Misskey ids (aid, aidx, meid, ulid) sort by time as strings, so "newer than" is a string
comparison. A note's stable id across servers is its ActivityPub URI: `uri` on remote notes,
`https://<server>/notes/<id>` on local ones (what every other server calls it).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from collector.sources.base import NewPost
from collector.sources.cursors import from_iso

PUBLIC = ("public", "home")  # followers-only and direct notes are not public: never stored

_FN = re.compile(r"\$\[[\w.=,:#-]+ ([^\[\]]*)\]")  # $[tada text], $[fg.color=f00 text]
_TAGS = re.compile(r"</?(?:center|small|i|b|s|plain)>")


def mfm_to_text(text: str | None) -> str:
    """MFM markup → the words a reader sees: `$[fn ...]` wrappers and inline tags dropped."""
    if not text:
        return ""
    previous = None
    while previous != text:  # functions nest: unwrap from the inside out
        previous, text = text, _FN.sub(r"\1", text)
    return _TAGS.sub("", text).strip()


def note_uri(note: dict[str, Any], base: str) -> str:
    return str(note.get("uri") or f"{base}/notes/{note['id']}")


def handle(user: dict[str, Any]) -> str:
    """`username` for the server's own users, `username@host` for remote ones."""
    name = str(user.get("username") or "")
    return f"{name}@{user['host']}" if user.get("host") else name


def is_pure_renote(note: dict[str, Any]) -> bool:
    return (
        bool(note.get("renoteId"))
        and not note.get("text")
        and not note.get("fileIds")
        and not note.get("poll")
    )


def unwrap(note: dict[str, Any]) -> dict[str, Any] | None:
    """A pure renote stands for the note it renotes: that note is stored, once."""
    if is_pure_renote(note):
        inner = note.get("renote")
        return inner if isinstance(inner, dict) else None
    return note


def note_text(note: dict[str, Any]) -> str:
    """The content warning stays with the text: it is part of what the author said."""
    text = mfm_to_text(note.get("text"))
    cw = mfm_to_text(note.get("cw"))
    return f"{cw}\n\n{text}".strip() if cw else text


def parent_uri(note: dict[str, Any], base: str) -> str | None:
    reply = note.get("reply")
    if isinstance(reply, dict) and reply.get("id"):
        return note_uri(reply, base)
    if note.get("replyId"):
        return f"{base}/notes/{note['replyId']}"
    return None


def root_uri(note: dict[str, Any], base: str) -> str | None:
    """The thread's first note when the embedded parent shows it (the parent is not itself a reply)."""
    reply = note.get("reply")
    if isinstance(reply, dict) and reply.get("id") and not reply.get("replyId"):
        return note_uri(reply, base)
    return None


def note_to_post(
    note: dict[str, Any],
    base: str,
    official_ids: set[str],
    thread_root: str | None = None,
    reply_to_official: bool = False,
    parent: str | None = None,
) -> NewPost | None:
    """One public note as a post; None for notes that are not public."""
    if note.get("visibility", "public") not in PUBLIC or not note.get("id"):
        return None
    user = note.get("user") or {}
    reply = note.get("reply") if isinstance(note.get("reply"), dict) else {}
    official = note.get("userId") in official_ids
    reactions = note.get("reactions") or {}
    likes = note.get("reactionCount")
    if not isinstance(likes, int):
        likes = sum(v for v in reactions.values() if isinstance(v, int)) if isinstance(reactions, dict) else 0
    return NewPost(
        platform="misskey",
        external_id=note_uri(note, base),
        text=note_text(note),
        url=str(note.get("url") or note.get("uri") or f"{base}/notes/{note['id']}"),
        author=handle(user),
        author_name=str(user.get("name") or ""),
        created_at=from_iso(note.get("createdAt")),
        in_reply_to=parent_uri(note, base) or parent,
        thread_root=thread_root or root_uri(note, base),
        repost_count=int(note.get("renoteCount") or 0),
        reply_count=int(note.get("repliesCount") or 0),
        like_count=int(likes or 0),
        is_official=official,
        reply_to_official=not official and (reply_to_official or reply.get("userId") in official_ids),
    )


@dataclass
class Cursor:
    """Where one note list left off: everything up to `since` is collected, except the ids
    strictly between `gap[0]` and `gap[1]` that a run ran out of pages for."""

    since: str | None = None
    gap: tuple[str, str] | None = None

    @classmethod
    def load(cls, raw: str | dict | None) -> Cursor:
        if not raw:
            return cls()
        data = json.loads(raw) if isinstance(raw, str) else raw
        gap = data.get("gap")
        return cls(since=data.get("since"), gap=(gap[0], gap[1]) if gap else None)

    def as_dict(self) -> dict[str, Any]:
        return {"since": self.since, "gap": list(self.gap) if self.gap else None}

    def dump(self) -> str:
        return json.dumps(self.as_dict())
