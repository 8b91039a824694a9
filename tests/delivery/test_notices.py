"""Immediate notices: a burst makes one message, by email and chat, never twice, retried when down."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from collector.db import session_scope
from collector.delivery.notices import deliver_due
from collector.store import Alert, Delivery
from tests.delivery.conftest import DAY, MYNUMBER, NOW, add_alert, at, delivery_settings, engine_for, post
from tests.localserver import Response

NO_DIGEST = "[digest]\nenabled = false\n"


def _burst(engine, n: int, start: int = 0, severity: str = "critical", kind: str = "hostility") -> list[int]:  # noqa: ANN001
    with session_scope(engine) as s:
        return [
            add_alert(
                s,
                post(f"b{i}", f"職員を待ち伏せしてやる #{i}", at(DAY, 9, 0)),
                kind,
                severity,
                at(DAY, 9, 1) + timedelta(seconds=i),
                reason="脅迫・害悪の告知を含む投稿です。",
            ).id
            for i in range(start, start + n)
        ]


def _notices(inbox) -> list:  # noqa: ANN001
    return [m for m in inbox.messages if "至急" in m["Subject"]]


@pytest.fixture
def hook(server, monkeypatch):  # noqa: ANN001, ANN201
    """A JSON webhook receiver, named to Apprise through the environment as a real URL would be."""
    server.add("/hook", Response(200, {"ok": True}), method="POST")
    monkeypatch.setenv("KIKIMIMI_NOTIFY_URLS", f"json://127.0.0.1:{server.port}/hook?token=SECRET-TOKEN-42")
    return server


def test_a_burst_of_50_critical_alerts_makes_one_notice(tmp_path: Path, db_url: str, smtp, hook) -> None:  # noqa: ANN001
    settings = delivery_settings(tmp_path, db_url, smtp.port, extra=NO_DIGEST)
    engine = engine_for(db_url)
    ids = _burst(engine, 50)

    counts = deliver_due(settings, engine, now=NOW)

    assert counts["sent"] == 2  # one email, one chat message
    notices = _notices(smtp.inbox)
    assert len(notices) == 1
    assert "50件" in notices[0]["Subject"] and "【緊急】" in notices[0]["Subject"]
    text = notices[0].get_body(preferencelist=("plain",)).get_content()
    assert f"https://kikimimi.example.lg.jp/?alert={ids[0]}" in text
    assert "ほか 30件" in text  # 20 listed, the rest counted and linked
    hits = hook.hits("/hook")
    assert len(hits) == 1
    body = hits[0].json()
    assert "50件" in body["title"] and f"?alert={ids[0]}" in body["message"]
    assert "待ち伏せ" not in body["message"]  # chat carries reasons and links, not post text
    with Session(engine) as s:
        assert all(a.notified_at is not None for a in s.exec(select(Alert)).all())

    deliver_due(settings, engine, now=NOW + timedelta(minutes=1))
    deliver_due(settings, engine, now=NOW + timedelta(hours=5))
    assert len(_notices(smtp.inbox)) == 1 and len(hook.hits("/hook")) == 1


def test_later_alerts_make_a_new_notice_with_only_them(tmp_path: Path, db_url: str, smtp) -> None:  # noqa: ANN001
    settings = delivery_settings(tmp_path, db_url, smtp.port, extra=NO_DIGEST)
    engine = engine_for(db_url)
    first = _burst(engine, 3)
    deliver_due(settings, engine, now=NOW)
    later = _burst(engine, 2, start=3)
    deliver_due(settings, engine, now=NOW + timedelta(seconds=30))

    notices = _notices(smtp.inbox)
    assert ["3件" in notices[0]["Subject"], "2件" in notices[1]["Subject"]] == [True, True]
    second = notices[1].get_body(preferencelist=("plain",)).get_content()
    assert all(f"?alert={i}\r\n" in second for i in later)
    assert not any(f"?alert={i}\r\n" in second for i in first)


def test_below_min_severity_waits_for_the_digest(tmp_path: Path, db_url: str, smtp) -> None:  # noqa: ANN001
    settings = delivery_settings(tmp_path, db_url, smtp.port, extra=NO_DIGEST)
    engine = engine_for(db_url)
    _burst(engine, 3, severity="high")
    deliver_due(settings, engine, now=NOW)
    assert _notices(smtp.inbox) == []


def test_smtp_down_notice_is_retried_and_delivered_exactly_once(
    tmp_path: Path, db_url: str, smtp_down
) -> None:  # noqa: ANN001
    settings = delivery_settings(tmp_path, db_url, smtp_down.port, extra=NO_DIGEST)
    engine = engine_for(db_url)
    _burst(engine, 5)

    assert deliver_due(settings, engine, now=NOW)["failed"] == 1
    with Session(engine) as s:
        row = s.exec(select(Delivery).where(Delivery.kind == "notice")).one()
    assert row.status == "failed" and row.attempts == 1 and row.last_error

    smtp_down.start()  # the server comes back
    deliver_due(settings, engine, now=NOW + timedelta(minutes=2))
    deliver_due(settings, engine, now=NOW + timedelta(minutes=30))

    assert len(_notices(smtp_down.inbox)) == 1
    with Session(engine) as s:
        rows = s.exec(select(Delivery)).all()
    assert [(r.kind, r.status, r.attempts) for r in rows] == [("notice", "sent", 2)]


def test_a_failing_webhook_is_retried_without_resending_the_email(
    tmp_path: Path, db_url: str, smtp, server, monkeypatch
) -> None:  # noqa: ANN001
    server.add("/hook", Response(500, {"error": "down"}), Response(200, {"ok": True}), method="POST")
    monkeypatch.setenv("KIKIMIMI_NOTIFY_URLS", f"json://127.0.0.1:{server.port}/hook")
    settings = delivery_settings(tmp_path, db_url, smtp.port, extra=NO_DIGEST)
    engine = engine_for(db_url)
    _burst(engine, 4)

    first = deliver_due(settings, engine, now=NOW)
    assert first == {"sent": 1, "failed": 1, "skipped": 0}
    deliver_due(settings, engine, now=NOW + timedelta(minutes=5))
    deliver_due(settings, engine, now=NOW + timedelta(minutes=50))

    assert len(_notices(smtp.inbox)) == 1
    assert len(server.hits("/hook")) == 2  # the failed try and the one that went through
    with Session(engine) as s:
        assert {r.channel: r.status for r in s.exec(select(Delivery)).all()} == {
            "email": "sent",
            "chat": "sent",
        }


def test_chat_tokens_and_personal_data_stay_out_of_logs_and_records(
    tmp_path: Path, db_url: str, smtp, server, monkeypatch, caplog
) -> None:  # noqa: ANN001
    server.add("/hook", Response(500, {"error": "down"}), method="POST")
    monkeypatch.setenv("KIKIMIMI_NOTIFY_URLS", f"json://127.0.0.1:{server.port}/hook?token=SECRET-TOKEN-42")
    settings = delivery_settings(tmp_path, db_url, smtp.port, extra=NO_DIGEST)
    engine = engine_for(db_url)
    with session_scope(engine) as s:
        add_alert(
            s,
            post("leak", f"田中さんのマイナンバーは {MYNUMBER} です", at(DAY, 9)),
            "leak",
            "critical",
            at(DAY, 9, 1),
            reason="個人番号（マイナンバー）と思われる番号を含む投稿です。",
        )

    with caplog.at_level(logging.DEBUG):
        deliver_due(settings, engine, now=NOW)

    with Session(engine) as s:
        rows = s.exec(select(Delivery)).all()
    stored = repr([(r.key, r.payload, r.last_error) for r in rows])
    assert "SECRET-TOKEN-42" not in caplog.text and "SECRET-TOKEN-42" not in stored
    assert "9018" not in stored and "9018" not in caplog.text
    assert "9018" not in smtp.inbox.raw[0].decode("ascii", "replace")
    body = _notices(smtp.inbox)[0].get_body(preferencelist=("plain",)).get_content()
    assert "9018" not in body and "個人番号" in body


def test_one_daemon_cycle_delivers_the_notice(tmp_path: Path, sqlite_url: str, smtp) -> None:  # noqa: ANN001
    from collector.daemon import cycle

    settings = delivery_settings(tmp_path, sqlite_url, smtp.port, extra=NO_DIGEST)
    engine = engine_for(sqlite_url)
    _burst(engine, 2)
    cycle(settings, engine)
    cycle(settings, engine)
    assert len(_notices(smtp.inbox)) == 1


ROUTES = """
[notify.routes]
leak = ["jouhou-seisaku@city.chino.lg.jp"]
critical = ["fukushichou@city.chino.lg.jp"]
"""


def test_routes_send_each_recipient_only_the_alerts_of_their_kind(tmp_path: Path, db_url: str, smtp) -> None:  # noqa: ANN001
    settings = delivery_settings(
        tmp_path, db_url, smtp.port, extra=NO_DIGEST + '[notify]\nmin_severity = "high"\n' + ROUTES
    )
    engine = engine_for(db_url)
    threats = _burst(engine, 2, severity="critical", kind="hostility")
    leaks = _burst(engine, 1, start=10, severity="high", kind="leak")

    deliver_due(settings, engine, now=NOW)

    got: dict[str, list[str]] = {}
    for (_, rcpts), msg in zip(smtp.inbox.envelopes, smtp.inbox.messages, strict=True):
        body = msg.get_body(preferencelist=("plain",)).get_content()
        for r in rcpts:
            got.setdefault(r, []).append(body)
    assert sorted(got) == [
        "fukushichou@city.chino.lg.jp",
        "jouhou-seisaku@city.chino.lg.jp",
        "kouhou@city.chino.lg.jp",
    ]
    assert all(len(bodies) == 1 for bodies in got.values())  # one message each, never two
    comms = got["kouhou@city.chino.lg.jp"][0]
    assert all(f"?alert={i}\r\n" in comms for i in threats + leaks)
    security = got["jouhou-seisaku@city.chino.lg.jp"][0]
    assert f"?alert={leaks[0]}\r\n" in security and not any(f"?alert={i}\r\n" in security for i in threats)
    deputy = got["fukushichou@city.chino.lg.jp"][0]
    assert all(f"?alert={i}\r\n" in deputy for i in threats) and f"?alert={leaks[0]}\r\n" not in deputy

    deliver_due(settings, engine, now=NOW + timedelta(minutes=5))
    assert len(smtp.inbox.messages) == 3


def test_a_route_for_an_unknown_kind_names_the_key(tmp_path: Path) -> None:
    from collector.settings import SettingsError, load_settings

    path = tmp_path / "s.toml"
    path.write_text('[notify.routes]\nleaks = ["a@example.jp"]\n', encoding="utf-8")
    with pytest.raises(SettingsError, match=r"\[notify.routes\]\.leaks: not an alert kind or severity"):
        load_settings(path)


def test_an_alert_that_escalates_is_notified_again_once_per_level(tmp_path: Path, db_url: str, smtp) -> None:  # noqa: ANN001
    from sqlalchemy import update

    from collector.store import SEVERITY_RANK

    settings = delivery_settings(
        tmp_path, db_url, smtp.port, extra=NO_DIGEST + '[notify]\nmin_severity = "high"\n'
    )
    engine = engine_for(db_url)
    (alert_id,) = _burst(engine, 1, severity="high", kind="thread")
    deliver_due(settings, engine, now=NOW)
    # the pile-on grows: the store raises the alert in place and clears notified_at (collector/alertrows.py)
    with session_scope(engine) as s:
        s.execute(
            update(Alert)
            .where(Alert.id == alert_id)
            .values(severity="critical", severity_rank=SEVERITY_RANK["critical"], notified_at=None)
        )
    deliver_due(settings, engine, now=NOW + timedelta(minutes=1))
    deliver_due(settings, engine, now=NOW + timedelta(minutes=2))

    subjects = [m["Subject"] for m in _notices(smtp.inbox)]
    assert len(subjects) == 2
    assert "【高】" in subjects[0] and "【緊急】" in subjects[1]
