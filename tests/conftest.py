"""Shared fixtures: a local HTTP server, real SQLite files and real PostgreSQL databases, settings files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.localserver import LocalServer

PG_ENV = "KIKIMIMI_TEST_DATABASE_URL"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def server() -> Iterator[LocalServer]:
    s = LocalServer()
    yield s
    s.close()


def _pg_database(base_url: str) -> Iterator[str]:
    """A fresh database on the server named by KIKIMIMI_TEST_DATABASE_URL, dropped afterwards."""
    import psycopg
    from sqlalchemy.engine import make_url

    base = make_url(base_url)
    name = f"kk_test_{uuid.uuid4().hex[:12]}"
    admin = base.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each test that takes `db_url` runs on a real SQLite file and on the real PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'kikimimi.db'}"
        return
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"PostgreSQL tests need {PG_ENV}=postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    yield from _pg_database(base)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'data' / 'kikimimi.db'}"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's settings, database or secrets by accident."""
    for name in (
        "KIKIMIMI_SETTINGS",
        "KIKIMIMI_DATABASE_URL",
        "KIKIMIMI_SMTP_PASSWORD",
        "KIKIMIMI_NOTIFY_URLS",
        "KIKIMIMI_BSKY_APP_PASSWORD",
        "KIKIMIMI_DASHBOARD_PASSWORD",
        "KIKIMIMI_MISSKEY_TOKEN",
        "KIKIMIMI_X_BEARER_TOKEN",
        "KIKIMIMI_YOUTUBE_API_KEY",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def write_settings(path: Path, db_url: str, sources: str = "", extra: str = "", timeout: float = 3.0) -> Path:
    """A settings file for a test: fast backoff, the given database and sources."""
    path.write_text(
        f"""
[database]
url = "{db_url}"

[http]
timeout = {timeout}
backoff_base = 0.01
max_retries = 2

{extra}

{sources}
""",
        encoding="utf-8",
    )
    return path


def source_settings(path: Path, db_url: str, extra: str = "", **source: Any) -> str:
    """A settings file (`write_settings`) with one [[sources]] table whose keys are `source`
    (strings, lists, numbers, written as TOML); `extra` holds other tables. Returns its path for
    `--settings`."""
    keys = "\n".join(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in source.items())
    return str(write_settings(path, db_url, f"[[sources]]\n{keys}\n", extra))


def kikimimi_command() -> list[str]:
    """The installed `kikimimi` command, as a user runs it (`python -m collector.cli` without one)."""
    script = Path(sys.executable).parent / "kikimimi"
    return [str(script)] if script.exists() else [sys.executable, "-m", "collector.cli"]


def classify_cli(cwd: Path, posts: list[dict[str, Any]], *args: str) -> str:
    """What `kikimimi classify [args]` prints (one JSON result a line), run in its own process with no
    database, `posts` as JSON lines on stdin."""
    stdin = "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in posts)
    return subprocess.run(
        [*kikimimi_command(), "classify", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        check=True,
    ).stdout
