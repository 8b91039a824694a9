"""The alert queue: one page of alerts, the total and the counts per kind × severity, for a filter.

Two steps keep a page fast on 50,000 alerts and a million posts: first the ids of one page
(narrow columns, the queue index), then the rows of just those ids with their post.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import streamlit as st
from sqlalchemy import exists, func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from collector.store import SEVERITY_RANK, Alert, Post
from dashboard.queries.db import engine_for, text_match

OPEN = ("new", "in_progress")
EXCERPT = 240  # characters of post text the queue shows


@dataclass(frozen=True)
class QueueFilter:
    """What the queue shows; every field empty means "everything"."""

    statuses: tuple[str, ...] = OPEN
    kinds: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    since: datetime | None = None  # alert raised at or after (UTC)
    until: datetime | None = None  # before (UTC)
    text: str = ""  # substring of the post's text or title


@dataclass
class QueueRow:
    id: int
    kind: str
    severity: str
    status: str
    score: float
    reason: str
    created_at: datetime
    assignee: str
    post_id: int | None
    platform: str = ""
    author: str = ""
    author_name: str = ""
    title: str = ""
    excerpt: str = ""
    replies: int = 0
    post_count: int = 1  # thread, claim and spike alerts stand for many posts


@dataclass
class QueuePage:
    rows: list[QueueRow]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass
class Counts:
    cells: dict[tuple[str, str], int] = field(default_factory=dict)

    def by_kind(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for (kind, _), n in self.cells.items():
            out[kind] = out.get(kind, 0) + n
        return out

    def by_severity(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for (_, sev), n in self.cells.items():
            out[sev] = out.get(sev, 0) + n
        return out

    @property
    def total(self) -> int:
        return sum(self.cells.values())


def _where(stmt, f: QueueFilter, dialect: str, with_kind: bool = True):  # noqa: ANN001, ANN202
    if f.statuses:
        stmt = stmt.where(Alert.status.in_(f.statuses))
    if with_kind and f.kinds:
        stmt = stmt.where(Alert.kind.in_(f.kinds))
    if with_kind and f.severities:
        stmt = stmt.where(Alert.severity_rank.in_([SEVERITY_RANK.get(s, -1) for s in f.severities]))
    if f.since is not None:
        stmt = stmt.where(Alert.created_at >= f.since)
    if f.until is not None:
        stmt = stmt.where(Alert.created_at < f.until)
    if f.platforms:
        stmt = stmt.join(Post, Alert.post_id == Post.id).where(Post.platform.in_(f.platforms))
    match = text_match(dialect, [Post.text, Post.title], f.text)
    if match is not None:
        # Checked per alert (≤ 50,000 primary-key reads), never by scanning a million posts: with
        # OFFSET 0 PostgreSQL keeps the EXISTS as a per-row check, which is fast for every query
        # length, including the 1–2 characters a trigram index cannot serve.
        stmt = stmt.where(exists(select(Post.id).where(Post.id == Alert.post_id, match).offset(0)))
    return stmt


def load_queue(engine: Engine, f: QueueFilter, page: int = 0, page_size: int = 50) -> QueuePage:
    dialect = engine.dialect.name
    with Session(engine) as session:
        ids_stmt = _where(select(Alert.id), f, dialect).order_by(
            Alert.severity_rank.desc(), Alert.created_at.desc(), Alert.id.desc()
        )
        ids = list(session.exec(ids_stmt.offset(page * page_size).limit(page_size)).all())
        total = session.exec(_where(select(func.count(Alert.id)), f, dialect)).one()
        rows: list[QueueRow] = []
        if ids:
            found = session.exec(
                select(
                    Alert.id,
                    Alert.kind,
                    Alert.severity,
                    Alert.status,
                    Alert.score,
                    Alert.reason,
                    Alert.created_at,
                    Alert.assignee,
                    Alert.post_id,
                    Post.platform,
                    Post.author,
                    Post.author_name,
                    Post.title,
                    func.substr(Post.text, 1, EXCERPT),
                    Post.reply_count,
                    Alert.post_count,
                )
                .select_from(Alert)
                .join(Post, Alert.post_id == Post.id, isouter=True)
                .where(Alert.id.in_(ids))
            ).all()
            by_id = {r[0]: r for r in found}
            for i in ids:
                r = by_id[i]
                rows.append(
                    QueueRow(
                        id=r[0],
                        kind=r[1],
                        severity=r[2],
                        status=r[3],
                        score=r[4],
                        reason=r[5] or "",
                        created_at=r[6],
                        assignee=r[7] or "",
                        post_id=r[8],
                        platform=r[9] or "",
                        author=r[10] or "",
                        author_name=r[11] or "",
                        title=r[12] or "",
                        excerpt=r[13] or "",
                        replies=r[14] or 0,
                        post_count=r[15] or 1,
                    )
                )
    return QueuePage(rows=rows, total=total, page=page, page_size=page_size)


def load_counts(engine: Engine, f: QueueFilter) -> Counts:
    """Alerts per kind × severity under the filter, ignoring its own kind and severity choice."""
    with Session(engine) as session:
        stmt = _where(
            select(Alert.kind, Alert.severity, func.count(Alert.id)), f, engine.dialect.name, with_kind=False
        ).group_by(Alert.kind, Alert.severity)
        return Counts({(k, s): n for k, s, n in session.exec(stmt).all()})


def load_platforms(engine: Engine) -> list[str]:
    """Distinct platforms by skipping along the (platform, external_id) index: a few look-ups, not a scan."""
    out: list[str] = []
    with Session(engine) as session:
        while True:
            stmt = select(func.min(Post.platform))
            if out:
                stmt = stmt.where(Post.platform > out[-1])
            nxt = session.exec(stmt).one()
            if nxt is None:
                return out
            out.append(nxt)


# --- cached for the pages --------------------------------------------------------------


@st.cache_data(ttl=15, show_spinner=False, max_entries=200)
def queue(url: str, f: QueueFilter, page: int = 0, page_size: int = 50) -> QueuePage:
    return load_queue(engine_for(url), f, page, page_size)


@st.cache_data(ttl=15, show_spinner=False, max_entries=200)
def counts(url: str, f: QueueFilter) -> Counts:
    return load_counts(engine_for(url), f)


@st.cache_data(ttl=300, show_spinner=False)
def platforms(url: str) -> list[str]:
    return load_platforms(engine_for(url))


def invalidate() -> None:
    """After a write: the queue and its counts are read again."""
    queue.clear()
    counts.clear()
