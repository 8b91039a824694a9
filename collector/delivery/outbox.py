"""The outbox: every digest and notice is a Delivery row, sent when due, retried with backoff.

A row is claimed by a conditional UPDATE before sending, so two workers (the cycle and the
digest job) never send the same row; once `sent`, nothing sends it again.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from collector.db import insert_ignoring_duplicates, session_scope
from collector.delivery.base import Channel, DeliveryError, Message
from collector.delivery.chat import AppriseChannel, chat_urls, url_id
from collector.delivery.smtp import SmtpChannel
from collector.settings import Settings
from collector.store import Delivery, utcnow

log = logging.getLogger("kikimimi.delivery")

BACKOFF_BASE = 60.0  # seconds after the first failure; doubled per failure
BACKOFF_MAX = 3600.0
LEASE = timedelta(minutes=10)  # a claimed row is left alone this long: longer than any send takes


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_MAX))


def enqueue(
    session: Session, key: str, kind: str, channel: str, message: Message, target: str = "", now=None
) -> bool:  # noqa: ANN001
    """Record a delivery to make; False when the key exists already (made or on its way)."""
    payload: dict[str, Any] = message.to_payload()
    if target:
        payload["target"] = target
    row = {
        "key": key,
        "kind": kind,
        "channel": channel,
        "status": "pending",
        "attempts": 0,
        "payload": payload,
        "created_at": now or utcnow(),
        "next_attempt_at": now or utcnow(),
    }
    return bool(insert_ignoring_duplicates(session, Delivery, [row], ["key"]))


def channel_for(settings: Settings, delivery: Delivery) -> Channel | None:
    """The channel a row goes out on, or None when its chat URL is no longer configured."""
    if delivery.channel == "email":
        return SmtpChannel(settings.email)
    if delivery.channel == "chat":
        target = (delivery.payload or {}).get("target", "")
        for url in chat_urls(settings.notify.urls_env):
            if url_id(url) == target:
                return AppriseChannel(url)
        return None
    raise DeliveryError(f"unknown channel {delivery.channel!r}")


def _claim(engine: Engine, delivery: Delivery, now: datetime) -> bool:
    """Take the row for one attempt; the lease (next_attempt_at) makes a crashed attempt retry later."""
    with session_scope(engine) as session:
        result = session.execute(
            update(Delivery)
            .where(
                Delivery.id == delivery.id,
                Delivery.status != "sent",
                Delivery.attempts == delivery.attempts,
            )
            .values(attempts=delivery.attempts + 1, next_attempt_at=now + LEASE)
        )
        return result.rowcount == 1


def _finish(
    engine: Engine, delivery_id: int, error: str | None, retry: bool, now: datetime, attempts: int = 1
) -> None:
    with session_scope(engine) as session:
        values: dict[str, Any]
        if error is None:
            values = {"status": "sent", "sent_at": now, "last_error": None, "next_attempt_at": None}
        else:
            values = {
                "status": "failed",
                "last_error": error[:500],
                "next_attempt_at": now + backoff(attempts) if retry else None,
            }
        session.execute(update(Delivery).where(Delivery.id == delivery_id).values(**values))


def attempt(settings: Settings, engine: Engine, delivery: Delivery, now: datetime | None = None) -> str:
    """One try at one row: 'sent', 'failed', or 'skipped' (sent already, or another worker has it)."""
    now = now or utcnow()
    if delivery.status == "sent" or not _claim(engine, delivery, now):
        return "skipped"
    try:
        channel = channel_for(settings, delivery)
        if channel is None:
            msg = f"chat url#{delivery.payload.get('target', '?')} is no longer in {settings.notify.urls_env}"
            _finish(engine, delivery.id, msg, retry=False, now=now)
            log.warning("delivery key=%s channel=chat status=failed reason=url_removed", delivery.key)
            return "failed"
        channel.send(Message.from_payload(delivery.payload or {}))
    except Exception as e:  # noqa: BLE001 - any failure is recorded and retried, never lost
        # a DeliveryError's text is ours and safe; another's might quote a URL with a token
        error = str(e) if isinstance(e, DeliveryError) else f"unexpected {type(e).__name__}"
        if not isinstance(e, DeliveryError):
            log.error("delivery key=%s unexpected %s", delivery.key, type(e).__name__)
        _finish(engine, delivery.id, error, retry=True, now=now, attempts=delivery.attempts + 1)
        log.warning(
            "delivery key=%s channel=%s status=failed attempt=%d retry_in=%ds error=%s",
            delivery.key,
            delivery.channel,
            delivery.attempts + 1,
            backoff(delivery.attempts + 1).total_seconds(),
            error,
        )
        return "failed"
    _finish(engine, delivery.id, None, retry=False, now=utcnow())
    log.info(
        "delivery key=%s channel=%s status=sent attempt=%d",
        delivery.key,
        delivery.channel,
        delivery.attempts + 1,
    )
    return "sent"


def deliver_pending(
    settings: Settings, engine: Engine, now: datetime | None = None, key: str | None = None
) -> dict[str, int]:
    """Try every row that is not sent and whose next attempt has come (or just the row `key`)."""
    now = now or utcnow()
    with Session(engine) as session:
        query = select(Delivery).where(
            Delivery.status != "sent",
            Delivery.next_attempt_at.is_not(None),
            Delivery.next_attempt_at <= now,
        )
        if key is not None:
            query = query.where(Delivery.key == key)
        rows = session.exec(query.order_by(Delivery.id)).all()
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    for row in rows:
        counts[attempt(settings, engine, row, now)] += 1
    return counts


def find(engine: Engine, key: str) -> Delivery | None:
    with Session(engine) as session:
        return session.exec(select(Delivery).where(Delivery.key == key)).first()
