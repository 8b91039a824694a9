"""Draft official replies from templates a comms officer edits (templates/replies.toml)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

TEMPLATES = Path(__file__).parent / "templates" / "replies.toml"
NO_URL = "（公式情報のURLを入れてください）"


@dataclass(frozen=True)
class Template:
    kind: str
    title: str
    text: str


def templates(path: Path = TEMPLATES) -> dict[str, Template]:
    data = tomllib.loads(path.read_text("utf-8"))
    return {k: Template(k, v.get("title", k), v["text"].strip()) for k, v in data.items()}


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def draft_text(kind: str, city: str, fact_title: str = "", fact_url: str = "", path: Path = TEMPLATES) -> str:
    """The template for this alert kind, filled in; '' when the kind has no reply template (e.g. leaks)."""
    t = templates(path).get(kind)
    if t is None:
        return ""
    values = _Blank(city=city, fact_title=fact_title or "本件", fact_url=fact_url or NO_URL)
    return t.text.format_map(values)
