"""A Bluesky AppView + PDS on the local HTTP server, for the Bluesky collector tests.

Hand-shaped after the lexicons in bluesky-social/atproto (`app.bsky.feed.defs`
postView / threadViewPost / notFoundPost / blockedPost / feedViewPost,
`app.bsky.actor.defs#profileViewDetailed`, `com.atproto.server.createSession`) and the
recorded AppView output in tests/fixtures/bluesky/: field names, nesting, `cursor` paging,
XRPC errors (`{"error", "message"}` with HTTP 400/401), the 403 HTML page the public
AppView serves to anonymous search, and the IETF draft rate-limit headers Bluesky sends.
getPostThread honours `depth` the way the AppView does: posts at the limit lose `replies`.
"""

from __future__ import annotations

import copy
import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.localserver import LocalServer, Request, Response

CITY_DID = "did:plc:c7hk2mq4ynrwz3v6sdlx5fja"
CITY_HANDLE = "chino-city.bsky.social"
POST = "app.bsky.feed.post"


def ts(minutes_ago: float) -> str:
    when = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def uri(did: str, rkey: str) -> str:
    return f"at://{did}/{POST}/{rkey}"


def _headers() -> dict[str, str]:
    return {
        "ratelimit-limit": "3000",
        "ratelimit-remaining": "2990",
        "ratelimit-reset": str(int(time.time()) + 300),
        "ratelimit-policy": "3000;w=300",
    }


def ok(body: Any) -> Response:
    return Response(200, body, _headers())


def xrpc_error(status: int, error: str, message: str) -> Response:
    return Response(status, {"error": error, "message": message}, _headers())


@dataclass
class Person:
    did: str
    handle: str
    name: str = ""
    description: str = ""

    def basic(self) -> dict:
        return {
            "did": self.did,
            "handle": self.handle,
            "displayName": self.name,
            "avatar": f"https://cdn.bsky.app/img/avatar/plain/{self.did}/bafkreiavatar@jpeg",
            "viewer": {"muted": False, "blockedBy": False},
            "labels": [],
            "createdAt": "2024-02-01T00:00:00.000Z",
        }

    def detailed(self) -> dict:
        return {
            **self.basic(),
            "description": self.description,
            "followersCount": 120,
            "followsCount": 80,
            "postsCount": 42,
            "indexedAt": "2024-02-01T00:00:00.000Z",
        }


CITY = Person(CITY_DID, CITY_HANDLE, "茅野市（公式）", "長野県茅野市の公式アカウントです。")


def post_view(
    who: Person,
    rkey: str,
    text: str,
    minutes_ago: float,
    parent: str | None = None,
    root: str | None = None,
    reply_count: int = 0,
    langs: tuple[str, ...] = ("ja",),
) -> dict:
    record: dict[str, Any] = {"$type": POST, "text": text, "createdAt": ts(minutes_ago), "langs": list(langs)}
    if parent:
        cid = "bafyreiparentcid"
        record["reply"] = {"parent": {"uri": parent, "cid": cid}, "root": {"uri": root or parent, "cid": cid}}
    return {
        "$type": "app.bsky.feed.defs#postView",
        "uri": uri(who.did, rkey),
        "cid": f"bafyrei{rkey}cid",
        "author": who.basic(),
        "record": record,
        "replyCount": reply_count,
        "repostCount": 0,
        "likeCount": 3,
        "quoteCount": 0,
        "bookmarkCount": 0,
        "indexedAt": ts(minutes_ago - 0.01),
        "viewer": {"threadMuted": False, "embeddingDisabled": False},
        "labels": [],
    }


def node(view: dict, replies: list[dict] | None = None) -> dict:
    return {"$type": "app.bsky.feed.defs#threadViewPost", "post": view, "replies": replies or []}


def not_found(at_uri: str) -> dict:
    return {"$type": "app.bsky.feed.defs#notFoundPost", "uri": at_uri, "notFound": True}


def blocked(at_uri: str, did: str) -> dict:
    return {
        "$type": "app.bsky.feed.defs#blockedPost",
        "uri": at_uri,
        "blocked": True,
        "author": {"did": did, "viewer": {"blockedBy": True}},
    }


def cut(thread: dict, depth: int) -> dict:
    """The tree as getPostThread returns it for `depth`: posts at the limit lose `replies`."""
    out = copy.deepcopy(thread)
    stack = [(out, 0)]
    while stack:
        current, level = stack.pop()
        if "post" not in current:
            continue
        if level >= depth:
            current.pop("replies", None)
            continue
        stack.extend((r, level + 1) for r in current.get("replies") or [])
    return out


