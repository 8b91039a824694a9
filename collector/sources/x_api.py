"""X API v2 over the shared client: bearer auth, problem bodies decoded, pages, a post → `NewPost`.

Shapes from the API reference and tweepy's recordings: `{data: [...], includes: {users, tweets},
meta: {newest_id, oldest_id, result_count, next_token}, errors?: [...]}`; a 200 answer may carry
`errors` about single items (a deleted quoted post) next to the data. Ids are decimal strings
that order by time as integers.
"""

from __future__ import annotations

import html
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from collector.http import FetchError, Http, RateLimited
from collector.sources.base import NewPost
from collector.sources.cursors import from_iso

log = logging.getLogger("kikimimi.x")

PAGE = 100  # max_results for search and timelines


class XInvalid(FetchError):
    """HTTP 400: a parameter X would not take (a since_id older than 7 days, a bad query)."""


def problem(data: Any) -> str:
    """The words of an X error body: `{title, detail}` or `{errors: [{message}]}`."""
    if not isinstance(data, dict):
        return str(data)[:200]
    parts = [str(data[k]) for k in ("title", "detail") if data.get(k)]
    for e in data.get("errors") or []:
        if isinstance(e, dict):
            parts.append(str(e.get("message") or e.get("detail") or e))
    return "; ".join(parts)[:400] or json.dumps(data)[:200]


@dataclass
class Cursor:
    """Everything up to `since` is collected, except ids strictly inside `gap` (lo may be None: no floor)."""

    since: str | None = None
    gap: tuple[str | None, str] | None = None

    @classmethod
    def load(cls, data: dict[str, Any]) -> Cursor:
        gap = data.get("gap")
        return cls(since=data.get("since"), gap=(gap[0], gap[1]) if gap else None)

    def as_dict(self) -> dict[str, Any]:
        return {"since": self.since, "gap": list(self.gap) if self.gap else None}


@dataclass
class Page:
    """What one walk over `next_token` pages read."""

    tweets: list[dict] = field(default_factory=list)
    users: dict[str, dict] = field(default_factory=dict)
    newest: str | None = None
    oldest: str | None = None
    more: bool = False  # stopped with pages left (budget or rate limit)
    calls: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class XApi:
    http: Http
    base: str
    token: str
    token_env: str

    async def get(self, path: str, params: dict[str, Any]) -> tuple[dict, Any]:
        response = await self.http.get(
            self.base + path,
            params=params,
            headers={"Authorization": f"Bearer {self.token}"},
            expect=(200, 400, 401, 402, 403, 404),
        )
        try:
            data = response.json()
        except ValueError:
            raise FetchError(
                f"X {path}: HTTP {response.status_code}, not JSON: {response.text[:120]!r}",
                response.status_code,
            ) from None
        status = response.status_code
        if status == 200 and isinstance(data, dict):
            return data, response
        if status == 401:
            raise FetchError(
                f"X refused the bearer token in {self.token_env} (401 {problem(data)}); "
                "put the app's current bearer token in that variable",
                401,
            )
        if status in (402, 403):
            raise FetchError(
                f"X refused access ({status} {problem(data)}): check the app's access and credits in the developer console",
                status,
            )
        if status == 400:
            raise XInvalid(f"X {path}: {problem(data)}", 400)
        raise FetchError(f"X {path}: HTTP {status} {problem(data)}", status)

    async def user_id(self, username: str) -> str:
        data, _ = await self.get(
            f"/2/users/by/username/{username}", {"user.fields": "description,username,name"}
        )
        user = data.get("data")
        if not isinstance(user, dict) or not user.get("id"):
            raise FetchError(f"X account @{username}: {problem(data)}; check `accounts`", 404)
        return str(user["id"])

    async def pages(self, path: str, params: dict[str, Any], budget: int, page_param: str) -> Page:
        """Up to `budget` pages, newest first; stops early (with `more`) at the rate limit."""
        out = Page()
        token = None
        while out.calls < budget:
            query = dict(params, max_results=PAGE, **({page_param: token} if token else {}))
            try:
                data, response = await self.get(path, query)
            except RateLimited as e:
                if not out.calls:
                    raise
                out.more = True
                out.notes.append(f"rate limit reached, the rest follows next run ({e})")
                break
            out.calls += 1
            tweets = data.get("data") or []
            meta = data.get("meta") or {}
            if not isinstance(tweets, list) or ("meta" not in data and data.get("errors")):
                raise FetchError(f"X {path}: {problem(data)}")
            for e in data.get("errors") or []:  # single missing items next to the data: not a failure
                log.debug("x partial error path=%s error=%s", path, e)
            out.tweets += [t for t in tweets if isinstance(t, dict) and t.get("id")]
            for user in (data.get("includes") or {}).get("users") or []:
                out.users[str(user.get("id"))] = user
            ids = [int(t["id"]) for t in out.tweets]
            if ids:
                out.newest, out.oldest = str(max(ids)), str(min(ids))
            token = meta.get("next_token")
            if not token:
                return out
            if response.headers.get("x-rate-limit-remaining") == "0":
                out.more = True
                out.notes.append("rate limit reached, the rest follows next run")
                return out
        out.more = out.more or bool(token)
        return out


def tweet_to_post(tweet: dict, users: dict[str, dict], official: set[str], watched: set[str]) -> NewPost:
    """One post: text unescaped (X sends &amp; &lt; &gt;), long posts whole (`note_tweet`)."""
    tid = str(tweet["id"])
    author_id = str(tweet.get("author_id") or "")
    user = users.get(author_id) or {}
    username = str(user.get("username") or "")
    text = (tweet.get("note_tweet") or {}).get("text") or tweet.get("text") or ""
    parent = next(
        (str(r["id"]) for r in tweet.get("referenced_tweets") or [] if r.get("type") == "replied_to"), None
    )
    conversation = str(tweet.get("conversation_id") or tid)
    metrics = tweet.get("public_metrics") or {}
    lang = tweet.get("lang")
    is_official = author_id in official
    return NewPost(
        platform="x",
        external_id=tid,
        text=html.unescape(text),
        url=f"https://x.com/{username}/status/{tid}" if username else f"https://x.com/i/web/status/{tid}",
        author=username,
        author_name=str(user.get("name") or ""),
        author_description=str(user.get("description") or ""),
        created_at=from_iso(tweet.get("created_at")),
        in_reply_to=parent,
        thread_root=conversation if conversation != tid else None,
        language=lang if lang and lang not in ("und", "zxx", "qme", "qam", "qct", "qht", "qst") else None,
        repost_count=int(metrics.get("retweet_count") or 0) + int(metrics.get("quote_count") or 0),
        reply_count=int(metrics.get("reply_count") or 0),
        like_count=int(metrics.get("like_count") or 0),
        is_official=is_official,
        reply_to_official=not is_official
        and (
            str(tweet.get("in_reply_to_user_id") or "") in official
            or (parent is not None and conversation in watched)
        ),
    )
