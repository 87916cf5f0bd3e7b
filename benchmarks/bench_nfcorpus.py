"""Retrieval quality and speed on NFCorpus: nDCG@10, recall@100, MRR@10, query latency, indexing rate.

Usage: python benchmarks/bench_nfcorpus.py [--split {train,dev,test,all}] [--queries {titles,vid-desc,all}]
                                           [--index DIR] [--keep] [--json]

Indexes ``<shared>/data/nfcorpus/corpus.jsonl`` (``<shared>`` is ``HEALTHSEARCH_SHARED`` or the
``shared`` folder next to the project) into a temporary folder, removed afterwards unless
``--keep`` (or into ``--index DIR``, always rebuilt from scratch so the timing is a full build),
then runs every query of the query set that has a relevant judgment in ``qrels/<split>.tsv``
through ``SearchIndex.search(text, limit=100, snippets=False)``, with the default settings and
with words only (``expand=False``) side by side, and scores the runs with ``search.evaluation``.
Query sets: ``titles`` (``queries.jsonl``, short) and ``vid-desc`` (``queries-vid-desc.jsonl``,
long descriptions; only some judged queries have one). Queries the engine rejects
(QuerySyntaxError) count as 0. ``--split all`` reports dev and test; ``--queries all`` both sets.
``train`` (2,594 titles, 812 long queries; almost all its judgments point at this corpus's
documents too) is the large set to tune on, dev the check. Report ``test`` once per change.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

import search  # noqa: E402
from search import evaluation  # noqa: E402

SPLITS = ("dev", "test")  # what --split all reports; train is asked for by name
QUERY_SETS = {"titles": "queries.jsonl", "vid-desc": "queries-vid-desc.jsonl"}
MODES = {"default": True, "words only": False}  # name -> expand


def shared_dir() -> Path:
    env = os.environ.get("HEALTHSEARCH_SHARED")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared"


def git_commit() -> tuple[str, bool | None]:
    """Short HEAD commit ("unknown" outside a checkout) and whether the working tree differs."""

    def git(*args: str) -> str:
        # GIT_OPTIONAL_LOCKS=0: `git status` must not refresh (write) the index
        env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}
        done = subprocess.run(
            ["git", "-C", str(PROJECT), *args], capture_output=True, text=True, timeout=10, env=env, check=True
        )
        return done.stdout.strip()

    try:
        commit = git("rev-parse", "--short", "HEAD")
    except (OSError, subprocess.SubprocessError):
        return "unknown", None
    try:
        dirty: bool | None = bool(git("status", "--porcelain", "--untracked-files=normal", "--", "search"))
    except (OSError, subprocess.SubprocessError):
        dirty = None
    return commit, dirty


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def build(corpus: Path, index_dir: Path) -> dict[str, Any]:
    t0 = time.perf_counter()
    report = search.index([corpus], index_dir, rebuild=True)
    seconds = time.perf_counter() - t0
    docs = report.added + report.updated + report.unchanged
    for path, reason in report.failures[:5]:
        print(f"warning: not indexed: {path}: {reason}", file=sys.stderr)
    return {
        "docs": docs,
        "failed": report.failed,
        "seconds": round(seconds, 2),
        "docs_per_s": round(docs / seconds, 1) if seconds > 0 else 0.0,
    }


def run_split(index: Any, data: Path, split: str, queries: dict[str, str], expand: bool = True) -> dict[str, Any]:
    qrels = evaluation.read_qrels(data / "qrels" / f"{split}.tsv")
    qids = [qid for qid, judged in qrels.items() if qid in queries and any(grade > 0 for grade in judged.values())]
    latencies: list[float] = []

    def ranked(text: str) -> list[tuple[str, float]]:
        t0 = time.perf_counter()
        try:
            results = index.search(text, limit=100, snippets=False, expand=expand)
        finally:
            latencies.append((time.perf_counter() - t0) * 1000)
        return [(hit.id, hit.score) for hit in results.hits]

    run, failed = evaluation.run_queries(queries, ranked, qids)
    for qid, reason in list(failed.items())[:5]:
        print(f"warning: {split} query {qid} failed: {reason}", file=sys.stderr)
    metrics = evaluation.evaluate(run, {qid: qrels[qid] for qid in qids})
    return {
        **metrics.to_dict(),
        "failed": len(failed),
        "latency_ms": {"p50": round(percentile(latencies, 50), 2), "p95": round(percentile(latencies, 95), 2)},
    }


def print_text(result: dict[str, Any]) -> None:
    dirty = {True: ", uncommitted changes in search/", False: "", None: ""}[result["dirty"]]
    ix = result["index"]
    print(f"healthsearch {result['commit']}{dirty}; cpu_count {result['cpu_count']}")
    print(f"indexing: {ix['docs']} docs in {ix['seconds']:.2f} s ({ix['docs_per_s']:.0f} docs/s), {ix['failed']} failed")
    print(
        f"{'split':<6} {'queries':<9} {'settings':<11} {'n':>4} {'nDCG@10':>8} {'recall@100':>10} {'MRR@10':>7}"
        f" {'p50 ms':>7} {'p95 ms':>7} {'failed':>6}"
    )
    for split, sets in result["splits"].items():
        for query_set, modes in sets.items():
            for mode, m in modes.items():
                lat = m["latency_ms"]
                print(
                    f"{split:<6} {query_set:<9} {mode:<11} {m['queries']:>4} {m['ndcg@10']:>8.4f} {m['recall@100']:>10.4f}"
                    f" {m['mrr@10']:>7.4f} {lat['p50']:>7.2f} {lat['p95']:>7.2f} {m['failed']:>6}"
                )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("train", *SPLITS, "all"), default="test")
    parser.add_argument("--queries", choices=(*QUERY_SETS, "all"), default="all", help="query set(s) to run")
    parser.add_argument("--index", type=Path, help="index folder to (re)build and keep (default: a temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary index and print its path")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args()

    data = shared_dir() / "data" / "nfcorpus"
    corpus = data / "corpus.jsonl"
    if not corpus.is_file():
        print(f"error: {corpus} not found (set HEALTHSEARCH_SHARED to the shared folder)", file=sys.stderr)
        return 2
    splits = SPLITS if args.split == "all" else (args.split,)

    index_dir = args.index or Path(tempfile.mkdtemp(prefix="healthsearch-nfcorpus-"))
    try:
        built = build(corpus, index_dir)
        index = search.open_index(index_dir)
        sets = QUERY_SETS if args.queries == "all" else {args.queries: QUERY_SETS[args.queries]}
        queries = {name: evaluation.read_queries(data / file) for name, file in sets.items()}
        commit, dirty = git_commit()
        result = {
            "commit": commit,
            "dirty": dirty,
            "cpu_count": os.cpu_count(),
            "index": built,
            "splits": {
                split: {
                    name: {mode: run_split(index, data, split, texts, expand) for mode, expand in MODES.items()}
                    for name, texts in queries.items()
                }
                for split in splits
            },
        }
    except (search.HealthSearchError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        if args.index is None and not args.keep:
            shutil.rmtree(index_dir, ignore_errors=True)
        elif args.index is None:
            print(f"index kept in {index_dir}", file=sys.stderr)

    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_text(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
