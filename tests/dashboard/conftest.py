"""Dashboard fixtures: a migrated database (SQLite file and PostgreSQL), rows built through the store, AppTest."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from sqlalchemy.engine import Engine
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from collector.db import make_engine, migrate, session_scope
from collector.store import SEVERITY_RANK, Alert, OfficialStatement, Post, Source
from tests.conftest import write_settings

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
T0 = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)  # 09:00 in Asia/Tokyo


class Data:
    """Builds rows the way the collector and the analysis store them."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.n = 0
        with session_scope(engine) as s:
            src = Source(name="bluesky", kind="bluesky", last_result="ok")
            s.add(src)
            s.flush()
            self.source_id = src.id

    def post(self, text: str, minutes: float = 0, **kw: Any) -> Post:
        self.n += 1
        values: dict[str, Any] = {
            "platform": "bluesky",
            "external_id": f"at://post/{self.n}",
            "source_id": self.source_id,
            "url": f"https://bsky.app/profile/someone/post/{self.n}",
            "author": f"user{self.n}.bsky.social",
            "text": text,
            "created_at": T0 + timedelta(minutes=minutes),
            "collected_at": T0 + timedelta(minutes=minutes + 1),
            "relevant": True,
        }
        values.update(kw)
        with session_scope(self.engine) as s:
            p = Post(**values)
            s.add(p)
            s.flush()
            return p

    def alert(self, post: Post | None, kind: str = "hostility", severity: str = "medium", **kw: Any) -> Alert:
        self.n += 1
        values: dict[str, Any] = {
            "dedupe_key": f"{kind}:{self.n}",
            "post_id": post.id if post else None,
            "kind": kind,
            "severity": severity,
            "severity_rank": SEVERITY_RANK[severity],
            "score": 0.8,
            "clause": {"hostility": "4(6)", "thread": "4(6)", "misinformation": "4(7)⑤", "leak": "5(2)"}.get(
                kind, ""
            ),
            "reason": f"{kind} の理由",
            "action": "推奨対応の文",
            "created_at": (post.created_at if post and post.created_at else T0) + timedelta(minutes=1),
        }
        values.update(kw)
        with session_scope(self.engine) as s:
            a = Alert(**values)
            s.add(a)
            s.flush()
            return a

    def fact(self, title: str, text: str, url: str) -> OfficialStatement:
        with session_scope(self.engine) as s:
            f = OfficialStatement(external_id=url, title=title, text=text, url=url, published_at=T0)
            s.add(f)
            s.flush()
            return f


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    migrate(db_url)
    e = make_engine(db_url)
    yield e
    e.dispose()


@pytest.fixture
def data(engine: Engine) -> Data:
    return Data(engine)


@pytest.fixture
def local_address() -> Iterator[None]:
    """As `kikimimi dashboard` starts it: bound to 127.0.0.1."""
    old = st_config.get_option("server.address")
    st_config.set_option("server.address", "127.0.0.1")
    yield
    st_config.set_option("server.address", old)


@pytest.fixture
def app(
    tmp_path: Path, db_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch, local_address: None
) -> Iterator[Callable[..., AppTest]]:
    """Run the dashboard on the test database: app(page, **query_params) → AppTest after its first run."""
    settings = write_settings(tmp_path / "settings.toml", db_url)
    monkeypatch.setenv("KIKIMIMI_SETTINGS", str(settings))
    st.cache_data.clear()

    def run(page: str | None = None, name: str = "広報 佐藤", **query: str) -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=60)
        at.session_state["kk_actor"] = name
        for k, v in query.items():
            at.query_params[k] = v
        at.run()
        if page:
            at.switch_page(page).run()
        assert not at.exception, at.exception
        return at

    yield run
    from dashboard.queries import db

    db.engine_for(db_url).dispose()
    db.engine_for.clear()
    st.cache_data.clear()


def texts(at: AppTest) -> str:
    """Everything the user reads on the page: text, markdown, st.html bodies, captions, notices."""
    parts = [t.value for t in at.text]
    parts += [m.value for m in at.markdown]
    parts += [h.value for h in at.html]
    parts += [c.value for c in at.caption]
    for kind in (at.success, at.info, at.warning, at.error):
        parts += [x.value for x in kind]
    return "\n".join(parts)
