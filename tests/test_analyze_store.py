"""`kikimimi analyze` on stored posts: incremental, one alert per thread as it grows, repeats counted, spikes.

The pile-on is served by a Mastodon instance on a local HTTP server (tests/collectors/
mastodon_fake.py, built on statuses recorded from a real server) and collected by the real
Mastodon collector; replies are written so that any hostility detector flags them
(「税金泥棒」「死ね」「殺すぞ」) or not at all (civil criticism).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Session, select

from analysis import Finding, PostText, Result
from collector.alerts import analyze_new
from collector.cli import main
from collector.db import make_engine, migrate
from collector.delivery.notices import queue_notices
from collector.settings import load_settings
from collector.store import Alert, AlertPost, Post, ThreadStat
from tests.collectors.mastodon_fake import TOKEN_ENV, Account, FakeMastodon
from tests.conftest import source_settings, write_settings

CITY = Account(
    "117025600270510000", "chino_city", display_name="茅野市", note="<p>長野県茅野市の公式アカウント</p>"
)
OFFICIAL = "117025950573400000"
CIVIL = [
    "値上げの理由をもう少し丁寧に説明してほしいです。",
    "年金暮らしには150円の差も大きいです。軽減策はありますか？",
    "他の市と比べて高いと思います。比較の資料を出してください。",
    "値上げには反対です。市議会でしっかり議論してほしい。",
    "ごみの減量に取り組んでいるので、せめて周知期間を長くしてください。",
]
INSULTS = [
    "市役所の連中は税金泥棒だ",
    "また値上げかよ。職員は税金泥棒ばかりだな",
    "税金泥棒の市役所はさっさと潰れろ",
]
THREAT = "市役所に火をつけてやる。担当の職員は殺すぞ"


class Thread:
    """The city's post on a fake Mastodon instance, and replies added as the day goes on."""

    def __init__(self, server) -> None:  # noqa: ANN001
        self.fake = FakeMastodon(server)
        self.fake.account(CITY)
        self.fake.status(OFFICIAL, CITY, "<p>【お知らせ】家庭ごみ指定袋の価格を4月から改定します。</p>", 300)
        self.n = 0

    def reply(self, text: str, minutes_ago: float, author: str | None = None) -> None:
        self.n += 1
        who = author or f"user{self.n}"
        account = Account(f"1170256002705{self.n:05d}", who, "mstdn.example", who)
        self.fake.status(
            f"1170259800000{self.n:05d}", account, f"<p>{text}</p>", minutes_ago, reply_to=OFFICIAL
        )


def _settings(tmp_path: Path, db_url: str, fake: FakeMastodon) -> str:
    extra = '[notify]\nto = ["kouhou@example.jp"]\nmin_severity = "critical"\n'
    return source_settings(tmp_path / "settings.toml", db_url, extra, **fake.city_source())


def _cycle(settings: str, capsys) -> str:  # noqa: ANN001
    capsys.readouterr()
    assert main(["--settings", settings, "collect", "--once"]) == 0
    assert main(["--settings", settings, "analyze"]) == 0
    return capsys.readouterr().out


def _alerts(db_url: str, kind: str) -> list[Alert]:
    with Session(make_engine(db_url)) as s:
        return list(s.exec(select(Alert).where(Alert.kind == kind).order_by(Alert.id)).all())


