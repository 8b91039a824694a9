"""Engine and sessions for SQLite (WAL) and PostgreSQL; migrations; idempotent writes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str) -> Engine:
    """An engine for the URL; a SQLite file's folder is created, WAL mode switched on."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # noqa: ANN001
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: committed on success, rolled back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def alembic_config(url: str):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def migrate(url: str) -> None:
    """Create or upgrade the schema to the newest migration (idempotent)."""
    from alembic import command

    make_engine(url).dispose()  # creates the SQLite folder if needed
    command.upgrade(alembic_config(url), "head")


# --- idempotent writes -------------------------------------------------------------


def _insert(session, table):  # noqa: ANN001, ANN202
    """The dialect's INSERT, which knows ON CONFLICT."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def clean_text(value):  # noqa: ANN001, ANN201
    """PostgreSQL rejects NUL characters in text; strip them everywhere so both stores agree."""
    return value.replace("\x00", "") if isinstance(value, str) else value


def insert_ignoring_duplicates(
    session, table, rows: list[dict], unique: list[str], chunk: int = 200
) -> list[int]:  # noqa: ANN001
    """Insert rows, skipping those whose unique key exists; returns the ids of rows really inserted."""
    seen: set[tuple] = set()
    unique_rows = []
    for row in rows:
        key = tuple(row[k] for k in unique)
        if key not in seen:
            seen.add(key)
            unique_rows.append({k: clean_text(v) for k, v in row.items()})
    ids: list[int] = []
    for i in range(0, len(unique_rows), chunk):
        stmt = (
            _insert(session, table)
            .values(unique_rows[i : i + chunk])
            .on_conflict_do_nothing(index_elements=unique)
            .returning(table.id)
        )
        ids.extend(session.execute(stmt).scalars().all())
    return ids
