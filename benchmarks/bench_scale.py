"""Speed and scale: ingest, indexing, no-op re-run, query latency and CLI time at 10k-1M articles,
each against plain Whoosh with its defaults on the same data in the same run.

Usage: python benchmarks/bench_scale.py [--figure ingest|index|noop|query|cli|LIST|all]
           [--sizes 10000,100000] [--html-sizes 2000,10000] [--seed S] [--keep DIR]
           [--cli-queries N] [--query-repeat R] [--query-warmup W] [--json] [--json-out FILE]

Figures (each printed with the core count, ours, plain Whoosh, ours/plain and peak RSS):

* ``ingest`` (a): full build from generated HTML pages (``--html-sizes``), pages/s. Plain
  Whoosh parses each page with BeautifulSoup/lxml and indexes title + whole body text.
* ``index`` (b): full build from pre-extracted articles (JSONL feeds of 10,000 lines), docs/s.
* ``noop`` (c): a re-run over N unchanged one-article files after a full build, files/s.
  Plain Whoosh runs the "Incremental indexing" recipe of its docs (stored path + mtime).
* ``query`` (d): latency p50/p95 of the NFCorpus test queries (the 325 with judgments) through
  the library (``SearchIndex.search(text)``: 10 hits with snippets and query expansion, the
  defaults) on the index of figure (b), after ``--query-warmup`` untimed queries (index files
  in the page cache, searcher open, lazy imports done); also nDCG@10 of those 10 hits.
* ``cli`` (e): wall time of ``healthsearch query TEXT --index DIR`` as a new process
  (interpreter start included), over ``--cli-queries`` test queries after 3 warm-up calls;
  plain: ``python benchmarks/plain_whoosh.py query --index DIR TEXT``.

Corpora come from ``benchmarks/corpus_gen.py`` (the 3,395 NFCorpus documents plus generated
articles, deterministic for ``--seed``) into a temporary folder, removed at the end unless
``--keep DIR`` (then generated corpora found there are reused; indexes are always rebuilt).
Every measured operation runs in its own child process; its peak RSS is that child's
``ru_maxrss`` (``os.wait4``, the kernel's RUSAGE_CHILDREN figure for that one child), so each
figure has its own peak. That is the largest single process: when the library runs worker
processes (parallel extraction), the notes also give ``*_tree_rss_mb``, the peak of the summed
PSS of the child and its workers sampled every 100 ms. RSS also counts the index files Whoosh
maps into memory (reclaimable page cache), so the notes give ``*_anon_mb`` too: the sampled peak
of anonymous memory (the heap) of the child and its workers. ``BENCH_SCALE_PROFILE=DIR`` runs every task under cProfile and dumps
``DIR/<task>-....prof`` (figures then include the profiler's overhead). Timings are taken inside the child around the library call, except
for ``cli`` (wall time around the process). Between sizes the growth of each figure is printed,
with a log-log extrapolation to 1,000,000 articles.
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
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(HERE))

FIGURES = ("ingest", "index", "noop", "query", "cli")
FEED_SHARD = 10_000
#: When set to a folder, every task runs under cProfile and dumps its stats there (timings
#: then include the profiler's overhead: use it to find bottlenecks, not to report figures).
PROFILE_ENV = "BENCH_SCALE_PROFILE"


def shared_dir() -> Path:
    env = os.environ.get("HEALTHSEARCH_SHARED")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared"


def git_commit() -> str:
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}
    try:
        done = subprocess.run(["git", "-C", str(PROJECT), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, timeout=10, env=env, check=True)
        commit = done.stdout.strip()
        status = subprocess.run(["git", "-C", str(PROJECT), "status", "--porcelain", "--", "search"],
                                capture_output=True, text=True, timeout=10, env=env, check=True)
        return commit + (" (uncommitted changes in search/)" if status.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def dir_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


# -- tasks: the work each child process does -----------------------------------------------------


def test_queries() -> tuple[dict[str, str], dict[str, dict[str, int]]]:
    """The NFCorpus test queries that have a relevant judgment, and the judgments."""
    from search import evaluation

    data = shared_dir() / "data" / "nfcorpus"
    queries = evaluation.read_queries(data / "queries.jsonl")
    qrels = evaluation.read_qrels(data / "qrels" / "test.tsv")
    wanted = {qid: queries[qid] for qid in sorted(qrels) if qid in queries and any(g > 0 for g in qrels[qid].values())}
    return wanted, qrels


def task_ours_build(src: str, index: str, rebuild: bool = True) -> dict[str, Any]:
    import search

    started = time.perf_counter()
    report = search.index([src], index, rebuild=rebuild)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "added": report.added, "updated": report.updated, "unchanged": report.unchanged,
            "removed": report.removed, "failed": report.failed}


def task_plain_build(kind: str, src: str, index: str) -> dict[str, Any]:
    import plain_whoosh

    build = {"jsonl": plain_whoosh.build_jsonl, "html": plain_whoosh.build_html, "files": plain_whoosh.build_files}[kind]
    started = time.perf_counter()
    docs = build(Path(src), Path(index))
    return {"seconds": time.perf_counter() - started, "docs": docs}


def task_plain_noop(src: str, index: str) -> dict[str, Any]:
    import plain_whoosh

    started = time.perf_counter()
    counts = plain_whoosh.incremental(Path(src), Path(index))
    return {"seconds": time.perf_counter() - started, **counts}


def _latencies(
    run_one: Any, texts: list[tuple[str, str]], repeat: int, warmup: int
) -> tuple[list[float], dict[str, list[str]], int]:
    for _qid, text in texts[-warmup:] if warmup else []:  # warm-up: page cache, lazy imports, searcher
        try:
            run_one(text)
        except Exception:  # noqa: BLE001 - a rejected query is counted below
            pass
    latencies: list[float] = []
    ranked: dict[str, list[str]] = {}
    failed = 0
    for _ in range(repeat):
        for qid, text in texts:
            t0 = time.perf_counter()
            try:
                ids = run_one(text)
            except Exception:  # noqa: BLE001
                ids = []
                failed += 1
            latencies.append((time.perf_counter() - t0) * 1000)
            ranked[qid] = ids
    return latencies, ranked, failed


def _query_result(latencies: list[float], ranked: dict[str, list[str]], failed: int, qrels: Any) -> dict[str, Any]:
    from search import evaluation

    ndcg = [evaluation.ndcg(ranked[qid], qrels[qid], 10) for qid in ranked]
    return {"p50": percentile(latencies, 50), "p95": percentile(latencies, 95), "mean": sum(latencies) / len(latencies),
            "max": max(latencies), "samples": len(latencies), "failed": failed, "ndcg10": sum(ndcg) / len(ndcg)}


def task_ours_query(index: str, repeat: int, warmup: int) -> dict[str, Any]:
    import search

    queries, qrels = test_queries()
    ix = search.open_index(index)

    def run_one(text: str) -> list[str]:
        return [hit.id for hit in ix.search(text).hits]

    return _query_result(*_latencies(run_one, list(queries.items()), repeat, warmup), qrels)


def task_plain_query(index: str, repeat: int, warmup: int) -> dict[str, Any]:
    import plain_whoosh

    queries, qrels = test_queries()
    searcher = plain_whoosh.Searcher(Path(index))

    def run_one(text: str) -> list[str]:
        return [hit["id"] for hit in searcher.search(text)]

    return _query_result(*_latencies(run_one, list(queries.items()), repeat, warmup), qrels)


TASKS = {
    "ours_build": task_ours_build,
    "plain_build": task_plain_build,
    "plain_noop": task_plain_noop,
    "ours_query": task_ours_query,
    "plain_query": task_plain_query,
}


def run_task(name: str, **kwargs: Any) -> dict[str, Any]:
    """Run one task in a child process; its result plus the child's own peak RSS (MB)."""
    tree: dict[str, float] = {}
    with tempfile.NamedTemporaryFile("r", suffix=".json") as out:
        command = [sys.executable, str(Path(__file__).resolve()), "--_task", json.dumps([name, kwargs, out.name])]
        peak, code, _wall = run_measured(command, tree)
        if code != 0:
            raise RuntimeError(f"task {name} {kwargs} failed with exit code {code}")
        result = json.loads(Path(out.name).read_text())
    result["peak_rss_mb"] = peak
    result["tree_rss_mb"] = tree["peak_mb"]
    result["anon_mb"] = tree.get("anon_peak_mb", 0.0)
    return result