def test_pile_on_from_a_mastodon_thread_is_one_alert_that_grows_and_is_notified_once_when_critical(
    tmp_path, db_url, server, capsys, monkeypatch
):
    monkeypatch.setenv(TOKEN_ENV, "ZA-Yb6kA7tN3sxQW1Ozgx2ih9E0BvCvl3bfNqXgmbUY")
    t = Thread(server)
    settings = _settings(tmp_path, db_url, t.fake)
    assert main(["--settings", settings, "init"]) == 0

    # morning: civil criticism and two insults from two people: no pile-on yet
    for i in range(12):
        t.reply(CIVIL[i % len(CIVIL)], 280 - i)
    t.reply(INSULTS[0], 265)
    t.reply(INSULTS[1], 264)
    out = _cycle(settings, capsys)
    assert "analysed 15 posts" in out
    assert _alerts(db_url, "thread") == []
    assert len(_alerts(db_url, "hostility")) == 2  # each insult is flagged on its own

    # a second run finds nothing new to analyse
    capsys.readouterr()
    assert main(["--settings", settings, "analyze"]) == 0
    assert "analysed 0 posts" in capsys.readouterr().out

    # the pile-on starts: six more people insult the city within minutes
    for i in range(6):
        t.reply(INSULTS[i % 3], 200 - i)
    _cycle(settings, capsys)
    [thread] = _alerts(db_url, "thread")
    with Session(make_engine(db_url)) as s:
        root = s.exec(select(Post).where(Post.external_id.endswith(f"/statuses/{OFFICIAL}"))).one()
    assert thread.post_id == root.id  # the alert points at the city's post
    assert thread.dedupe_key == f"thread:mastodon:{root.external_id}"
    assert thread.clause == "4(6)" and thread.severity in ("medium", "high")
    assert thread.post_count == 20 and thread.details["replies"] == 20
    assert thread.details["hostile_authors"] == 8 and thread.details["hostile"] == 8
    assert "返信20件のうち8件" in thread.reason
    assert "一度だけ" in thread.action and "反論しない" in thread.action
    assert all("税金泥棒" in e["text"] for e in thread.evidence)
    assert len(thread.evidence) == 5
    queue_notices(load_settings(settings), make_engine(db_url))
    assert _alerts(db_url, "thread")[0].notified_at is None  # below [notify].min_severity

    # a threat arrives with more insults: the same alert grows to critical and is notified once
    t.reply(THREAT, 120)
    for i in range(5):
        t.reply(INSULTS[i % 3], 119 - i)
    _cycle(settings, capsys)
    [thread] = _alerts(db_url, "thread")
    assert thread.severity == "critical" and thread.post_count == 26
    assert thread.details["threats"] == 1
    assert "警察" in thread.action.splitlines()[0]
    assert thread.evidence[0]["label"] == "threat"
    assert queue_notices(load_settings(settings), make_engine(db_url)) is not None
    notified = _alerts(db_url, "thread")[0].notified_at
    assert notified is not None
    threats = [a for a in _alerts(db_url, "hostility") if a.severity == "critical"]
    assert len(threats) == 1  # a threat keeps its own alert as well

    # the pile-on goes on: the thread alert counts the new insults; nobody is notified again
    before = len(_alerts(db_url, "hostility"))
    for i in range(10):
        t.reply(INSULTS[i % 3], 60 - i)
    _cycle(settings, capsys)
    [thread] = _alerts(db_url, "thread")
    assert thread.post_count == 36 and thread.details["hostile_authors"] == 24
    assert len(_alerts(db_url, "hostility")) == before  # counted in the thread, not ten new alerts
    assert thread.notified_at == notified
    assert queue_notices(load_settings(settings), make_engine(db_url)) is None


def test_civil_replies_under_an_official_post_raise_no_alert(tmp_path, db_url, server, capsys, monkeypatch):
    monkeypatch.setenv(TOKEN_ENV, "ZA-Yb6kA7tN3sxQW1Ozgx2ih9E0BvCvl3bfNqXgmbUY")
    t = Thread(server)
    for i in range(40):
        t.reply(CIVIL[i % len(CIVIL)], 200 - i)
    settings = _settings(tmp_path, db_url, t.fake)
    assert main(["--settings", settings, "init"]) == 0
    assert "analysed 41 posts" in _cycle(settings, capsys)
    assert _alerts(db_url, "thread") == [] and _alerts(db_url, "hostility") == []
    with Session(make_engine(db_url)) as s:
        [stat] = s.exec(select(ThreadStat)).all()
    assert (stat.replies, stat.hostile, stat.hostile_authors) == (40, 0, 0)  # followed, but quiet


