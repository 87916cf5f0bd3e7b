"""Querying: ranking, query syntax, snippets, suggestions and the medical cases end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import page_id, slug, small_corpus, write_page
from hypothesis import given, settings
from hypothesis import strategies as st

import search
from search.errors import QuerySyntaxError
from search.render import snippet_html


@pytest.fixture(scope="module")
def ix(tmp_path_factory: pytest.TempPathFactory) -> search.SearchIndex:
    root = tmp_path_factory.mktemp("search")
    corpus = small_corpus(root / "corpus")
    write_page(corpus, "running-shoes", "Choosing Running Shoes", ["Good shoes spread the load. Some runners with knee trouble find cushioning helps."])
    write_page(corpus, "xray", "When You Need an X-ray", ["An X-ray uses a small dose of radiation to show bones."])
    write_page(corpus, "vitamin-d", "Vitamin D", ["Vitamin D keeps bones strong; sunlight makes it in the skin."])
    write_page(corpus, "vitamin-c", "Vitamin C", ["Vitamin C is found in oranges and peppers."])
    write_page(corpus, "type-1", "Type 1 Diabetes", ["Type 1 diabetes is an autoimmune condition treated with insulin."])
    write_page(corpus, "type-2", "Type 2 Diabetes", ["Type 2 diabetes is linked to weight and often treated with metformin first."])
    search.index([corpus], root / "index")
    return search.open_index(root / "index")


def ids(results: search.SearchResults) -> list[str]:
    """The hits' slugs (their ids are their canonical URLs without the scheme)."""
    return [slug(hit.id) for hit in results.hits]


def test_title_match_ranks_above_body_match(ix: search.SearchIndex) -> None:
    # "knee" is in the title of knee-pain, only in the body of the others
    assert ids(ix.search("knee"))[0] == "knee-pain"


def test_more_query_words_matched_rank_higher(ix: search.SearchIndex) -> None:
    top = ids(ix.search("knee pain runners"))
    assert top[0] == "knee-pain"
    assert set(top) >= {"knee-pain", "running-shoes", "anaemia"}


def test_phrase_query(ix: search.SearchIndex) -> None:
    assert ids(ix.search('"knee pain"')) and set(ids(ix.search('"knee pain"'))) <= {"knee-pain", "anaemia"}
    assert ids(ix.search('"pain knee"')) == []


def test_exclusion(ix: search.SearchIndex) -> None:
    assert "anaemia" in ids(ix.search("knee"))
    assert "anaemia" not in ids(ix.search("knee -iron"))
    assert "anaemia" not in ids(ix.search("knee NOT iron"))


def test_title_field_query(ix: search.SearchIndex) -> None:
    assert ids(ix.search("title:vaccine")) == []
    assert set(ids(ix.search("vaccine"))) == {"hepatitis-b", "hepatitis-c"}


def test_prefix_query(ix: search.SearchIndex) -> None:
    assert {"type-1", "type-2"} <= set(ids(ix.search("diabet*")))


def test_snippet_highlights_matched_words(ix: search.SearchIndex) -> None:
    hit = ix.search("vaccine").hits[0]
    assert "vaccine" in [word.lower() for word in hit.snippet.marked_words()]
    assert "<mark>vaccine</mark>" in snippet_html(hit.snippet)
    assert hit.url.startswith("https://clinic.example/articles/")
    assert hit.score > 0


def test_snippet_when_only_the_title_matches(ix: search.SearchIndex) -> None:
    hit = ix.search("title:choosing").hits[0]
    assert hit.snippet.text.startswith("Good shoes spread the load")
    assert hit.snippet.highlights == ()


def test_single_letters_and_digits_keep_articles_apart(ix: search.SearchIndex) -> None:
    assert ids(ix.search("hepatitis b"))[0] == "hepatitis-b"
    assert ids(ix.search("hepatitis c"))[0] == "hepatitis-c"
    assert ids(ix.search("vitamin d"))[0] == "vitamin-d"
    assert ids(ix.search("type 1 diabetes"))[0] == "type-1"
    assert ids(ix.search("type 2 diabetes"))[0] == "type-2"


def test_us_spelling_finds_uk_article(ix: search.SearchIndex) -> None:
    assert ids(ix.search("anemia"))[0] == "anaemia"
    assert ids(ix.search("hemoglobin")) == ["anaemia"]
    assert "haemoglobin" in ix.search("hemoglobin").hits[0].snippet.marked_words()


@pytest.mark.parametrize("text", ["xray", "x-ray", "X-rays"])
def test_xray_spellings_meet(ix: search.SearchIndex, text: str) -> None:
    assert ids(ix.search(text)) == ["xray"]


def test_negation_is_searchable(ix: search.SearchIndex) -> None:
    assert "anaemia" in ids(ix.search('"is not a symptom"'))


def test_misspelled_words_that_find_nothing_are_searched_corrected(ix: search.SearchIndex) -> None:
    results = ix.search("kne pian")
    assert results.corrected == "knee pain" and results.suggestion is None
    assert results.query == "kne pian"  # what was typed is kept, and the correction named
    assert ids(results) == ids(ix.search("knee pain"))
    as_typed = ix.search("kne pian", correct=False)
    assert as_typed.hits == [] and as_typed.suggestion == "knee pain" and as_typed.corrected is None
    assert results.to_dict()["corrected_query"] == "knee pain" and as_typed.to_dict()["corrected_query"] is None


def test_no_suggestion_for_known_words(ix: search.SearchIndex) -> None:
    assert ix.search("knee pain").suggestion is None


