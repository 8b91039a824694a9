"""Reading back what a collect stored and what `kikimimi status` shows, for collector tests."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session, select

from collector.cli import main
from collector.db import make_engine
from collector.store import Post


def stored_posts(db_url: str, platform: str) -> dict[str, Post]:
    """Every stored post of one platform by external id (all columns, including those export leaves out)."""
    engine = make_engine(db_url)
    try:
        with Session(engine) as session:
            rows = session.exec(select(Post).where(Post.platform == platform)).all()
            return {p.external_id: p for p in rows}
    finally:
        engine.dispose()


def status(settings: str, capsys: Any) -> dict[str, dict]:
    capsys.readouterr()
    assert main(["--settings", settings, "status", "--format", "json"]) == 0
    return {s["name"]: s for s in json.loads(capsys.readouterr().out)}


def collect(settings: str, capsys: Any) -> str:
    capsys.readouterr()
    assert main(["--settings", settings, "collect", "--once"]) == 0
    return capsys.readouterr().out
