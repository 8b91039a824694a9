"""Collect due sources → store posts (and their cursors/ETags in the same transaction).

Analysis runs afterwards over every post not analysed yet (`collector.alerts.analyze_new`),
so whatever is stored here reaches it, whichever source it came from.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, String, Text, and_, bindparam, case, func, or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from collector.db import insert_ignoring_duplicates, session_scope
from collector.http import FetchError, Http
from collector.settings import Settings, SourceSettings
from collector.sources.base import Batch, SourceDisabled, State, collector_for
from collector.status import record_failure, record_success
from collector.status import sync_sources as sync_sources
from collector.store import FetchState, OfficialStatement, Post, Source, to_utc, utcnow

log = logging.getLogger("kikimimi.pipeline")

_ID_FIELDS = ("external_id", "in_reply_to", "thread_root")  # hashed, not cut, when too long


@dataclass
class SourceReport:
    name: str
    result: str  # ok | not_modified | error | disabled
    new_posts: int = 0
    new_facts: int = 0
    error: str = ""


def _limits(table: Any) -> dict[str, int]:
    """Each string column's maximum length (SQLModel's AutoString carries it; Text has none)."""
    lengths = {c.name: getattr(c.type, "length", None) for c in table.__table__.columns}
    return {name: n for name, n in lengths.items() if isinstance(n, int) and n > 0}


def fit(table: Any, row: dict[str, Any], limits: dict[str, int] | None = None) -> dict[str, Any]:
    """Strings cut to their column's length (PostgreSQL refuses longer ones); ids hashed instead,
    so a parent link still matches its parent's id. Pass `limits=_limits(table)` when fitting many."""
    for name, length in (limits or _limits(table)).items():
        value = row.get(name)
        if isinstance(value, str) and len(value) > length:
            if name in _ID_FIELDS:
                row[name] = "sha256:" + hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()
            else:
                row[name] = value[:length]
    return row


def _load_states(session: Session, source_id: int) -> dict[str, State]:
    rows = session.exec(select(FetchState).where(FetchState.source_id == source_id)).all()
    return {
        r.key: State(key=r.key, cursor=r.cursor, etag=r.etag, last_modified=r.last_modified) for r in rows
    }


def _save_facts(session: Session, source: Source, batch: Batch, now: datetime) -> int:
    """New statements inserted; a statement the city has since edited is updated in place."""
    rows = [
        fit(
            OfficialStatement,
            dict(asdict(f), source_id=source.id, collected_at=now, published_at=to_utc(f.published_at)),
        )
        for f in batch.facts
    ]
    if not rows:
        return 0
    ids = {r["external_id"] for r in rows}
    existing = {
        r.external_id: r
        for r in session.exec(select(OfficialStatement).where(OfficialStatement.external_id.in_(ids))).all()
    }
    for row in rows:
        old = existing.get(row["external_id"])
        if old is not None and (old.title, old.text, old.url) != (row["title"], row["text"], row["url"]):
            old.title, old.text, old.url = row["title"], row["text"], row["url"]
            old.published_at = row["published_at"] or old.published_at
            session.add(old)
    new = [r for r in rows if r["external_id"] not in existing]
    return len(insert_ignoring_duplicates(session, OfficialStatement, new, ["external_id"]))


def save_batch(session: Session, source: Source, batch: Batch, now: datetime) -> tuple[int, int]:
    """Posts, facts and the states that cover them, in the caller's one transaction."""
    post_rows, limits = [], _limits(Post)
    for p in batch.posts:
        row = asdict(p)
        row.update(
            source_id=source.id,
            collected_at=now,
            created_at=to_utc(p.created_at),
            content_hash=p.content_hash,
        )
        post_rows.append(fit(Post, row, limits))
    new_posts = insert_ignoring_duplicates(session, Post, post_rows, ["platform", "external_id"])
    if len(new_posts) < len(post_rows):
        link_known_posts(session, post_rows)
    new_facts = _save_facts(session, source, batch, now)
    existing = {
        r.key: r for r in session.exec(select(FetchState).where(FetchState.source_id == source.id)).all()
    }
    for st in batch.states:
        values = fit(FetchState, asdict(st))
        row = existing.get(values["key"]) or FetchState(source_id=source.id, key=values["key"])
        row.cursor, row.etag, row.last_modified = values["cursor"], values["etag"], values["last_modified"]
        row.updated_at = now
        session.add(row)
        existing[row.key] = row
    session.flush()
    return len(new_posts), new_facts


_LINK_FIELDS = ("in_reply_to", "thread_root", "reply_to_official", "author_description")


