"""Learning from labels: how each detector does month by month, and the thresholds the labels favour.

Used by `kikimimi eval --from-triage` (the team's 対応中/対応済み/誤検知 decisions) and by
`kikimimi eval FILE --suggest-thresholds`. Pure: labelled records and decisions in, numbers out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from analysis.engine import Analyzer
from analysis.evaluate import LABEL_KINDS, evaluate
from analysis.io import parse_time, post_from_json

SETTINGS = {
    "hostility": "hostility_threshold",
    "misinformation": "misinfo_suggest_threshold",
    "leak": "leak_threshold",
}
MIN_LABELS = 10  # fewer decisions than this say too little to move a threshold


@dataclass
class Suggestion:
    kind: str
    setting: str
    current: float
    labels: int
    positives: int
    f1_current: float
    suggested: float | None = None
    f1_suggested: float | None = None
    note: str = ""


@dataclass
class PeriodRow:
    period: str  # "2026-11"
    kind: str  # alert kind
    decided: int
    confirmed: int
    f1_now: float | None = None  # today's detectors on the same posts (post-level kinds only)
    precision_now: float | None = None
    recall_now: float | None = None

    @property
    def dismissed(self) -> int:
        return self.decided - self.confirmed

    @property
    def precision_raised(self) -> float:
        return self.confirmed / self.decided if self.decided else 0.0


def raw_scores(records: Sequence[dict[str, Any]], analyzer: Analyzer) -> list[dict[str, float]]:
    """Each record's best score per finding kind with every threshold at zero (0 = no finding)."""
    config = replace(
        analyzer.context.config, hostility_threshold=0.0, misinfo_suggest_threshold=0.0, leak_threshold=0.0
    )
    open_analyzer = Analyzer(config, analyzer.context.facts)
    out = []
    for n, record in enumerate(records):
        best: dict[str, float] = defaultdict(float)
        for f in open_analyzer.classify(post_from_json(record, n)).flags:
            best[f.kind] = max(best[f.kind], f.score)
        out.append(dict(best))
    return out


def f1_at(pairs: Sequence[tuple[float, bool]], threshold: float) -> float:
    tp = sum(1 for s, y in pairs if y and s > 0 and s >= threshold)
    fp = sum(1 for s, y in pairs if not y and s > 0 and s >= threshold)
    fn = sum(1 for s, y in pairs if y and not (s > 0 and s >= threshold))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def best_threshold(pairs: Sequence[tuple[float, bool]]) -> tuple[float, float]:
    """The threshold with the best F1 (the highest of equals: fewer alerts for the same F1),
    placed halfway to the next lower score so it does not sit on one post's edge."""
    scores = sorted({s for s, _ in pairs if s > 0}, reverse=True)
    best_t, best_f1 = scores[0], -1.0
    for s in scores:
        f1 = f1_at(pairs, s)
        if f1 > best_f1:
            best_t, best_f1 = s, f1
    lower = [s for s in scores if s < best_t]
    return round((best_t + lower[0]) / 2 if lower else best_t, 3), best_f1


def suggest_thresholds(
    records: Sequence[dict[str, Any]], analyzer: Analyzer, min_labels: int = MIN_LABELS
) -> list[Suggestion]:
    scores = raw_scores(records, analyzer)
    out = []
    for label, kind in LABEL_KINDS.items():
        pairs = [
            (s.get(kind, 0.0), bool(r["labels"][label]))
            for r, s in zip(records, scores, strict=True)
            if (r.get("labels") or {}).get(label) is not None
        ]
        current = analyzer.threshold(kind)
        sug = Suggestion(
            kind, SETTINGS[kind], current, len(pairs), sum(y for _, y in pairs), f1_at(pairs, current)
        )
        if len(pairs) < min_labels:
            sug.note = f"only {len(pairs)} decisions; need {min_labels}"
        elif not sug.positives or sug.positives == len(pairs):
            sug.note = "decisions all one way: nothing to weigh"
        elif not any(s > 0 for s, _ in pairs):
            sug.note = "the detector scores none of these posts"
        else:
            sug.suggested, sug.f1_suggested = best_threshold(pairs)
        out.append(sug)
    return out


def format_suggestions(suggestions: Iterable[Suggestion]) -> str:
    lines = ["suggested thresholds (the F1 each gives on these decisions):"]
    for s in suggestions:
        head = f"  {s.kind:<15} {s.setting} = {s.current:.2f} (F1 {s.f1_current:.3f}, {s.labels} decisions)"
        if s.suggested is None:
            lines.append(f"{head}: keep — {s.note}")
        else:
            lines.append(f"{head} → {s.suggested:.2f} (F1 {s.f1_suggested:.3f})")
    lines.append("set them under [analysis] in settings.toml")
    return "\n".join(lines)


def month_of(value: Any) -> str:
    dt = parse_time(value)
    return f"{dt:%Y-%m}" if dt else "unknown"


def by_month(
    records: Sequence[dict[str, Any]], decisions: Sequence[dict[str, Any]], analyzer: Analyzer
) -> list[PeriodRow]:
    """Per month of decision and alert kind: how many alerts the team confirmed, and how
    today's detectors score those months' labelled posts."""
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for d in decisions:
        c = counts[(month_of(d.get("decided_at")), d["kind"])]
        c[0] += 1
        c[1] += bool(d["confirmed"])
    now: dict[tuple[str, str], Any] = {}
    per_month: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        per_month[month_of(r.get("decided_at"))].append(r)
    for month, recs in per_month.items():
        report = evaluate(recs, analyzer)
        for label, kind in LABEL_KINDS.items():
            score = report.kinds[label]
            if score.tp + score.fp + score.fn + score.tn:
                now[(month, kind)] = score
    rows = []
    for (month, kind), (decided, confirmed) in sorted(counts.items()):
        row = PeriodRow(month, kind, decided, confirmed)
        if (month, kind) in now:
            s = now[(month, kind)]
            row.precision_now, row.recall_now, row.f1_now = s.precision, s.recall, s.f1
        rows.append(row)
    return rows


def format_months(rows: Iterable[PeriodRow]) -> str:
    def num(x: float | None) -> str:
        return f"{x:>6.3f}" if x is not None else f"{'-':>6}"

    lines = [
        "triage decisions by month (raised: share of alerts the team confirmed; now: today's detectors)",
        f"{'month':<8} {'kind':<15} {'decided':>7} {'confirmed':>9} {'dismissed':>9} "
        f"{'raised':>6} {'p_now':>6} {'r_now':>6} {'f1_now':>6}",
    ]
    for r in rows:
        lines.append(
            f"{r.period:<8} {r.kind:<15} {r.decided:>7} {r.confirmed:>9} {r.dismissed:>9} "
            f"{r.precision_raised:>6.3f} {num(r.precision_now)} {num(r.recall_now)} {num(r.f1_now)}"
        )
    return "\n".join(lines)
