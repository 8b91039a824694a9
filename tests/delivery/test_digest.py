"""The daily digest as the comms team receives it: a real SMTP server gets the mail."""

from __future__ import annotations

import re
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

from sqlmodel import Session, select

from collector.delivery import safe
from collector.delivery.digest import digest_due, send_daily_digest
from collector.delivery.notices import deliver_due
from collector.store import Delivery
from tests.delivery.conftest import (
    DAY,
    MYNUMBER,
    NOW,
    SCRIPT,
    delivery_settings,
    engine_for,
    seed_day,
)


def _parts(msg):  # noqa: ANN001, ANN202
    plain = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    return plain, html


def _day_digest(tmp_path: Path, db_url: str, smtp) -> EmailMessage:  # noqa: ANN001
    """The seeded day's digest sent once: the message the SMTP server received."""
    settings = delivery_settings(tmp_path, db_url, smtp.port)
    engine = engine_for(db_url)
    seed_day(engine)
    send_daily_digest(settings, engine, DAY, now=NOW)
    return smtp.inbox.messages[0]


def test_digest_arrives_as_utf8_multipart_with_japanese_subject(tmp_path: Path, db_url: str, smtp) -> None:  # noqa: ANN001
    settings = delivery_settings(tmp_path, db_url, smtp.port)
    engine = engine_for(db_url)
    ids = seed_day(engine)

    assert send_daily_digest(settings, engine, DAY, now=NOW) == "sent"

    assert len(smtp.inbox.raw) == 1
    raw = smtp.inbox.raw[0]
    subject_header = re.search(rb"^Subject: (.*(?:\r?\n[ \t].*)*)", raw, re.M).group(1)
    assert subject_header.isascii() and b"=?utf-8?" in subject_header.lower()
    msg = smtp.inbox.messages[0]
    assert "日次レポート" in msg["Subject"] and "11月23日" in msg["Subject"]
    assert "緊急 2件" in msg["Subject"]
    assert msg.get_content_type() == "multipart/alternative"
    plain, html = _parts(msg)
    assert plain.get_content_charset() == "utf-8" and html.get_content_charset() == "utf-8"
    text, page = plain.get_content(), html.get_content()
    # counts against the day before: 4 insults/threats today (one resolved) vs 2
    assert "攻撃的投稿: 4件（前日 2件）" in text
    assert "合計: 8件（前日 2件）" in text
    # open alerts first by severity: the critical ones lead
    open_section = text.split("■ 要対応のアラート")[1].split("■")[0]
    assert open_section.index("[緊急]") < open_section.index("[高]") < open_section.index("[中]")
    assert f"/?alert={ids['resolved']}" not in open_section
    # links into the dashboard, for every alert listed
    for key in ("thread", "rumour", "leak", "hostility2"):
        assert f"https://kikimimi.example.lg.jp/?alert={ids[key]}" in text
        assert f'href="https://kikimimi.example.lg.jp/?alert={ids[key]}"' in page
    # the thread's state, the official statement to point to, the failing source
    assert "対応中（広報 佐藤）" in text
    assert "https://www.city.chino.lg.jp/soshiki/suido/suishitsu.html" in page
    assert "水道水質検査の結果" in text
    assert "（候補・要確認）" in text  # the unconfirmed match says so
    assert "hatena-bookmark" in text and "連続失敗 3回" in text
    assert smtp.inbox.envelopes[0][1] == ["kouhou@city.chino.lg.jp"]


def test_mynumber_in_a_leaked_post_never_appears_in_the_mail(tmp_path: Path, db_url: str, smtp) -> None:  # noqa: ANN001
    msg = _day_digest(tmp_path, db_url, smtp)
    plain, html = _parts(msg)
    everything = plain.get_content() + html.get_content()
    digits = re.sub(r"\D", "", everything)
    assert "123456789018" not in digits
    assert MYNUMBER not in everything and "9018" not in everything
    assert "090-1234-5678" not in everything
    leak_section = plain.get_content().split("■ 情報漏えいの疑い")[1].split("■")[0]
    assert "該当箇所: ＊＊＊＊ ＊＊＊＊ ＊＊＊＊" in leak_section  # the detector's masked evidence