def run_measured(command: list[str], tree: dict[str, float] | None = None, **popen: Any) -> tuple[float, int, float]:
    """Run ``command``; its peak RSS in MB, exit code and wall seconds.

    The peak is ``ru_maxrss`` from ``os.wait4``: the largest single process among the child and
    the worker processes it waited for (not their sum). When ``tree`` is given, the summed PSS
    (proportional set size: shared pages split between the processes sharing them) of the child
    and all its descendants is also sampled every 100 ms from /proc and its peak stored in
    ``tree["peak_mb"]``: what a multi-process run really holds at once.
    """
    started = time.perf_counter()
    child = subprocess.Popen(command, **popen)
    sampler = None
    if tree is not None:
        tree["peak_mb"] = 0.0
        sampler = threading.Thread(target=_sample_tree, args=(child, tree), daemon=True)
        sampler.start()
    _pid, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if sampler is not None:
        sampler.join()
    return usage.ru_maxrss / 1024, child.returncode, wall  # Linux: ru_maxrss is in KiB


def _sample_tree(child: subprocess.Popen[Any], tree: dict[str, float]) -> None:
    while child.returncode is None:
        parents: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat", "rb") as f:
                        parents[int(entry)] = int(f.read().rsplit(b")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
        family = {child.pid}
        grew = True
        while grew:
            grew = False
            for pid, ppid in parents.items():
                if ppid in family and pid not in family:
                    family.add(pid)
                    grew = True
        total_kb = anon_kb = 0
        for pid in family:
            try:
                with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
                    for line in f:
                        if line.startswith(b"Pss:"):
                            total_kb += int(line.split()[1])
                        elif line.startswith(b"Anonymous:"):
                            anon_kb += int(line.split()[1])
            except (OSError, ValueError):
                continue
        tree["peak_mb"] = max(tree["peak_mb"], total_kb / 1024)
        tree["anon_peak_mb"] = max(tree.get("anon_peak_mb", 0.0), anon_kb / 1024)
        time.sleep(0.1)


# -- data ----------------------------------------------------------------------------------------


class Workspace:
    """Generated corpora and indexes under one folder."""

    def __init__(self, root: Path, seed: int, reuse: bool) -> None:
        self.root = root
        self.seed = seed
        self.reuse = reuse
        self.built: dict[tuple[str, int], Path] = {}

    def corpus(self, layout: str, n: int) -> Path:
        """``html`` pages, ``feed`` (JSONL shards) or ``files`` (one JSONL file per article)."""
        import corpus_gen

        folder = self.root / "data" / f"{layout}-{n}-seed{self.seed}"
        marker = folder / ".done.json"
        if self.reuse and marker.is_file():
            return folder
        shutil.rmtree(folder, ignore_errors=True)
        started = time.perf_counter()
        fmt = "html" if layout == "html" else "jsonl"
        info = corpus_gen.write_corpus(folder, n, fmt, self.seed, shard_size=FEED_SHARD if layout == "feed" else 1)
        info["seconds"] = round(time.perf_counter() - started, 1)
        marker.write_text(json.dumps(info))
        log(f"  generated {layout} corpus of {n:,} articles: {info['files']:,} files, "
            f"{info['bytes'] / 1e6:,.0f} MB in {info['seconds']:.0f} s")
        return folder

    def index_dir(self, name: str) -> Path:
        path = self.root / "indexes" / name
        shutil.rmtree(path, ignore_errors=True)
        return path

    def feed_indexes(self, n: int) -> tuple[Path, Path, dict[str, Any]]:
        """Our and plain Whoosh's indexes of the ``n``-article feed (built once per run)."""
        if ("feed", n) in self.built:
            return self.built[("feed", n)], self.built[("feed-plain", n)], {}
        src = self.corpus("feed", n)
        ours, plain = self.index_dir(f"feed-ours-{n}"), self.index_dir(f"feed-plain-{n}")
        o = run_task("ours_build", src=str(src), index=str(ours))
        p = run_task("plain_build", kind="jsonl", src=str(src), index=str(plain))
        if o["failed"]:
            log(f"  warning: {o['failed']} failures while indexing {src}")
        self.built[("feed", n)], self.built[("feed-plain", n)] = ours, plain
        return ours, plain, {"ours": o, "plain": p}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- figures -------------------------------------------------------------------------------------


def row(figure: str, size: int, metric: str, ours: float, plain: float, o: dict[str, Any], p: dict[str, Any],
        **extra: Any) -> dict[str, Any]:
    """One table row; ``o`` and ``p`` are the task results holding the peak RSS figures."""
    tree = {}
    for impl, res in (("ours", o), ("plain", p)):
        if res.get("tree_rss_mb", 0) > res["peak_rss_mb"] * 1.1:  # worker processes held memory too
            tree[f"{impl}_tree_rss_mb"] = round(res["tree_rss_mb"])
        if "anon_mb" in res:  # RSS counts mapped index files too (Whoosh mmaps them); this is the heap
            tree[f"{impl}_anon_mb"] = round(res["anon_mb"])
    return {"figure": figure, "size": size, "metric": metric, "ours": round(ours, 3), "plain": round(plain, 3),
            "ratio": round(ours / plain, 3) if plain else None, "ours_rss_mb": round(o["peak_rss_mb"]),
            "plain_rss_mb": round(p["peak_rss_mb"]), "cpus": os.cpu_count(), **tree, **extra}


def figure_ingest(ws: Workspace, n: int) -> list[dict[str, Any]]:
    src = ws.corpus("html", n)
    o = run_task("ours_build", src=str(src), index=str(ws.index_dir(f"html-ours-{n}")))
    p = run_task("plain_build", kind="html", src=str(src), index=str(ws.index_dir(f"html-plain-{n}")))
    docs = o["added"] + o["updated"] + o["unchanged"]
    return [row("ingest", n, "pages/s", n / o["seconds"], n / p["seconds"], o, p,
                ours_s=round(o["seconds"], 1), plain_s=round(p["seconds"], 1), indexed=docs, failed=o["failed"],
                html_mb=round(dir_mb(src)))]


def figure_index(ws: Workspace, n: int) -> list[dict[str, Any]]:
    ws.built.pop(("feed", n), None)  # this figure measures the build: always do it
    ours, plain, runs = ws.feed_indexes(n)
    o, p = runs["ours"], runs["plain"]
    docs = o["added"] + o["updated"] + o["unchanged"]
    return [row("index", n, "docs/s", docs / o["seconds"], p["docs"] / p["seconds"], o, p, ours_s=round(o["seconds"], 1), plain_s=round(p["seconds"], 1),
                ours_index_mb=round(dir_mb(ours)), plain_index_mb=round(dir_mb(plain)))]


def figure_noop(ws: Workspace, n: int) -> list[dict[str, Any]]:
    src = ws.corpus("files", n)
    ours, plain = ws.index_dir(f"files-ours-{n}"), ws.index_dir(f"files-plain-{n}")
    ob = run_task("ours_build", src=str(src), index=str(ours))
    pb = run_task("plain_build", kind="files", src=str(src), index=str(plain))
    o = run_task("ours_build", src=str(src), index=str(ours), rebuild=False)
    p = run_task("plain_noop", src=str(src), index=str(plain))
    if o["unchanged"] != n or o["added"] or o["updated"] or o["removed"]:
        log(f"  warning: no-op run was not a no-op: {o}")
    if p["added"] or p["changed"] or p["deleted"]:
        log(f"  warning: plain no-op run was not a no-op: {p}")
    return [row("noop", n, "files/s", n / o["seconds"], n / p["seconds"], o, p,
                ours_s=round(o["seconds"], 2), plain_s=round(p["seconds"], 2),
                build_ours_s=round(ob["seconds"], 1), build_plain_s=round(pb["seconds"], 1))]


def figure_query(ws: Workspace, n: int, repeat: int, warmup: int) -> list[dict[str, Any]]:
    ours, plain, _ = ws.feed_indexes(n)
    o = run_task("ours_query", index=str(ours), repeat=repeat, warmup=warmup)
    p = run_task("plain_query", index=str(plain), repeat=repeat, warmup=warmup)
    extra = {"samples": o["samples"], "ours_ndcg10": round(o["ndcg10"], 4), "plain_ndcg10": round(p["ndcg10"], 4),
             "ours_failed": o["failed"], "plain_failed": p["failed"]}
    return [
        row("query", n, "p50 ms", o["p50"], p["p50"], o, p, **extra),
        row("query", n, "p95 ms", o["p95"], p["p95"], o, p, **extra),
    ]


def figure_cli(ws: Workspace, n: int, count: int) -> list[dict[str, Any]]:
    import search.evaluation  # noqa: F401 - light: no whoosh

    ours, plain, _ = ws.feed_indexes(n)
    queries, _qrels = test_queries()
    texts = list(queries.values())
    step = max(1, len(texts) // count)
    texts = texts[::step][:count]
    script = Path(sys.executable).parent / "healthsearch"
    ours_cmd = [str(script)] if script.exists() else [sys.executable, "-m", "search"]
    out: dict[str, tuple[list[float], float, int]] = {}
    for name, make in (
        ("ours", lambda t: [*ours_cmd, "query", t, "--index", str(ours)]),
        ("plain", lambda t: [sys.executable, str(HERE / "plain_whoosh.py"), "query", "--index", str(plain), t]),
    ):
        for text in texts[:3]:  # warm-up: page cache, .pyc files
            run_measured(make(text), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        walls: list[float] = []
        peak = 0.0
        failed = 0
        for text in texts:
            rss, code, wall = run_measured(make(text), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            walls.append(wall * 1000)
            peak = max(peak, rss)
            failed += code != 0
        out[name] = (walls, peak, failed)
    (ow, orss, of), (pw, prss, pf) = out["ours"], out["plain"]
    extra = {"samples": len(texts), "ours_failed": of, "plain_failed": pf}
    o, p = {"peak_rss_mb": orss}, {"peak_rss_mb": prss}
    return [
        row("cli", n, "p50 ms", percentile(ow, 50), percentile(pw, 50), o, p, **extra),
        row("cli", n, "p95 ms", percentile(ow, 95), percentile(pw, 95), o, p, **extra),
    ]


# -- report --------------------------------------------------------------------------------------

HIGHER_IS_BETTER = {"pages/s", "docs/s", "files/s"}


def print_table(rows: list[dict[str, Any]], header: str) -> None:
    print(header)
    print(f"{'figure':<7} {'size':>9} {'metric':<8} {'ours':>10} {'plain':>10} {'ours/plain':>10} "
          f"{'ours RSS MB':>11} {'plain RSS MB':>12} {'cpus':>4}  notes")
    for r in rows:
        notes = {k: v for k, v in r.items() if k not in ("figure", "size", "metric", "ours", "plain", "ratio",
                                                         "ours_rss_mb", "plain_rss_mb", "cpus")}
        ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else "-"
        print(f"{r['figure']:<7} {r['size']:>9,} {r['metric']:<8} {r['ours']:>10,.1f} {r['plain']:>10,.1f} "
              f"{ratio:>10} {r['ours_rss_mb']:>11,} {r['plain_rss_mb']:>12,} {r['cpus']:>4}  "
              + ", ".join(f"{k}={v}" for k, v in notes.items()))


def growth(rows: list[dict[str, Any]], target: int = 1_000_000) -> list[str]:
    """How each figure grows between the sizes measured, and a log-log extrapolation to ``target``."""
    lines = []
    keys = sorted({(r["figure"], r["metric"]) for r in rows}, key=lambda k: (FIGURES.index(k[0]), k[1]))
    for figure, metric in keys:
        series = sorted((r for r in rows if (r["figure"], r["metric"]) == (figure, metric)), key=lambda r: r["size"])
        if len(series) < 2:
            continue
        first, last = series[-2], series[-1]
        parts = []
        for impl in ("ours", "plain"):
            a, b = first[impl], last[impl]
            if a <= 0 or b <= 0:
                continue
            slope = math.log(b / a) / math.log(last["size"] / first["size"])
            at_target = b * (target / last["size"]) ** slope
            text = f"{impl} x{b / a:.2f} (slope {slope:+.2f}; at {target:,}: {at_target:,.1f} {metric}"
            if metric in HIGHER_IS_BETTER:
                text += f" = {target / at_target / 60:,.0f} min"
            parts.append(text + ")")
        lines.append(f"{figure} {metric} {first['size']:,} -> {last['size']:,}: " + "; ".join(parts))
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--figure", default="all", help="ingest, index, noop, query, cli, a comma list, or all")
    parser.add_argument("--sizes", default="10000,100000", help="corpus sizes for index/noop/query/cli")
    parser.add_argument("--html-sizes", default="2000,10000", help="corpus sizes for HTML ingest")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="work folder to keep (reuses generated corpora found there)")
    parser.add_argument("--cli-queries", type=int, default=25, help="test queries timed through the CLI")
    parser.add_argument("--query-repeat", type=int, default=1, help="timed passes over the test queries (default 1)")
    parser.add_argument("--query-warmup", type=int, default=25,
                        help="untimed queries first (the last N test queries; default 25)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--json-out", type=Path, help="also write the JSON object to FILE")
    parser.add_argument("--_task", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args._task:
        name, kwargs, out = json.loads(args._task)
        profile_dir = os.environ.get(PROFILE_ENV)
        if not profile_dir:
            Path(out).write_text(json.dumps(TASKS[name](**kwargs)))
            return 0
        import cProfile

        profiler = cProfile.Profile()
        result = profiler.runcall(TASKS[name], **kwargs)
        stem = f"{name}-{kwargs.get('kind', '')}-{Path(kwargs.get('index', 'x')).name}-{int(time.time())}"
        profiler.dump_stats(str(Path(profile_dir) / f"{stem}.prof"))
        Path(out).write_text(json.dumps(result))
        return 0

    if not (shared_dir() / "data" / "nfcorpus" / "corpus.jsonl").is_file():
        print("error: NFCorpus not found (set HEALTHSEARCH_SHARED to the shared folder)", file=sys.stderr)
        return 2
    figures = FIGURES if args.figure == "all" else tuple(f for f in FIGURES if f in args.figure.split(","))
    unknown = set(args.figure.split(",")) - {*FIGURES, "all"}
    if unknown or not figures:
        parser.error(f"--figure: unknown {', '.join(sorted(unknown)) or args.figure!r} (use {', '.join(FIGURES)} or all)")
    sizes = [int(s) for s in args.sizes.split(",") if s]
    html_sizes = [int(s) for s in args.html_sizes.split(",") if s]
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-scale-"))
    root.mkdir(parents=True, exist_ok=True)
    ws = Workspace(root, args.seed, reuse=args.keep is not None)
    header = (f"healthsearch {git_commit()}; cpu_count {os.cpu_count()}; python {sys.version.split()[0]}; "
              f"seed {args.seed}; started {time.strftime('%Y-%m-%d %H:%M:%S')}")
    log(header)
    rows: list[dict[str, Any]] = []
    started = time.perf_counter()
    try:
        for figure in figures:
            for n in html_sizes if figure == "ingest" else sizes:
                log(f"{figure} at {n:,} articles...")
                t0 = time.perf_counter()
                if figure == "ingest":
                    new = figure_ingest(ws, n)
                elif figure == "index":
                    new = figure_index(ws, n)
                elif figure == "noop":
                    new = figure_noop(ws, n)
                elif figure == "query":
                    new = figure_query(ws, n, args.query_repeat, args.query_warmup)
                else:
                    new = figure_cli(ws, n, args.cli_queries)
                for r in new:
                    r["figure_seconds"] = round(time.perf_counter() - t0)
                rows += new
                print_table(new, "") if not args.json else None
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
        else:
            log(f"work folder kept: {root}")
    result = {"header": header, "cpu_count": os.cpu_count(), "seconds": round(time.perf_counter() - started),
              "rows": rows, "growth": growth(rows)}
    if args.json_out:
        args.json_out.write_text(json.dumps(result, indent=2) + "\n")
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print()
        print_table(rows, header)
        for line in result["growth"]:
            print("growth: " + line)
        print(f"total {result['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
