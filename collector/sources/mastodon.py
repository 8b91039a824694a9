"""Mastodon (any instance at `base_url`): hashtags, the city's accounts and every reply, search.

* `hashtags`: `/api/v1/timelines/tag/:tag`, walked forward from the last id with `min_id`
  (Link-header paging), so nothing between two runs is skipped; the instance's
  `configuration.timelines_access` is read first to explain an empty or closed feed.
* `accounts`: `/api/v1/accounts/lookup` once (the id is kept), the account's statuses the
  same way, and `/api/v1/statuses/:id/context` for each of its posts younger than
  `THREAD_WINDOW`, every cycle: every reply, whether or not it names the city. Anonymous
  context stops at 60 replies; with a token it gives up to 4,096.
* `query`: `/api/v2/search?type=statuses` returns statuses only to a logged-in user on an
  instance with full-text search, so it runs only with a token (env named by `token_env`);
  without one it is skipped with a note. A token is sent on every call when there is one.

Rate limits: `X-RateLimit-*` (the reset is an ISO date) and 429 are handled by `Http`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

import httpx

from collector.http import FetchError, Http, RateLimited
from collector.settings import Settings, SourceSettings
from collector.sources.base import Batch, NewPost, SourceDisabled, State
from collector.sources.cursors import from_iso, iso, json_state, read_json, threads_to_read
from collector.sources.mastodon_posts import (
    Officials,
    id_order,
    newest_id,
    original,
    page_params,
    status_to_post,
)
from collector.sources.parts import Parts
from collector.store import utcnow

PAGE = 40  # the API's maximum `limit`
THREAD_WINDOW = timedelta(days=14)
MAX_THREADS = 60  # contexts read per account per cycle (see cursors.threads_to_read)
MAX_PARENT_LOOKUPS = 40  # GET /statuses/:id per cycle for parents not seen otherwise
CONTEXT_CAP = {False: 60, True: 4096}  # descendants /context returns without / with a token


@dataclass
class Run:
    """One collect() call against one instance."""

    source: SourceSettings
    states: dict[str, State]
    http: Http
    base: str
    token: str
    now: datetime
    officials: Officials = field(default_factory=Officials)
    posts: dict[str, NewPost] = field(default_factory=dict)
    uri_by_id: dict[str, str] = field(default_factory=dict)
    parents: list[tuple[NewPost, str]] = field(default_factory=list)
    new_states: list[State] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def host(self) -> str:
        return urlsplit(self.base).netloc

    async def get(
        self, path: str, params: dict[str, Any], expect: tuple[int, ...] = (200,)
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        clean = {k: v for k, v in params.items() if v not in (None, "")}
        return await self.http.get(self.base + path, params=clean, headers=headers, expect=expect)

    def add(
        self, status: Any, thread_root: str | None = None, under_official: bool = False
    ) -> NewPost | None:
        """Map a status once (boosts unwrapped); remember its id → uri for parent links."""
        if not isinstance(status, dict):
            return None
        post = status_to_post(status, self.host, self.officials)
        if post is None:
            return None
        inner = original(status)
        self.uri_by_id[str(inner.get("id"))] = post.external_id
        if thread_root and thread_root != post.external_id:
            post.thread_root = thread_root
            post.reply_to_official = under_official and not post.is_official
        known = self.posts.get(post.external_id)
        if known is not None:
            known.reply_to_official = known.reply_to_official or post.reply_to_official
            known.thread_root = known.thread_root or post.thread_root
            return known
        self.posts[post.external_id] = post
        if inner.get("in_reply_to_id"):
            self.parents.append((post, str(inner["in_reply_to_id"])))
        return post


def _json(response: httpx.Response, what: str, kind: type) -> Any:
    try:
        data = response.json()
    except ValueError:
        raise FetchError(f"{what}: HTTP {response.status_code} with a body that is not JSON", 200) from None
    if not isinstance(data, kind):
        raise FetchError(f"{what}: expected a JSON {kind.__name__}, got {type(data).__name__}")
    return data


class MastodonCollector:
    kind: ClassVar[str] = "mastodon"

    async def collect(
        self, source: SourceSettings, states: dict[str, State], http: Http, settings: Settings
    ) -> Batch:
        if not source.base_url:
            raise SourceDisabled(f'source {source.name!r}: set base_url = "https://<instance>"')
        env = source.token_env
        token = os.environ.get(env, "").strip() if env else ""
        if not source.hashtags and not source.accounts:
            if not source.query:
                raise SourceDisabled(f"source {source.name!r}: set hashtags, accounts or query")
            if not token:
                raise SourceDisabled(
                    f"source {source.name!r}: Mastodon searches statuses only for a logged-in user: "
                    f"put an access token (read:search) in env {env or '(name it with token_env)'}"
                )
        run = Run(source, states, http, source.base_url.rstrip("/"), token, utcnow())
        run.officials = Officials(
            frozenset(str(read_json(states.get(f"account:{a}")).get("id") or "") for a in source.accounts)
            - {""}
        )
        parts = Parts()
        for acct in source.accounts:  # accounts first: their ids mark the city's posts everywhere else
            await parts.run(f"account {acct}", self._account(run, acct))
        if source.hashtags and await self._hashtags_open(run):
            for tag in source.hashtags:
                await parts.run(f"#{tag.lstrip('#')}", self._hashtag(run, tag.lstrip("#")))
        if source.query and token:
            for q in source.query:
                await parts.run(f"search {q!r}", self._search(run, q))
        elif source.query:
            run.notes.append(
                f"full-text search skipped: it needs a user token in env {env or '(set token_env)'}"
            )
        parts.raise_if_all_failed()
        await parts.run("reply parents", self._parents(run), counts=False)
        return Batch(posts=list(run.posts.values()), states=run.new_states, errors=parts.notes + run.notes)

    async def _forward(
        self, run: Run, path: str, since: str | None, params: dict[str, Any]
    ) -> tuple[list[dict], str | None]:
        """Statuses newer than `since`, walking forward with min_id (gapless); first run: newest pages."""
        statuses: list[dict] = []
        newest = since
        cursor = {"min_id": since} if since else {}
        for _ in range(max(1, run.source.max_pages)):
            response = await run.get(path, {**params, "limit": PAGE, **cursor}, expect=(200, 404))
            if response.status_code == 404:  # a hashtag nobody used yet
                break
            page = [s for s in _json(response, path, list) if isinstance(s, dict) and s.get("id")]
            if not page:
                break
            statuses.extend(page)
            newest = newest_id([str(s["id"]) for s in page], newest)
            links = page_params(response)
            if since:
                cursor = {
                    "min_id": links.get("prev", {}).get("min_id") or newest_id([str(s["id"]) for s in page])
                }
            else:
                oldest = min((str(s["id"]) for s in page), key=id_order)
                cursor = {"max_id": links.get("next", {}).get("max_id") or oldest}
            if len(page) < PAGE:
                break
        return statuses, newest

    async def _hashtags_open(self, run: Run) -> bool:
        """Read `configuration.timelines_access` (4.5+) so a closed feed is explained, not silent."""
        try:
            response = await run.get("/api/v2/instance", {}, expect=(200, 404))
            body = _json(response, "instance", dict) if response.status_code == 200 else {}
        except RateLimited:
            raise
        except FetchError:
            return True
        access = ((body.get("configuration") or {}).get("timelines_access") or {}).get("hashtag_feeds") or {}
        values = {access.get("local"), access.get("remote")} - {None}
        if values == {"disabled"}:
            run.notes.append(f"{run.host} has hashtag timelines disabled: hashtags skipped")
            return False
        if "authenticated" in values and not run.token:
            run.notes.append(f"{run.host} shows hashtag timelines to logged-in users only: set token_env")
        return True

    async def _hashtag(self, run: Run, tag: str) -> None:
        key = f"tag:{tag}"
        saved = run.states.get(key)
        statuses, newest = await self._forward(
            run, f"/api/v1/timelines/tag/{quote(tag, safe='')}", saved.cursor if saved else None, {}
        )
        for status in statuses:
            run.add(status)
        if newest:
            run.new_states.append(State(key=key, cursor=newest))

    async def _account(self, run: Run, acct: str) -> None:
        key = f"account:{acct}"
        saved = read_json(run.states.get(key))
        account_id = str(saved.get("id") or "")
        if not account_id:
            response = await run.get("/api/v1/accounts/lookup", {"acct": acct.lstrip("@")}, expect=(200, 404))
            if response.status_code == 404:
                raise FetchError(f"{acct} is not known on {run.host} (check accounts)", 404)
            account_id = str(_json(response, "accounts/lookup", dict).get("id") or "")
            if not account_id:
                raise FetchError(f"accounts/lookup for {acct} returned no id")
            run.officials = Officials(run.officials.ids | {account_id})
        statuses, newest = await self._forward(
            run,
            f"/api/v1/accounts/{account_id}/statuses",
            saved.get("newest"),
            {"exclude_reblogs": "true"},
        )
        threads = {k: v for k, v in (saved.get("threads") or {}).items() if isinstance(v, dict)}
        window_start = run.now - THREAD_WINDOW
        for status in statuses:
            post = run.add(status) if not status.get("reblog") else None
            if post and post.created_at and post.created_at >= window_start:
                threads.setdefault(str(status["id"]), {"uri": post.external_id, "at": iso(post.created_at)})
        live = {k: v for k, v in threads.items() if (from_iso(v.get("at")) or run.now) >= window_start}
        for status_id in threads_to_read(live, MAX_THREADS):
            live[status_id]["read"] = iso(run.now)
            try:
                if not await self._context(run, status_id, live[status_id]["uri"]):
                    del live[status_id]  # deleted
            except RateLimited:
                raise
            except FetchError as e:
                run.notes.append(f"replies to {live[status_id]['uri']}: {e}")
        run.new_states.append(
            json_state(key, {"id": account_id, "newest": newest or saved.get("newest"), "threads": live})
        )

    async def _context(self, run: Run, status_id: str, root_uri: str) -> bool:
        """Every reply below the official status (any depth); False when the status is gone."""
        response = await run.get(f"/api/v1/statuses/{status_id}/context", {}, expect=(200, 404))
        if response.status_code == 404:
            return False
        descendants = _json(response, "statuses/context", dict).get("descendants") or []
        run.uri_by_id[status_id] = root_uri
        for status in descendants:
            run.add(status, thread_root=root_uri, under_official=True)
        cap = CONTEXT_CAP[bool(run.token)]
        if len(descendants) >= cap:
            hint = "" if run.token else ": set token_env to read up to 4,096"
            run.notes.append(f"replies to {root_uri}: {len(descendants)} is all /context gives{hint}")
        return True

    async def _search(self, run: Run, q: str) -> None:
        """Statuses newer than the last run, newest first down to it (max_id paging within the budget)."""
        key = f"search:{q}"
        saved = run.states.get(key)
        floor = saved.cursor if saved else None
        newest, ceiling = floor, None
        for _ in range(max(1, run.source.max_pages)):
            response = await run.get(
                "/api/v2/search",
                {"q": q, "type": "statuses", "limit": PAGE, "min_id": floor, "max_id": ceiling},
            )
            statuses = [
                s for s in _json(response, "search", dict).get("statuses") or [] if isinstance(s, dict)
            ]
            statuses = [
                s for s in statuses if s.get("id") and (not floor or id_order(s["id"]) > id_order(floor))
            ]
            for status in statuses:
                run.add(status)
            if not statuses:
                break
            ids = [str(s["id"]) for s in statuses]
            newest, ceiling = newest_id(ids, newest), min(ids, key=id_order)
            if len(statuses) < PAGE:
                break
        else:
            run.notes.append(f"search {q!r}: more than {run.source.max_pages} pages, the oldest skipped")
        if newest:
            run.new_states.append(State(key=key, cursor=newest))

    async def _parents(self, run: Run) -> None:
        """Parent ids → uris: from this run's statuses, else one lookup each (bounded)."""
        unknown = list(dict.fromkeys(pid for _, pid in run.parents if pid not in run.uri_by_id))
        try:
            for pid in unknown[:MAX_PARENT_LOOKUPS]:
                response = await run.get(f"/api/v1/statuses/{pid}", {}, expect=(200, 404))
                if response.status_code == 200:
                    status = original(_json(response, "statuses/:id", dict))
                    if isinstance(status.get("uri"), str):
                        run.uri_by_id[pid] = status["uri"]
        finally:
            for post, pid in run.parents:
                post.in_reply_to = run.uri_by_id.get(pid)
        if len(unknown) > MAX_PARENT_LOOKUPS:
            run.notes.append(f"{len(unknown) - MAX_PARENT_LOOKUPS} reply parents left unresolved")
