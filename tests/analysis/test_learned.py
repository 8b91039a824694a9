"""The learned second opinion: scikit-learn's numbers in plain Python, and alerts that say what they are."""

from __future__ import annotations

import csv
import gzip
import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from analysis import AnalysisConfig, Analyzer, PostText
from analysis.io import fact_from_json
from analysis.learned import DEFAULT_PATH, FEATURE_SPEC, FORMAT, KINDS, ModelError, features, load_model
from analysis.text import analyse_text
from analysis.train import _LEVELS, TOXICITY, held_back, toxicity_source
from analysis.train_fit import MIN_PRECISION

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
FACTS = [
    fact_from_json(json.loads(line)) for line in (CORPUS / "facts.jsonl").read_text("utf-8").splitlines()
]
WORD = "ヘボスケ"  # a made-up insult no rule knows


def _records(name: str) -> list[dict]:
    return [json.loads(line) for line in (CORPUS / name).read_text("utf-8").splitlines() if line.strip()]


def _hand_model(
    tmp_path: Path, weights: dict[str, dict[str, float]], threshold: float | None = 0.5, name: str = "model"
) -> Path:
    """A model file written by hand: `weights` maps a lemma (or "a b" pair) to its weight per kind."""
    table = {"の": [1.0, 0.0, 0.0, 0.0], "市役所": [1.5, 0.0, 0.0, 0.0]}  # known words that add nothing
    table |= {f: [1.0, *(w.get(k, 0.0) for k in KINDS)] for f, w in weights.items()}
    data = {
        "format": FORMAT,
        "feature_spec": FEATURE_SPEC,
        "model_version": "test-1",
        "kinds": list(KINDS),
        "heads": {k: {"bias": -2.0, "threshold": threshold, "cv": {}} for k in KINDS},
        "features": table,
    }
    path = tmp_path / f"{name}.json.gz"
    path.write_bytes(gzip.compress(json.dumps(data, ensure_ascii=False).encode()))
    return path


def test_plain_python_inference_equals_scikit_learns_predict_proba(tmp_path):
    pytest.importorskip("sklearn")
    from analysis.train import write_model
    from analysis.train_fit import Example, export, fit

    rows = []
    for name in ("hostility.jsonl", "leak.jsonl", "misinfo.jsonl"):
        for r in _records(name)[:70]:
            labels = r["labels"]
            by_kind = {
                "hostility": labels.get("hostile"),
                "misinformation": labels.get("misinfo"),
                "leak": labels.get("leak"),
            }
            doc = analyse_text(r["text"])
            rows.append(Example(doc.lemmas, by_kind, True, frozenset(), [p[0] for p in doc.pos]))
    fitted = fit(rows, prune=0.1)  # the hostility head tone-blind: zeroed columns, same arithmetic
    assert set(fitted.heads) == set(KINDS)
    cv = {k: {"threshold": 0.5} for k in KINDS}
    path = write_model(
        export(fitted, cv, {"trained_at": "2026-01-01T00:00:00+00:00"}), tmp_path / "m.json.gz"
    )
    model = load_model(path)

    texts = [
        r["text"]
        for name in ("hostility.jsonl", "leak.jsonl", "misinfo.jsonl")
        for r in _records(name)[70:140]
    ]
    texts += [
        "",  # no words at all
        "zzzz qqqq",  # no word the model knows: the bias alone
        "窓口の対応  ひどい  でした。ひどい、ひどい、ひどい",  # runs of spaces (pairs with spaces), repeats (tf > 1)
        "茅野市役所の職員はヘボスケ。ヘボスケ揃いの市役所",
    ]
    lemmas = [analyse_text(t).lemmas for t in texts]
    for ls in lemmas:  # the features are the ones the experiment used
        assert features(ls) == ls + [a + " " + b for a, b in zip(ls, ls[1:], strict=False)]
    expected = fitted.probabilities(lemmas)
    worst = 0.0
    for i, ls in enumerate(lemmas):
        got = model.probabilities(ls)
        for k in KINDS:
            worst = max(worst, abs(got[k] - float(expected[k][i])))
    assert worst < 1e-9, worst


