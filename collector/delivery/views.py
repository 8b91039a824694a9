"""Alerts, sources and facts as a message shows them: plain dataclasses, read once from the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from collector.delivery.safe import evidence_words, excerpt, scrub
from collector.settings import Settings
from collector.store import (
    KIND_LABELS,
    SEVERITY_LABELS,
    STATUS_LABELS,
    Alert,
    Delivery,
    OfficialStatement,
    Post,
    Source,
)

PLATFORM_LABELS = {
    "bluesky": "Bluesky",
    "mastodon": "Mastodon",
    "misskey": "Misskey",
    "x": "X",
    "youtube": "YouTube",
    "rss": "ニュース・ブログ",
}
OPEN_STATUSES = ("new", "in_progress")


@dataclass
class AlertView:
    id: int
    kind: str
    kind_label: str
    severity: str
    severity_label: str
    status: str
    status_label: str
    assignee: str
    when: str  # local time, e.g. "11/24 09:12"
    reason: str
    action: str
    excerpt: str
    evidence: list[str]
    platform: str
    link: str
    fact_title: str = ""
    fact_url: str = ""
    confirmed: bool = False
    replies: int = 0


@dataclass
class SourceView:
    name: str
    kind: str
    failures: int
    error: str
    last_success: str


@dataclass
class DeliveryView:
    what: str  # "日次レポート 2026-11-23", "至急通知"
    channel: str
    status: str
    attempts: int
    error: str
    since: str


@dataclass
class Counts:
    """Alerts by kind × severity for one day."""

    cells: dict[str, dict[str, int]] = field(default_factory=dict)

    def get(self, kind: str, severity: str) -> int:
        return self.cells.get(kind, {}).get(severity, 0)

    def kind_total(self, kind: str) -> int:
        return sum(self.cells.get(kind, {}).values())

    def severity_total(self, severity: str) -> int:
        return sum(row.get(severity, 0) for row in self.cells.values())

    @property
    def total(self) -> int:
        return sum(sum(row.values()) for row in self.cells.values())


def alert_link(settings: Settings, alert_id: int) -> str:
    """The dashboard's page for one alert (the dashboard reads the `alert` query parameter)."""
    return f"{settings.dashboard.base_url.rstrip('/')}/?{urlencode({'alert': alert_id})}"


def local_time(dt: datetime | None, tz: ZoneInfo, fmt: str = "%m/%d %H:%M") -> str:
    if dt is None:
        return ""
    from collector.store import to_utc

    return to_utc(dt).astimezone(tz).strftime(fmt)


def alert_views(session: Session, settings: Settings, alerts: list[Alert]) -> list[AlertView]:
    tz = ZoneInfo(settings.digest.timezone)
    post_ids = {a.post_id for a in alerts if a.post_id}
    fact_ids = {a.fact_id for a in alerts if a.fact_id}
    posts = (
        {p.id: p for p in session.exec(select(Post).where(Post.id.in_(post_ids))).all()} if post_ids else {}
    )
    facts = (
        {
            f.id: f
            for f in session.exec(select(OfficialStatement).where(OfficialStatement.id.in_(fact_ids))).all()
        }
        if fact_ids
        else {}
    )
    views = []
    for a in alerts:
        post = posts.get(a.post_id)
        fact = facts.get(a.fact_id)
        details = a.details or {}
        text = "\n".join(t for t in (post.title, post.text) if t) if post else ""
        views.append(
            AlertView(
                id=a.id,
                kind=a.kind,
                kind_label=KIND_LABELS.get(a.kind, a.kind),
                severity=a.severity,
                severity_label=SEVERITY_LABELS.get(a.severity, a.severity),
                status=a.status,
                status_label=STATUS_LABELS.get(a.status, a.status),
                assignee=scrub(a.assignee),
                when=local_time(a.created_at, tz),
                reason=scrub(a.reason),
                action=scrub(a.action),
                excerpt=excerpt(text, a.kind),
                evidence=evidence_words(a.evidence),
                platform=PLATFORM_LABELS.get(post.platform, post.platform) if post else "",
                link=alert_link(settings, a.id),
                fact_title=scrub(fact.title) if fact else "",
                fact_url=(fact.url if fact and fact.url else str(details.get("fact_url") or "")),
                confirmed=bool(details.get("confirmed")),
                replies=post.reply_count if post else 0,
            )
        )
    return views


def failed_sources(session: Session, settings: Settings) -> list[SourceView]:
    tz = ZoneInfo(settings.digest.timezone)
    rows = session.exec(
        select(Source)
        .where((Source.last_result == "error") | (Source.consecutive_failures > 0))
        .order_by(Source.consecutive_failures.desc(), Source.name)
    ).all()
    return [
        SourceView(
            name=s.name,
            kind=s.kind,
            failures=s.consecutive_failures,
            error=scrub(s.last_error or "")[:200],
            last_success=local_time(s.last_success_at, tz, "%Y-%m-%d %H:%M") or "なし",
        )
        for s in rows
    ]


def undelivered(session: Session, settings: Settings, limit: int = 10) -> list[DeliveryView]:
    """Digests and notices not delivered yet: the team should know a channel is down."""
    tz = ZoneInfo(settings.digest.timezone)
    rows = session.exec(
        select(Delivery).where(Delivery.status != "sent").order_by(Delivery.created_at).limit(limit)
    ).all()
    return [
        DeliveryView(
            what=f"日次レポート {r.key.split(':', 1)[1]}" if r.kind == "digest" else "至急通知",
            channel={"email": "メール", "chat": "チャット"}.get(r.channel, r.channel),
            status={"pending": "送信待ち", "failed": "失敗・再試行中"}.get(r.status, r.status),
            attempts=r.attempts,
            error=scrub(r.last_error or "")[:200],
            since=local_time(r.created_at, tz, "%Y-%m-%d %H:%M"),
        )
        for r in rows
    ]
