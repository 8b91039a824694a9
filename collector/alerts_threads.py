"""Thread alerts on the store: running totals per official post, one alert per thread, grown in place.

Each batch adds its replies to the totals (`threadstat`, `threadbucket`, `threadauthor`,
`threadreply`) with one set-based statement per table, then re-decides only the threads
that got replies, from the totals: the work follows the batch, never the thread's size.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, select

from analysis import PostText, Result
from analysis.threads import (
    BUCKET,
    HOUR_BUCKETS,
    ReplySignal,
    ThreadRules,
    ThreadStats,
    baseline_of,
    bucket_start,
    hour_ending,
    peak_hour,
    reply_signal,
    thread_finding,
)
from collector.alertrows import alert_row, grow, ids_by_key, insert_new, locked, upsert_totals
from collector.db import insert_ignoring_duplicates
from collector.delivery.safe import excerpt
from collector.store import Alert, Post, ThreadAuthor, ThreadBucket, ThreadReply, ThreadStat

BASELINE_THREADS = 20  # the account's most recent earlier threads make its baseline
OPEN = ("new", "in_progress")


@dataclass
class Analysed:
    """One post of a batch with its post-level analysis."""

    post: Post
    text: PostText
    result: Result

    @property
    def at(self) -> datetime:
        return self.post.created_at or self.post.collected_at


@dataclass
class ThreadView:
    """What the spike step needs to know of a thread that just got replies."""

    key: tuple[str, str]
    root_post_id: int | None
    label: str
    last_hour: int  # replies in the sliding hour ending at the newest bucket
    window_start: datetime
    earlier_peaks: list[int]


@dataclass
class ThreadOutcome:
    new_alerts: int = 0
    updated_alerts: int = 0
    pile_on_at: dict[tuple[str, str], datetime] = field(default_factory=dict)  # open thread alerts
    views: list[ThreadView] = field(default_factory=list)


def thread_of(post: Post) -> tuple[str, str] | None:
    """(platform, root external id) for a reply by someone other than the city; None otherwise."""
    if post.thread_root and post.thread_root != post.external_id and not post.is_official:
        return (post.platform, post.thread_root)
    return None


def _roots(session: Session, keys: list[tuple[str, str]]) -> dict[tuple[str, str], Post]:
    from sqlalchemy import tuple_

    out: dict[tuple[str, str], Post] = {}
    for i in range(0, len(keys), 300):
        stmt = select(Post).where(tuple_(Post.platform, Post.external_id).in_(keys[i : i + 300]))
        out.update({(p.platform, p.external_id): p for p in session.exec(stmt).all()})
    return out


def update_threads(
    session: Session, batch: list[Analysed], rules: ThreadRules, now: datetime
) -> ThreadOutcome:
    """Add this batch's replies to their threads' totals and re-decide those threads."""
    replies: dict[tuple[str, str], list[tuple[Analysed, ReplySignal]]] = defaultdict(list)
    for a in batch:
        key = thread_of(a.post)
        if key:
            replies[key].append((a, reply_signal(a.text, a.result)))
    if not replies:
        return ThreadOutcome()
    keys = sorted(replies)
    roots = _roots(session, keys)
    known = ids_by_key(session, ThreadStat, ["platform", "root_external_id"], keys)
    tracked = [
        k
        for k in keys
        if k in known
        or (k in roots and roots[k].is_official)
        or any(a.post.reply_to_official for a, _ in replies[k])
    ]
    if not tracked:
        return ThreadOutcome()
    _add_totals(session, replies, tracked, roots, now)
    ids = ids_by_key(session, ThreadStat, ["platform", "root_external_id"], tracked)
    _add_details(session, replies, tracked, ids)
    outcome = ThreadOutcome()
    for key in tracked:
        _decide(session, ids[key], roots.get(key), rules, now, outcome)
    return outcome


def _add_totals(session, replies, tracked, roots, now) -> None:  # noqa: ANN001
    rows = []
    for key in tracked:
        group = replies[key]
        times = [a.at for a, _ in group]
        root = roots.get(key)
        rows.append(
            {
                "platform": key[0],
                "root_external_id": key[1],
                "account": root.author if root else "",
                "root_created_at": root.created_at if root else None,
                "replies": len(group),
                "hostile": sum(s.hostile for _, s in group),
                "threats": sum(s.threat for _, s in group),
                "hostile_authors": 0,
                "peak_hour_replies": 0,
                "first_reply_at": min(times),
                "last_reply_at": max(times),
                "updated_at": now,
            }
        )
    upsert_totals(
        session,
        ThreadStat,
        rows,
        ["platform", "root_external_id"],
        add=["replies", "hostile", "threats"],
        least=["first_reply_at"],
        greatest=["last_reply_at", "updated_at", "account"],
        keep=["root_created_at"],
    )


def _add_details(session, replies, tracked, ids) -> None:  # noqa: ANN001
    authors, hostile_rows, buckets = set(), [], defaultdict(lambda: [0, 0])
    for key in tracked:
        tid = ids[key]
        for a, s in replies[key]:
            b = buckets[(tid, bucket_start(a.at))]
            b[0] += 1
            b[1] += s.hostile
            if s.hostile:
                authors.add((tid, s.author))
                hostile_rows.append(
                    {
                        "thread_id": tid,
                        "post_id": a.post.id,
                        "author": s.author,
                        "score": float(s.hostility),
                        "threat": s.threat,
                        "snippet": excerpt(s.snippet, "thread", limit=80),
                        "created_at": a.at,
                    }
                )
    upsert_totals(
        session,
        ThreadBucket,
        [
            {"thread_id": t, "bucket_start": b, "replies": n, "hostile": h}
            for (t, b), (n, h) in sorted(buckets.items())
        ],
        ["thread_id", "bucket_start"],
        add=["replies", "hostile"],
    )
    insert_new(session, ThreadReply, hostile_rows, ["thread_id", "post_id"])
    ordered = [{"thread_id": t, "author": a} for t, a in sorted(authors)]
    new_authors: dict[int, int] = defaultdict(int)
    for tid in insert_new(session, ThreadAuthor, ordered, ["thread_id", "author"], ThreadAuthor.thread_id):
        new_authors[tid] += 1
    for tid, n in sorted(new_authors.items()):
        session.execute(
            update(ThreadStat)
            .where(ThreadStat.id == tid)
            .values(hostile_authors=ThreadStat.hostile_authors + n)
        )


def _decide(
    session: Session, thread_id: int, root: Post | None, rules: ThreadRules, now: datetime, out: ThreadOutcome
) -> None:
    fresh = select(ThreadStat).where(ThreadStat.id == thread_id).execution_options(populate_existing=True)
    stat = session.exec(locked(session, fresh)).one()  # with the totals just added by SQL
    rows = session.exec(
        select(ThreadBucket.bucket_start, ThreadBucket.replies).where(ThreadBucket.thread_id == thread_id)
    )
    buckets = {b: n for b, n in rows.all()}
    stat.peak_hour_replies = max(stat.peak_hour_replies, peak_hour(buckets))
    earlier: list[int] = []
    if stat.account and stat.root_created_at:
        earlier = list(
            session.exec(
                select(ThreadStat.peak_hour_replies)
                .where(
                    ThreadStat.platform == stat.platform,
                    ThreadStat.account == stat.account,
                    ThreadStat.root_created_at < stat.root_created_at,
                )
                .order_by(ThreadStat.root_created_at.desc())
                .limit(BASELINE_THREADS)
            ).all()
        )
    baseline = baseline_of(earlier)
    top = session.exec(
        select(ThreadReply)
        .where(ThreadReply.thread_id == thread_id)
        .order_by(ThreadReply.threat.desc(), ThreadReply.score.desc(), ThreadReply.id)
        .limit(rules.evidence)
    ).all()
    stats = ThreadStats(
        replies=stat.replies,
        hostile=stat.hostile,
        hostile_authors=stat.hostile_authors,
        threats=stat.threats,
        peak_hour_replies=stat.peak_hour_replies,
        first_reply_at=stat.first_reply_at,
        last_reply_at=stat.last_reply_at,
        top=[ReplySignal(str(r.post_id), r.author, r.created_at, r.score, r.threat, r.snippet) for r in top],
    )
    key = (stat.platform, stat.root_external_id)
    root_id = root.id if root else None
    newest = max(buckets, default=None)
    if newest is not None:
        out.views.append(
            ThreadView(
                key=key,
                root_post_id=root_id,
                label=excerpt(root.text, "thread", limit=40) if root else "",
                last_hour=hour_ending(buckets, newest),
                window_start=newest - BUCKET * (HOUR_BUCKETS - 1),
                earlier_peaks=earlier,
            )
        )
    alert = (
        session.exec(locked(session, select(Alert).where(Alert.id == stat.alert_id))).first()
        if stat.alert_id
        else None
    )
    finding = thread_finding(stats, baseline, rules, force=alert is not None)
    if finding is None:
        session.add(stat)
        return
    if alert is None:
        dedupe = f"thread:{stat.platform}:{stat.root_external_id}"
        row = alert_row(
            finding,
            root_id,
            dedupe,
            now,
            group_key=dedupe,
            post_count=stats.replies,
            last_seen_at=stats.last_reply_at,
        )
        new = insert_ignoring_duplicates(session, Alert, [row], ["dedupe_key"])
        if new:
            stat.alert_id = new[0]
            out.new_alerts += 1
        else:  # an alert left by an older run: take it over and grow it
            alert = session.exec(locked(session, select(Alert).where(Alert.dedupe_key == dedupe))).one()
            stat.alert_id = alert.id
        stat.pile_on_at = stats.last_reply_at
    if alert is not None:
        if alert.post_id is None and root_id:
            alert.post_id = root_id
        grow(session, alert, finding, now, stats.replies, stats.last_reply_at)
        out.updated_alerts += 1
    session.add(stat)
    status = alert.status if alert is not None else "new"
    if status in OPEN and stat.pile_on_at:
        out.pile_on_at[key] = stat.pile_on_at
