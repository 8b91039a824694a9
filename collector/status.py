"""Each source's health: written after every fetch, shown by `kikimimi status` and the sources page.

A failure is recorded as one sentence that names the source, what happened and what to do:
`source 'city-news': HTTP 404 from www.city.chino.lg.jp: check [[sources]].url in settings.toml`.
Repeated failures push the next run back (exponential backoff with jitter, capped); a
server's own Retry-After wins when it asks for longer.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from collector.db import session_scope
from collector.http import FetchError, RateLimited
from collector.settings import Settings, SourceSettings
from collector.store import Source, utcnow

log = logging.getLogger("kikimimi.status")


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
            elif (row.kind, row.role) != (cfg.kind, cfg.role):
                row.kind, row.role = cfg.kind, cfg.role
        session.flush()
    return rows


def next_run(
    cfg: SourceSettings, settings: Settings, failures: int, now: datetime, wait: float | None = None
) -> datetime:
    """The interval when healthy; after failures, exponential backoff with jitter, capped at
    [http].backoff_max (never below the interval); a server's Retry-After wins when longer."""
    seconds = float(cfg.interval_seconds)
    if failures:
        backoff = settings.http.backoff_base * 60 * (2 ** min(failures - 1, 12))
        seconds = min(max(seconds, backoff), max(settings.http.backoff_max, seconds))
        seconds *= 0.8 + random.random() * 0.4
        if wait is not None:
            seconds = max(seconds, wait)
    return now + timedelta(seconds=seconds)


def _where(cfg: SourceSettings) -> str:
    return "[[sources]].url" if cfg.kind == "rss" else "[[sources]].base_url, accounts and query"


def hint(cfg: SourceSettings, error: Exception) -> str:
    """What a person can do about this failure."""
    status = getattr(error, "status", None)
    text = str(error)
    if isinstance(error, RateLimited) or status == 429:
        return "the server is rate limiting us: kikimimi waits as asked; lengthen [[sources]].interval if this repeats"
    if status in (404, 410):
        return f"check {_where(cfg)} in settings.toml"
    if status in (401, 403):
        if cfg.token_env:
            return f"the server refused access: check the token in the environment variable {cfg.token_env}"
        return "the server refused access (blocked, or a login is needed): open the address in a browser"
    if status is not None and status >= 500:
        return "the server is failing; kikimimi retries with backoff"
    if status is not None:
        return f"the server rejected the request: check {_where(cfg)} in settings.toml"
    if text.startswith("timeout"):
        return "the server is slow or unreachable; raise [http].timeout in settings.toml if it is only slow"
    if text.startswith("could not connect"):
        return f"check the host name in {_where(cfg)} and this machine's network"
    if text.startswith("could not store"):
        return "the database refused the batch (nothing of it was kept; it is fetched again next run): see the log"
    if text.startswith("not a readable feed"):
        return "the address does not serve an RSS/Atom feed: check [[sources]].url in settings.toml"
    if isinstance(error, FetchError):
        return f"check {_where(cfg)} in settings.toml"
    return "this is a bug in kikimimi: see the log and report it"


def describe(cfg: SourceSettings, error: Exception) -> str:
    """`source 'name': what happened: what to do`."""
    what = str(error) if isinstance(error, FetchError) else f"{type(error).__name__}: {error}"
    return f"source '{cfg.name}': {what}: {hint(cfg, error)}"


def record_success(
    session: Session,
    source: Source,
    cfg: SourceSettings,
    settings: Settings,
    now: datetime,
    result: str,
    new_items: int,
    notes: list[str],
) -> None:
    """In the batch's own transaction: the source's health says what that transaction stored."""
    source.last_fetch_at = source.last_success_at = now
    source.last_result = result
    source.last_error = (f"source '{cfg.name}': " + "; ".join(notes))[:2000] if notes else None
    source.last_status = None
    source.consecutive_failures = 0
    source.items_last = new_items
    source.items_total += new_items
    source.next_run_at = next_run(cfg, settings, 0, now)
    session.add(source)


def record_failure(
    engine: Engine,
    cfg: SourceSettings,
    source_id: int,
    settings: Settings,
    error: Exception,
    result: str = "error",
) -> str:
    """A failed fetch: the error and the fix on the health row, the next run pushed back. Returns the message."""
    now = utcnow()
    message = f"source '{cfg.name}': {error}" if result == "disabled" else describe(cfg, error)
    status = getattr(error, "status", None)
    wait = getattr(error, "retry_after", None)
    with session_scope(engine) as session:
        source = session.get(Source, source_id)
        source.last_fetch_at = now
        source.last_result = result
        source.last_error = message[:2000]
        source.last_status = status
        source.items_last = 0
        if result == "error":
            source.consecutive_failures += 1
        source.next_run_at = next_run(cfg, settings, source.consecutive_failures, now, wait)
        failures = source.consecutive_failures
    log.warning(
        "collect source=%s result=%s status=%s failures=%d error=%r",
        cfg.name,
        result,
        status,
        failures,
        message,
    )
    return message


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def source_status(settings: Settings, engine: Engine) -> list[dict[str, Any]]:
    """Every source's health row, configured ones first, as plain data (JSON-ready)."""
    sync_sources(engine, settings)
    configured = {s.name: s for s in settings.sources}
    with Session(engine) as session:
        rows = session.exec(select(Source).order_by(Source.name)).all()
    out = []
    for r in rows:
        cfg = configured.get(r.name)
        out.append(
            {
                "name": r.name,
                "kind": r.kind,
                "role": r.role,
                "configured": cfg is not None,
                "enabled": bool(cfg and cfg.enabled),
                "interval": cfg.interval if cfg else None,
                "last_fetch_at": _iso(r.last_fetch_at),
                "last_success_at": _iso(r.last_success_at),
                "last_result": r.last_result,
                "last_error": r.last_error,
                "last_status": r.last_status,
                "consecutive_failures": r.consecutive_failures,
                "items_last": r.items_last,
                "items_total": r.items_total,
                "next_run_at": _iso(r.next_run_at),
            }
        )
    out.sort(key=lambda s: (not s["configured"], s["name"]))
    return out
