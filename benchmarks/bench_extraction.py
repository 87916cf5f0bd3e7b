"""Article-extraction quality and speed on the human-annotated benchmark, in one command.

    .venv/bin/python benchmarks/bench_extraction.py [--health-only] [--json]

Runs ../shared/tools/eval_extract.py (the benchmark's token-shingle F1; called, not copied) on
healthsearch's extractor and, for scale, on naive ``soup.get_text()``, over the 181 pages of
../shared/data/extraction/aeb (or the 13 health pages), and prints F1, precision, recall and
milliseconds per page. Set HEALTHSEARCH_SHARED to use a shared folder elsewhere.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("HEALTHSEARCH_SHARED") or ROOT.parent / "shared")
EXTRACTORS = {"search.ingest.html:body_text": "healthsearch", "bs4_naive": "soup.get_text()"}


def run_scorer(health_only: bool) -> list[dict[str, object]]:
    """Score both extractors; returns the scorer's JSON rows."""
    dataset = SHARED / "data" / "extraction" / "aeb"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "scores.json"
        command = [sys.executable, str(SHARED / "tools" / "eval_extract.py"), "bench", str(dataset), *EXTRACTORS, "--json", str(out)]
        if health_only:
            command += ["--subset", f"ids={dataset / 'health-pages.tsv'}"]
        env = {**os.environ, "PYTHONPATH": str(ROOT), "EVAL_EXTRACT_OUT": tmp}
        subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
        return json.loads(out.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--health-only", action="store_true", help="only the 13 health pages")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args()
    rows = run_scorer(args.health_only)
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"cpus {os.cpu_count()}, pages {rows[0]['pages']} ({'health subset' if args.health_only else 'all'})")
    print(f"{'extractor':18} {'F1':>6} {'P':>6} {'R':>6} {'median ms':>10} {'mean ms':>8}")
    for row in rows:
        name = EXTRACTORS.get(str(row["name"]).strip(), str(row["name"]))
        print(
            f"{name:18} {row['f1']:6.3f} {row['precision']:6.3f} {row['recall']:6.3f} "
            f"{row['time_median_ms']:10.1f} {row['time_mean_ms']:8.1f}"
        )


if __name__ == "__main__":
    main()
