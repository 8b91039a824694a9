"""Alert rows from findings, alerts that grow in place, and set-based running totals.

Shared by the per-post, thread, claim and spike steps of `collector.alerts`. Every write
here is one statement per batch (multi-row INSERT … ON CONFLICT), so its cost follows the
batch, not the size of the table, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case
from sqlmodel import Session, select

from analysis import Finding
from collector.db import _insert, clean_text
from collector.store import SEVERITY_RANK, Alert, TriageEvent

SYSTEM_ACTOR = "kikimimi"


def alert_row(
    finding: Finding,
    post_id: int | None,
    dedupe_key: str,
    now,  # noqa: ANN001
    *,
    group_key: str | None = None,
    post_count: int = 1,
    last_seen_at: datetime | None = None,
) -> dict[str, Any]:
    """The `alert` row for one finding (new, un-notified)."""
    return {
        "dedupe_key": dedupe_key,
        "post_id": post_id,
        "kind": finding.kind,
        "severity": finding.severity,
        "severity_rank": SEVERITY_RANK.get(finding.severity, 0),
        "score": float(finding.score),
        "clause": finding.clause,
        "reason": finding.reason,
        "evidence": evidence_json(finding),
        "action": finding.action,
        "details": details_json(finding),
        "fact_id": int(finding.fact_id) if finding.fact_id and str(finding.fact_id).isdigit() else None,
        "status": "new",
        "created_at": now,
        "updated_at": now,
        "group_key": group_key,
        "post_count": post_count,
        "last_seen_at": last_seen_at,
    }


def evidence_json(finding: Finding) -> list[dict[str, Any]]:
    return [
        {"start": e.start, "end": e.end, "text": e.text, "label": e.label, "masked": e.masked}
        for e in finding.evidence
    ]


def details_json(finding: Finding) -> dict[str, Any]:
    details = dict(finding.details)
    if finding.fact_url:
        details["fact_url"] = finding.fact_url
    details["confirmed"] = finding.confirmed
    return details


def locked(session: Session, stmt):  # noqa: ANN001, ANN201
    """Row locks on PostgreSQL (FOR NO KEY UPDATE: other workers wait, foreign keys to the row do not);
    SQLite has one writer at a time anyway."""
    return stmt.with_for_update(key_share=True) if session.get_bind().dialect.name == "postgresql" else stmt


def escalate(session: Session, alert: Alert, severity: str, now: datetime) -> bool:
    """Raise an alert's severity (never lower it); True when it rose.

    A rise un-notifies the alert, so the immediate-notice path sends it once more at its
    new level: at most once per level, never once per reply or repeat. A resolved alert
    that escalates is reopened, with the reason in its history; a 誤検知 decision stays.
    """
    rank = SEVERITY_RANK.get(severity, 0)
    if rank <= alert.severity_rank:
        return False
    alert.severity, alert.severity_rank = severity, rank
    alert.notified_at = None
    if alert.status == "resolved":
        session.add(
            TriageEvent(
                alert_id=alert.id,
                at=now,
                actor=SYSTEM_ACTOR,
                field_name="status",
                old_value="resolved",
                new_value="new",
            )
        )
        alert.status = "new"
    return True


def grow(
    session: Session,
    alert: Alert,
    finding: Finding,
    now: datetime,
    post_count: int,
    last_seen_at: datetime | None,
) -> bool:
    """Update an alert that stands for many posts with its newest finding; True when its severity rose."""
    escalated = escalate(session, alert, finding.severity, now)
    alert.score = max(alert.score, float(finding.score))
    alert.reason = clean_text(finding.reason)
    alert.action = clean_text(finding.action)
    alert.evidence = [{k: clean_text(v) for k, v in e.items()} for e in evidence_json(finding)]
    alert.details = {**(alert.details or {}), **details_json(finding)}
    alert.post_count = post_count
    alert.last_seen_at = last_seen_at
    alert.updated_at = now
    session.add(alert)
    return escalated


def upsert_totals(
    session: Session,
    table,  # noqa: ANN001
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str],
    add: Iterable[str] = (),
    least: Iterable[str] = (),
    greatest: Iterable[str] = (),
    keep: Iterable[str] = (),
) -> None:
    """INSERT rows; on a key that exists, add the `add` columns to it and keep the min/max of the others.

    Atomic per row on both databases, so workers adding to the same totals never lose a count.
    Rows must be unique by `keys` and should come sorted (a stable lock order).
    """
    if not rows:
        return
    stmt = _insert(session, table)
    t, new = table.__table__.c, stmt.excluded
    values: dict[str, Any] = {c: t[c] + new[c] for c in add}
    for c in least:
        values[c] = case((t[c].is_(None), new[c]), (new[c] < t[c], new[c]), else_=t[c])
    for c in greatest:
        values[c] = case((t[c].is_(None), new[c]), (new[c] > t[c], new[c]), else_=t[c])
    for c in keep:  # set only while still empty
        values[c] = case((t[c].is_(None), new[c]), else_=t[c])
    stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_=values)
    session.execute(stmt, [{k: clean_text(v) for k, v in r.items()} for r in rows])


def insert_new(session: Session, table, rows: Sequence[dict[str, Any]], keys: Sequence[str], returning=None):  # noqa: ANN001, ANN201
    """INSERT rows whose key is new, one compiled statement for the batch; `returning`: the
    column to return for the rows really inserted."""
    if not rows:
        return []
    stmt = _insert(session, table).on_conflict_do_nothing(index_elements=list(keys))
    params = [{k: clean_text(v) for k, v in r.items()} for r in rows]
    if returning is None:
        session.execute(stmt, params)
        return []
    return list(session.execute(stmt.returning(returning), params).scalars())


def ids_by_key(session: Session, table, key_cols: Sequence[str], keys: Sequence[tuple]) -> dict[tuple, int]:  # noqa: ANN001
    """The ids of rows by their unique key, a chunk of keys per query."""
    from sqlalchemy import tuple_

    out: dict[tuple, int] = {}
    cols = [getattr(table, c) for c in key_cols]
    for i in range(0, len(keys), 300):
        chunk = list(keys[i : i + 300])
        stmt = select(table.id, *cols).where(tuple_(*cols).in_(chunk))
        for row in session.exec(stmt).all():
            out[tuple(row[1:])] = row[0]
    return out
