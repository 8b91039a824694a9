"""X (API v2): recent search for the city's terms, and every reply under the official accounts' posts.

Bearer token from the env var named by `token_env` (default KIKIMIMI_X_BEARER_TOKEN); without
one the source is disabled, never an error. X is paid per post read, so each list is read only
above the last id collected (`since_id`), at most `max_pages` pages of 100 per run, and the
replies to all watched official posts share one search (`conversation_id:A OR ... OR to:user`).
Rate-limit headers are honoured by the shared client; a run that hits the limit keeps what it
read and resumes below it next time.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from typing import Any, ClassVar

from collector.http import FetchError, Http, RateLimited
from collector.settings import Settings, SourceSettings
from collector.sources.base import Batch, NewPost, SourceDisabled, State
from collector.sources.x_api import Cursor, Page, XApi, XInvalid, tweet_to_post

log = logging.getLogger("kikimimi.x")

DEFAULT_BASE = "https://api.x.com"
DEFAULT_TOKEN_ENV = "KIKIMIMI_X_BEARER_TOKEN"
FIELDS = {
    "tweet.fields": "created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets,"
    "public_metrics,lang,note_tweet",
    "expansions": "author_id,referenced_tweets.id",
    "user.fields": "description,username,name",
}
MAX_QUERY = 512  # characters, self-serve access
WATCH = 10  # the official account's newest conversations whose replies are searched


def _quote(term: str) -> str:
    return '"' + term.replace('"', " ").strip() + '"'


def search_query(terms: list[str]) -> str:
    return "(" + " OR ".join(_quote(t) for t in terms if t.strip()) + ") -is:retweet"


def replies_query(username: str, conversations: list[str]) -> str:
    return (
        "("
        + " OR ".join([*(f"conversation_id:{c}" for c in conversations), f"to:{username}"])
        + ") -is:retweet"
    )


@dataclass
class Run:
    api: XApi
    source: SourceSettings
    states: dict[str, State]
    posts: dict[str, NewPost] = field(default_factory=dict)
    new_states: list[State] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    official: dict[str, str] = field(default_factory=dict)  # user id → username
    watched: set[str] = field(default_factory=set)  # conversation ids under official posts
    seen: list[dict] = field(default_factory=list)
    timeline_of: dict[str, str] | None = None  # the account whose timeline is being read

    def saved(self, key: str) -> dict[str, Any]:
        state = self.states.get(key)
        return json.loads(state.cursor) if state and state.cursor else {}

    def keep(self, page: Page) -> None:
        for tweet in page.tweets:
            if self.timeline_of:  # a user's timeline holds that user's posts, with or without expansions
                tweet.setdefault("author_id", self.timeline_of["id"])
                page.users.setdefault(self.timeline_of["id"], self.timeline_of)
            post = tweet_to_post(tweet, page.users, set(self.official), self.watched)
            known = self.posts.setdefault(post.external_id, post)
            known.reply_to_official = known.reply_to_official or post.reply_to_official
        self.seen += page.tweets
        self.notes += page.notes

    async def walk(self, path: str, params: dict, cursor: Cursor, page_param: str, history: bool) -> Cursor:
        """Posts above the cursor (and in a gap an earlier run left), newest first, by pages.

        A first run reads one page, or with `history` as far back as the page budget goes."""
        budget = self.source.max_pages
        if cursor.gap:
            lo, hi = cursor.gap
            bounds = dict(params, until_id=hi, **({"since_id": lo} if lo else {}))
            page = await self.api.pages(path, bounds, budget, page_param)
            self.keep(page)
            budget -= page.calls
            if page.more:
                return Cursor(cursor.since, (lo, page.oldest or hi))
            cursor = Cursor(cursor.since)
        if budget <= 0:
            return cursor
        since = cursor.since
        first = dict(params, since_id=since) if since else dict(params)
        page = await self.api.pages(path, first, budget if since or history else 1, page_param)
        self.keep(page)
        if not page.newest:
            return cursor
        gap = (since, page.oldest) if page.more and page.oldest and (since or history) else None
        return Cursor(str(max(int(page.newest), int(since or 0))), gap)

    async def walk_or_restart(
        self, key: str, path: str, params: dict, page_param: str, history: bool = False
    ) -> dict[str, Any]:
        saved = self.saved(key)
        try:
            cursor = await self.walk(path, params, Cursor.load(saved), page_param, history)
        except XInvalid as e:
            if "since_id" not in str(e) and "until_id" not in str(e):
                raise
            self.notes.append(
                f"{key}: the last run was over 7 days ago; posts in between are past recent search"
            )
            cursor = await self.walk(path, params, Cursor(), page_param, history)
        saved.update(cursor.as_dict())
        self.new_states.append(State(key=key, cursor=json.dumps(saved)))
        self.states[key] = self.new_states[-1]
        return saved

    async def search(self, terms: list[str]) -> None:
        query = search_query(terms)
        if len(query) > MAX_QUERY:
            raise SourceDisabled(
                f"x source {self.source.name!r}: the search query is {len(query)} characters, X allows "
                f"{MAX_QUERY}; shorten `query`"
            )
        await self.walk_or_restart(
            "search", "/2/tweets/search/recent", dict(FIELDS, query=query), "next_token"
        )

    async def account(self, username: str) -> None:
        username = username.lstrip("@")
        key = f"account:{username}"
        saved = self.saved(key)
        user_id = saved.get("user_id") or await self.api.user_id(username)
        self.official[user_id] = username
        self.watched.update(saved.get("watch", []))
        self.seen = []
        params = dict(FIELDS, exclude="retweets")
        self.timeline_of = {"id": user_id, "username": username}
        try:
            state = await self.walk_or_restart(key, f"/2/users/{user_id}/tweets", params, "pagination_token")
        finally:
            self.timeline_of = None
        fresh = {str(t.get("conversation_id") or t["id"]) for t in self.seen}
        watch = sorted(set(saved.get("watch", [])) | fresh, key=int, reverse=True)[:WATCH]
        self.watched.update(watch)
        state.update(user_id=user_id, watch=watch)
        self.states[key].cursor = json.dumps(state)
        newest_official = min((int(t["id"]) for t in self.seen), default=None)
        await self.replies(username, watch, newest_official)

    async def replies(self, username: str, watch: list[str], floor: int | None) -> None:
        """One search for replies under every watched conversation and to the account itself.

        Replies to a post collected in this run may be older than the last reply seen, so the
        search reaches down to the oldest new official post (`floor`)."""
        conversations: list[str] = []
        for c in watch:
            if len(replies_query(username, [*conversations, c])) > MAX_QUERY:
                break
            conversations.append(c)
        key = f"replies:{username}"
        saved = self.saved(key)
        if saved.get("since") and floor is not None and floor < int(saved["since"]):
            saved["since"] = str(floor)
            self.states[key] = State(key=key, cursor=json.dumps(saved))
        params = dict(FIELDS, query=replies_query(username, conversations))
        await self.walk_or_restart(key, "/2/tweets/search/recent", params, "next_token", history=True)


class XCollector:
    kind: ClassVar[str] = "x"

    async def collect(
        self, source: SourceSettings, states: dict[str, State], http: Http, settings: Settings
    ) -> Batch:
        env = source.token_env or DEFAULT_TOKEN_ENV
        token = os.environ.get(env, "").strip()
        if not token:
            raise SourceDisabled(
                f"x source {source.name!r} is off: no bearer token in the environment variable {env} "
                "(X API v2 is paid per post read; set the app's bearer token there to turn it on)"
            )
        run = Run(XApi(http, (source.base_url or DEFAULT_BASE).rstrip("/"), token, env), source, dict(states))
        for name in source.accounts:  # known from earlier runs: marks posts even if the account step fails
            saved = run.saved(f"account:{name.lstrip('@')}")
            if saved.get("user_id"):
                run.official[saved["user_id"]] = name.lstrip("@")
                run.watched.update(saved.get("watch", []))
        steps: list[tuple[str, Any]] = [
            (f"account @{a.lstrip('@')}", lambda a=a: run.account(a)) for a in source.accounts
        ]
        terms = source.query or list(settings.city.aliases)
        steps.append(
            ("search", lambda: run.search(terms))
        )  # last: official posts and threads are known by then
        failures: list[FetchError] = []
        for name, step in steps:
            try:
                await step()
            except RateLimited as e:
                failures.append(e)
                run.notes.append(f"{name}: {e}")
            except FetchError as e:
                if e.status == 401:
                    raise  # a refused token fails every step alike: say it once
                failures.append(e)
                run.notes.append(f"{name}: {e}")
        if failures and len(failures) == len(steps):
            raise failures[0]
        log.info("x source=%s posts=%d notes=%d", source.name, len(run.posts), len(run.notes))
        return Batch(posts=list(run.posts.values()), states=run.new_states, errors=run.notes)
