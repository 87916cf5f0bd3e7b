"""What hostile input and the integrity checks cost, beside plain Whoosh on the same data.

Usage: python benchmarks/bench_safety.py [--keep DIR] [--json]

Builds, in a temporary folder, NFCorpus (``<shared>/data/nfcorpus/corpus.jsonl``, 3,395
documents) plus what an attacker or a careless scrape adds: one article whose body is a single
5 MB token, one with 100,000 links, and six copies of 200 NFCorpus documents. ``<shared>`` is
``HEALTHSEARCH_SHARED`` or the ``shared`` folder next to the project; nothing is copied into the
repository. Then, in the same run:

1. build seconds, healthsearch and plain Whoosh 2.7.4 with its defaults (``plain_whoosh.py``);
2. query milliseconds (best of 3, warm): 100 two-letter prefixes in one query (``aa* ab* ...``),
   a query whose best hit is the 5 MB-token article, and the NFCorpus test queries (p50/p95,
   for reference), each through ``SearchIndex.search`` with snippets and through plain Whoosh
   (``QueryParser`` with ``OrGroup``, BM25F, highlights);
3. the size of the JSON answer for the query that hits the 100,000-link article;
4. the integrity checks: the quick check made on opening a generation, the full verification
   an index run, rollback or ``check`` makes (seconds and MB/s), and the index size;
5. the peak memory (RSS) of a process before and after it reads a gzip feed that holds one
   256 MB line (the issue's had 1 GB), against the line itself (plain Whoosh reads no feeds).
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import plain_whoosh  # noqa: E402

import search  # noqa: E402
from search.storage import generations as store  # noqa: E402
from search.storage import integrity  # noqa: E402


def shared_dir() -> Path:
    return Path(os.environ.get("HEALTHSEARCH_SHARED") or ROOT.parent / "shared")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] if ordered else 0.0


def best_ms(call: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        call()
        times.append((time.perf_counter() - t0) * 1000)
    return min(times)


def write_corpus(folder: Path, nfcorpus: Path) -> None:
    folder.mkdir(parents=True)
    lines = nfcorpus.read_text(encoding="utf-8").splitlines()
    (folder / "nfcorpus.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    hostile = [
        {"id": "one-token", "title": "Zyxwvut single token page", "body": "q" * 5_000_000 + " zyxwvut"},
        {"id": "many-links", "title": "Qwertyuiop link farm", "body": "A qwertyuiop page that links to everything.",
         "links": [{"url": f"https://farm.example/{n}", "text": f"link {n}", "kind": "body"} for n in range(100_000)]},
    ]
    copies = [json.loads(line) for line in lines[:200]]
    for n in range(6):
        hostile.extend({**doc, "_id": f"copy{n}-{doc['_id']}"} for doc in copies)
    (folder / "hostile.jsonl").write_text("".join(json.dumps(r) + "\n" for r in hostile), encoding="utf-8")


def plain_query(ix: Any) -> Callable[[str], int]:
    from whoosh.qparser import OrGroup, QueryParser
    from whoosh.scoring import BM25F

    parser = QueryParser("body", ix.schema, group=OrGroup)
    searcher = ix.searcher(weighting=BM25F())

    def run(text: str) -> int:
        results = searcher.search(parser.parse(text), limit=10)
        for hit in results:
            hit.highlights("body")
        return len(results)

    return run


def feed_bomb_rss_mb(work: Path) -> tuple[float, float]:
    """(peak RSS of a child process before and after reading the bomb feed), in MB."""
    bomb = work / "bomb" / "bomb.jsonl.gz"
    bomb.parent.mkdir()
    with gzip.open(bomb, "wb", compresslevel=1) as out:
        out.write(b'{"id": "bomb", "body": "')
        chunk = b"a" * (1 << 20)
        for _ in range(256):
            out.write(chunk)
        out.write(b'"}\n{"id": "after", "body": "still read"}\n')
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across exec.
    code = (
        "import re; from pathlib import Path; from search.ingest.files import iter_file\n"
        "def hwm(): return int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1))\n"
        "before = hwm()\n"
        f"items = list(iter_file(Path({str(bomb)!r})))\n"
        "print(before / 1024, hwm() / 1024)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    before, after = out.stdout.split()
    return float(before), float(after)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="work folder to keep")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    data = shared_dir() / "data" / "nfcorpus"
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-safety-"))
    corpus, ours_dir, plain_dir = work / "corpus", work / "index", work / "plain"
    write_corpus(corpus, data / "corpus.jsonl")
    out: dict[str, Any] = {"cpus": os.cpu_count()}

    t0 = time.perf_counter()
    report = search.index([corpus], ours_dir)
    out["build_s"] = {"ours": round(time.perf_counter() - t0, 2)}
    t0 = time.perf_counter()
    plain_whoosh.build_jsonl(corpus, plain_dir)
    out["build_s"]["plain"] = round(time.perf_counter() - t0, 2)
    out["warnings"] = [reason for _path, reason in report.warnings]

    from whoosh import index as whoosh_index

    ix = search.open_index(ours_dir)
    plain = plain_query(whoosh_index.open_dir(str(plain_dir)))
    prefixes = " ".join(f"{a}{b}*" for a in "abcdefghijklmnopqrst" for b in "aeiou")
    out["query_ms"] = {}
    for label, text in (("100 prefixes", prefixes), ("5 MB-token page", "zyxwvut")):
        ix.search(text)
        out["query_ms"][label] = {"ours": round(best_ms(lambda: ix.search(text)), 1),
                                  "plain": round(best_ms(lambda: plain(text)), 1)}
    queries = [json.loads(line)["text"] for line in (data / "queries.jsonl").read_text().splitlines()]
    test_ids = {line.split("\t")[0] for line in (data / "qrels" / "test.tsv").read_text().splitlines()[1:]}
    texts = [json.loads(line)["text"] for line in (data / "queries.jsonl").read_text().splitlines()
             if json.loads(line)["_id"] in test_ids] or queries[:300]
    for name, call in (("ours", lambda t: ix.search(t)), ("plain", plain)):
        times = []
        for text in texts:
            t0 = time.perf_counter()
            call(text)
            times.append((time.perf_counter() - t0) * 1000)
        out["query_ms"].setdefault("NFCorpus test p50/p95", {})[name] = (
            round(percentile(times, 50), 1), round(percentile(times, 95), 1))
    answer = ix.search("qwertyuiop").to_dict()
    out["json_bytes_link_farm_hit"] = len(json.dumps(answer))

    live = store.current(ours_dir)
    assert live is not None
    size = store.size_bytes(live)
    out["index_mb"] = round(size / 1e6, 1)
    out["verify_quick_ms"] = round(best_ms(lambda: integrity.verify(live, full=False)), 2)
    full_ms = best_ms(lambda: integrity.verify(live, full=True))
    out["verify_full_s"] = round(full_ms / 1000, 3)
    out["verify_full_mb_per_s"] = round(size / 1e6 / (full_ms / 1000), 1)
    before_mb, after_mb = feed_bomb_rss_mb(work)
    out["feed_bomb_peak_rss_mb"] = {"before reading": round(before_mb, 1), "after": round(after_mb, 1), "line": 256}

    if args.json:
        print(json.dumps(out, indent=2))
    else:
        for key, value in out.items():
            print(f"{key:32} {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
