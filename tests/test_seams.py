"""The seams the next front ends and rankers plug into: filters, the Ranker protocol, one analysis."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import write_page

import search
from search.models import Explanation, SearchResults
from search.query.filters import Filter
from search.query.syntax import ParsedQuery
from search.ranking import searcher
from search.ranking.ranker import Ranker, open_ranker


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("seams")
    corpus = root / "corpus"
    for folder in ("nhs", "cdc"):
        for i in range(4):
            write_page(
                corpus / folder,
                f"knee-{i}",
                f"Knee care {folder} {i}",
                [f"Knee pain after running {i + 1} times a week often settles with rest and ice."] * (i + 1),
                canonical=False,  # ids from paths: "corpus/nhs/knee-0"
            )
    write_page(corpus / "cdc", "flu", "Flu season", ["Influenza vaccines are offered every autumn."], canonical=False)
    search.index([corpus], root / "index")
    return root / "index"


def test_a_filter_limits_hits_totals_and_pages(index_dir: Path) -> None:
    ix = search.open_index(index_dir)
    everything = ix.search("knee", limit=20)
    assert everything.total == 8
    only = Filter(id_prefix="corpus/nhs/")
    first = ix.search("knee", limit=3, filter=only)
    second = ix.search("knee", limit=3, page=2, filter=only)
    assert first.total == second.total == 4
    ids = [hit.id for hit in first.hits + second.hits]
    assert len(ids) == len(set(ids)) == 4 and all(i.startswith("corpus/nhs/") for i in ids)
    # The filter keeps the order: the filtered hits are the unfiltered ones, minus the others.
    assert ids == [hit.id for hit in everything.hits if hit.id.startswith("corpus/nhs/")]
    assert [h.score for h in first.hits] == [h.score for h in everything.hits if h.id in {x.id for x in first.hits}]


def test_a_filter_by_ids_and_one_that_allows_nothing(index_dir: Path) -> None:
    ix = search.open_index(index_dir)
    picked = Filter.of(ids=["corpus/cdc/knee-2", "corpus/cdc/flu", "corpus/nhs/knee-0"])
    assert {hit.id for hit in ix.search("knee", filter=picked).hits} == {"corpus/cdc/knee-2", "corpus/nhs/knee-0"}
    assert {hit.id for hit in ix.search("knee", filter=Filter.of(ids=["corpus/nhs/knee-0"], id_prefix="corpus/cdc/")).hits} == set()
    explained = ix.explain("knee", limit=10, filter=Filter(id_prefix="corpus/cdc/"))
    assert {hit.id for hit in explained.hits} == {f"corpus/cdc/knee-{i}" for i in range(4)}
    none = ix.search("knee", filter=Filter(id_prefix="corpus/who/"))
    assert none.total == 0 and none.hits == []
    assert search.search("knee", index_dir, filter=Filter(id_prefix="corpus/cdc/")).total == 4


def test_filter_allows() -> None:
    assert Filter().allows("anything")
    assert Filter(id_prefix="a/").allows("a/b") and not Filter(id_prefix="a/").allows("b/a")
    assert not Filter.of(ids=[]).allows("a")


class _Recording:
    """A ranker around the default one that records what it was asked (the seam's contract)."""

    def __init__(self, inner: Ranker, calls: list[str]) -> None:
        self.inner = inner
        self.calls = calls

    def search(
        self,
        parsed: ParsedQuery,
        *,
        limit: int = 10,
        page: int = 1,
        snippets: bool = True,
        expand: bool = True,
        filter: Filter | None = None,
        correct: bool = True,
    ) -> SearchResults:
        self.calls.append(f"search {parsed.text} {limit} {page}")
        return self.inner.search(
            parsed, limit=limit, page=page, snippets=snippets, expand=expand, filter=filter, correct=correct
        )

    def explain(
        self,
        parsed: ParsedQuery,
        *,
        limit: int = 5,
        expand: bool = True,
        filter: Filter | None = None,
        correct: bool = True,
    ) -> Explanation:
        self.calls.append(f"explain {parsed.text}")
        return self.inner.explain(parsed, limit=limit, expand=expand, filter=filter, correct=correct)


def test_the_api_ranks_with_the_ranker_it_is_given(index_dir: Path) -> None:
    calls: list[str] = []
    opened: list[Path] = []

    def factory(gen_dir: Path) -> Ranker:
        opened.append(gen_dir)
        return _Recording(open_ranker(gen_dir), calls)

    ix = search.SearchIndex(index_dir, ranker=factory)
    results = ix.search("knee pain", limit=2, page=2)
    ix.explain("flu")
    assert calls == ["search knee pain 2 2", "explain flu"]
    assert len(opened) == 1 and opened[0].parent == index_dir  # opened once per generation
    assert results.hits == search.open_index(index_dir).search("knee pain", limit=2, page=2).hits


def test_a_search_analyses_the_query_once(index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = 0
    real = searcher.parts

    def counting(parsed: ParsedQuery) -> list[object]:
        nonlocal calls
        calls += 1
        return real(parsed)  # type: ignore[return-value]

    monkeypatch.setattr(searcher, "parts", counting)
    ix = search.open_index(index_dir)
    ix.search('knee "rest and ice" -flu')
    assert calls == 1
    ix.explain("knee pain")
    assert calls == 2


def test_a_filter_mask_is_made_once_per_segment_and_never_changed(index_dir: Path) -> None:
    ix = search.open_index(index_dir)
    seen: list[str] = []

    class Counting(Filter):
        def allows(self, article_id: str) -> bool:
            seen.append(article_id)
            return super().allows(article_id)

    only = Counting(id_prefix="corpus/nhs/")
    first = ix.search("knee", filter=only)
    tested = len(seen)
    assert tested == 9  # every row of the one segment, once
    again = ix.search("knee pain", filter=Counting(id_prefix="corpus/nhs/"))  # an equal filter: the same mask
    assert len(seen) == tested and first.total == again.total == 4
    from search.storage import generations
    from search.terms.reader import TermIndex

    live = generations.current(index_dir)
    assert live is not None
    seg = TermIndex.open(live).segments[0]  # type: ignore[union-attr]
    mask = seg.rows_where(only, only.allows)
    assert mask is seg.rows_where(only, only.allows)
    with pytest.raises(ValueError):
        mask[0] = not mask[0]
