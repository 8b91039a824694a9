"""The SQLModel tables: what kikimimi remembers.

Times are timezone-aware UTC (`utcnow()`); SQLModel's UTCDateTime stores and returns them
the same way on SQLite and PostgreSQL.
Statuses and severities are stored as English codes; `STATUS_LABELS` gives the
Japanese words people see.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

STATUS_LABELS = {"new": "新規", "in_progress": "対応中", "resolved": "対応済み", "false_positive": "誤検知"}
SEVERITY_LABELS = {"critical": "緊急", "high": "高", "medium": "中", "low": "低"}
SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}
KIND_LABELS = {
    "hostility": "攻撃的投稿",
    "thread": "攻撃的スレッド",
    "misinformation": "誤情報・噂",
    "leak": "情報漏えいの疑い",
    "spike": "急増（炎上の兆候）",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_utc(dt: datetime | None) -> datetime | None:
    """Any datetime → aware UTC (naive input is taken as UTC already)."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


class Source(SQLModel, table=True):
    """A configured source and its health, as the sources page shows it."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True, max_length=200)
    kind: str = Field(max_length=32)
    role: str = Field(default="mention", max_length=32)
    last_fetch_at: datetime | None = None
    last_success_at: datetime | None = None
    last_result: str = Field(default="never", max_length=32)  # ok | not_modified | error | disabled | never
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    last_status: int | None = None  # HTTP status of the last failure
    consecutive_failures: int = 0
    items_last: int = 0  # new items stored by the last fetch
    items_total: int = 0
    next_run_at: datetime | None = None


class FetchState(SQLModel, table=True):
    """Where a source left off, per key (a feed URL, an account, a query): saved with the posts it covers."""

    __table_args__ = (UniqueConstraint("source_id", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id", index=True)
    key: str = Field(default="", max_length=500)
    cursor: str | None = Field(default=None, sa_column=Column(Text))
    etag: str | None = Field(default=None, max_length=500)
    last_modified: str | None = Field(default=None, max_length=100)
    updated_at: datetime = Field(default_factory=utcnow)


class Post(SQLModel, table=True):
    """One post, comment, reply or feed item, normalised from any platform."""

    __table_args__ = (
        UniqueConstraint("platform", "external_id", name="uq_post_platform_external_id"),
        Index("ix_post_collected_at", "collected_at"),
        Index("ix_post_created_at", "created_at"),
        Index("ix_post_thread_root", "platform", "thread_root"),
        Index("ix_post_analyzed_at", "analyzed_at"),
        Index(
            "ix_post_reply", "platform", "in_reply_to", "created_at"
        ),  # 0004: thread view (replies, siblings)
        Index(
            "ix_post_official", "is_official", "created_at"
        ),  # 0004: incident view; pg_trgm GIN on text/title too
    )
    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=32)
    external_id: str = Field(max_length=500)
    source_id: int | None = Field(default=None, foreign_key="source.id")
    url: str = Field(default="", sa_column=Column(Text))
    author: str = Field(default="", max_length=300)  # handle or feed outlet
    author_name: str = Field(default="", max_length=300)  # display name
    author_description: str = Field(default="", sa_column=Column(Text))  # profile text as collected
    title: str = Field(default="", sa_column=Column(Text))
    text: str = Field(default="", sa_column=Column(Text))
    created_at: datetime | None = None
    collected_at: datetime = Field(default_factory=utcnow)
    in_reply_to: str | None = Field(default=None, max_length=500)  # parent's external_id
    thread_root: str | None = Field(default=None, max_length=500)  # root's external_id
    language: str | None = Field(default=None, max_length=16)
    repost_count: int = 0
    reply_count: int = 0
    like_count: int = 0
    is_official: bool = False  # written by one of the city's own accounts
    reply_to_official: bool = False
    relevant: bool | None = None  # None until analysed
    relevance_reason: str = Field(default="", max_length=200)
    analyzed_at: datetime | None = None
    content_hash: str = Field(default="", max_length=64)


class OfficialStatement(SQLModel, table=True):
    """The city's own announcements: what misinformation is checked against."""

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(max_length=500, unique=True)
    source_id: int | None = Field(default=None, foreign_key="source.id")
    title: str = Field(default="", sa_column=Column(Text))
    text: str = Field(default="", sa_column=Column(Text))
    url: str = Field(default="", sa_column=Column(Text))
    published_at: datetime | None = None
    collected_at: datetime = Field(default_factory=utcnow)
    added_by: str = Field(default="", max_length=200)  # a person, for entries added by hand