def test_the_shipped_model_loads_and_says_how_it_was_trained():
    assert DEFAULT_PATH.stat().st_size < 400_000  # pruned and gzipped
    model = load_model()
    meta = model.metadata
    assert meta["format"] == FORMAT and meta["feature_spec"] == FEATURE_SPEC and model.version
    assert datetime.fromisoformat(meta["trained_at"]).year >= 2025
    sources = {s["name"]: s for s in meta["training"]["sources"]}
    for name in ("blind_a", "hostility", "casual"):
        assert f"tests/corpus/{name}.jsonl" in sources
    # the toxic dataset's Not Toxic rows with an even id, as hostility negatives, and nothing else
    toxic = sources["tests/data/japanese-toxic-dataset/subset.csv"]
    assert toxic["used"] == len(toxicity_source(TOXICITY).records) and toxic["general"]
    assert toxic["labels"]["hostility"] == {"labelled": toxic["used"], "positive": 0}
    assert meta["training"]["examples"] > 2000 and meta["training"]["folds"] == 5
    assert set(model.kinds) == set(KINDS) and len(model.index) > 1000
    for head in model.heads:
        cv = head.cv
        assert cv["posts"] > 1000 and 0 < cv["positives"] < cv["posts"]
        assert head.threshold is not None and 0.5 <= head.threshold <= 0.99  # every kind is on
        assert cv["model"]["precision"] >= MIN_PRECISION  # what it raises by itself, out of fold
        assert 0.5 <= cv["cv_threshold"] <= head.threshold  # a given threshold only ever raises it
    assert 0 <= model.heads[0].cv["false_alarms"][toxic["name"]] < 0.1


def test_training_never_reads_the_toxic_rows_the_hostility_test_scores():
    rows = {int(r["id"]): r for r in csv.DictReader(TOXICITY.open(encoding="utf-8"))}
    source = toxicity_source(TOXICITY)
    used = {int(r["id"].removeprefix("toxic-")) for r in source.records}
    assert used and not any(held_back(i) for i in used)
    not_toxic = {i for i, r in rows.items() if max(_LEVELS, key=lambda lv: int(r[lv])) == "Not Toxic"}
    assert used == {i for i in not_toxic if not held_back(i)}  # the other half is the test's
    assert {r["text"] for r in source.records} == {rows[i]["text"] for i in used}
    assert all(
        r["labels"] == {"relevant": True, "hostile": False, "misinfo": None, "leak": None}
        for r in source.records
    )


def test_a_post_labelled_relevant_teaches_its_kinds_even_where_relevance_would_not_ask():
    from analysis.train import Source, examples

    reply = "あいつマジでヘボスケだわ"  # in the city's own thread; it never names the city
    assert not Analyzer(AnalysisConfig(model_enabled=False)).classify(PostText(id="r", text=reply)).relevant
    records = [
        {"id": "r", "text": reply, "labels": {"relevant": True, "hostile": True}},
        # labelled irrelevant: "not hostile" there means nothing to report, not civil words
        {"id": "o", "text": "長野市の職員はヘボスケ", "labels": {"relevant": False, "hostile": False}},
    ]
    [e] = examples(Source("s", records), AnalysisConfig())
    assert e.labels == {"hostility": True, "misinformation": None, "leak": None}
    assert e.relevant and WORD in e.lemmas and e.source == "s"  # counted in cross-validation too


def test_the_hostility_head_learns_words_not_a_casual_ending():
    pytest.importorskip("sklearn")
    from analysis.train_fit import Example, fit

    rows = []
    for i in range(12):  # the hostile posts happen to end casually, the civil ones politely
        for text, hostile in (
            (f"窓口{i}番の職員はヘボスケだよね", True),
            (f"窓口{i}番の職員は丁寧でした", False),
        ):
            doc = analyse_text(text)
            labels = {"hostility": hostile, "misinformation": None, "leak": hostile}
            rows.append(Example(doc.lemmas, labels, True, frozenset(), [p[0] for p in doc.pos]))
    fitted = fit(rows, prune=0.0)
    vocabulary = fitted.vectorizer.vocabulary_
    hostility, leak = (fitted.heads[k].coef_[0] for k in ("hostility", "leak"))
    for ending in ("よ", "ね", "よ ね"):
        assert hostility[vocabulary[ending]] == 0.0  # only particles: the tone-blind head ignores them
        assert leak[vocabulary[ending]] > 0  # the other heads may read them (hearsay endings matter)
    assert hostility[vocabulary["ヘボスケ"]] > 0


