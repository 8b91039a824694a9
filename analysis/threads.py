"""Thread-level signals under an official post: when do hostile replies become a pile-on (clause 4(6))?

Pure: replies (with their post-level hostility) and the account's earlier threads in, one
"thread" `Finding` out. The store keeps the same numbers as running aggregates
(`ThreadStats`), so a 炎上 of 100,000 replies is never re-read to decide.
"""

from __future__ import annotations

import math
import statistics
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from analysis.text import normalize
from analysis.types import Evidence, Finding, PostText, Result

BUCKET = timedelta(minutes=10)  # replies are counted in 10-minute buckets
HOUR_BUCKETS = 6  # a sliding hour is six buckets
THREAT_CATEGORIES = frozenset({"threat", "violence", "arson", "doxxing", "call_flood"})


@dataclass(frozen=True)
class ThreadRules:
    """When a thread is a pile-on and how bad it is. `min_replies` comes from settings."""

    min_replies: int = 10  # [analysis] thread_min_replies
    min_hostile_authors: int = 3  # one angry person replying ten times is not a pile-on
    min_hostile_share: float = 0.2
    surge_ratio: float = 3.0  # replies per hour ≥ this × the account's usual peak ...
    surge_hostile_share: float = 0.1  # ... lowers the share of hostile replies needed
    high_hostile_authors: int = 10
    high_ratio: float = 5.0
    critical_hostile_authors: int = 50
    evidence: int = 5  # the most hostile replies shown


@dataclass(frozen=True)
class ReplySignal:
    """One reply as the thread sees it: who, when, how hostile (0 = not hostile)."""

    post_id: str
    author: str
    created_at: datetime | None
    hostility: float = 0.0
    threat: bool = False
    snippet: str = ""  # the hostile words with a little context, for evidence

    @property
    def hostile(self) -> bool:
        return self.hostility > 0

    @property
    def rank(self) -> tuple[bool, float]:
        return (self.threat, self.hostility)


@dataclass
class ThreadStats:
    """Running totals of one thread's replies (official accounts' own replies excluded)."""

    replies: int = 0
    hostile: int = 0
    hostile_authors: int = 0
    threats: int = 0
    peak_hour_replies: int = 0  # most replies in any sliding hour
    first_reply_at: datetime | None = None
    last_reply_at: datetime | None = None
    top: list[ReplySignal] = field(default_factory=list)  # most hostile first

    @property
    def hostile_share(self) -> float:
        return self.hostile / self.replies if self.replies else 0.0


@dataclass(frozen=True)
class Baseline:
    """The account's earlier threads: their peak replies per hour."""

    threads: int = 0
    peak_mean: float = 0.0
    peak_std: float = 0.0


def baseline_of(earlier_peaks: Sequence[int]) -> Baseline:
    if not earlier_peaks:
        return Baseline()
    std = statistics.pstdev(earlier_peaks) if len(earlier_peaks) > 1 else 0.0
    return Baseline(len(earlier_peaks), statistics.fmean(earlier_peaks), std)


def bucket_start(dt: datetime) -> datetime:
    """The 10-minute bucket (UTC) a moment falls in."""
    dt = dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    return dt.replace(minute=dt.minute - dt.minute % 10, second=0, microsecond=0)


def peak_hour(buckets: Mapping[datetime, int]) -> int:
    """Most replies in any six consecutive 10-minute buckets."""
    best = 0
    for end in buckets:
        total = sum(buckets.get(end - BUCKET * i, 0) for i in range(HOUR_BUCKETS))
        best = max(best, total)
    return best


def hour_ending(buckets: Mapping[datetime, int], last: datetime) -> int:
    """Replies in the sliding hour whose last bucket is `last`."""
    return sum(buckets.get(last - BUCKET * i, 0) for i in range(HOUR_BUCKETS))


def is_threat(finding: Finding) -> bool:
    return finding.severity == "critical" or finding.details.get("category") in THREAT_CATEGORIES