class ScriptedAnalyzer:
    """Post-level results chosen by each post's text (`claim:<key>` marks a repeat of a claim),
    so these tests count repeats whatever the misinformation detector's tuning."""

    def classify(self, post: PostText) -> Result:
        flags = []
        if post.text.startswith("claim:"):
            key = post.text.split()[0].removeprefix("claim:")
            flags.append(
                Finding(
                    "misinformation",
                    "medium",
                    0.7,
                    "4(7)⑤",
                    "市の公式情報と食い違う内容です。",
                    fact_url="https://www.city.chino.lg.jp/hanabi.html",
                    confirmed=True,
                    details={"claim_key": key} if key != "-" else {},
                )
            )
        return Result(id=post.id, relevant=True, flags=flags)


def _import(tmp_path: Path, settings: str, rows: list[dict], name: str) -> None:
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    assert main(["--settings", settings, "import", str(path), "--platform", "x"]) == 0


def test_repeats_of_a_claim_are_counted_on_one_alert_and_spreading_raises_it(tmp_path, db_url, capsys):
    settings = str(write_settings(tmp_path / "s.toml", db_url))
    migrate(db_url)
    engine = make_engine(db_url)
    t0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    rows = [
        {"id": f"p{i}", "text": f"claim:1:status:cancelled 花火大会は中止らしい {i}", "author": f"a{i}",
         "created_at": (t0 + timedelta(minutes=i)).isoformat()}
        for i in range(5)
    ]  # fmt: skip
    rows.append({"id": "lone", "text": "claim:- 出どころ不明の噂", "created_at": t0.isoformat()})
    _import(tmp_path, settings, rows, "a.jsonl")
    analyze_new(load_settings(settings), engine, batch_size=2, analyzer=ScriptedAnalyzer())

    claims = [a for a in _alerts(db_url, "misinformation") if a.group_key]
    lone = [a for a in _alerts(db_url, "misinformation") if not a.group_key]
    assert len(claims) == 1 and len(lone) == 1  # no claim key, no fact: one alert per post as before
    claim = claims[0]
    assert claim.post_count == 5 and claim.details["repeat_count"] == 4
    assert claim.dedupe_key == "misinformation:claim:1:status:cancelled"
    with Session(engine) as s:
        first = s.exec(select(Post).where(Post.external_id == "p0")).one()
        linked = s.exec(select(AlertPost).where(AlertPost.alert_id == claim.id)).all()
    assert claim.post_id == first.id  # the alert shows the first post of the claim
    assert len(linked) == 5  # each repeat is linked to it
    assert claim.severity == "medium"

    more = [
        {"id": f"q{i}", "text": f"claim:1:status:cancelled 中止だって {i}", "created_at": (t0 + timedelta(hours=2, minutes=i)).isoformat()}
        for i in range(6)
    ]  # fmt: skip
    _import(tmp_path, settings, more, "b.jsonl")
    report = analyze_new(load_settings(settings), engine, analyzer=ScriptedAnalyzer())
    assert report.alerts == 0  # repeats raise no new alert
    [claim] = [a for a in _alerts(db_url, "misinformation") if a.group_key]
    assert claim.post_count == 11 and claim.details["repeat_count"] == 10
    assert claim.severity == "high" and claim.notified_at is None  # spreading: high, and seen again


