"""Whole site mirrors indexed as they are: pages found by their bytes, copies merged, nothing lost.

Generates ``--sites`` wget-style mirrors of the bundled ``corpus/`` (``benchmarks/mirror_gen.py``:
every naming style, query-string copies, pages with wrong canonical tags, images, scripts,
styles...) in a temporary folder, indexes them with ``search.index``, and prints what was on
disk beside what was indexed: distinct pages, articles, copies merged, non-pages left out,
pages lost (must be 0), failures, and the seconds of the build and of a no-op re-run. Beside
it, plain Whoosh 2.7.4 as ``benchmarks/plain_whoosh.py`` indexes HTML (files named ``.html``):
what a name-based reader finds of the same mirrors.

    .venv/bin/python benchmarks/bench_mirror.py [--sites N] [--keep DIR] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import mirror_gen
import plain_whoosh

import search
from search.storage import generations
from search.storage.articles import ArticleStore


def write_sites(folder: Path, sites: int) -> list[mirror_gen.Mirror]:
    """``sites`` mirrors, ``site00.example``..., each a copy of the corpus under its own host."""
    return [
        mirror_gen.write_mirror(folder / f"site{n:02d}.example", host=f"site{n:02d}.example") for n in range(sites)
    ]


def ours(mirrors: list[mirror_gen.Mirror], index_dir: Path) -> dict[str, Any]:
    started = time.perf_counter()
    report = search.index([m.root for m in mirrors], index_dir)
    seconds = time.perf_counter() - started
    live = generations.current(index_dir)
    assert live is not None
    sources = [Path(state.source) for state in ArticleStore.open(live).states().values()]
    found = set()
    for source in sources:
        mirror = next(m for m in mirrors if m.root in source.parents)
        found.add((mirror.root.name, mirror.key_of(source)))
    pages = {(m.root.name, key) for m in mirrors for key in m.pages.values()}
    started = time.perf_counter()
    again = search.index([m.root for m in mirrors], index_dir)
    return {
        "articles": len(sources),
        "duplicates_merged": len(report.duplicates),
        "not_pages_left_out": sum(report.not_pages.values()),
        "not_pages": report.not_pages,
        "pages_lost": len(pages - found),
        "indexed_twice": len(sources) - len(found),
        "failed": report.failed,
        "seconds": round(seconds, 2),
        "noop_seconds": round(time.perf_counter() - started, 2),
        "noop_unchanged": again.unchanged,
        "summary": report.summary(),
    }


def plain(mirrors: list[mirror_gen.Mirror], work: Path) -> dict[str, Any]:
    """plain_whoosh.build_html over each mirror: the ``.html``-named files only."""
    started = time.perf_counter()
    docs = sum(plain_whoosh.build_html(m.root, work / f"plain-{m.root.name}") for m in mirrors)
    seconds = time.perf_counter() - started
    found, files = set(), 0
    for m in mirrors:
        for path in plain_whoosh.walk(m.root, ".html"):
            files += 1
            found.add((m.root.name, m.key_of(path)))
    pages = {(m.root.name, key) for m in mirrors for key in m.pages.values()}
    return {
        "articles": docs,
        "pages_lost": len(pages - found),
        "indexed_twice": files - len(found & pages),
        "seconds": round(seconds, 2),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=10, help="mirrors of the corpus, one per host (default 10)")
    parser.add_argument("--keep", type=Path, help="write the mirrors and indexes here and keep them")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-mirror-"))
    try:
        work.mkdir(parents=True, exist_ok=True)
        mirrors = write_sites(work / "mirrors", args.sites)
        on_disk = {
            "sites": args.sites,
            "distinct_pages": sum(m.distinct_pages for m in mirrors),
            "page_files": sum(len(m.pages) + len(m.copies) for m in mirrors),
            "copies": sum(len(m.copies) for m in mirrors),
            "not_pages": sum(sum(m.not_pages.values()) for m in mirrors),
            "wrong_canonical": sum(len(m.wrong_canonical) for m in mirrors),
        }
        result = {"on_disk": on_disk, "healthsearch": ours(mirrors, work / "index"), "plain_whoosh": plain(mirrors, work),
                  "cpus": os.cpu_count()}
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    disk, mine, theirs = result["on_disk"], result["healthsearch"], result["plain_whoosh"]
    print(f"on disk: {disk['sites']} mirrors, {disk['distinct_pages']} distinct pages in {disk['page_files']} page files"
          f" ({disk['copies']} copies), {disk['not_pages']} non-page files, {disk['wrong_canonical']} wrong canonical tags")
    print(f"{'':24}{'healthsearch':>14}{'plain Whoosh':>14}")
    rows = [
        ("articles indexed", mine["articles"], theirs["articles"]),
        ("pages lost", mine["pages_lost"], theirs["pages_lost"]),
        ("pages indexed twice", mine["indexed_twice"], theirs["indexed_twice"]),
        ("duplicates merged", mine["duplicates_merged"], "-"),
        ("non-pages left out", mine["not_pages_left_out"], "-"),
        ("failed", mine["failed"], "-"),
        ("build seconds", mine["seconds"], theirs["seconds"]),
        ("no-op re-run seconds", mine["noop_seconds"], "-"),
    ]
    for label, a, b in rows:
        print(f"{label:24}{a!s:>14}{b!s:>14}")
    print(f"summary: {mine['summary']}  (cpus: {result['cpus']})")
    return 0 if mine["pages_lost"] == 0 and mine["indexed_twice"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
