"""Realistic Japanese posts for the benchmarks: mixed everyday posts, and a simulated 炎上 under one official post.

Reusable: `pile_on(100_000)` is the later 100,000-reply proof's data. Deterministic for a seed.
Texts come from the test corpora under tests/corpus/ when present, and from the templates in
posts.toml (filled with random slots, so no two posts need be alike).
"""

from __future__ import annotations

import json
import random
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from collector.sources.base import NewFact, NewPost

HERE = Path(__file__).parent
CORPUS = HERE.parent / "tests" / "corpus"
PLATFORM = "bluesky"
CITY = "chino-city.bsky.social"
MIX = {"civil": 40, "mention": 25, "hostile": 12, "rumour": 6, "irrelevant": 15, "threat": 2}


def _templates() -> dict[str, Any]:
    return tomllib.loads((HERE / "posts.toml").read_text("utf-8"))


def _fill(template: str, slots: dict[str, list[str]], rnd: random.Random) -> str:
    return template.format(**{k: rnd.choice(v) for k, v in slots.items()})


def generated(kind: str, rnd: random.Random, data: dict[str, Any] | None = None) -> str:
    data = data or _templates()
    return _fill(rnd.choice(data["kinds"][kind]), data["slots"], rnd)


def corpus_posts() -> list[dict[str, Any]]:
    """The labelled test corpora's posts (keys of the classify contract), if the folder is there."""
    rows: list[dict[str, Any]] = []
    for path in sorted(CORPUS.glob("*.jsonl")) if CORPUS.is_dir() else []:
        if path.stem.endswith("facts"):  # official statements (facts.jsonl, X_facts.jsonl), not posts
            continue
        rows += [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    return rows


def corpus_facts() -> list[dict[str, Any]]:
    path = CORPUS / "facts.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def topped_up(rows: list[dict[str, Any]], n: int, rnd: random.Random) -> list[dict[str, Any]]:
    """`rows`, then posts generated in `MIX` proportions (classify-contract dicts) up to `n`, shuffled."""
    data = _templates()
    kinds = [k for k, w in MIX.items() for _ in range(w)]
    while len(rows) < n:
        rows.append(
            {
                "id": f"gen-{len(rows)}",
                "text": generated(rnd.choice(kinds), rnd, data),
                "platform": rnd.choice(["bluesky", "x", "mastodon"]),
                "author": f"user{rnd.randrange(5000)}",
                "reply_to_official": rnd.random() < 0.3,
            }
        )
    rnd.shuffle(rows)
    return rows


def realistic_posts(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """`n` posts as classify-contract dicts: the corpora's posts once each, then generated ones."""
    return topped_up(corpus_posts()[:n], n, random.Random(seed))


@dataclass
class PileOn:
    """One official post and its 炎上, the account's earlier quiet threads, everyday mentions."""

    root: NewPost
    replies: list[NewPost]
    earlier: list[NewPost] = field(default_factory=list)  # earlier official posts and their replies
    mentions: list[NewPost] = field(default_factory=list)  # the days before: the spike baseline
    facts: list[NewFact] = field(default_factory=list)
    end: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def posts(self) -> list[NewPost]:
        return [*self.earlier, *self.mentions, self.root, *self.replies]


def _author(rnd: random.Random, crowd: int) -> str:
    """Most replies come from a large crowd; a core of a few dozen accounts replies again and again."""
    n = rnd.randrange(50) if rnd.random() < 0.4 else rnd.randrange(crowd)
    return f"crowd{n}.bsky.social"


def _uri(n: int) -> str:
    return f"at://did:plc:bench/app.bsky.feed.post/{n:08d}"


def pile_on(
    replies: int = 20_000,
    seed: int = 7,
    start: datetime = datetime(2026, 11, 20, 0, 0, tzinfo=UTC),
    hours: float = 8.0,
    hostile_share: float = 0.25,
    threat_share: float = 0.002,
    rumour_share: float = 0.05,
    crowd: int = 3000,
) -> PileOn:
    """A 炎上: replies arrive fast at first and tail off over `hours`; a crowd of `crowd` accounts
    (some replying many times) posts insults, a few threats and a rumour among civil criticism."""
    rnd, data = random.Random(seed), _templates()
    root = NewPost(
        PLATFORM,
        _uri(0),
        "【お知らせ】令和9年4月1日から家庭ごみ指定袋の価格を改定します。可燃ごみ大（45L）10枚入り 450円→600円。",
        author=CITY,
        created_at=start,
        is_official=True,
    )
    out: list[NewPost] = []
    for i in range(replies):
        r = rnd.random()
        kind = (
            "threat"
            if r < threat_share
            else "hostile"
            if r < threat_share + hostile_share
            else "rumour"
            if r < threat_share + hostile_share + rumour_share
            else "civil"
        )
        minutes = rnd.expovariate(1 / (hours * 60 / 4)) % (hours * 60)  # most in the first hours
        out.append(
            NewPost(
                PLATFORM,
                _uri(i + 1),
                generated(kind, rnd, data),
                author=_author(rnd, crowd),
                created_at=start + timedelta(minutes=minutes, seconds=rnd.random() * 60),
                in_reply_to=root.external_id,
                thread_root=root.external_id,
                reply_to_official=True,
            )
        )
    out.sort(key=lambda p: p.created_at)  # collected roughly in time order
    earlier, mentions = _before(start, rnd, data, replies)
    fact = NewFact(
        "https://www.city.chino.lg.jp/gomibukuro-kaitei.html",
        "家庭ごみ指定袋の価格改定",
        "令和9年4月1日から家庭ごみ指定袋の価格を改定します。可燃ごみ大10枚入りは600円です。",
        url="https://www.city.chino.lg.jp/gomibukuro-kaitei.html",
        published_at=start,
    )
    return PileOn(root, out, earlier, mentions, [fact], end=start + timedelta(hours=hours))


def _before(start: datetime, rnd: random.Random, data: dict[str, Any], offset: int) -> tuple[list, list]:
    """Five quiet official threads in the week before, and everyday mentions (2 an hour for 3 days)."""
    n = offset + 1
    earlier = []
    for t in range(5):
        at = start - timedelta(days=7 - t)
        root = NewPost(
            PLATFORM,
            _uri(n),
            "【お知らせ】市民講座の参加者を募集します。",
            author=CITY,
            created_at=at,
            is_official=True,
        )
        earlier.append(root)
        n += 1
        for k in range(15):
            earlier.append(
                NewPost(
                    PLATFORM,
                    _uri(n),
                    generated("civil", rnd, data),
                    author=f"resident{rnd.randrange(300)}.bsky.social",
                    created_at=at + timedelta(minutes=5 + k * 9),
                    in_reply_to=root.external_id,
                    thread_root=root.external_id,
                    reply_to_official=True,
                )
            )
            n += 1
    mentions = []
    for h in range(72):
        for k in range(2):
            mentions.append(
                NewPost(
                    PLATFORM,
                    _uri(n),
                    generated("mention", rnd, data),
                    author=f"resident{rnd.randrange(300)}.bsky.social",
                    created_at=start - timedelta(hours=72 - h, minutes=-k * 20),
                )
            )
            n += 1
    return earlier, mentions
