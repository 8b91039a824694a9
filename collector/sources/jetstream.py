"""Read Bluesky's Jetstream (JSON event stream over WebSocket) for a bounded time from a cursor.

Jetstream has no server-side text filter, so the caller passes a `keep` predicate. One call
reads from the saved cursor until it has caught up with the live stream (an event stamped
after the call began), or its time or event budget is spent, or the stream goes quiet; it
returns the kept events and the `time_us` of the last event read, which the caller saves
with the posts so the next call resumes there. This fits a daemon that collects every
30 seconds: no connection outlives a cycle, and nothing is lost between cycles as long as
the cursor is within the stream's retention (a gap is reported when it is not).

Frames follow the Jetstream v1 `/subscribe` endpoint (bluesky-social/jetstream README):
`{"did", "time_us", "kind": "commit"|"identity"|"account", "commit": {"rev", "operation":
"create"|"update"|"delete", "collection", "rkey", "record"?, "cid"?}}`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from collector.http import FetchError

log = logging.getLogger("kikimimi.jetstream")

DEFAULT_URL = "wss://jetstream2.us-east.bsky.network/subscribe"
REWIND_US = 2_000_000  # "rewind your cursor a few seconds for gapless playback" (Jetstream README)
GAP_US = 60_000_000  # a resume that starts later than this after the cursor lost events


@dataclass
class StreamRead:
    """What one bounded read of the stream produced."""

    kept: list[dict] = field(default_factory=list)
    cursor: int | None = None  # time_us of the last event read: where the next read resumes
    events: int = 0
    unreadable: int = 0
    first_time_us: int | None = None
    ended: str = ""  # caught_up | time | idle | max_events | closed
    note: str = ""


def subscribe_url(base: str, collections: Sequence[str], cursor: int | None) -> str:
    params: list[tuple[str, str]] = [("wantedCollections", c) for c in collections]
    if cursor is not None:
        params.append(("cursor", str(max(0, cursor - REWIND_US))))
    return base + ("&" if "?" in base else "?") + urlencode(params)


def _time_us(event: dict) -> int | None:
    value = event.get("time_us")
    return value if isinstance(value, int) and value > 0 else None


async def read_stream(
    url: str,
    *,
    cursor: int | None,
    keep: Callable[[dict], bool],
    user_agent: str,
    collections: Sequence[str] = ("app.bsky.feed.post",),
    max_seconds: float = 20.0,
    idle_seconds: float = 5.0,
    max_events: int = 500_000,
    open_timeout: float = 10.0,
) -> StreamRead:
    """Read from `cursor` (None = live) until caught up or a budget runs out; see the module doc."""
    host = urlsplit(url).netloc or url
    read = StreamRead(cursor=cursor)
    started_us = int(time.time() * 1_000_000)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + max_seconds
    target = subscribe_url(url, collections, cursor)
    try:
        async with connect(
            target, user_agent_header=user_agent, open_timeout=open_timeout, max_size=2**22, compression=None
        ) as ws:
            while True:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    read.ended = "time"
                    break
                try:
                    frame = await asyncio.wait_for(ws.recv(), timeout=min(idle_seconds, remaining))
                except TimeoutError:
                    read.ended = "time" if loop.time() >= deadline else "idle"
                    break
                except ConnectionClosed as e:
                    read.ended = "closed"
                    read.note = f"Jetstream {host} closed the stream ({e.rcvd.code if e.rcvd else 'no code'})"
                    break
                if _take(read, frame, keep) >= started_us:
                    read.ended = "caught_up"
                    break
                if read.events >= max_events:
                    read.ended = "max_events"
                    break
    except (OSError, InvalidHandshake, InvalidURI, TimeoutError) as e:
        if read.events:  # keep what was read before the failure
            read.ended, read.note = "closed", f"Jetstream {host}: {type(e).__name__}: {e}"
        else:
            raise FetchError(f"Jetstream {host}: cannot subscribe: {type(e).__name__}: {e}") from None
    if cursor is not None and read.first_time_us and read.first_time_us - cursor > GAP_US:
        minutes = (read.first_time_us - cursor) / 60_000_000
        gap = (
            f"Jetstream resumed {minutes:.0f} min after the saved cursor: events in between are no "
            "longer kept by the stream, posts from that time may be missing"
        )
        read.note = f"{read.note}; {gap}" if read.note else gap
    log.info(
        "jetstream host=%s events=%d kept=%d ended=%s cursor=%s",
        host,
        read.events,
        len(read.kept),
        read.ended,
        read.cursor,
    )
    return read


def _take(read: StreamRead, frame: str | bytes, keep: Callable[[dict], bool]) -> int:
    """Account for one frame; returns its time_us (0 when it has none)."""
    try:
        event = json.loads(frame)
    except (ValueError, UnicodeDecodeError):
        read.unreadable += 1
        return 0
    if not isinstance(event, dict):
        read.unreadable += 1
        return 0
    read.events += 1
    stamp = _time_us(event)
    if stamp:
        read.first_time_us = read.first_time_us or stamp
        read.cursor = max(read.cursor or 0, stamp)
    try:
        if keep(event):
            read.kept.append(event)
    except (KeyError, TypeError, AttributeError, ValueError):
        read.unreadable += 1
    return stamp or 0
