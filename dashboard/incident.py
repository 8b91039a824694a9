"""The morning after a controversial post: a pure summary of the posts around it, and its report.

Input rows come from `queries.incident`; nothing here reads the database or the clock.
Near-duplicate claims are found on normalised text (NFKC, no URLs, mentions, punctuation,
emoji or spaces) by character-trigram Jaccard similarity, with an inverted index so only
posts sharing trigrams are compared. Posts whose misinformation alerts share a claim key are
grouped too.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

BUCKET = timedelta(minutes=10)
SIMILAR = 0.5  # trigram Jaccard at or above which two posts repeat the same claim
MAX_DISTINCT = 5000  # distinct texts compared for near duplicates (the most repeated first)
_URL = re.compile(r"https?://\S+")
_MENTION = re.compile(r"[@＠][\w.\-]+")


@dataclass
class IncidentPost:
    id: int
    platform: str
    author: str
    created_at: datetime
    text: str
    title: str = ""
    url: str = ""
    repost_count: int = 0
    reply_count: int = 0
    like_count: int = 0
    hostile: bool = False
    leak: bool = False
    claim_key: str = ""

    @property
    def spread(self) -> int:
        return self.repost_count + self.reply_count + self.like_count


@dataclass
class Bucket:
    start: datetime
    posts: int = 0
    hostile: int = 0

    @property
    def share(self) -> float:
        return self.hostile / self.posts if self.posts else 0.0


@dataclass
class Claim:
    text: str  # the earliest post's text, as a representative
    posts: int
    authors: int
    first_at: datetime
    post_ids: list[int] = field(default_factory=list)


@dataclass
class Summary:
    posts: int
    hostile: int
    authors: int
    hostile_authors: int
    timeline: list[Bucket]
    claims: list[Claim]
    top: list[IncidentPost]

    @property
    def hostile_share(self) -> float:
        return self.hostile / self.posts if self.posts else 0.0


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = _MENTION.sub("", _URL.sub("", text))
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def _grams(s: str) -> set[str]:
    return {s[i : i + 3] for i in range(len(s) - 2)} if len(s) >= 3 else ({s} if s else set())


def _bucket_start(dt: datetime) -> datetime:
    dt = dt.astimezone(UTC)
    return dt.replace(minute=dt.minute - dt.minute % 10, second=0, microsecond=0)


def timeline(posts: list[IncidentPost], since: datetime, until: datetime) -> list[Bucket]:
    """Posts and hostile posts per 10 minutes, every bucket of the window present (zeros too)."""
    buckets: dict[datetime, Bucket] = {}
    t = _bucket_start(since)
    while t < until:
        buckets[t] = Bucket(t)
        t += BUCKET
    for p in posts:
        b = buckets.setdefault(_bucket_start(p.created_at), Bucket(_bucket_start(p.created_at)))
        b.posts += 1
        b.hostile += p.hostile
    return [buckets[k] for k in sorted(buckets)]


def claims(posts: list[IncidentPost], min_posts: int = 2, similar: float = SIMILAR) -> list[Claim]:
    """Posts that repeat the same claim, grouped; largest groups first."""
    by_norm: dict[str, list[IncidentPost]] = defaultdict(list)
    for p in posts:
        key = normalise(f"{p.title} {p.text}")
        if len(key) >= 6:
            by_norm[key].append(p)
    keys = sorted(by_norm, key=lambda k: -len(by_norm[k]))[:MAX_DISTINCT]
    parent = list(range(len(keys)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    grams = [_grams(k) for k in keys]
    index: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(grams):
        shared = Counter(j for gram in g for j in index.get(gram, ()))
        for j, n in shared.items():
            if n / (len(g) + len(grams[j]) - n) >= similar:
                parent[find(i)] = find(j)
        for gram in g:
            index[gram].append(i)
    claim_root: dict[str, int] = {}
    for i, k in enumerate(keys):
        for p in by_norm[k]:
            if p.claim_key:
                if p.claim_key in claim_root:
                    parent[find(i)] = find(claim_root[p.claim_key])
                else:
                    claim_root[p.claim_key] = i
    groups: dict[int, list[IncidentPost]] = defaultdict(list)
    for i, k in enumerate(keys):
        groups[find(i)].extend(by_norm[k])
    out = []
    for members in groups.values():
        if len(members) < min_posts:
            continue
        members.sort(key=lambda p: p.created_at)
        out.append(
            Claim(
                text=members[0].text or members[0].title,
                posts=len(members),
                authors=len({p.author for p in members}),
                first_at=members[0].created_at,
                post_ids=[p.id for p in members],
            )
        )
    out.sort(key=lambda c: (-c.posts, c.first_at))
    return out


def summarize(posts: list[IncidentPost], since: datetime, until: datetime, top_n: int = 10) -> Summary:
    return Summary(
        posts=len(posts),
        hostile=sum(p.hostile for p in posts),
        authors=len({p.author for p in posts}),
        hostile_authors=len({p.author for p in posts if p.hostile}),
        timeline=timeline(posts, since, until),
        claims=claims(posts),
        top=sorted((p for p in posts if p.spread > 0), key=lambda p: (-p.spread, p.created_at))[:top_n],
    )


# --- the report (personal data masked) ---------------------------------------------------

Masker = Callable[[str, bool], str]


def _one_line(text: str) -> str:
    return " ".join((text or "").split())


def _md_cell(text: str) -> str:
    """Text inside a Markdown table cell: no pipes, no markup, no raw HTML."""
    text = _one_line(text)
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~])", r"\\\1", text)


def to_markdown(
    s: Summary, title: str, since: datetime, until: datetime, zone: ZoneInfo, mask: Masker
) -> str:
    def t(dt: datetime, fmt: str = "%Y-%m-%d %H:%M") -> str:
        return dt.astimezone(zone).strftime(fmt)

    lines = [
        f"# インシデント報告: {_md_cell(title)}",
        "",
        f"- 期間: {t(since)} 〜 {t(until)}（{zone.key}）",
        f"- 投稿数: {s.posts} 件",
        f"- 攻撃的な投稿: {s.hostile} 件（{s.hostile_share:.0%}）",
        f"- 投稿者数: {s.authors} 人（攻撃的な投稿をした人 {s.hostile_authors} 人）",
        "- 個人情報はマスクしています。",
        "",
        "## 10分ごとの推移",
        "",
        "| 時刻 | 投稿 | 攻撃的 | 割合 |",
        "|---|---:|---:|---:|",
    ]
    lines += [
        f"| {t(b.start, '%m/%d %H:%M')} | {b.posts} | {b.hostile} | {b.share:.0%} |"
        for b in s.timeline
        if b.posts
    ]
    lines += ["", "## 繰り返された主張", ""]
    if s.claims:
        lines += ["| 件数 | 投稿者 | 初出 | 内容 |", "|---:|---:|---|---|"]
        lines += [
            f"| {c.posts} | {c.authors} | {t(c.first_at, '%m/%d %H:%M')} | {_md_cell(mask(c.text, False))[:200]} |"
            for c in s.claims
        ]
    else:
        lines.append("（なし）")
    lines += ["", "## 最も拡散した投稿", ""]
    if s.top:
        lines += ["| 拡散 | 時刻 | プラットフォーム | 内容 |", "|---:|---|---|---|"]
        lines += [
            f"| {p.spread} | {t(p.created_at, '%m/%d %H:%M')} | {p.platform} | "
            f"{_md_cell(mask(p.text or p.title, p.leak))[:200]} |"
            for p in s.top
        ]
    else:
        lines.append("（なし）")
    return "\n".join(lines) + "\n"


def _cell(value: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas: keep them text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


CSV_FIELDS = ["created_at", "platform", "author", "hostile", "reposts", "replies", "likes", "url", "text"]


def to_csv(posts: list[IncidentPost], zone: ZoneInfo, mask: Masker) -> str:
    """One row per post; authors are kept (public accounts), text is masked."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(CSV_FIELDS)
    for p in sorted(posts, key=lambda p: p.created_at):
        w.writerow(
            [
                p.created_at.astimezone(zone).isoformat(),
                p.platform,
                _cell(p.author),
                "1" if p.hostile else "0",
                p.repost_count,
                p.reply_count,
                p.like_count,
                _cell(p.url),
                _cell(mask(_one_line(f"{p.title} {p.text}" if p.title else p.text), p.leak)),
            ]
        )
    return out.getvalue()
