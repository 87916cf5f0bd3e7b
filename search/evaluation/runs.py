"""Running judged queries through search, and TREC run files (written and read back)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import IO, TYPE_CHECKING

from ..errors import EvaluationInputError, HealthSearchError
from .files import lines
from .metrics import Metrics, Qrels, Run, evaluate

if TYPE_CHECKING:
    from ..api import SearchIndex


def run_queries(
    queries: Mapping[str, str],
    search: Callable[[str], list[tuple[str, float]]],
    qids: Iterable[str] | None = None,
) -> tuple[Run, dict[str, str]]:
    """Run each query (only ``qids`` when given); returns the run and the queries that failed."""
    run: Run = {}
    failed: dict[str, str] = {}
    for qid in qids if qids is not None else queries:
        text = queries.get(qid)
        if text is None:
            failed[qid] = "no query text"
            continue
        try:
            run[qid] = search(text)
        except HealthSearchError as exc:
            failed[qid] = str(exc)
    return run, failed


def evaluate_index(
    index: SearchIndex, queries: Mapping[str, str], qrels: Qrels, *, depth: int = 100, expand: bool = True
) -> tuple[Metrics, Run, dict[str, str]]:
    """Run the given queries that have judgments through ``index.search`` (the path users get)
    and score exactly those: a judged query missing from ``queries`` is counted in
    ``without_text``, not averaged in as 0. The third value maps each query that failed or had
    no text to why."""

    def ranked(text: str) -> list[tuple[str, float]]:
        return [(hit.id, hit.score) for hit in index.search(text, limit=depth, snippets=False, expand=expand).hits]

    judged = {qid: qrels[qid] for qid in qrels if qid in queries}
    run, failed = run_queries(queries, ranked, qids=list(judged))
    missing = {qid: "no query text" for qid in qrels if qid not in queries}
    metrics = evaluate(run, judged)
    unjudged = sum(1 for qid in queries if qid not in metrics.per_query)
    metrics = replace(metrics, without_text=len(missing), without_judgments=unjudged)
    return metrics, run, {**failed, **missing}


def write_run(run: Run, out: IO[str], tag: str = "healthsearch") -> None:
    """Write ``run`` in TREC run format: ``qid Q0 docid rank score tag``."""
    for qid, ranked in run.items():
        for rank, (doc, score) in enumerate(ranked, start=1):
            out.write(f"{qid} Q0 {doc} {rank} {score!r} {tag}\n")


def read_run(path: Path) -> Run:
    """A TREC run file (``qid Q0 docid rank score tag``, as :func:`write_run` writes), each
    query's documents in rank order."""
    ranked: dict[str, list[tuple[int, str, float]]] = {}
    for number, line in lines(path):
        parts = line.split()
        if len(parts) != 6:
            raise EvaluationInputError(f"{path}:{number}: expected 'qid Q0 docid rank score tag'")
        qid, _q0, doc, rank, score, _tag = parts
        try:
            ranked.setdefault(qid, []).append((int(rank), doc, float(score)))
        except ValueError as exc:
            raise EvaluationInputError(f"{path}:{number}: rank and score must be numbers") from exc
    return {qid: [(doc, score) for _rank, doc, score in sorted(rows)] for qid, rows in ranked.items()}
