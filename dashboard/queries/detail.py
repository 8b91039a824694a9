"""One alert with everything its page shows: the post, the fact, the thread, the history, the drafts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import streamlit as st
from sqlalchemy import func, or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from collector.store import Alert, OfficialStatement, Post, ReplyDraft, Source, TriageEvent
from dashboard.queries.db import engine_for

THREAD_LIMIT = 50  # siblings / replies shown around a post; the rest are counted


@dataclass
class PostView:
    id: int
    platform: str
    external_id: str
    url: str
    author: str
    author_name: str
    author_description: str
    title: str
    text: str
    created_at: datetime | None
    collected_at: datetime
    in_reply_to: str | None
    thread_root: str | None
    is_official: bool
    reply_to_official: bool
    repost_count: int
    reply_count: int
    like_count: int
    content_hash: str
    source: str = ""
    alerts: list[tuple[str, float]] = field(default_factory=list)  # (kind, score) of its own alerts


@dataclass
class FactView:
    id: int
    title: str
    text: str
    url: str
    published_at: datetime | None
    added_by: str


@dataclass
class EventView:
    at: datetime
    actor: str
    field_name: str
    old_value: str
    new_value: str


@dataclass
class DraftView:
    id: int
    text: str
    status: str
    author: str
    approver: str
    created_at: datetime
    decided_at: datetime | None


@dataclass
class AlertDetail:
    id: int
    kind: str
    severity: str
    status: str
    score: float
    clause: str
    reason: str
    action: str
    evidence: list[dict[str, Any]]
    details: dict[str, Any]
    assignee: str
    notes: str
    created_at: datetime
    updated_at: datetime
    post: PostView | None
    fact: FactView | None
    history: list[EventView]
    drafts: list[DraftView]


@dataclass
class Thread:
    root: PostView | None
    parent: PostView | None
    siblings: list[PostView]
    replies: list[PostView]
    sibling_total: int
    reply_total: int
    thread_total: int


def _post_view(p: Post, sources: dict[int, str] | None = None) -> PostView:
    return PostView(
        id=p.id,
        platform=p.platform,
        external_id=p.external_id,
        url=p.url or "",
        author=p.author or "",
        author_name=p.author_name or "",
        author_description=p.author_description or "",
        title=p.title or "",
        text=p.text or "",
        created_at=p.created_at,
        collected_at=p.collected_at,
        in_reply_to=p.in_reply_to,
        thread_root=p.thread_root,
        is_official=p.is_official,
        reply_to_official=p.reply_to_official,
        repost_count=p.repost_count,
        reply_count=p.reply_count,
        like_count=p.like_count,
        content_hash=p.content_hash or "",
        source=(sources or {}).get(p.source_id or -1, ""),
    )


def load_alert(engine: Engine, alert_id: int) -> AlertDetail | None:
    with Session(engine) as session:
        a = session.get(Alert, alert_id)
        if a is None:
            return None
        post = session.get(Post, a.post_id) if a.post_id else None
        fact = session.get(OfficialStatement, a.fact_id) if a.fact_id else None
        fact_url = (a.details or {}).get("fact_url")
        if fact is None and fact_url:
            fact = session.exec(select(OfficialStatement).where(OfficialStatement.url == fact_url)).first()
        source = session.get(Source, post.source_id) if post and post.source_id else None
        events = session.exec(
            select(TriageEvent).where(TriageEvent.alert_id == a.id).order_by(TriageEvent.at, TriageEvent.id)
        ).all()
        drafts = session.exec(
            select(ReplyDraft).where(ReplyDraft.alert_id == a.id).order_by(ReplyDraft.id)
        ).all()
        pv = _post_view(post, {source.id: source.name} if source else None) if post else None
        if pv is not None:
            pv.alerts = [
                (k, s)
                for k, s in session.exec(select(Alert.kind, Alert.score).where(Alert.post_id == post.id))
            ]
        return AlertDetail(
            id=a.id,
            kind=a.kind,
            severity=a.severity,
            status=a.status,
            score=a.score,
            clause=a.clause,
            reason=a.reason or "",
            action=a.action or "",
            evidence=list(a.evidence or []),
            details=dict(a.details or {}),
            assignee=a.assignee or "",
            notes=a.notes or "",
            created_at=a.created_at,
            updated_at=a.updated_at,
            post=pv,
            fact=FactView(f.id, f.title or "", f.text or "", f.url or "", f.published_at, f.added_by or "")
            if (f := fact)
            else None,
            history=[
                EventView(e.at, e.actor, e.field_name, e.old_value or "", e.new_value or "") for e in events
            ],
            drafts=[
                DraftView(d.id, d.text or "", d.status, d.author, d.approver, d.created_at, d.decided_at)
                for d in drafts
            ],
        )


def _with_alerts(session: Session, posts: list[PostView]) -> list[PostView]:
    ids = [p.id for p in posts]
    if not ids:
        return posts
    scores: dict[int, list[tuple[str, float]]] = {}
    for pid, kind, score in session.exec(
        select(Alert.post_id, Alert.kind, Alert.score).where(Alert.post_id.in_(ids))
    ):
        scores.setdefault(pid, []).append((kind, score))
    for p in posts:
        p.alerts = scores.get(p.id, [])
    return posts


def load_thread(engine: Engine, post_id: int, limit: int = THREAD_LIMIT) -> Thread:
    """The thread around a post: its root, parent, siblings (same parent) and direct replies."""
    with Session(engine) as session:
        p = session.get(Post, post_id)
        if p is None:
            return Thread(None, None, [], [], 0, 0, 0)

        def one(eid: str | None) -> Post | None:
            if not eid:
                return None
            return session.exec(
                select(Post).where(Post.platform == p.platform, Post.external_id == eid)
            ).first()

        def children(eid: str, exclude: int | None = None) -> tuple[list[Post], int]:
            cond = [Post.platform == p.platform, Post.in_reply_to == eid]
            if exclude is not None:
                cond.append(Post.id != exclude)
            rows = session.exec(
                select(Post).where(*cond).order_by(Post.created_at, Post.id).limit(limit)
            ).all()
            total = session.exec(select(func.count(Post.id)).where(*cond)).one()
            return list(rows), total

        root = one(p.thread_root) if p.thread_root and p.thread_root != p.external_id else None
        parent = one(p.in_reply_to)
        siblings, sibling_total = children(p.in_reply_to, exclude=p.id) if p.in_reply_to else ([], 0)
        replies, reply_total = children(p.external_id)
        root_eid = p.thread_root or p.external_id
        thread_total = session.exec(
            select(func.count(Post.id)).where(
                Post.platform == p.platform, or_(Post.thread_root == root_eid, Post.external_id == root_eid)
            )
        ).one()
        views = _with_alerts(
            session,
            [_post_view(x) for x in [root, parent, *siblings, *replies] if x is not None],
        )
        by_id = {v.id: v for v in views}
        return Thread(
            root=by_id.get(root.id) if root else None,
            parent=by_id.get(parent.id) if parent else None,
            siblings=[by_id[s.id] for s in siblings],
            replies=[by_id[r.id] for r in replies],
            sibling_total=sibling_total,
            reply_total=reply_total,
            thread_total=thread_total,
        )


def load_fact_by_urls(engine: Engine, urls: list[str]) -> FactView | None:
    """The official statement an official post links to (its URL in the post text)."""
    if not urls:
        return None
    with Session(engine) as session:
        f = session.exec(select(OfficialStatement).where(OfficialStatement.url.in_(urls))).first()
    return (
        FactView(f.id, f.title or "", f.text or "", f.url or "", f.published_at, f.added_by or "")
        if f
        else None
    )


# --- cached for the pages --------------------------------------------------------------


def alert(url: str, alert_id: int) -> AlertDetail | None:
    """Not cached: primary-key reads are fast and triage must show the latest state at once."""
    return load_alert(engine_for(url), alert_id)


@st.cache_data(ttl=30, show_spinner=False, max_entries=100)
def thread(url: str, post_id: int) -> Thread:
    return load_thread(engine_for(url), post_id)


@st.cache_data(ttl=60, show_spinner=False, max_entries=100)
def fact_by_urls(url: str, urls: tuple[str, ...]) -> FactView | None:
    return load_fact_by_urls(engine_for(url), list(urls))
