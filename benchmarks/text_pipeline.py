"""Analysis throughput against raw Sudachi tokenisation of the same posts, in the same run.

    python -m benchmarks.text_pipeline [--posts N]

Posts: the hand-written corpora in tests/corpus (every kind, relevant or not), repeated to N;
their official statements as the fact base. The baseline, measured here: a plain Sudachi
`tokenize()` loop (the dictionary analysis uses, mode C), as in analysis_throughput. Then,
each as posts per second and as a ratio to it: Sudachi also reading every word's normalised
form and part of speech, the text pipeline (`analyse_text` with its words read, i.e. every
post tokenised), relevance on it, the hostility detector on it, full `Analyzer.classify`
(every detector, with its fast paths: a post nobody needs the words of is never tokenised),
and the same with every gate off (`fast=False`), and the share of posts Sudachi ran on. Best of five interleaved rounds after a warm-up; prints a table and exits 0 (a benchmark, not a
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
from analysis.io import fact_from_json, post_from_json
from analysis.text import Doc, _tokenizer, analyse_text
from benchmarks.analysis_throughput import sudachi_tokenize
from benchmarks.posts import corpus_facts

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus"
TARGET = 0.5


def _posts(n: int) -> list:
    records = [
        json.loads(line)
        for path in sorted(CORPUS.glob("*.jsonl"))
        if "facts" not in path.stem  # official statements, not posts
        for line in path.open(encoding="utf-8")
        if line.strip()
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
    facts = [fact_from_json(f, i) for i, f in enumerate(corpus_facts())]
    analyzer = Analyzer(AnalysisConfig(), facts)
    slow = Analyzer(AnalysisConfig(), facts, fast=False)
    hostility = HostilityDetector(analyzer.context)
    tokenize = sudachi_tokenize()
    tok = _tokenizer()

    def sudachi_only() -> None:
        for t in texts:
            tokenize(t)

    def sudachi_fields() -> None:
        for t in texts:
            for m in tok.tokenize(t):
                m.normalized_form()
                m.part_of_speech_id()

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

    def classify_slow() -> None:
        for p in posts:
            slow.classify(p)

    rows = [
        ("sudachi tokenize() (baseline)", sudachi_only),
        ("  + normalised form and POS of every word", sudachi_fields),
        ("analyse_text, words read (normalise+Sudachi+Doc)", pipeline),
        ("  + relevance", relevance),
        ("  + hostility detector", detect_hostility),
        ("Analyzer.classify (all detectors, fast paths)", classify),
        ("Analyzer(fast=False).classify (no gates)", classify_slow),
    ]
    rates = _rates(rows, len(posts))
    base = rates[rows[0][0]]
    print(f"{len(posts)} posts (tests/corpus, repeated), {len(facts)} official statements; one thread")
    print(f"{'step':<50} {'posts/s':>9} {'µs/post':>8} {'ratio':>6}")
    for name, _ in rows:
        r = rates[name]
        print(f"{name:<50} {r:>9.0f} {1e6 / r:>8.1f} {r / base:>6.2f}")
    print(f"posts Sudachi ran on in Analyzer.classify: {_tokenised_share(analyzer, posts):.0%}")
    full = rates[rows[5][0]] / base
    print(f"full analysis / raw tokenisation = {full:.2f} (target ≥ {TARGET})")
    return 0


def _tokenised_share(analyzer: Analyzer, posts: list) -> float:
    """Share of posts whose words anything read (the rest were decided on their text alone)."""
    import analysis.engine as engine

    docs: list[Doc] = []

    def keep(raw: str) -> Doc:
        docs.append(analyse_text(raw))
        return docs[-1]

    engine.analyse_text, original = keep, engine.analyse_text
    try:
        for p in posts:
            analyzer.classify(p)
    finally:
        engine.analyse_text = original
    return sum(d.tokenised for d in docs) / max(len(docs), 1)


if __name__ == "__main__":
    raise SystemExit(main())
