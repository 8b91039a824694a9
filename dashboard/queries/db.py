"""Settings and the engine, once per process and per database; search and time helpers."""

from __future__ import annotations

import os
import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import streamlit as st
from sqlalchemy import ColumnElement, or_
from sqlalchemy.engine import Engine

from collector.settings import ENV_DATABASE_URL, ENV_SETTINGS, Settings, load_settings


@st.cache_resource(show_spinner=False)
def _load(path: str | None, db_env: str | None, mtime: float) -> Settings:
    return load_settings(path)


def settings() -> Settings:
    """The settings the process was started with (re-read when the file changes)."""
    path = os.environ.get(ENV_SETTINGS)
    mtime = os.path.getmtime(path) if path and os.path.exists(path) else 0.0
    return _load(path, os.environ.get(ENV_DATABASE_URL), mtime)


@st.cache_resource(show_spinner=False)
def engine_for(url: str) -> Engine:
    from collector.db import make_engine, migrate

    migrate(url)
    return make_engine(url)


def db_url() -> str:
    return settings().database.url


def engine() -> Engine:
    return engine_for(db_url())


def tz() -> ZoneInfo:
    return ZoneInfo(settings().digest.timezone)


# --- search -------------------------------------------------------------------------


def _like_pattern(q: str) -> str:
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_variants(q: str) -> list[str]:
    """The query as typed and its NFKC form (ＡＢＣ/ABC, ｶﾀｶﾅ/カタカナ), without duplicates."""
    q = q.strip()
    if not q:
        return []
    out = [q]
    nfkc = unicodedata.normalize("NFKC", q)
    if nfkc != q:
        out.append(nfkc)
    return out


def text_match(dialect: str, columns: list, q: str) -> ColumnElement[bool] | None:
    """Substring search that works on both stores: ILIKE (pg_trgm GIN index) on PostgreSQL, LIKE on SQLite.

    SQLite's LIKE already ignores ASCII case; PostgreSQL's ILIKE does the same and can use the
    trigram index for queries of three characters or more (shorter ones are narrowed by the other
    filters first: alerts, a time window).
    """
    clauses = []
    for variant in search_variants(q):
        pattern = _like_pattern(variant)
        for col in columns:
            if dialect == "postgresql":
                clauses.append(col.ilike(pattern, escape="\\"))
            else:
                clauses.append(col.like(pattern, escape="\\"))
    return or_(*clauses) if clauses else None


# --- time ---------------------------------------------------------------------------


def day_start_utc(d: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(d, time(0, 0), tzinfo=zone).astimezone(UTC)


def day_end_utc(d: date, zone: ZoneInfo) -> datetime:
    return day_start_utc(d + timedelta(days=1), zone)


def local(dt: datetime | None, zone: ZoneInfo, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if dt is None:
        return ""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(zone).strftime(fmt)
