"""Reads for the sources and fact-base pages: health rows, volume per day, deliveries, statements."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import streamlit as st
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from collector.store import Delivery, OfficialStatement, Post, Source, utcnow
from dashboard.queries.db import engine_for, text_match


@dataclass
class SourceRow:
    name: str
    kind: str
    role: str
    last_fetch_at: datetime | None
    last_success_at: datetime | None
    last_result: str
    last_error: str
    last_status: int | None
    consecutive_failures: int
    items_last: int
    items_total: int
    next_run_at: datetime | None


@dataclass
class DeliveryRow:
    key: str
    kind: str
    channel: str
    status: str
    attempts: int
    last_error: str
    created_at: datetime
    next_attempt_at: datetime | None


@dataclass
class FactRow:
    id: int
    title: str
    text: str
    url: str
    published_at: datetime | None
    collected_at: datetime
    added_by: str
    source: str


def load_sources(engine: Engine) -> list[SourceRow]:
    with Session(engine) as session:
        rows = session.exec(select(Source).order_by(Source.name)).all()
    return [
        SourceRow(
            r.name,
            r.kind,
            r.role,
            r.last_fetch_at,
            r.last_success_at,
            r.last_result,
            r.last_error or "",
            r.last_status,
            r.consecutive_failures,
            r.items_last,
            r.items_total,
            r.next_run_at,
        )
        for r in rows
    ]


def _hour(engine: Engine):  # noqa: ANN202
    if engine.dialect.name == "postgresql":
        return func.date_trunc("hour", Post.created_at)
    return func.strftime("%Y-%m-%d %H:00:00", Post.created_at)


def load_posts_per_day(engine: Engine, days: int, zone: ZoneInfo) -> dict[date, dict[str, int]]:
    """Posts per local day and platform over the last `days` days (grouped per UTC hour in SQL)."""
    since = utcnow() - timedelta(days=days)
    hour = _hour(engine)
    out: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    with Session(engine) as session:
        rows = session.exec(
            select(hour, Post.platform, func.count(Post.id))
            .where(Post.created_at >= since)
            .group_by(hour, Post.platform)
        ).all()
    from collector.store import to_utc

    for h, platform, n in rows:
        when = to_utc(h if isinstance(h, datetime) else datetime.fromisoformat(str(h)))
        out[when.astimezone(zone).date()][platform] += n
    return {d: dict(v) for d, v in sorted(out.items())}


def load_deliveries(engine: Engine, limit: int = 50) -> list[DeliveryRow]:
    """Digests and notices not delivered (yet): a broken mail or chat channel shows here."""
    with Session(engine) as session:
        rows = session.exec(
            select(Delivery)
            .where(Delivery.status != "sent")
            .order_by(Delivery.created_at.desc())
            .limit(limit)
        ).all()
    return [
        DeliveryRow(
            r.key,
            r.kind,
            r.channel,
            r.status,
            r.attempts,
            r.last_error or "",
            r.created_at,
            r.next_attempt_at,
        )
        for r in rows
    ]


def load_facts(
    engine: Engine, search: str = "", page: int = 0, page_size: int = 50
) -> tuple[list[FactRow], int]:
    with Session(engine) as session:
        sources = {s.id: s.name for s in session.exec(select(Source)).all()}
        cond = []
        match = text_match(engine.dialect.name, [OfficialStatement.title, OfficialStatement.text], search)
        if match is not None:
            cond.append(match)
        total = session.exec(select(func.count(OfficialStatement.id)).where(*cond)).one()
        rows = session.exec(
            select(OfficialStatement)
            .where(*cond)
            .order_by(OfficialStatement.published_at.desc().nulls_last(), OfficialStatement.id.desc())
            .offset(page * page_size)
            .limit(page_size)
        ).all()
    return [
        FactRow(
            r.id,
            r.title or "",
            r.text or "",
            r.url or "",
            r.published_at,
            r.collected_at,
            r.added_by or "",
            sources.get(r.source_id or -1, ""),
        )
        for r in rows
    ], total


@st.cache_data(ttl=30, show_spinner=False)
def sources(url: str) -> list[SourceRow]:
    return load_sources(engine_for(url))


@st.cache_data(ttl=300, show_spinner=False)
def posts_per_day(url: str, days: int, zone_key: str) -> dict[date, dict[str, int]]:
    return load_posts_per_day(engine_for(url), days, ZoneInfo(zone_key))


@st.cache_data(ttl=30, show_spinner=False)
def deliveries(url: str) -> list[DeliveryRow]:
    return load_deliveries(engine_for(url))


@st.cache_data(ttl=30, show_spinner=False)
def facts(url: str, search: str = "", page: int = 0) -> tuple[list[FactRow], int]:
    return load_facts(engine_for(url), search, page)
