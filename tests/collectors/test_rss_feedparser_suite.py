"""Every feed in feedparser's own test suite goes through `parse_feed` without a crash.

The 2,107 files (tests/fixtures/feedparser, BSD-2-Clause, see its README) are served with the
HTTP Content-Type their `Header:` line names. For each, kikimimi either yields posts, or says
"not a readable feed: …" (FetchError), or finds a feed with nothing to store and says why;
never any other exception, and never a feed whose items silently vanish.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

from collector.http import FetchError
from collector.settings import SourceSettings
from collector.sources.rss import parse_feed
from tests.conftest import FIXTURES

SUITE = FIXTURES / "feedparser"
ITEM_TAG = re.compile(rb"<(?:[A-Za-z0-9_.-]+:)?(?:item|entry)[\s>/]")


def _cases() -> list[tuple[Path, str]]:
    with open(SUITE / "MANIFEST.tsv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    cases = []
    for row in rows:
        name, _, value = row["http_headers"].partition(":")
        content_type = value.strip() if name.strip().lower() == "content-type" else ""
        cases.append((SUITE / row["path"], content_type))
    return cases


def test_every_feedparser_suite_feed_yields_posts_or_a_clear_error():
    cases = _cases()
    assert len(cases) == 2107
    source = SourceSettings(name="suite", kind="rss", url="http://127.0.0.1/feed.xml")
    outcome: Counter[str] = Counter()
    silent_losses = []
    for path, content_type in cases:
        body = path.read_bytes()
        try:
            posts, facts, note = parse_feed(body, content_type, source)
        except FetchError as e:
            assert str(e).startswith("not a readable feed: "), (path, e)
            assert not ITEM_TAG.search(body), (path, e)  # no feed with items is refused whole
            outcome["clear error"] += 1
            continue
        assert not facts
        if posts:
            outcome["posts"] += 1
            for p in posts:
                assert p.platform == "rss" and p.external_id and len(p.external_id) <= 500, path
                assert "<script" not in p.text.lower() and "<script" not in p.title.lower(), path
        elif ITEM_TAG.search(body):
            # items there, none stored: only when none of them had an id, a title, text or a link
            if "empty items" not in note:
                silent_losses.append(path)
            outcome["only empty items"] += 1
        else:
            outcome["no items"] += 1
    assert not silent_losses, silent_losses[:10]
    print(dict(outcome))  # shown with -s: how the suite splits
    assert outcome["posts"] > 900 and outcome["clear error"] < 20


def test_japanese_feeds_without_any_declaration_read_right():
    source = SourceSettings(name="suite", kind="rss", url="http://127.0.0.1/feed.xml")
    sjis, _, _ = parse_feed((SUITE / "illformed/chardet/shiftjis.xml").read_bytes(), "", source)
    euc, _, _ = parse_feed((SUITE / "illformed/chardet/eucjp.xml").read_bytes(), "", source)
    assert sjis[0].title == "DrecomRSSに記事投稿が反映されない…"
    assert "MT3.2がRSS1.0をサポートしていない" in sjis[0].text
    assert euc[0].title == "ゲーム三昧な正月"


def test_other_undeclared_legacy_encodings_are_not_taken_for_japanese():
    source = SourceSettings(name="suite", kind="rss", url="http://127.0.0.1/feed.xml")
    for name, expected in (("koi8r.xml", "\u0430"), ("big5.xml", None), ("euckr.xml", None)):
        posts, _, _ = parse_feed((SUITE / "illformed/chardet" / name).read_bytes(), "", source)
        text = " ".join(p.title + p.text for p in posts)
        assert "\ufffd" not in text
        if expected:
            assert expected in text.lower()
