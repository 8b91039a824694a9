"""Immediate notices: every un-notified alert at or above [notify].min_severity, one message per burst.

Each cycle (`deliver_due`) marks the alerts notified and records one Delivery per channel in
the same transaction, then sends; failed deliveries are retried from the outbox with backoff.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from collector.db import session_scope
from collector.delivery import outbox
from collector.delivery.base import Message, one_line
from collector.delivery.chat import chat_urls, url_id
from collector.delivery.render import render
from collector.delivery.views import OPEN_STATUSES, AlertView, alert_views
from collector.settings import Settings
from collector.store import KIND_LABELS, SEVERITY_LABELS, SEVERITY_RANK, Alert, utcnow

log = logging.getLogger("kikimimi.notify")

LIST_LIMIT = 20  # alerts listed in one notice; the rest are counted and linked


class AlreadyNotified(RuntimeError):
    """Another worker notified some of these alerts first: nothing is recorded twice."""


@dataclass
class Notice:
    alerts: list[AlertView]
    total: int
    summary: str  # e.g. "情報漏えいの疑い 2件・攻撃的スレッド 1件"
    city: str
    dashboard_url: str
    min_severity_label: str


def notice_key(alerts: list[Alert]) -> str:
    """The same alerts at the same severity make the same key; an escalation makes a new one.

    An alert that grows in place (a pile-on going from high to critical) is notified once per
    level, so its severity is part of the key.
    """
    pairs = sorted((a.id, a.severity) for a in alerts)
    basis = ",".join(f"{i}:{sev}" for i, sev in pairs)
    digest = hashlib.sha256(basis.encode()).hexdigest()[:16]
    return f"notice:{pairs[0][0]}-{pairs[-1][0]}:{len(pairs)}:{digest}"


def email_recipients(settings: Settings) -> list[str]:
    return list(settings.notify.to or settings.email.to)


def recipients_for(settings: Settings, alert: Alert) -> list[str]:
    """Everyone who hears of this alert at once: the notice list plus the routes for its kind and severity."""
    routes = settings.notify.routes
    extra = [*routes.get(alert.kind, []), *routes.get(alert.severity, [])]
    return list(dict.fromkeys([*email_recipients(settings), *extra]))


def email_groups(settings: Settings, alerts: list[Alert]) -> list[tuple[list[str], list[Alert]]]:
    """Recipients who should get exactly the same alerts share one message; nobody gets one twice."""
    per_person: dict[str, list[Alert]] = {}
    for a in alerts:
        for person in recipients_for(settings, a):
            per_person.setdefault(person, []).append(a)
    groups: dict[tuple[int, ...], tuple[list[str], list[Alert]]] = {}
    for person, mine in per_person.items():
        ids = tuple(a.id for a in mine)
        groups.setdefault(ids, ([], mine))[0].append(person)
    return list(groups.values())


def build_messages(
    settings: Settings, session: Session, alerts: list[Alert], to: list[str] | None = None
) -> tuple[Message, Message]:
    """(email, chat) messages for these alerts. Chat carries no post text, only reasons and links."""
    views = alert_views(session, settings, alerts[:LIST_LIMIT])
    by_kind: dict[str, int] = {}
    for a in alerts:
        by_kind[a.kind] = by_kind.get(a.kind, 0) + 1
    summary = "・".join(
        f"{KIND_LABELS.get(k, k)} {n}件" for k, n in sorted(by_kind.items(), key=lambda x: -x[1])
    )
    notice = Notice(
        alerts=views,
        total=len(alerts),
        summary=summary,
        city=settings.city.name,
        dashboard_url=settings.dashboard.base_url.rstrip("/") + "/",
        min_severity_label=SEVERITY_LABELS.get(settings.notify.min_severity, settings.notify.min_severity),
    )
    top = SEVERITY_LABELS.get(alerts[0].severity, alerts[0].severity)
    subject = one_line(
        f"【{top}】kikimimi {settings.city.name}: 至急確認が必要なアラート {len(alerts)}件（{summary}）"
    )
    email = Message(
        subject=subject,
        text=render("notice.txt", n=notice),
        html=render("notice.html", n=notice),
        to=email_recipients(settings) if to is None else to,
    )
    chat = Message(subject=subject, text=render("notice_chat.txt", n=notice))
    return email, chat


def queue_notices(settings: Settings, engine: Engine, now: datetime | None = None) -> str | None:
    """Mark the waiting alerts notified and record their notice, in one transaction; returns the key."""
    now = now or utcnow()
    min_rank = SEVERITY_RANK.get(settings.notify.min_severity, SEVERITY_RANK["critical"])
    urls = chat_urls(settings.notify.urls_env)
    with session_scope(engine) as session:
        alerts = list(
            session.exec(
                select(Alert)
                .where(
                    Alert.notified_at.is_(None),
                    Alert.severity_rank >= min_rank,
                    Alert.status.in_(OPEN_STATUSES),
                )
                .order_by(Alert.severity_rank.desc(), Alert.created_at, Alert.id)
            ).all()
        )
        if not alerts:
            return None
        ids = [a.id for a in alerts]
        marked = session.execute(
            update(Alert).where(Alert.id.in_(ids), Alert.notified_at.is_(None)).values(notified_at=now)
        ).rowcount
        if marked != len(ids):
            raise AlreadyNotified(f"notice alerts={len(ids)} marked={marked}: another worker got there first")
        key = notice_key(alerts)
        groups = email_groups(settings, alerts)
        if not groups and not urls:
            log.warning(
                "notice key=%s alerts=%d status=skipped reason=no_channel fix=set [notify].to or %s",
                key,
                len(ids),
                settings.notify.urls_env,
            )
            return None
        everyone = email_recipients(settings)
        for to, mine in groups:
            email, _ = build_messages(settings, session, mine, to=to)
            plain = to == everyone and len(mine) == len(alerts)  # the usual case keeps the simple key
            suffix = "" if plain else ":" + hashlib.sha256(",".join(sorted(to)).encode()).hexdigest()[:12]
            outbox.enqueue(session, f"{key}:email{suffix}", "notice", "email", email, now=now)
        _, chat = build_messages(settings, session, alerts)
        for url in urls:
            target = url_id(url)
            outbox.enqueue(session, f"{key}:chat:{target}", "notice", "chat", chat, target=target, now=now)
    log.info("notice key=%s alerts=%d email_groups=%d chat_urls=%d", key, len(ids), len(groups), len(urls))
    return key


def deliver_due(settings: Settings, engine: Engine, now: datetime | None = None) -> dict[str, int]:
    """The daemon's delivery step: queue new notices, catch up the digest, send or retry what is due."""
    from collector.delivery.digest import digest_due

    now = now or utcnow()
    try:
        queue_notices(settings, engine, now)
    except AlreadyNotified as e:
        log.warning("%s", e)
    except OperationalError as e:  # e.g. SQLite busy: the alerts stay un-notified for the next cycle
        log.warning("notice status=deferred error=%s", type(e).__name__)
    try:
        digest_due(settings, engine, now)
    except Exception:  # a digest that cannot be built must not stop the notices
        log.exception("digest catch-up failed; retried next cycle")
    return outbox.deliver_pending(settings, engine, now=now)
