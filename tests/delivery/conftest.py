"""Delivery fixtures: a real SMTP server (aiosmtpd), settings pointing at it, a day of alerts."""

from __future__ import annotations

import email
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy.engine import Engine

from collector.db import make_engine, migrate, session_scope
from collector.settings import Settings, load_settings
from collector.store import SEVERITY_RANK, Alert, OfficialStatement, Post, Source
from tests.conftest import write_settings

TZ = ZoneInfo("Asia/Tokyo")
DAY = date(2026, 11, 23)  # the reported day (a Monday); the day before is for comparison
NOW = datetime(2026, 11, 24, 8, 30, tzinfo=TZ).astimezone(UTC)  # digest time the morning after
MYNUMBER = "1234 5678 9018"  # a valid マイナンバー (check digit 8), as a resident would write it
SCRIPT = "<script>alert('x')</script>"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """aiosmtpd handler: keeps every message it receives, raw and parsed."""

    def __init__(self) -> None:
        self.raw: list[bytes] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        with self._lock:
            self.raw.append(envelope.original_content or envelope.content)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        return [email.message_from_bytes(r, policy=default_policy) for r in self.raw]


@dataclass
class Smtp:
    port: int
    inbox: Inbox = field(default_factory=Inbox)
    controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp() -> Iterator[Smtp]:
    """A running SMTP server on a free local port."""
    s = Smtp(free_port())
    s.start()
    yield s
    s.stop()


@pytest.fixture
def smtp_down() -> Iterator[Smtp]:
    """A free port with no server yet: call .start() to bring it up."""
    s = Smtp(free_port())
    yield s
    s.stop()


def delivery_settings(tmp_path: Path, db_url: str, smtp_port: int, extra: str = "") -> Settings:
    path = write_settings(
        tmp_path / "settings.toml",
        db_url,
        extra=f"""
[email]
host = "127.0.0.1"
port = {smtp_port}
from_addr = "kikimimi@city.chino.lg.jp"
to = ["kouhou@city.chino.lg.jp"]
timeout = 5.0

[dashboard]
base_url = "https://kikimimi.example.lg.jp/"

{extra}
""",
    )
    return load_settings(path)


def engine_for(db_url: str) -> Engine:
    migrate(db_url)
    return make_engine(db_url)


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=TZ).astimezone(UTC)


def add_alert(session, post: Post | None, kind: str, severity: str, created: datetime, **kw: Any) -> Alert:  # noqa: ANN001
    if post is not None and post.id is None:
        session.add(post)
        session.flush()
    alert = Alert(
        dedupe_key=kw.pop("dedupe_key", f"{kind}:{post.external_id if post else created.isoformat()}"),
        post_id=post.id if post else None,
        kind=kind,
        severity=severity,
        severity_rank=SEVERITY_RANK[severity],
        created_at=created,
        updated_at=created,
        **kw,
    )
    session.add(alert)
    session.flush()
    return alert


def post(key: str, text: str, created: datetime, **kw: Any) -> Post:
    return Post(
        platform=kw.pop("platform", "bluesky"),
        external_id=f"demo:{key}",
        url=f"https://bsky.app/profile/someone/post/{key}",
        author="someone.bsky.social",
        text=text,
        created_at=created,
        **kw,
    )


def seed_day(engine: Engine) -> dict[str, int]:
    """A day like the demo's: a pile-on thread, insults, a rumour, leaks, a failing source."""
    ids: dict[str, int] = {}
    with session_scope(engine) as s:
        s.add(Source(name="bluesky", kind="bluesky", last_result="ok", last_success_at=at(DAY, 23)))
        s.add(
            Source(
                name="hatena-bookmark",
                kind="rss",
                last_result="error",
                last_status=403,
                last_error="HTTP 403 from b.hatena.ne.jp: アクセスが拒否されました",
                consecutive_failures=3,
                last_success_at=at(DAY, 6),
            )
        )
        fact = OfficialStatement(
            external_id="f-water",
            title="水道水質検査の結果（令和8年11月）",
            text="すべての項目で基準に適合しています。",
            url="https://www.city.chino.lg.jp/soshiki/suido/suishitsu.html",
        )
        s.add(fact)
        s.flush()
        root = post(
            "o1",
            "【お知らせ】家庭ごみ指定袋の価格を改定します。",
            at(DAY, 9),
            reply_count=41,
            is_official=True,
        )
        ids["thread"] = add_alert(
            s,
            root,
            "thread",
            "high",
            at(DAY, 11),
            reason="市の投稿への返信で攻撃的な投稿が急増しています。",
            action="返信の推移を見守り、事実の説明を準備してください。",
            status="in_progress",
            assignee="広報 佐藤",
        ).id
        for i, (text, sev) in enumerate(
            [
                ("ふざけるな。無能な市長は今すぐ辞めろ。", "medium"),
                (f"市役所は税金泥棒 {SCRIPT}\r\nBcc: attacker@example.com", "medium"),
                ("職員の住所をさらしてやる。覚えておけ。", "critical"),
            ]
        ):
            ids[f"hostility{i}"] = add_alert(
                s,
                post(f"h{i}", text, at(DAY, 12, i), in_reply_to="demo:o1"),
                "hostility",
                sev,
                at(DAY, 12, 5 + i),
                reason="脅迫・害悪の告知を含む投稿です。"
                if sev == "critical"
                else "侮辱的な表現を含む投稿です。",
                evidence=[{"start": 0, "end": 2, "text": "無能", "label": "insult", "masked": False}],
            ).id
        ids["rumour"] = add_alert(
            s,
            post("m1", "茅野の水道水から基準値超えの有害物質が出たらしい。飲まない方がいい", at(DAY, 14)),
            "misinformation",
            "high",
            at(DAY, 14, 10),
            reason="市の公式情報と食い違う内容です。",
            action="公式の水質検査結果を案内してください。",
            fact_id=fact.id,
            details={"confirmed": True},
        ).id
        ids["rumour2"] = add_alert(
            s,
            post("m2", "冬の花火大会は中止になったって聞いた", at(DAY, 15)),
            "misinformation",
            "medium",
            at(DAY, 15, 10),
            reason="市の公式情報と食い違う可能性があります。",
            details={"confirmed": False, "fact_url": "https://www.city.chino.lg.jp/event/hanabi.html"},
        ).id
        ids["leak"] = add_alert(
            s,
            post(
                "l1",
                f"窓口で見た田中さんのマイナンバーは {MYNUMBER} だった。電話は090-1234-5678",
                at(DAY, 16),
            ),
            "leak",
            "critical",
            at(DAY, 16, 5),
            reason="個人番号（マイナンバー）と思われる番号を含む投稿です。",
            action="投稿の削除要請と個人情報保護担当への連絡を検討してください。",
            evidence=[
                {
                    "start": 13,
                    "end": 27,
                    "text": "＊＊＊＊ ＊＊＊＊ ＊＊＊＊",
                    "label": "mynumber",
                    "masked": True,
                }
            ],
        ).id
        ids["resolved"] = add_alert(
            s,
            post("h9", "バカ市長", at(DAY, 18)),
            "hostility",
            "low",
            at(DAY, 18, 5),
            reason="侮辱的な表現を含む投稿です。",
            status="resolved",
        ).id
        before = DAY - timedelta(days=1)
        for i in range(2):
            add_alert(
                s,
                post(f"p{i}", "市役所の対応が遅い。無能か。", at(before, 10 + i)),
                "hostility",
                "medium",
                at(before, 10 + i, 5),
                reason="侮辱的な表現を含む投稿です。",
                status="resolved",
            )
    return ids
