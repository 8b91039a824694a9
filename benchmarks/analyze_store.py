"""`analyze_new` on a simulated 炎上: store-side throughput as a ratio to post-level classify, and what it raises.

    python benchmarks/analyze_store.py [--replies 20000] [--database URL] [--batch 500]

One official post gets `--replies` replies within hours (a quarter hostile, a few threats, a
rumour), after a week of quiet threads and everyday mentions. The posts are stored as a
collector would store them, then `analyze_new` runs once. Printed: `Analyzer.classify`
posts/s on the same posts (measured in this run), `analyze_new` posts/s, their ratio (the
cost of the store: marking posts, alerts, thread totals, claims, spikes), and the alerts
raised — one thread alert for the whole 炎上, not one per reply.
Without `--database` a fresh SQLite file in a temporary folder is used; a PostgreSQL URL
must name an empty database.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: the repository root on the path
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from analysis import Analyzer, Fact, PostText  # noqa: E402
from benchmarks.posts import PileOn, pile_on  # noqa: E402
from collector.alerts import analyze_new  # noqa: E402
from collector.db import make_engine, migrate, session_scope  # noqa: E402
from collector.pipeline import save_batch  # noqa: E402
from collector.settings import parse_settings  # noqa: E402
from collector.sources.base import Batch  # noqa: E402
from collector.store import Alert, Source, utcnow  # noqa: E402


def store(url: str, data: PileOn, chunk: int = 2000) -> None:
    """The posts as the collectors store them: in transactions of `chunk`, deduplicated."""
    migrate(url)
    engine = make_engine(url)
    with session_scope(engine) as session:
        source = Source(name="bluesky", kind="bluesky")
        session.add(source)
        session.flush()
        save_batch(session, source, Batch(facts=data.facts), utcnow())
    posts = data.posts
    for i in range(0, len(posts), chunk):
        with session_scope(engine) as session:
            source = session.exec(select(Source)).one()
            save_batch(session, source, Batch(posts=posts[i : i + chunk]), utcnow())
    engine.dispose()


def classify_rate(data: PileOn, analyzer: Analyzer) -> float:
    posts = [
        PostText(str(i), p.text, p.platform, p.author, "", p.reply_to_official, p.created_at)
        for i, p in enumerate(data.posts)
    ]
    for p in posts[:100]:
        analyzer.classify(p)
    t = time.perf_counter()
    for p in posts:
        analyzer.classify(p)
    return len(posts) / (time.perf_counter() - t)


def run(replies: int, url: str | None, batch: int, seed: int = 7) -> dict:
    data = pile_on(replies, seed=seed)
    with tempfile.TemporaryDirectory() as tmp:
        url = url or f"sqlite:///{tmp}/bench.db"
        settings = parse_settings({"database": {"url": url}})
        store(url, data)
        facts = [Fact(f.external_id, f.title, f.text, f.url, f.published_at) for f in data.facts]
        analyzer = Analyzer(settings.analysis_config(), facts)
        rate = classify_rate(data, analyzer)
        engine = make_engine(url)
        t = time.perf_counter()
        report = analyze_new(settings, engine, batch_size=batch, now=data.end, analyzer=analyzer)
        seconds = time.perf_counter() - t
        with Session(engine) as session:
            kinds = dict(session.exec(select(Alert.kind, func.count()).group_by(Alert.kind)).all())
            thread = session.exec(select(Alert).where(Alert.kind == "thread")).first()
        engine.dispose()
    return {
        "posts": report.posts,
        "replies": len(data.replies),
        "classify": rate,
        "store": report.posts / seconds,
        "seconds": seconds,
        "alerts": kinds,
        "folded": report.folded,
        "thread": thread,
        "url": url.split("@")[-1],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replies", type=int, default=20_000)
    ap.add_argument("--database", help="database URL (default: a fresh SQLite file)")
    ap.add_argument("--batch", type=int, default=500)
    args = ap.parse_args(argv)
    r = run(args.replies, args.database, args.batch)
    print(f"database: {r['url'] if args.database else 'SQLite (temporary file)'}")
    print(
        f"posts analysed: {r['posts']} ({r['replies']} replies under one official post) in {r['seconds']:.1f} s"
    )
    print(f"Analyzer.classify: {r['classify']:,.0f} posts/s")
    print(f"analyze_new: {r['store']:,.0f} posts/s")
    print(f"ratio analyze_new/classify: {r['store'] / r['classify']:.3f}")
    print("alerts: " + ", ".join(f"{k} {n}" for k, n in sorted(r["alerts"].items())))
    print(f"thread alerts: {r['alerts'].get('thread', 0)}")
    print(f"hostile replies counted in the thread alert instead of their own: {r['folded']}")
    t = r["thread"]
    if t is not None:
        d = t.details
        print(
            f"thread alert: {t.severity}, {t.post_count} replies, {d['hostile']} hostile from "
            f"{d['hostile_authors']} accounts, {d['threats']} threats, peak {d['peak_hour_replies']} replies/h "
            f"(usual {d['baseline_peak']})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
