"""`kikimimi demo`: a realistic day for 茅野市 loaded into a fresh database, analysed by the real pipeline.

The story (data in posts.jsonl / facts.jsonl beside this file): the city announces a rise in
the price of rubbish bags and a pile-on follows under its post; a rumour about tap water
spreads and is corrected; a rumour about the winter fireworks; staff leak an unannounced
decision, a resident's マイナンバー and a server password; ordinary mentions, and posts
about the voice actress 茅野さん, Chino (California) and チノパン that are not about the city.
Alerts are not written here: the analysis raises them from the text.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import make_url
from sqlmodel import SQLModel, select

from collector.db import make_engine, migrate, session_scope
from collector.settings import DatabaseSettings, Settings
from collector.store import Alert, OfficialStatement, Post, Source, TriageEvent, utcnow

HERE = Path(__file__).parent
DEMO_SOURCES = [
    ("bluesky", "bluesky", "mention"),
    ("mastodon", "mastodon", "mention"),
    ("google-news", "rss", "mention"),
    ("city-news", "rss", "official"),
    ("x", "x", "mention"),
    ("hatena-bookmark", "rss", "mention"),
]


def _read(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (HERE / name).read_text("utf-8").splitlines() if line.strip()]


def _reset(url: str) -> None:
    u = make_url(url)
    if u.get_backend_name() == "sqlite" and u.database:
        for suffix in ("", "-wal", "-shm"):
            Path(u.database + suffix).unlink(missing_ok=True)
        return
    engine = make_engine(url)
    import collector.store  # noqa: F401

    SQLModel.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    engine.dispose()


def _external_id(row: dict[str, Any]) -> str:
    if row["platform"] == "bluesky":
        return f"at://did:plc:{row['author'].split('.')[0]}/app.bsky.feed.post/demo{row['key']}"
    if row["platform"] == "mastodon":
        user, _, host = row["author"].partition("@")
        return f"https://{host}/users/{user}/statuses/demo{row['key']}"
    return row.get("url") or f"demo:{row['key']}"


def _url(row: dict[str, Any], eid: str) -> str:
    if row["platform"] == "bluesky":
        return f"https://bsky.app/profile/{row['author']}/post/demo{row['key']}"
    return row.get("url") or eid


def load_demo(url: str, settings: Settings, fresh: bool = True) -> dict[str, int]:
    """Fill a (fresh) database with the demo day, relative to now, and run the real analysis."""
    if fresh:
        _reset(url)
    migrate(url)
    engine = make_engine(url)
    tz = ZoneInfo(settings.digest.timezone)
    start = (datetime.now(tz) - timedelta(days=1)).replace(hour=7, minute=0, second=0, microsecond=0)
    posts, facts = _read("posts.jsonl"), _read("facts.jsonl")
    now = utcnow()
    with session_scope(engine) as session:
        sources = {}
        for name, kind, role in DEMO_SOURCES:
            sources[name] = Source(
                name=name,
                kind=kind,
                role=role,
                last_result="ok",
                last_fetch_at=now,
                last_success_at=now,
                next_run_at=now + timedelta(minutes=10),
            )
            session.add(sources[name])
        sources["x"].last_result = "disabled"
        sources["x"].last_error = "KIKIMIMI_X_BEARER_TOKEN が設定されていないため停止中です。"
        sources["hatena-bookmark"].last_result = "error"
        sources["hatena-bookmark"].last_status = 403
        sources["hatena-bookmark"].last_error = "HTTP 403 from b.hatena.ne.jp: アクセスが拒否されました"
        sources["hatena-bookmark"].consecutive_failures = 3
        session.flush()
        for f in facts:
            session.add(
                OfficialStatement(
                    external_id=f["url"],
                    source_id=sources["city-news"].id,
                    title=f["title"],
                    text=f["text"],
                    url=f["url"],
                    published_at=start + timedelta(minutes=f["minutes"]),
                    collected_at=now,
                )
            )
        ids = {p["key"]: _external_id(p) for p in posts}
        roots: dict[str, str] = {}
        for p in posts:
            parent = p.get("reply_to")
            root = roots.get(parent, ids[parent]) if parent else None
            if parent:
                roots[p["key"]] = root
            source = {"rss": "google-news"}.get(p["platform"], p["platform"])
            created = start + timedelta(minutes=p["minutes"])
            session.add(
                Post(
                    platform=p["platform"],
                    external_id=ids[p["key"]],
                    source_id=sources[source].id,
                    url=_url(p, ids[p["key"]]),
                    author=p["author"],
                    author_name=p.get("author_name", ""),
                    author_description=p.get("author_description", ""),
                    title=p.get("title", ""),
                    text=p["text"],
                    created_at=created,
                    collected_at=created + timedelta(minutes=2),
                    in_reply_to=ids[parent] if parent else None,
                    thread_root=root,
                    is_official=bool(p.get("official")),
                    reply_to_official=bool(parent),
                    repost_count=p.get("reposts", 0),
                    reply_count=p.get("replies", 0),
                    language="ja",
                )
            )
        for s in sources.values():
            s.items_total = sum(
                1 for p in posts if {"rss": "google-news"}.get(p["platform"], p["platform"]) == s.name
            )
            s.items_last = s.items_total
    from collector.alerts import analyze_new

    report = analyze_new(replace(settings, database=DatabaseSettings(url=url)), engine)
    _triage_example(engine)
    with session_scope(engine) as session:
        alerts = len(session.exec(select(Alert.id)).all())
    engine.dispose()
    return {"posts": len(posts), "facts": len(facts), "relevant": report.relevant, "alerts": alerts}


def _triage_example(engine) -> None:  # noqa: ANN001
    """One alert already being handled, so the history view has something to show."""
    with session_scope(engine) as session:
        alert = session.exec(
            select(Alert).where(Alert.kind == "misinformation").order_by(Alert.severity_rank.desc(), Alert.id)
        ).first()
        if alert is None:
            return
        alert.status, alert.assignee = "in_progress", "広報 佐藤"
        session.add(
            TriageEvent(
                alert_id=alert.id,
                actor="広報 佐藤",
                field_name="status",
                old_value="new",
                new_value="in_progress",
            )
        )
        session.add(
            TriageEvent(
                alert_id=alert.id,
                actor="広報 佐藤",
                field_name="notes",
                old_value="",
                new_value="水道課に確認中。公式の水質検査結果を案内する予定。",
            )
        )
        alert.notes = "水道課に確認中。公式の水質検査結果を案内する予定。"