@dataclass
class FakeBluesky:
    """Register on a LocalServer; fill people, feeds and threads; read what was asked."""

    server: LocalServer
    people: list[Person] = field(default_factory=lambda: [CITY])
    feeds: dict[str, list[list[dict]]] = field(default_factory=dict)  # actor DID → pages of feedViewPost
    threads: dict[str, dict] = field(default_factory=dict)  # at:// uri → thread (full depth)
    search_pages: list[list[dict]] = field(default_factory=list)
    identifier: str = "kouhou-bot.bsky.social"
    password: str = "abcd-efgh-ijkl-mnop"
    access: str = "eyJhbGciOi.access-1.sig"
    refresh_token: str = "eyJhbGciOi.refresh-1.sig"
    expire_next_search: bool = False
    search_forbidden: bool = False  # answer search as the public AppView does when it blocks a client

    def __post_init__(self) -> None:
        s = self.server
        s.add("/xrpc/app.bsky.actor.getProfiles", self._profiles)
        s.add("/xrpc/app.bsky.feed.getAuthorFeed", self._author_feed)
        s.add("/xrpc/app.bsky.feed.getPostThread", self._thread)
        s.add("/xrpc/app.bsky.feed.searchPosts", self._search)
        s.add("/xrpc/com.atproto.server.createSession", self._create_session, method="POST")
        s.add("/xrpc/com.atproto.server.refreshSession", self._refresh_session, method="POST")

    def _find(self, actor: str) -> Person | None:
        return next((p for p in self.people if actor in (p.did, p.handle)), None)

    def _profiles(self, req: Request) -> Response:
        actors = req.query.get("actors", [])
        if len(actors) > 25:
            return xrpc_error(400, "InvalidRequest", "actors must not have more than 25 elements")
        found = [p.detailed() for a in actors if (p := self._find(a))]
        return ok({"profiles": found})

    def _author_feed(self, req: Request) -> Response:
        person = self._find(req.arg("actor", ""))
        if person is None:
            return xrpc_error(400, "InvalidRequest", "Profile not found")
        pages = self.feeds.get(person.did, [[]])
        index = int(req.arg("cursor") or 0)
        body: dict[str, Any] = {"feed": pages[index] if index < len(pages) else []}
        if index + 1 < len(pages):
            body["cursor"] = str(index + 1)
        return ok(body)

    def _thread(self, req: Request) -> Response:
        at_uri, depth = req.arg("uri", ""), int(req.arg("depth") or 6)
        found = self.threads.get(at_uri) or self._subtree(at_uri)
        if found is None:
            return xrpc_error(400, "NotFound", f"Post not found: {at_uri}")
        return ok({"thread": cut(found, depth)})

    def _subtree(self, at_uri: str) -> dict | None:
        """A reply's own thread, as the AppView gives for any post (its replies below it)."""
        stack = list(self.threads.values())
        while stack:
            current = stack.pop()
            if (current.get("post") or {}).get("uri") == at_uri:
                return current
            stack.extend(current.get("replies") or [])
        return None

    def _create_session(self, req: Request) -> Response:
        body = req.json()
        if body.get("identifier") != self.identifier or body.get("password") != self.password:
            return xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password")
        service = [
            {
                "id": "#atproto_pds",
                "type": "AtprotoPersonalDataServer",
                "serviceEndpoint": self.server.url(""),
            }
        ]
        return ok(
            {
                "did": "did:plc:kouhoubot5x7q2m4n6p8r3t",
                "handle": self.identifier,
                "didDoc": {"id": "did:plc:kouhoubot5x7q2m4n6p8r3t", "service": service},
                "accessJwt": self.access,
                "refreshJwt": self.refresh_token,
                "active": True,
            }
        )

    def _refresh_session(self, req: Request) -> Response:
        if req.headers.get("authorization") != f"Bearer {self.refresh_token}":
            return xrpc_error(400, "ExpiredToken", "Token has expired")
        self.access, self.refresh_token = "eyJhbGciOi.access-2.sig", "eyJhbGciOi.refresh-2.sig"
        return ok(
            {
                "did": "did:plc:kouhoubot5x7q2m4n6p8r3t",
                "handle": self.identifier,
                "accessJwt": self.access,
                "refreshJwt": self.refresh_token,
            }
        )

    def _search(self, req: Request) -> Response:
        auth = req.headers.get("authorization")
        if not auth or self.search_forbidden:
            page = "<html><head><title>403 Forbidden</title></head><body><h1>403 Forbidden</h1></body></html>"
            return Response(403, page, {"Content-Type": "text/html"})
        if self.expire_next_search:
            self.expire_next_search = False
            return xrpc_error(400, "ExpiredToken", "Token has expired")
        if auth != f"Bearer {self.access}":
            return xrpc_error(401, "InvalidToken", "Bad token scope")
        index = int(req.arg("cursor") or 0)
        posts = self.search_pages[index] if index < len(self.search_pages) else []
        body: dict[str, Any] = {"posts": posts, "hitsTotal": sum(len(p) for p in self.search_pages)}
        if index + 1 < len(self.search_pages):
            body["cursor"] = str(index + 1)
        return ok(body)


def load(name: str) -> Any:
    from tests.conftest import FIXTURES

    return json.loads((FIXTURES / "bluesky" / name).read_text("utf-8"))
