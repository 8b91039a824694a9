"""Precision, recall and F1 per detector on labelled posts: the numbers `kikimimi eval` prints."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from analysis.engine import Analyzer
from analysis.io import post_from_json

# label key in the eval records → the finding kind that answers it
LABEL_KINDS = {"hostile": "hostility", "misinfo": "misinformation", "leak": "leak"}


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    false_positives: list[str] = field(default_factory=list)
    false_negatives: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, predicted: bool, actual: bool, post_id: str) -> None:
        if predicted and actual:
            self.tp += 1
        elif predicted:
            self.fp += 1
            self.false_positives.append(post_id)
        elif actual:
            self.fn += 1
            self.false_negatives.append(post_id)
        else:
            self.tn += 1


@dataclass
class Report:
    posts: int = 0
    kinds: dict[str, Score] = field(default_factory=lambda: {k: Score() for k in LABEL_KINDS})
    relevance: Score = field(default_factory=Score)

    @property
    def relevance_accuracy(self) -> float:
        r = self.relevance
        total = r.tp + r.fp + r.fn + r.tn
        return (r.tp + r.tn) / total if total else 1.0

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"posts": self.posts}
        for label, s in self.kinds.items():
            out[label] = {
                "precision": round(s.precision, 4),
                "recall": round(s.recall, 4),
                "f1": round(s.f1, 4),
                "tp": s.tp,
                "fp": s.fp,
                "fn": s.fn,
                "false_positives": s.false_positives,
                "false_negatives": s.false_negatives,
            }
        out["relevance"] = {
            "accuracy": round(self.relevance_accuracy, 4),
            "false_positives": self.relevance.false_positives,
            "false_negatives": self.relevance.false_negatives,
        }
        return out


def evaluate(records: Iterable[dict[str, Any]], analyzer: Analyzer) -> Report:
    """Classify each labelled record and count hits per kind; null labels are not scored."""
    report = Report()
    for n, record in enumerate(records):
        labels = record.get("labels") or {}
        post = post_from_json(record, n)
        result = analyzer.classify(post)
        report.posts += 1
        kinds = {f.kind for f in result.flags}
        if labels.get("relevant") is not None:
            report.relevance.add(result.relevant, bool(labels["relevant"]), post.id)
        for label, kind in LABEL_KINDS.items():
            if labels.get(label) is not None:
                report.kinds[label].add(kind in kinds, bool(labels[label]), post.id)
    return report


def format_report(report: Report) -> str:
    lines = [f"posts: {report.posts}", f"{'kind':<10} {'precision':>9} {'recall':>7} {'f1':>6}  tp  fp  fn"]
    for label, s in report.kinds.items():
        lines.append(
            f"{label:<10} {s.precision:>9.3f} {s.recall:>7.3f} {s.f1:>6.3f} {s.tp:>3} {s.fp:>3} {s.fn:>3}"
        )
    lines.append(f"relevance accuracy: {report.relevance_accuracy:.3f}")
    for label, s in [*report.kinds.items(), ("relevant", report.relevance)]:
        if s.false_positives:
            lines.append(f"{label} false positives: {', '.join(s.false_positives)}")
        if s.false_negatives:
            lines.append(f"{label} false negatives: {', '.join(s.false_negatives)}")
    return "\n".join(lines)
