"""Extraction gate: article-body F1 on the human-annotated benchmark may not silently drop.

Measured (benchmarks/bench_extraction.py): F1 0.980, precision 0.972, recall 0.989 over 181
pages. The floors below leave room for noise, not for a regression.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLOORS = {"f1": 0.94, "precision": 0.92, "recall": 0.94}


def test_extraction_f1_precision_recall_floors(shared_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "scores.json"
    subprocess.run(
        [
            sys.executable,
            str(shared_dir / "tools" / "eval_extract.py"),
            "bench",
            str(shared_dir / "data" / "extraction" / "aeb"),
            "search.ingest.html:body_text",
            "--json",
            str(out),
        ],
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), "EVAL_EXTRACT_OUT": str(tmp_path)},
        stdout=subprocess.DEVNULL,
    )
    (row,) = json.loads(out.read_text())
    assert row["pages"] == 181 and row["empty_predictions"] == 0
    for metric, floor in FLOORS.items():
        assert row[metric] >= floor, (metric, row[metric])
