"""Analyse new posts and save what analysis finds as alerts (the store side of `analysis`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from analysis import Analyzer, Fact, Finding, PostText
from collector.db import insert_ignoring_duplicates, session_scope
from collector.settings import Settings
from collector.store import SEVERITY_RANK, Alert, OfficialStatement, Post, utcnow

log = logging.getLogger("kikimimi.analyze")


@dataclass
class AnalyzeReport:
    posts: int = 0
    relevant: int = 0
    alerts: int = 0


def post_text(post: Post) -> PostText:
    return PostText(
        id=str(post.id),
        text=post.text,
        title=post.title,
        platform=post.platform,
        author=post.author,
        author_description=post.author_description,
        reply_to_official=post.reply_to_official,
        created_at=post.created_at,
    )


def load_facts(session: Session) -> list[Fact]:
    rows = session.exec(select(OfficialStatement)).all()
    return [
        Fact(id=str(r.id), title=r.title, text=r.text, url=r.url, published_at=r.published_at) for r in rows
    ]


def _threshold(settings: Settings, kind: str) -> float:
    a = settings.analysis
    return {
        "hostility": a.hostility_threshold,
        "misinformation": a.misinfo_suggest_threshold,
        "leak": a.leak_threshold,
    }.get(kind, 0.0)


def alert_row(finding: Finding, post_id: int | None, dedupe_key: str, now) -> dict[str, Any]:  # noqa: ANN001
    details = dict(finding.details)
    if finding.fact_url:
        details["fact_url"] = finding.fact_url
    details["confirmed"] = finding.confirmed
    return {
        "dedupe_key": dedupe_key,
        "post_id": post_id,
        "kind": finding.kind,
        "severity": finding.severity,
        "severity_rank": SEVERITY_RANK.get(finding.severity, 0),
        "score": float(finding.score),
        "clause": finding.clause,
        "reason": finding.reason,
        "evidence": [
            {"start": e.start, "end": e.end, "text": e.text, "label": e.label, "masked": e.masked}
            for e in finding.evidence
        ],
        "action": finding.action,
        "details": details,
        "fact_id": int(finding.fact_id) if finding.fact_id and str(finding.fact_id).isdigit() else None,
        "status": "new",
        "created_at": now,
        "updated_at": now,
    }


def analyze_new(settings: Settings, engine: Engine, batch_size: int = 500) -> AnalyzeReport:
    """Analyse posts not analysed yet (incremental), in batches, each batch one transaction."""
    report = AnalyzeReport()
    with Session(engine) as session:
        analyzer = Analyzer(settings.analysis_config(), load_facts(session))
    last_id = 0
    while True:
        with session_scope(engine) as session:
            posts = session.exec(
                select(Post)
                .where(Post.analyzed_at.is_(None), Post.id > last_id)
                .order_by(Post.id)
                .limit(batch_size)
            ).all()
            if not posts:
                break
            now = utcnow()
            rows = []
            for post in posts:
                result = analyzer.classify(post_text(post))
                post.relevant = result.relevant
                post.relevance_reason = result.relevance_reason[:200]
                post.analyzed_at = now
                session.add(post)
                report.relevant += result.relevant
                for f in result.flags:
                    if f.score < _threshold(settings, f.kind):
                        continue
                    key = f"{f.kind}:{post.platform}:{post.external_id}"
                    rows.append(alert_row(f, post.id, key, now))
            report.alerts += len(insert_ignoring_duplicates(session, Alert, rows, ["dedupe_key"]))
            report.posts += len(posts)
            last_id = posts[-1].id
    log.info("analyze posts=%d relevant=%d alerts=%d", report.posts, report.relevant, report.alerts)
    return report
