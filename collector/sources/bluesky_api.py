"""XRPC over the shared `Http` client: anonymous AppView reads and an app-password session.

Hosts (docs.bsky.app; PLATFORMS.md §1): anonymous reads go to the public AppView
(`base_url`, default https://public.api.bsky.app); the app password logs in at the PDS or
entryway (`auth_url`, default https://bsky.social) with `com.atproto.server.createSession`;
authenticated calls go to the PDS named in the session's DID document (it proxies
`app.bsky.*` to the AppView), because the public AppView may refuse them.
Tokens and the password are never logged, printed or stored outside this process.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from collector.http import FetchError, Http, RateLimited

log = logging.getLogger("kikimimi.bluesky")

DEFAULT_APPVIEW = "https://public.api.bsky.app"
DEFAULT_AUTH = "https://bsky.social"
PASSWORD_ENV = "KIKIMIMI_BSKY_APP_PASSWORD"
PROFILES_PER_CALL = 25  # app.bsky.actor.getProfiles: actors maxLength 25


class LoginFailed(Exception):
    """The app-password login was refused or could not be made; the message names the fix."""


@dataclass
class Session:
    did: str
    service: str  # where authenticated calls go
    access: str = field(repr=False)
    refresh: str = field(repr=False)


class Sessions:
    """App-password sessions, in memory for the life of the process; never on disk or in the DB.

    createSession is limited to a few dozen logins per account a day (docs.bsky.app "Rate
    Limits"; the entryway enforces about 100), while the daemon builds a new collector and HTTP
    client every cycle: the session has to outlive both, and a secret may not go to the DB.
    """

    def __init__(self) -> None:
        self._items: dict[tuple[str, str], Session] = {}

    def get(self, key: tuple[str, str]) -> Session | None:
        return self._items.get(key)

    def put(self, key: tuple[str, str], session: Session) -> None:
        self._items[key] = session

    def drop(self, key: tuple[str, str]) -> None:
        self._items.pop(key, None)


SESSIONS = Sessions()


def body_of(response: httpx.Response, what: str) -> dict:
    """The JSON object of a response, or a FetchError saying the server sent something else."""
    try:
        data = response.json()
    except ValueError:
        kind = response.headers.get("content-type", "?").split(";")[0]
        raise FetchError(
            f"{what}: HTTP {response.status_code} with a body that is not JSON ({kind})", response.status_code
        ) from None
    if not isinstance(data, dict):
        raise FetchError(f"{what}: expected a JSON object, got {type(data).__name__}", response.status_code)
    return data


def _error(body: dict) -> str:
    return f"{body.get('error') or 'error'}: {str(body.get('message') or '')[:200]}"


def _pds(did_doc: Any) -> str | None:
    """The #atproto_pds service endpoint of a DID document, if it has one."""
    if not isinstance(did_doc, dict):
        return None
    for service in did_doc.get("service") or []:
        if not isinstance(service, dict):
            continue
        endpoint = service.get("serviceEndpoint")
        if str(service.get("id", "")).endswith("#atproto_pds") and isinstance(endpoint, str):
            if endpoint.startswith(("https://", "http://")):
                return endpoint.rstrip("/")
    return None


class Xrpc:
    """One collect() call's view of Bluesky: the AppView for reads, a session for search."""

    def __init__(self, http: Http, base_url: str, auth_url: str) -> None:
        self.http = http
        self.base = (base_url or DEFAULT_APPVIEW).rstrip("/")
        self.auth = (auth_url or DEFAULT_AUTH).rstrip("/")
        self.session: Session | None = None
        self._key: tuple[str, str] = ("", "")
        self._password = ""
        self._env = PASSWORD_ENV

    async def get(self, nsid: str, params: dict[str, Any], tolerate: tuple[str, ...] = ()) -> dict:
        """An anonymous AppView query; XRPC errors named in `tolerate` come back as the body."""
        response = await self.http.get(
            f"{self.base}/xrpc/{nsid}", params=_clean(params), expect=(200, 400) if tolerate else (200,)
        )
        body = body_of(response, nsid)
        if response.status_code != 200 and body.get("error") not in tolerate:
            raise FetchError(f"{nsid}: HTTP {response.status_code} {_error(body)}", response.status_code)
        return body

    async def profiles(self, actors: list[str]) -> dict[str, dict]:
        """getProfiles in batches of 25 → profile by DID and by lower-cased handle."""
        found: dict[str, dict] = {}
        for i in range(0, len(actors), PROFILES_PER_CALL):
            chunk = actors[i : i + PROFILES_PER_CALL]
            body = await self.get("app.bsky.actor.getProfiles", {"actors": chunk})
            for profile in body.get("profiles") or []:
                if isinstance(profile, dict) and profile.get("did"):
                    found[str(profile["did"])] = profile
                    if profile.get("handle"):
                        found[str(profile["handle"]).lower()] = profile
        return found

    async def login(self, identifier: str, password: str, env: str) -> Session:
        """Reuse this process's session for the account, else createSession (never per poll)."""
        self._key, self._password, self._env = (self.auth, identifier.lower()), password, env
        cached = SESSIONS.get(self._key)
        if cached:
            self.session = cached
            return cached
        try:
            response = await self.http.post(
                f"{self.auth}/xrpc/com.atproto.server.createSession",
                json={"identifier": identifier, "password": password},
                expect=(200, 400, 401),
            )
        except RateLimited as e:
            raise LoginFailed(f"Bluesky login as {identifier} is rate-limited ({e})") from None
        except FetchError as e:
            raise LoginFailed(f"Bluesky login as {identifier} failed: {e}") from None
        body = body_of(response, "createSession")
        if response.status_code != 200 or not body.get("accessJwt"):
            raise LoginFailed(
                f"Bluesky login as {identifier} at {urlsplit(self.auth).netloc} was refused "
                f"({_error(body)}): check the app password in env {env}"
            )
        self.session = Session(
            did=str(body.get("did") or ""),
            service=_pds(body.get("didDoc")) or self.auth,
            access=str(body["accessJwt"]),
            refresh=str(body.get("refreshJwt") or ""),
        )
        SESSIONS.put(self._key, self.session)
        log.info("bluesky login identifier=%s service=%s", identifier, urlsplit(self.session.service).netloc)
        return self.session

    async def _refresh(self) -> bool:
        assert self.session is not None
        if not self.session.refresh:
            return False
        response = await self.http.post(
            f"{self.auth}/xrpc/com.atproto.server.refreshSession",
            headers={"Authorization": f"Bearer {self.session.refresh}"},
            expect=(200, 400, 401),
        )
        body = body_of(response, "refreshSession")
        if response.status_code != 200 or not body.get("accessJwt"):
            return False
        self.session.access = str(body["accessJwt"])
        self.session.refresh = str(body.get("refreshJwt") or self.session.refresh)
        return True

    async def authed_get(self, nsid: str, params: dict[str, Any]) -> dict:
        """A query with the session's token; an expired token is refreshed (or the login redone) once."""
        assert self.session is not None
        for attempt in (0, 1):
            response = await self.http.get(
                f"{self.session.service}/xrpc/{nsid}",
                params=_clean(params),
                headers={"Authorization": f"Bearer {self.session.access}"},
                expect=(200, 400, 401),
            )
            body = body_of(response, nsid)
            if response.status_code == 200:
                return body
            expired = response.status_code == 401 or body.get("error") in ("ExpiredToken", "InvalidToken")
            if attempt == 0 and expired:
                if not await self._refresh():
                    SESSIONS.drop(self._key)
                    await self.login(self._key[1], self._password, self._env)
                continue
            raise FetchError(f"{nsid}: HTTP {response.status_code} {_error(body)}", response.status_code)
        raise FetchError(f"{nsid}: the session was refused after a refresh", 401)


def _clean(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v is not None and v != ""}
