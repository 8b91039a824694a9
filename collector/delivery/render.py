"""Templates (data files in templates/) rendered with Jinja2; HTML is autoescaped."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).parent / "templates"

SEVERITY_ORDER = ["critical", "high", "medium", "low"]
KIND_ORDER = ["thread", "hostility", "misinformation", "leak", "spike"]
# Background and text colours of the severity badges (緊急 red, 高 orange, 中 amber, 低 grey)
SEVERITY_COLOURS = {
    "critical": ("#b3261e", "#ffffff"),
    "high": ("#e8710a", "#ffffff"),
    "medium": ("#f9d65c", "#3d2f00"),
    "low": ("#dfe3e8", "#37424d"),
}


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(severity_colours=SEVERITY_COLOURS, severity_order=SEVERITY_ORDER)
    return env


def render(name: str, **context: Any) -> str:
    return environment().get_template(name).render(**context)
