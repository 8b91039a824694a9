"""Misinformation repeats: one alert per known-wrong claim, every repeat linked and counted.

A misinformation finding with `details["claim_key"]` (else its `fact_id`) belongs to a claim.
The first post of a claim raises the alert (dedupe key `misinformation:claim:<key>`, its
`post_id` that first post); every post repeating it — the first included — gets an
`alertpost` row, and the alert's `post_count` (and `details["repeat_count"]` = posts − 1)
counts them. A claim that spreads to `SPREAD_HIGH` posts becomes at least "high" (and is
notified again if that is a new level). Findings with neither key stay one alert per post.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from analysis import Finding
from collector.alertrows import alert_row, escalate, insert_new, locked
from collector.alerts_threads import Analysed
from collector.store import SEVERITY_RANK, Alert, AlertPost

SPREAD_HIGH = 10  # posts repeating one claim: the claim is spreading


@dataclass
class ClaimOutcome:
    new_alerts: int = 0
    updated_alerts: int = 0
    repeats: int = 0  # posts linked to a claim alert that existed before them


def claim_key(finding: Finding) -> str | None:
    key = finding.details.get("claim_key")
    if key:
        return f"claim:{key}"
    if finding.fact_id:
        return f"claim:fact:{finding.fact_id}"
    return None


def update_claims(session: Session, items: list[tuple[Analysed, Finding]], now: datetime) -> ClaimOutcome:
    """Link this batch's misinformation posts to their claims' alerts (creating an alert for a new claim).

    Three statements for the whole batch, each over the claims in key order (so workers
    wait for each other instead of deadlocking): insert the alerts of new claims, lock
    every claim's alert, insert the links.
    """
    by_claim: dict[str, list[tuple[Analysed, Finding]]] = defaultdict(list)
    for a, f in items:
        by_claim[claim_key(f)].append((a, f))
    keys = sorted(by_claim)
    members = {k: sorted(by_claim[k], key=lambda m: (m[0].at, m[0].post.id)) for k in keys}
    rows = [
        alert_row(
            members[k][0][1], members[k][0][0].post.id, f"misinformation:{k}", now, group_key=k, post_count=0
        )
        for k in keys
    ]
    created = set(insert_new(session, Alert, rows, ["dedupe_key"], Alert.dedupe_key))
    stmt = (
        select(Alert)
        .where(Alert.dedupe_key.in_([r["dedupe_key"] for r in rows]))
        .order_by(Alert.dedupe_key)
        .execution_options(populate_existing=True)
    )
    alerts = {a.group_key: a for a in session.exec(locked(session, stmt)).all()}
    links = [
        {
            "alert_id": alerts[k].id,
            "post_id": a.post.id,
            "score": float(f.score),
            "confirmed": bool(f.confirmed),
            "created_at": a.at,
        }
        for k in keys
        for a, f in members[k]
    ]
    linked = Counter(insert_new(session, AlertPost, links, ["alert_id", "post_id"], AlertPost.alert_id))
    out = ClaimOutcome(new_alerts=len(created))
    for k in keys:
        alert = alerts[k]
        n = linked[alert.id]
        if alert.dedupe_key not in created:
            out.repeats += n
            out.updated_alerts += 1
        _refresh(session, alert, n, [f for _, f in members[k]], max(m[0].at for m in members[k]), now)
    return out


def _refresh(
    session: Session, alert: Alert, linked: int, findings: list[Finding], newest: datetime, now: datetime
) -> None:
    """Count the new links (the alert row is locked: no lost counts), keep the best match, severity by spread."""
    count = (alert.post_count or 0) + linked
    best = max(findings, key=lambda f: (f.confirmed, f.score))
    alert.post_count = count
    alert.last_seen_at = max(d for d in (alert.last_seen_at, newest) if d is not None)
    alert.score = max(alert.score, float(best.score))
    details = dict(alert.details or {})
    details["repeat_count"] = max(count - 1, 0)
    details["confirmed"] = bool(details.get("confirmed")) or best.confirmed
    if best.fact_url and not details.get("fact_url"):
        details["fact_url"] = best.fact_url
    alert.details = details
    if alert.fact_id is None and best.fact_id and str(best.fact_id).isdigit():
        alert.fact_id = int(best.fact_id)
    severity = max([alert.severity, *(f.severity for f in findings)], key=lambda s: SEVERITY_RANK.get(s, 0))
    if count >= SPREAD_HIGH and SEVERITY_RANK.get(severity, 0) < SEVERITY_RANK["high"]:
        severity = "high"
    escalate(session, alert, severity, now)
    alert.updated_at = now
    session.add(alert)
