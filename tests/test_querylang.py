"""The query language: what users type becomes the query they meant, and nothing crashes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.errors import QuerySyntaxError
from search.query.syntax import Clause, Phrase, Term, parse


def clauses(text: str) -> list[Clause]:
    return list(parse(text).clauses)


def test_words_are_optional_terms() -> None:
    assert clauses("back pain") == [Clause(Term("back")), Clause(Term("pain"))]


def test_quoted_phrase() -> None:
    assert clauses('"back pain" relief') == [Clause(Phrase("back pain")), Clause(Term("relief"))]


def test_single_word_in_quotes_is_a_term() -> None:
    assert clauses('"asthma"') == [Clause(Term("asthma"))]


def test_unclosed_quote_runs_to_the_end() -> None:
    assert clauses('migraine "with aura') == [Clause(Term("migraine")), Clause(Phrase("with aura"))]


def test_field_queries() -> None:
    assert clauses("title:diabetes") == [Clause(Term("diabetes", field="title"))]
    assert clauses('TITLE:"type 2"') == [Clause(Phrase("type 2", field="title"))]


def test_unknown_field_is_plain_text() -> None:
    assert clauses("ratio:1") == [Clause(Term("ratio:1"))]
    assert clauses("http://example.org") == [Clause(Term("http://example.org"))]


@pytest.mark.parametrize("text", ["migraine -aura", "migraine NOT aura"])
def test_exclusion(text: str) -> None:
    assert clauses(text) == [Clause(Term("migraine")), Clause(Term("aura"), "must_not")]


def test_excluded_phrase() -> None:
    assert clauses('diet -"low carb"') == [Clause(Term("diet")), Clause(Phrase("low carb"), "must_not")]


def test_required_and_and() -> None:
    assert clauses("+insulin diet") == [Clause(Term("insulin"), "must"), Clause(Term("diet"))]
    assert clauses("insulin AND diet") == [Clause(Term("insulin"), "must"), Clause(Term("diet"), "must")]


def test_or_is_the_default() -> None:
    assert clauses("migraine OR headache") == [Clause(Term("migraine")), Clause(Term("headache"))]


def test_prefix() -> None:
    assert clauses("diabet*") == [Clause(Term("diabet", prefix=True))]
    # a one-letter prefix would match half the dictionary: it searches the letter
    assert clauses("b*") == [Clause(Term("b"))]


def test_hyphenated_word_is_not_an_exclusion() -> None:
    assert clauses("x-ray") == [Clause(Term("x-ray"))]


@pytest.mark.parametrize("text", ["AND diabetes", "diabetes AND", "diabetes NOT", "- diabetes", "diabetes -", '"" diabetes'])
def test_stray_operators_are_ignored(text: str) -> None:
    assert [c.node for c in parse(text).positive] == [Term("diabetes")]


@pytest.mark.parametrize("text", ["", "   ", "*", '""', "-", "AND OR NOT", "!!!"])
def test_nothing_to_search_is_a_typed_error(text: str) -> None:
    with pytest.raises(QuerySyntaxError, match="no words"):
        parse(text)


def test_only_exclusions_is_a_typed_error() -> None:
    with pytest.raises(QuerySyntaxError, match="only excludes"):
        parse("-smoking")


def test_overlong_query_is_rejected() -> None:
    with pytest.raises(QuerySyntaxError, match="too long"):
        parse("pain " * 500)


def test_words_lists_positive_words_only() -> None:
    assert parse('"bak pian" -smoking title:knee').words() == ["bak", "pian", "knee"]
    assert parse("bak diab* pian").words(prefixes=False) == ["bak", "pian"]


_QUERY_ALPHABET = st.sampled_from(['"', "-", "+", "*", ":", "title:", "AND", "OR", "NOT", " ", "back", "pain", "x-ray", "é", "(", ")"])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=60), st.lists(_QUERY_ALPHABET, max_size=12).map("".join)))
def test_any_query_parses_or_raises_a_typed_error(text: str) -> None:
    """Property: any string gives a query the engine can run, or a QuerySyntaxError."""
    from search.query.plan import build_plan, parts
    from search.terms.reader import TermIndex

    try:
        parsed = parse(text)
        build_plan(TermIndex(Path(".")), parts(parsed))
    except QuerySyntaxError as exc:
        assert str(exc)
    else:
        assert parsed.positive
