"""Bluesky: mentions of the city, the city's own posts and every reply under them.

* Mentions (`query`): `app.bsky.feed.searchPosts` needs a login since 2025, so with
  `identifier` and the app password (env `KIKIMIMI_BSKY_APP_PASSWORD`, or the variable named
  by `token_env`) it searches each term (`sort=latest`, `since` the last run, cursor paging,
  a backlog beyond `max_pages` is finished on later cycles). Without a session it reads
  Jetstream from the saved cursor and keeps posts that name the city (`query` + the city's
  aliases), mention or quote its accounts, or reply anywhere under their posts.
* Accounts (`accounts`, anonymous): see `bluesky_threads`.
* Authors: one `getProfiles` call per 25 authors fills `author_description`.

A part that fails is noted on the source's health while the others still collect; the
source fails only when every part did. Nothing is logged that could hold a secret.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from functools import partial
from typing import ClassVar

from collector.http import FetchError, Http, RateLimited
from collector.settings import Settings, SourceSettings
from collector.sources.base import Batch, SourceDisabled, State
from collector.sources.bluesky_api import PASSWORD_ENV, LoginFailed, Xrpc
from collector.sources.bluesky_posts import (
    POST_NSID,
    Official,
    TermMatcher,
    mentioned_dids,
    parse_time,
    post_from_record,
    post_from_view,
    quoted_uri,
    reply_refs,
    searchable_text,
)
from collector.sources.bluesky_threads import OVERLAP, Run, collect_account, fill_profiles
from collector.sources.cursors import from_iso, iso, json_state, read_json
from collector.sources.jetstream import DEFAULT_URL, read_stream
from collector.sources.parts import Parts
from collector.store import utcnow


def wanted(matcher: TermMatcher, official: Official, event: dict) -> bool:
    """Keep a Jetstream event? A new post that names the city or answers, quotes or mentions it."""
    commit = event.get("commit")
    if event.get("kind") != "commit" or not isinstance(commit, dict):
        return False
    if commit.get("collection") != POST_NSID or commit.get("operation") not in ("create", "update"):
        return False
    record = commit.get("record")
    if not isinstance(record, dict) or not isinstance(commit.get("rkey"), str):
        return False
    if event.get("did") in official.dids or matcher.matches(searchable_text(record)):
        return True
    parent, root = reply_refs(record)
    if any(official.owns(u) for u in (parent, root, quoted_uri(record))):
        return True
    return bool(mentioned_dids(record) & official.dids)


class BlueskyCollector:
    kind: ClassVar[str] = "bluesky"
    thread_depth: int = 100  # getPostThread depth; deeper branches are read separately
    stream_seconds: float = 20.0  # longest Jetstream read per collect (the daemon cycles every 30 s)
    stream_idle: float = 5.0  # a stream this quiet has nothing more for now

    async def collect(
        self, source: SourceSettings, states: dict[str, State], http: Http, settings: Settings
    ) -> Batch:
        if not source.query and not source.accounts:
            raise SourceDisabled(
                f"source {source.name!r}: set query (terms to watch) or accounts (the city's handles)"
            )
        run = Run(source, states, Xrpc(http, source.base_url, source.auth_url), utcnow())
        run.thread_depth = self.thread_depth
        parts = Parts()
        profiles: dict[str, dict] = {}
        resolved = False
        if source.accounts:
            try:
                resolved = await self._resolve(run, profiles)
            except RateLimited:
                raise
            except FetchError as e:
                parts.fail("accounts", e, parts=len(source.accounts))
            for handle in source.accounts if resolved else ():
                profile = profiles.get(handle.lower().lstrip("@"))
                if profile is None:
                    parts.fail(f"account {handle}", "not found on Bluesky (check accounts)")
                else:
                    await parts.run(f"account {handle}", collect_account(run, handle, profile))
        if source.query:
            await parts.run("mentions", self._mentions(run, settings))
        parts.raise_if_all_failed()
        if run.actors:
            await parts.run("author profiles", fill_profiles(run), counts=False)
        return Batch(posts=list(run.posts.values()), states=run.new_states, errors=parts.notes + run.notes)

    async def _resolve(self, run: Run, profiles: dict[str, dict]) -> bool:
        """The city's handles → DIDs (and their profiles), which the stream and threads match on."""
        handles = [h.lower().lstrip("@") for h in run.source.accounts]
        profiles.update(await run.xrpc.profiles(handles))
        dids = {str(p["did"]) for p in profiles.values()}
        run.official = Official(dids=frozenset(dids), handles=frozenset(handles))
        return True

    async def _mentions(self, run: Run, settings: Settings) -> None:
        identifier = run.source.identifier
        env = run.source.token_env or PASSWORD_ENV
        password = os.environ.get(env, "")
        if identifier and password:
            try:
                await run.xrpc.login(identifier, password, env)
                for term in run.source.query:
                    await self._search(run, term)
                # search covers everything up to now: a later fallback to the stream starts here
                run.new_states.append(State(key="jetstream", cursor=str(int(run.now.timestamp() * 1e6))))
                return
            except LoginFailed as e:
                run.notes.append(f"{e}; watching Jetstream instead")
            except FetchError as e:
                if e.status not in (401, 403):
                    raise
                run.notes.append(f"search refused ({e}); watching Jetstream instead")
        elif identifier:
            run.notes.append(
                f"search needs the app password of {identifier} in env {env}; watching Jetstream instead"
            )
        await self._jetstream(run, settings)

    async def _search(self, run: Run, term: str) -> None:
        """New results since the last run; a backlog beyond max_pages is kept as a gap and finished later."""
        key = f"search:{term}"
        saved = read_json(run.states.get(key))
        newest = from_iso(saved.get("newest"))
        gap = saved.get("gap") if isinstance(saved.get("gap"), list) else None
        budget = max(1, run.source.max_pages)
        since = iso(newest - OVERLAP) if newest else None
        top, oldest, more, used = await self._search_pages(run, term, since, None, budget)
        if more and since and oldest:
            gap = [gap[0], oldest] if gap else [since, oldest]
        elif gap and used < budget:
            _, older, more, _ = await self._search_pages(run, term, gap[0], gap[1], budget - used)
            gap = [gap[0], older] if more and older else None
        if more and not since:
            run.notes.append(f"search {term!r}: first run keeps the newest {budget} pages only")
        newest = max(d for d in (newest, top) if d) if (newest or top) else None
        run.new_states.append(json_state(key, {"newest": iso(newest) if newest else None, "gap": gap}))

    async def _search_pages(
        self, run: Run, term: str, since: str | None, until: str | None, budget: int
    ) -> tuple[datetime | None, str | None, bool, int]:
        """(newest indexedAt, oldest sortAt, more left, pages used), newest first."""
        cursor: str | None = None
        top: datetime | None = None
        oldest: str | None = None
        for used in range(1, budget + 1):
            body = await run.xrpc.authed_get(
                "app.bsky.feed.searchPosts",
                {"q": term, "sort": "latest", "limit": 100, "since": since, "until": until, "cursor": cursor},
            )
            views = [v for v in body.get("posts") or [] if isinstance(v, dict)]
            for view in views:
                run.emit(post_from_view(view, run.official), str((view.get("author") or {}).get("did", "")))
                record = view.get("record") if isinstance(view.get("record"), dict) else {}
                times = [
                    t for t in (parse_time(view.get("indexedAt")), parse_time(record.get("createdAt"))) if t
                ]
                if times:
                    top = max(top, max(times)) if top else max(times)
                    oldest = min(oldest, iso(min(times))) if oldest else iso(min(times))
            cursor = body.get("cursor")
            if not views or not cursor:
                return top, oldest, False, used
        return top, oldest, True, budget

    async def _jetstream(self, run: Run, settings: Settings) -> None:
        saved = run.states.get("jetstream")
        cursor = int(saved.cursor) if saved and saved.cursor and saved.cursor.isdigit() else None
        matcher = TermMatcher.of([*run.source.query, *settings.city.aliases])
        read = await read_stream(
            run.source.stream_url or DEFAULT_URL,
            cursor=cursor,
            keep=partial(wanted, matcher, run.official),
            user_agent=settings.user_agent,
            max_seconds=self.stream_seconds,
            idle_seconds=self.stream_idle,
        )
        for event in read.kept:
            did, commit = str(event["did"]), event["commit"]
            uri = f"at://{did}/{POST_NSID}/{commit['rkey']}"
            stamp = datetime.fromtimestamp(event["time_us"] / 1e6, UTC) if event.get("time_us") else None
            post = post_from_record(
                uri,
                commit["record"],
                run.official,
                author={"did": did},
                indexed_at=iso(stamp) if stamp else None,
            )
            run.emit(post, did)
        if read.note:
            run.notes.append(read.note)
        if read.cursor:
            run.new_states.append(State(key="jetstream", cursor=str(read.cursor)))
