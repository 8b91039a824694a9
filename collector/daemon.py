"""APScheduler wiring only: which job runs when. The jobs themselves live elsewhere."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy.engine import Engine

from collector.settings import Settings, SettingsError

log = logging.getLogger("kikimimi.daemon")

CYCLE_SECONDS = 30
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def cycle(settings: Settings, engine: Engine) -> None:
    """One daemon cycle: collect what is due, analyse it, deliver immediate notices and retries."""
    from collector.alerts import analyze_new
    from collector.pipeline import collect

    try:
        asyncio.run(collect(settings, engine, due_only=True))
    except Exception:
        log.exception("cycle step=collect failed")
    try:
        analyze_new(settings, engine)
    except Exception:
        log.exception("cycle step=analyze failed")
    try:
        from collector.delivery.notices import deliver_due

        deliver_due(settings, engine)
    except ImportError:
        pass
    except Exception:
        log.exception("cycle step=deliver failed")


def digest_job(settings: Settings, engine: Engine) -> None:
    try:
        from collector.delivery.digest import send_daily_digest

        send_daily_digest(settings, engine)
    except Exception:
        log.exception("digest failed; it is retried on the next cycle")


def run_daemon(settings: Settings, engine: Engine) -> None:
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger

    scheduler = BlockingScheduler(timezone=settings.digest.timezone)
    scheduler.add_job(
        cycle,
        "interval",
        seconds=CYCLE_SECONDS,
        args=[settings, engine],
        id="cycle",
        max_instances=1,
        coalesce=True,
        next_run_time=_now(settings),
    )
    if settings.digest.enabled:
        hour, minute = (int(x) for x in settings.digest.time.split(":"))
        scheduler.add_job(
            digest_job,
            CronTrigger(hour=hour, minute=minute, timezone=settings.digest.timezone),
            args=[settings, engine],
            id="digest",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=6 * 3600,
        )
    log.info(
        "daemon sources=%d cycle=%ss digest=%s %s",
        len(settings.sources),
        CYCLE_SECONDS,
        settings.digest.time,
        settings.digest.timezone,
    )
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("daemon stopped")


def _now(settings: Settings):  # noqa: ANN202
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(settings.digest.timezone))


def run_collect_loop(settings: Settings, engine: Engine, only: str | None = None) -> None:
    """`kikimimi collect` without --once: collect due sources until interrupted."""
    from collector.pipeline import collect

    while True:
        asyncio.run(collect(settings, engine, only=only, due_only=True))
        time.sleep(CYCLE_SECONDS)


def run_dashboard(settings: Settings, host: str | None, port: int | None) -> subprocess.Popen:
    """Start Streamlit as its own process; refuse a non-local address without a password."""
    host = host or settings.dashboard.host
    port = port or settings.dashboard.port
    oidc = settings.dashboard.auth == "oidc"  # Streamlit's st.login (e.g. Entra ID) guards the pages
    if host not in LOCAL_HOSTS and not oidc and not os.environ.get(settings.dashboard.password_env):
        raise SettingsError(
            f"[dashboard].host = {host!r} exposes the dashboard beyond this machine: "
            f"set the environment variable {settings.dashboard.password_env} to require a login "
            '(or [dashboard].auth = "oidc" with an [auth] section in .streamlit/secrets.toml)'
        )
    env = dict(os.environ)
    env["KIKIMIMI_DATABASE_URL"] = settings.database.url
    if settings.path:
        env["KIKIMIMI_SETTINGS"] = str(Path(settings.path).resolve())
    app = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    log.info("dashboard url=http://%s:%s", host, port)
    print(f"ダッシュボード: http://{host}:{port}", flush=True)
    return subprocess.Popen(cmd, env=env)
