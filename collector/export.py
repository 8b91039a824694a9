"""`kikimimi export posts|alerts`: the stable JSONL/CSV shapes that scripts rely on."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from collector.store import Alert, Post, Source

POST_FIELDS = [
    "platform",
    "external_id",
    "source",
    "url",
    "author",
    "title",
    "text",
    "created_at",
    "collected_at",
    "in_reply_to",
    "thread_root",
    "relevant",
    "language",
    "reply_count",
    "repost_count",
]
ALERT_FIELDS = [
    "id",
    "kind",
    "severity",
    "score",
    "clause",
    "reason",
    "status",
    "platform",
    "external_id",
    "created_at",
    "assignee",
    "action",
    "evidence",
    "url",
]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _mask(text: str) -> str:
    try:
        from analysis.pii import mask
    except ImportError:  # masking module not installed: never export raw text of a leak
        return "[非表示]"
    return mask(text)


def iter_posts(engine: Engine, chunk: int = 1000) -> Iterator[dict[str, Any]]:
    with Session(engine) as session:
        sources = {s.id: s.name for s in session.exec(select(Source)).all()}
        leaky = set(session.exec(select(Alert.post_id).where(Alert.kind == "leak")).all())
        last = 0
        while True:
            rows = session.exec(select(Post).where(Post.id > last).order_by(Post.id).limit(chunk)).all()
            if not rows:
                return
            for p in rows:
                text = _mask(p.text) if p.id in leaky else p.text
                yield {
                    "platform": p.platform,
                    "external_id": p.external_id,
                    "source": sources.get(p.source_id, ""),
                    "url": p.url,
                    "author": p.author,
                    "title": p.title,
                    "text": text,
                    "created_at": _iso(p.created_at),
                    "collected_at": _iso(p.collected_at),
                    "in_reply_to": p.in_reply_to,
                    "thread_root": p.thread_root,
                    "relevant": p.relevant,
                    "language": p.language,
                    "reply_count": p.reply_count,
                    "repost_count": p.repost_count,
                }
            last = rows[-1].id


def iter_alerts(engine: Engine) -> Iterator[dict[str, Any]]:
    with Session(engine) as session:
        rows = session.exec(
            select(Alert, Post).join(Post, Alert.post_id == Post.id, isouter=True).order_by(Alert.id)
        )
        for a, p in rows:
            yield {
                "id": a.id,
                "kind": a.kind,
                "severity": a.severity,
                "score": round(a.score, 3),
                "clause": a.clause,
                "reason": a.reason,
                "status": a.status,
                "platform": p.platform if p else None,
                "external_id": p.external_id if p else None,
                "created_at": _iso(a.created_at),
                "assignee": a.assignee,
                "action": a.action,
                "evidence": a.evidence,
                "url": p.url if p else None,
            }


def write(records: Iterator[dict[str, Any]], fields: list[str], fmt: str, out: IO[str]) -> int:
    n = 0
    if fmt == "jsonl":
        for r in records:
            out.write(json.dumps(r, ensure_ascii=False) + "\n")
            n += 1
        return n
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore")
    writer.writeheader()
    for r in records:
        writer.writerow(
            {k: json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v for k, v in r.items()}
        )
        n += 1
    return n