def test_without_a_masker_a_leak_shows_no_post_text(tmp_path: Path, db_url: str, smtp, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(safe, "_pii_mask", None)
    plain, html = _parts(_day_digest(tmp_path, db_url, smtp))
    everything = plain.get_content() + html.get_content()
    assert "窓口で見た田中さん" not in everything
    assert "個人番号（マイナンバー）と思われる番号を含む投稿です。" in everything


def test_post_text_is_escaped_and_cannot_add_headers(tmp_path: Path, db_url: str, smtp) -> None:  # noqa: ANN001
    msg = _day_digest(tmp_path, db_url, smtp)
    plain, html = _parts(msg)
    page = html.get_content()
    assert SCRIPT not in page and "<script" not in page.lower()
    assert "&lt;script&gt;" in page
    assert msg["Bcc"] is None
    assert smtp.inbox.envelopes[0][1] == ["kouhou@city.chino.lg.jp"]
    assert "attacker@example.com" not in msg["Subject"]


def test_the_digest_is_sent_once_even_after_a_restart(tmp_path: Path, db_url: str, smtp) -> None:  # noqa: ANN001
    settings = delivery_settings(tmp_path, db_url, smtp.port)
    engine = engine_for(db_url)
    seed_day(engine)

    assert send_daily_digest(settings, engine, DAY, now=NOW) == "sent"
    assert send_daily_digest(settings, engine, DAY, now=NOW) == "already_sent"
    engine.dispose()
    restarted = engine_for(db_url)  # a new process: only the database remembers
    assert send_daily_digest(settings, restarted, DAY, now=NOW + timedelta(minutes=5)) == "already_sent"
    deliver_due(settings, restarted, now=NOW + timedelta(hours=1))
    assert digest_due(settings, restarted, now=NOW + timedelta(hours=2)) is None

    digests = [m for m in smtp.inbox.messages if "日次レポート" in m["Subject"]]
    assert len(digests) == 1
    with Session(restarted) as s:
        row = s.exec(select(Delivery).where(Delivery.key == f"digest:{DAY}")).one()
    assert row.status == "sent" and row.attempts == 1 and row.sent_at is not None


def test_smtp_down_digest_is_retried_with_backoff_and_delivered_once(
    tmp_path: Path, db_url: str, smtp_down
) -> None:  # noqa: ANN001
    settings = delivery_settings(tmp_path, db_url, smtp_down.port)
    engine = engine_for(db_url)
    seed_day(engine)

    assert send_daily_digest(settings, engine, DAY, now=NOW) == "failed"
    with Session(engine) as s:
        row = s.exec(select(Delivery).where(Delivery.key == f"digest:{DAY}")).one()
    assert row.status == "failed" and row.attempts == 1 and "127.0.0.1" in row.last_error
    assert row.next_attempt_at > NOW  # backoff: not before its time

    smtp_down.start()
    deliver_due(settings, engine, now=NOW + timedelta(seconds=5))  # too early: backoff holds
    assert not [m for m in smtp_down.inbox.messages if "日次レポート" in m["Subject"]]
    deliver_due(settings, engine, now=NOW + timedelta(minutes=10))
    deliver_due(settings, engine, now=NOW + timedelta(minutes=20))
    digests = [m for m in smtp_down.inbox.messages if "日次レポート" in m["Subject"]]
    assert len(digests) == 1
    with Session(engine) as s:
        row = s.exec(select(Delivery).where(Delivery.key == f"digest:{DAY}")).one()
    assert row.status == "sent" and row.attempts == 2


def test_the_daemon_catches_up_a_missed_digest_after_digest_time(tmp_path: Path, db_url: str, smtp) -> None:  # noqa: ANN001
    settings = delivery_settings(tmp_path, db_url, smtp.port)
    engine = engine_for(db_url)
    seed_day(engine)

    deliver_due(settings, engine, now=NOW - timedelta(hours=1))  # 07:30: not yet
    assert not [m for m in smtp.inbox.messages if "日次レポート" in m["Subject"]]
    deliver_due(settings, engine, now=NOW + timedelta(hours=2))  # 10:30, daemon was down at 08:30
    deliver_due(settings, engine, now=NOW + timedelta(hours=3))
    digests = [m for m in smtp.inbox.messages if "日次レポート" in m["Subject"]]
    assert len(digests) == 1 and "11月23日" in digests[0]["Subject"]


def test_a_masker_that_misses_the_number_is_backed_up(tmp_path: Path, db_url: str, smtp, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(safe, "_pii_mask", lambda text: text)  # a masker that masks nothing
    plain, html = _parts(_day_digest(tmp_path, db_url, smtp))
    everything = plain.get_content() + html.get_content()
    assert "窓口で見た田中さん" in everything  # the text is shown, as masked by the masker …
    assert "123456789018" not in re.sub(r"\D", "", everything)  # … and no long number survives
    assert "1234-5678" not in everything and "090-1234-5678" not in everything


def test_a_digest_that_cannot_go_out_is_listed_in_the_next_one(
    tmp_path: Path, db_url: str, smtp_down
) -> None:  # noqa: ANN001
    from collector.delivery.digest import build_digest, digest_message

    settings = delivery_settings(tmp_path, db_url, smtp_down.port)
    engine = engine_for(db_url)
    seed_day(engine)
    assert send_daily_digest(settings, engine, DAY, now=NOW) == "failed"

    text = digest_message(settings, build_digest(settings, engine, DAY + timedelta(days=1))).text
    assert "■ 届いていない通知" in text and f"日次レポート {DAY}（メール）失敗・再試行中 1回試行" in text


def test_the_cycle_and_the_digest_job_at_once_send_one_digest(tmp_path: Path, db_url: str, smtp) -> None:  # noqa: ANN001
    import threading

    settings = delivery_settings(tmp_path, db_url, smtp.port, extra='[notify]\nmin_severity = "critical"\n')
    engine = engine_for(db_url)
    seed_day(engine)
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def worker(job) -> None:  # noqa: ANN001
        barrier.wait()
        try:
            job()
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    jobs = [
        lambda: send_daily_digest(settings, engine, DAY, now=NOW),
        lambda: send_daily_digest(settings, engine, DAY, now=NOW),
        lambda: deliver_due(settings, engine, now=NOW + timedelta(minutes=1)),
        lambda: deliver_due(settings, engine, now=NOW + timedelta(minutes=1)),
    ]
    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)

    assert not [e for e in errors if not type(e).__name__ == "AlreadyNotified"]
    digests = [m for m in smtp.inbox.messages if "日次レポート" in m["Subject"]]
    notices = [m for m in smtp.inbox.messages if "至急" in m["Subject"]]
    assert len(digests) == 1 and len(notices) == 1
