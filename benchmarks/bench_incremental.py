"""Cost of incremental indexing: a full build, then the re-runs a nightly cron job makes.

Usage: python benchmarks/bench_incremental.py [--pages N] [--seed S]

Generates N HTML pages (default 2000) in a temporary folder from real health text: sentences of
the article bodies in ``<shared>/data/extraction/aeb/ground-truth.json`` (the 13 pages listed in
``health-pages.tsv`` first, then the others), topped up with 20-word runs of NFCorpus abstracts
(``<shared>/data/nfcorpus/corpus.jsonl``) when more are needed. ``<shared>`` is
``HEALTHSEARCH_SHARED`` or the ``shared`` folder next to the project. Nothing is copied into the
repository: the pages and the index live in a temp folder removed at the end.

Then it times, with the library API (``search.index``):

1. a full build;
2. a no-op re-run (nothing changed: sizes and mtimes match, no file is read);
3. a re-run after touching every file's mtime, content unchanged (every file is read again);
4. a re-run after changing 1% of the files.

and prints seconds, files/s, the report counts, and the no-op / full ratio.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import random
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import search  # noqa: E402
from search.models import IndexReport  # noqa: E402

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")


def shared_dir() -> Path:
    env = os.environ.get("HEALTHSEARCH_SHARED")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared"


def sentences(text: str) -> list[str]:
    out = []
    for paragraph in text.split("\n"):
        for sentence in _SENTENCE_END.split(" ".join(paragraph.split())):
            if 6 <= len(sentence.split()) <= 80:
                out.append(sentence)
    return out


def load_sentences(needed: int) -> tuple[list[str], str]:
    """At least ``needed`` real sentences (fewer only if the shared data runs out) and their origin."""
    aeb = shared_dir() / "data" / "extraction" / "aeb"
    bodies = json.loads((aeb / "ground-truth.json").read_text(encoding="utf-8"))
    health_ids = [
        line.split("\t")[0]
        for line in (aeb / "health-pages.tsv").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    order = [i for i in health_ids if i in bodies] + sorted(i for i in bodies if i not in health_ids)
    pool: list[str] = []
    for doc_id in order:
        pool += sentences(bodies[doc_id].get("articleBody") or "")
    origin = f"{len(pool)} sentences from {len(order)} AEB article bodies"
    if len(pool) < needed:
        before = len(pool)
        with (shared_dir() / "data" / "nfcorpus" / "corpus.jsonl").open(encoding="utf-8") as feed:
            for line in feed:  # lower-cased, punctuation-free abstracts: take 20-word runs
                words = json.loads(line)["text"].split()
                pool += [" ".join(words[k : k + 20]).capitalize() + "." for k in range(0, len(words) - 5, 20)]
                if len(pool) >= needed:
                    break
        origin += f" + {len(pool) - before} from NFCorpus"
    return pool, origin


def page_html(slug: str, title: str, paragraphs: list[str], related: str) -> str:
    """A scraped-looking page: article body inside navigation, a related box and a footer."""
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    box = f'<ul><li><a href="/articles/{related}">More</a></li></ul>'
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{html.escape(title)} | Health Notes</title>
<link rel="canonical" href="https://health.example/articles/{slug}"></head>
<body><header><nav><a href="/">Home</a> <a href="/newsletter">Newsletter</a></nav></header>
<main><article><h1>{html.escape(title)}</h1>
<div class="article-body">{body}</div>
<aside class="recommend"><h3>Recommend</h3>{box}</aside>
</article></main><footer>Copyright Health Notes. Privacy policy.</footer></body></html>"""


def write_page(folder: Path, i: int, n: int, pool: list[str], rng: random.Random, edit: int = 0) -> None:
    paragraphs = [" ".join(rng.sample(pool, rng.randint(2, 4))) for _ in range(rng.randint(4, 9))]
    if edit:
        paragraphs.append(f"Revised {edit}: {rng.choice(pool)}")
    title = " ".join(rng.choice(pool).split()[:8]).rstrip(".,;:")
    related = f"p{rng.randrange(n):05d}"
    (folder / f"p{i:05d}.html").write_text(page_html(f"p{i:05d}", title, paragraphs, related), encoding="utf-8")


def timed(label: str, run: Callable[[], IndexReport], files: int, index_dir: Path) -> IndexReport:
    started = time.perf_counter()
    report = run()
    seconds = time.perf_counter() - started
    live = search.open_index(index_dir).stats().size_bytes
    print(
        f"{label:<22} {seconds:8.2f} s {files / seconds:9.0f} files/s   "
        f"added {report.added}, updated {report.updated}, unchanged {report.unchanged}, "
        f"removed {report.removed}, failed {report.failed}   live generation {live / 1e6:.1f} MB"
    )
    report.seconds = seconds
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000, help="number of pages to generate (default 2000)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    n = args.pages
    rng = random.Random(args.seed)
    pool, origin = load_sentences(needed=20 * n)

    with tempfile.TemporaryDirectory(prefix="bench-incremental-") as tmp:
        corpus, index_dir = Path(tmp) / "corpus", Path(tmp) / "index"
        corpus.mkdir()
        for i in range(n):
            write_page(corpus, i, n, pool, rng)
        size = sum(p.stat().st_size for p in corpus.iterdir())
        print(f"cpus {os.cpu_count()}, pages N={n} ({size / 1e6:.1f} MB HTML), text: {origin}")

        def run() -> IndexReport:
            return search.index([corpus], index_dir)

        full = timed("1. full build", run, n, index_dir)
        noop = timed("2. no-op re-run", run, n, index_dir)
        later = time.time() + 60
        for path in corpus.iterdir():
            os.utime(path, (later, later))
        timed("3. mtimes touched", run, n, index_dir)
        changed = max(1, n // 100)
        for i in rng.sample(range(n), changed):
            write_page(corpus, i, n, pool, rng, edit=1)
        timed(f"4. {changed} files changed", run, n, index_dir)
        print(f"index: {search.open_index(index_dir).stats().articles} articles")
        print(f"no-op / full = {noop.seconds / full.seconds:.4f}")


if __name__ == "__main__":
    main()
