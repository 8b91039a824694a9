"""Build a dashboard benchmark database: a million posts, fifty thousand alerts, threads, one big pile-on.

SQLite: sqlite3 executemany in one transaction. PostgreSQL: COPY, with the trigram indexes
built after the load (faster than maintaining them row by row). The schema comes from the
real migrations, so every index the dashboard relies on is there.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.engine import Engine, make_url

from collector.db import make_engine, migrate
from collector.store import SEVERITY_RANK, Alert, Source

PLATFORMS = ("bluesky", "mastodon", "x", "misskey", "rss")
START = datetime(2026, 9, 1, tzinfo=UTC)
DAYS = 90
BIG_THREAD = 20_000  # replies under one official post: the morning after
PIECES = [
    ["茅野市の", "市役所の", "蓼科の", "駅前の", "白樺湖の", "市長の", "広報の"],
    ["ごみ袋", "水道水", "除雪", "花火大会", "市民プール", "子育て支援", "図書館", "バス路線", "税金"],
    [
        "が値上げ",
        "について質問です",
        "が最高でした",
        "は大丈夫？",
        "の説明が足りない",
        "はいつから",
        "を見てきた",
    ],
    ["。", "！", "…", "。拡散希望", "。ほんと泥棒みたい", "。ありがとうございます", "w"],
]
KINDS = [("hostility", 0.55), ("misinformation", 0.2), ("leak", 0.1), ("thread", 0.1), ("spike", 0.05)]
SEVERITIES = [("low", 0.3), ("medium", 0.4), ("high", 0.2), ("critical", 0.1)]
STATUSES = [("new", 0.6), ("in_progress", 0.15), ("resolved", 0.2), ("false_positive", 0.05)]


@dataclass
class Built:
    url: str
    posts: int
    alerts: int
    big_root_id: int  # the official post with BIG_THREAD replies
    big_reply_alert_id: int  # an alert on a reply in that thread


def _pick(rng: random.Random, weighted: list[tuple[str, float]]) -> str:
    return rng.choices([k for k, _ in weighted], [w for _, w in weighted])[0]


def _text(rng: random.Random) -> str:
    return "".join(rng.choice(p) for p in PIECES) + f" #{rng.randrange(1000)}"


def _posts(n: int, rng: random.Random):  # noqa: ANN202
    """Rows in id order: 2,000 official roots first, then mentions and replies (the big thread's replies last)."""
    roots = 2000
    step = timedelta(days=DAYS) / n
    for i in range(1, n + 1):
        platform = PLATFORMS[i % len(PLATFORMS)] if i > roots else "bluesky"
        created = START + step * i
        official = i <= roots
        reply_to = None
        if i > n - BIG_THREAD:
            reply_to, platform = "b-1", "bluesky"
            created = START + timedelta(days=DAYS - 1, seconds=(i - (n - BIG_THREAD)) * 3)
        elif not official and rng.random() < 0.6:
            root = rng.randrange(2, roots + 1)
            reply_to, platform = f"b-{root}", "bluesky"
        eid = f"b-{i}" if platform == "bluesky" else f"{platform}-{i}"
        yield (
            platform,
            eid,
            1,
            f"https://example.jp/{eid}",
            f"user{rng.randrange(50_000)}",
            "",
            "プロフィール文",
            "",
            _text(rng),
            created,
            created + timedelta(minutes=2),
            reply_to,
            reply_to,
            rng.randrange(50),
            rng.randrange(20),
            rng.randrange(100),
            official,
            reply_to is not None,
            True,
            "",
            created + timedelta(minutes=3),
            "",
        )


COLUMNS = (
    "platform, external_id, source_id, url, author, author_name, author_description, title, text, created_at, "
    "collected_at, in_reply_to, thread_root, repost_count, reply_count, like_count, is_official, "
    "reply_to_official, relevant, relevance_reason, analyzed_at, content_hash"
)


def _sqlite_load(url: str, rows) -> None:  # noqa: ANN001
    import sqlite3

    def ts(v):  # noqa: ANN001, ANN202
        return v.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(v, datetime) else v

    con = sqlite3.connect(make_url(url).database)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    marks = ", ".join("?" * len(COLUMNS.split(",")))
    with con:
        con.executemany(f"INSERT INTO post ({COLUMNS}) VALUES ({marks})", ([ts(v) for v in r] for r in rows))
    con.execute("ANALYZE")
    con.close()


def _pg_load(engine: Engine, rows) -> None:  # noqa: ANN001
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("DROP INDEX IF EXISTS ix_post_text_trgm")
        cur.execute("DROP INDEX IF EXISTS ix_post_title_trgm")
        with cur.copy(f"COPY post ({COLUMNS}) FROM STDIN") as copy:
            for r in rows:
                copy.write_row(r)
        cur.execute("CREATE INDEX ix_post_text_trgm ON post USING gin (text gin_trgm_ops)")
        cur.execute("CREATE INDEX ix_post_title_trgm ON post USING gin (title gin_trgm_ops)")
        raw.commit()
        cur.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()


def build(url: str, posts: int = 1_000_000, alerts: int = 50_000, seed: int = 7) -> Built:
    rng = random.Random(seed)
    migrate(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(insert(Source.__table__), [{"name": "bench", "kind": "bluesky", "last_result": "ok"}])
    if engine.dialect.name == "postgresql":
        _pg_load(engine, _posts(posts, rng))
    else:
        _sqlite_load(url, _posts(posts, rng))
    big_first = posts - BIG_THREAD + 1
    rows = []
    targets = rng.sample(range(2001, posts + 1), alerts - 500) + rng.sample(range(big_first, posts + 1), 500)
    for n, pid in enumerate(targets):
        kind, sev = _pick(rng, KINDS), _pick(rng, SEVERITIES)
        created = START + timedelta(days=DAYS) * (pid / posts) + timedelta(minutes=5)
        rows.append(
            {
                "dedupe_key": f"{kind}:bench:{n}",
                "post_id": pid,
                "kind": kind,
                "severity": sev,
                "severity_rank": SEVERITY_RANK[sev],
                "score": rng.random(),
                "clause": "4(6)",
                "reason": "ベンチマーク用のアラートです。",
                "evidence": [{"start": 0, "end": 2, "text": "茅野", "label": "insult"}],
                "action": "",
                "details": {},
                "status": _pick(rng, STATUSES),
                "assignee": "",
                "notes": "",
                "created_at": created,
                "updated_at": created,
            }
        )
    with engine.begin() as conn:
        for i in range(0, len(rows), 5000):
            conn.execute(insert(Alert.__table__), rows[i : i + 5000])
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
        big_alert = conn.exec_driver_sql(
            f"SELECT id FROM alert WHERE post_id >= {big_first} ORDER BY id LIMIT 1"
        ).scalar_one()
    engine.dispose()
    return Built(url, posts, alerts, big_root_id=1, big_reply_alert_id=big_alert)


def describe(b: Built) -> str:
    return json.dumps({"posts": b.posts, "alerts": b.alerts, "big_thread": BIG_THREAD}, ensure_ascii=False)
