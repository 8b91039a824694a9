"""A Mastodon instance on the local HTTP server, for the Mastodon collector tests.

Statuses are built on a status recorded from a real Mastodon 4.6.4 server (Mastodon.py's
cassette `test_hashtag_tl.yaml`), so every field name and nesting is the server's own; the
paging follows docs.joinmastodon.org (api/guidelines#pagination): `max_id` older than,
`since_id` newer than (newest page), `min_id` the page immediately newer (gapless forward),
`Link: <…max_id=…>; rel="next", <…min_id=…>; rel="prev"`; `/context` returns at most 60
descendants anonymously and 4,096 with a token (4.0.0, depth-first); anonymous
`/api/v2/search` returns no statuses; errors are `{"error": "…"}`; every answer carries
`X-RateLimit-Limit/Remaining/Reset` (an ISO date), as the recordings show.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml  # PyYAML arrives with apprise; the cassettes are VCR.py YAML

from tests.localserver import LocalServer, Request, Response

FIXTURES = Path(__file__).parent.parent / "fixtures" / "mastodon"
TOKEN_ENV = "KIKIMIMI_MASTODON_TOKEN"  # where the tests put `FakeMastodon.token` for a source to read
SKIP_HEADERS = {"content-length", "transfer-encoding", "content-encoding", "connection"}


def cassette(name: str) -> list[dict]:
    return yaml.safe_load((FIXTURES / f"{name}.yaml").read_text("utf-8"))["interactions"]


def recorded(name: str, index: int, server: LocalServer | None = None) -> Response:
    """One recorded response: status, headers (the Link host moved to the local server), body."""
    answer = cassette(name)[index]["response"]
    headers = {k: ", ".join(v) for k, v in answer["headers"].items() if k.lower() not in SKIP_HEADERS}
    if server is not None and "link" in headers:
        headers["link"] = headers["link"].replace("http://localhost:3000", server.url(""))
    return Response(answer["status"]["code"], answer["body"]["string"].encode("utf-8"), headers)


def recorded_json(name: str, index: int) -> Any:
    return json.loads(cassette(name)[index]["response"]["body"]["string"])


def _rate_headers(remaining: int = 299) -> dict[str, str]:
    reset = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=5)
    return {
        "X-RateLimit-Limit": "300",
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": reset.isoformat(timespec="microseconds").replace("+00:00", "Z"),
    }


def error(status: int, message: str) -> Response:
    return Response(status, {"error": message}, _rate_headers())


TEMPLATE = recorded_json("test_hashtag_tl", 2)[0]


@dataclass
class Account:
    id: str
    username: str
    domain: str = ""  # "" = local to the fake instance
    display_name: str = ""
    note: str = ""

    def acct(self) -> str:
        return f"{self.username}@{self.domain}" if self.domain else self.username

    def json(self, base: str) -> dict:
        home = f"https://{self.domain}" if self.domain else base
        out = copy.deepcopy(TEMPLATE["account"])
        out.update(id=self.id, username=self.username, acct=self.acct(), display_name=self.display_name,
                   note=self.note, url=f"{home}/@{self.username}", uri=f"{home}/users/{self.username}")  # fmt: skip
        return out


def id_key(status_id: str) -> tuple[int, str]:
    return (len(status_id), status_id)


@dataclass
class FakeMastodon:
    server: LocalServer
    token: str = "ZA-Yb6kA7tN3sxQW1Ozgx2ih9E0BvCvl3bfNqXgmbUY"
    accounts: dict[str, Account] = field(default_factory=dict)
    statuses: dict[str, dict] = field(default_factory=dict)
    tags: dict[str, list[str]] = field(default_factory=dict)
    searchable: list[str] = field(default_factory=list)
    instance: dict | None = None

    @property
    def base(self) -> str:
        return self.server.url("")

    def city_source(self) -> dict[str, Any]:
        """The [[sources]] keys of a source reading the city's account (chino_city) here, token in TOKEN_ENV."""
        return {
            "name": "mstdn",
            "kind": "mastodon",
            "base_url": self.base,
            "accounts": ["chino_city"],
            "interval": "10m",
            "token_env": TOKEN_ENV,
        }

    def __post_init__(self) -> None:
        self.server.add("/api/v1/accounts/lookup", self._lookup)
        self.server.add("/api/v2/search", self._search)
        self.server.add("/api/v2/instance", self._instance)

    # -- building -------------------------------------------------------------------------

    def account(self, account: Account) -> Account:
        self.accounts[account.id] = account
        self.server.add(f"/api/v1/accounts/{account.id}/statuses", self._account_statuses(account.id))
        return account

    def status(
        self,
        status_id: str,
        account: Account,
        html: str,
        minutes_ago: float = 60,
        reply_to: str | None = None,
        spoiler: str = "",
        tags: tuple[str, ...] = (),
        edited: bool = False,
    ) -> dict:
        home = f"https://{account.domain}" if account.domain else self.base
        created = datetime.now(UTC) - timedelta(minutes=minutes_ago)
        s = copy.deepcopy(TEMPLATE)
        parent = self.statuses.get(reply_to or "")
        s.update(
            id=status_id,
            created_at=created.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            in_reply_to_id=reply_to,
            in_reply_to_account_id=parent["account"]["id"] if parent else None,
            spoiler_text=spoiler,
            sensitive=bool(spoiler),
            uri=f"{home}/users/{account.username}/statuses/{status_id}",
            url=f"{home}/@{account.username}/{status_id}",
            content=html,
            account=account.json(self.base),
            tags=[{"name": t, "url": f"{self.base}/tags/{t}"} for t in tags],
            edited_at=(created + timedelta(minutes=3)).isoformat().replace("+00:00", "Z") if edited else None,
        )
        return self.add(s)

    def add(self, status: dict) -> dict:
        """Any status JSON (hand-shaped or recorded); its hashtags' timelines include it."""
        sid = str(status["id"])
        self.statuses[sid] = status
        self.server.add(
            f"/api/v1/statuses/{sid}", lambda req: Response(200, self.statuses[sid], _rate_headers())
        )
        self.server.add(f"/api/v1/statuses/{sid}/context", self._context(sid))
        for tag in status.get("tags") or []:
            self.tag(tag["name"]).append(sid)
        return status

    def tag(self, name: str) -> list[str]:
        if name not in self.tags:
            self.tags[name] = []
            self.server.add(f"/api/v1/timelines/tag/{quote(name, safe='')}", self._tag_timeline(name))
        return self.tags[name]

    # -- answering ------------------------------------------------------------------------

    def _authed(self, req: Request) -> bool:
        return req.headers.get("authorization") == f"Bearer {self.token}"

    def _window(self, req: Request, ids: list[str], search: bool = False) -> tuple[list[str], dict[str, str]]:
        """Mastodon's id-window paging and Link header over `ids` (any order). In timelines `min_id`
        gives the page just above it; search only filters by it and stays newest first."""
        limit = min(int(req.arg("limit") or 20), 40)
        ordered = sorted(set(ids), key=id_key, reverse=True)
        if req.arg("max_id"):
            ordered = [i for i in ordered if id_key(i) < id_key(req.arg("max_id"))]
        lower = req.arg("min_id") or req.arg("since_id")
        if lower:
            ordered = [i for i in ordered if id_key(i) > id_key(lower)]
        page = ordered[-limit:] if req.arg("min_id") and not search else ordered[:limit]
        headers = _rate_headers()
        if page:
            url = self.server.url(req.path)
            headers["Link"] = f'<{url}?max_id={page[-1]}>; rel="next", <{url}?min_id={page[0]}>; rel="prev"'
        return page, headers

    def _page(self, req: Request, ids: list[str]) -> Response:
        page, headers = self._window(req, ids)
        return Response(200, [self.statuses[i] for i in page], headers)

    def _tag_timeline(self, name: str) -> Callable[[Request], Response]:
        return lambda req: self._page(req, self.tags[name])

    def _account_statuses(self, account_id: str) -> Callable[[Request], Response]:
        def answer(req: Request) -> Response:
            ids = [i for i, s in self.statuses.items() if s["account"]["id"] == account_id]
            if req.arg("exclude_reblogs") == "true":
                ids = [i for i in ids if not self.statuses[i].get("reblog")]
            return self._page(req, ids)

        return answer

    def _context(self, sid: str) -> Callable[[Request], Response]:
        def answer(req: Request) -> Response:
            cap = 4096 if self._authed(req) else 60
            found: list[dict] = []
            stack = [sid]
            while stack:  # depth first, oldest reply first, as Mastodon orders descendants
                current = stack.pop()
                children = sorted(
                    (i for i, s in self.statuses.items() if s.get("in_reply_to_id") == current), key=id_key
                )
                if current != sid:
                    found.append(self.statuses[current])
                stack.extend(reversed(children))
            return Response(200, {"ancestors": [], "descendants": found[:cap]}, _rate_headers())

        return answer

    def _lookup(self, req: Request) -> Response:
        acct = (req.arg("acct") or "").lstrip("@")
        local = acct.split("@")[0] if acct.endswith(f"@{self.server.url('').split('//')[1]}") else acct
        for a in self.accounts.values():
            if a.acct() in (acct, local):
                return Response(200, a.json(self.base), _rate_headers())
        return error(404, "Record not found")

    def _search(self, req: Request) -> Response:
        q = req.arg("q") or ""
        hits = [i for i in self.searchable if q in self.statuses[i]["content"]] if self._authed(req) else []
        page, headers = self._window(req, hits, search=True)
        headers.pop("Link", None)
        statuses = [self.statuses[i] for i in page]
        return Response(
            200, {"accounts": [], "statuses": statuses, "hashtags": [], "collections": []}, headers
        )

    def _instance(self, req: Request) -> Response:
        if self.instance is None:
            return recorded("test_instance", 0)  # a real 4.6.4 instance: hashtag feeds public
        return Response(200, self.instance, _rate_headers())
