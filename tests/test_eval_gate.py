"""Relevance gate: ranking quality on NFCorpus may not silently drop.

Floors sit about 0.02 below the measured figures (README, "Ranking quality"; benchmarks/RESULTS.md,
issue 13) with the default settings: titles dev nDCG@10 0.320, test 0.354, recall@100 dev
0.265, test 0.295; the long vid-desc queries dev 0.338, test 0.311, train (812) 0.343 (words
only: 0.327, 0.302, 0.335).
A change that lowers them this far is a regression, not noise.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import search
from search import evaluation

FLOORS = {"dev": {"ndcg@10": 0.30, "recall@100": 0.245}, "test": {"ndcg@10": 0.33, "recall@100": 0.27}}
LONG_FLOORS = {"train": 0.32, "dev": 0.315, "test": 0.29}  # nDCG@10 of the vid-desc queries
LONG_QUERIES = {"train": (812, 2594), "dev": (102, 325), "test": (102, 325)}  # with text, judged


@pytest.fixture(scope="module")
def nfcorpus(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, search.SearchIndex]:
    data = shared_dir / "data" / "nfcorpus"
    index_dir = tmp_path_factory.mktemp("nfcorpus") / "index"
    report = search.index([data / "corpus.jsonl"], index_dir)
    assert (report.added, report.failed) == (3395, 0)
    return data, search.open_index(index_dir)


def score(
    nfcorpus: tuple[Path, search.SearchIndex], queries_file: str, split: str
) -> tuple[evaluation.Metrics, dict[str, str]]:
    """The default search's metrics on one query set and split, and the queries that failed."""
    data, ix = nfcorpus
    queries = evaluation.read_queries(data / queries_file)
    qrels = evaluation.read_qrels(data / "qrels" / f"{split}.tsv")
    metrics, _run, failed = evaluation.evaluate_index(ix, queries, qrels)
    return metrics, failed


@pytest.mark.parametrize("split", ["dev", "test"])
def test_ndcg_and_recall_floors(nfcorpus: tuple[Path, search.SearchIndex], split: str) -> None:
    metrics, failed = score(nfcorpus, "queries.jsonl", split)
    assert failed == {}
    assert metrics.queries == 325
    assert metrics.ndcg_at_10 >= FLOORS[split]["ndcg@10"], metrics
    assert metrics.recall_at_100 >= FLOORS[split]["recall@100"], metrics


@pytest.mark.parametrize("split", ["train", "dev", "test"])
def test_long_query_floor_over_exactly_the_queries_with_text(nfcorpus: tuple[Path, search.SearchIndex], split: str) -> None:
    metrics, failed = score(nfcorpus, "queries-vid-desc.jsonl", split)
    with_text, judged = LONG_QUERIES[split]
    assert metrics.queries == with_text and metrics.without_text == len(failed) == judged - with_text
    assert metrics.ndcg_at_10 >= LONG_FLOORS[split], metrics


def test_query_expansion_earns_its_keep(nfcorpus: tuple[Path, search.SearchIndex]) -> None:
    """Feedback and synonyms must beat the words alone on dev titles (measured 0.320 vs 0.305,
    recall 0.265 vs 0.202) and not lose to them on the long queries (0.338 vs 0.327)."""
    data, ix = nfcorpus
    qrels = evaluation.read_qrels(data / "qrels" / "dev.tsv")
    queries = evaluation.read_queries(data / "queries.jsonl")
    expanded, _, _ = evaluation.evaluate_index(ix, queries, qrels)
    plain, _, _ = evaluation.evaluate_index(ix, queries, qrels, expand=False)
    assert expanded.ndcg_at_10 >= plain.ndcg_at_10 + 0.005
    assert expanded.recall_at_100 >= plain.recall_at_100 + 0.03
    long = evaluation.read_queries(data / "queries-vid-desc.jsonl")
    expanded, _, _ = evaluation.evaluate_index(ix, long, qrels)
    plain, _, _ = evaluation.evaluate_index(ix, long, qrels, expand=False)
    assert expanded.ndcg_at_10 >= plain.ndcg_at_10 - 0.01
    assert expanded.recall_at_100 >= plain.recall_at_100
