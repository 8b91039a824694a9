"""The posts of an incident: replies under an official post, or mentions of a term, in a time window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import streamlit as st
from sqlalchemy import or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from collector.store import Alert, Post
from dashboard.incident import IncidentPost
from dashboard.queries.db import engine_for, text_match

CAP = 200_000  # posts read for one incident view (a 炎上 of 100,000 replies fits)
CHUNK = 1000


@dataclass
class OfficialPost:
    id: int
    platform: str
    external_id: str
    created_at: datetime | None
    text: str
    reply_count: int


def load_official_posts(engine: Engine, limit: int = 200) -> list[OfficialPost]:
    with Session(engine) as session:
        rows = session.exec(
            select(
                Post.id,
                Post.platform,
                Post.external_id,
                Post.created_at,
                Post.title,
                Post.text,
                Post.reply_count,
            )
            .where(Post.is_official.is_(True))
            .order_by(Post.created_at.desc(), Post.id.desc())
            .limit(limit)
        ).all()
    return [OfficialPost(r[0], r[1], r[2], r[3], (r[4] or r[5] or "")[:200], r[6]) for r in rows]


def load_incident(
    engine: Engine,
    since: datetime,
    until: datetime,
    root_id: int | None = None,
    term: str = "",
    cap: int = CAP,
) -> list[IncidentPost]:
    """Posts in [since, until) under the official post `root_id`, or whose text holds `term`."""
    with Session(engine) as session:
        cond = [Post.created_at >= since, Post.created_at < until]
        if root_id is not None:
            root = session.get(Post, root_id)
            if root is None:
                return []
            cond += [
                Post.platform == root.platform,
                Post.id != root.id,
                or_(Post.thread_root == root.external_id, Post.in_reply_to == root.external_id),
            ]
        else:
            match = text_match(engine.dialect.name, [Post.text, Post.title], term)
            if match is None:
                return []
            cond.append(match)
        rows = session.exec(
            select(
                Post.id,
                Post.platform,
                Post.author,
                Post.created_at,
                Post.text,
                Post.title,
                Post.url,
                Post.repost_count,
                Post.reply_count,
                Post.like_count,
            )
            .where(*cond)
            .order_by(Post.created_at, Post.id)
            .limit(cap)
        ).all()
        posts = [
            IncidentPost(
                id=r[0],
                platform=r[1],
                author=r[2] or "",
                created_at=r[3],
                text=r[4] or "",
                title=r[5] or "",
                url=r[6] or "",
                repost_count=r[7] or 0,
                reply_count=r[8] or 0,
                like_count=r[9] or 0,
            )
            for r in rows
        ]
        by_id = {p.id: p for p in posts}
        ids = list(by_id)
        for i in range(0, len(ids), CHUNK):
            for pid, kind, details in session.exec(
                select(Alert.post_id, Alert.kind, Alert.details).where(
                    Alert.post_id.in_(ids[i : i + CHUNK]),
                    Alert.kind.in_(("hostility", "leak", "misinformation")),
                )
            ):
                p = by_id[pid]
                if kind == "hostility":
                    p.hostile = True
                elif kind == "leak":
                    p.leak = True
                elif isinstance(details, dict) and details.get("claim_key"):
                    p.claim_key = str(details["claim_key"])
    return posts


@st.cache_data(ttl=60, show_spinner=False)
def official_posts(url: str, limit: int = 200) -> list[OfficialPost]:
    return load_official_posts(engine_for(url), limit)


@st.cache_data(ttl=60, show_spinner=False, max_entries=20)
def incident(
    url: str, since: datetime, until: datetime, root_id: int | None, term: str
) -> list[IncidentPost]:
    return load_incident(engine_for(url), since, until, root_id, term)
