"""Snippets: passages as text plus spans; the spans always mark words the query asked for."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from search import limits
from search.models import Snippet
from search.ranking import snippets
from search.text import analyzer as analysis

WORDS = ["Anaemia", "iron", "x-ray", "tablets", "the", "and", "<b>", "&amp;", "café", "pain", "back", "\t", "\n\n"]


def check(snippet: Snippet, body: str, terms: set[str]) -> None:
    spans = snippet.highlights
    assert all(0 <= a < b <= len(snippet.text) for a, b in spans)
    assert all(b1 <= a2 for (_a1, b1), (a2, _b2) in zip(spans, spans[1:]))
    for word in snippet.marked_words():
        assert set(analysis.terms(word)) & terms, (word, terms)
        assert word in body
    assert "  " not in snippet.text and "\n" not in snippet.text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=200), st.sets(st.sampled_from(["anemia", "iron", "xray", "pain"])))
def test_spans_mark_only_the_words_asked_for(words: list[str], terms: set[str]) -> None:
    body = " ".join(words)
    found = snippets.snippet(body, terms)
    check(found, body, terms)
    if not terms & set(analysis.terms(body)):
        assert found.highlights == ()


def test_passages_are_joined_and_spans_follow() -> None:
    filler = " ".join(f"filler{i}" for i in range(60))
    body = f"Iron   helps.\n\n{filler} Anaemia  is common."
    found = snippets.snippet(body, {"iron", "anemia"})
    assert found.text.count(snippets.SEPARATOR) == 1
    assert found.marked_words() == ["Iron", "Anaemia"]
    assert found.text.startswith("Iron helps.")


def test_the_lead_when_nothing_matched() -> None:
    body = "word " * 200
    lead = snippets.snippet(body, {"absent"})
    assert lead.highlights == () and lead.text.endswith(" …") and len(lead.text) <= snippets.SNIPPET_CHARS + 2


def test_snippet_work_is_bounded() -> None:
    """Issue 10 row 12: a huge body costs a bounded scan (here: a match beyond the scan limit
    is not looked for, and the lead is used)."""
    body = "filler " * (limits.MAX_SNIPPET_SCAN_CHARS // 7 + 10) + "anaemia"
    assert snippets.snippet(body, {"anemia"}).highlights == ()
    assert snippets.snippet("anaemia " + body, {"anemia"}).marked_words() == ["anaemia"]
