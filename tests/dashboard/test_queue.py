"""アラート queue: order, filters, counts and bulk status change, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from collector.store import Alert, TriageEvent
from tests.dashboard.conftest import texts


def _queue_order(at) -> list[str]:  # noqa: ANN001
    return [m.value for m in at.markdown if "#" in m.value and "・" in m.value]


def _story(data):  # noqa: ANN001, ANN202
    hostile = data.post("市役所の連中は税金泥棒だな。", minutes=10, author="anon-kaze.bsky.social")
    rumour = data.post(
        "茅野市の水道水から有害物質が出たらしい。拡散希望！",
        minutes=20,
        platform="mastodon",
        author="rumor@mstdn.jp",
    )
    leak = data.post("来年度で市民プールの廃止が内定したらしい。ここだけの話ね。", minutes=30)
    old = data.post("ふざけるな。無能な市長は辞めろ。", minutes=-60 * 24 * 3)
    return {
        "hostile": data.alert(hostile, "hostility", "high"),
        "rumour": data.alert(rumour, "misinformation", "medium"),
        "leak": data.alert(leak, "leak", "critical"),
        "old": data.alert(old, "hostility", "low"),
        "done": data.alert(
            data.post("解決済みの投稿", minutes=40), "hostility", "critical", status="resolved"
        ),
    }


def test_queue_shows_open_alerts_most_severe_first(app, data):
    a = _story(data)
    at = app()
    order = _queue_order(at)
    assert [f"#{a[k].id}" for k in ("leak", "hostile", "rumour", "old")] == [
        o.rsplit(" ", 1)[-1] for o in order
    ]
    shown = texts(at)
    assert "解決済みの投稿" not in shown  # resolved alerts leave the default queue
    assert "税金泥棒" in shown and "攻撃的投稿" in shown


def test_filters_narrow_the_queue(app, data):
    a = _story(data)
    at = app()
    at.multiselect(key="f_kind").set_value(["hostility"]).run()
    assert {o.rsplit(" ", 1)[-1] for o in _queue_order(at)} == {f"#{a['hostile'].id}", f"#{a['old'].id}"}
    at.multiselect(key="f_sev").set_value(["high"]).run()
    assert [o.rsplit(" ", 1)[-1] for o in _queue_order(at)] == [f"#{a['hostile'].id}"]

    at = app()
    at.multiselect(key="f_plat").set_value(["mastodon"]).run()
    assert [o.rsplit(" ", 1)[-1] for o in _queue_order(at)] == [f"#{a['rumour'].id}"]

    at = app()
    at.multiselect(key="f_status").set_value(["resolved"]).run()
    assert [o.rsplit(" ", 1)[-1] for o in _queue_order(at)] == [f"#{a['done'].id}"]

    at = app()
    at.date_input(key="f_since").set_value(date(2026, 11, 24)).run()
    assert f"#{a['old'].id}" not in {o.rsplit(" ", 1)[-1] for o in _queue_order(at)}
    at.date_input(key="f_until").set_value(date(2026, 11, 22)).run()
    assert _queue_order(at) == []
    assert "条件に合うアラートはありません" in texts(at)


def test_search_finds_japanese_substrings_of_any_length(app, data):
    a = _story(data)
    at = app()
    for term, expected in (
        ("水道水", "rumour"),
        ("プール", "leak"),
        ("泥", "hostile"),
        ("拡散希望！", "rumour"),
    ):
        at.text_input(key="f_text").set_value(term).run()
        assert [o.rsplit(" ", 1)[-1] for o in _queue_order(at)] == [f"#{a[expected].id}"], term
    at.text_input(key="f_text").set_value("%").run()  # a LIKE wildcard is searched for, not matched as one
    assert _queue_order(at) == []


def test_counts_per_kind_and_severity_are_shown_at_the_top(app, data):
    _story(data)
    at = app()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["攻撃的投稿"] == "2 件"
    assert metrics["誤情報・噂"] == "1 件"
    assert metrics["情報漏えいの疑い"] == "1 件"
    severity = next(m.value for m in at.markdown if m.value.startswith("重要度別"))
    assert (
        "**緊急**] 1 件" in severity and "**高**] 1 件" in severity
    )  # the resolved critical one is not open
    at.multiselect(key="f_status").set_value(["new", "in_progress", "resolved"]).run()
    assert "**緊急**] 2 件" in next(m.value for m in at.markdown if m.value.startswith("重要度別"))


def test_bulk_status_change_is_stored_with_history(app, data, engine):
    a = _story(data)
    at = app(name="広報 田中")
    at.checkbox(key=f"sel_{a['hostile'].id}").check()
    at.checkbox(key=f"sel_{a['old'].id}").check()
    at.selectbox[1].set_value("false_positive")
    at.button[0].click().run()
    assert not at.exception
    assert "2 件の状態を「誤検知」に変更しました" in texts(at)
    with Session(engine) as s:
        statuses = {x.id: x.status for x in s.exec(select(Alert)).all()}
        events = s.exec(select(TriageEvent).order_by(TriageEvent.alert_id)).all()
    assert statuses[a["hostile"].id] == statuses[a["old"].id] == "false_positive"
    assert statuses[a["leak"].id] == "new"
    assert [(e.alert_id, e.actor, e.old_value, e.new_value) for e in events] == [
        (a["hostile"].id, "広報 田中", "new", "false_positive"),
        (a["old"].id, "広報 田中", "new", "false_positive"),
    ]
    assert f"#{a['hostile'].id}" not in {o.rsplit(" ", 1)[-1] for o in _queue_order(at)}


def test_bulk_change_without_a_name_is_refused(app, data, engine):
    a = _story(data)
    at = app(name="")
    at.checkbox(key=f"sel_{a['hostile'].id}").check()
    at.button[0].click().run()
    assert "名前を入力してください" in texts(at)
    with Session(engine) as s:
        assert s.get(Alert, a["hostile"].id).status == "new"
