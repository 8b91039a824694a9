"""The daily digest: yesterday's alerts against the day before, what needs action, by email.

A day is counted by when an alert was raised (Alert.created_at) in [digest].timezone, so every
alert is counted in exactly one digest; the open alerts are listed as they stand when it is built.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from collector.db import session_scope
from collector.delivery import outbox
from collector.delivery.base import Message, one_line
from collector.delivery.render import KIND_ORDER, SEVERITY_ORDER, render
from collector.delivery.views import (
    OPEN_STATUSES,
    AlertView,
    Counts,
    DeliveryView,
    SourceView,
    alert_views,
    failed_sources,
    undelivered,
)
from collector.settings import Settings
from collector.store import KIND_LABELS, SEVERITY_LABELS, Alert, utcnow

log = logging.getLogger("kikimimi.digest")

OPEN_LIMIT = 30
SECTION_LIMIT = 20
WEEKDAYS = "月火水木金土日"


@dataclass
class Digest:
    day: date
    day_label: str
    city: str
    counts: Counts
    previous: Counts
    open_alerts: list[AlertView]
    open_total: int
    hostile: list[AlertView]
    misinformation: list[AlertView]
    leaks: list[AlertView]
    sources: list[SourceView]
    deliveries: list[DeliveryView]
    dashboard_url: str
    generated_at: str
    kinds: list[tuple[str, str]] = field(default_factory=list)
    severities: list[tuple[str, str]] = field(default_factory=list)


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The day's start and end in the digest's time zone, as aware datetimes."""
    start = datetime.combine(day, time(0), tzinfo=tz)
    return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)


def default_day(settings: Settings, now: datetime | None = None) -> date:
    """Yesterday in the digest's time zone: the last full day."""
    tz = ZoneInfo(settings.digest.timezone)
    return ((now or utcnow()).astimezone(tz) - timedelta(days=1)).date()


def _counts(session: Session, start: datetime, end: datetime) -> Counts:
    rows = session.exec(
        select(Alert.kind, Alert.severity, func.count(Alert.id))
        .where(Alert.created_at >= start, Alert.created_at < end)
        .group_by(Alert.kind, Alert.severity)
    ).all()
    counts = Counts()
    for kind, severity, n in rows:
        counts.cells.setdefault(kind, {})[severity] = n
    return counts


def _section(session: Session, kinds: tuple[str, ...], start: datetime, end: datetime) -> list[Alert]:
    """Alerts of these kinds raised that day, or raised before and still open."""
    return list(
        session.exec(
            select(Alert)
            .where(
                Alert.kind.in_(kinds),
                Alert.created_at < end,
                (Alert.created_at >= start) | Alert.status.in_(OPEN_STATUSES),
            )
            .order_by(Alert.severity_rank.desc(), Alert.created_at, Alert.id)
            .limit(SECTION_LIMIT)
        ).all()
    )


def build_digest(settings: Settings, engine: Engine, day: date) -> Digest:
    tz = ZoneInfo(settings.digest.timezone)
    start, end = day_bounds(day, tz)
    with Session(engine) as session:
        counts = _counts(session, start, end)
        previous = _counts(session, start - timedelta(days=1), start)
        open_query = select(Alert).where(Alert.status.in_(OPEN_STATUSES))
        open_total = len(session.exec(open_query.with_only_columns(Alert.id)).all())
        open_rows = session.exec(
            open_query.order_by(Alert.severity_rank.desc(), Alert.created_at, Alert.id).limit(OPEN_LIMIT)
        ).all()
        kinds_seen = [k for k in KIND_ORDER] + sorted(
            {k for k in (*counts.cells, *previous.cells) if k not in KIND_ORDER}
        )
        return Digest(
            day=day,
            day_label=f"{day.year}年{day.month}月{day.day}日（{WEEKDAYS[day.weekday()]}）",
            city=settings.city.name,
            counts=counts,
            previous=previous,
            open_alerts=alert_views(session, settings, list(open_rows)),
            open_total=open_total,
            hostile=alert_views(session, settings, _section(session, ("thread", "hostility"), start, end)),
            misinformation=alert_views(session, settings, _section(session, ("misinformation",), start, end)),
            leaks=alert_views(session, settings, _section(session, ("leak",), start, end)),
            sources=failed_sources(session, settings),
            deliveries=undelivered(session, settings),
            dashboard_url=settings.dashboard.base_url.rstrip("/") + "/",
            generated_at=utcnow().astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            kinds=[(k, KIND_LABELS.get(k, k)) for k in kinds_seen],
            severities=[(s, SEVERITY_LABELS[s]) for s in SEVERITY_ORDER],
        )


