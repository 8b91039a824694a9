"""Guideline clause ids → our short summary and recommended action (data in lexicons/clauses.toml)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True)
class Clause:
    id: str
    title: str
    summary: str
    action: str


@lru_cache(maxsize=1)
def clauses() -> dict[str, Clause]:
    data = tomllib.loads((Path(__file__).parent / "lexicons" / "clauses.toml").read_text("utf-8"))
    return {cid: Clause(id=cid, **body) for cid, body in data.items()}


def clause(cid: str) -> Clause:
    return clauses().get(cid) or Clause(id=cid, title=cid, summary="", action="")
