"""An X API v2 server on 127.0.0.1: search/recent, users/by/username, users/:id/tweets, bearer auth,
rate-limit headers and error bodies as the API reference describes them (tests/fixtures/x/README.md)."""

from __future__ import annotations

import base64
import json
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.localserver import LocalServer, Request, Response

FIXTURES = Path(__file__).parent.parent / "fixtures" / "x"
JSON_TYPE = "application/json; charset=utf-8"
NOT_FOUND_TYPE = "https://api.twitter.com/2/problems/resource-not-found"


def recorded(name: str) -> Response:
    """A tweepy recording served as it was: status, body and headers."""
    [entry] = json.loads((FIXTURES / "tweepy" / "decoded" / f"test_client_{name}.json").read_text("utf-8"))
    headers = {k: v[0] for k, v in entry["headers"].items()}
    return Response(entry["status"]["code"], entry["body"], headers)


class FakeX:
    def __init__(self, server: LocalServer, token: str = "bearer-abc"):
        self.server = server
        self.token = token
        self.users: dict[str, dict] = {}
        self.tweets: dict[str, dict] = {}
        self.remaining = 450
        self.oldest_searchable = 0  # since_id below this is "older than 7 days"
        self._serial = 1_860_000_000_000_000_000
        self.calls: list[tuple[str, dict[str, str]]] = []
        server.add("/2/tweets/search/recent", self._guard(self._search))

    @property
    def base_url(self) -> str:
        return self.server.url("")

    # -- data ------------------------------------------------------------------------------
    def user(self, username: str, name: str, description: str) -> dict:
        user = {
            "id": str(len(self.users) + 100),
            "name": name,
            "username": username,
            "description": description,
        }
        self.users[user["id"]] = user
        self.server.add(
            f"/2/users/by/username/{username}", self._guard(lambda req, u=user: self._lookup(req, u))
        )
        self.server.add(
            f"/2/users/{user['id']}/tweets", self._guard(lambda req, u=user: self._timeline(req, u))
        )
        return user

    def post(
        self, user: dict, text: str, reply_to: dict | None = None, retweet_of: dict | None = None
    ) -> dict:
        self._serial += 4096 * 1000  # snowflake ids grow with time
        tid = str(self._serial)
        when = datetime(2026, 11, 24, tzinfo=UTC) + timedelta(minutes=len(self.tweets))
        tweet: dict[str, Any] = {
            "id": tid,
            "text": text,
            "edit_history_tweet_ids": [tid],
            "author_id": user["id"],
            "created_at": when.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "conversation_id": reply_to["conversation_id"] if reply_to else tid,
            "lang": "ja",
            "public_metrics": {
                "retweet_count": 0,
                "reply_count": 0,
                "like_count": 3,
                "quote_count": 0,
                "bookmark_count": 0,
                "impression_count": 40,
            },
        }
        if reply_to:
            tweet["in_reply_to_user_id"] = reply_to["author_id"]
            tweet["referenced_tweets"] = [{"type": "replied_to", "id": reply_to["id"]}]
            reply_to["public_metrics"]["reply_count"] += 1
        if retweet_of:
            tweet["referenced_tweets"] = [{"type": "retweeted", "id": retweet_of["id"]}]
            tweet["text"] = f"RT @{self.users[retweet_of['author_id']]['username']}: {retweet_of['text']}"
        self.tweets[tid] = tweet
        return tweet

    # -- serving ---------------------------------------------------------------------------
    def _guard(self, handler):  # noqa: ANN001, ANN202
        def handle(req: Request) -> Response:
            self.calls.append((req.path, {k: v[0] for k, v in req.query.items()}))
            if req.headers.get("authorization") != f"Bearer {self.token}":
                return self._answer(
                    401,
                    {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"},
                )
            if self.remaining <= 0:
                body = {
                    "title": "Too Many Requests",
                    "detail": "Too Many Requests",
                    "type": "about:blank",
                    "status": 429,
                }
                return self._answer(429, body)
            self.remaining -= 1
            return handler(req)

        return handle

    def _answer(self, status: int, body: Any) -> Response:
        headers = {
            "Content-Type": JSON_TYPE,
            "x-rate-limit-limit": "450",
            "x-rate-limit-remaining": str(max(self.remaining, 0)),
            "x-rate-limit-reset": str(int(time.time()) + 900),
        }
        return Response(status, body, headers)

    def _lookup(self, req: Request, user: dict) -> Response:
        fields = (req.arg("user.fields") or "").split(",")
        return self._answer(
            200, {"data": {k: v for k, v in user.items() if k in ("id", "name", "username", *fields)}}
        )

    def _matches(self, tweet: dict, query: str) -> bool:
        if "-is:retweet" in query and any(
            r["type"] == "retweeted" for r in tweet.get("referenced_tweets", [])
        ):
            return False
        terms = re.findall(r'"([^"]+)"', query)
        conversations = re.findall(r"conversation_id:(\d+)", query)
        to = [
            u["id"]
            for name in re.findall(r"to:(\w+)", query)
            for u in self.users.values()
            if u["username"] == name
        ]
        return (
            any(t in tweet["text"] for t in terms)
            or tweet["conversation_id"] in conversations
            or tweet.get("in_reply_to_user_id") in to
        )

    def _search(self, req: Request) -> Response:
        since = req.arg("since_id")
        if since and int(since) < self.oldest_searchable:
            return self._answer(
                400,
                {
                    "errors": [
                        {
                            "parameters": {"since_id": [since]},
                            "message": f"Invalid 'since_id':'{since}'. 'since_id' must be a tweet id created after 2026-11-18T00:00Z.",
                        }
                    ],
                    "title": "Invalid Request",
                    "detail": "One or more parameters to your request was invalid.",
                    "type": "https://api.twitter.com/2/problems/invalid-request",
                },
            )
        query = req.arg("query") or ""
        return self._list(req, [t for t in self.tweets.values() if self._matches(t, query)], "next_token")

    def _timeline(self, req: Request, user: dict) -> Response:
        tweets = [t for t in self.tweets.values() if t["author_id"] == user["id"]]
        if "retweets" in (req.arg("exclude") or ""):
            tweets = [
                t for t in tweets if not any(r["type"] == "retweeted" for r in t.get("referenced_tweets", []))
            ]
        return self._list(req, tweets, "pagination_token")

    def _list(self, req: Request, tweets: list[dict], page_param: str) -> Response:
        since, until = req.arg("since_id"), req.arg("until_id")
        chosen = sorted(
            (
                t
                for t in tweets
                if (not since or int(t["id"]) > int(since)) and (not until or int(t["id"]) < int(until))
            ),
            key=lambda t: int(t["id"]),
            reverse=True,
        )
        size = int(req.arg("max_results") or 10)
        offset = int(base64.b64decode(req.arg(page_param)).decode()) if req.arg(page_param) else 0
        page = chosen[offset : offset + size]
        if not page:
            return self._answer(200, {"meta": {"result_count": 0}})
        fields = set((req.arg("tweet.fields") or "").split(",")) | {"id", "text", "edit_history_tweet_ids"}
        body: dict[str, Any] = {"data": [{k: v for k, v in t.items() if k in fields} for t in page]}
        expansions = (req.arg("expansions") or "").split(",")
        includes: dict[str, list] = {}
        errors = []
        if "author_id" in expansions:
            user_fields = set((req.arg("user.fields") or "").split(",")) | {"id", "name", "username"}
            authors = dict.fromkeys(t["author_id"] for t in page)
            includes["users"] = [
                {k: v for k, v in self.users[a].items() if k in user_fields} for a in authors
            ]
        if "referenced_tweets.id" in expansions:
            for ref in {r["id"] for t in page for r in t.get("referenced_tweets", [])}:
                if ref in self.tweets:
                    includes.setdefault("tweets", []).append(
                        {k: v for k, v in self.tweets[ref].items() if k in fields}
                    )
                else:
                    errors.append(
                        {
                            "value": ref,
                            "detail": f"Could not find tweet with referenced_tweets.id: [{ref}].",
                            "title": "Not Found Error",
                            "resource_type": "tweet",
                            "parameter": "referenced_tweets.id",
                            "resource_id": ref,
                            "type": NOT_FOUND_TYPE,
                        }
                    )
        if includes:
            body["includes"] = includes
        if errors:
            body["errors"] = errors
        meta: dict[str, Any] = {
            "newest_id": page[0]["id"],
            "oldest_id": page[-1]["id"],
            "result_count": len(page),
        }
        if offset + size < len(chosen):
            meta["next_token"] = base64.b64encode(str(offset + size).encode()).decode()
        body["meta"] = meta
        return self._answer(200, body)

    def delete(self, tweet: dict) -> None:
        del self.tweets[tweet["id"]]

    def missing_user(self, username: str) -> None:
        body = {
            "errors": [
                {
                    "value": username,
                    "detail": f"Could not find user with username: [{username}].",
                    "title": "Not Found Error",
                    "resource_type": "user",
                    "parameter": "username",
                    "resource_id": username,
                    "type": NOT_FOUND_TYPE,
                }
            ]
        }
        self.server.add(f"/2/users/by/username/{username}", self._guard(lambda req: self._answer(200, body)))
