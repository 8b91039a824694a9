"""Spike alerts on the store: mentions per topic per hour, and replies per official post.

Counts are kept per (topic, hour) in `topicvolume`, added to by each batch in one
statement. Only the hours a batch touched, and only recent ones, are re-checked. A surge
is one alert: while the topic stays above its baseline within the cooldown, the alert of
that surge grows in place (dedupe key `spike:<topic>:<hour the surge was first seen>`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import func
from sqlmodel import Session, select

from analysis.spikes import (
    ALL_TOPIC,
    Spike,
    SpikeRules,
    Topic,
    check_replies,
    check_volume,
    hour_floor,
    same_surge,
    spike_finding,
    topics_of,
)
from collector.alertrows import alert_row, grow, locked, upsert_totals
from collector.alerts_threads import Analysed, ThreadView
from collector.db import insert_ignoring_duplicates
from collector.store import Alert, TopicVolume, to_utc

RECENT = timedelta(hours=48)  # older hours still count towards baselines, but raise no new alert
WEEK = timedelta(days=8)
LABEL_ALL = "茅野市（全体）"


@dataclass
class SpikeOutcome:
    new_alerts: int = 0
    updated_alerts: int = 0


def is_mention(a: Analysed) -> bool:
    """Relevant posts by others that are not replies under the city's own posts (those are threads)."""
    p = a.post
    return a.result.relevant and not p.is_official and not p.reply_to_official


def add_volumes(
    session: Session, batch: list[Analysed], topics: tuple[Topic, ...], now: datetime
) -> set[tuple[str, datetime]]:
    """Count this batch's mentions per topic and hour; the (topic, hour)s touched."""
    counts: dict[tuple[str, datetime], int] = defaultdict(int)
    latest = hour_floor(now)
    for a in batch:
        if not is_mention(a):
            continue
        hour = min(hour_floor(a.at), latest)  # a clock running ahead never makes a future hour
        for topic in topics_of(f"{a.text.title}\n{a.text.text}", topics):
            counts[(topic, hour)] += 1
    rows = [{"topic": t, "hour_start": h, "count": n} for (t, h), n in sorted(counts.items())]
    upsert_totals(session, TopicVolume, rows, ["topic", "hour_start"], add=["count"])
    return set(counts)


def check_spikes(
    session: Session,
    touched: set[tuple[str, datetime]],
    threads: list[ThreadView],
    topics: tuple[Topic, ...],
    rules: SpikeRules,
    tz: tzinfo,
    now: datetime,
) -> SpikeOutcome:
    out = SpikeOutcome()
    labels = {t.key: t.label for t in topics} | {ALL_TOPIC: LABEL_ALL}
    recent = [(t, h) for t, h in touched if h >= hour_floor(now) - RECENT]
    if recent:
        start = session.exec(select(func.min(TopicVolume.hour_start))).one()
        by_topic: dict[str, list[datetime]] = defaultdict(list)
        for t, h in recent:
            by_topic[t].append(h)
        specific: set[datetime] = set()  # hours a named topic surged: "all" would say less, later
        for topic in sorted(by_topic, key=lambda t: (t == ALL_TOPIC, t)):
            hours = sorted(h for h in by_topic[topic] if topic != ALL_TOPIC or h not in specific)
            if not hours:
                continue
            rows = session.exec(
                select(TopicVolume.hour_start, TopicVolume.count).where(
                    TopicVolume.topic == topic,
                    TopicVolume.hour_start >= hours[0] - WEEK,
                    TopicVolume.hour_start <= hours[-1],
                )
            ).all()
            hourly = {to_utc(h): n for h, n in rows}
            for hour in hours:
                spike = check_volume(topic, labels.get(topic, topic), hourly, hour, to_utc(start), rules)
                if spike:
                    specific.add(hour)
                    _record(session, spike, None, rules, tz, now, out)
    for view in threads:
        if view.window_start < hour_floor(now) - RECENT:
            continue
        topic = f"replies:{view.key[0]}:{view.key[1]}"
        label = view.label or "公式投稿"
        spike = check_replies(topic, label, view.last_hour, view.window_start, view.earlier_peaks, rules)
        if spike:
            _record(session, spike, view.root_post_id, rules, tz, now, out)
    return out


def _record(
    session: Session,
    spike: Spike,
    post_id: int | None,
    rules: SpikeRules,
    tz: tzinfo,
    now: datetime,
    out: SpikeOutcome,
) -> None:
    """A new alert for a new surge; the surge's alert grown in place while within the cooldown."""
    group = f"spike:{spike.topic}"
    finding = spike_finding(spike, tz)
    last = session.exec(
        locked(
            session,
            select(Alert)
            .where(Alert.kind == "spike", Alert.group_key == group)
            .order_by(Alert.created_at.desc(), Alert.id.desc())
            .limit(1)
            .execution_options(populate_existing=True),
        )
    ).first()
    details = (last.details or {}) if last else {}
    last_above = datetime.fromisoformat(details["last_above_at"]) if details.get("last_above_at") else None
    if last is not None and same_surge(last_above, spike.window_start, rules.cooldown):
        latest = max(last_above, spike.window_start)
        if spike.count >= int(details.get("count", 0)):
            finding.details |= {"started_at": details.get("started_at"), "last_above_at": latest.isoformat()}
            grow(session, last, finding, now, spike.count, now)
        else:
            last.details = {**details, "last_above_at": latest.isoformat()}
            session.add(last)
        out.updated_alerts += 1
        return
    start = spike.window_start.isoformat()
    if spike.subject == "mentions":
        other = _same_hour(session, start, now)
        if other is not None:  # the same posts surging under two topics (ごみ and 値上げ): one alert
            topics = set(other.details.get("topics") or [other.details.get("topic")])
            other.details = {**other.details, "topics": sorted(topics | {spike.topic})}
            session.add(other)
            out.updated_alerts += 1
            return
    finding.details |= {"started_at": start, "last_above_at": start, "topics": [spike.topic]}
    row = alert_row(
        finding, post_id, f"{group}:{start}", now, group_key=group, post_count=spike.count, last_seen_at=now
    )
    out.new_alerts += len(insert_ignoring_duplicates(session, Alert, [row], ["dedupe_key"]))


def _same_hour(session: Session, hour: str, now: datetime) -> Alert | None:
    """A mentions spike alert already surging in this very hour, whatever its topic."""
    recent = session.exec(
        locked(
            session,
            select(Alert)
            .where(Alert.kind == "spike", Alert.created_at >= now - RECENT)
            .order_by(Alert.id)
            .execution_options(populate_existing=True),
        )
    ).all()
    for alert in recent:
        d = alert.details or {}
        if d.get("subject") == "mentions" and d.get("last_above_at") == hour:
            return alert
    return None
