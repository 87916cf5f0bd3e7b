"""Evaluation: read queries and relevance judgments, run them through search, score nDCG, recall, MRR.

Metrics follow trec_eval / pytrec_eval (the BEIR convention):

* **nDCG@k** with linear gains: DCG = sum of ``rel_i / log2(i + 1)`` over the top k;
  the ideal DCG sorts all judged grades of the query in descending order.
* **recall@k**: share of the query's relevant documents (grade > 0) in the top k.
* **MRR@k**: ``1 / rank`` of the first relevant document in the top k, else 0.

Every query with at least one relevant judgment counts, including those the engine answers
with nothing (they score 0); queries without judgments are skipped.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

from .errors import EvaluationInputError, HealthSearchError

if TYPE_CHECKING:
    from .api import SearchIndex

Qrels = dict[str, dict[str, int]]  # query id -> doc id -> grade
Run = dict[str, list[tuple[str, float]]]  # query id -> ranked (doc id, score)


@dataclass(frozen=True)
class Metrics:
    """Mean metrics over the evaluated queries."""

    queries: int
    ndcg_at_10: float
    recall_at_100: float
    mrr_at_10: float
    per_query: dict[str, dict[str, float]] = field(default_factory=dict, repr=False)

    def to_dict(self, per_query: bool = False) -> dict[str, object]:
        data: dict[str, object] = {
            "queries": self.queries,
            "ndcg@10": round(self.ndcg_at_10, 4),
            "recall@100": round(self.recall_at_100, 4),
            "mrr@10": round(self.mrr_at_10, 4),
        }
        if per_query:
            data["per_query"] = self.per_query
        return data


# -- metrics ---------------------------------------------------------------------------------


def ndcg(ranked: Sequence[str], judged: Mapping[str, int], k: int = 10) -> float:
    """nDCG@k with linear gains (trec_eval's ``ndcg_cut``)."""
    dcg = sum(max(judged.get(doc, 0), 0) / math.log2(i + 2) for i, doc in enumerate(ranked[:k]))
    ideal = sorted((g for g in judged.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def recall(ranked: Sequence[str], judged: Mapping[str, int], k: int = 100) -> float:
    relevant = {doc for doc, grade in judged.items() if grade > 0}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranked[:k])) / len(relevant)


def reciprocal_rank(ranked: Sequence[str], judged: Mapping[str, int], k: int = 10) -> float:
    for i, doc in enumerate(ranked[:k]):
        if judged.get(doc, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def evaluate(run: Run, qrels: Qrels) -> Metrics:
    """Mean nDCG@10, recall@100 and MRR@10 of ``run`` over the judged queries."""
    per_query: dict[str, dict[str, float]] = {}
    for qid, judged in qrels.items():
        if not any(grade > 0 for grade in judged.values()):
            continue
        ranked = [doc for doc, _score in run.get(qid, [])]
        per_query[qid] = {
            "ndcg@10": ndcg(ranked, judged, 10),
            "recall@100": recall(ranked, judged, 100),
            "mrr@10": reciprocal_rank(ranked, judged, 10),
        }
    n = len(per_query)

    def mean(name: str) -> float:
        return sum(scores[name] for scores in per_query.values()) / n if n else 0.0

    return Metrics(n, mean("ndcg@10"), mean("recall@100"), mean("mrr@10"), per_query)


# -- running ---------------------------------------------------------------------------------


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
    """Run the judged queries through ``index.search`` (the path users get) and score them."""

    def ranked(text: str) -> list[tuple[str, float]]:
        return [(hit.id, hit.score) for hit in index.search(text, limit=depth, snippets=False, expand=expand).hits]

    run, failed = run_queries(queries, ranked, qids=[q for q in qrels if q in queries])
    missing = {qid: "no query text" for qid in qrels if qid not in queries}
    return evaluate(run, qrels), run, {**failed, **missing}


def write_run(run: Run, out: IO[str], tag: str = "healthsearch") -> None:
    """Write ``run`` in TREC run format: ``qid Q0 docid rank score tag``."""
    for qid, ranked in run.items():
        for rank, (doc, score) in enumerate(ranked, start=1):
            out.write(f"{qid} Q0 {doc} {rank} {score!r} {tag}\n")


# -- reading ---------------------------------------------------------------------------------


def read_queries(path: Path) -> dict[str, str]:
    """Queries from BEIR ``queries.jsonl`` (``_id``, ``text``) or TSV (``id<TAB>text``)."""
    lines = _lines(path)
    if path.name.endswith((".jsonl", ".json")) or (lines and lines[0][1].lstrip().startswith("{")):
        out: dict[str, str] = {}
        for number, line in lines:
            try:
                record = json.loads(line)
                out[str(record.get("_id", record.get("id")))] = str(record["text"])
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                raise EvaluationInputError(f"{path}:{number}: not a query record ({exc})") from exc
        return out
    rows = list(zip((n for n, _ in lines), csv.reader((line for _, line in lines), delimiter="\t", quoting=csv.QUOTE_NONE)))
    if rows and rows[0][1][0].lower() in ("query-id", "qid", "id", "query_id"):
        rows = rows[1:]
    for number, row in rows:
        if len(row) < 2:
            raise EvaluationInputError(f"{path}:{number}: expected 'id<TAB>text'")
    return {row[0]: row[1] for _, row in rows}


def read_qrels(path: Path) -> Qrels:
    """Judgments from BEIR TSV (``query-id corpus-id score``) or TREC (``qid 0 docid grade``)."""
    qrels: Qrels = {}
    for index, (number, line) in enumerate(_lines(path)):
        parts = line.split()
        if index == 0 and len(parts) in (3, 4) and not parts[-1].lstrip("-").isdigit():
            continue  # a header line
        if len(parts) == 4:
            qid, _iteration, doc, grade = parts
        elif len(parts) == 3:
            qid, doc, grade = parts
        else:
            raise EvaluationInputError(f"{path}:{number}: expected 3 (BEIR) or 4 (TREC) columns")
        try:
            qrels.setdefault(qid, {})[doc] = int(grade)
        except ValueError as exc:
            raise EvaluationInputError(f"{path}:{number}: grade {grade!r} is not a whole number") from exc
    return qrels


def _lines(path: Path) -> list[tuple[int, str]]:
    """The non-blank lines of ``path`` with their line numbers (1-based)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise EvaluationInputError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from exc
    return [(number, line) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
