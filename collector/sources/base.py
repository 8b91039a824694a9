"""The collector seam: add a file with a class that follows `Collector` and one line in `KINDS`."""

from __future__ import annotations

import hashlib
import importlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar, Protocol

from collector.http import Http
from collector.settings import Settings, SourceSettings

KINDS = {  # kind → module:class
    "rss": "collector.sources.rss:RssCollector",
    "bluesky": "collector.sources.bluesky:BlueskyCollector",
    "mastodon": "collector.sources.mastodon:MastodonCollector",
    "misskey": "collector.sources.misskey:MisskeyCollector",
    "x": "collector.sources.x:XCollector",
    "youtube": "collector.sources.youtube:YouTubeCollector",
}


@dataclass
class NewPost:
    """A post as a collector hands it over; the store dedupes on (platform, external_id)."""

    platform: str
    external_id: str
    text: str
    url: str = ""
    author: str = ""
    author_name: str = ""
    author_description: str = ""
    title: str = ""
    created_at: datetime | None = None
    in_reply_to: str | None = None
    thread_root: str | None = None
    language: str | None = None
    repost_count: int = 0
    reply_count: int = 0
    like_count: int = 0
    is_official: bool = False
    reply_to_official: bool = False

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(f"{self.title}\n{self.text}".encode()).hexdigest()


@dataclass
class NewFact:
    """An official statement from a `role = "official"` source."""

    external_id: str
    title: str
    text: str
    url: str = ""
    published_at: datetime | None = None


@dataclass
class State:
    """Where a source left off for one key (feed URL, account, query)."""

    key: str = ""
    cursor: str | None = None
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class Batch:
    """Posts and the state that describes them: the store writes both in one transaction."""

    posts: list[NewPost] = field(default_factory=list)
    facts: list[NewFact] = field(default_factory=list)
    states: list[State] = field(default_factory=list)
    not_modified: bool = False
    errors: list[str] = field(default_factory=list)  # partial failures (one account of three, ...)


class SourceDisabled(Exception):
    """The source cannot run as configured (no token, ...): shown on its health, not retried until fixed."""


class Collector(Protocol):
    kind: ClassVar[str]

    async def collect(
        self, source: SourceSettings, states: dict[str, State], http: Http, settings: Settings
    ) -> Batch:
        """Fetch what is new since `states`; return the posts and the new states together."""
        ...


def collector_for(kind: str) -> Collector:
    module, _, name = KINDS[kind].partition(":")
    return getattr(importlib.import_module(module), name)()
