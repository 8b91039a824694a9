"""Triage decisions as labels: a confirmed alert (対応中/対応済み) is a true positive, a 誤検知 a false one.

`triage_labels` gives one eval record per decided post (for the post-level detectors);
`triage_decisions` one row per decided alert of any kind (threads and spikes too), each
with the time of the decision, taken from the alert's history.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from collector.alerts import post_text
from collector.store import Alert, Post, TriageEvent, to_utc

_LABEL = {"hostility": "hostile", "misinformation": "misinfo", "leak": "leak"}
DECIDED = ("in_progress", "resolved", "false_positive")


def _decided_at(session: Session, alert_ids: list[int]) -> dict[int, datetime]:
    """When each alert got its current status: the newest status change in its history."""
    out: dict[int, datetime] = {}
    for i in range(0, len(alert_ids), 500):
        rows = session.exec(
            select(TriageEvent.alert_id, func.max(TriageEvent.at))
            .where(TriageEvent.alert_id.in_(alert_ids[i : i + 500]), TriageEvent.field_name == "status")
            .group_by(TriageEvent.alert_id)
        ).all()
        out.update({a: to_utc(at) for a, at in rows})
    return out


def triage_decisions(engine: Engine) -> list[dict[str, Any]]:
    """Every decided alert: kind, confirmed or not, its score and when it was decided."""
    with Session(engine) as session:
        alerts = session.exec(select(Alert).where(Alert.status.in_(DECIDED)).order_by(Alert.id)).all()
        when = _decided_at(session, [a.id for a in alerts])
        return [
            {
                "alert_id": a.id,
                "kind": a.kind,
                "confirmed": a.status != "false_positive",
                "score": a.score,
                "decided_at": (when.get(a.id) or to_utc(a.updated_at)).isoformat(),
            }
            for a in alerts
        ]


def triage_labels(engine: Engine) -> list[dict[str, Any]]:
    """One eval record per post that a person decided on (対応中/対応済み = yes, 誤検知 = no)."""
    records: dict[int, dict[str, Any]] = {}
    with Session(engine) as session:
        rows = session.exec(
            select(Alert, Post)
            .join(Post, Alert.post_id == Post.id)
            .where(Alert.status.in_(DECIDED), Alert.kind.in_(list(_LABEL)))
            .order_by(Alert.id)
        ).all()
        when = _decided_at(session, [a.id for a, _ in rows])
        for alert, post in rows:
            label = _LABEL[alert.kind]
            p = post_text(post)
            decided = when.get(alert.id) or to_utc(alert.updated_at)
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
                    "decided_at": decided.isoformat(),
                },
            )
            rec["labels"][label] = alert.status != "false_positive"
    return list(records.values())
