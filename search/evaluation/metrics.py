"""Retrieval metrics: nDCG@10, recall@100 and MRR@10 of a run against relevance judgments.

Metrics follow trec_eval / pytrec_eval (the BEIR convention):

* **nDCG@k** with linear gains: DCG = sum of ``rel_i / log2(i + 1)`` over the top k;
  the ideal DCG sorts all judged grades of the query in descending order.
* **recall@k**: share of the query's relevant documents (grade > 0) in the top k.
* **MRR@k**: ``1 / rank`` of the first relevant document in the top k, else 0.

Every query of the judgments with at least one relevant document counts, including those the
run answers with nothing (they score 0); queries without relevant documents are skipped. Which
queries are judged is the caller's choice (see :func:`search.evaluation.runs.evaluate_index`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

Qrels = dict[str, dict[str, int]]  # query id -> doc id -> grade
Run = dict[str, list[tuple[str, float]]]  # query id -> ranked (doc id, score)


@dataclass(frozen=True)
class Metrics:
    """Mean metrics over the evaluated queries; ``per_query`` holds each query's three figures.
    ``without_text`` counts judged queries the queries file has no text for (left out of the
    means, not scored 0), ``without_judgments`` queries with text but no relevant document."""

    queries: int
    ndcg_at_10: float
    recall_at_100: float
    mrr_at_10: float
    per_query: dict[str, dict[str, float]] = field(default_factory=dict, repr=False)
    without_text: int = 0
    without_judgments: int = 0

    def to_dict(self, per_query: bool = False) -> dict[str, object]:
        data: dict[str, object] = {
            "queries": self.queries,
            "ndcg@10": round(self.ndcg_at_10, 4),
            "recall@100": round(self.recall_at_100, 4),
            "mrr@10": round(self.mrr_at_10, 4),
            "judged_without_text": self.without_text,
            "unjudged": self.without_judgments,
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
