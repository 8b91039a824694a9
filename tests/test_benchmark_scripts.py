"""The analysis benchmarks run on a small sample and print ratios (never timed here: the numbers are theirs)."""

from __future__ import annotations

import re

from benchmarks import analysis_throughput, analyze_store


def test_throughput_benchmark_prints_a_ratio_to_sudachi(capsys):
    assert analysis_throughput.main(["--posts", "200", "--rounds", "1"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"sudachi tokenize: [\d,]+ posts/s", out)
    assert re.search(r"ratio classify/tokenize: \d+\.\d{3} \((meets|below) the 0.5 target\)", out)


def test_store_benchmark_prints_its_ratio_and_one_thread_alert_for_the_pile_on(capsys):
    assert analyze_store.main(["--replies", "300", "--batch", "100"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"ratio analyze_new/classify: \d+\.\d{3}", out)
    assert "300 replies under one official post" in out
    assert int(re.search(r"thread alerts: (\d+)", out).group(1)) <= 1  # never one per reply
