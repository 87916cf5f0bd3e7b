"""How far WCXB-dev's F1 can go from here: the ceilings an extraction change could reach.

    .venv/bin/python benchmarks/extraction_ceiling.py [--half dev|held|all]

Extracts every page of ../shared/data/extraction/wcxb-dev (or one domain-disjoint half, as in
bench_extraction.py) with healthsearch's extractor and scores it with the benchmark's own metric
(../shared/tools/eval_extract.py, imported and called, not copied). Beside the measured F1, per
page type, it prints three ceilings:

* ``filter``: healthsearch's output keeping only its paragraphs that are mostly (>= half of their
  4-gram shingles) in the reference: a perfect keep-or-drop judgment of each paragraph today's
  extractor renders, i.e. what precision work alone (no new text found) reaches;
* ``text recall``: the recall of the page's whole text (``soup.get_text()``): what is on the page
  at all (reference bodies missing from a saved page cap every extractor);
* ``empty truth``: pages whose reference body is empty: any output scores precision 0 there,
  and the issue's rule that a page with readable text never yields an empty body keeps one.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_extraction import SHARED, half  # the split's one home

sys.path.insert(0, str(SHARED / "tools"))
import eval_extract  # type: ignore[import-not-found]

DATASET = SHARED / "data" / "extraction" / "wcxb-dev"
MOSTLY_IN = 0.5


def _extract(job: tuple[str, str, str | None]) -> tuple[str, str, str]:
    """(key, healthsearch's body, the page's whole text) for one page."""
    from search.ingest.html import body_text

    key, path, url = job
    html = eval_extract.decode_html(eval_extract.read_maybe_gz(Path(path)))
    return key, body_text(html, url), eval_extract.ex_bs4_naive(html)


def _filtered(truth: str, prediction: str) -> str:
    """The prediction with only the paragraphs mostly in the reference (the output if none are)."""
    wanted = eval_extract.shingle_counts(truth)
    kept = []
    for paragraph in prediction.split("\n\n"):
        shingles = eval_extract.shingle_counts(paragraph)
        if not shingles or sum(1 for s in shingles if s in wanted) >= MOSTLY_IN * len(shingles):
            kept.append(paragraph)
    return "\n\n".join(kept) or prediction


def _rows(pages: dict[str, dict[str, Any]], found: dict[str, tuple[str, str]]) -> Iterator[list[str]]:
    types = sorted({str(pages[key].get("page_type")) for key in found})
    for label in ["all", *types]:
        keys = [key for key in found if label == "all" or pages[key].get("page_type") == label]
        truth = {key: pages[key]["articleBody"] or "" for key in keys}
        ours = eval_extract.score(truth, {key: found[key][0] for key in keys}, n_boot=0)
        best = eval_extract.score(truth, {key: _filtered(truth[key], found[key][0]) for key in keys}, n_boot=0)
        recalls = [
            eval_extract.page_recall(*eval_extract.page_counts(truth[key], found[key][1]))
            for key in keys if eval_extract.tokens(truth[key])
        ]
        empty = sum(1 for key in keys if not eval_extract.tokens(truth[key]))
        yield [label, str(len(keys)), f"{ours['f1']:.3f}", f"{best['f1']:.3f}",
               f"{statistics.fmean(recalls) if recalls else 0.0:.3f}", str(empty)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--half", choices=["dev", "held", "all"], default="dev")
    args = parser.parse_args()
    pages: dict[str, dict[str, Any]] = eval_extract.load_dataset(DATASET)  # html: each page's file
    jobs = [
        (key, str(page["html"]), page.get("url"))
        for key, page in sorted(pages.items())
        if args.half == "all" or half(str(page["domain"])) == args.half
    ]
    with ProcessPoolExecutor(os.cpu_count() or 1) as pool:
        found = {key: (body, text) for key, body, text in pool.map(_extract, jobs, chunksize=8)}
    print(f"WCXB-dev, {args.half} pages")
    header = ["subset", "pages", "F1", "filter", "text recall", "empty truth"]
    print(" ".join(f"{name:>12}" for name in header))
    for row in _rows(pages, found):
        print(" ".join(f"{cell:>12}" for cell in row))


if __name__ == "__main__":
    main()
