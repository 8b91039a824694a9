"""The city's own Bluesky posts (getAuthorFeed) and every reply under them (getPostThread), anonymously.

Each official post younger than `THREAD_WINDOW` is tracked in the account's state and its
thread is read again every cycle, so replies keep arriving for as long as people answer,
whether or not they name the city. Only replies indexed since the last read (with an
overlap) are handed on, so a long thread does not cost a profile lookup per reply per cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from collector.http import FetchError, RateLimited
from collector.settings import SourceSettings
from collector.sources.base import NewPost, State
from collector.sources.bluesky_api import Xrpc
from collector.sources.bluesky_posts import (
    Official,
    is_hidden,
    parse_time,
    post_from_view,
    walk_thread,
    web_url,
)
from collector.sources.cursors import from_iso, iso, json_state, read_json, threads_to_read

THREAD_WINDOW = timedelta(days=14)  # how long an official post's replies are followed
OVERLAP = timedelta(minutes=10)  # re-read this much before the last mark: late indexing, clock skew
MAX_THREADS = 60  # threads read per account per cycle (see cursors.threads_to_read)
MAX_SUBTHREADS = 40  # extra reads per thread for branches the depth limit cut off
MAX_PROFILE_ACTORS = 5000  # author profiles looked up per cycle


@dataclass
class Run:
    """One collect() call: where the posts, states and notes of every part are gathered."""

    source: SourceSettings
    states: dict[str, State]
    xrpc: Xrpc
    now: datetime
    official: Official = field(default_factory=Official)
    posts: dict[str, NewPost] = field(default_factory=dict)
    actors: dict[str, str] = field(default_factory=dict)  # external_id → author DID
    new_states: list[State] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    thread_depth: int = 100

    def emit(self, post: NewPost | None, did: str = "") -> NewPost | None:
        """Add a post once; seen again (feed, thread, stream), its flags are merged, not doubled."""
        if post is None:
            return None
        known = self.posts.get(post.external_id)
        if known is None:
            self.posts[post.external_id] = post
            if did:
                self.actors[post.external_id] = did
            return post
        known.reply_to_official = known.reply_to_official or post.reply_to_official
        known.is_official = known.is_official or post.is_official
        return known


def _did(view: dict) -> str:
    author = view.get("author")
    return str(author.get("did") or "") if isinstance(author, dict) else ""


def _when(view: dict) -> datetime | None:
    return parse_time(view.get("indexedAt")) or parse_time((view.get("record") or {}).get("createdAt"))


async def collect_account(run: Run, handle: str, profile: dict) -> None:
    """The account's new posts, then the threads under its recent ones; state saved as JSON."""
    did = str(profile["did"])
    key = f"account:{handle}"
    saved = read_json(run.states.get(key))
    newest = from_iso(saved.get("newest"))
    threads: dict[str, dict] = {
        uri: t for uri, t in (saved.get("threads") or {}).items() if isinstance(t, dict)
    }
    window_start = run.now - THREAD_WINDOW
    top = newest
    cursor: str | None = None
    for _ in range(max(1, run.source.max_pages)):
        body = await run.xrpc.get(
            "app.bsky.feed.getAuthorFeed",
            {"actor": did, "limit": 100, "cursor": cursor, "filter": "posts_with_replies"},
        )
        feed = [item for item in body.get("feed") or [] if isinstance(item, dict)]
        stop = False
        for item in feed:
            view, reason = item.get("post"), item.get("reason") or {}
            if not isinstance(view, dict) or _did(view) != did:
                continue  # a repost of someone else's post: not the city's words
            if "reasonRepost" in str(reason.get("$type", "")):
                continue
            when = _when(view)
            post = post_from_view(view, run.official)
            if post is None or when is None:
                continue
            if newest is None or when >= newest - OVERLAP:  # older ones were handed on before
                run.emit(post, did)
                for ref in ((item.get("reply") or {}).get(k) for k in ("parent", "root")):
                    if isinstance(ref, dict) and not is_hidden(ref) and ref.get("uri"):
                        run.emit(post_from_view(ref, run.official), _did(ref))  # who the city answered
            if when >= window_start:
                threads.setdefault(post.external_id, {"at": iso(when), "seen": ""})
            pinned = "reasonPin" in str(reason.get("$type", ""))
            if not pinned:
                top = max(top, when) if top else when
                if (newest and when <= newest) or when < window_start:
                    stop = True
        cursor = body.get("cursor")
        if stop or not feed or not cursor:
            break
    live = {u: t for u, t in threads.items() if (from_iso(t.get("at")) or run.now) >= window_start}
    for uri in threads_to_read(live, MAX_THREADS):
        live[uri]["read"] = iso(run.now)
        try:
            if not await collect_thread(run, uri, live[uri]):
                del live[uri]  # the post is gone
        except RateLimited:
            raise
        except FetchError as e:  # this thread is read again next cycle; the others go on
            run.notes.append(f"thread {uri}: {e}")
    run.new_states.append(json_state(key, {"newest": iso(top) if top else None, "threads": live}))