def test_drug_names_are_not_swapped_for_far_neighbours(ix: search.SearchIndex) -> None:
    # metformin is indexed; "metoprolol" is another drug, not a misspelling of it
    results = ix.search("metoprolol")
    assert results.hits == []
    assert results.suggestion is None


def test_pagination(ix: search.SearchIndex) -> None:
    all_hits = ids(ix.search("pain OR vitamin OR hepatitis", limit=100))
    assert len(all_hits) >= 5
    page2 = ids(ix.search("pain OR vitamin OR hepatitis", limit=2, page=2))
    assert page2 == all_hits[2:4]
    assert ix.search("pain OR vitamin OR hepatitis", limit=2, page=99).hits == []


@pytest.mark.parametrize("text", ["", "*", '"', "the of and", "-knee"])
def test_malformed_or_empty_queries_raise_typed_errors(ix: search.SearchIndex, text: str) -> None:
    with pytest.raises(QuerySyntaxError):
        ix.search(text)


@pytest.mark.parametrize("text", ['knee "pain', "knee AND", "NOT", "knee )(", "title:", "knee:"])
def test_repairable_queries_are_answered(ix: search.SearchIndex, text: str) -> None:
    try:
        results = ix.search(text)
    except QuerySyntaxError:
        assert text == "NOT"
    else:
        assert results.query == text


def test_results_serialise_to_the_documented_json_shape(ix: search.SearchIndex) -> None:
    data = ix.search("vaccine").to_dict()
    assert set(data) >= {"query", "total", "suggestion", "hits"}
    assert set(data["hits"][0]) == {
        "id", "title", "url", "score", "snippet", "snippet_text", "highlights", "links", "more_links"
    }


def test_lay_words_find_the_clinical_article(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_page(corpus, "mi", "Myocardial Infarction", ["A myocardial infarction happens when blood flow to the heart muscle stops."])
    write_page(corpus, "asthma", "Asthma Attacks", ["An asthma attack narrows the airways."])
    search.index([corpus], tmp_path / "index")
    ix = search.open_index(tmp_path / "index")
    results = ix.search("heart attack")
    assert [hit.id for hit in results.hits][0] == page_id("mi")
    # a synonym counts less than the words typed
    assert ix.search("myocardial infarction").hits[0].score > results.hits[0].score
    assert [e.term for e in ix.explain("heart attack").expansions if e.source == "synonym"] == ["myocardial infarction"]
    assert ix.search("heart attack", expand=False).hits[0].id == page_id("asthma")


def test_synonym_table_matches_the_longest_name() -> None:
    from search.query.expansion import synonym_expansions

    assert [s.name for s in synonym_expansions(["stomach", "flu"])] == ["gastroenteritis"]
    assert [s.name for s in synonym_expansions(["flu", "vaccine"])] == ["influenza"]
    assert synonym_expansions(["pill"]) == []


def test_near_synonyms_weigh_by_their_confidence() -> None:
    from search.query.expansion import _synonym_table, synonym_expansions

    # "blood thinner" also names antiplatelets: its line in synonyms.tsv starts with 0.5
    assert [(s.name, s.confidence) for s in synonym_expansions(["blood", "thinner"])] == [("anticoagulant", 0.5)]
    assert [(s.name, s.confidence) for s in synonym_expansions(["heart", "attack"])] == [("myocardial infarction", 1.0)]
    names = {s.name for found in _synonym_table().values() for s in found}
    assert not any(name.replace(".", "").isdigit() for name in names)  # a confidence is never a name


def test_a_near_synonym_counts_its_confidence_times_the_synonym_weight(tmp_path: Path) -> None:
    from search.query.expansion import SYNONYM_WEIGHT

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Anticoagulants\n\nan anticoagulant stops clots growing\n", encoding="utf-8")
    assert search.index([corpus], tmp_path / "index").ok
    ix = search.open_index(tmp_path / "index")
    added = {e.term: e.weight for e in ix.explain("blood thinner").expansions if e.source == "synonym"}
    assert added == {"anticoagulant": pytest.approx(SYNONYM_WEIGHT * 0.5)}
    hit = ix.explain("blood thinner").hits[0]
    alone = ix.explain("anticoagulant", expand=False).hits[0]
    body = {t.field: t.score for t in hit.contributions if t.term == "anticoagulant"}
    typed = {t.field: t.score for t in alone.contributions if t.term == "anticoagulant"}
    assert body["body"] == pytest.approx(typed["body"] * SYNONYM_WEIGHT * 0.5, rel=1e-3)


_TYPED = st.sampled_from(['"', "-", "+", "*", "title:", "body:", "AND", "NOT", " ", "knee", "hepatitis b", "x-ray", "é",
                          "\x1b[2J", "<script>", "&amp;", "\ud800", "kne*", "vaccine"])


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.text(max_size=40), st.lists(_TYPED, max_size=10).map("".join)))
def test_any_query_gives_results_or_a_typed_error(ix: search.SearchIndex, text: str) -> None:
    """Property: any string searched on a real index gives well-formed results (snippet spans
    inside the text, JSON-safe) or a QuerySyntaxError; nothing else escapes."""
    try:
        results = ix.search(text, limit=3)
    except QuerySyntaxError as exc:
        assert str(exc)
        return
    assert results.total >= len(results.hits)
    for hit in results.hits:
        spans = hit.snippet.highlights
        assert all(0 <= a < b <= len(hit.snippet.text) for a, b in spans)
        assert "<" not in snippet_html(hit.snippet).replace("<mark>", "").replace("</mark>", "")
    json.dumps(results.to_dict())
