"""Article-extraction quality and speed on the two human-annotated benchmarks, in one command.

    .venv/bin/python benchmarks/bench_extraction.py [--dataset aeb|wcxb|all] [--held] [--health-only] [--json]

Runs ../shared/tools/eval_extract.py (the benchmark's token-shingle F1; called, not copied) on
healthsearch's extractor and, for scale, on naive ``soup.get_text()``: every page is extracted
once per extractor, then scored on subsets. AEB (../shared/data/extraction/aeb, 181 pages, or its
13 health pages with ``--health-only``) is scored whole. WCXB-dev
(../shared/data/extraction/wcxb-dev, 1,497 pages) is scored whole, per page type, and on its
development half: the pages of half of its domains, chosen by a hash of the domain name, so no
site is in both halves. Tune on that half; ``--held`` adds the other half, to be read once per
change (see the README's rule: a change that only helps the pages it was fitted on shows there).
Prints F1, precision, recall, empty outputs and milliseconds per page. Set HEALTHSEARCH_SHARED to
use a shared folder elsewhere.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("HEALTHSEARCH_SHARED") or ROOT.parent / "shared")
EXTRACTORS = {"search.ingest.html:body_text": "healthsearch", "bs4_naive": "soup.get_text()"}
DATASETS = {"aeb": "aeb", "wcxb": "wcxb-dev"}
TOOL = SHARED / "tools" / "eval_extract.py"
BOOTSTRAP_ROUNDS = 200  # the ± the scorer prints; not shown here, so kept cheap


def half(domain: str) -> str:
    """"dev" or "held": which half of WCXB-dev a domain's pages belong to (stable, site-disjoint)."""
    return "dev" if hashlib.sha256(domain.encode("utf-8")).digest()[0] % 2 == 0 else "held"


def subsets(dataset: Path, held: bool, health_only: bool, tmp: Path) -> Iterator[tuple[str, str | None]]:
    """(label, the scorer's --subset argument) for every subset to score on ``dataset``."""
    if dataset.name == "aeb":
        yield ("health pages", f"ids={dataset / 'health-pages.tsv'}") if health_only else ("all", None)
        return
    pages: dict[str, dict[str, Any]] = json.loads((dataset / "ground-truth.json").read_text(encoding="utf-8"))
    yield "all", None
    for page_type in sorted({str(page.get("page_type")) for page in pages.values()}):
        yield f"type {page_type}", f"page_type={page_type}"
    for name in ("dev", "held") if held else ("dev",):
        in_half = sorted(key for key, page in pages.items() if half(str(page["domain"])) == name)
        for label, keys in (("", in_half), (" articles", [k for k in in_half if pages[k].get("page_type") == "article"])):
            ids = tmp / f"{name}{label.strip()}.ids"
            ids.write_text("".join(f"{key}\n" for key in keys), encoding="utf-8")
            yield f"{name} half{label}", f"ids={ids}"


def score(dataset: Path, predictions: list[Path], subset: str | None) -> list[dict[str, Any]]:
    """The scorer's rows for the saved predictions on one subset."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "rows.json"
        command = [sys.executable, str(TOOL), "score", str(dataset), *map(str, predictions), "--json", str(out),
                   "--n-bootstrap", str(BOOTSTRAP_ROUNDS)]
        if subset:
            command += ["--subset", subset]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        rows: list[dict[str, Any]] = json.loads(out.read_text())
        return rows


def extract_all(dataset: Path, out_dir: Path) -> list[Path]:
    """Run every extractor over every page of ``dataset``; the saved predictions, one per extractor."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "EVAL_EXTRACT_OUT": str(out_dir)}
    subprocess.run([sys.executable, str(TOOL), "run", str(dataset), *EXTRACTORS], check=True, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    folder = out_dir / dataset.resolve().name
    return [folder / (name.replace(":", "_") + ".json") for name in EXTRACTORS]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", choices=["aeb", "wcxb", "all"], default="all")
    parser.add_argument("--held", action="store_true", help="also score WCXB-dev's held-out half (read it once per change)")
    parser.add_argument("--health-only", action="store_true", help="AEB: only its 13 health pages")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args()
    chosen = list(DATASETS.values()) if args.dataset == "all" else [DATASETS[args.dataset]]
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for name in chosen:
            dataset = SHARED / "data" / "extraction" / name
            predictions = extract_all(dataset, tmp / "predictions")
            for label, subset in subsets(dataset, args.held, args.health_only, tmp):
                for row in score(dataset, predictions, subset):
                    results.append({"dataset": name, "subset": label, **row})
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"cpus {os.cpu_count()}")
    print(f"{'dataset':9} {'subset':22} {'extractor':16} {'pages':>5} {'F1':>6} {'P':>6} {'R':>6} {'empty':>5} {'median ms':>9}")
    for row in results:
        extractor = EXTRACTORS.get(str(row["name"]).strip(), str(row["name"]))
        print(
            f"{row['dataset']:9} {row['subset']:22} {extractor:16} {row['pages']:5d} {row['f1']:6.3f} "
            f"{row['precision']:6.3f} {row['recall']:6.3f} {row['empty_predictions']:5d} {row.get('time_median_ms', 0.0):9.1f}"
        )


if __name__ == "__main__":
    main()
