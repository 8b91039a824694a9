"""Headless Chromium for the browser tests: Debian's /usr/bin/chromium driven by Playwright.

Never downloads a browser: without Debian's chromium or the playwright package a test skips and
says what to install. Screenshots go to ARTIFACTS (test-artifacts/ at the repository root).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def require_chromium() -> None:
    """Skip the calling test, naming what to install, when Chromium or Playwright is missing."""
    if not Path(CHROMIUM).exists():
        pytest.skip(
            f"browser test needs Debian's chromium at {CHROMIUM} (apt-get install chromium fonts-ipafont-gothic)"
        )
    pytest.importorskip(
        "playwright.sync_api", reason="browser test needs the playwright package (pip install playwright)"
    )


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium (a Playwright `Browser`), closed on leaving; ARTIFACTS exists by then."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def dialogs(page: Any) -> list[str]:
    """The messages of every alert/confirm the page opens from now on (each dismissed): a post's
    script that ran would show up here."""
    seen: list[str] = []
    page.on("dialog", lambda d: (seen.append(d.message), d.dismiss()))
    return seen
