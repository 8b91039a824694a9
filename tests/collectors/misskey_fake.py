"""A Misskey server on 127.0.0.1 that answers like the real one: POST /api/<endpoint>, JSON bodies,
`i` as the token, paging and errors as misskey-dev/misskey does them (see tests/fixtures/misskey/README.md)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from tests.localserver import LocalServer, Request, Response

FIXTURES = Path(__file__).parent.parent / "fixtures" / "misskey"
JSON_TYPE = {"Content-Type": "application/json; charset=utf-8"}
USER_LITE_KEYS = (
    "id name username host avatarUrl avatarBlurhash avatarDecorations isBot isCat emojis "
    "onlineStatus badgeRoles instance"
).split()


def load(name: str) -> Any:
    return json.loads((FIXTURES / "misskey_client" / name).read_text("utf-8"))


def recorded_error(cassette: str, status: int) -> Response:
    """The recorded error answer (status, body, content type) from a Misskey.py cassette."""
    data = yaml.safe_load((FIXTURES / "misskey-py" / cassette).read_text("utf-8"))
    for interaction in data["interactions"]:
        answer = interaction["response"]
        if answer["status"]["code"] == status:
            return Response(
                status,
                answer["body"]["string"].encode(),
                {"Content-Type": answer["headers"]["Content-Type"][0]},
            )
    raise LookupError(f"{cassette} has no {status} answer")


def error(status: int, code: str, message: str, id_: str) -> Response:
    return Response(
        status, {"error": {"message": message, "code": code, "id": id_, "kind": "client"}}, JSON_TYPE
    )


CREDENTIAL_REQUIRED = (
    401,
    "CREDENTIAL_REQUIRED",
    "Credential required.",
    "1384574d-a912-4b81-8601-c7b1c4085df1",
)
SEARCH_UNAVAILABLE = (
    400,
    "UNAVAILABLE",
    "Search of notes unavailable.",
    "0b44998d-77aa-4427-80d0-d2c9b8523011",
)
NO_SUCH_USER = (404, "NO_SUCH_USER", "No such user.", "4362f8dc-731f-4ad8-a694-be5a88922a24")


class FakeMisskey:
    def __init__(self, server: LocalServer, token: str | None = "tok-123", prefix: str = ""):
        self.server = server
        self.token = token
        self.prefix = prefix  # to run two servers on one LocalServer
        self.notes: dict[str, dict] = {}
        self.users: dict[str, dict] = {}
        self.antennas: dict[str, list[str]] = {}
        self.generated: set[str] = set()
        self.visitors_see = True  # ugcVisibilityForVisitor = all
        self.can_search = False  # DEFAULT_POLICIES.canSearchNotes = false
        self.override: Response | None = None  # answer every call with this (rate limit, outage)
        self.calls: list[tuple[str, dict]] = []
        self._serial = 0
        for endpoint in (
            "antennas/notes",
            "notes/search-by-tag",
            "notes/search",
            "users/notes",
            "users/show",
            "notes/children",
        ):
            server.add(f"{prefix}/api/{endpoint}", self._handler(endpoint), method="POST")

    @property
    def base_url(self) -> str:
        return self.server.url(self.prefix)

    # -- data ------------------------------------------------------------------------------
    def add_recorded(self, notes: list[dict], antenna: str | None = None) -> None:
        for n in notes:
            self.notes[n["id"]] = n
            for inner in (n.get("renote"), n.get("reply")):
                if isinstance(inner, dict):
                    self.notes.setdefault(inner["id"], inner)
            if antenna:
                self.antennas.setdefault(antenna, []).append(n["id"])

    def add_user(self, user: dict) -> dict:
        self.users[user["id"]] = user
        return user

    def make_user(self, username: str, name: str, description: str, host: str | None = None) -> dict:
        user = copy.deepcopy(load("users_show_lite.json"))
        self._serial += 1
        user.update(
            id=f"u{self._serial:015d}", username=username, name=name, description=description, host=host
        )
        return self.add_user(user)

    def post(
        self,
        user: dict,
        text: str | None,
        reply: dict | None = None,
        renote: dict | None = None,
        **extra: Any,
    ) -> dict:
        """A new note shaped like the recorded `notes_show.json`; ids grow with time like aid."""
        self._serial += 1
        note = copy.deepcopy(load("notes_show.json"))
        when = datetime(2026, 11, 20, tzinfo=UTC) + timedelta(minutes=self._serial)
        lite = {k: user[k] for k in USER_LITE_KEYS if k in user}
        note.update(
            id=f"b{self._serial:015d}",
            createdAt=when.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            userId=user["id"],
            user=lite,
            text=text,
            replyId=reply["id"] if reply else None,
            renoteId=renote["id"] if renote else None,
            **extra,
        )
        if user.get("host"):
            note["uri"] = f"https://{user['host']}/notes/{note['id']}"
        self.notes[note["id"]] = note
        self.generated.add(note["id"])
        return note

    # -- serving ---------------------------------------------------------------------------
    def _pack(self, note: dict, detail: bool = True) -> dict:
        if note["id"] not in self.generated:
            return note
        out = copy.deepcopy(note)
        out["repliesCount"] = sum(1 for n in self.notes.values() if n.get("replyId") == note["id"])
        out["renoteCount"] = sum(1 for n in self.notes.values() if n.get("renoteId") == note["id"])
        if detail:
            for key, ref in (("reply", "replyId"), ("renote", "renoteId")):
                if note.get(ref) and note[ref] in self.notes:
                    out[key] = self._pack(self.notes[note[ref]], detail=False)
        return out

    @staticmethod
    def _paginate(notes: list[dict], body: dict, always_newest_first: bool = False) -> list[dict]:
        since, until = body.get("sinceId"), body.get("untilId")
        chosen = [n for n in notes if (not since or n["id"] > since) and (not until or n["id"] < until)]
        oldest_first = bool(since) and not until and not always_newest_first
        chosen.sort(key=lambda n: n["id"], reverse=not oldest_first)
        return chosen[: int(body.get("limit", 10))]

    def _handler(self, endpoint: str):  # noqa: ANN202
        def handle(req: Request) -> Response:
            body = req.json() or {}
            self.calls.append((endpoint, body))
            if self.override is not None:
                return self.override
            if "i" in body and body["i"] != self.token:
                return recorded_error("test_set_apikey_error.yaml", 403)
            signed_in = "i" in body
            if endpoint == "antennas/notes" and not signed_in:
                return error(*CREDENTIAL_REQUIRED)
            if endpoint == "notes/search" and not self.can_search:
                return error(*SEARCH_UNAVAILABLE)
            if not signed_in and not self.visitors_see:
                return error(*NO_SUCH_USER) if endpoint == "users/show" else Response(200, [], JSON_TYPE)
            return getattr(self, "_" + endpoint.replace("/", "_").replace("-", "_"))(body)

        return handle

    def _answer(self, notes: list[dict]) -> Response:
        return Response(200, [self._pack(n) for n in notes], JSON_TYPE)

    def _antennas_notes(self, body: dict) -> Response:
        ids = self.antennas.get(body["antennaId"])
        if ids is None:
            return error(400, "NO_SUCH_ANTENNA", "No such antenna.", "850926e0-fd3b-49b6-b69a-b28a5dbd82fe")
        return self._answer(self._paginate([self.notes[i] for i in ids], body, always_newest_first=True))

    def _notes_search_by_tag(self, body: dict) -> Response:
        groups = body.get("query") or [[body["tag"]]]
        match = [
            n
            for n in self.notes.values()
            if any(all(t.lower() in [x.lower() for x in n.get("tags") or []] for t in g) for g in groups)
        ]
        return self._answer(self._paginate(match, body))

    def _notes_search(self, body: dict) -> Response:
        match = [n for n in self.notes.values() if body["query"] in (n.get("text") or "")]
        return self._answer(self._paginate(match, body))

    def _users_notes(self, body: dict) -> Response:
        notes = [
            n
            for n in self.notes.values()
            if n.get("userId") == body["userId"]
            and (body.get("withReplies") or not n.get("replyId"))
            and (body.get("withRenotes", True) or not n.get("renoteId") or n.get("text"))
        ]
        return self._answer(self._paginate(notes, body))

    def _notes_children(self, body: dict) -> Response:
        nid = body["noteId"]
        notes = [
            n
            for n in self.notes.values()
            if n.get("replyId") == nid or (n.get("renoteId") == nid and (n.get("text") or n.get("fileIds")))
        ]
        return self._answer(self._paginate(notes, body))

    def _users_show(self, body: dict) -> Response:
        if "userIds" in body:
            return Response(200, [self.users[i] for i in body["userIds"] if i in self.users], JSON_TYPE)
        for u in self.users.values():
            if u["username"].lower() == body.get("username", "").lower() and u.get("host") == body.get(
                "host"
            ):
                return Response(200, u, JSON_TYPE)
        return error(*NO_SUCH_USER)
