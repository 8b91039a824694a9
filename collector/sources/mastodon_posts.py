"""Mastodon Status JSON → `NewPost`. Pure.

Ids: a post's `external_id` is the status `uri` (its ActivityPub id): global, the same on
every instance that sees it, so a post federated to two watched instances is stored once.
Status `id`s are local to one server, so `in_reply_to` (the parent's uri) and `thread_root`
(the official status's uri) are resolved to uris before they are stored.
Fields follow docs.joinmastodon.org/entities/Status (and Account for `note`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from collector.htmltext import html_to_text
from collector.sources.base import NewPost
from collector.sources.cursors import from_iso


def id_order(status_id: Any) -> tuple[int, str]:
    """Mastodon ids are strings that sort by time: numeric snowflakes compare as numbers."""
    text = str(status_id or "")
    return (len(text), text) if text.isdigit() else (0, text)


def newest_id(ids: list[str], current: str | None = None) -> str | None:
    pool = [i for i in ids if i] + ([current] if current else [])
    return max(pool, key=id_order) if pool else None


def page_params(response: httpx.Response) -> dict[str, dict[str, str]]:
    """The Link header's rel="next"/"prev" as their query parameters (max_id, min_id, since_id).

    Only the parameters are used, so paging never follows a link off the configured host."""
    found: dict[str, dict[str, str]] = {}
    for rel, link in response.links.items():
        query = parse_qs(urlsplit(str(link.get("url", ""))).query)
        found[str(rel)] = {k: v[0] for k, v in query.items() if k in ("max_id", "min_id", "since_id") and v}
    return found


def original(status: dict) -> dict:
    """A boost is a wrapper around the original status: the original is the post."""
    inner = status.get("reblog")
    return inner if isinstance(inner, dict) else status


def global_acct(account: dict, host: str) -> str:
    """user@domain for every author (local accounts' `acct` has no domain)."""
    acct = str(account.get("acct") or account.get("username") or "")
    return acct if "@" in acct or not acct else f"{acct}@{host}"


def status_text(status: dict) -> str:
    """The CW (spoiler_text) stays with the text it hides; HTML content becomes plain text."""
    content = html_to_text(str(status.get("content") or ""))
    poll = status.get("poll")
    if isinstance(poll, dict):
        options = [str(o.get("title", "")) for o in poll.get("options") or [] if isinstance(o, dict)]
        content = "\n".join([content, *options]).strip()
    warning = str(status.get("spoiler_text") or "").strip()
    return f"{warning}\n\n{content}".strip() if warning else content


def _count(value: Any) -> int:
    return value if isinstance(value, int) and value >= 0 else 0


@dataclass(frozen=True)
class Officials:
    """The city's accounts on this instance: their local account ids."""

    ids: frozenset[str] = frozenset()

    def wrote(self, status: dict) -> bool:
        return str((status.get("account") or {}).get("id", "")) in self.ids

    def answered(self, status: dict) -> bool:
        return str(status.get("in_reply_to_account_id") or "") in self.ids


def status_to_post(status: dict, host: str, officials: Officials) -> NewPost | None:
    """One status (boosts unwrapped) → NewPost; in_reply_to is filled in by the caller (ids → uris)."""
    status = original(status)
    uri = status.get("uri")
    account = status.get("account")
    if not isinstance(uri, str) or not uri or not isinstance(account, dict):
        return None
    is_official = officials.wrote(status)
    language = status.get("language")
    return NewPost(
        platform="mastodon",
        external_id=uri,
        url=str(status.get("url") or uri),
        text=status_text(status),
        author=global_acct(account, host),
        author_name=str(account.get("display_name") or ""),
        author_description=html_to_text(str(account.get("note") or "")),
        created_at=from_iso(status.get("created_at")),
        language=language[:16] if isinstance(language, str) else None,
        repost_count=_count(status.get("reblogs_count")),
        reply_count=_count(status.get("replies_count")),
        like_count=_count(status.get("favourites_count")),
        is_official=is_official,
        reply_to_official=officials.answered(status) and not is_official,
    )
