"""Triage decisions as labels: a confirmed alert is a true positive, a 誤検知 a false one."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from collector.alerts import post_text
from collector.store import Alert, Post

_LABEL = {"hostility": "hostile", "misinformation": "misinfo", "leak": "leak"}


def triage_labels(engine: Engine) -> list[dict[str, Any]]:
    """One eval record per post that a person decided on (対応中/対応済み = yes, 誤検知 = no)."""
    records: dict[int, dict[str, Any]] = {}
    with Session(engine) as session:
        rows = session.exec(
            select(Alert, Post)
            .join(Post, Alert.post_id == Post.id)
            .where(Alert.status.in_(["in_progress", "resolved", "false_positive"]))
        ).all()
        for alert, post in rows:
            label = _LABEL.get(alert.kind)
            if not label:
                continue
            p = post_text(post)
            rec = records.setdefault(
                post.id,
                {
                    "id": p.id,
                    "text": p.text,
                    "title": p.title,
                    "platform": p.platform,
                    "author": p.author,
                    "author_description": p.author_description,
                    "reply_to_official": p.reply_to_official,
                    "created_at": p.created_at.isoformat() if p.created_at else None,
                    "labels": {"relevant": True, "hostile": None, "misinfo": None, "leak": None},
                    "decided_at": alert.updated_at.isoformat(),
                },
            )
            rec["labels"][label] = alert.status != "false_positive"
    return list(records.values())
