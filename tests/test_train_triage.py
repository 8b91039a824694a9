"""`kikimimi train --from-triage`: the team's decisions on alerts become the model's labels."""

from __future__ import annotations

import gzip
import json

import pytest
from sqlmodel import Session, select

from collector.cli import main
from collector.db import make_engine
from collector.store import Alert
from dashboard.triage import update_alert
from tests.conftest import write_settings

POSTS = [
    "茅野市の職員は死ね",
    "茅野市役所の連中は税金泥棒だ",
    "茅野市長は無能。さっさと辞めろ",
    "茅野市の職員は馬鹿ばかり",
    "茅野市役所の奴らはゴミだ",
    "茅野市役所の無能どもめ",
]


def test_triage_decisions_join_the_training_as_labels(tmp_path, db_url, capsys):
    pytest.importorskip("sklearn")
    settings = str(write_settings(tmp_path / "s.toml", db_url))
    posts = tmp_path / "posts.jsonl"
    posts.write_text(
        "".join(
            json.dumps({"id": f"p{i}", "text": t}, ensure_ascii=False) + "\n" for i, t in enumerate(POSTS)
        ),
        encoding="utf-8",
    )
    assert main(["--settings", settings, "import", str(posts), "--platform", "x"]) == 0
    assert main(["--settings", settings, "analyze"]) == 0
    engine = make_engine(db_url)
    with Session(engine) as s:
        alerts = s.exec(select(Alert).where(Alert.kind == "hostility").order_by(Alert.id)).all()
    assert len(alerts) >= 4
    for n, a in enumerate(alerts):  # the team confirms most and dismisses one as 誤検知
        update_alert(engine, a.id, "広報 佐藤", status="false_positive" if n == 0 else "resolved")

    labelled = tmp_path / "labelled.jsonl"
    rows = [
        {"id": f"{kind}{i}", "text": text.format(i=i), "labels": {"relevant": True, "hostile": hostile}}
        for i in range(6)
        for kind, text, hostile in (
            ("h", "茅野市役所の窓口{i}番、またヘボスケだった", True),
            ("c", "茅野市役所の窓口{i}番、丁寧に教えてもらえた", False),
        )
    ]
    labelled.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    out = tmp_path / "model.json.gz"
    capsys.readouterr()
    code = main(
        [
            "--settings",
            settings,
            "train",
            str(labelled),
            "--from-triage",
            "--out",
            str(out),
            "--threshold",
            "hostility=0.6",
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert f"wrote {out}" in printed and "hostility" in printed
    meta = json.loads(gzip.decompress(out.read_bytes()))
    triage = meta["training"]["sources"][-1]
    assert triage["name"] == "triage" and triage["posts"] == len(alerts)
    assert triage["labels"]["hostility"] == {"labelled": len(alerts), "positive": len(alerts) - 1}
    assert meta["heads"]["hostility"]["cv"]["positives"] == 6 + len(alerts) - 1
