"""Training the learned second opinion (`kikimimi train`): labelled posts in, a model file out.

scikit-learn (the `dev` extra) is imported only in `analysis.train_fit`; running kikimimi never
needs it (`analysis/learned.py` evaluates the model in plain Python). This module reads the
labelled files (and their statements), asks the rules for their verdicts, and writes the file;
how the model is fitted and its thresholds chosen is in `analysis.train_fit`.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from analysis.engine import Analyzer
from analysis.evaluate import LABEL_KINDS
from analysis.io import fact_from_json, post_from_json
from analysis.learned import KINDS
from analysis.text import analyse_text
from analysis.train_fit import (
    DIGITS,
    FOLDS,
    MIN_DF,
    MIN_PRECISION,
    PRUNE,
    REPEATS,
    SEED,
    TONE_BLIND,
    C,
    Example,
    choose_threshold,
    export,
    fit,
    out_of_fold,
)
from analysis.types import AnalysisConfig, Fact

KIND_LABELS = {kind: label for label, kind in LABEL_KINDS.items()}  # "hostility" → "hostile"
CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus"
TOXICITY = CORPUS.parent / "data" / "japanese-toxic-dataset" / "subset.csv"
_LEVELS = ("Not Toxic", "Hard to Say", "Toxic", "Very Toxic")


class TrainingError(ValueError):
    """Training input that cannot be used: the message names the file and what to do."""


@dataclass
class Source:
    """One set of labelled posts (a file, or the team's triage decisions) and the statements they refer to."""

    name: str
    records: list[dict[str, Any]]
    facts: list[Fact] = field(default_factory=list)
    general: bool = False  # sentences from outside the city's world: their false alarms are recorded


def parse_fixed(values: Iterable[str]) -> dict[str, float | None]:
    """`["hostility=off", "leak=0.8"]` → {"hostility": None, "leak": 0.8}: thresholds given, not chosen."""
    out: dict[str, float | None] = {}
    for value in values:
        kind, _, given = value.partition("=")
        kind = {"hostile": "hostility", "misinfo": "misinformation"}.get(kind.strip(), kind.strip())
        if kind not in KINDS:
            raise TrainingError(f"--threshold {value!r}: kind must be one of {', '.join(KINDS)}")
        if given.strip() == "off":
            out[kind] = None
            continue
        try:
            t = float(given)
        except ValueError:
            t = -1.0
        if not 0 < t <= 1:
            raise TrainingError(f"--threshold {value!r}: give KIND=VALUE with VALUE in (0, 1], or KIND=off")
        out[kind] = t
    return out


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    out = []
    try:
        lines = path.read_text("utf-8-sig").splitlines()
    except OSError as e:
        raise TrainingError(f"{path}: cannot read it ({e.strerror})") from None
    for n, line in enumerate(lines, 1):
        if line.strip():
            try:
                value = json.loads(line)
            except json.JSONDecodeError as e:
                raise TrainingError(f"{path} line {n}: not JSON ({e.msg})") from None
            if not isinstance(value, dict):
                raise TrainingError(f"{path} line {n}: not a JSON object")
            out.append(value)
    return out


def default_corpus() -> list[Path]:
    """Every labelled posts file of the checkout's corpus (not the `*facts.jsonl` statements), and
    japanese-toxic-dataset's sentences (`toxicity_source`)."""
    if not CORPUS.is_dir():
        return []
    posts = sorted(p for p in CORPUS.rglob("*.jsonl") if not p.stem.endswith("facts"))
    return posts + ([TOXICITY] if TOXICITY.is_file() else [])


def held_back(row_id: int) -> bool:
    """A japanese-toxic-dataset row kept for the tests (odd id): training never reads it."""
    return row_id % 2 == 1


def toxicity_source(path: Path) -> Source:
    """japanese-toxic-dataset's CSV (tests/data/japanese-toxic-dataset) as hostility negatives.

    General SNS sentences the annotators' majority called "Not Toxic", read as replies to the
    city: casual, slangy, rough, and not aggression, which the corpus had too few of. Only rows
    with an even id: the others are `held_back` for tests/analysis/test_hostility.py. Its toxic
    rows are not positives (much of their toxicity is discrimination or bias, outside clause
    4(6)). Cross-validation records the share of them the model flags (`Source.general`).
    """
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        raise TrainingError(f"{path}: cannot read it ({e.strerror})") from None
    records = []
    for n, row in enumerate(rows, 2):
        try:
            row_id = int(row["id"])
            votes = [int(row[level]) for level in _LEVELS]
            text = row["text"]
        except (KeyError, TypeError, ValueError):
            raise TrainingError(
                f"{path} line {n}: not japanese-toxic-dataset's CSV (id, text and the columns "
                f"{', '.join(_LEVELS)} as numbers); give labelled JSON Lines instead"
            ) from None
        if held_back(row_id) or max(range(len(votes)), key=votes.__getitem__) != 0:
            continue
        labels = {"relevant": True, "hostile": False, "misinfo": None, "leak": None}
        records.append({"id": f"toxic-{row_id}", "text": text, "reply_to_official": True, "labels": labels})
    if not records:
        raise TrainingError(f"{path}: no usable row (no even id whose majority is Not Toxic)")
    return Source(_shown(path), records, [], general=True)


def labelled_sources(paths: Iterable[str | Path], facts: str | Path | None = None) -> list[Source]:
    """Each file with its statements: `facts` if given, else `X_facts.jsonl` next to `X.jsonl`,
    else a `facts.jsonl` next to it (how tests/corpus pairs them), else none. A `.csv` is read as
    japanese-toxic-dataset (`toxicity_source`)."""
    given = [fact_from_json(d, i) for i, d in enumerate(read_jsonl(Path(facts)))] if facts else None
    out = []
    for p in map(Path, paths):
        if p.suffix.lower() == ".csv":
            out.append(toxicity_source(p))
            continue
        records = read_jsonl(p)
        if not any(isinstance(r.get("labels"), dict) for r in records):
            raise TrainingError(f"{p}: no post has `labels`; training needs labelled JSON Lines")
        fs = given
        if fs is None:
            for sibling in (p.with_name(f"{p.stem}_facts.jsonl"), p.with_name("facts.jsonl")):
                if sibling.exists():
                    fs = [fact_from_json(d, i) for i, d in enumerate(read_jsonl(sibling))]
                    break
        out.append(Source(_shown(p), records, fs or []))
    return out


def _shown(p: Path) -> str:
    """A path as the model file records it: relative to the working directory when inside it."""
    try:
        return os.path.relpath(p.resolve(), Path.cwd()) if p.resolve().is_relative_to(Path.cwd()) else p.name
    except ValueError:
        return p.name


def examples(source: Source, config: AnalysisConfig) -> list[Example]:
    """Lemmas, labels and the rules' verdicts of every post that is labelled for some kind: the
    kinds they report, those only suggested, and those they veto where they report none.

    A post labelled irrelevant is left out: its kind labels say there is nothing to report on
    it, not what its words are (「富士見町役場のクズども、仕事しろ」 is labelled not hostile, being
    about another town). A post labelled relevant teaches every kind it is labelled for, whatever
    relevance says of it: a reply in the city's own thread may never name the city
    (casual.jsonl's labels assume that context), and its words are hostile or not either way.
    """
    analyzer = Analyzer(replace(config, model_enabled=False), source.facts)
    out = []
    for n, record in enumerate(source.records):
        labels = record.get("labels") or {}
        if labels.get("relevant") is False:
            continue
        by_kind = {
            k: (None if labels.get(KIND_LABELS[k]) is None else bool(labels[KIND_LABELS[k]])) for k in KINDS
        }
        if all(v is None for v in by_kind.values()):
            continue
        post = post_from_json(record, n)
        result = analyzer.classify(post)
        doc = analyse_text(f"{post.title}\n{post.text}" if post.title else post.text)  # as Analyzer does
        asked = result.relevant or labels.get("relevant") is True
        found = frozenset(f.kind for f in result.flags)
        suggested = frozenset(f.kind for f in result.flags if not f.confirmed)
        wanted = [k for k in KINDS if by_kind[k] is not None and k not in found]
        vetoed = frozenset(analyzer.vetoes(post, doc, wanted) if asked and wanted else ())
        pos = [p[0] for p in doc.pos]
        out.append(Example(doc.lemmas, by_kind, asked, found, pos, source.name, suggested, vetoed))
    return out


def train(
    sources: Sequence[Source],
    config: AnalysisConfig,
    now: datetime,
    fixed: dict[str, float | None] | None = None,
    folds: int = FOLDS,
    repeats: int = REPEATS,
) -> dict[str, Any]:
    """Fit on every source's labelled posts, choose thresholds by cross-validation (those in
    `fixed` are given instead; None = off), return the model file's JSON."""
    rows: list[Example] = []
    files = []
    for s in sources:
        part = examples(s, config)
        rows += part
        counts = {
            k: {
                "labelled": sum(e.labels[k] is not None for e in part),
                "positive": sum(bool(e.labels[k]) for e in part),
            }
            for k in KINDS
        }
        files.append(
            {
                "name": s.name,
                "posts": len(s.records),
                "used": len(part),
                "facts": len(s.facts),
                "labels": counts,
                **({"general": True} if s.general else {}),
            }
        )
    kinds = [k for k in KINDS if len({e.labels[k] for e in rows} - {None}) == 2]
    if not kinds:
        raise TrainingError(
            "no kind has both positive and negative labels; label more posts (labels: hostile, misinfo, leak)"
        )
    smallest = min(
        min(sum(e.labels[k] is True for e in rows), sum(e.labels[k] is False for e in rows)) for k in kinds
    )
    oof = out_of_fold(rows, kinds, min(folds, smallest), repeats)
    fixed = fixed or {}
    watch = [s.name for s in sources if s.general]
    cv = {k: choose_threshold(rows, k, oof[k], k in fixed, fixed.get(k), watch) for k in kinds}
    meta = {
        "trained_at": now.isoformat(timespec="seconds"),
        "training": {
            "sources": files,
            "examples": len(rows),
            "folds": min(folds, smallest),
            "repeats": repeats,
            "seed": SEED,
        },
        "params": {
            "C": C,
            "tone_blind": list(TONE_BLIND),
            "min_df": MIN_DF,
            "prune": PRUNE,
            "digits": DIGITS,
            "min_precision": MIN_PRECISION,
        },
    }
    return export(fit(rows, kinds), cv, meta)


def write_model(data: dict[str, Any], path: str | Path) -> Path:
    """Write atomically; gzip (with no timestamp, so the same model gives the same bytes) for `.gz`."""
    p = Path(path)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    body = gzip.compress(text, mtime=0) if p.suffix == ".gz" else text
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(f".{p.name}.{os.getpid()}.tmp")
    tmp.write_bytes(body)
    os.replace(tmp, p)
    return p


def summary(data: dict[str, Any]) -> str:
    """What `kikimimi train` prints: per kind, the threshold and its cross-validated scores."""
    t = data["training"]
    lines = [
        f"model {data['model_version']}: {t['examples']} labelled posts from {len(t['sources'])} sources, "
        f"{len(data['features'])} features, {t['folds']}-fold cross-validation × {t.get('repeats', 1)}"
    ]
    for kind in data["kinds"]:
        cv = data["heads"][kind]["cv"]
        t = "off " if cv["threshold"] is None else f"{cv['threshold']:.2f}"
        line = f"  {kind:<15} threshold {t}  ({cv['positives']}/{cv['posts']} positive)"
        if "cv_threshold" in cv and cv["cv_threshold"] != cv["threshold"]:
            line += f" [cross-validation: {cv['cv_threshold']:.2f}]"
        if "model" in cv:
            r, m, e = cv["rules"], cv["model"], cv["rules_or_model"]  # at the threshold (off: at cv's)
            line += (
                f"  rules F1 {r['f1']:.3f} | model P {m['precision']:.3f} R {m['recall']:.3f} F1 {m['f1']:.3f}"
                f" | rules+model P {e['precision']:.3f} R {e['recall']:.3f} F1 {e['f1']:.3f}"
            )
        for name, rate in cv.get("false_alarms", {}).items():
            line += f"; flags {rate:.1%} of the negatives of {name}"
        if cv.get("support") is not None:
            b, u = cv["rules_and_model"], cv["rules_and_model_unsupported"]
            line += (
                f"; a rule finding needs the model's {cv['support']:.2f}: rules+model P "
                f"{b['precision']:.3f} R {b['recall']:.3f} F1 {b['f1']:.3f} (without: F1 {u['f1']:.3f})"
            )
        lines.append(line + (f"  ({cv['note']})" if cv.get("note") else ""))
    return "\n".join(lines)
