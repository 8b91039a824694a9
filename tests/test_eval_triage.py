"""`kikimimi eval --from-triage`: the team's decisions become labels, month by month, with thresholds."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from collector.cli import main
from collector.db import make_engine
from collector.store import Alert, TriageEvent, utcnow
from dashboard.triage import update_alert
from tests.conftest import write_settings

HOSTILE = [
    "茅野市の職員は死ね",
    "茅野市役所の連中は税金泥棒だ",
    "茅野市役所に火をつけてやる。殺すぞ",
    "茅野市長は無能。さっさと辞めろ",
    "茅野市の職員は馬鹿ばかり",
    "茅野市の広報担当、頭おかしいんじゃないの",
    "茅野市役所の職員は全員クビにしろ",
    "茅野市の市長、マジでバカだろ",
    "茅野市役所の奴らはゴミだ",
    "茅野市は最低の自治体。職員は恥を知れ",
    "茅野市の担当者の家を特定してさらしてやる",
    "茅野市役所に毎日電話して業務を止めてやろうぜ",
    "茅野市役所の無能どもめ",
]


def test_triage_decisions_are_labels_shown_by_month_with_a_suggested_threshold(tmp_path, db_url, capsys):
    settings = str(write_settings(tmp_path / "s.toml", db_url))
    posts = tmp_path / "posts.jsonl"
    posts.write_text(
        "\n".join(json.dumps({"id": f"p{i}", "text": t, "author": f"a{i}"}, ensure_ascii=False) for i, t in enumerate(HOSTILE)),
        encoding="utf-8",
    )  # fmt: skip
    assert main(["--settings", settings, "import", str(posts), "--platform", "x"]) == 0
    assert main(["--settings", settings, "analyze"]) == 0
    engine = make_engine(db_url)
    with Session(engine) as s:
        alerts = s.exec(select(Alert).where(Alert.kind == "hostility")).all()
    assert len(alerts) >= 10, "the hostility detector should flag these plain insults and threats"
    # the team dismisses the milder half as 誤検知 and confirms the rest
    distinct = sorted({a.score for a in alerts})
    assert len(distinct) >= 2
    cut = distinct[len(distinct) // 2]
    dismissed = [a for a in alerts if a.score < cut]
    for a in alerts:
        status = "false_positive" if a.score < cut else "resolved"
        update_alert(engine, a.id, "広報 佐藤", status=status)
    # some of the decisions were made last month
    earlier = utcnow().replace(day=1) - timedelta(days=3)
    moved = [a.id for a in alerts[:4]]
    with Session(engine) as s:
        s.exec(update(TriageEvent).where(TriageEvent.alert_id.in_(moved)).values(at=earlier))
        s.commit()

    capsys.readouterr()
    assert main(["--settings", settings, "eval", "--from-triage", "--suggest-thresholds"]) == 0
    out = capsys.readouterr().out
    assert f"{len(alerts)} triage decisions, {len(alerts)} decided posts" in out
    # today's detectors on the team's labels: every decided post is still flagged
    hostile_line = next(line for line in out.splitlines() if line.startswith("hostile "))
    precision = (len(alerts) - len(dismissed)) / len(alerts)
    assert f"{precision:.3f}" in hostile_line
    # month by month: how many alerts the team confirmed and dismissed
    this_month, last_month = f"{utcnow():%Y-%m}", f"{earlier:%Y-%m}"
    rows = {tuple(line.split()[:2]): line.split() for line in out.splitlines() if line[:4].isdigit()}
    assert {(last_month, "hostility"), (this_month, "hostility")} == set(rows)
    decided = sum(int(r[2]) for r in rows.values())
    assert decided == len(alerts)
    assert sum(int(r[4]) for r in rows.values()) == len(dismissed)
    # the threshold that separates what the team confirmed from what it dismissed
    line = next(x for x in out.splitlines() if "hostility_threshold" in x)
    assert "= 0.50" in line and "→" in line and line.endswith("(F1 1.000)")
    suggested = float(line.split("→")[1].split()[0])
    assert max(a.score for a in dismissed) < suggested <= cut
    assert "misinfo_suggest_threshold" in out and "keep" in out  # no decisions: nothing to move


def test_eval_without_a_file_or_triage_says_what_to_give(capsys):
    assert main(["eval"]) == 2
    assert "--from-triage" in capsys.readouterr().err