def test_a_surge_of_mentions_is_one_spike_alert_until_the_cooldown_passes(tmp_path, db_url):
    settings_path = write_settings(tmp_path / "s.toml", db_url, extra='[analysis]\nspike_cooldown = "6h"\n')
    settings = str(settings_path)
    migrate(db_url)
    engine = make_engine(db_url)
    now = datetime(2026, 11, 20, 12, 30, tzinfo=UTC)
    hour = now.replace(minute=0)
    usual = [
        {"id": f"u{h}-{k}", "text": f"茅野市の図書館に行きました {h}-{k}", "author": f"u{k}",
         "created_at": (hour - timedelta(hours=h, minutes=10 + k)).isoformat()}
        for h in range(1, 31) for k in range(2)
    ]  # fmt: skip
    surge = [
        {"id": f"s{i}", "text": f"茅野市のごみ指定袋が値上げされるらしい {i}", "author": f"s{i}",
         "created_at": (hour + timedelta(minutes=i % 30)).isoformat()}
        for i in range(40)
    ]  # fmt: skip
    _import(tmp_path, settings, usual + surge, "a.jsonl")
    analyze_new(load_settings(settings), engine, now=now)
    spikes = _alerts(db_url, "spike")
    assert len(spikes) == 1  # one surge, one alert: not one per topic its posts belong to
    spike = spikes[0]
    assert spike.details["topic"] == "gomi" and spike.details["topics"] == ["gomi", "zeikin"]
    lines = spike.reason.splitlines()
    assert len(lines) == 3 and "ごみ・リサイクル" in lines[0] and "直近1時間で40件" in lines[1]
    assert spike.post_count == 40

    # the same surge goes on: the alert grows, no second one
    more = [
        {"id": f"t{i}", "text": f"茅野市のごみ袋の値上げ、ひどい {i}", "created_at": (hour + timedelta(minutes=31)).isoformat()}
        for i in range(20)
    ]  # fmt: skip
    _import(tmp_path, settings, more, "b.jsonl")
    analyze_new(load_settings(settings), engine, now=now + timedelta(minutes=5))
    [spike] = _alerts(db_url, "spike")
    assert spike.post_count == 60 and "直近1時間で60件" in spike.reason

    # eight hours later, after the cooldown: a new surge is a new alert
    later = hour + timedelta(hours=8)
    again = [
        {"id": f"v{i}", "text": f"茅野市のごみ収集がまた遅れている {i}", "created_at": (later + timedelta(minutes=i)).isoformat()}
        for i in range(40)
    ]  # fmt: skip
    _import(tmp_path, settings, again, "c.jsonl")
    analyze_new(load_settings(settings), engine, now=later + timedelta(minutes=45))
    assert len(_alerts(db_url, "spike")) == 2


def test_workers_analysing_one_pile_on_at_once_count_every_reply_exactly_once(tmp_path, db_url):
    """Several analyze workers on PostgreSQL take different batches (SKIP LOCKED) and add to the
    same thread's totals without losing or doubling a reply. SQLite has one writer: one worker."""
    import threading

    from benchmarks.analyze_store import store
    from benchmarks.posts import pile_on
    from collector.store import ThreadAuthor, ThreadReply

    data = pile_on(600, hours=2)
    store(db_url, data)
    settings = load_settings(str(write_settings(tmp_path / "s.toml", db_url)))
    engine = make_engine(db_url)
    workers = 3 if engine.dialect.name == "postgresql" else 1
    reports, errors = [], []

    def work() -> None:
        try:
            reports.append(analyze_new(settings, engine, batch_size=40, now=data.end))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(r.posts for r in reports) == len(data.posts)  # each post analysed by one worker
    with Session(engine) as s:
        stat = s.exec(select(ThreadStat).where(ThreadStat.root_external_id == data.root.external_id)).one()
        hostile = s.exec(select(ThreadReply).where(ThreadReply.thread_id == stat.id)).all()
        authors = s.exec(select(ThreadAuthor).where(ThreadAuthor.thread_id == stat.id)).all()
        threads_alerts = s.exec(select(Alert).where(Alert.kind == "thread")).all()
        unanalysed = s.exec(select(Post).where(Post.analyzed_at.is_(None))).all()
    assert unanalysed == []
    assert stat.replies == 600
    assert stat.hostile == len(hostile) and stat.hostile_authors == len({r.author for r in hostile}) == len(
        authors
    )
    assert len(threads_alerts) <= 1
    if threads_alerts:
        assert threads_alerts[0].post_count == 600
