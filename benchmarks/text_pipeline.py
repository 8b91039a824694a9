"""Analysis throughput against raw Sudachi tokenisation of the same posts, in the same run.

    python -m benchmarks.text_pipeline [--posts N]

Posts: the hand-written corpora in tests/corpus (every kind, relevant or not), repeated to N.
Baselines, measured here: Sudachi `tokenize()` alone, and Sudachi reading the normalised form
and part of speech of every word (the "raw tokenisation" the analysis target compares to).
Then, each as posts per second and as a ratio to the second baseline: the text pipeline
(`analyse_text` with its words read, i.e. every post tokenised), relevance on it, the hostility
detector on it, and full `Analyzer.classify` (every detector, with its fast paths: a post
nobody needs the words of is never tokenised). Best of five interleaved rounds after a warm-up; prints a table and exits 0 (a benchmark, not a
test). The target is a full-analysis ratio of at least 0.5.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

from analysis import AnalysisConfig, Analyzer
from analysis.detectors.hostility import HostilityDetector
from analysis.io import post_from_json
from analysis.text import Doc, _tokenizer, analyse_text

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus"
TARGET = 0.5


def _posts(n: int) -> list:
    records = [
        json.loads(line) for path in sorted(CORPUS.glob("*.jsonl")) for line in path.open(encoding="utf-8")
    ]
    posts = [post_from_json(r, k) for k, r in enumerate(records)]
    return (posts * (n // len(posts) + 1))[:n]


def _rates(steps: list[tuple[str, Callable[[], None]]], count: int, rounds: int = 5) -> dict[str, float]:
    """Best of `rounds` per step, the steps interleaved so a busy moment hits them all alike."""
    for _, fn in steps:
        fn()
    best = {name: float("inf") for name, _ in steps}
    for _ in range(rounds):
        for name, fn in steps:
            best[name] = min(best[name], _timed(fn))
    return {name: count / t for name, t in best.items()}


def _timed(fn: Callable[[], None]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=5000)
    args = ap.parse_args(argv)
    posts = _posts(args.posts)
    texts = [p.text for p in posts]
    analyzer = Analyzer(AnalysisConfig())
    hostility = HostilityDetector(analyzer.context)
    tok = _tokenizer()

    def sudachi_only() -> None:
        for t in texts:
            tok.tokenize(t)

    def sudachi_fields() -> None:
        for t in texts:
            for m in tok.tokenize(t):
                m.normalized_form()
                m.part_of_speech()

    def words(text: str) -> Doc:
        doc = analyse_text(text)
        doc.lemmas  # noqa: B018 - analyse_text is lazy: read the words so Sudachi runs
        return doc

    def pipeline() -> None:
        for t in texts:
            words(t)

    def relevance() -> None:
        for p in posts:
            analyzer.relevance.judge(p, words(p.text))

    def detect_hostility() -> None:
        for p in posts:
            hostility.detect(p, words(p.text), analyzer.context)

    def classify() -> None:
        for p in posts:
            analyzer.classify(p)

    rows = [
        ("sudachi tokenize() only", sudachi_only),
        ("sudachi + normalized form + POS (baseline)", sudachi_fields),
        ("analyse_text (normalise + Sudachi + Doc)", pipeline),
        ("  + relevance", relevance),
        ("  + hostility detector", detect_hostility),
        ("Analyzer.classify (all detectors)", classify),
    ]
    rates = _rates(rows, len(posts))
    base = rates[rows[1][0]]
    print(f"{len(posts)} posts (tests/corpus, repeated)")
    print(f"{'step':<45} {'posts/s':>9} {'µs/post':>8} {'ratio':>6}")
    for name, _ in rows:
        r = rates[name]
        print(f"{name:<45} {r:>9.0f} {1e6 / r:>8.1f} {r / base:>6.2f}")
    full = rates[rows[-1][0]] / base
    print(f"full analysis / raw tokenisation = {full:.2f} (target ≥ {TARGET})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