class Alert(SQLModel, table=True):
    """Something a person must look at, with why and what to do."""

    __table_args__ = (
        Index("ix_alert_queue", "status", "severity_rank", "created_at"),
        Index("ix_alert_kind", "kind"),
        Index("ix_alert_post", "post_id"),
        Index("ix_alert_rank", "severity_rank", "created_at"),  # 0004: queue over every status
        Index("ix_alert_created", "created_at"),  # 0004: queue date range
        Index("ix_alert_group", "kind", "group_key", "created_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(max_length=500, unique=True)  # the same finding twice is one alert
    post_id: int | None = Field(default=None, foreign_key="post.id")  # the post, or the thread's root
    kind: str = Field(max_length=32)
    severity: str = Field(max_length=16)
    severity_rank: int = 0
    score: float = 0.0
    clause: str = Field(default="", max_length=32)
    reason: str = Field(default="", sa_column=Column(Text))
    evidence: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    action: str = Field(default="", sa_column=Column(Text))
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    fact_id: int | None = Field(default=None, foreign_key="officialstatement.id")
    status: str = Field(default="new", max_length=32)
    assignee: str = Field(default="", max_length=200)
    notes: str = Field(default="", sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    notified_at: datetime | None = None
    # alerts that stand for many posts (a thread, a repeated claim, a spike) grow in place:
    group_key: str | None = Field(default=None, max_length=500)  # thread:…, claim:…, spike:<topic>
    post_count: int = 1  # replies in the thread, repeats of the claim, posts in the surge
    last_seen_at: datetime | None = None  # the newest post counted


class TriageEvent(SQLModel, table=True):
    """Append-only history: who changed what on an alert, and when."""

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(foreign_key="alert.id", index=True)
    at: datetime = Field(default_factory=utcnow)
    actor: str = Field(default="", max_length=200)
    field_name: str = Field(max_length=64)  # status | assignee | notes | draft | ...
    old_value: str | None = Field(default=None, sa_column=Column(Text))
    new_value: str | None = Field(default=None, sa_column=Column(Text))


class ReplyDraft(SQLModel, table=True):
    """A draft official reply and its approval (決裁). kikimimi never posts by itself."""

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(foreign_key="alert.id", index=True)
    text: str = Field(default="", sa_column=Column(Text))
    status: str = Field(default="draft", max_length=32)  # draft | pending | approved | rejected
    author: str = Field(default="", max_length=200)
    approver: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow)
    decided_at: datetime | None = None


class Delivery(SQLModel, table=True):
    """One digest or notice: recorded when delivered, retried when not, never sent twice."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=300, unique=True)  # e.g. digest:2026-11-24, notice:<alert ids>
    kind: str = Field(max_length=32)  # digest | notice
    channel: str = Field(default="email", max_length=32)
    status: str = Field(default="pending", max_length=32)  # pending | sent | failed
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=utcnow)
    next_attempt_at: datetime | None = None
    sent_at: datetime | None = None


# --- running totals behind thread, claim and spike alerts (migration 0003) --------------


class ThreadStat(SQLModel, table=True):
    """Running totals of the replies under one official post: thread alerts are decided on these."""

    __table_args__ = (
        UniqueConstraint("platform", "root_external_id", name="uq_threadstat_root"),
        Index("ix_threadstat_account", "platform", "account", "root_created_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=32)
    root_external_id: str = Field(max_length=500)
    account: str = Field(default="", max_length=300)  # the root's author, once the root is stored
    root_created_at: datetime | None = None
    replies: int = 0  # the city's own replies are not counted
    hostile: int = 0
    hostile_authors: int = 0
    threats: int = 0
    peak_hour_replies: int = 0  # most replies in a sliding hour: the account's baseline is made of these
    first_reply_at: datetime | None = None
    last_reply_at: datetime | None = None
    pile_on_at: datetime | None = None  # newest reply when the pile-on was first seen
    alert_id: int | None = Field(default=None, foreign_key="alert.id")
    updated_at: datetime = Field(default_factory=utcnow)


class ThreadAuthor(SQLModel, table=True):
    """Each author who replied with hostility, once per thread: distinct hostile authors, exactly."""

    __table_args__ = (UniqueConstraint("thread_id", "author", name="uq_threadauthor"),)
    id: int | None = Field(default=None, primary_key=True)
    thread_id: int = Field(foreign_key="threadstat.id")
    author: str = Field(max_length=300)


class ThreadReply(SQLModel, table=True):
    """A hostile reply in a tracked thread: the thread alert's evidence and its list of replies."""

    __table_args__ = (
        UniqueConstraint("thread_id", "post_id", name="uq_threadreply"),
        Index("ix_threadreply_rank", "thread_id", "threat", "score"),
    )
    id: int | None = Field(default=None, primary_key=True)
    thread_id: int = Field(foreign_key="threadstat.id")
    post_id: int = Field(foreign_key="post.id")
    author: str = Field(default="", max_length=300)
    score: float = 0.0
    threat: bool = False
    snippet: str = Field(default="", sa_column=Column(Text))
    created_at: datetime | None = None


class ThreadBucket(SQLModel, table=True):
    """Replies per 10 minutes in a thread: its replies per hour."""

    __table_args__ = (UniqueConstraint("thread_id", "bucket_start", name="uq_threadbucket"),)
    id: int | None = Field(default=None, primary_key=True)
    thread_id: int = Field(foreign_key="threadstat.id")
    bucket_start: datetime
    replies: int = 0
    hostile: int = 0


class TopicVolume(SQLModel, table=True):
    """Relevant mentions per topic per hour: what spikes are measured against."""

    __table_args__ = (UniqueConstraint("topic", "hour_start", name="uq_topicvolume"),)
    id: int | None = Field(default=None, primary_key=True)
    topic: str = Field(max_length=200)
    hour_start: datetime
    count: int = 0


class AlertPost(SQLModel, table=True):
    """A post counted by an alert that stands for many: each repeat of a misinformation claim."""

    __table_args__ = (
        UniqueConstraint("alert_id", "post_id", name="uq_alertpost"),
        Index("ix_alertpost_post", "post_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(foreign_key="alert.id")
    post_id: int = Field(foreign_key="post.id")
    score: float = 0.0
    confirmed: bool = False
    created_at: datetime | None = None  # the post's time
