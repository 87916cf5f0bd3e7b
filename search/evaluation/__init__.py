"""Evaluation: read queries and judgments, run them through search, score them, compare two runs."""

from __future__ import annotations

from .compare import Comparison, compare, randomization_p_value
from .files import read_qrels, read_queries
from .metrics import Metrics, Qrels, Run, evaluate, ndcg, recall, reciprocal_rank
from .runs import evaluate_index, read_run, run_queries, write_run

__all__ = [
    "Comparison", "Metrics", "Qrels", "Run", "compare", "evaluate", "evaluate_index", "ndcg",
    "randomization_p_value", "read_qrels", "read_queries", "read_run", "recall", "reciprocal_rank",
    "run_queries", "write_run",
]