def link_known_posts(session: Session, rows: list[dict[str, Any]]) -> None:
    """Fill in what a later path learned about posts stored already, never overwriting what is known.

    A reply first met in a hashtag timeline and later in the city's thread gains its parent, its
    thread root and `reply_to_official`; the post itself, its text and its analysis stay as they were.
    One statement for the whole batch; rows that would change nothing are not touched.
    """
    params = [
        {
            "p": r["platform"],
            "e": r["external_id"],
            "irt": r.get("in_reply_to"),
            "tr": r.get("thread_root"),
            "rto": bool(r.get("reply_to_official")),
            "desc": r.get("author_description") or None,
        }
        for r in rows
        if r.get("in_reply_to")
        or r.get("thread_root")
        or r.get("reply_to_official")
        or r.get("author_description")
    ]
    if not params:
        return
    t = Post.__table__
    irt, tr = bindparam("irt", type_=String), bindparam("tr", type_=String)
    rto, desc = bindparam("rto", type_=Boolean), bindparam("desc", type_=Text)
    stmt = (
        update(t)
        .where(
            t.c.platform == bindparam("p"),
            t.c.external_id == bindparam("e"),
            or_(
                and_(t.c.in_reply_to.is_(None), irt.is_not(None)),
                and_(t.c.thread_root.is_(None), tr.is_not(None)),
                and_(t.c.reply_to_official.is_(False), rto.is_(True)),
                and_(t.c.author_description == "", desc.is_not(None)),
            ),
        )
        .values(
            in_reply_to=func.coalesce(t.c.in_reply_to, irt),
            thread_root=func.coalesce(t.c.thread_root, tr),
            reply_to_official=or_(t.c.reply_to_official, rto),
            author_description=case(
                (t.c.author_description == "", func.coalesce(desc, "")),
                else_=t.c.author_description,
            ),
        )
    )
    session.execute(stmt, params)


async def _collect_source(
    cfg: SourceSettings, source_id: int, engine: Engine, http: Http, settings: Settings
) -> SourceReport:
    now = utcnow()
    with Session(engine) as session:
        states = _load_states(session, source_id)
    try:
        batch = await collector_for(cfg.kind).collect(cfg, states, http, settings)
    except SourceDisabled as e:
        return SourceReport(
            cfg.name, "disabled", error=record_failure(engine, cfg, source_id, settings, e, "disabled")
        )
    except FetchError as e:  # RateLimited too: the pipeline reschedules it after the wait it asked for
        return SourceReport(cfg.name, "error", error=record_failure(engine, cfg, source_id, settings, e))
    except Exception as e:  # a bug or garbage in one source never stops the others
        log.exception("collect source=%s crashed", cfg.name)
        return SourceReport(cfg.name, "error", error=record_failure(engine, cfg, source_id, settings, e))
    result = "not_modified" if batch.not_modified else "ok"
    try:
        with session_scope(engine) as session:
            source = session.get(Source, source_id)
            new_posts, new_facts = save_batch(session, source, batch, now)
            record_success(session, source, cfg, settings, now, result, new_posts + new_facts, batch.errors)
            note = source.last_error or ""
    except Exception as e:  # nothing of the batch was stored: neither posts nor the cursor/ETag
        log.exception("collect source=%s could not store its batch", cfg.name)
        failure = FetchError(f"could not store {len(batch.posts)} posts: {type(e).__name__}: {str(e)[:300]}")
        return SourceReport(
            cfg.name, "error", error=record_failure(engine, cfg, source_id, settings, failure)
        )
    log.info("collect source=%s result=%s new_posts=%d new_facts=%d", cfg.name, result, new_posts, new_facts)
    return SourceReport(cfg.name, result, new_posts, new_facts, note)


async def collect(
    settings: Settings,
    engine: Engine,
    only: str | None = None,
    due_only: bool = False,
    http: Http | None = None,
) -> list[SourceReport]:
    """Collect every enabled source (or one, or only those due) concurrently; one failing never stops another."""
    rows = sync_sources(engine, settings)
    chosen = [settings.source(only)] if only else [s for s in settings.sources if s.enabled]
    if due_only:
        now = utcnow()
        chosen = [s for s in chosen if rows[s.name].next_run_at is None or rows[s.name].next_run_at <= now]
    if not chosen:
        return []
    own_http = http is None
    http = http or Http(settings.http, settings.user_agent)
    try:
        results = await asyncio.gather(
            *(_collect_source(cfg, rows[cfg.name].id, engine, http, settings) for cfg in chosen),
            return_exceptions=True,
        )
    finally:
        if own_http:
            await http.aclose()
    reports = []
    for cfg, r in zip(chosen, results, strict=True):
        reports.append(r if isinstance(r, SourceReport) else SourceReport(cfg.name, "error", error=repr(r)))
    return reports