def digest_message(settings: Settings, digest: Digest) -> Message:
    critical = digest.counts.severity_total("critical")
    subject = f"【kikimimi】{digest.city} 日次レポート {digest.day.month}月{digest.day.day}日：新規アラート {digest.counts.total}件"
    if critical:
        subject += f"（緊急 {critical}件）"
    return Message(
        subject=one_line(subject),
        text=render("digest.txt", d=digest),
        html=render("digest.html", d=digest),
        to=list(settings.email.to),
    )


def send_daily_digest(
    settings: Settings, engine: Engine, day: date | None = None, now: datetime | None = None
) -> str:
    """Record and send the digest for `day` (default yesterday) once: 'sent', 'failed', 'already_sent' …"""
    now = now or utcnow()
    day = day or default_day(settings, now)
    key = f"digest:{day.isoformat()}"
    if not settings.email.to:
        log.warning("digest day=%s status=skipped reason=no_recipients fix=set [email].to", day)
        return "no_recipients"
    existing = outbox.find(engine, key)
    if existing is not None and existing.status == "sent":
        return "already_sent"
    if existing is None:
        message = digest_message(settings, build_digest(settings, engine, day))
        with session_scope(engine) as session:
            outbox.enqueue(session, key, "digest", "email", message, now=now)
    counts = outbox.deliver_pending(settings, engine, now=now, key=key)
    row = outbox.find(engine, key)
    status = row.status if row else "failed"
    log.info("digest day=%s status=%s attempted=%d", day, status, sum(counts.values()))
    return status


def digest_due(settings: Settings, engine: Engine, now: datetime | None = None) -> str | None:
    """Catch-up for the daemon's cycle: after digest time, send yesterday's digest if it never was."""
    now = now or utcnow()
    if not settings.digest.enabled or not settings.email.to:
        return None
    tz = ZoneInfo(settings.digest.timezone)
    hour, minute = (int(x) for x in settings.digest.time.split(":"))
    local = now.astimezone(tz)
    if (local.hour, local.minute) < (hour, minute):
        return None
    day = default_day(settings, now)
    if outbox.find(engine, f"digest:{day.isoformat()}") is not None:
        return None  # recorded: deliver_pending retries it when it failed
    return send_daily_digest(settings, engine, day, now)


def digest_command(
    settings: Settings,
    engine: Engine,
    date: str | None = None,
    preview: str | None = None,
    send: bool = False,
) -> int:
    """`kikimimi digest`: print the text, write the HTML preview, or send (once) by email."""
    try:
        day = _parse_day(date) if date else default_day(settings)
    except ValueError:
        print(f"--date {date!r}: write the day as YYYY-MM-DD, e.g. 2026-11-24", file=sys.stderr)
        return 2
    message = digest_message(settings, build_digest(settings, engine, day))
    if preview:
        Path(preview).write_text(message.html, encoding="utf-8")
        print(f"プレビューを書き出しました: {preview}", file=sys.stderr)
    if send:
        if not settings.email.to:
            print("[email].to が空です: settings.toml に宛先を書いてください", file=sys.stderr)
            return 2
        status = send_daily_digest(settings, engine, day)
        print(f"digest {day} {status}")
        return 0 if status in ("sent", "already_sent") else 1
    if not preview:
        print(f"Subject: {message.subject}\n\n{message.text}")
    return 0


def _parse_day(text: str) -> date:
    return date.fromisoformat(text.strip())