def test_a_model_finding_points_at_the_words_and_says_it_is_a_resemblance(tmp_path):
    path = _hand_model(tmp_path, {WORD: {"hostility": 6.0}, f"{WORD} 揃い": {"hostility": 2.0}})
    analyzer = Analyzer(AnalysisConfig(model_path=str(path)))
    title = "ﾆｭｰｽ"  # half-width: NFKC moves the characters after it
    text = "茅野市の職員はヘボスケ揃い。市長もﾍﾎﾞｽｹ"
    result = analyzer.classify(PostText(id="p", text=text, title=title, reply_to_official=True))
    [f] = result.flags
    given = f"{title}\n{text}"
    assert f.kind == "hostility" and f.clause == "4(6)" and f.severity == "medium"
    assert f.details["source"] == "model" and f.details["model_version"] == "test-1"
    assert f.score == f.details["probability"] > 0.5
    assert [given[e.start : e.end] for e in f.evidence] == [e.text for e in f.evidence]
    assert [e.text for e in f.evidence] == ["ヘボスケ揃い"]  # the word and its pair as one span
    assert (
        "ルールには当たりません" in f.reason and "学習モデル" in f.reason and "「ヘボスケ揃い」" in f.reason
    )
    assert "確認してください" in f.reason and f.action
    assert not f.confirmed


def test_a_kind_a_rule_reported_is_not_reported_again_by_the_model(tmp_path):
    path = _hand_model(tmp_path, {"夜道": {"hostility": 6.0}, "気": {"hostility": 3.0}})
    analyzer = Analyzer(AnalysisConfig(model_path=str(path)))
    result = analyzer.classify(PostText(id="t", text="市長、夜道には気をつけろよ", reply_to_official=True))
    [f] = [f for f in result.flags if f.kind == "hostility"]
    assert f.severity == "critical" and "source" not in f.details  # the rule's threat
    assert f.details["model_probability"] > 0.5  # the model agreed, and says so there


def test_a_misinformation_finding_names_the_statement_but_never_confirms(tmp_path):
    path = _hand_model(tmp_path, {"ぴかぴか": {"misinformation": 6.0}})
    analyzer = Analyzer(AnalysisConfig(model_path=str(path)), FACTS)
    result = analyzer.classify(PostText(id="m", text="茅野市の花火大会、会場がぴかぴかで最高"))
    [f] = result.flags
    assert f.kind == "misinformation" and f.clause == "4(7)⑤" and f.severity == "low" and not f.confirmed
    assert f.fact_id == "hanabi-2025-postponed" and f.fact_url
    assert "茅野市納涼花火大会の延期について" in f.reason


def test_a_score_raised_by_particles_alone_raises_no_alert(tmp_path):
    path = _hand_model(tmp_path, {"の": {"leak": 6.0}, WORD: {"leak": 6.0}})
    analyzer = Analyzer(AnalysisConfig(model_path=str(path)))
    model = load_model(path)
    post = PostText(id="n", text="ヤニ松の得意武器", reply_to_official=True)  # の is the one word it knows
    assert model.probabilities(analyse_text(post.text).lemmas)["leak"] > 0.98
    assert analyzer.classify(post).flags == []  # nothing to point at
    [f] = analyzer.classify(PostText(id="w", text=f"ヤニ松の{WORD}", reply_to_official=True)).flags
    assert f.kind == "leak" and [e.text for e in f.evidence] == [WORD]


def test_irrelevant_posts_get_nothing_from_the_model(tmp_path):
    path = _hand_model(tmp_path, {WORD: {"hostility": 6.0, "leak": 6.0}})
    analyzer = Analyzer(AnalysisConfig(model_path=str(path)))
    result = analyzer.classify(PostText(id="i", text=f"チノパン買ったけど色が{WORD}"))
    assert not result.relevant and result.flags == []


