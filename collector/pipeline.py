"""Collect due sources → store posts → analyse new posts → save alerts."""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from collector.db import insert_ignoring_duplicates, session_scope
from collector.http import FetchError, Http, RateLimited
from collector.settings import Settings, SourceSettings
from collector.sources.base import Batch, SourceDisabled, State, collector_for
from collector.store import FetchState, OfficialStatement, Post, Source, to_utc, utcnow

log = logging.getLogger("kikimimi.pipeline")


@dataclass
class SourceReport:
    name: str
    result: str  # ok | not_modified | error | disabled
    new_posts: int = 0
    new_facts: int = 0
    error: str = ""


def sync_sources(engine: Engine, settings: Settings) -> dict[str, Source]:
    """One `Source` row per configured source (created on first sight, kind/role kept in step)."""
    with session_scope(engine) as session:
        rows = {s.name: s for s in session.exec(select(Source)).all()}
        for cfg in settings.sources:
            row = rows.get(cfg.name)
            if row is None:
                row = Source(name=cfg.name, kind=cfg.kind, role=cfg.role)
                session.add(row)
                rows[cfg.name] = row
            else:
                row.kind, row.role = cfg.kind, cfg.role
        session.flush()
    return rows


def _load_states(session: Session, source_id: int) -> dict[str, State]:
    rows = session.exec(select(FetchState).where(FetchState.source_id == source_id)).all()
    return {
        r.key: State(key=r.key, cursor=r.cursor, etag=r.etag, last_modified=r.last_modified) for r in rows
    }


def save_batch(session: Session, source: Source, batch: Batch, now: datetime) -> tuple[int, int]:
    """Posts, facts and the states that cover them, in the caller's one transaction."""
    post_rows = []
    for p in batch.posts:
        row = asdict(p)
        row.update(
            source_id=source.id,
            collected_at=now,
            created_at=to_utc(p.created_at),
            content_hash=p.content_hash,
        )
        post_rows.append(row)
    new_posts = insert_ignoring_duplicates(session, Post, post_rows, ["platform", "external_id"])
    fact_rows = [
        dict(asdict(f), source_id=source.id, collected_at=now, published_at=to_utc(f.published_at))
        for f in batch.facts
    ]
    new_facts = insert_ignoring_duplicates(session, OfficialStatement, fact_rows, ["external_id"])
    existing = {
        r.key: r for r in session.exec(select(FetchState).where(FetchState.source_id == source.id)).all()
    }
    for st in batch.states:
        row = existing.get(st.key) or FetchState(source_id=source.id, key=st.key)
        row.cursor, row.etag, row.last_modified, row.updated_at = st.cursor, st.etag, st.last_modified, now
        session.add(row)
    return len(new_posts), len(new_facts)


def _next_run(
    cfg: SourceSettings, settings: Settings, failures: int, now: datetime, wait: float | None = None
) -> datetime:
    """The interval when healthy; after failures, exponential backoff with jitter, capped."""
    seconds = float(cfg.interval_seconds)
    if failures:
        backoff = settings.http.backoff_base * 60 * (2 ** min(failures - 1, 10))
        seconds = min(max(seconds, backoff), max(settings.http.backoff_max, seconds))
        seconds *= 0.8 + random.random() * 0.4
    if wait is not None:
        seconds = max(seconds if not failures else 0, wait)
    return now + timedelta(seconds=seconds)


async def _collect_source(
    cfg: SourceSettings, source_id: int, engine: Engine, http: Http, settings: Settings
) -> SourceReport:
    now = utcnow()
    with Session(engine) as session:
        states = _load_states(session, source_id)
    try:
        batch = await collector_for(cfg.kind).collect(cfg, states, http, settings)
    except SourceDisabled as e:
        return _record_failure(engine, cfg, source_id, settings, "disabled", str(e), None, None)
    except RateLimited as e:
        return _record_failure(engine, cfg, source_id, settings, "error", str(e), e.status, e.retry_after)
    except FetchError as e:
        return _record_failure(engine, cfg, source_id, settings, "error", str(e), e.status, e.retry_after)
    except Exception as e:  # a bug or garbage in one source never stops the others
        log.exception("collect source=%s crashed", cfg.name)
        return _record_failure(
            engine, cfg, source_id, settings, "error", f"{type(e).__name__}: {e}", None, None
        )
    with session_scope(engine) as session:
        source = session.get(Source, source_id)
        new_posts, new_facts = save_batch(session, source, batch, now)
        source.last_fetch_at = source.last_success_at = now
        source.last_result = "not_modified" if batch.not_modified else "ok"
        source.last_error = "; ".join(batch.errors) or None
        source.last_status = None
        source.consecutive_failures = 0
        source.items_last = new_posts + new_facts
        source.items_total += new_posts + new_facts
        source.next_run_at = _next_run(cfg, settings, 0, now)
    log.info(
        "collect source=%s result=%s new_posts=%d new_facts=%d",
        cfg.name,
        source.last_result,
        new_posts,
        new_facts,
    )
    return SourceReport(cfg.name, source.last_result, new_posts, new_facts, source.last_error or "")


def _record_failure(
    engine: Engine,
    cfg: SourceSettings,
    source_id: int,
    settings: Settings,
    result: str,
    error: str,
    status: int | None,
    wait: float | None,
) -> SourceReport:
    now = utcnow()
    with session_scope(engine) as session:
        source = session.get(Source, source_id)
        source.last_fetch_at = now
        source.last_result = result
        source.last_error = error[:2000]
        source.last_status = status
        source.items_last = 0
        if result == "error":
            source.consecutive_failures += 1
        source.next_run_at = _next_run(cfg, settings, source.consecutive_failures, now, wait)
    log.warning("collect source=%s result=%s status=%s error=%r", cfg.name, result, status, error)
    return SourceReport(cfg.name, result, error=error)


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