def snippet(text: str, start: int, end: int, before: int = 20, after: int = 30) -> str:
    s, e = max(0, start - before), min(len(text), end + after)
    out = " ".join(text[s:e].split())
    return ("…" if s else "") + out + ("…" if e < len(text) else "")


def reply_signal(post: PostText, result: Result) -> ReplySignal:
    """A reply's thread signal from its post-level analysis."""
    hostile = [f for f in result.flags if f.kind == "hostility"]
    if not hostile:
        return ReplySignal(post.id, post.author, post.created_at)
    worst = max(hostile, key=lambda f: (is_threat(f), f.score))
    text = normalize(f"{post.title}\n{post.text}" if post.title else post.text)
    span = worst.evidence[0] if worst.evidence else Evidence(0, 0, "")
    return ReplySignal(
        post_id=post.id,
        author=post.author,
        created_at=post.created_at,
        hostility=worst.score,
        threat=any(is_threat(f) for f in hostile),
        snippet=snippet(text, span.start, span.end),
    )


def top_replies(replies: Iterable[ReplySignal], n: int) -> list[ReplySignal]:
    return sorted((r for r in replies if r.hostile), key=lambda r: r.rank, reverse=True)[:n]


def summarize(replies: Iterable[ReplySignal], rules: ThreadRules = ThreadRules()) -> ThreadStats:
    """Totals for a whole thread held in memory (the store keeps the same totals incrementally)."""
    replies = list(replies)
    buckets: dict[datetime, int] = {}
    times = [r.created_at for r in replies if r.created_at]
    for t in times:
        b = bucket_start(t)
        buckets[b] = buckets.get(b, 0) + 1
    hostile = [r for r in replies if r.hostile]
    return ThreadStats(
        replies=len(replies),
        hostile=len(hostile),
        hostile_authors=len({r.author for r in hostile}),
        threats=sum(r.threat for r in replies),
        peak_hour_replies=peak_hour(buckets),
        first_reply_at=min(times, default=None),
        last_reply_at=max(times, default=None),
        top=top_replies(hostile, rules.evidence),
    )


def rate_ratio(stats: ThreadStats, baseline: Baseline) -> float | None:
    """This thread's peak replies per hour against the account's usual peak (None: no earlier threads)."""
    if not baseline.threads:
        return None
    return stats.peak_hour_replies / max(baseline.peak_mean, 1.0)


def is_pile_on(stats: ThreadStats, baseline: Baseline, rules: ThreadRules) -> bool:
    if stats.replies < rules.min_replies or stats.hostile_authors < rules.min_hostile_authors:
        return False
    if stats.hostile_share >= rules.min_hostile_share:
        return True
    ratio = rate_ratio(stats, baseline)
    return (
        ratio is not None and ratio >= rules.surge_ratio and stats.hostile_share >= rules.surge_hostile_share
    )


def severity(stats: ThreadStats, baseline: Baseline, rules: ThreadRules) -> str:
    """Threats or a very large crowd are critical; a growing crowd or a surge is high."""
    ratio = rate_ratio(stats, baseline) or 0.0
    if stats.threats or stats.hostile_authors >= rules.critical_hostile_authors:
        return "critical"
    if stats.hostile_authors >= rules.high_hostile_authors or ratio >= rules.high_ratio:
        return "high"
    return "medium"


def score(stats: ThreadStats, baseline: Baseline, rules: ThreadRules) -> float:
    """0..1 from the share of hostile replies, the size of the crowd and the surge; threats ≥ 0.9."""
    share = min(1.0, stats.hostile_share / 0.5)
    crowd = min(1.0, math.log1p(stats.hostile_authors) / math.log1p(rules.critical_hostile_authors))
    ratio = rate_ratio(stats, baseline)
    surge = min(1.0, math.log(max(ratio, 1.0)) / math.log(10)) if ratio is not None else 0.5
    value = 0.4 * share + 0.4 * crowd + 0.2 * surge
    return round(max(value, 0.9) if stats.threats else value, 3)