async def _thread_views(run: Run, uri: str) -> list[dict] | None:
    """Every post in the thread below `uri` (root first); None when the root no longer exists."""
    body = await run.xrpc.get(
        "app.bsky.feed.getPostThread",
        {"uri": uri, "depth": run.thread_depth, "parentHeight": 0},
        tolerate=("NotFound",),
    )
    thread = body.get("thread")
    if body.get("error") == "NotFound" or not isinstance(thread, dict) or thread.get("notFound") is True:
        return None
    if is_hidden(thread):  # blocked for this viewer: keep following it, it may come back
        run.notes.append(f"thread {uri}: the AppView shows it as blocked")
        return []
    walk = walk_thread(thread)
    views, pending, fetched = walk.views, list(walk.truncated), {uri}
    while pending and len(fetched) <= MAX_SUBTHREADS:
        sub_uri = pending.pop(0)
        if sub_uri in fetched:
            continue
        fetched.add(sub_uri)
        sub = await run.xrpc.get(
            "app.bsky.feed.getPostThread",
            {"uri": sub_uri, "depth": run.thread_depth, "parentHeight": 0},
            tolerate=("NotFound",),
        )
        if isinstance(sub.get("thread"), dict):
            deeper = walk_thread(sub["thread"])
            views.extend(deeper.views[1:])
            pending.extend(deeper.truncated)
    if pending:
        run.notes.append(f"thread {uri}: {len(pending)} deep branches left for the next cycle")
    return views


async def collect_thread(run: Run, uri: str, track: dict) -> bool:
    """The official post's replies (all depths) since the last read; False when the post is gone."""
    views = await _thread_views(run, uri)
    if views is None:
        return False
    seen = from_iso(track.get("seen"))
    cutoff = seen - OVERLAP if seen else None
    latest = seen
    for i, view in enumerate(views):
        indexed = parse_time(view.get("indexedAt"))
        if indexed and (latest is None or indexed > latest):
            latest = indexed
        if i and cutoff and indexed and indexed < cutoff:
            continue
        post = post_from_view(view, run.official)
        if post is not None and i:
            post.reply_to_official = not post.is_official  # every reply under the city's post
        run.emit(post, _did(view))
    if latest:
        track["seen"] = iso(latest)
    return True


async def fill_profiles(run: Run) -> None:
    """Author descriptions (leak detection reads them), handles and names, 25 profiles per call."""
    wanted = list(dict.fromkeys(run.actors.values()))
    if len(wanted) > MAX_PROFILE_ACTORS:
        run.notes.append(f"{len(wanted) - MAX_PROFILE_ACTORS} author profiles left for the next cycle")
        wanted = wanted[:MAX_PROFILE_ACTORS]
    found = await run.xrpc.profiles(wanted)
    for external_id, did in run.actors.items():
        profile = found.get(did)
        post = run.posts[external_id]
        if not profile:
            continue
        post.author_description = str(profile.get("description") or "")
        post.author_name = post.author_name or str(profile.get("displayName") or "")
        handle = str(profile.get("handle") or "")
        if handle and handle != "handle.invalid":
            post.author = handle
            post.url = web_url(external_id, handle) or post.url
