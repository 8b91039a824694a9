"""Each source's health, as `kikimimi status` and the sources page show it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from collector.pipeline import sync_sources
from collector.settings import Settings
from collector.store import Source


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def source_status(settings: Settings, engine: Engine) -> list[dict[str, Any]]:
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
    return out
