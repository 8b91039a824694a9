"""Analysis throughput as a ratio to raw Sudachi tokenisation of the same texts, measured in the same run.

    python benchmarks/analysis_throughput.py [--posts 3000] [--rounds 3] [--gates-off]

Prints posts/s of `Analyzer.classify` (relevance and every detector, with the corpora's
official statements as the fact base, one post at a time on one thread) and of plain SudachiPy
tokenisation of the same texts (a `tokenize()` loop: same dictionary, mode C, the dictionary
loaded once), best of `--rounds` each, interleaved, and their ratio (target ≥ 0.5).
A ratio, never a time, is what to compare between machines.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a script: the repository root on the path
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis import Analyzer, PostText  # noqa: E402
from analysis.io import fact_from_json, post_from_json  # noqa: E402
from benchmarks.posts import corpus_facts, realistic_posts  # noqa: E402

TARGET = 0.5


def sudachi_tokenize() -> Callable[[str], object]:
    """Raw tokenisation, as cheap as SudachiPy allows: the dictionary analysis uses (system and
    local names, mode C), its own tokenizer loading only the fields analysis reads on every word."""
    from sudachipy import SplitMode

    from analysis.text import _dictionary

    tokenizer = _dictionary().tokenizer(mode=SplitMode.C, fields={"pos", "normalized_form"})
    return tokenizer.tokenize


def best_rate(run: Callable[[], None], n: int, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        t = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - t)
    return n / best


def measure(posts: Sequence[PostText], analyzer: Analyzer, rounds: int = 3) -> dict[str, float]:
    texts = [f"{p.title}\n{p.text}" if p.title else p.text for p in posts]
    tokenize = sudachi_tokenize()
    for p, t in zip(posts[:100], texts[:100], strict=True):  # warm both: dictionaries, caches, lexicons
        analyzer.classify(p)
        tokenize(t)
    sudachi = classify = 0.0
    for _ in range(rounds):  # interleaved, so a busy moment on the machine hits both alike
        sudachi = max(sudachi, best_rate(lambda: [tokenize(t) for t in texts], len(texts), 1))
        classify = max(classify, best_rate(lambda: [analyzer.classify(p) for p in posts], len(posts), 1))
    return {"posts": len(posts), "classify": classify, "sudachi": sudachi, "ratio": classify / sudachi}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--gates-off", action="store_true", help="also measure Analyzer(fast=False)")
    args = ap.parse_args(argv)
    rows = realistic_posts(args.posts)
    posts = [post_from_json(r, i) for i, r in enumerate(rows)]
    facts = [fact_from_json(f, i) for i, f in enumerate(corpus_facts())]
    m = measure(posts, Analyzer(facts=facts), args.rounds)
    print(f"posts: {m['posts']} (corpora + generated), facts: {len(facts)}; one thread, one post at a time")
    print(f"sudachi tokenize: {m['sudachi']:,.0f} posts/s")
    print(f"Analyzer.classify: {m['classify']:,.0f} posts/s")
    verdict = "meets" if m["ratio"] >= TARGET else "below"
    print(f"ratio classify/tokenize: {m['ratio']:.3f} ({verdict} the {TARGET} target)")
    if args.gates_off:
        off = measure(posts, Analyzer(facts=facts, fast=False), args.rounds)
        print(f"with every gate off (fast=False): {off['classify']:,.0f} posts/s, ratio {off['ratio']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