def test_with_the_model_off_nothing_is_tokenised_that_was_not_before(tmp_path):
    path = _hand_model(tmp_path, {WORD: {"hostility": 6.0}})
    post = PostText(id="o", text=f"蓼科の紅葉、{WORD}みたいにきれい", reply_to_official=True)
    off = Analyzer(AnalysisConfig(model_path=str(path), model_enabled=False))
    on = Analyzer(AnalysisConfig(model_path=str(path)))
    doc = analyse_text(post.text)
    assert off._judge(post, doc).flags == [] and not doc.tokenised
    assert [f.kind for f in on.classify(post).flags] == ["hostility"]
    # a kind whose threshold is off in the file and not given in settings stays off
    off_in_file = _hand_model(tmp_path, {WORD: {"hostility": 6.0}}, None, "off")
    assert Analyzer(AnalysisConfig(model_path=str(off_in_file))).classify(post).flags == []
    given = Analyzer(AnalysisConfig(model_path=str(off_in_file), model_hostility_threshold=0.5))
    assert [f.kind for f in given.classify(post).flags] == ["hostility"]
    strict = Analyzer(AnalysisConfig(model_path=str(path), model_hostility_threshold=0.999))
    assert strict.classify(post).flags == []


def test_a_broken_model_file_names_the_file_and_what_to_do(tmp_path):
    bad = tmp_path / "model.json"
    bad.write_text("{not json", "utf-8")
    with pytest.raises(ModelError, match="model.json.*kikimimi train"):
        Analyzer(AnalysisConfig(model_path=str(bad)))
    bad.write_text(json.dumps({"format": FORMAT, "feature_spec": "other/9"}), "utf-8")
    with pytest.raises(ModelError, match="retrain"):
        Analyzer(AnalysisConfig(model_path=str(bad)))


def _labelled(n: int) -> list[dict]:
    rows = []
    for i in range(n):
        rows.append(
            {
                "id": f"h{i}",
                "text": f"茅野市役所の窓口{i}番、また{WORD}だった",
                "reply_to_official": True,
                "labels": {"relevant": True, "hostile": True, "misinfo": None, "leak": None},
            }
        )
        rows.append(
            {
                "id": f"c{i}",
                "text": f"茅野市役所の窓口{i}番、丁寧に教えてもらえた",
                "reply_to_official": True,
                "labels": {"relevant": True, "hostile": False, "misinfo": None, "leak": None},
            }
        )
    return rows


