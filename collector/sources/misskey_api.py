"""Misskey's API over the shared client: one POST per call, error answers decoded, id paging.

Every call is `POST <base_url>/api/<endpoint>` with a JSON body, the token as `i`. Errors are
`{"error": {"code", "message", "id", "kind"}}` with a 4xx status.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from collector.http import FetchError, Http
from collector.sources.misskey_notes import Cursor

PAGE = 100  # the API's maximum `limit`
AUTH_CODES = {"AUTHENTICATION_FAILED", "INVALID_TOKEN"}


class MisskeyError(FetchError):
    """An error answer of the API: `{"error": {"code", "message", ...}}`."""

    def __init__(self, message: str, code: str, status: int | None):
        super().__init__(message, status)
        self.code = code


@dataclass
class Api:
    http: Http
    base: str
    token: str | None
    token_env: str

    async def call(self, endpoint: str, body: dict[str, Any]) -> Any:
        payload = dict(body, i=self.token) if self.token else dict(body)
        host = urlsplit(self.base).netloc
        response = await self.http.post(
            f"{self.base}/api/{endpoint}", json=payload, expect=(200, 204, 400, 401, 403, 404)
        )
        if response.status_code == 204:
            return None
        try:
            data = response.json()
        except ValueError:
            raise FetchError(
                f"{host} {endpoint}: HTTP {response.status_code}, not JSON: {response.text[:120]!r}",
                response.status_code,
            ) from None
        error = data.get("error") if isinstance(data, dict) else None
        if response.status_code == 200 and not error:
            return data
        error = error if isinstance(error, dict) else {}
        code = str(error.get("code") or "")
        message = str(error.get("message") or response.reason_phrase)
        if code in AUTH_CODES or (response.status_code == 401 and self.token):
            raise MisskeyError(
                f"{host} refused the token in {self.token_env} ({code or response.status_code}: {message}); "
                f"create a new access token on {host} (設定 → API) with read permissions and put it in {self.token_env}",
                code or "AUTHENTICATION_FAILED",
                response.status_code,
            )
        raise MisskeyError(
            f"{host} {endpoint}: {code or response.status_code}: {message}", code, response.status_code
        )


async def walk(
    api: Api, endpoint: str, body: dict[str, Any], cursor: Cursor, max_pages: int, history: bool = False
) -> tuple[list[dict], Cursor, list[dict], int]:
    """Notes newer than the cursor, newest first, gap-free across runs.

    Never sends `sinceId` alone (the server then answers oldest-first on some endpoints and
    newest-first on others): the first page is the newest one, later pages walk down with
    `untilId` (plus `sinceId` as a floor). Returns the notes, the new cursor, the newest
    page (fresh counts for already known notes too) and the calls made. On the first run
    only the newest page is read, unless `history` asks for everything there is.
    """
    notes: list[dict] = []
    calls = 0
    gap = cursor.gap
    while gap and calls < max_pages:  # an older run ran out of pages: finish that first
        page = await _page(api, endpoint, body, gap[0], gap[1])
        calls += 1
        if not page:
            gap = None
            break
        notes += page
        gap = (gap[0], min(n["id"] for n in page))
    if gap:
        return notes, Cursor(cursor.since, gap), [], calls
    newest = await _page(api, endpoint, body, None, None)
    calls += 1
    if not newest:
        return notes, Cursor(cursor.since), [], calls
    notes += newest
    top = max(n["id"] for n in newest)
    low = min(n["id"] for n in newest)
    if cursor.since is None and not history:  # first run: the newest page only
        return notes, Cursor(top), newest, calls
    since = cursor.since or ""  # "" sorts below every id: walk down to the very first note
    while low > since and calls < max_pages:
        page = await _page(api, endpoint, body, since, low)
        calls += 1
        if not page:
            low = since
            break
        notes += page
        low = min(n["id"] for n in page)
    new_gap = (since, low) if low > since else None
    return notes, Cursor(max(since, top), new_gap), newest, calls


async def _page(api: Api, endpoint: str, body: dict, since: str | None, until: str | None) -> list[dict]:
    req = dict(body, limit=PAGE)
    if until:
        req["untilId"] = until
        if since:
            req["sinceId"] = since
    data = await api.call(endpoint, req)
    if not isinstance(data, list) or not all(isinstance(n, dict) and n.get("id") for n in data):
        raise FetchError(f"{endpoint}: expected a list of notes, got {str(data)[:120]!r}")
    return sorted(data, key=lambda n: n["id"], reverse=True)
