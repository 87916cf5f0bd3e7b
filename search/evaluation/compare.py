"""Comparing two runs on the same judged queries: per-query differences and a paired test."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .metrics import Metrics

#: Rounds of the randomization test: p-values to about +-0.005 near 0.05.
ROUNDS = 10_000
#: Differences smaller than this count as ties (scores printed to four places).
TIE = 1e-9


@dataclass(frozen=True)
class Comparison:
    """How a run compares with a baseline on one metric over the queries both were scored on.

    ``p_value`` is two-sided, from a paired randomization test (Fisher's; the sign of each
    query's difference flipped at random ``ROUNDS`` times, seeded, so a rerun prints the same
    figure): the chance of a mean difference this large if neither run were better.
    """

    metric: str
    queries: int
    mean: float
    baseline_mean: float
    better: int
    worse: int
    same: int
    p_value: float

    @property
    def difference(self) -> float:
        return self.mean - self.baseline_mean

    def to_dict(self) -> dict[str, object]:
        return {
            "metric": self.metric, "queries": self.queries, "mean": round(self.mean, 4),
            "baseline": round(self.baseline_mean, 4), "difference": round(self.difference, 4),
            "better": self.better, "worse": self.worse, "same": self.same, "p_value": round(self.p_value, 4),
        }


def compare(current: Metrics, baseline: Metrics, metric: str = "ndcg@10", *, seed: int = 0) -> Comparison:
    """Compare ``current`` with ``baseline`` on ``metric`` over the queries scored in both."""
    qids = sorted(set(current.per_query) & set(baseline.per_query))
    ours = np.array([current.per_query[qid][metric] for qid in qids], dtype=np.float64)
    theirs = np.array([baseline.per_query[qid][metric] for qid in qids], dtype=np.float64)
    differences = ours - theirs
    return Comparison(
        metric=metric,
        queries=len(qids),
        mean=float(ours.mean()) if qids else 0.0,
        baseline_mean=float(theirs.mean()) if qids else 0.0,
        better=int((differences > TIE).sum()),
        worse=int((differences < -TIE).sum()),
        same=int((np.abs(differences) <= TIE).sum()),
        p_value=randomization_p_value(differences, seed=seed),
    )


def randomization_p_value(differences: np.ndarray, rounds: int = ROUNDS, *, seed: int = 0) -> float:
    """Two-sided p-value of a paired sign-flip randomization test on per-query differences."""
    if differences.size == 0 or not np.any(np.abs(differences) > TIE):
        return 1.0
    observed = abs(float(differences.mean()))
    rng = np.random.default_rng(seed)
    extreme = 0
    for start in range(0, rounds, 1000):  # in blocks, so memory stays small for many queries
        size = min(1000, rounds - start)
        signs = rng.choice(np.array([-1.0, 1.0]), size=(size, differences.size))
        means = np.abs(signs @ differences) / differences.size
        extreme += int((means >= observed - TIE).sum())
    return (extreme + 1) / (rounds + 1)
