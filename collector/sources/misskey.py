"""Misskey (misskey.io and other servers): antenna, hashtag and search notes, and the official
accounts' notes with every reply under them.

Every call is `POST <base_url>/api/<endpoint>` with a JSON body; the token (env var named by
`token_env`, default KIKIMIMI_MISSKEY_TOKEN) goes in the body as `i`. Note search is off on most
servers and visitors may see nothing, so the keyword watch is an antenna (needs a token);
without a token the collector reads what servers allow anonymously (an account's notes, hashtag
notes) and says what it skipped.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import urlsplit

from collector.http import FetchError, Http
from collector.settings import Settings, SourceSettings
from collector.sources.base import Batch, NewPost, SourceDisabled, State
from collector.sources.misskey_api import AUTH_CODES, PAGE, Api, MisskeyError, walk
from collector.sources.misskey_notes import (
    Cursor,
    mfm_to_text,
    note_to_post,
    note_uri,
    unwrap,
)

log = logging.getLogger("kikimimi.misskey")

DEFAULT_BASE = "https://misskey.io"
DEFAULT_TOKEN_ENV = "KIKIMIMI_MISSKEY_TOKEN"
WATCH_NOTES = 20  # the official account's newest notes whose replies are followed
THREAD_CALLS = 60  # notes/children calls per run, over all threads; the rest waits for the next run
SIGNIN_CODES = {"CREDENTIAL_REQUIRED", "SIGNIN_REQUIRED", "PERMISSION_DENIED", "ACCESS_DENIED"}


class Skipped(Exception):
    """A step that cannot run as configured (no token, search off): a note, not a failure."""


@dataclass
class Run:
    """One collection of one source: the posts found, the states to save, the notes to show."""

    api: Api
    source: SourceSettings
    states: dict[str, State]
    found: dict[str, tuple[NewPost, str]] = field(default_factory=dict)  # uri → (post, user id)
    new_states: list[State] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    official_ids: set[str] = field(default_factory=set)
    descriptions: dict[str, str] = field(default_factory=dict)
    uris: dict[str, str] = field(default_factory=dict)  # this server's note id → stable uri
    thread_calls: int = THREAD_CALLS

    @property
    def base(self) -> str:
        return self.api.base

    def cursor(self, key: str) -> str | None:
        state = self.states.get(key)
        return state.cursor if state else None

    def add(
        self, raw: dict, thread_root: str | None = None, to_official: bool = False, parent: str | None = None
    ) -> None:
        note = unwrap(raw)
        if note and note.get("id"):
            self.uris[note["id"]] = note_uri(note, self.base)
        post = note and note_to_post(note, self.base, self.official_ids, thread_root, to_official, parent)
        if not post:
            return
        known = self.found.get(post.external_id)
        if known:  # seen twice in one run (antenna and thread): keep what each view knew
            old = known[0]
            old.thread_root = old.thread_root or post.thread_root
            old.in_reply_to = old.in_reply_to or post.in_reply_to
            old.reply_to_official = old.reply_to_official or post.reply_to_official
            return
        self.found[post.external_id] = (post, str(note.get("userId") or ""))

    async def notes_list(self, key: str, endpoint: str, body: dict) -> None:
        cursor = Cursor.load(self.cursor(key))
        notes, cursor, _, _ = await walk(self.api, endpoint, body, cursor, self.source.max_pages)
        for n in notes:
            self.add(n)
        self.new_states.append(State(key=key, cursor=cursor.dump()))

    async def antenna(self) -> None:
        if not self.api.token:
            raise Skipped(f"antenna {self.source.antenna_id} needs a token: set it in {self.api.token_env}")
        body = {"antennaId": self.source.antenna_id}
        await self.notes_list(f"antenna:{self.source.antenna_id}", "antennas/notes", body)

    async def hashtags(self) -> None:
        tags = sorted({t.lstrip("#") for t in self.source.hashtags if t.strip("# ")})
        body = {"query": [[t] for t in tags]}  # outer list = OR
        await self.notes_list("tags:" + ",".join(tags), "notes/search-by-tag", body)

    async def search(self, term: str) -> None:
        try:
            await self.notes_list(f"search:{term}", "notes/search", {"query": term})
        except MisskeyError as e:
            if e.code in ("UNAVAILABLE", *SIGNIN_CODES) or e.status in (401, 403):
                host = urlsplit(self.base).netloc
                raise Skipped(
                    f"note search is off on {host} for this account ({e.code or e.status}): "
                    f"watch {term!r} with an antenna on {host} and set antenna_id"
                ) from None
            raise

    async def account(self, name: str) -> None:
        username, _, host = name.lstrip("@").partition("@")
        query: dict[str, Any] = {"username": username}
        if host and host != urlsplit(self.base).netloc:
            query["host"] = host
        try:
            user = await self.api.call("users/show", query)
        except MisskeyError as e:
            if e.code == "NO_SUCH_USER" and not self.api.token:
                raise Skipped(
                    f"account {name}: not visible to visitors here; set a token in {self.api.token_env}"
                ) from None
            raise
        if not isinstance(user, dict) or not user.get("id"):
            raise FetchError(f"users/show {name}: expected a user, got {str(user)[:120]!r}")
        self.official_ids.add(user["id"])
        self.descriptions[user["id"]] = mfm_to_text(user.get("description"))
        key = f"account:{name}"
        body = {"userId": user["id"], "withReplies": True, "withRenotes": False, "withChannelNotes": False}
        notes, cursor, newest, _ = await walk(
            self.api, "users/notes", body, Cursor.load(self.cursor(key)), self.source.max_pages
        )
        for n in notes:
            self.add(n)
        self.new_states.append(State(key=key, cursor=cursor.dump()))
        watched = [n for n in newest[:WATCH_NOTES] if n.get("userId") == user["id"] and not n.get("renoteId")]
        for note in watched:
            if int(note.get("repliesCount") or 0) > 0:
                await self.thread(note)

    async def thread(self, root: dict) -> None:
        """Every reply under one official note, at any depth.

        A reply's count only grows on its direct parent, so every branch known to have replies
        is looked at again each run (its newest children page: new replies and fresh counts),
        least recently looked-at first when the call budget runs out.
        """
        key = f"thread:{root['id']}"
        saved = json.loads(self.cursor(key) or "{}")
        nodes: dict[str, dict] = saved.get("nodes", {})
        turn = int(saved.get("turn", 0)) + 1
        queue = [root["id"], *saved.get("pending", [])]
        queue += [k for k, _ in sorted(nodes.items(), key=lambda kv: kv[1].get("turn", 0))]
        queue = list(dict.fromkeys(queue))
        root_uri = self.uris.setdefault(root["id"], note_uri(root, self.base))
        while queue and self.thread_calls > 0:
            node_id = queue.pop(0)
            budget = min(self.source.max_pages, self.thread_calls)
            children, cursor, newest, calls = await walk(
                self.api,
                "notes/children",
                {"noteId": node_id},
                Cursor.load(nodes.get(node_id)),
                budget,
                history=True,
            )
            self.thread_calls -= calls
            parent = self.uris.get(node_id, f"{self.base}/notes/{node_id}")
            for child in children:
                self.add(child, thread_root=root_uri, to_official=True, parent=parent)
            for child in children + newest:
                if (
                    int(child.get("repliesCount") or 0) > 0
                    and child["id"] not in nodes
                    and child["id"] not in queue
                ):
                    queue.append(child["id"])
            nodes[node_id] = dict(cursor.as_dict(), turn=turn)
        pending = [k for k in queue if k not in nodes]
        if pending:
            self.notes.append(f"thread {root_uri}: {len(pending)} reply branches left for the next run")
        state = {"nodes": nodes, "pending": pending, "turn": turn}
        self.new_states.append(State(key=key, cursor=json.dumps(state)))

    async def describe_authors(self) -> None:
        """Profile texts (they matter to leak detection) in bulk: `users/show` takes `userIds`."""
        wanted = sorted({uid for _, uid in self.found.values() if uid and uid not in self.descriptions})
        try:
            for i in range(0, len(wanted), PAGE):
                users = await self.api.call("users/show", {"userIds": wanted[i : i + PAGE]})
                for u in users if isinstance(users, list) else []:
                    if isinstance(u, dict) and u.get("id"):
                        self.descriptions[u["id"]] = mfm_to_text(u.get("description"))
        except FetchError as e:
            self.notes.append(f"author profiles not read: {e}")
        for post, uid in self.found.values():
            post.author_description = self.descriptions.get(uid, "")


class MisskeyCollector:
    kind: ClassVar[str] = "misskey"

    async def collect(
        self, source: SourceSettings, states: dict[str, State], http: Http, settings: Settings
    ) -> Batch:
        env = source.token_env or DEFAULT_TOKEN_ENV
        token = os.environ.get(env, "").strip() or None
        base = (source.base_url or DEFAULT_BASE).rstrip("/")
        run = Run(Api(http, base, token, env), source, states)
        # the accounts first: their notes mark the antenna's and hashtags' replies to them
        steps: list[tuple[str, Any]] = [(f"account {a}", lambda a=a: run.account(a)) for a in source.accounts]
        if source.antenna_id:
            steps.append((f"antenna {source.antenna_id}", run.antenna))
        if source.hashtags:
            steps.append(("hashtags", run.hashtags))
        steps += [(f"search {t!r}", lambda t=t: run.search(t)) for t in source.query]
        if not steps:
            raise SourceDisabled(
                f"misskey source {source.name!r}: nothing to read; set antenna_id (with a token in {env}), "
                "hashtags, query or accounts"
            )
        failures: list[FetchError] = []
        skipped = 0
        for name, step in steps:
            try:
                await step()
            except Skipped as e:
                skipped += 1
                run.notes.append(str(e))
            except MisskeyError as e:
                if e.code in AUTH_CODES:
                    raise  # a refused token fails every step alike: say it once
                if not token and (e.status in (401, 403) or e.code in SIGNIN_CODES):
                    skipped += 1
                    run.notes.append(
                        f"{name}: not shown to visitors ({e.code or e.status}); set a token in {env}"
                    )
                    continue
                failures.append(e)
                run.notes.append(f"{name}: {e}")
            except FetchError as e:
                failures.append(e)
                run.notes.append(f"{name}: {e}")
        if skipped == len(steps):
            raise SourceDisabled("; ".join(run.notes))
        if failures and len(failures) + skipped == len(steps):
            raise failures[0]
        await run.describe_authors()
        log.info("misskey source=%s posts=%d notes=%d", source.name, len(run.found), len(run.notes))
        return Batch(posts=[p for p, _ in run.found.values()], states=run.new_states, errors=run.notes)
