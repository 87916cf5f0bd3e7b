"""Extraction gates: body F1 on the two human-annotated benchmarks may not silently drop.

Measured with benchmarks/bench_extraction.py (benchmarks/RESULTS.md): AEB F1 0.978,
precision 0.969, recall 0.988 over 181 pages; WCXB-dev (1,497 pages from 1,295 sites, seven
page types) F1 0.844 on all pages and 0.947 on its 790 articles, one empty output. The floors
below leave room for noise, not for a regression.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FLOORS = {"f1": 0.94, "precision": 0.92, "recall": 0.94}
#: WCXB-dev floors: (subset, F1 floor, most empty outputs).
WCXB_FLOORS = (("all", 0.79, 8), ("page_type=article", 0.91, 4))


def _bench(shared_dir: Path, tmp_path: Path, dataset: str) -> list[dict[str, Any]]:
    out = tmp_path / "scores.json"
    subprocess.run(
        [
            sys.executable,
            str(shared_dir / "tools" / "eval_extract.py"),
            "bench",
            str(shared_dir / "data" / "extraction" / dataset),
            "search.ingest.html:body_text",
            "--json",
            str(out),
            "--n-bootstrap",
            "10",
        ],
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), "EVAL_EXTRACT_OUT": str(tmp_path)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    rows: list[dict[str, Any]] = json.loads(out.read_text())
    return rows


def test_extraction_f1_precision_recall_floors(shared_dir: Path, tmp_path: Path) -> None:
    (row,) = _bench(shared_dir, tmp_path, "aeb")
    assert row["pages"] == 181 and row["empty_predictions"] == 0
    for metric, floor in FLOORS.items():
        assert row[metric] >= floor, (metric, row[metric])


def test_unseen_sites_f1_and_empty_output_floors(shared_dir: Path, tmp_path: Path) -> None:
    """WCXB-dev: pages from 1,295 sites of seven page types, scored whole and on its articles."""
    tool, dataset = shared_dir / "tools" / "eval_extract.py", shared_dir / "data" / "extraction" / "wcxb-dev"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "EVAL_EXTRACT_OUT": str(tmp_path)}
    jobs = str(max(1, min(2, os.cpu_count() or 1)))
    subprocess.run([sys.executable, str(tool), "run", str(dataset), "search.ingest.html:body_text", "--jobs", jobs],
                   check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    predictions = tmp_path / "wcxb-dev" / "search.ingest.html_body_text.json"
    for subset, floor, most_empty in WCXB_FLOORS:
        out = tmp_path / "rows.json"
        command = [sys.executable, str(tool), "score", str(dataset), str(predictions), "--json", str(out),
                   "--n-bootstrap", "10"] + ([] if subset == "all" else ["--subset", subset])
        subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
        (row,) = json.loads(out.read_text())
        assert row["f1"] >= floor and row["empty_predictions"] <= most_empty, (subset, row)
