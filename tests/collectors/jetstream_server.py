"""A Jetstream look-alike on 127.0.0.1 (real WebSocket, own thread) for the Bluesky collector tests.

It behaves as the Jetstream v1 README describes `/subscribe`: `wantedCollections` filters
commit events (identity and account events always pass), `cursor` (unix µs) replays stored
events from that time on, and then the "live" stream continues: here one identity event
stamped with the current time, after which the socket stays open and quiet.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import ServerConnection, serve


def now_us() -> int:
    return int(time.time() * 1_000_000)


def post_event(did: str, rkey: str, time_us: int, record: dict, operation: str = "create") -> dict:
    """A commit event for app.bsky.feed.post, as Jetstream sends it."""
    return {
        "did": did,
        "time_us": time_us,
        "kind": "commit",
        "commit": {
            "rev": f"3l{rkey[:8]}rev",
            "operation": operation,
            "collection": "app.bsky.feed.post",
            "rkey": rkey,
            "record": {"$type": "app.bsky.feed.post", **record},
            "cid": f"bafyreib{rkey.lower()[:20]:a<20}",
        },
    }


def delete_event(did: str, rkey: str, time_us: int) -> dict:
    return {
        "did": did,
        "time_us": time_us,
        "kind": "commit",
        "commit": {
            "rev": "3ldelrev",
            "operation": "delete",
            "collection": "app.bsky.feed.post",
            "rkey": rkey,
        },
    }


def identity_event(did: str, handle: str, time_us: int) -> dict:
    return {
        "did": did,
        "time_us": time_us,
        "kind": "identity",
        "identity": {"did": did, "handle": handle, "seq": 1409752997, "time": "2026-11-24T06:11:04.870Z"},
    }


def account_event(did: str, time_us: int, active: bool = True) -> dict:
    return {
        "did": did,
        "time_us": time_us,
        "kind": "account",
        "account": {"active": active, "did": did, "seq": 1409753013, "time": "2026-11-24T06:11:04.870Z"},
    }


class JetstreamServer:
    """`events` (dicts, or raw strings for garbage frames) are replayed from a client's cursor."""

    def __init__(self) -> None:
        self.events: list[dict | str] = []
        self.requests: list[dict[str, list[str]]] = []  # query of each subscription
        self.user_agents: list[str] = []
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: asyncio.Future[None] | None = None
        self.port = 0
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self._ready.wait(5)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/subscribe"

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._serve())

    async def _serve(self) -> None:
        self._stop = self._loop.create_future()
        async with serve(self._handler, "127.0.0.1", 0) as server:
            self.port = server.sockets[0].getsockname()[1]
            self._ready.set()
            await self._stop

    async def _handler(self, ws: ServerConnection) -> None:
        query = parse_qs(urlsplit(ws.request.path).query)
        self.requests.append(query)
        self.user_agents.append(ws.request.headers.get("User-Agent", ""))
        wanted = set(query.get("wantedCollections", []))
        cursor = int(query["cursor"][0]) if "cursor" in query else None
        for event in list(self.events):
            if isinstance(event, str):
                await ws.send(event)
                continue
            if cursor is None or event["time_us"] < cursor:
                continue  # without a cursor only live events arrive
            commit = event.get("commit")
            if commit and wanted and commit.get("collection") not in wanted:
                continue
            await ws.send(json.dumps(event, ensure_ascii=False))
        await ws.send(json.dumps(identity_event("did:plc:livetail", "live.bsky.social", now_us() + 1000)))
        try:
            await ws.wait_closed()
        except Exception:
            pass

    def close(self) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set_result, None)
        self._thread.join(5)

    def __enter__(self) -> JetstreamServer:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
