"""Analysis throughput as a ratio to raw Sudachi tokenisation of the same texts, measured in the same run.

    python benchmarks/analysis_throughput.py [--posts 3000] [--rounds 3] [--corpus-share 0.25] [--gates-off]

Posts: a comms team's stream. `--corpus-share` of them are drawn from the labelled corpora in
tests/corpus (the hard cases: insults, leaks, rumours, traps), the rest generated from
benchmarks/posts.toml in `benchmarks.posts.MIX` proportions (civil replies and everyday mentions
most, some hostile, rumours, threats, irrelevant). The corpora have grown to thousands of hard
cases, so taking them all would no longer be a stream: a fixed share keeps the mix what it was
when the target was set (a quarter). `--corpus-share 1` measures on the corpora alone.

Prints posts/s of `Analyzer.classify` (relevance and every detector, with the corpora's
official statements as the fact base, one post at a time on one thread) and of plain SudachiPy
tokenisation of the same texts (a `tokenize()` loop: same dictionary, mode C, the dictionary
loaded once), best of `--rounds` each, interleaved, and their ratio (target ≥ 0.5).
A ratio, never a time, is what to compare between machines.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a script: the repository root on the path
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis import Analyzer, PostText  # noqa: E402
from analysis.io import fact_from_json, post_from_json  # noqa: E402
from benchmarks.posts import corpus_facts, corpus_posts, topped_up  # noqa: E402

TARGET = 0.5


def sudachi_tokenize() -> Callable[[str], object]:
    """Raw tokenisation, as cheap as SudachiPy allows: the dictionary analysis uses (system and
    local names, mode C), its own tokenizer loading only the fields analysis reads on every word."""
    from sudachipy import SplitMode

    from analysis.text import _dictionary

    tokenizer = _dictionary().tokenizer(mode=SplitMode.C, fields={"pos", "normalized_form"})
    return tokenizer.tokenize


def stream(n: int, corpus_share: float = 0.25, seed: int = 7) -> list[dict]:
    """`n` posts: a deterministic sample of the corpora (`corpus_share` of them), the rest generated."""
    rnd = random.Random(seed)
    corpus = corpus_posts()
    return topped_up(rnd.sample(corpus, min(len(corpus), round(n * corpus_share))), n, rnd)


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
    ap.add_argument("--corpus-share", type=float, default=0.25, help="share of posts from tests/corpus")
    ap.add_argument("--gates-off", action="store_true", help="also measure Analyzer(fast=False)")
    args = ap.parse_args(argv)
    rows = stream(args.posts, args.corpus_share)
    posts = [post_from_json(r, i) for i, r in enumerate(rows)]
    facts = [fact_from_json(f, i) for i, f in enumerate(corpus_facts())]
    m = measure(posts, Analyzer(facts=facts), args.rounds)
    share = sum(not str(r.get("id", "")).startswith("gen-") for r in rows) / len(rows)
    print(
        f"posts: {m['posts']} ({share:.0%} from the corpora, the rest generated), facts: {len(facts)}; "
        "one thread, one post at a time"
    )
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
