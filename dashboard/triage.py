"""Every write the dashboard makes: triage, reply drafts and their approval (決裁), facts added by hand.

Each change to an alert appends a `TriageEvent` (who, what, old → new, when) in the same
transaction, so the history is complete by construction. kikimimi never posts: an approved
draft is text a person copies to the official account.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from collector.db import session_scope
from collector.store import STATUS_LABELS, Alert, OfficialStatement, ReplyDraft, TriageEvent, utcnow

Row = TypeVar("Row", Alert, ReplyDraft)


class TriageError(ValueError):
    """A write the dashboard refused; the message is shown to the user as is (Japanese)."""


def _actor(actor: str) -> str:
    actor = (actor or "").strip()
    if not actor:
        raise TriageError("操作した人の名前がありません。サイドバーで名前を入力してください。")
    return actor[:200]


def _for_update(session: Session, model: type[Row], row_id: int, what: str) -> Row:
    """The row by id, locked until the transaction ends on PostgreSQL (SELECT … FOR UPDATE)."""
    stmt = select(model).where(model.id == row_id)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    row = session.exec(stmt).first()
    if row is None:
        raise TriageError(f"{what} #{row_id} が見つかりません。")
    return row


def _locked(session: Session, alert_id: int) -> Alert:
    return _for_update(session, Alert, alert_id, "アラート")


def _event(session: Session, alert: Alert, actor: str, name: str, old: str | None, new: str | None) -> None:
    session.add(
        TriageEvent(
            alert_id=alert.id, actor=actor, field_name=name, old_value=old, new_value=new, at=utcnow()
        )
    )


def update_alert(
    engine: Engine,
    alert_id: int,
    actor: str,
    *,
    status: str | None = None,
    assignee: str | None = None,
    notes: str | None = None,
) -> list[str]:
    """Change status, assignee and/or notes; returns the fields that really changed."""
    actor = _actor(actor)
    if status is not None and status not in STATUS_LABELS:
        raise TriageError(f"不明な状態です: {status}")
    changed: list[str] = []
    with session_scope(engine) as session:
        alert = _locked(session, alert_id)
        for name, value in (("status", status), ("assignee", assignee), ("notes", notes)):
            if value is None:
                continue
            value = value.strip() if name != "notes" else value.rstrip()
            old = getattr(alert, name) or ""
            if value == old:
                continue
            setattr(alert, name, value)
            _event(session, alert, actor, name, old, value)
            changed.append(name)
        if changed:
            alert.updated_at = utcnow()
            session.add(alert)
    return changed


def bulk_status(engine: Engine, alert_ids: Iterable[int], status: str, actor: str) -> int:
    """One status for many alerts, each change in the history; returns how many changed."""
    actor = _actor(actor)
    if status not in STATUS_LABELS:
        raise TriageError(f"不明な状態です: {status}")
    ids = sorted(set(alert_ids))
    if not ids:
        raise TriageError("アラートが選ばれていません。")
    n = 0
    with session_scope(engine) as session:
        stmt = select(Alert).where(Alert.id.in_(ids))
        if session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update()
        now = utcnow()
        for alert in session.exec(stmt).all():
            if alert.status == status:
                continue
            _event(session, alert, actor, "status", alert.status, status)
            alert.status, alert.updated_at = status, now
            session.add(alert)
            n += 1
    return n


# --- reply drafts and approval (決裁) ------------------------------------------------


def _draft(session: Session, draft_id: int) -> ReplyDraft:
    return _for_update(session, ReplyDraft, draft_id, "返信案")


def create_draft(engine: Engine, alert_id: int, text: str, actor: str) -> int:
    actor = _actor(actor)
    if not text.strip():
        raise TriageError("返信案の本文が空です。")
    with session_scope(engine) as session:
        alert = _locked(session, alert_id)
        draft = ReplyDraft(
            alert_id=alert.id, text=text.strip(), author=actor, status="draft", created_at=utcnow()
        )
        session.add(draft)
        session.flush()
        _event(session, alert, actor, "draft", None, f"返信案 #{draft.id} を作成")
        return draft.id


def submit_draft(engine: Engine, draft_id: int, text: str, approver: str, actor: str) -> None:
    """Route a draft (with its final text) to an approver; the text is frozen until decided."""
    actor, approver = _actor(actor), (approver or "").strip()
    if not approver:
        raise TriageError("決裁者の名前を入力してください。")
    if approver == actor:
        raise TriageError("自分の返信案を自分で決裁することはできません。別の決裁者を指定してください。")
    if not text.strip():
        raise TriageError("返信案の本文が空です。")
    with session_scope(engine) as session:
        draft = _draft(session, draft_id)
        if draft.status not in ("draft", "rejected"):
            raise TriageError("この返信案はすでに決裁に回されています。")
        draft.text, draft.approver, draft.status, draft.decided_at = (
            text.strip(),
            approver[:200],
            "pending",
            None,
        )
        session.add(draft)
        alert = _locked(session, draft.alert_id)
        _event(session, alert, actor, "draft", None, f"返信案 #{draft.id} を {approver} さんの決裁に回付")


def decide_draft(engine: Engine, draft_id: int, actor: str, approve: bool, comment: str = "") -> datetime:
    """Approve or send back a pending draft; records who decided which text when."""
    actor = _actor(actor)
    with session_scope(engine) as session:
        draft = _draft(session, draft_id)
        if draft.status != "pending":
            raise TriageError("決裁待ちの返信案ではありません。")
        if actor == draft.author:
            raise TriageError("作成者は自分の返信案を決裁できません。")
        now = utcnow()
        draft.status, draft.decided_at = ("approved" if approve else "rejected"), now
        draft.approver = actor
        session.add(draft)
        alert = _locked(session, draft.alert_id)
        verdict = "承認" if approve else "差し戻し"
        note = f"（{comment.strip()}）" if comment.strip() else ""
        _event(session, alert, actor, "approval", f"返信案 #{draft.id}", f"{verdict}{note}: {draft.text}")
        return now


# --- the record of legal evidence, and the fact base --------------------------------------


def record_evidence_export(engine: Engine, alert_id: int, actor: str, sha256: str) -> None:
    """Who took an evidence package, when, and which content hash it carried (chain of custody)."""
    actor = _actor(actor)
    with session_scope(engine) as session:
        alert = _locked(session, alert_id)
        _event(session, alert, actor, "evidence", None, f"証拠パッケージを出力 SHA-256 {sha256}")


def add_fact(
    engine: Engine, title: str, text: str, url: str, published_at: datetime | None, actor: str
) -> int:
    """An official statement entered by hand; misinformation is checked against it from the next analysis on."""
    actor = _actor(actor)
    title, text, url = title.strip(), text.strip(), url.strip()
    if not title or not text:
        raise TriageError("題名と本文を入力してください。")
    if url and not url.startswith(("http://", "https://")):
        raise TriageError("URL は http:// か https:// で始めてください。")
    with session_scope(engine) as session:
        if url and session.exec(select(OfficialStatement.id).where(OfficialStatement.url == url)).first():
            raise TriageError("この URL の公式情報はすでに登録されています。")
        fact = OfficialStatement(
            external_id=url or f"manual:{uuid.uuid4()}",
            title=title,
            text=text,
            url=url,
            published_at=published_at,
            collected_at=utcnow(),
            added_by=actor,
        )
        session.add(fact)
        session.flush()
        return fact.id