def test_kikimimi_train_writes_a_model_that_classify_then_uses(tmp_path):
    pytest.importorskip("sklearn")
    labelled = tmp_path / "labelled.jsonl"
    labelled.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _labelled(12)), "utf-8")
    out = tmp_path / "team-model.json.gz"
    cli = [sys.executable, "-m", "collector.cli"]
    r = subprocess.run(
        [*cli, "train", str(labelled), "--out", str(out), "--threshold", "hostility=0.6"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    assert "hostility" in r.stdout and "threshold 0.60" in r.stdout and out.exists()
    meta = json.loads(gzip.decompress(out.read_bytes()))
    assert meta["kinds"] == ["hostility"]  # only what the file labels
    assert meta["training"]["sources"][0]["labels"]["hostility"] == {"labelled": 24, "positive": 12}

    settings = tmp_path / "settings.toml"
    settings.write_text(f'[analysis]\nmodel_path = "{out.as_posix()}"\n', "utf-8")
    post = {"id": "new", "text": f"茅野市役所の窓口、今日も{WORD}", "reply_to_official": True}
    r = subprocess.run(
        [*cli, "--settings", str(settings), "classify"],
        input=json.dumps(post, ensure_ascii=False) + "\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    [flag] = json.loads(r.stdout)["flags"]
    assert flag["kind"] == "hostility" and flag["details"]["source"] == "model"
    assert any(e["text"] == WORD for e in flag["evidence"])

    # the same settings with the model off: the rules alone, which know no such word
    settings.write_text(f'[analysis]\nmodel_enabled = false\nmodel_path = "{out.as_posix()}"\n', "utf-8")
    r = subprocess.run(
        [*cli, "--settings", str(settings), "classify"],
        input=json.dumps(post, ensure_ascii=False) + "\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    assert json.loads(r.stdout)["flags"] == []


def test_train_and_settings_errors_name_what_to_fix(tmp_path):
    cli = [sys.executable, "-m", "collector.cli"]
    unlabelled = tmp_path / "posts.jsonl"
    unlabelled.write_text('{"id": "1", "text": "茅野の朝"}\n', "utf-8")
    r = subprocess.run([*cli, "train", str(unlabelled)], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 2 and "posts.jsonl" in r.stderr and "labels" in r.stderr
    r = subprocess.run(
        [*cli, "train", str(unlabelled), "--threshold", "hostility=2"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert r.returncode == 2 and "--threshold" in r.stderr
    settings = tmp_path / "settings.toml"
    settings.write_text("[analysis]\nmodel_leak_threshold = 1.5\n", "utf-8")
    r = subprocess.run(
        [*cli, "--settings", str(settings), "classify"], input="", capture_output=True, text=True
    )
    assert r.returncode == 2 and "model_leak_threshold" in r.stderr
    settings.write_text('[analysis]\nmodel_path = "nowhere/model.json.gz"\n', "utf-8")
    r = subprocess.run(
        [*cli, "--settings", str(settings), "classify"], input="", capture_output=True, text=True
    )
    assert r.returncode == 2 and "model_path" in r.stderr and "kikimimi train" in r.stderr


def test_naming_the_city_hall_is_not_aggression(tmp_path):
    """A hostility score raised only by whom it would be aimed at (市役所, 茅野) raises no alert;
    the same target with a word of the model's own does."""
    path = _hand_model(tmp_path, {"市役所": {"hostility": 6.0}, WORD: {"hostility": 6.0}})
    analyzer = Analyzer(AnalysisConfig(model_path=str(path)))
    model = load_model(path)
    post = PostText(id="h", text="茅野市役所に行った")
    assert model.probabilities(analyse_text(post.text).lemmas)["hostility"] > 0.9
    assert analyzer.classify(post).flags == []
    [f] = analyzer.classify(PostText(id="w", text=f"茅野市役所は{WORD}")).flags
    assert f.kind == "hostility"


def test_a_rule_finding_the_model_reads_as_nothing_like_misinformation_is_dropped(tmp_path):
    """With a support in the model file, a rule's misinformation finding, confirmed or not, stands
    only where the model's probability reaches it."""
    path = _hand_model(tmp_path, {WORD: {"misinformation": 6.0}}, threshold=0.99)
    data = json.loads(gzip.decompress(path.read_bytes()))
    data["heads"]["misinformation"]["support"] = 0.3
    path.write_bytes(gzip.compress(json.dumps(data, ensure_ascii=False).encode()))
    text = "茅野市の納涼花火大会、中止になったらしい"
    bare = Analyzer(AnalysisConfig(model_enabled=False), FACTS).classify(PostText(id="r", text=text))
    [rule] = [f for f in bare.flags if f.kind == "misinformation"]
    assert rule.confirmed  # the rules alone confirm it
    analyzer = Analyzer(AnalysisConfig(model_path=str(path)), FACTS)
    assert analyzer.classify(PostText(id="r", text=text)).flags == []  # the model gives it 0.12
    [f] = analyzer.classify(PostText(id="s", text=f"{text}。{WORD}")).flags
    assert f.kind == "misinformation" and f.confirmed and f.details["model_probability"] >= 0.3


def test_a_leak_hint_below_the_rules_threshold_gives_way_to_a_sure_model(tmp_path):
    """「まだ内緒だけど」 alone is a hint the leak rules score low; where the model reaches its own
    threshold its finding stands instead, and where it does not, nothing is raised."""
    text = "まだ内緒だけど茅野市の新しい事業が始まる"
    hint = Analyzer(AnalysisConfig(model_enabled=False, leak_threshold=0.0)).classify(
        PostText(id="h", text=text)
    )
    [rule] = [f for f in hint.flags if f.kind == "leak"]
    assert rule.score < AnalysisConfig().leak_threshold
    unsure = _hand_model(tmp_path, {WORD: {"leak": 6.0}}, name="unsure")
    assert Analyzer(AnalysisConfig(model_path=str(unsure))).classify(PostText(id="u", text=text)).flags == []
    sure = _hand_model(tmp_path, {"内緒": {"leak": 6.0}}, name="sure")
    [f] = Analyzer(AnalysisConfig(model_path=str(sure))).classify(PostText(id="s", text=text)).flags
    assert f.kind == "leak" and f.details["source"] == "model" and "内緒" in [e.text for e in f.evidence]
