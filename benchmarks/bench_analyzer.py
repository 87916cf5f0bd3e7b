"""Throughput of search.text.analyzer.analyze against Whoosh's StemmingAnalyzer on real medical text.

Usage: python benchmarks/bench_analyzer.py [--lines N] [--repeat R]

Reads the ``text`` fields of the first N lines of NFCorpus (``<shared>/data/nfcorpus/corpus.jsonl``;
``<shared>`` is ``HEALTHSEARCH_SHARED`` or the ``shared`` folder next to the project) and prints
words/s (whitespace-separated words of the input) for both analyzers, the best of R runs each,
after one warm-up run (so per-word caches are warm, as they are during a long indexing run).
A cold first pass is reported for ours too.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from search.text import analyzer as analysis  # noqa: E402


def shared_dir() -> Path:
    env = os.environ.get("HEALTHSEARCH_SHARED")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared"


def load_texts(lines: int) -> list[str]:
    path = shared_dir() / "data" / "nfcorpus" / "corpus.jsonl"
    texts: list[str] = []
    with path.open(encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i >= lines:
                break
            texts.append(json.loads(line)["text"])
    return texts


def best_time(run: Callable[[], int], repeat: int) -> tuple[float, int]:
    best = float("inf")
    count = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        count = run()
        best = min(best, time.perf_counter() - t0)
    return best, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    texts = load_texts(args.lines)
    words = sum(len(t.split()) for t in texts)
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6

    def ours() -> int:
        return sum(len(analysis.analyze(t)) for t in texts)

    from whoosh.analysis import StemmingAnalyzer

    whoosh_analyzer = StemmingAnalyzer()

    def whoosh() -> int:
        n = 0
        for t in texts:
            for _tok in whoosh_analyzer(t, positions=True, chars=True):
                n += 1
        return n

    t0 = time.perf_counter()
    ours()
    cold = time.perf_counter() - t0
    ours_t, ours_n = best_time(ours, args.repeat)
    whoosh()  # warm its stem cache too
    whoosh_t, whoosh_n = best_time(whoosh, args.repeat)

    print(f"cpu_count: {os.cpu_count()}   python {sys.version.split()[0]}")
    print(f"input: {len(texts)} documents, {words:,} words, {mb:.2f} MB")
    print(f"ours  (cold, first pass): {words / cold:>12,.0f} words/s")
    warm = f"ours  (warm, best of {args.repeat}):"
    print(f"{warm:<26}{words / ours_t:>12,.0f} words/s  ({ours_n:,} tokens)")
    print(f"whoosh StemmingAnalyzer:  {words / whoosh_t:>12,.0f} words/s  ({whoosh_n:,} tokens)")
    print(f"ratio ours/whoosh: {whoosh_t / ours_t:.2f}x")


if __name__ == "__main__":
    main()
