"""Evaluation beyond one figure: scoring exactly the queries given, reading run files back, and
the paired comparison of two runs (worked by hand and against the exact sign-flip test)."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.errors import EvaluationInputError
from search.evaluation import Metrics, compare, evaluate, randomization_p_value, read_run, write_run


def metrics_of(scores: dict[str, float]) -> Metrics:
    per_query = {qid: {"ndcg@10": s, "recall@100": s, "mrr@10": s} for qid, s in scores.items()}
    mean = sum(scores.values()) / len(scores) if scores else 0.0
    return Metrics(len(scores), mean, mean, mean, per_query)


def exact_p_value(differences: list[float]) -> float:
    """The exact two-sided sign-flip test: every one of the 2^n sign patterns."""
    observed = abs(sum(differences)) / len(differences)
    patterns = list(itertools.product((-1, 1), repeat=len(differences)))
    extreme = sum(1 for signs in patterns if abs(sum(s * d for s, d in zip(signs, differences, strict=True))) / len(differences) >= observed - 1e-12)
    return extreme / len(patterns)


def test_compare_counts_wins_losses_and_ties_over_the_shared_queries() -> None:
    current = metrics_of({"a": 0.5, "b": 0.2, "c": 0.7, "only-here": 1.0})
    baseline = metrics_of({"a": 0.4, "b": 0.3, "c": 0.7, "only-there": 0.0})
    result = compare(current, baseline)
    assert (result.queries, result.better, result.worse, result.same) == (3, 1, 1, 1)
    assert result.mean == pytest.approx((0.5 + 0.2 + 0.7) / 3)
    assert result.baseline_mean == pytest.approx((0.4 + 0.3 + 0.7) / 3)
    assert result.difference == pytest.approx(0.0)
    assert result.to_dict()["difference"] == 0.0


def test_identical_runs_have_p_value_one() -> None:
    same = metrics_of({"a": 0.5, "b": 0.25})
    result = compare(same, same)
    assert result.p_value == 1.0 and result.same == 2 and result.better == result.worse == 0


def test_p_value_is_close_to_the_exact_test_and_repeatable() -> None:
    # four queries all better by 0.1: only the all-plus and all-minus patterns are as extreme,
    # so the exact two-sided p-value is 2/16 = 0.125
    differences = [0.1, 0.1, 0.1, 0.1]
    assert exact_p_value(differences) == 0.125
    p = randomization_p_value(np.array(differences))
    assert abs(p - 0.125) < 0.015
    assert randomization_p_value(np.array(differences)) == p  # seeded: the same figure every run


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(min_value=-1, max_value=1, allow_nan=False).map(lambda x: round(x, 2)), min_size=1, max_size=8))
def test_p_value_tracks_the_exact_sign_flip_test(differences: list[float]) -> None:
    p = randomization_p_value(np.array(differences))
    assert 0.0 < p <= 1.0
    if any(abs(d) > 1e-9 for d in differences):
        assert abs(p - exact_p_value(differences)) < 0.03  # 10,000 rounds: standard error <= 0.005
    else:
        assert p == 1.0


def test_a_clear_improvement_is_significant_and_a_coin_toss_is_not() -> None:
    rng = np.random.default_rng(7)
    base = rng.uniform(0, 0.6, size=100)
    better = metrics_of({str(i): float(b + 0.1) for i, b in enumerate(base)})
    noisy = metrics_of({str(i): float(b + rng.choice([-0.1, 0.1])) for i, b in enumerate(base)})
    baseline = metrics_of({str(i): float(b) for i, b in enumerate(base)})
    assert compare(better, baseline).p_value < 0.001
    assert compare(noisy, baseline).p_value > 0.01
    assert compare(baseline, better).difference == pytest.approx(-0.1)


def test_read_run_gives_back_what_write_run_wrote_in_rank_order(tmp_path: Path) -> None:
    run = {"q1": [("d3", 2.5), ("d1", 1.25), ("d2", -0.5)], "q2": [("x", 1.0)]}
    path = tmp_path / "run.txt"
    with open(path, "w", encoding="utf-8") as out:
        write_run(run, out)
    lines = path.read_text().splitlines()
    path.write_text("\n".join(reversed(lines)) + "\n")  # rank, not line order, decides
    assert read_run(path) == run
    qrels = {"q1": {"d1": 1}, "q2": {"y": 1}}
    assert evaluate(read_run(path), qrels).to_dict() == evaluate(run, qrels).to_dict()


@pytest.mark.parametrize(
    ("text", "needle"),
    [("q1 Q0 d1 1 2.0\n", "expected 'qid Q0 docid rank score tag'"), ("q1 Q0 d1 first 2.0 tag\n", "must be numbers")],
)
def test_read_run_rejects_a_bad_line_with_its_number(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "bad.run"
    path.write_text("q0 Q0 d0 1 1.0 tag\n" + text, encoding="utf-8")
    with pytest.raises(EvaluationInputError, match=r"bad\.run:2") as caught:
        read_run(path)
    assert needle in str(caught.value)


def test_no_shared_queries_compares_as_nothing_not_a_crash() -> None:
    result = compare(metrics_of({"a": 1.0}), metrics_of({"b": 0.0}))
    assert result.queries == 0 and result.p_value == 1.0 and not math.isnan(result.mean)
