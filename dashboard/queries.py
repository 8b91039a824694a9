"""Every read the pages make: one engine per process, cached, paged."""

from __future__ import annotations

from typing import Any

import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from collector.settings import Settings, load_settings
from collector.store import Alert, Post


@st.cache_resource
def settings() -> Settings:
    return load_settings()


@st.cache_resource
def engine() -> Engine:
    from collector.db import make_engine, migrate

    url = settings().database.url
    migrate(url)
    return make_engine(url)


def alert_queue(
    statuses: tuple[str, ...] = ("new", "in_progress"), limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    with Session(engine()) as session:
        rows = session.exec(
            select(Alert, Post)
            .join(Post, Alert.post_id == Post.id, isouter=True)
            .where(Alert.status.in_(statuses))
            .order_by(Alert.severity_rank.desc(), Alert.created_at.desc())
            .offset(offset)
            .limit(limit)
        ).all()
        return [{"alert": a, "post": p} for a, p in rows]


def alert_count(statuses: tuple[str, ...] = ("new", "in_progress")) -> int:
    with Session(engine()) as session:
        return session.exec(select(func.count()).select_from(Alert).where(Alert.status.in_(statuses))).one()
