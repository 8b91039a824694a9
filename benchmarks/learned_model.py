"""What the learned second opinion costs: its scoring per post, and classify with it on and off.

    python benchmarks/learned_model.py [--posts 3000] [--rounds 3]

Prints, on analysis_throughput's stream of posts (a share from the corpora, the rest generated):
the model's scoring of a post's lemmas (`LinearModel.probabilities`, the words already read) in
µs per post and as a share of raw Sudachi tokenisation of the same texts; then
`Analyzer.classify` with the model off and on, each as a ratio to tokenisation (the
analysis_throughput ratio), measured interleaved in the same run. With the model on, every
relevant post's words are read (the model needs them), where the rules' gates alone let some
posts through untokenised.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: the repository root on the path
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis import AnalysisConfig, Analyzer  # noqa: E402
from analysis.io import fact_from_json, post_from_json  # noqa: E402
from analysis.learned import load_model  # noqa: E402
from analysis.text import analyse_text  # noqa: E402
from benchmarks.analysis_throughput import measure, stream, sudachi_tokenize  # noqa: E402
from benchmarks.posts import corpus_facts  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--corpus-share", type=float, default=0.25, help="share of posts from tests/corpus")
    args = ap.parse_args(argv)
    posts = [post_from_json(r, i) for i, r in enumerate(stream(args.posts, args.corpus_share))]
    facts = [fact_from_json(f, i) for i, f in enumerate(corpus_facts())]
    texts = [f"{p.title}\n{p.text}" if p.title else p.text for p in posts]
    lemmas = [analyse_text(t).lemmas for t in texts]
    model = load_model()
    tokenize = sudachi_tokenize()
    score = sudachi = float("inf")
    for _ in range(args.rounds):  # interleaved, best of each
        t = time.perf_counter()
        for ls in lemmas:
            model.probabilities(ls)
        score = min(score, time.perf_counter() - t)
        t = time.perf_counter()
        for text in texts:
            tokenize(text)
        sudachi = min(sudachi, time.perf_counter() - t)
    n = len(posts)
    words = sum(map(len, lemmas)) / n
    print(
        f"posts: {n}, {words:.1f} words each on average; model {model.version}, {len(model.idf) - 1} features"
    )
    print(f"model scoring: {score / n * 1e6:.1f} µs/post; sudachi tokenize: {sudachi / n * 1e6:.1f} µs/post")
    print(f"model scoring / tokenize: {score / sudachi:.3f}")
    off = measure(posts, Analyzer(AnalysisConfig(model_enabled=False), facts), args.rounds)
    on = measure(posts, Analyzer(AnalysisConfig(), facts), args.rounds)
    print(f"classify, model off: {off['classify']:,.0f} posts/s, ratio to tokenize {off['ratio']:.3f}")
    print(f"classify, model on:  {on['classify']:,.0f} posts/s, ratio to tokenize {on['ratio']:.3f}")
    print(f"model on / off: {on['classify'] / off['classify']:.3f}")
    print(f"the model's cost in classify: {1e6 / on['classify'] - 1e6 / off['classify']:.1f} µs/post")
    return 0


if __name__ == "__main__":
    sys.exit(main())
