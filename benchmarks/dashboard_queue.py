"""Dashboard speed on a million posts and fifty thousand alerts: queue, counts, search, detail, thread, incident.

    python -m benchmarks.dashboard_queue                       # SQLite file in /tmp (built once, reused)
    python -m benchmarks.dashboard_queue --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres

Each read is timed as the pages call it, uncached (the first view after a change): the median
of five runs after one warm-up. The baseline is the same read in the same run without the
dashboard's indexes (migration 0004 downgraded), and the budget is one second for the queue and
the alert page. Prints a table; exits 0 whatever it measures (a benchmark, not a test).
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import Engine, make_url

logging.getLogger("streamlit").setLevel(logging.ERROR)  # "no runtime" notes from the cached wrappers

from benchmarks.dashboard_build import BIG_THREAD, START, Built, build, describe  # noqa: E402
from collector.db import alembic_config, make_engine  # noqa: E402
from dashboard.queries.alerts import QueueFilter, load_counts, load_platforms, load_queue  # noqa: E402
from dashboard.queries.base import load_posts_per_day  # noqa: E402
from dashboard.queries.detail import load_alert, load_thread  # noqa: E402
from dashboard.queries.incident import load_incident  # noqa: E402

BUDGET = 1.0  # seconds, for the queue and the alert page


def _time(fn: Callable[[], object], runs: int = 5) -> float:
    fn()
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def cases(engine: Engine, b: Built) -> dict[str, tuple[bool, Callable[[], object]]]:
    """name → (counts against the one-second budget, the read)."""
    from zoneinfo import ZoneInfo

    default = QueueFilter()
    everything = QueueFilter(statuses=())

    def detail() -> None:
        d = load_alert(engine, b.big_reply_alert_id)
        load_thread(engine, d.post.id)

    return {
        "queue: first page (open alerts)": (True, lambda: load_queue(engine, default, 0, 50)),
        "queue: page 200 (every status)": (True, lambda: load_queue(engine, everything, 199, 50)),
        "queue: counts per kind/severity": (True, lambda: load_counts(engine, default)),
        "queue: kind+severity filter": (
            True,
            lambda: load_queue(engine, QueueFilter(kinds=("leak",), severities=("critical", "high")), 0, 50),
        ),
        "queue: platform + date range": (
            True,
            lambda: load_queue(
                engine,
                QueueFilter(
                    platforms=("mastodon",),
                    since=START + timedelta(days=30),
                    until=START + timedelta(days=40),
                ),
                0,
                50,
            ),
        ),
        "queue: search 3 chars 水道水": (True, lambda: load_queue(engine, QueueFilter(text="水道水"), 0, 50)),
        "queue: search 2 chars 泥棒": (True, lambda: load_queue(engine, QueueFilter(text="泥棒"), 0, 50)),
        "queue: search 1 char 市 + counts": (
            True,
            lambda: (
                load_queue(engine, QueueFilter(text="市"), 0, 50),
                load_counts(engine, QueueFilter(text="市")),
            ),
        ),
        "queue: platform list": (True, lambda: load_platforms(engine)),
        "alert page: alert + thread (20k replies)": (True, detail),
        f"incident: {BIG_THREAD} replies, 24 h": (
            False,
            lambda: load_incident(engine, START, START + timedelta(days=DAYS_ALL), root_id=b.big_root_id),
        ),
        "incident: search 水道水, 7 days": (
            False,
            lambda: load_incident(
                engine, START + timedelta(days=40), START + timedelta(days=47), term="水道水"
            ),
        ),
        "sources: posts per day, 14 days": (
            False,
            lambda: load_posts_per_day(engine, 14, ZoneInfo("Asia/Tokyo")),
        ),
    }


DAYS_ALL = 91


def measure(url: str, b: Built) -> dict[str, float]:
    engine = make_engine(url)
    try:
        return {name: _time(fn) for name, (_, fn) in cases(engine, b).items()}
    finally:
        engine.dispose()


def _migrate(url: str, rev: str) -> None:
    from alembic import command

    if rev == "head":
        command.upgrade(alembic_config(url), rev)
    else:
        command.downgrade(alembic_config(url), rev)


def report(label: str, url: str, b: Built) -> None:
    print(f"\n== {label}: {describe(b)}")
    with_idx = measure(url, b)
    _migrate(url, "0003")  # the baseline: no dashboard indexes
    try:
        without = measure(url, b)
    finally:
        _migrate(url, "head")
    budgeted = {name for name, (in_budget, _) in cases(make_engine(url), b).items() if in_budget}
    print(f"{'read':<44} {'ms':>9} {'no 0004 idx':>12} {'speed-up':>9}  budget 1 s")
    for name, t in with_idx.items():
        base = without[name]
        verdict = ("ok" if t <= BUDGET else "OVER") if name in budgeted else "-"
        print(f"{name:<44} {t * 1000:9.1f} {base * 1000:12.1f} {base / t:8.1f}x  {verdict}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=1_000_000)
    ap.add_argument("--alerts", type=int, default=50_000)
    ap.add_argument(
        "--sqlite", default="/tmp/kikimimi-bench/dashboard.db", help="SQLite file (reused if built)"
    )
    ap.add_argument("--postgres", help="PostgreSQL server URL: a fresh database is built there and dropped")
    ap.add_argument("--rebuild", action="store_true", help="build the SQLite file again")
    args = ap.parse_args()

    path = Path(args.sqlite)
    url = f"sqlite:///{path}"
    stamp = path.with_suffix(f".{args.posts}-{args.alerts}.built")
    if args.rebuild or not stamp.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        b = build(url, args.posts, args.alerts)
        print(f"built SQLite {path} in {time.perf_counter() - t:.1f} s")
        stamp.write_text(f"{b.big_root_id} {b.big_reply_alert_id}")
    else:
        root, alert = (int(x) for x in stamp.read_text().split())
        b = Built(url, args.posts, args.alerts, root, alert)
    report("SQLite", url, b)

    if args.postgres:
        import psycopg

        base = make_url(args.postgres)
        name = f"kk_bench_{uuid.uuid4().hex[:8]}"
        admin = base.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        pg = base.set(database=name).render_as_string(hide_password=False)
        try:
            t = time.perf_counter()
            b = build(pg, args.posts, args.alerts)
            print(f"\nbuilt PostgreSQL database {name} in {time.perf_counter() - t:.1f} s")
            report("PostgreSQL", pg, b)
        finally:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