@lru_cache(maxsize=1)
def _texts() -> dict[str, Any]:
    return tomllib.loads((Path(__file__).parent / "lexicons" / "threads.toml").read_text("utf-8"))


def reason(stats: ThreadStats, baseline: Baseline) -> str:
    t = _texts()["reason"]
    parts = [
        t["summary"].format(
            replies=stats.replies,
            hostile=stats.hostile,
            share=f"{stats.hostile_share:.0%}",
            authors=stats.hostile_authors,
        )
    ]
    ratio = rate_ratio(stats, baseline)
    if ratio is None:
        parts.append(t["rate_unknown"].format(peak=stats.peak_hour_replies))
    else:
        parts.append(
            t["rate"].format(
                peak=stats.peak_hour_replies, baseline=f"{baseline.peak_mean:.0f}", ratio=f"{ratio:.1f}"
            )
        )
    if stats.threats:
        parts.append(t["threats"].format(threats=stats.threats))
    return "".join(parts)


def advice(stats: ThreadStats, baseline: Baseline, rules: ThreadRules) -> str:
    """The calm-response steps of 4(6), numbered; police escalation first when a reply is a threat."""
    a = _texts()["advice"]
    steps = list(a["threat"]) if stats.threats else []
    steps += a["always"]
    ratio = rate_ratio(stats, baseline)
    if stats.hostile_authors >= rules.high_hostile_authors or (ratio or 0) >= rules.surge_ratio:
        steps += a["large"]
    return "\n".join(f"{i}. {s}" for i, s in enumerate(steps, 1))


def thread_finding(
    stats: ThreadStats, baseline: Baseline, rules: ThreadRules, force: bool = False
) -> Finding | None:
    """The thread alert, or None while it is not a pile-on (`force`: describe it anyway, e.g. an alert that exists)."""
    if not force and not is_pile_on(stats, baseline, rules):
        return None
    ratio = rate_ratio(stats, baseline)
    return Finding(
        kind="thread",
        severity=severity(stats, baseline, rules),
        score=score(stats, baseline, rules),
        clause="4(6)",
        reason=reason(stats, baseline),
        evidence=[
            Evidence(0, len(r.snippet), r.snippet, "threat" if r.threat else "hostile") for r in stats.top
        ],
        action=advice(stats, baseline, rules),
        details={
            "replies": stats.replies,
            "hostile": stats.hostile,
            "hostile_share": round(stats.hostile_share, 3),
            "hostile_authors": stats.hostile_authors,
            "threats": stats.threats,
            "peak_hour_replies": stats.peak_hour_replies,
            "baseline_peak": round(baseline.peak_mean, 2) if baseline.threads else None,
            "baseline_threads": baseline.threads,
            "rate_ratio": round(ratio, 2) if ratio is not None else None,
            "top_replies": [
                {"post_id": r.post_id, "author": r.author, "score": round(r.hostility, 3), "threat": r.threat}
                for r in stats.top
            ],
        },
    )


def onset(
    replies: Iterable[ReplySignal],
    baseline: Baseline,
    rules: ThreadRules,
) -> datetime | None:
    """When the pile-on started: the first reply, in time order, after which the thread is one."""
    stats = ThreadStats()
    authors: set[str] = set()
    buckets: dict[datetime, int] = {}
    for r in sorted((r for r in replies if r.created_at), key=lambda r: r.created_at):
        b = bucket_start(r.created_at)
        buckets[b] = buckets.get(b, 0) + 1
        stats.replies += 1
        stats.peak_hour_replies = max(stats.peak_hour_replies, hour_ending(buckets, b))
        if r.hostile:
            stats.hostile += 1
            authors.add(r.author)
            stats.hostile_authors = len(authors)
        stats.threats += r.threat
        if is_pile_on(stats, baseline, rules):
            return r.created_at
    return None
